package runner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/scenario"
	"github.com/snnsim/snnsim/spikelog"
)

// branchy is a small network of the Luboeinski & Tetzlaff (2021) kind: 40
// E and 10 I neurons with OU background, calcium-based plasticity on E→E,
// a learning pulse at 0.3 s, a current step on I over 0.5–1.5 s (on at
// the checkpoint) and a recall pulse at 1.2 s; checkpoints at 0.8 s.
const branchy = `[simulation]
name       = "branchy"
duration   = "2 s"
resolution = "0.2 ms"
seed       = 5

[[population]]
name   = "E"
size   = 40
model  = "lif_exp_current"
params = { tau_m = "10 ms", c_m = "1 nF", v_rest = "-65 mV", v_threshold = "-55 mV",
           v_reset = "-70 mV", t_ref = "2 ms", tau_exc = "5 ms", tau_inh = "5 ms" }

[[population]]
name   = "I"
size   = 10
model  = "lif_exp_current"
params = { tau_m = "10 ms", c_m = "1 nF", v_rest = "-65 mV", v_threshold = "-55 mV",
           v_reset = "-70 mV", t_ref = "2 ms", tau_exc = "5 ms", tau_inh = "5 ms" }

[[projection]]
name          = "E_to_E"
from          = "E"
to            = "E"
receptor      = "exc"
connect       = { rule = "fixed_probability", p = 0.2 }
weight        = "4.2007454 mV"
delay         = "3 ms"
consolidation = { model = "luboeinski_tetzlaff_2021" }

[[projection]]
name     = "E_to_I"
from     = "E"
to       = "I"
receptor = "exc"
connect  = { rule = "fixed_probability", p = 0.2 }
weight   = "8.4 mV"
delay    = "3 ms"

[[projection]]
name     = "I_to_E"
from     = "I"
to       = "E"
receptor = "inh"
connect  = { rule = "fixed_probability", p = 0.2 }
weight   = "16.8 mV"
delay    = "3 ms"

[[stimulus]]
kind       = "ou_current"
population = "E"
mean       = "0.15 nA"
sigma      = "0.5 nA"
tau        = "5 ms"
init       = "0 pA"

[[stimulus]]
kind       = "ou_current"
population = "I"
mean       = "0.15 nA"
sigma      = "0.5 nA"
tau        = "5 ms"
init       = "0 pA"

[[stimulus]]
kind       = "ou_current"
population = "E"
neurons    = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
mean       = "1050 nA"
sigma      = "210 nA"
tau        = "5 ms"
start      = "0.3 s"
stop       = "0.4 s"

[[stimulus]]
kind       = "current_step"
population = "I"
amplitude  = "0.1 nA"
start      = "0.5 s"
stop       = "1.5 s"

[[stimulus]]
kind       = "ou_current"
population = "E"
neurons    = [0, 1, 2, 3, 4]
mean       = "1050 nA"
sigma      = "210 nA"
tau        = "5 ms"
start      = "1.2 s"
stop       = "1.3 s"

[[record]]
what = "spikes"

[[record]]
what       = "pathway"
projection = "E_to_E"
variables  = ["h", "z"]
interval   = "100 ms"
final      = true

[[record]]
what        = "rate"
populations = ["E"]
sample      = "50 ms"
`

// branchAt is the checkpoint tick of the branch tests (0.8 s).
const branchAt = 4000

