package main

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runQuickstart runs the quickstart scenario (with its spike, v and rate
// records) into a temporary run directory.
func runQuickstart(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "run")
	runCmd(t, "run", "../../scenarios/quickstart.toml", "--out", dir, "--progress", "none")
	return dir
}

// TestAnalysisVerbs runs inspect, stats, plot and export on a run
// directory and on its log file, and checks what they report against the
// run's summary.
func TestAnalysisVerbs(t *testing.T) {
	dir := runQuickstart(t)
	var sum Summary
	js, _ := os.ReadFile(filepath.Join(dir, SummaryName))
	if err := json.Unmarshal(js, &sum); err != nil {
		t.Fatal(err)
	}

	out, _ := runCmd(t, "inspect", dir, "--scenario")
	for _, want := range []string{
		"format       version 1",
		"scenario     quickstart",
		"v/E              v [mV] of E, 5 indices, every 0.5 ms: 4000 samples, 0 ms to 2 s",
		"rate/I           rate [Hz] of I, the whole population, every 10 ms: 200 samples",
		"run end",
		"[[record]]", // the scenario text
		"status       complete",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect output lacks %q:\n%s", want, out)
		}
	}

	out, _ = runCmd(t, "stats", filepath.Join(dir, LogName), "--json")
	var st statsJSON
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("stats --json: %v\n%s", err, out)
	}
	if st.ToMs != 2000 || st.End != "run end mark" || len(st.Populations) != 3 || len(st.Series) != 4 {
		t.Fatalf("stats: %+v", st)
	}
	for _, p := range st.Populations[1:] { // E and I are recorded; their rates match the summary
		want := sum.Populations[map[string]int{"E": 1, "I": 2}[p.Name]].RateHz
		if p.RateHz == nil || abs(*p.RateHz-want) > 1e-9*want || p.CV == nil || p.Sync == nil {
			t.Errorf("%s: %+v, summary rate %v", p.Name, p, want)
		}
	}
	// The sampled rate of E, averaged over the run, is E's rate.
	for _, s := range st.Series {
		if s.Name == "rate/E" && (s.Mean == nil || abs(*s.Mean-sum.Populations[1].RateHz) > 1e-9) {
			t.Errorf("rate/E mean %v, summary %v", s.Mean, sum.Populations[1].RateHz)
		}
	}
	out, _ = runCmd(t, "stats", dir, "--from", "1 s")
	if !strings.Contains(out, "1 s to 2 s") || !strings.Contains(out, "ISI CV") {
		t.Errorf("stats table:\n%s", out)
	}

	plots := t.TempDir()
	runCmd(t, "plot", dir, "--out", plots, "--size", "12x8", "--dpi", "96", "--format", "png,svg")
	for _, name := range []string{"raster", "rate", "v_E"} {
		for _, ext := range []string{".png", ".svg"} {
			data, err := os.ReadFile(filepath.Join(plots, name+ext))
			if err != nil || len(data) < 3000 {
				t.Fatalf("%s%s: %d bytes, %v", name, ext, len(data), err)
			}
			if ext == ".png" {
				if img, err := png.Decode(bytes.NewReader(data)); err != nil || img.Bounds().Dx() != 454 {
					t.Errorf("%s.png: %v", name, err)
				}
			}
		}
	}

	for _, f := range []string{"npz", "npy", "csv", "csv.gz"} {
		ex := t.TempDir()
		out, _ := runCmd(t, "export", dir, "--format", f, "--out", ex)
		if !strings.Contains(out, "wrote") {
			t.Errorf("export %s: %s", f, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "export")); err == nil {
		t.Error("export wrote to the default directory despite --out")
	}
}

func abs(x float64) float64 { return max(x, -x) }

