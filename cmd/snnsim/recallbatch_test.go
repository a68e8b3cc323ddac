package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/snnsim/snnsim/analysis"
	"github.com/snnsim/snnsim/sweep"
)

// stopScenario is a small learn–recall protocol without a [sequence]: 20
// excitatory neurons E with a noisy background (mean 0.9 nA, 0.1 nA
// below rheobase), 5 inhibitory I, an assembly "core" of 8 learned by a
// pulse at 50–150 ms and cued from a random half ("cue") at 350–400 ms.
// Read out with --learn "100 ms" --recall "400 ms" --width "100 ms", the
// windows are [50, 150) and [350, 450) ms.
const stopScenario = `[simulation]
duration = "1 s"
[[population]]
name   = "E"
size   = 20
model  = "lif_exp_current"
params = { tau_m = "10 ms", c_m = "1 nF", v_rest = "-65 mV", v_threshold = "-55 mV",
           v_reset = "-70 mV", t_ref = "2 ms", tau_exc = "5 ms", tau_inh = "5 ms" }
[[population]]
name   = "I"
size   = 5
model  = "lif_exp_current"
params = { tau_m = "10 ms", c_m = "1 nF", v_rest = "-65 mV", v_threshold = "-55 mV",
           v_reset = "-70 mV", t_ref = "2 ms", tau_exc = "5 ms", tau_inh = "5 ms" }
[[projection]]
from     = "E"
to       = "I"
receptor = "exc"
connect  = { rule = "fixed_probability", p = 0.5 }
weight   = "3 mV"
delay    = "1 ms"
[[group]]
name       = "core"
population = "E"
neurons    = "0..7"
[[group]]
name     = "cue"
of       = "core"
fraction = 0.5
pick     = "random"
[[stimulus]]
kind       = "ou_current"
population = "E"
mean       = "0.9 nA"
sigma      = "0.5 nA"
tau        = "5 ms"
[[stimulus]]
kind       = "ou_current"
population = "I"
mean       = "0.9 nA"
sigma      = "0.5 nA"
tau        = "5 ms"
[[stimulus]]
kind  = "ou_current"
group = "core"
mean  = "3 nA"
sigma = "0.5 nA"
tau   = "5 ms"
start = "50 ms"
stop  = "150 ms"
[[stimulus]]
kind  = "ou_current"
group = "cue"
mean  = "3 nA"
sigma = "0.5 nA"
tau   = "5 ms"
start = "350 ms"
stop  = "400 ms"
[[record]]
what = "spikes"
`

