package engine

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
	"github.com/snnsim/snnsim/consolidation"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/scenario"
)

// phaseScenario is a small network of Luboeinski & Tetzlaff (2021) type:
// 200 excitatory and 50 inhibitory neurons with OU background, the
// luboeinski_tetzlaff_2021 model on E→E, a Poisson source, a learning
// pulse on 20 neurons at 1 s, a fast-forward phase from the tick after it
// (spikes in flight, neurons refractory) to 0.4 ms before a recall pulse
// at 300 s.
const phaseScenario = `
[simulation]
duration   = "301 s"
resolution = "0.2 ms"
seed       = 4

[[population]]
name = "E"
size = 200
model = "lif_exp_current"
params = { tau_m = "10 ms", c_m = "1 nF", v_rest = "-65 mV", v_threshold = "-55 mV", v_reset = "-70 mV", t_ref = "2 ms", tau_exc = "5 ms", tau_inh = "5 ms" }

[[population]]
name = "I"
size = 50
model = "lif_exp_current"
params = { tau_m = "10 ms", c_m = "1 nF", v_rest = "-65 mV", v_threshold = "-55 mV", v_reset = "-70 mV", t_ref = "2 ms", tau_exc = "5 ms", tau_inh = "5 ms" }

[[population]]
name = "P"
size = 20
model = "poisson"
params = { rate = "5 Hz" }

[[projection]]
from = "E"
to = "E"
receptor = "exc"
connect = { rule = "fixed_probability", p = 0.2 }
weight = "4.2 mV"
delay = "3 ms"
consolidation = { model = "luboeinski_tetzlaff_2021" }

[[projection]]
from = "E"
to = "I"
receptor = "exc"
connect = { rule = "fixed_probability", p = 0.2 }
weight = "8.4 mV"
delay = "3 ms"

[[projection]]
from = "I"
to = "E"
receptor = "inh"
connect = { rule = "fixed_probability", p = 0.2 }
weight = "16.8 mV"
delay = "3 ms"

[[projection]]
from = "P"
to = "I"
receptor = "exc"
connect = { rule = "all_to_all" }
weight = "2 mV"
delay = "1 ms"

[[stimulus]]
kind = "ou_current"
population = "E"
mean = "0.15 nA"
sigma = "0.5 nA"
tau = "5 ms"
init = "0 pA"

[[stimulus]]
kind = "ou_current"
population = "I"
mean = "0.15 nA"
sigma = "0.5 nA"
tau = "5 ms"
init = "0 pA"

[[stimulus]]
kind = "ou_current"
population = "E"
neurons = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]
mean = "1050 nA"
sigma = "210 nA"
tau = "5 ms"
start = "1 s"
stop = "1.1 s"

[[stimulus]]
kind = "ou_current"
population = "E"
neurons = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
mean = "1050 nA"
sigma = "210 nA"
tau = "5 ms"
start = "300 s"
stop = "300.1 s"

[[phase]]
name = "consolidation"
start = "1.1002 s"
stop = "299.9996 s"
mode = "fast_forward"

[[record]]
what = "spikes"

[[record]]
what = "pathway"
projection = "E_to_E"
variables = ["h", "z"]
interval = "10 s"
final = true

[[record]]
what = "neuron_state"
population = "E"
neurons = [0, 100]
variables = ["protein"]
interval = "25 s"

[[record]]
what = "v"
populations = ["E"]
neurons = [0, 150]
sample = "500 ms"

[[record]]
what = "rate"
populations = ["E"]
sample = "20 s"
`

// phaseNet compiles phaseScenario with overrides.
func phaseNet(t *testing.T, sets ...string) *netlist.Network {
	t.Helper()
	s, err := scenario.DecodeOverrides("phase.toml", []byte(phaseScenario), sets)
	if err != nil {
		t.Fatal(err)
	}
	net, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	return net
}

// phaseRun is what a run of phaseNet produced: spikes and samples.
type phaseRun struct {
	spikes  recorder
	samples []string // "series tick values", in order
	marks   []string
}

