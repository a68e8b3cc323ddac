package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/snnsim/snnsim/spikelog"
)

// TestTwoRunsOneDir starts a run in a subprocess and, while it runs, a
// second one into the same directory: the second fails at once naming the
// first's process, and the first completes with an intact log whose
// spikes are those of its summary.
func TestTwoRunsOneDir(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the command")
	}
	bin := buildSnnsim(t)
	dir := filepath.Join(t.TempDir(), "run")
	first := exec.Command(bin, append([]string{"run", quick, "--duration", "20 s", "--out", dir, "--progress", "none", "--seed", "1"}, oneWorker...)...)
	var errb bytes.Buffer
	first.Stderr = &errb
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(dir, LogName)); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first run did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	var out, e2 bytes.Buffer
	t0 := time.Now()
	code := run([]string{"run", quick, "--duration", "20 s", "--out", dir, "--progress", "none", "--seed", "2"}, &out, &e2)
	if code != 1 || !strings.Contains(e2.String(), "is held by process "+strconv.Itoa(first.Process.Pid)) {
		t.Errorf("second run: exit %d, %q; want 1 and the holder's PID %d", code, e2.String(), first.Process.Pid)
	}
	if el := time.Since(t0); el > 5*time.Second {
		t.Errorf("the second run took %v to fail", el)
	}
	if err := first.Wait(); err != nil {
		t.Fatalf("first run: %v\n%s", err, errb.String())
	}
	r, err := spikelog.Open(filepath.Join(dir, LogName))
	if err != nil {
		t.Fatal(err)
	}
	st, err := r.Stats()
	seed := r.Header().Seed
	r.Close()
	if err != nil || !st.Complete || seed != 1 {
		t.Fatalf("the first run's log: err %v, complete %v, seed %d", err, st.Complete, seed)
	}
	var sum int64
	for _, p := range readSummary(t, dir).Populations {
		if p.Name != "input" {
			sum += p.Spikes
		}
	}
	if sum != st.Spikes {
		t.Errorf("summary says %d recorded spikes, the log holds %d", sum, st.Spikes)
	}
	if _, err := os.Stat(filepath.Join(dir, ".snnsim.lock")); err == nil {
		t.Error("the lock file outlived the run")
	}
}

func readSummary(t *testing.T, dir string) Summary {
	t.Helper()
	var s Summary
	b, err := os.ReadFile(filepath.Join(dir, SummaryName))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestDefaultOutSweep runs, without --out, a seed sweep at once (seeds 1
// and 2) and the scenario's own seed twice: four directories, none shared.
func TestDefaultOutSweep(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the command")
	}
	bin := buildSnnsim(t)
	abs, _ := filepath.Abs(quick)
	wd := t.TempDir()
	var cmds []*exec.Cmd
	for _, extra := range [][]string{{"--seed", "1"}, {"--seed", "2"}, nil, nil} {
		c := exec.Command(bin, append(append([]string{"run", abs, "--duration", "0.5 s", "--progress", "none"}, oneWorker...), extra...)...)
		c.Dir = wd
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, c)
	}
	for _, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Errorf("%v: %v", c.Args, err)
		}
	}
	// quickstart.toml's own seed is 7.
	for dir, seed := range map[string]uint64{"quickstart-seed1": 1, "quickstart-seed2": 2, "quickstart": 7, "quickstart-2": 7} {
		if s := readSummary(t, filepath.Join(wd, "out", dir)); s.Seed != seed || !s.Completed {
			t.Errorf("out/%s: seed %d, completed %v; want seed %d", dir, s.Seed, s.Completed, seed)
		}
	}
}

// TestRunDirRules: a run into a directory that holds a run is refused and
// changes nothing; --force replaces the run; a [memory_curves] scenario
// obeys the same rule.
func TestRunDirRules(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	args := []string{"run", quick, "--duration", "0.2 s", "--progress", "none", "--out", dir, "--flush-interval", "0"}
	runCmd(t, append(args, "--seed", "5")...)
	log0, _ := os.ReadFile(filepath.Join(dir, LogName))
	var out, errb bytes.Buffer
	if code := run(args, &out, &errb); code != 1 || !strings.Contains(errb.String(), "--force") || !strings.Contains(errb.String(), `"spikes.snnlog"`) {
		t.Errorf("run into a used directory: exit %d, %q", code, errb.String())
	}
	if log1, _ := os.ReadFile(filepath.Join(dir, LogName)); !bytes.Equal(log0, log1) {
		t.Error("the refused run changed the log")
	}
	runCmd(t, append(args, "--force")...)
	if s := readSummary(t, dir); s.Seed != 7 {
		t.Errorf("after --force the summary is seed %d's, want 7", s.Seed)
	}
	mc := []string{"run", "../../scenarios/memory_curves.toml", "--progress", "none", "--out", dir,
		"--set", "memory_curves.trials=2", "--set", "memory_curves.synapses=64"}
	errb.Reset()
	if code := run(mc, &out, &errb); code != 1 || !strings.Contains(errb.String(), "not empty") {
		t.Errorf("memory curves into a used directory: exit %d, %q", code, errb.String())
	}
}

// TestResumeCLI: resume refuses a foreign checkpoint naming the seed and
// leaves the log as it was; a finished run resumes to a message, exit 0,
// and no infinite speeds.
func TestResumeCLI(t *testing.T) {
	root := t.TempDir()
	a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
	common := []string{"--duration", "0.4 s", "--progress", "none", "--checkpoint-every", "0.1 s", "--stop-at", "0.2 s"}
	var out, errb bytes.Buffer
	if code := run(append([]string{"run", quick, "--out", a}, common...), &out, &errb); code != 3 {
		t.Fatalf("run a: exit %d %s", code, errb.String())
	}
	if code := run(append([]string{"run", quick, "--out", b, "--seed", "8"}, common...), &out, &errb); code != 3 {
		t.Fatalf("run b: exit %d %s", code, errb.String())
	}
	ck, _ := os.ReadFile(filepath.Join(b, CheckpointName))
	os.WriteFile(filepath.Join(a, CheckpointName), ck, 0o644)
	log0, _ := os.ReadFile(filepath.Join(a, LogName))
	errb.Reset()
	code := run([]string{"resume", a, "--progress", "none"}, &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "seed: the log's is 7, the checkpoint's 8") || strings.Contains(errb.String(), "damaged") {
		t.Errorf("resume with another run's checkpoint: exit %d, %q", code, errb.String())
	}
	if log1, _ := os.ReadFile(filepath.Join(a, LogName)); !bytes.Equal(log0, log1) {
		t.Error("the refused resume changed the log")
	}

	out.Reset()
	errb.Reset()
	if code := run([]string{"resume", b, "--progress", "none"}, &out, &errb); code != 0 {
		t.Fatalf("resume b: exit %d %s", code, errb.String())
	}
	s := readSummary(t, b)
	if s.WallSPerSimS*s.SimSPerWallS < 0.999999 || s.WallSPerSimS*s.SimSPerWallS > 1.000001 || s.SimulatedThisRunS < 0.199 || s.SimulatedThisRunS > 0.201 {
		t.Errorf("resumed summary: %g sim-s/wall-s and %g wall-s/sim-s over %g s", s.SimSPerWallS, s.WallSPerSimS, s.SimulatedThisRunS)
	}
	out.Reset()
	errb.Reset()
	code = run([]string{"resume", b, "--progress", "none"}, &out, &errb)
	all := out.String() + errb.String()
	if code != 0 || !strings.Contains(all, "finished") || strings.Contains(all, "Inf") {
		t.Errorf("resume of a finished run: exit %d, %q", code, all)
	}
}