// TestRecallBatchStoppedRuns: a sweep of stopScenario with a [[guard]] on
// E over rows that stop it at the end of its first bin (a limit of
// 0.001 Hz, which any spike exceeds) at 600 ms, after the readout
// windows; at 450 ms, the recall window's end (the window is half-open,
// so the log holds it whole); at 400 ms, inside the recall window; at
// 200 ms, between the windows; and a row whose guard never trips, each on
// seeds 1 and 2, next to a sweep of the same scenario without a guard.
// recall --batch must measure the first two rows like any run, with the
// values of the runs without a guard (a guard changes nothing before it
// trips, and the runs stopped after the windows hold all their spikes),
// count them per group as runs that ran away after the readout, and leave
// out the other two, counted per group as runs that ran away before the
// end of the readout.
func TestRecallBatchStoppedRuns(t *testing.T) {
	dir := t.TempDir()
	plain, guarded := filepath.Join(dir, "plain.toml"), filepath.Join(dir, "guarded.toml")
	if err := os.WriteFile(plain, []byte(stopScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	guard := "\n[[guard]]\npopulation = \"E\"\nmax_rate   = \"1000000 Hz\"\nwindow     = \"50 ms\"\n"
	if err := os.WriteFile(guarded, []byte(stopScenario+guard), 0o644); err != nil {
		t.Fatal(err)
	}
	rows := []struct {
		name, rate, window string
		stopped, measured  bool
	}{
		{"never", "1000000 Hz", "50 ms", false, true},
		{"after", "0.001 Hz", "600 ms", true, true},
		{"atend", "0.001 Hz", "450 ms", true, true},
		{"inside", "0.001 Hz", "400 ms", true, false},
		{"before", "0.001 Hz", "200 ms", true, false},
	}
	table := "row,guard.0.max_rate,guard.0.window\n"
	for _, r := range rows {
		table += r.name + "," + r.rate + "," + r.window + "\n"
	}
	rowsCSV := filepath.Join(dir, "rows.csv")
	if err := os.WriteFile(rowsCSV, []byte(table), 0o644); err != nil {
		t.Fatal(err)
	}
	sw, ref := filepath.Join(dir, "sweep"), filepath.Join(dir, "ref")
	for _, args := range [][]string{
		{"sweep", guarded, "--rows", rowsCSV, "--seeds", "1..2", "--out", sw, "--quiet", "-j", "1"},
		{"sweep", plain, "--seeds", "1..2", "--out", ref, "--quiet", "-j", "1"},
	} {
		var so, se bytes.Buffer
		run(args, &so, &se) // exits 1: some points fail on the guard
		if _, err := sweep.Open(args[len(args)-4]); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, se.String())
		}
	}
	s, err := sweep.Open(sw)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range s.Manifest.Points {
		st, msg := sweep.PointStatus(s.PointDir(i))
		var stopped bool
		for _, r := range rows {
			for _, q := range p.Params {
				if q.Key == "row" && q.Value == r.name {
					stopped = r.stopped
				}
			}
		}
		if stopped && (st != sweep.StoppedByGuard || !strings.Contains(msg, "runaway")) || !stopped && st != sweep.Done {
			t.Fatalf("point %s: %s %q", p.Name, st, msg)
		}
	}
	// sweep status counts and lists the 8 points the guard stopped as
	// such, not as failed, with the guard's reason.
	status, _ := runCmd(t, "sweep", "status", sw)
	if !strings.Contains(status, "points: done 2, running 0, interrupted 0, pending 0, failed 0, stopped by guard 8\n") ||
		strings.Count(status, " stopped by guard row=") != 8 || strings.Count(status, "above its [[guard]] limit") != 8 {
		t.Errorf("sweep status:\n%s", status)
	}

	csvPath := filepath.Join(dir, "recall.csv")
	out, _ := runCmd(t, "recall", "--batch", sw, ref, "--learn", "100 ms", "--recall", "400 ms", "--width", "100 ms", "--csv", csvPath)
	if want := "(8 runs were stopped by a [[guard]] on runaway activity: 4 after their readout windows, measured up to the stop\n" +
		"like any run; 4 before the end of the readout, which are not measured; each group counts its own below)"; !strings.Contains(out, want) {
		t.Errorf("batch output lacks %q:\n%s", want, out)
	}
	for _, r := range rows {
		group := fmt.Sprintf("guarded, assembly 8, recall window at 0.4 s, guard.0.max_rate=%s, guard.0.window=%s", r.rate, r.window)
		var want string
		switch {
		case r.measured && r.stopped:
			want = group + ": 2 runs\nran away after the readout: 2 of the 2 runs (seeds 1, 2); ran away before the end of the readout: 0 more, not measured\n"
		case r.measured:
			want = group + ": 2 runs\nran away after the readout: 0 of the 2 runs; ran away before the end of the readout: 0 more, not measured\n"
		default:
			want = group + ": 0 runs\nran away after the readout: 0 of the 0 runs; ran away before the end of the readout: 2 more (seeds 1, 2), not measured\n"
		}
		if !strings.Contains(out, want) {
			t.Errorf("row %s: the output lacks\n%s\n%s", r.name, want, out)
		}
	}

	// The measured rows, by row and seed, against the runs without a
	// guard.
	f, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	head := recs[0]
	if head[len(head)-1] != "ran_away_after_readout" {
		t.Fatalf("CSV header %v: no column ran_away_after_readout at its end", head)
	}
	col := func(name string) int {
		for i, h := range head {
			if h == name {
				return i
			}
		}
		t.Fatalf("CSV header %v: no column %s", head, name)
		return -1
	}
	values := func(rec []string) string {
		var v []string
		for _, n := range analysis.RecallMeasureNames {
			v = append(v, n+"="+rec[col(n)])
		}
		return strings.Join(v, " ")
	}
	seeds, rowOf := map[string]string{}, map[string]string{} // by point directory: seed, row
	for _, d := range []string{sw, ref} {
		sp, err := sweep.Open(d)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range sp.Manifest.Points {
			seeds[sp.PointDir(i)] = fmt.Sprint(p.Seed)
			for _, q := range p.Params {
				if q.Key == "row" {
					rowOf[sp.PointDir(i)] = q.Value
				}
			}
		}
	}
	want := map[string]string{} // seed -> the measures of the run without a guard
	got := map[string]map[string][]string{}
	for _, rec := range recs[1:] {
		run := rec[col("run")]
		seed, ok := seeds[run]
		if !ok {
			t.Fatalf("run %s: not a point of the sweeps", run)
		}
		if strings.HasPrefix(run, ref) {
			want[seed] = values(rec)
			if rec[col("ran_away_after_readout")] != "false" || rec[col("nu_as")] == "0" {
				t.Errorf("run %s without a guard: %v", run, rec)
			}
			continue
		}
		name := rowOf[run]
		if got[name] == nil {
			got[name] = map[string][]string{}
		}
		got[name][seed] = rec
	}
	if len(want) != 2 || want["1"] == want["2"] {
		t.Fatalf("the runs without a guard: %v; want two seeds with different measures", want)
	}
	for _, r := range rows {
		if !r.measured {
			if len(got[r.name]) != 0 {
				t.Errorf("row %s, stopped before the end of the readout, is measured: %v", r.name, got[r.name])
			}
			continue
		}
		for seed, w := range want {
			rec := got[r.name][seed]
			if rec == nil {
				t.Errorf("row %s, seed %s: not measured", r.name, seed)
				continue
			}
			if v := values(rec); v != w {
				t.Errorf("row %s, seed %s: %s; without a guard: %s", r.name, seed, v, w)
			}
			if flag := rec[col("ran_away_after_readout")]; flag != fmt.Sprint(r.stopped) {
				t.Errorf("row %s, seed %s: ran_away_after_readout %s, want %v", r.name, seed, flag, r.stopped)
			}
		}
	}
}
