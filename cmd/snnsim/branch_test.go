package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/snnsim/snnsim/spikelog"
)

// branchScenario has 20 LIF neurons with OU background, a group "cue" and
// a pulse on it at 1.2 s, and a current step on at 0.8 s, the checkpoint
// time of TestRunFrom (line numbers matter for the refusals).
const branchScenario = `[simulation]
duration   = "1.5 s"
resolution = "0.1 ms"
seed       = 4

[[population]]
name   = "E"
size   = 20
model  = "lif_exp_current"
params = { tau_m = "10 ms", c_m = "1 nF", v_rest = "-65 mV", v_threshold = "-55 mV", v_reset = "-70 mV", t_ref = "2 ms" }

[[group]]
name       = "cue"
population = "E"
neurons    = "0..4"

[[stimulus]]
kind       = "ou_current"
population = "E"
mean       = "0.4 nA"
sigma      = "0.5 nA"
tau        = "5 ms"

[[stimulus]]
kind       = "current_step"
population = "E"
amplitude  = "0.3 nA"
start      = "0.5 s"
stop       = "1 s"

[[stimulus]]
kind       = "ou_current"
group      = "cue"
mean       = "3 nA"
sigma      = "1 nA"
tau        = "5 ms"
start      = "1.2 s"
stop       = "1.3 s"

[[record]]
what = "spikes"
`

func logSpikes(t *testing.T, dir string) ([]spikelog.Spike, spikelog.Header) {
	t.Helper()
	r, err := spikelog.Open(filepath.Join(dir, LogName))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	sp := slices.Collect(r.Spikes(spikelog.Filter{}))
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return sp, r.Header()
}

// TestRunFrom: snnsim run --from a stopped run's directory gives the
// spikes of one uninterrupted run of the scenario it is given (the same,
// or one whose cue changed after the checkpoint), names its parent in the
// header, and refuses a scenario that changes the past with the file,
// line and key, exit code 1 and no run directory.
func TestRunFrom(t *testing.T) {
	tmp := t.TempDir()
	scen := filepath.Join(tmp, "b.toml")
	if err := os.WriteFile(scen, []byte(branchScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	learn := filepath.Join(tmp, "learn")
	var out, errb bytes.Buffer
	if code := run([]string{"run", scen, "--out", learn, "--stop-at", "0.8 s", "--progress", "none"}, &out, &errb); code != 3 {
		t.Fatalf("stopped run: exit %d\n%s", code, errb.String())
	}
	for _, sets := range [][]string{nil, {"--set", "group.cue.neurons=10..19", "--set", "stimulus.2.start=0.9 s"}} {
		one, branch := filepath.Join(tmp, "one"+strings.Join(sets, "")), filepath.Join(tmp, "branch"+strings.Join(sets, ""))
		runCmd(t, append([]string{"run", scen, "--out", one, "--progress", "none"}, sets...)...)
		_, stderr := runCmd(t, append([]string{"run", scen, "--from", learn, "--out", branch, "--progress", "none"}, sets...)...)
		if !strings.Contains(stderr, "from "+learn) {
			t.Errorf("%v: the start message does not name the checkpoint: %s", sets, stderr)
		}
		a, _ := logSpikes(t, one)
		b, h := logSpikes(t, branch)
		if len(a) == 0 || !slices.Equal(a, b) {
			t.Errorf("%v: one run %d spikes, branch %d: they differ", sets, len(a), len(b))
		}
		if h.Parent == nil || h.Parent.Tick != 8000 || !strings.HasSuffix(h.Parent.Checkpoint, filepath.Join("learn", CheckpointName)) || len(h.Parent.SHA256) != 64 {
			t.Errorf("%v: parent in the header: %+v", sets, h.Parent)
		}
		if g, ok := h.Group("cue"); !ok || len(g.Neurons) != 5+5*min(len(sets), 1) {
			t.Errorf("%v: group cue in the header: %+v", sets, h.Groups)
		}
		if sets == nil {
			stdout, _ := runCmd(t, "inspect", branch)
			if !strings.Contains(stdout, "branched     from ") || !strings.Contains(stdout, "cue          E                 5 neurons  0..4") {
				t.Errorf("inspect:\n%s", stdout)
			}
		}
	}
	for _, tc := range []struct {
		sets []string
		code int
		want string
	}{
		{[]string{"--set", "stimulus.1.amplitude=0.2 nA"}, 1, "b.toml: --set stimulus.1.amplitude: stimulus[1].amplitude: is 200 pA here, 300 pA in the checkpoint's scenario"},
		{[]string{"--set", "group.cue.neurons=0..5", "--set", "stimulus.2.start=0.7 s"}, 1, "stimulus[2].group: group \"cue\" is [0 1 2 3 4 5] here"},
		{[]string{"--seed", "5"}, 1, "b.toml:4: simulation.seed: 5 here (the file's or --seed), 4 in the checkpoint's scenario"},
		{[]string{"--from", ""}, 2, "--from \"\": give a checkpoint file or a run directory"},
		{[]string{"--from", filepath.Join(tmp, "nothing")}, 1, "branch from " + filepath.Join(tmp, "nothing") + ": open "},
	} {
		dir := filepath.Join(tmp, "refused")
		out.Reset()
		errb.Reset()
		args := append([]string{"run", scen, "--from", learn, "--out", dir, "--progress", "none"}, tc.sets...)
		if code := run(args, &out, &errb); code != tc.code || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%v: exit %d, %q; want exit %d and %q", tc.sets, code, errb.String(), tc.code, tc.want)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("%v: the refused branch made %s", tc.sets, dir)
		}
	}
}
