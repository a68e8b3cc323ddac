package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/snnsim/snnsim/analysis"
	"github.com/snnsim/snnsim/runner"
	"github.com/snnsim/snnsim/spikelog"
	"github.com/snnsim/snnsim/sweep"
)

// sweepArgs is a sweep of 8 short points of the capture scenario: two
// weak-tetanus times, four seeds.
func sweepArgs(out string, extra ...string) []string {
	return append([]string{"sweep", "../../scenarios/stc_capture.toml", "--grid", "population.S2.params.start=60 min,90 min",
		"--seeds", "1..4", "--set", "simulation.duration=3 h", "--out", out, "--quiet"}, extra...)
}

var collectArgs = []string{"--metric", "s2=change:S2_to_N@end", "--metric", "s1=change:S1_to_N@2 h", "--metric", "rate:N@0..end",
	"--metric", "cv:N", "--metric", "wmean:pathway/S2_to_N/efficacy/mean"}

// collectTable runs collect on dir and returns the CSV it wrote.
func collectTable(t *testing.T, dir string) string {
	t.Helper()
	var so, se bytes.Buffer
	if code := run(append([]string{"collect", dir}, collectArgs...), &so, &se); code != 0 {
		t.Fatalf("collect %s: exit %d: %s", dir, code, se.String())
	}
	b, err := os.ReadFile(filepath.Join(dir, "results.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), ",pending,") || !strings.Contains(string(b), ",done,") {
		t.Fatalf("%s: not every point is done:\n%s", dir, b)
	}
	return string(b)
}

// TestSweepKillAndRerun kills a sweep with SIGKILL while it runs, reruns
// the same command, and checks that the points done before the kill are
// not run again (counted as skipped, their logs untouched) and that the
// table equals an uninterrupted sweep's.
func TestSweepKillAndRerun(t *testing.T) {
	bin := buildSnnsim(t)
	dir := t.TempDir()
	var so, se bytes.Buffer
	cut := filepath.Join(dir, "cut")
	args := sweepArgs(cut, "-j", "1", "--workers", "1", "--checkpoint-every", "20 min", "--set", "simulation.duration=6 h")
	refArgs := sweepArgs(filepath.Join(dir, "ref6"), "-j", "2", "--set", "simulation.duration=6 h")
	if code := run(refArgs, &so, &se); code != 0 {
		t.Fatalf("reference sweep: exit %d: %s", code, se.String())
	}
	want := collectTable(t, filepath.Join(dir, "ref6"))
	cmd := exec.Command(bin, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := waitManifest(t, cut)
	done := map[int]time.Time{}
	// The kill must come after some points and before the last: wait for
	// three, however long a loaded machine takes (a point is a few
	// CPU-seconds), and give up only when the sweep makes no progress.
	deadline := time.Now().Add(5 * time.Minute)
	for len(done) < 3 && time.Now().Before(deadline) {
		for i := range s.Manifest.Points {
			if st, _ := sweep.PointStatus(s.PointDir(i)); st == sweep.Done {
				if fi, err := os.Stat(filepath.Join(s.PointDir(i), runner.LogName)); err == nil {
					done[i] = fi.ModTime()
				}
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	if len(done) < 3 {
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		t.Fatalf("%d points done after 5 minutes; want 3 before the kill (output: %s)", len(done), out.String())
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	// Read the statuses again after the kill: a point may have finished
	// between the last look and the signal.
	for i := range s.Manifest.Points {
		if st, _ := sweep.PointStatus(s.PointDir(i)); st == sweep.Done {
			fi, _ := os.Stat(filepath.Join(s.PointDir(i), runner.LogName))
			done[i] = fi.ModTime()
		}
	}
	if len(done) < 3 || len(done) == 8 {
		t.Fatalf("%d points done when killed; want between 3 and 7 (output: %s)", len(done), out.String())
	}
	so.Reset()
	se.Reset()
	if code := run(args, &so, &se); code != 0 {
		t.Fatalf("rerun: exit %d: %s", code, se.String())
	}
	m := regexp.MustCompile(`(\d+) run .*, (\d+) skipped \(done before\)`).FindStringSubmatch(so.String())
	if m == nil {
		t.Fatalf("rerun output %q: no counts", so.String())
	}
	if ran, _ := strconv.Atoi(m[1]); ran != 8-len(done) {
		t.Errorf("rerun ran %d points, want %d", ran, 8-len(done))
	}
	if skipped, _ := strconv.Atoi(m[2]); skipped != len(done) {
		t.Errorf("rerun skipped %d points, want the %d done before the kill", skipped, len(done))
	}
	for i, mt := range done {
		fi, _ := os.Stat(filepath.Join(s.PointDir(i), runner.LogName))
		if !fi.ModTime().Equal(mt) {
			t.Errorf("point %d was done before the kill, but its log was written again", i)
		}
	}
	if got := collectTable(t, cut); got != want {
		t.Errorf("the table after kill and rerun differs from the uninterrupted sweep's:\n%s\nwant\n%s", got, want)
	}
}

// waitManifest waits for a sweep process to write its manifest.
func waitManifest(t *testing.T, dir string) *sweep.Sweep {
	t.Helper()
	for range 1000 {
		if s, err := sweep.Open(dir); err == nil {
			return s
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no manifest in %s", dir)
	return nil
}

// TestSweepTwoAtOnce: while one sweep holds a directory, a second sweep
// into it is refused with a message naming the holder.
func TestSweepTwoAtOnce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sw")
	bin := buildSnnsim(t)
	// The first sweep: a process that holds the directory (a long point).
	first := exec.Command(bin, sweepArgs(dir, "-j", "1", "--set", "simulation.duration=2000 h")...)
	var fo bytes.Buffer
	first.Stdout, first.Stderr = &fo, &fo
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		first.Process.Signal(syscall.SIGINT)
		first.Wait()
	}()
	waitManifest(t, dir)
	var so, se bytes.Buffer
	code := run(sweepArgs(dir, "-j", "1", "--set", "simulation.duration=2000 h"), &so, &se)
	msg := se.String()
	if code != 1 || !strings.Contains(msg, "is in use by another sweep") || !strings.Contains(msg, "process "+strconv.Itoa(first.Process.Pid)) {
		t.Errorf("second sweep: exit %d, %q; want 1 and a message naming process %d", code, msg, first.Process.Pid)
	}
}

// TestSweepDifferentDesign: a re-run into the same directory with another
// grid is refused, saying what differs; the same command is accepted.
func TestSweepDifferentDesign(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sw")
	args := []string{"sweep", "../../scenarios/stc_capture.toml", "--grid", "population.S2.params.start=60 min,90 min",
		"--set", "simulation.duration=2 h", "--out", dir, "--quiet"}
	var so, se bytes.Buffer
	if code := run(args, &so, &se); code != 0 {
		t.Fatalf("exit %d: %s", code, se.String())
	}
	other := replaceArg(args, "population.S2.params.start=60 min,90 min", "population.S2.params.start=60 min,120 min")
	se.Reset()
	code := run(other, &so, &se)
	if code != 1 || !strings.Contains(se.String(), "--grid population.S2.params.start: was [60 min, 90 min], now [60 min, 120 min]") {
		t.Errorf("other grid: exit %d, %q", code, se.String())
	}
	so.Reset()
	if code := run(args, &so, &se); code != 0 || !strings.Contains(so.String(), "2 skipped (done before)") {
		t.Errorf("same command: exit %d, %q", code, so.String())
	}
}

func replaceArg(a []string, old, new string) []string {
	b := append([]string(nil), a...)
	for i := range b {
		if b[i] == old {
			b[i] = new
		}
	}
	return b
}

// TestSweepInterruptAndResume: SIGINT (Ctrl-C) stops a local sweep with
// its running points checkpointed (exit code 130); the same command
// resumes them from their checkpoints, and the table equals an
// uninterrupted sweep's.
func TestSweepInterruptAndResume(t *testing.T) {
	bin := buildSnnsim(t)
	dir := t.TempDir()
	// Long simulated runs: the protocols are over after 2 h and the rest is
	// quiet, jumped in large steps, so the length is chosen to make each
	// point last far longer than the gap between its log appearing and the
	// signal (a point must still be running when SIGINT arrives).
	args := func(out string) []string {
		return []string{"sweep", "../../scenarios/stc_capture.toml", "--grid", "population.S2.params.start=60 min,90 min",
			"--seeds", "1..2", "--set", "simulation.duration=500 h", "--out", out, "--quiet", "-j", "2"}
	}
	var so, se bytes.Buffer
	if code := run(args(filepath.Join(dir, "ref")), &so, &se); code != 0 {
		t.Fatalf("reference sweep: exit %d: %s", code, se.String())
	}
	want := collectTable(t, filepath.Join(dir, "ref"))
	cut := filepath.Join(dir, "cut")
	cmd := exec.Command(bin, args(cut)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := waitManifest(t, cut)
	// Wait until a point's log exists, then interrupt.
	for range 2000 {
		if _, err := os.Stat(filepath.Join(s.PointDir(0), runner.LogName)); err == nil {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("interrupted sweep: %v, want exit code 130\n%s", err, out.String())
	}
	interrupted := 0
	for i := range s.Manifest.Points {
		if st, _ := sweep.PointStatus(s.PointDir(i)); st == sweep.Interrupted {
			interrupted++
		}
	}
	if interrupted == 0 {
		t.Fatalf("no point was left interrupted with a checkpoint:\n%s", out.String())
	}
	so.Reset()
	if code := run(args(cut), &so, &se); code != 0 {
		t.Fatalf("rerun: exit %d: %s", code, se.String())
	}
	if !strings.Contains(so.String(), fmt.Sprintf("(%d resumed from checkpoints)", interrupted)) {
		t.Errorf("rerun output %q: want %d resumed", so.String(), interrupted)
	}
	if got := collectTable(t, cut); got != want {
		t.Errorf("the table after Ctrl-C and rerun differs from the uninterrupted sweep's:\n%s\nwant\n%s", got, want)
	}
}

// TestSweepBadKey: a design with a key the scenario does not have is
// refused before anything runs, naming the key and the point, and leaves
// no sweep directory behind (so the corrected command can use it).
func TestSweepBadKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sw")
	var so, se bytes.Buffer
	code := run([]string{"sweep", "../../scenarios/stc_capture.toml", "--grid", "population.S2.params.strt=1 h,2 h", "--out", dir}, &so, &se)
	if code != 1 || !strings.Contains(se.String(), "point 0") || !strings.Contains(se.String(), `--set population.S2.params.strt`) ||
		!strings.Contains(se.String(), `did you mean "start"`) {
		t.Errorf("exit %d, %q", code, se.String())
	}
	if _, err := os.Stat(dir); err == nil {
		t.Error("a refused design left its directory")
	}
}

// TestSweepGoDurationCheckpoint checks that a checkpoint interval written
// as a Go duration, which run accepts, is accepted by every point of a
// sweep too (it is stored as a quantity with a unit).
func TestSweepGoDurationCheckpoint(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sw")
	out, errs := runCmd(t, "sweep", "../../scenarios/stc_capture.toml", "--grid", "simulation.seed=1,2",
		"--checkpoint-every", "30m", "--out", dir, "-j", "1", "--workers", "1")
	if !strings.Contains(out+errs, "2 run") || !strings.Contains(out+errs, "0 failed") {
		t.Errorf("sweep output:\n%s%s", out, errs)
	}
}

// TestSweepScenarioColumn runs a table of points whose column scenario
// names two scenarios (as the LT2021 trial batch runs both protocols in
// one sweep): each point runs its own file with its seed, the manifest
// holds both files' hashes, and editing one of them stops the sweep from
// continuing with it.
func TestSweepScenarioColumn(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pairs.csv"), []byte(splitPairs), 0o644); err != nil {
		t.Fatal(err)
	}
	short := strings.Replace(splitScenario, `duration   = "10 ms"`, `duration   = "20 ms"`, 1)
	for name, text := range map[string]string{"a.toml": splitScenario, "b.toml": short} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	a, b := filepath.Join(dir, "a.toml"), filepath.Join(dir, "b.toml")
	table := filepath.Join(dir, "points.csv")
	if err := os.WriteFile(table, []byte("scenario,protocol\n"+a+",A\n"+b+",B\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "sweep")
	runCmd(t, "sweep", table, "--seeds", "1..2", "--out", out, "-j", "1", "--quiet")
	s, err := sweep.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	sp := &s.Manifest.Spec
	if sp.Scenario != "" || len(sp.RowScenarios) != 2 || len(s.Manifest.Points) != 4 {
		t.Fatalf("spec %+v with %d points, want no scenario, two row scenarios and 4 points", sp, len(s.Manifest.Points))
	}
	for i, p := range s.Manifest.Points {
		want, dur := a, 10.0
		if i >= 2 {
			want, dur = b, 20.0
		}
		if got := p.ScenarioPath(sp); got != want {
			t.Errorf("point %d runs %s, want %s", i, got, want)
		}
		r, err := spikelog.Open(filepath.Join(s.PointDir(i), LogName))
		if err != nil {
			t.Fatal(err)
		}
		h := r.Header()
		st, err := r.Stats()
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		end := 0.0
		for _, m := range st.Marks {
			if m.Text == analysis.RunEndMark {
				end = h.Clock().Ms(m.T)
			}
		}
		if h.Seed != uint64(i%2+1) || h.File != want || end != dur {
			t.Errorf("point %d: seed %d, file %s, run end %g ms; want seed %d, %s, %g ms", i, h.Seed, h.File, end, i%2+1, want, dur)
		}
	}
	// An edited scenario is noticed when the sweep continues.
	if err := os.WriteFile(b, []byte(short+"\n# edited\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var so, se bytes.Buffer
	if code := run([]string{"sweep", table, "--seeds", "1..2", "--out", out, "-j", "1", "--quiet"}, &so, &se); code == 0 || !strings.Contains(se.String(), "b.toml changed since the sweep started") {
		t.Errorf("edited scenario: exit %d, stderr %s", code, se.String())
	}
}
