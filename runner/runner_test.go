package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/scenario"
	"github.com/snnsim/snnsim/spikelog"
)

// small is a one-second network of 100 Poisson fibres driving 20 LIF
// neurons, recording spikes, two potentials and the rate: a run with
// series and marks, fast enough for many runs per test.
const small = `
[simulation]
name     = "small"
duration = "1 s"
seed     = 3

[[population]]
name   = "P"
size   = 100
model  = "poisson"
params = { rate = "20 Hz", times = ["0.5 s"], rates = ["40 Hz"] }

[[population]]
name   = "E"
size   = 20
model  = "lif_exp_current"
params = { tau_m = "20 ms", v_rest = "-65 mV", v_threshold = "-50 mV", v_reset = "-65 mV", t_ref = "2 ms" }

[[projection]]
from     = "P"
to       = "E"
receptor = "exc"
connect  = { rule = "fixed_probability", p = 0.3 }
weight   = { uniform = ["1 mV", "3 mV"] }
delay    = "1 ms"

[[record]]
what = "spikes"

[[record]]
what        = "v"
populations = ["E"]
neurons     = [0, 1]
sample      = "1 ms"

[[record]]
what        = "rate"
populations = ["E"]
sample      = "10 ms"
`

func decode(t *testing.T, text string, sets ...string) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.DecodeOverrides("small.toml", []byte(text), sets)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// runTo runs sc into dir, stopping at stop ticks (0: to the end) with a
// checkpoint every `every` ticks.
func runTo(t *testing.T, sc *scenario.Scenario, dir string, every, stop int64) *Result {
	t.Helper()
	res, err := Run(context.Background(), sc, Options{Dir: dir, CheckpointEvery: snnTime(every), StopAt: snnTime(stop)})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestSplitRunEqualsOneRun: a run stopped at 0.5 s (a checkpoint time,
// so that the log's blocks are cut alike) and resumed gives the
// log and final checkpoint of a straight run, byte for byte; the resumed
// summary's speeds are each other's inverse and refer to the resumed part.
func TestSplitRunEqualsOneRun(t *testing.T) {
	root := t.TempDir()
	a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
	ra := runTo(t, decode(t, small), a, 2500, 0)
	if ra.Status != Completed || !ra.Summary.Completed {
		t.Fatalf("straight run: %v", ra.Status)
	}
	rb := runTo(t, decode(t, small), b, 2500, 5000)
	if rb.Status != Stopped || rb.Summary.Completed {
		t.Fatalf("stopped run: status %v, completed %v", rb.Status, rb.Summary.Completed)
	}
	res, err := Resume(context.Background(), b, ResumeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{LogName, CheckpointName} {
		x, _ := os.ReadFile(filepath.Join(a, name))
		y, _ := os.ReadFile(filepath.Join(b, name))
		if len(x) == 0 || !bytes.Equal(x, y) {
			t.Errorf("%s: straight and split runs differ (%d and %d bytes)", name, len(x), len(y))
		}
	}
	s := res.Summary
	if !s.Completed || s.SimulatedS != 1 || math.Abs(s.SimulatedThisRunS-0.5) > 1e-12 {
		t.Errorf("resumed summary: completed %v, simulated %g s, this run %g s; want true, 1, 0.5", s.Completed, s.SimulatedS, s.SimulatedThisRunS)
	}
	if s.WallS <= 0 || math.Abs(s.SimSPerWallS*s.WallSPerSimS-1) > 1e-9 || math.Abs(s.SimSPerWallS-s.SimulatedThisRunS/s.WallS) > 1e-9*s.SimSPerWallS {
		t.Errorf("resumed summary speeds disagree: %g sim-s/wall-s, %g wall-s/sim-s, %g sim-s in %g wall-s",
			s.SimSPerWallS, s.WallSPerSimS, s.SimulatedThisRunS, s.WallS)
	}
	// The totals are the straight run's.
	for i, p := range s.Populations {
		if q := ra.Summary.Populations[i]; p.Spikes != q.Spikes {
			t.Errorf("%s: %d spikes after the resume, %d straight", p.Name, p.Spikes, q.Spikes)
		}
	}
	js, _ := os.ReadFile(filepath.Join(b, SummaryName))
	var onDisk Summary
	if err := json.Unmarshal(js, &onDisk); err != nil || onDisk.SimulatedS != 1 {
		t.Errorf("summary.json: %v, %+v", err, onDisk)
	}
	// Resuming it again: finished, nothing changed.
	before, _ := os.ReadFile(filepath.Join(b, LogName))
	if _, err := Resume(context.Background(), b, ResumeOptions{}); !errors.Is(err, ErrFinished) {
		t.Errorf("resume of a finished run: %v, want ErrFinished", err)
	}
	after, _ := os.ReadFile(filepath.Join(b, LogName))
	if !bytes.Equal(before, after) {
		t.Error("resuming a finished run changed its log")
	}
}

// TestResumeRefusesForeignCheckpoint puts into a stopped run's directory
// the checkpoint (or the log) of a run that differs in one way, and checks
// that Resume refuses it naming the difference, never calls it damage, and
// leaves the log byte for byte as it was.
func TestResumeRefusesForeignCheckpoint(t *testing.T) {
	root := t.TempDir()
	other := func(t *testing.T, name, text string, every, stop int64, sets ...string) string {
		dir := filepath.Join(root, name)
		runTo(t, decode(t, text, sets...), dir, every, stop)
		return dir
	}
	seed4 := other(t, "seed", small, 2500, 4000, "simulation.seed=4")
	rate := other(t, "set", small, 2500, 4000, "population.P.params.rate=25 Hz")
	text := other(t, "text", strings.Replace(small, `tau_m = "20 ms"`, `tau_m = "21 ms"`, 1), 2500, 4000)
	res := other(t, "resolution", small, 2500, 4000, "simulation.resolution=0.05 ms")
	cut := other(t, "cut", small, 1000, 4000) // the same run, checkpointed more often: other blocks
	// The same run, its log written by another program version.
	buildVersion = func() string { return "v0.0.0-other" }
	otherVersion := other(t, "version", small, 2500, 4000)
	buildVersion = snnsim.BuildVersion

	cases := []struct {
		name    string
		prepare func(t *testing.T, dir string) // changes dir's checkpoint or log
		want    []string                       // in the message
	}{
		{"seed", copyFrom(seed4, CheckpointName), []string{"seed: the log's is 3, the checkpoint's 4"}},
		{"set override", copyFrom(rate, CheckpointName), []string{"--set overrides", `"population.P.params.rate=25 Hz"`}},
		{"scenario text", copyFrom(text, CheckpointName), []string{"scenario text", "line 17", `tau_m = \"21 ms\"`}},
		{"resolution", copyFrom(res, CheckpointName), []string{"resolution: the log's is 0.1 ms, the checkpoint's 0.05 ms"}},
		{"log shorter", func(t *testing.T, dir string) {
			p := filepath.Join(dir, LogName)
			fi, _ := os.Stat(p)
			if err := os.Truncate(p, fi.Size()/2); err != nil {
				t.Fatal(err)
			}
		}, []string{"the log has", "but the checkpoint continues it at byte"}},
		{"log of another run", copyFrom(cut, LogName), []string{"are not those the checkpoint was written after"}},
		{"version", copyFrom(otherVersion, CheckpointName), []string{"program version", `the checkpoint's run by "snnsim v0.0.0-other"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(root, "victim-"+strings.ReplaceAll(c.name, " ", "-"))
			runTo(t, decode(t, small), dir, 2500, 4000)
			c.prepare(t, dir)
			log0, _ := os.ReadFile(filepath.Join(dir, LogName))
			_, err := Resume(context.Background(), dir, ResumeOptions{})
			if err == nil {
				t.Fatal("resumed")
			}
			msg := err.Error()
			if !errors.Is(err, ErrMismatch) || strings.Contains(msg, "damaged") {
				t.Errorf("error %q: want ErrMismatch and no word of damage", msg)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not say %q", msg, w)
				}
			}
			log1, _ := os.ReadFile(filepath.Join(dir, LogName))
			if !bytes.Equal(log0, log1) {
				t.Errorf("the refused resume changed the log (%d → %d bytes)", len(log0), len(log1))
			}
			if _, err := os.Stat(filepath.Join(dir, LockName)); err == nil {
				t.Error("the refused resume left its lock file")
			}
		})
	}
}

func copyFrom(src, name string) func(t *testing.T, dir string) {
	return func(t *testing.T, dir string) {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestConcurrentRunsOneDir starts two runs into one directory at once:
// exactly one runs, the other fails at once naming the holder, and the
// log is the one of a run alone.
func TestConcurrentRunsOneDir(t *testing.T) {
	root := t.TempDir()
	alone := filepath.Join(root, "alone")
	runTo(t, decode(t, small), alone, 0, 0)
	dir := filepath.Join(root, "shared")
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = Run(context.Background(), decode(t, small), Options{Dir: dir})
		})
	}
	wg.Wait()
	failed := 0
	for _, err := range errs {
		if err == nil {
			continue
		}
		failed++
		// The loser either met the lock or, arriving after the winner
		// ended, a directory that holds a run.
		if !errors.Is(err, ErrBusy) && !errors.Is(err, ErrNotEmpty) {
			t.Errorf("the second run: %v, want ErrBusy or ErrNotEmpty", err)
		}
		if errors.Is(err, ErrBusy) && !strings.Contains(err.Error(), "process ") {
			t.Errorf("%q does not name the holder", err)
		}
	}
	if failed != 1 {
		t.Fatalf("%d of 2 runs failed, want 1: %v", failed, errs)
	}
	x, _ := os.ReadFile(filepath.Join(alone, LogName))
	y, _ := os.ReadFile(filepath.Join(dir, LogName))
	if len(x) == 0 || !bytes.Equal(x, y) {
		// With the default flush interval (0: full blocks only) the logs
		// of one seed are byte-identical.
		t.Errorf("the log in the shared directory is not a clean run's (%d vs %d bytes)", len(y), len(x))
	}
}

// TestLock: a held directory refuses a second lock with the holder's PID;
// a lock file left by a dead process does not block.
func TestLock(t *testing.T) {
	dir := t.TempDir()
	d, err := Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Lock(dir)
	if !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "process "+itoa(os.Getpid())) {
		t.Errorf("second lock: %v, want ErrBusy naming process %d", err, os.Getpid())
	}
	if err := d.Release(); err != nil {
		t.Fatal(err)
	}
	// A stale lock file: a process that died holds no flock.
	os.WriteFile(filepath.Join(dir, LockName), []byte("pid 999999999\nstarted 2000-01-01T00:00:00Z\n"), 0o644)
	d, err = Lock(dir)
	if err != nil {
		t.Fatalf("a stale lock file blocks: %v", err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, LockName))
	if !strings.HasPrefix(string(b), "pid "+itoa(os.Getpid())+"\n") {
		t.Errorf("the lock file does not name this process: %q", b)
	}
	d.Release()
}

// TestClaim: a directory with files is refused; --force removes an
// earlier run's files and only those.
func TestClaim(t *testing.T) {
	dir := t.TempDir()
	runTo(t, decode(t, small), dir, 5000, 0)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644)
	log0, _ := os.ReadFile(filepath.Join(dir, LogName))
	_, err := Run(context.Background(), decode(t, small, "simulation.seed=9"), Options{Dir: dir})
	if !errors.Is(err, ErrNotEmpty) || !strings.Contains(err.Error(), "--force") || !strings.Contains(err.Error(), `"checkpoint.snnckpt"`) {
		t.Errorf("run into a used directory: %v", err)
	}
	if log1, _ := os.ReadFile(filepath.Join(dir, LogName)); !bytes.Equal(log0, log1) {
		t.Error("the refused run changed the old log")
	}
	if _, err := Run(context.Background(), decode(t, small, "simulation.seed=9"), Options{Dir: dir, Force: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, CheckpointName)); err == nil {
		t.Error("--force left the old run's checkpoint")
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "notes.txt")); string(b) != "mine" {
		t.Error("--force removed a file that is not the run's")
	}
	r, err := spikelog.Open(filepath.Join(dir, LogName))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Header().Seed != 9 {
		t.Errorf("the new log has seed %d, want 9", r.Header().Seed)
	}
}

// TestDefaultDir: runs of a sweep get distinct directories, and a
// directory that holds a run is never reused.
func TestDefaultDir(t *testing.T) {
	root := t.TempDir()
	cases := []struct {
		seed    uint64
		changed bool
		sets    []string
		want    string
	}{
		{7, false, nil, "q"},
		{1, true, nil, "q-seed1"},
		{2, true, nil, "q-seed2"},
		{7, false, []string{"a=1"}, "q-set"},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		got := filepath.Base(DefaultDir(root, "q", c.seed, c.changed, c.sets))
		if !strings.HasPrefix(got, c.want) || seen[got] {
			t.Errorf("DefaultDir(seed %d, changed %v, %v) = %s, want %s… and new", c.seed, c.changed, c.sets, got, c.want)
		}
		seen[got] = true
	}
	if DefaultDir(root, "q", 0, false, []string{"a=1"}) == DefaultDir(root, "q", 0, false, []string{"a=2"}) {
		t.Error("different overrides share a directory")
	}
	base := filepath.Join(root, "q")
	var dirs []string
	for range 3 {
		d, err := ClaimFresh(base)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(d.Path, LogName), nil, 0o644) // a run was here
		dirs = append(dirs, filepath.Base(d.Path))
		d.Release()
	}
	if strings.Join(dirs, " ") != "q q-2 q-3" {
		t.Errorf("fresh directories %v, want q q-2 q-3", dirs)
	}
}

// TestCancel: a cancelled context stops the run with a checkpoint, the
// log readable and incomplete, and Resume completes it.
func TestCancel(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var calls int
	res, err := Run(ctx, decode(t, small), Options{Dir: dir, Progress: func(p Progress) {
		calls++
		if p.Now >= 3000 {
			cancel()
		}
	}})
	if err != nil || res.Status != Interrupted {
		t.Fatalf("cancelled run: %v, %v", err, res.Status)
	}
	r, err := spikelog.Open(filepath.Join(dir, LogName))
	if err != nil {
		t.Fatal(err)
	}
	st, err := r.Stats()
	r.Close()
	if err != nil || st.Complete || st.Spikes == 0 {
		t.Errorf("interrupted log: err %v, complete %v, %d spikes", err, st.Complete, st.Spikes)
	}
	res, err = Resume(context.Background(), dir, ResumeOptions{})
	if err != nil || res.Status != Completed || res.Summary.SimulatedS != 1 {
		t.Errorf("resume: %v, %+v", err, res)
	}
}

func snnTime(x int64) snnsim.Time { return snnsim.Time(x) }

func itoa(x int) string { return strconv.Itoa(x) }

// TestResumeAtTheEnd: a run killed after its last checkpoint, at its end,
// but before it closed its log, resumes to the complete log of a run that
// was not killed, with speeds of zero (nothing simulated), not infinite.
func TestResumeAtTheEnd(t *testing.T) {
	dir := t.TempDir()
	runTo(t, decode(t, small), dir, 5000, 0) // checkpoints at 0.5 s and at the end
	full, _ := os.ReadFile(filepath.Join(dir, LogName))
	f, err := os.Open(filepath.Join(dir, CheckpointName))
	if err != nil {
		t.Fatal(err)
	}
	meta, _, err := checkpoint.Read(f)
	f.Close()
	var info RunInfo
	if err != nil || json.Unmarshal(meta.App, &info) != nil || meta.Tick != 10000 {
		t.Fatalf("checkpoint: %v, tick %d", err, meta.Tick)
	}
	// The kill: the run end mark and the end block never reached the file.
	if err := os.Truncate(filepath.Join(dir, LogName), info.LogOffset); err != nil {
		t.Fatal(err)
	}
	res, err := Resume(context.Background(), dir, ResumeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Summary
	if !s.Completed || s.SimulatedS != 1 || s.SimulatedThisRunS != 0 || s.SimSPerWallS != 0 || s.WallSPerSimS != 0 || s.EventsPerWallS != 0 {
		t.Errorf("summary after resuming at the end: %+v", s)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, LogName)); !bytes.Equal(got, full) {
		t.Errorf("the closed log differs from the straight run's (%d and %d bytes)", len(got), len(full))
	}
}

// TestResumeOldCheckpoint: a checkpoint written before checkpoints named
// the log's program and hash (their run data lacks both) still resumes,
// to the log of a straight run.
func TestResumeOldCheckpoint(t *testing.T) {
	root := t.TempDir()
	a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
	runTo(t, decode(t, small), a, 2500, 0)
	runTo(t, decode(t, small), b, 2500, 5000)
	f, err := os.Open(filepath.Join(b, CheckpointName))
	if err != nil {
		t.Fatal(err)
	}
	meta, _, err := checkpoint.Read(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	var old map[string]any
	if err := json.Unmarshal(meta.App, &old); err != nil {
		t.Fatal(err)
	}
	delete(old, "log_sha256")
	delete(old, "log_program")
	app, _ := json.Marshal(old)
	cp, err := ReadCheckpoint(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := cp.Engine.WriteCheckpoint(filepath.Join(b, CheckpointName), app); err != nil {
		t.Fatal(err)
	}
	if _, err := Resume(context.Background(), b, ResumeOptions{}); err != nil {
		t.Fatal(err)
	}
	x, _ := os.ReadFile(filepath.Join(a, LogName))
	y, _ := os.ReadFile(filepath.Join(b, LogName))
	if len(x) == 0 || !bytes.Equal(x, y) {
		t.Errorf("resumed from an old-style checkpoint: the log differs from a straight run's (%d and %d bytes)", len(y), len(x))
	}
}

// TestSizeWorkers checks the cap that Workers = 0 puts on the number of
// workers: one per workSize of synapses plus 64 per neuron, at least one.
func TestSizeWorkers(t *testing.T) {
	net := func(neurons, synapses int) *netlist.Network {
		return &netlist.Network{
			Populations: []*netlist.Population{{Name: "P", Size: neurons}},
			Projections: []*netlist.Projection{{Target: make([]int32, synapses)}},
		}
	}
	for _, tc := range []struct {
		name              string
		neurons, synapses int
		want              int
	}{
		{"empty", 0, 0, 1},
		{"stc_capture size", 201, 200, 1},
		{"quickstart size", 1500, 73_734, 1},
		{"just one worker's size", 0, workSize - 1, 1},
		{"two workers' size", 0, 2 * workSize, 2},
		{"B1 size", 4000, 319_479, 2},
		{"neurons only", 10 * workSize / 64, 0, 10},
		{"B3 size", 27_500, 33_741_099, 177},
	} {
		if got := sizeWorkers(net(tc.neurons, tc.synapses)); got != tc.want {
			t.Errorf("%s (%d neurons, %d synapses): %d workers, want %d", tc.name, tc.neurons, tc.synapses, got, tc.want)
		}
	}
}