// TestAnalysisVerbErrors checks the exit codes and messages of bad calls.
func TestAnalysisVerbErrors(t *testing.T) {
	dir := runQuickstart(t)
	empty := t.TempDir()
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"inspect"}, 2, "Usage: snnsim inspect"},
		{[]string{"inspect", empty}, 1, "without spikes.snnlog"},
		{[]string{"stats", filepath.Join(empty, "nope")}, 1, "no such log file or run directory"},
		{[]string{"stats", dir, "--from", "0.05 ms"}, 1, "--from: duration 0.05 ms is not a whole number of ticks"},
		{[]string{"stats", dir, "--to", "1 mV"}, 1, `--to: "1 mV" is a voltage`},
		{[]string{"plot", dir, "--size", "big"}, 1, `--size "big": give width x height in cm`},
		{[]string{"plot", dir, "--dpi", "0"}, 1, `--dpi 0: give a resolution between 10 and 2400`},
		{[]string{"plot", dir, "--only", "pie"}, 1, `no figure to draw`},
		{[]string{"plot", dir, "--format", "jpg"}, 1, `--format "jpg"`},
		{[]string{"export", dir, "--format", "xls"}, 2, `--format "xls"`},
		{[]string{"inspect", "../../scenarios/cuba.toml"}, 1, "not a spike log"},
	} {
		var out, errb bytes.Buffer
		code := run(tc.args, &out, &errb)
		if code != tc.code || !strings.Contains(errb.String()+out.String(), tc.msg) {
			t.Errorf("snnsim %v: exit %d, want %d; output lacks %q:\n%s%s", tc.args, code, tc.code, tc.msg, out.String(), errb.String())
		}
	}
	// A damaged log: inspect reports the offset and exits 1.
	data, _ := os.ReadFile(filepath.Join(dir, LogName))
	cut := filepath.Join(t.TempDir(), "cut.snnlog")
	os.WriteFile(cut, data[:len(data)-10], 0o644)
	var out, errb bytes.Buffer
	if code := run([]string{"inspect", cut}, &out, &errb); code != 1 || !strings.Contains(out.String(), "status       damaged: spikelog: log damaged at byte") {
		t.Errorf("inspect of a cut log: exit %d\n%s", code, out.String())
	}
}

// TestKilledRunLeavesReadableLog runs the CLI as a subprocess on a long
// scenario that records spikes, membrane potentials and rates, kills it
// with SIGKILL (no chance to flush or close), and checks that inspect reads
// the log up to the last flush: spikes and samples, no end block.
func TestKilledRunLeavesReadableLog(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the command")
	}
	bin := buildSnnsim(t)
	cuba, err := os.ReadFile("../../scenarios/cuba.toml")
	if err != nil {
		t.Fatal(err)
	}
	scen := filepath.Join(t.TempDir(), "cuba_rec.toml")
	text := string(cuba) + "\n[[record]]\nwhat = \"v\"\npopulations = [\"E\"]\nneurons = [0, 1, 2]\nsample = \"1 ms\"\n\n[[record]]\nwhat = \"rate\"\nsample = \"10 ms\"\n"
	os.WriteFile(scen, []byte(text), 0o644)
	dir := t.TempDir()
	cmd := exec.Command(bin, "run", scen, "--duration", "1000 s", "--out", dir, "--progress", "none", "--flush-interval", "100ms")
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill only once the log has grown past its first flushes: a fixed sleep
	// races with a slow start on a loaded machine.
	logPath := filepath.Join(dir, "spikes.snnlog")
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
		if fi, err := os.Stat(logPath); err == nil && fi.Size() > 256<<10 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("%s did not grow past 256 KiB within 2 minutes\n%s", logPath, errb.String())
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("wait: %v (the run should have been killed)\n%s", err, errb.String())
	}
	var out bytes.Buffer
	ins := exec.Command(bin, "inspect", dir)
	ins.Stdout = &out
	ins.Stderr = &out
	err = ins.Run()
	s := out.String()
	t.Logf("inspect after SIGKILL:\n%s", s)
	// The kill may land between blocks (incomplete, exit 0) or, rarely, in
	// the middle of writing one (damaged at that block, exit 1): either way
	// every block before is read.
	switch {
	case err == nil && strings.Contains(s, "status       incomplete"):
	case err != nil && strings.Contains(s, "status       damaged") && strings.Contains(s, "log ends inside a block"):
	default:
		t.Fatalf("inspect: %v", err)
	}
	if strings.Contains(s, "spikes       none") || !strings.Contains(s, "v/E") || strings.Contains(s, ": 0 samples") || strings.Contains(s, "run end") {
		t.Errorf("the killed run's log lacks spikes or samples, or has an end mark")
	}
}