func decodeAs(t *testing.T, file, text string, sets ...string) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.DecodeOverrides(file, []byte(text), sets)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// spikesOf reads every spike of the log in dir.
func spikesOf(t *testing.T, dir string) []spikelog.Spike {
	t.Helper()
	r, err := spikelog.Open(filepath.Join(dir, LogName))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	out := slices.Collect(r.Spikes(spikelog.Filter{}))
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// samplesOf reads every sample of the log in dir, by series name.
func samplesOf(t *testing.T, dir string) map[string][]spikelog.Sample {
	t.Helper()
	r, err := spikelog.Open(filepath.Join(dir, LogName))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	out := map[string][]spikelog.Sample{}
	for s := range r.Samples(spikelog.SampleFilter{}) {
		name := r.Series()[s.Series].Name
		s.Series, s.Values = 0, slices.Clone(s.Values)
		out[name] = append(out[name], s)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// sameRun compares two run directories: spikes, samples and the final
// state (the checkpoints written at the end, by a checkpoint interval that
// divides the duration).
func sameRun(t *testing.T, what, a, b string) {
	t.Helper()
	sa, sb := spikesOf(t, a), spikesOf(t, b)
	if len(sa) == 0 || !slices.Equal(sa, sb) {
		t.Errorf("%s: %d and %d spikes, or they differ", what, len(sa), len(sb))
	}
	ma, mb := samplesOf(t, a), samplesOf(t, b)
	if len(ma) == 0 || len(ma) != len(mb) {
		t.Errorf("%s: %d and %d series", what, len(ma), len(mb))
	}
	for name, x := range ma {
		y := mb[name]
		if len(x) != len(y) {
			t.Errorf("%s: series %s: %d and %d samples", what, name, len(x), len(y))
			continue
		}
		for i := range x {
			if x[i].T != y[i].T || !slices.Equal(x[i].Values, y[i].Values) {
				t.Errorf("%s: series %s, sample %d: %v and %v", what, name, i, x[i], y[i])
				break
			}
		}
	}
	sameState(t, what, a, b)
}

// sameState compares the final states in the checkpoints of a and b, which
// are the ends of the runs: every neuron's potential and protein, every
// weight, every synapse variable of the consolidation model, the spike
// counts. (The checkpoint bytes may differ: the plastic projection's
// weight array is the model's cache of its transmitted weights, refreshed
// for every synapse on a restore.)
func sameState(t *testing.T, what, a, b string) {
	t.Helper()
	ca, err := ReadCheckpoint(a)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := ReadCheckpoint(b)
	if err != nil {
		t.Fatal(err)
	}
	ea, eb := ca.Engine, cb.Engine
	if ca.Tick != cb.Tick || ca.Tick != ca.Network.Duration {
		t.Fatalf("%s: final checkpoints at ticks %d and %d, the runs end at %d", what, ca.Tick, cb.Tick, ca.Network.Duration)
	}
	if x, y := ea.Stats(), eb.Stats(); !slices.Equal(x.Spikes, y.Spikes) || x.SynapticEvents != y.SynapticEvents {
		t.Errorf("%s: spike counts %v and %v, synaptic events %d and %d", what, x.Spikes, y.Spikes, x.SynapticEvents, y.SynapticEvents)
	}
	for p, pop := range ca.Network.Populations {
		for i := range pop.Size {
			va, _ := ea.V(p, i)
			vb, _ := eb.V(p, i)
			pa, errA := ea.NeuronState(p, i, "p")
			pb, _ := eb.NeuronState(p, i, "p")
			if va != vb || (errA == nil && pa != pb) {
				t.Errorf("%s: neuron %d of %s: v %v and %v, p %v and %v", what, i, pop.Name, va, vb, pa, pb)
				return
			}
		}
	}
	checked := 0
	for k := range ca.Network.Projections {
		wa, _ := ea.Weights(k)
		wb, _ := eb.Weights(k)
		if !slices.Equal(wa, wb) {
			t.Errorf("%s: the weights of projection %d differ", what, k)
		}
		for _, name := range ea.SynapseVars(k) {
			for syn := range len(wa) {
				x, _ := ea.SynapseState(k, snnsim.SynapseID(syn), name)
				y, _ := eb.SynapseState(k, snnsim.SynapseID(syn), name)
				if x != y {
					t.Errorf("%s: projection %d, synapse %d: %s = %v and %v", what, k, syn, name, x, y)
					return
				}
				checked++
			}
		}
	}
	if checked == 0 {
		t.Errorf("%s: no synapse variable compared", what)
	}
}

// TestBranchSameScenario: learning to 0.8 s, a checkpoint, and a branch
// with the same scenario give the uninterrupted run bit for bit: spikes,
// samples (the rate bin and the pathway samples around the checkpoint
// included) and the final state. The branch's header names its parent.
func TestBranchSameScenario(t *testing.T) {
	root := t.TempDir()
	one, learn, branch := filepath.Join(root, "one"), filepath.Join(root, "learn"), filepath.Join(root, "branch")
	runTo(t, decodeAs(t, "branchy.toml", branchy), one, 1000, 0)
	if res := runTo(t, decodeAs(t, "branchy.toml", branchy), learn, 1000, branchAt); res.Status != Stopped {
		t.Fatalf("learning run: %v", res.Status)
	}
	res, err := Branch(context.Background(), decodeAs(t, "branchy.toml", branchy), learn, Options{Dir: branch, CheckpointEvery: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != Completed {
		t.Fatalf("branch: %v", res.Status)
	}
	sameRun(t, "branch of the same scenario vs one run", one, branch)
	r, err := spikelog.Open(filepath.Join(branch, LogName))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p := r.Header().Parent
	ck, _ := os.ReadFile(filepath.Join(learn, CheckpointName))
	if p == nil || p.Tick != branchAt || p.Checkpoint != filepath.Join(learn, CheckpointName) || p.SHA256 != sha256hex(ck) {
		t.Errorf("parent in the header: %+v", p)
	}
	// The branch is a normal run: a second branch of it, stopped and
	// resumed, ends alike.
	b2 := filepath.Join(root, "b2")
	if res, err := Branch(context.Background(), decodeAs(t, "branchy.toml", branchy), learn, Options{Dir: b2, CheckpointEvery: 1000, StopAt: 7000}); err != nil || res.Status != Stopped {
		t.Fatalf("stopped branch: %v, %v", res, err)
	}
	if _, err := Resume(context.Background(), b2, ResumeOptions{}); err != nil {
		t.Fatal(err)
	}
	sameRun(t, "resumed branch vs one run", one, b2)
}

// TestBranchOtherFuture: a branch whose recall cue differs (another time,
// other neurons, another size), with a stimulus added after the
// checkpoint, is bit for bit a run of that changed scenario from 0.
func TestBranchOtherFuture(t *testing.T) {
	root := t.TempDir()
	learn, orig := filepath.Join(root, "learn"), filepath.Join(root, "orig")
	runTo(t, decodeAs(t, "branchy.toml", branchy), learn, 1000, branchAt)
	runTo(t, decodeAs(t, "branchy.toml", branchy), orig, 1000, 0)
	origSpikes := spikesOf(t, orig)
	extra := `
[[stimulus]]
kind       = "ou_current"
population = "I"
neurons    = [2, 3]
mean       = "2 nA"
sigma      = "1 nA"
tau        = "5 ms"
start      = "0.9 s"
stop       = "1.0 s"
`
	for _, tc := range []struct {
		name string
		text string
		sets []string
	}{
		{"cue moved and changed", branchy, []string{"stimulus.4.start=1 s", "stimulus.4.stop=1.1 s", "stimulus.4.neurons=[7, 3, 30]"}},
		{"cue at the checkpoint", branchy, []string{"stimulus.4.start=0.8 s", "stimulus.4.neurons=[1, 2]"}},
		{"stimulus added", branchy + extra, nil},
		{"cue removed", withoutStimulus(4), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			one, branch := filepath.Join(root, tc.name, "one"), filepath.Join(root, tc.name, "branch")
			runTo(t, decodeAs(t, "branchy.toml", tc.text, tc.sets...), one, 1000, 0)
			if _, err := Branch(context.Background(), decodeAs(t, "branchy.toml", tc.text, tc.sets...), learn, Options{Dir: branch, CheckpointEvery: 1000}); err != nil {
				t.Fatal(err)
			}
			sameRun(t, tc.name, one, branch)
			if slices.Equal(spikesOf(t, branch), origSpikes) {
				t.Error("the branch has the spikes of the original scenario: the changed future made no difference")
			}
		})
	}
}

func sha256hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestBranchRefusals: a scenario that changes the network or a stimulus
// that started before the checkpoint (0.8 s) is refused, naming the file,
// line and key of the difference and the checkpoint's value, and nothing
// is written.
func TestBranchRefusals(t *testing.T) {
	root := t.TempDir()
	learn := filepath.Join(root, "learn")
	runTo(t, decodeAs(t, "branchy.toml", branchy), learn, 1000, branchAt)
	lineOf := func(needle string, nth int) string { // the 1-based line of the nth occurrence of needle
		off := 0
		for range nth {
			off += strings.Index(branchy[off:], needle) + 1
		}
		return strconv.Itoa(strings.Count(branchy[:off], "\n") + 1)
	}
	for _, tc := range []struct {
		name string
		text string
		sets []string
		want []string // in the error
	}{
		{"population size", branchy, []string{"population.E.size=41"}, []string{"branchy.toml: --set population.E.size: population[0].size: is 41 here, 40 in the checkpoint's scenario"}},
		{"neuron parameter", strings.Replace(branchy, `tau_m = "10 ms"`, `tau_m = "11 ms"`, 1), nil,
			[]string{"branchy.toml:" + lineOf("params =", 1) + ": population[0].params.tau_m: is 11 ms here, 10 ms in the checkpoint's scenario"}},
		{"same parameter in other units", strings.Replace(branchy, `tau_m = "10 ms"`, `tau_m = "0.01 s"`, 1), nil, nil},
		{"connection probability", branchy, []string{"projection.E_to_I.connect.p=0.3"}, []string{"projection[1].connect.p: is 0.3 here, 0.2"}},
		{"weight", strings.Replace(branchy, `"16.8 mV"`, `"16.9 mV"`, 1), nil, []string{"branchy.toml:" + lineOf(`"16.8 mV"`, 1) + ": projection[2].weight"}},
		{"consolidation parameter", branchy, []string{`projection.E_to_E.consolidation={ model = "luboeinski_tetzlaff_2021", theta_p = 3.1 }`}, []string{"projection[0].consolidation", "theta_p"}},
		{"seed", branchy, []string{"simulation.seed=6"}, []string{"simulation.seed: 6 here (the file's or --seed), 5 in the checkpoint's scenario"}},
		{"resolution", branchy, []string{"simulation.resolution=0.1 ms"}, []string{"simulation.resolution: 0.1 ms here, 0.2 ms"}},
		{"past pulse's neurons", branchy, []string{"stimulus.2.neurons=[0, 1, 2]"}, []string{"stimulus[2].neurons: is [0 1 2] here, a list of 10", "starts at 300 ms, before the checkpoint (t = 800 ms)"}},
		{"background mean (on at the checkpoint)", branchy, []string{"stimulus.0.mean=0.2 nA"}, []string{"stimulus[0].mean: is 200 pA here, 150 pA in the checkpoint's scenario"}},
		{"step on at the checkpoint, end moved", branchy, []string{"stimulus.3.stop=1.4 s"}, []string{"stimulus[3].stop: is 1400 ms here, 1500 ms", "starts at 500 ms"}},
		{"future pulse moved into the past", branchy, []string{"stimulus.4.start=0.7 s"}, []string{"stimulus[4].start: is 700 ms here, 1200 ms", "starts at 700 ms, before the checkpoint"}},
		{"past pulse removed", withoutStimulus(2), nil, []string{"stimulus[2].kind: is current_step here, ou_current"}},
		{"stimulus added in the past", branchy + "\n[[stimulus]]\nkind = \"current_step\"\npopulation = \"E\"\namplitude = \"1 pA\"\nstart = \"0.1 s\"\n", nil,
			[]string{"stimulus[5].start: 100 ms, before the checkpoint (t = 800 ms), in a stimulus that the checkpoint's scenario does not have"}},
		{"duration before the checkpoint", branchy, []string{"simulation.duration=0.5 s"}, []string{"duration, 0.5 s, does not reach past the checkpoint's time, 0.8 s"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(root, "b", strings.ReplaceAll(tc.name, " ", "_"))
			_, err := Branch(context.Background(), decodeAs(t, "branchy.toml", tc.text, tc.sets...), learn, Options{Dir: dir})
			if tc.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrBranch) {
				t.Fatalf("error %v, want ErrBranch", err)
			}
			for _, w := range append(tc.want, filepath.Join(learn, CheckpointName)) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the refused branch created %s", dir)
			}
		})
	}
}

// withoutStimulus is branchy without its stimulus k.
func withoutStimulus(k int) string {
	off := 0
	for range k + 1 {
		off += strings.Index(branchy[off:], "[[stimulus]]") + 1
	}
	i := off - 1
	j := i + 1 + strings.Index(branchy[i+1:], "[[")
	return branchy[:i] + branchy[j:]
}

// TestBranchOtherRecords: a branch may record more: the new series starts
// at the checkpoint, with the samples of one run from there on, and the
// series recorded alike keep their history.
func TestBranchOtherRecords(t *testing.T) {
	root := t.TempDir()
	learn, one, branch := filepath.Join(root, "learn"), filepath.Join(root, "one"), filepath.Join(root, "branch")
	runTo(t, decodeAs(t, "branchy.toml", branchy), learn, 1000, branchAt)
	more := branchy + "\n[[record]]\nwhat = \"v\"\ngroup = \"probe\"\nsample = \"10 ms\"\n\n[[group]]\nname = \"probe\"\npopulation = \"E\"\nneurons = \"0..2\"\n"
	runTo(t, decodeAs(t, "branchy.toml", more), one, 1000, 0)
	if _, err := Branch(context.Background(), decodeAs(t, "branchy.toml", more), learn, Options{Dir: branch, CheckpointEvery: 1000}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(spikesOf(t, one), spikesOf(t, branch)) {
		t.Error("spikes differ")
	}
	a, b := samplesOf(t, one), samplesOf(t, branch)
	for name, x := range a {
		y := b[name]
		if name == "v/E" {
			k := slices.IndexFunc(x, func(s spikelog.Sample) bool { return s.T >= branchAt })
			x = x[k:]
		}
		if len(x) == 0 || len(x) != len(y) {
			t.Errorf("series %s: %d samples in one run (from the checkpoint, for the new one), %d in the branch", name, len(x), len(y))
			continue
		}
		for i := range x {
			if x[i].T != y[i].T || !slices.Equal(x[i].Values, y[i].Values) {
				t.Errorf("series %s, sample %d: %v and %v", name, i, x[i], y[i])
				break
			}
		}
	}
	if len(b) != len(a) {
		t.Errorf("%d series in the branch, %d in one run", len(b), len(a))
	}
	sameState(t, "more records", one, branch)
}

// named is branchy with names on its stimuli and a future stimulus,
// "probe", between the current step and the recall pulse.
func named() string {
	text := branchy
	for _, n := range []string{"bgE", "bgI", "learn", "step", "recall"} {
		text = strings.Replace(text, "[[stimulus]]\nkind", "[[stimulus]]\nname = \""+n+"\"\nkind", 1)
	}
	probe := "[[stimulus]]\nname = \"probe\"\nkind = \"current_step\"\npopulation = \"E\"\namplitude = \"0.2 nA\"\nstart = \"1 s\"\nstop = \"1.1 s\"\n\n"
	i := strings.Index(text, "[[stimulus]]\nname = \"recall\"")
	return text[:i] + probe + text[i:]
}

// TestBranchNamedStimuli: named stimuli are matched by name, so a future
// one may be removed from before others; the branch is one run of the
// changed scenario. A past stimulus renamed is one removed and one added.
func TestBranchNamedStimuli(t *testing.T) {
	root := t.TempDir()
	learn := filepath.Join(root, "learn")
	runTo(t, decodeAs(t, "named.toml", named()), learn, 1000, branchAt)
	i := strings.Index(named(), "[[stimulus]]\nname = \"probe\"")
	j := strings.Index(named(), "[[stimulus]]\nname = \"recall\"")
	without := named()[:i] + named()[j:]
	for _, tc := range []struct {
		name string
		text string
		sets []string
	}{
		{"probe removed", without, nil},
		{"recall moved by name", without, []string{"stimulus.recall.start=1.4 s", "stimulus.recall.stop=1.45 s"}},
	} {
		one, branch := filepath.Join(root, tc.name, "one"), filepath.Join(root, tc.name, "branch")
		runTo(t, decodeAs(t, "named.toml", tc.text, tc.sets...), one, 1000, 0)
		if _, err := Branch(context.Background(), decodeAs(t, "named.toml", tc.text, tc.sets...), learn, Options{Dir: branch, CheckpointEvery: 1000}); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		sameRun(t, tc.name, one, branch)
	}
	renamed := strings.Replace(named(), `name = "learn"`, `name = "learning"`, 1)
	_, err := Branch(context.Background(), decodeAs(t, "named.toml", renamed), learn, Options{Dir: filepath.Join(root, "refused")})
	for _, w := range []string{`stimulus[2].start: 300 ms, before the checkpoint (t = 800 ms), in a stimulus that the checkpoint's scenario does not have ("learning")`,
		`: stimulus: missing: the checkpoint's scenario has a stimulus ("learn") that started at 300 ms`} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("renamed past stimulus: %v\nwant %q", err, w)
		}
	}
}