// attach sets up the records of net on e into r.
func (r *phaseRun) attach(t *testing.T, e *Engine) {
	t.Helper()
	err := e.AttachRecords(e.net.Records, &r.spikes, func(s Series) (SampleFunc, error) {
		return func(tk snnsim.Time, v []float64) error {
			r.samples = append(r.samples, fmt.Sprintf("%s %d %v", s.Name, tk, v))
			return nil
		}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	e.OnMark(func(tk snnsim.Time, text string) error {
		r.marks = append(r.marks, fmt.Sprintf("%d %s", tk, text))
		return nil
	})
}

// runTo runs e up to tick end.
func runTo(t *testing.T, e *Engine, end snnsim.Time) {
	t.Helper()
	if err := e.Run(context.Background(), end-e.Now()); err != nil {
		t.Fatal(err)
	}
}

// state returns e's checkpoint body.
func state(t *testing.T, e *Engine) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := e.Checkpoint(&b, nil); err != nil {
		t.Fatal(err)
	}
	_, body, err := checkpoint.Read(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// TestPhaseSplitResume runs phaseScenario in one Run, in pieces that end
// at and around the phase's edges and inside it, and resumed from
// checkpoints written before, at the start of, inside, at the end of and
// after the phase: spikes, samples, marks and the final state must be the
// same, bit for bit.
func TestPhaseSplitResume(t *testing.T) {
	net := phaseNet(t)
	p0, p1 := net.Phases[0].Start, net.Phases[0].Stop
	one, err := New(net, Config{})
	if err != nil {
		t.Fatal(err)
	}
	var ro phaseRun
	ro.attach(t, one)
	runTo(t, one, net.Duration)
	final := state(t, one)
	if len(ro.spikes.t) < 1000 {
		t.Fatalf("%d spikes: the network is too quiet to test much", len(ro.spikes.t))
	}

	cuts := []snnsim.Time{p0 - 1, p0, p0 + 1, p0 + 7, (p0 + p1) / 2, p1 - 2, p1 - 1, p1, p1 + 1, p1 + 3}
	t.Run("pieces", func(t *testing.T) {
		e, err := New(net, Config{})
		if err != nil {
			t.Fatal(err)
		}
		var r phaseRun
		r.attach(t, e)
		for _, c := range append(slices.Clone(cuts), net.Duration) {
			runTo(t, e, c)
		}
		samePhaseRun(t, &ro, &r, final, state(t, e))
	})
	for _, at := range cuts {
		t.Run(fmt.Sprintf("resume_at_%d", at), func(t *testing.T) {
			a, err := New(net, Config{})
			if err != nil {
				t.Fatal(err)
			}
			var r phaseRun
			r.attach(t, a)
			runTo(t, a, at)
			var ck bytes.Buffer
			if err := a.Checkpoint(&ck, nil); err != nil {
				t.Fatal(err)
			}
			meta, body, err := checkpoint.Read(bytes.NewReader(ck.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			b, err := New(net, Config{})
			if err != nil {
				t.Fatal(err)
			}
			r.attach(t, b)
			if err := b.Restore(meta, body); err != nil {
				t.Fatal(err)
			}
			runTo(t, b, net.Duration)
			samePhaseRun(t, &ro, &r, final, state(t, b))
		})
	}
}

func samePhaseRun(t *testing.T, want, got *phaseRun, wantState, gotState []byte) {
	t.Helper()
	if !slices.Equal(want.spikes.t, got.spikes.t) || !slices.Equal(want.spikes.ids, got.spikes.ids) {
		t.Errorf("spikes differ: %d in one run, %d here", len(want.spikes.t), len(got.spikes.t))
	}
	if !slices.Equal(want.samples, got.samples) {
		t.Errorf("samples differ: %d in one run, %d here", len(want.samples), len(got.samples))
		for k := range min(len(want.samples), len(got.samples)) {
			if want.samples[k] != got.samples[k] {
				t.Errorf("first difference: %q, here %q", want.samples[k], got.samples[k])
				break
			}
		}
	}
	if !slices.Equal(want.marks, got.marks) {
		t.Errorf("marks %q, here %q", want.marks, got.marks)
	}
	if !bytes.Equal(wantState, gotState) {
		t.Errorf("final states differ")
	}
}

// TestPhaseFreezes checks what a phase without spiking does: the spikes in
// flight at its start are dropped, no spike and no delivery in it, spikes
// before it as in the same run with spiking on, every neuron
// resumes from the state it had before the phase (potentials read at the
// phase's last tick equal those at the tick before it), samples inside the
// phase at their ticks with the consolidation state moving (h relaxing
// towards h0, z rising) and v samples reading the frozen potentials, and
// the recall after it makes spikes.
func TestPhaseFreezes(t *testing.T) {
	net := phaseNet(t)
	p0, p1 := net.Phases[0].Start, net.Phases[0].Stop
	ff, err := New(net, Config{})
	if err != nil {
		t.Fatal(err)
	}
	var rf phaseRun
	rf.attach(t, ff)
	runTo(t, ff, p0)
	before := make([]float64, 0, 250)
	for p := range 2 {
		for i := range net.Populations[p].Size {
			v, _ := ff.V(p, i)
			before = append(before, v)
		}
	}
	inFlight := ff.queue.pending
	runTo(t, ff, p0+1)
	events := ff.Stats().SynapticEvents
	if inFlight == 0 || ff.queue.pending != 0 {
		t.Errorf("%d deliveries in flight before the phase, %d after its start: they must be dropped", inFlight, ff.queue.pending)
	}
	runTo(t, ff, p1)
	if n := ff.Stats().SynapticEvents; n != events {
		t.Errorf("%d synaptic events inside the phase", n-events)
	}
	k := 0
	for p := range 2 {
		for i := range net.Populations[p].Size {
			if v, _ := ff.V(p, i); math.Float64bits(v) != math.Float64bits(before[k]) {
				t.Errorf("population %d, neuron %d: V = %v after the phase, %v before it", p, i, v, before[k])
			}
			k++
		}
	}
	runTo(t, ff, net.Duration)

	on, err := New(phaseNet(t, "phase.consolidation.mode=spiking"), Config{})
	if err != nil {
		t.Fatal(err)
	}
	var ro phaseRun
	ro.attach(t, on)
	runTo(t, on, p0+5000)

	var nBefore, nAfter int
	for k, tk := range rf.spikes.t {
		switch {
		case tk < p0:
			nBefore++
		case tk < p1:
			t.Fatalf("spike of neuron %d at tick %d, inside the phase [%d, %d)", rf.spikes.ids[k], tk, p0, p1)
		default:
			nAfter++
		}
	}
	if nBefore < 500 || nAfter < 100 {
		t.Errorf("%d spikes before the phase, %d after it: too few to test", nBefore, nAfter)
	}
	if !slices.Equal(rf.spikes.t[:nBefore], ro.spikes.t[:nBefore]) || !slices.Equal(rf.spikes.ids[:nBefore], ro.spikes.ids[:nBefore]) {
		t.Errorf("spikes before the phase differ from the run with spiking on")
	}
	if n := len(ro.spikes.t); n <= nBefore || ro.spikes.t[nBefore] >= p0+5000 {
		t.Errorf("the run with spiking on has no spike in the first second of the phase")
	}

	// samples inside the phase
	var hMean, zMean []float64
	var vInside []string
	for _, s := range rf.samples {
		var name string
		var tk snnsim.Time
		var x float64
		fmt.Sscanf(s, "%s %d [%g", &name, &tk, &x)
		if tk < p0 || tk >= p1 {
			continue
		}
		switch name {
		case "pathway/E_to_E/h/mean":
			hMean = append(hMean, x)
		case "pathway/E_to_E/z/mean":
			zMean = append(zMean, x)
		case "v/E":
			vInside = append(vInside, s[strings.Index(s, "["):])
		}
	}
	if len(hMean) != 29 || len(zMean) != 29 {
		t.Fatalf("%d h and %d z samples inside the phase, want 29 (every 10 s from 10 s to 290 s)", len(hMean), len(zMean))
	}
	for k := 1; k < len(hMean); k++ {
		if !(hMean[k] < hMean[k-1]) || !(zMean[k] > zMean[k-1]) {
			t.Errorf("sample %d inside the phase: mean h %g → %g, mean z %g → %g: h must relax, z rise", k, hMean[k-1], hMean[k], zMean[k-1], zMean[k])
		}
	}
	if want := fmt.Sprintf("[%v %v]", before[0], before[150]); len(vInside) == 0 || vInside[0] != want || vInside[len(vInside)-1] != want {
		t.Errorf("v samples inside the phase: %d, first %v, last %v; want the frozen %s", len(vInside), vInside[:min(1, len(vInside))], vInside[max(0, len(vInside)-1):], want)
	}
	if len(rf.marks) != 2 || !strings.Contains(rf.marks[0], "phase consolidation: spiking off") || !strings.HasPrefix(rf.marks[1], fmt.Sprint(p1)+" phase consolidation ends") {
		t.Errorf("marks %q", rf.marks)
	}
}

// TestPhaseRefused checks the engine's refusals: a model without
// fast-forward, and a network built in code whose stimulus switches inside
// a phase without spiking.
func TestPhaseRefused(t *testing.T) {
	net := phaseNet(t)
	p, _ := consolidation.Lookup("tag_trigger_consolidation")
	net.Projections[0].Consolidation = p
	if _, err := New(net, Config{}); err == nil || !strings.Contains(err.Error(), `phase "consolidation" turns spiking off, but the consolidation model tag_trigger_consolidation onto "E" cannot run without spikes`) {
		t.Errorf("model without fast-forward: %v", err)
	}
	net = phaseNet(t)
	net.Stimuli[3].Start = net.Phases[0].Start + 10
	if _, err := New(net, Config{}); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("stimulus 3 switches at tick %d, inside phase 0 (consolidation)", net.Phases[0].Start+10)) {
		t.Errorf("stimulus inside: %v", err)
	}
	net = phaseNet(t)
	net.Phases[0].Stop = net.Duration + 1
	if _, err := New(net, Config{}); err == nil || !strings.Contains(err.Error(), "after the run's end") {
		t.Errorf("phase after the end: %v", err)
	}
}
