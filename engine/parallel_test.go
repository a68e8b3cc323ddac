package engine

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/scenario"
)

// parallelWorkers is how many workers TestParallelSameSpikes compares with
// one; -race runs use -parallel.workers 4.
var parallelWorkers = flag.String("parallel.workers", "2,3,7", "TestParallelSameSpikes: worker counts compared with one")

// runRecord is everything a run leaves that must not depend on the number
// of workers: the spikes tick by tick, the final weights of every
// projection and the consolidation state of every synapse, as bytes.
type runRecord struct {
	spikes, weights, state []byte
	samples                []byte // the sampled series of the scenario's records
	nSpikes                int
	stepped, skipped       int64 // Stats: ticks stepped and jumped over
	workers                int
	fallback               string
}

// recordRun runs net for d ticks on the given workers, in chunks of chunk
// ticks (0: one call).
func recordRun(t *testing.T, net *netlist.Network, workers int, d, chunk snnsim.Time) runRecord {
	t.Helper()
	e, err := New(net, Config{Workers: workers})
	if err != nil {
		t.Fatal(err)
	}
	var r runRecord
	r.workers, r.fallback = e.Workers()
	var b, smp bytes.Buffer
	sink := SinkFunc(func(tk snnsim.Time, ids []snnsim.NeuronID) error {
		binary.Write(&b, binary.LittleEndian, int64(tk))
		binary.Write(&b, binary.LittleEndian, int32(len(ids)))
		binary.Write(&b, binary.LittleEndian, ids)
		r.nSpikes += len(ids)
		return nil
	})
	// The marks (current steps, pattern switches) go into the spike stream.
	e.OnMark(func(tk snnsim.Time, text string) error {
		fmt.Fprintf(&b, "mark %d %s\n", tk, text)
		return nil
	})
	// The scenario's records: the spikes within their windows, and every
	// sampled series (potentials, rates, weights) into one stream.
	if err := e.AttachRecords(net.Records, sink, func(s Series) (SampleFunc, error) {
		return func(tk snnsim.Time, vals []float64) error {
			fmt.Fprintf(&smp, "%s %d ", s.Name, tk)
			return binary.Write(&smp, binary.LittleEndian, vals)
		}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if chunk <= 0 {
		chunk = d
	}
	for done := snnsim.Time(0); done < d; done += chunk {
		if err := e.Run(context.Background(), min(chunk, d-done)); err != nil {
			t.Fatal(err)
		}
	}
	r.spikes = b.Bytes()
	r.samples = smp.Bytes()
	st := e.Stats()
	r.stepped, r.skipped = st.TicksStepped, st.TicksSkipped
	r.weights = weightBytes(t, e, len(net.Projections))
	var s bytes.Buffer
	for k, p := range net.Projections {
		if p.Consolidation == nil {
			continue
		}
		for _, name := range e.SynapseVars(k) {
			for syn := 0; syn < p.Len(); syn++ {
				x, err := e.SynapseState(k, snnsim.SynapseID(syn), name)
				if err != nil {
					t.Fatal(err)
				}
				binary.Write(&s, binary.LittleEndian, math.Float64bits(x))
			}
		}
	}
	r.state = s.Bytes()
	return r
}

// lt2021Short moves the learning and recall pulses of lt2021_10s_recall
// to the first 1.3 s.
var lt2021Short = []string{`stimulus.2.start="0.2 s"`, `stimulus.2.stop="0.3 s"`, `stimulus.3.start="0.5 s"`, `stimulus.3.stop="0.6 s"`,
	`stimulus.4.start="0.8 s"`, `stimulus.4.stop="0.9 s"`, `stimulus.recall.start="1.2 s"`, `stimulus.recall.stop="1.3 s"`}

// lt2021FastForward shortens lt2021_8h_recall: three learning pulses from
// 0.1 s, the fast-forward consolidation from 0.7 s to 200.7 s, recall at
// 200.8 s.
var lt2021FastForward = []string{`simulation.duration="201 s"`,
	`stimulus.2.start="0.1 s"`, `stimulus.2.stop="0.2 s"`, `stimulus.3.start="0.3 s"`, `stimulus.3.stop="0.4 s"`,
	`stimulus.4.start="0.5 s"`, `stimulus.4.stop="0.6 s"`, `phase.consolidation.start="0.7 s"`, `phase.consolidation.stop="200.7 s"`,
	`stimulus.recall.start="200.8 s"`, `stimulus.recall.stop="200.9 s"`}

// lt2021FastForwardShort is lt2021FastForward with one learning pulse
// and 60 s of fast-forward consolidation, from 0.25 s to 60.25 s.
var lt2021FastForwardShort = []string{`simulation.duration="60.45 s"`,
	`stimulus.2.start="0.1 s"`, `stimulus.2.stop="0.2 s"`, `stimulus.3.start="60.4 s"`, `stimulus.3.stop="60.41 s"`,
	`stimulus.4.start="60.42 s"`, `stimulus.4.stop="60.43 s"`, `phase.consolidation.start="0.25 s"`, `phase.consolidation.stop="60.25 s"`,
	`stimulus.recall.start="60.3 s"`, `stimulus.recall.stop="60.4 s"`}

// zenkeSmall scales the network of Zenke, Agnes & Gerstner (2015) down
// to a quarter of its E and I neurons with the in-degrees kept (p = 0.2),
// the 4096 pattern inputs whole: a shape from 0.2 s, pattern phases
// switched at 0.9 and 1.25 s, the weights sampled every 0.5 s, and the
// first slow-clock step of w̃ at 1.2 s.
var zenkeSmall = []string{"population.E.size=1024", "population.I.size=256",
	"projection.E_to_E.connect.p=0.2", "projection.E_to_I.connect.p=0.2", "projection.I_to_E.connect.p=0.2", "projection.I_to_I.connect.p=0.2",
	`population.input.params.first="0.2 s"`, `population.input.params.on="0.3 s"`, `population.input.params.off="0.2 s"`,
	`population.input.params.phases.0.at="0.9 s"`, `population.input.params.phases.1.at="1.25 s"`,
	`record.4.sample="0.5 s"`, `record.5.sample="0.5 s"`, `record.6.sample="0.5 s"`}

// TestParallelSameSpikes runs networks on one worker and on several and
// checks that the spikes, the final weights and the consolidation state are
// the same, bit for bit: the partition of the neurons must not show.
func TestParallelSameSpikes(t *testing.T) {
	var counts []int
	for _, f := range bytes.Split([]byte(*parallelWorkers), []byte(",")) {
		var n int
		if _, err := fmt.Sscan(string(f), &n); err != nil {
			t.Fatalf("-parallel.workers: %v", err)
		}
		counts = append(counts, n)
	}
	cases := []struct {
		file     string
		sets     []string
		ms       float64
		chunkMs  float64 // run in chunks of this length (0: one call)
		parallel bool    // the network runs on several workers (else it falls back to one)
	}{
		{"cuba.toml", nil, 1000, 0, true},
		{"quickstart.toml", nil, 1000, 0, true}, // records potentials every 0.5 ms and rates
		{"coba.toml", nil, 1000, 0, true},
		{"cuba.toml", nil, 300, 7.3, true}, // epochs cut by the calls
		{"song_abbott_competition.toml", nil, 3000, 0, true},
		// Short-term plasticity: depressing E->E, facilitating E->I.
		{"cuba.toml", []string{`projection.E_to_E.stp={ U = 0.2, tau_d = "150 ms", tau_f = "600 ms" }`,
			`projection.E_to_I.stp={ U = 0.2, tau_d = "150 ms", tau_f = "600 ms", u0 = 0.01 }`}, 500, 0, true},
		// B3 scaled down: the plasticity starts at 0.3 s, so that the
		// depression and potentiation passes, their lazy traces and the
		// votes of the settling populations all run.
		{"plastic_b3.toml", []string{"population.E.size=2000", "population.I.size=500", "population.P.size=2500",
			"projection.E_to_E.plasticity.start=\"0.3 s\""}, 800, 0, true},
		{"plastic_b3.toml", nil, 2200, 0, true}, // the whole B3: 2 s of priming, then plasticity (not under -race)
		{"stc_capture.toml", nil, 0, 0, true},   // the whole 10 h, voltage-based tags
		// Luboeinski & Tetzlaff (2021) with its protocol moved forward:
		// learning pulses at 0.2, 0.5 and 0.8 s (early-phase changes,
		// tags, protein synthesis), recall at 1.2 s, OU currents on every
		// neuron.
		{"lt2021_10s_recall.toml", lt2021Short, 1500, 0, true}, // not under -race
		{"lt2021_10s_recall.toml", lt2021Short, 260, 0, true},  // into the first pulse
		// Learning, 200 s of fast-forward consolidation (each worker
		// fast-forwards its part), recall.
		{"lt2021_8h_recall.toml", lt2021FastForward, 201e3, 0, true}, // not under -race
		// Zenke, Agnes & Gerstner (2015) scaled down (zenkeSmall): P11
		// fused with zenke_2015 on input->E and E->E, short-term
		// plasticity, istdp_global on I->E counting the E spikes one
		// delay late, AIF neurons, the pattern source and its phases, the
		// guard, the weights sampled, a slow-clock step; in one call and
		// in chunks that cut epochs.
		{"zenke2015_orchestrated.toml", zenkeSmall, 1300, 0, true},
		{"zenke2015_orchestrated.toml", zenkeSmall, 1210, 77.7, true},
		{"zenke2015_orchestrated.toml", zenkeSmall, 450, 0, true}, // the first shape, under -race too
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/%gms", c.file, c.ms), func(t *testing.T) {
			if testing.Short() && (c.ms > 1000 || c.ms == 0) {
				t.Skip("long")
			}
			if raceOn && c.ms > 1000 && c.file != "song_abbott_competition.toml" {
				t.Skip("long under -race")
			}
			sc, err := scenario.LoadOverrides("../scenarios/"+c.file, c.sets)
			if err != nil {
				t.Fatal(err)
			}
			net, err := sc.Compile()
			if err != nil {
				t.Fatal(err)
			}
			d := net.Duration
			if c.ms > 0 {
				d = ticksAt(t, net, c.ms)
			}
			var chunk snnsim.Time
			if c.chunkMs > 0 {
				chunk = ticksAt(t, net, c.chunkMs)
			}
			one := recordRun(t, net, 1, d, 0)
			if one.nSpikes == 0 {
				t.Fatal("no spikes on one worker: nothing is compared")
			}
			t.Logf("1 worker: %d spikes, %d ticks stepped, %d jumped over", one.nSpikes, one.stepped, one.skipped)
			for _, n := range counts {
				r := recordRun(t, net, n, d, chunk)
				if c.parallel && r.workers != n {
					t.Errorf("%d workers asked: runs on %d (%s)", n, r.workers, r.fallback)
				}
				if !c.parallel && (r.workers != 1 || r.fallback == "") {
					t.Errorf("%d workers asked: runs on %d, reason %q; want 1 with a reason", n, r.workers, r.fallback)
				}
				if !bytes.Equal(r.spikes, one.spikes) {
					t.Errorf("%d workers: %d spikes, 1 worker: %d; the logs differ", n, r.nSpikes, one.nSpikes)
				}
				if !bytes.Equal(r.weights, one.weights) {
					t.Errorf("%d workers: final weights differ", n)
				}
				if !bytes.Equal(r.samples, one.samples) {
					t.Errorf("%d workers: sampled series differ (%d bytes, 1 worker: %d)", n, len(r.samples), len(one.samples))
				}
				if !bytes.Equal(r.state, one.state) {
					t.Errorf("%d workers: consolidation state differs", n)
				}
				if r.stepped != one.stepped || r.skipped != one.skipped {
					t.Errorf("%d workers: %d ticks stepped and %d jumped over, 1 worker: %d and %d", n, r.stepped, r.skipped, one.stepped, one.skipped)
				}
			}
		})
	}
}

// patternScenario is a network of Poisson pattern inputs (whose schedule
// switches the log records as marks) onto LIF neurons.
const patternScenario = `
[simulation]
duration = "1.2 s"
seed = 3
[[population]]
name = "E"
size = 64
model = "lif_delta"
params = { tau_m = "10 ms", v_rest = "-70 mV", v_threshold = "-55 mV", v_reset = "-70 mV", t_ref = "2 ms" }
[[population]]
name = "input"
size = 64
model = "pattern"
[population.params]
background = "2 Hz"
rate = "60 Hz"
patterns = [[0, 1, 2, 3, 4, 5, 6, 7], [16, 17, 18, 19, 20, 21, 22, 23]]
first = "0.2 s"
on = "0.3 s"
off = "0.2 s"
[[projection]]
from = "input"
to = "E"
receptor = "exc"
connect = { rule = "one_to_one" }
weight = "20 mV"
delay = "1 ms"
[[projection]]
from = "E"
to = "E"
receptor = "exc"
connect = { rule = "fixed_probability", p = 0.1 }
weight = "0.5 mV"
delay = "1 ms"
[[record]]
what = "spikes"
`

// TestParallelMarks checks that the marks of a run on several workers
// (the pattern switches of a source, which worker 0 fires) are those of
// one worker, at the same ticks and in the same order among the spikes.
func TestParallelMarks(t *testing.T) {
	sc, err := scenario.DecodeOverrides("pattern.toml", []byte(patternScenario), nil)
	if err != nil {
		t.Fatal(err)
	}
	net, err := sc.Compile()
	if err != nil {
		t.Fatal(err)
	}
	one := recordRun(t, net, 1, net.Duration, 0)
	if !bytes.Contains(one.spikes, []byte("mark ")) {
		t.Fatal("no marks on one worker: nothing is compared")
	}
	for _, n := range []int{2, 3} {
		r := recordRun(t, net, n, net.Duration, 0)
		if r.workers != n {
			t.Fatalf("%d workers asked: runs on %d (%s)", n, r.workers, r.fallback)
		}
		if !bytes.Equal(r.spikes, one.spikes) {
			t.Errorf("%d workers: the spikes and marks differ from one worker's", n)
		}
	}
}

// TestParallelQuietTicks runs a network that falls quiet (its Poisson
// input stops at 300 ms, so the engine jumps over the rest) on one worker
// and on several, in one call and in chunks that cut epochs anywhere, and
// checks the spikes and the counts of ticks stepped and jumped over: the
// counts are those of one worker whatever the epochs.
func TestParallelQuietTicks(t *testing.T) {
	net := randomNet(5, 0)
	net.Records = []*netlist.Record{{What: netlist.RecordSpikes, Populations: []int{0, 1, 2, 3}}}
	for _, p := range net.Projections { // epochs of 10 ticks, in which one worker would jump
		for k := range p.Delay {
			p.Delay[k] += 9
		}
		if p.Delay == nil {
			p.ConstDelay += 9
		}
	}
	d := ticksAt(t, net, 700)
	one := recordRun(t, net, 1, d, 0)
	if one.skipped == 0 || one.nSpikes == 0 {
		t.Fatalf("1 worker: %d spikes, %d ticks jumped over: nothing is compared", one.nSpikes, one.skipped)
	}
	for _, c := range []struct {
		n     int
		chunk snnsim.Time
	}{{2, 0}, {3, 777}, {2, 31}} {
		r := recordRun(t, net, c.n, d, c.chunk)
		if !bytes.Equal(r.spikes, one.spikes) {
			t.Errorf("%d workers, chunks of %d ticks: the spikes differ", c.n, c.chunk)
		}
		if r.stepped != one.stepped || r.skipped != one.skipped {
			t.Errorf("%d workers, chunks of %d ticks: %d ticks stepped and %d jumped over, 1 worker: %d and %d",
				c.n, c.chunk, r.stepped, r.skipped, one.stepped, one.skipped)
		}
	}
}

// TestParallelSinkError makes a sink fail once in the middle of a run on
// several workers, whose next epoch has then started, and checks that Run
// returns the sink's error at an epoch's end no later than the end of the
// epoch after the failing tick, and that the engine is consistent there:
// the spikes passed on before the error and those after resuming are one
// worker's, tick for tick (the ticks in between are not passed on).
func TestParallelSinkError(t *testing.T) {
	net := loadNet(t, "../scenarios/cuba.toml", 0)
	d := ticksAt(t, net, 300)
	failAt := ticksAt(t, net, 100)
	type tickSpikes struct {
		t   snnsim.Time
		ids []snnsim.NeuronID
	}
	run := func(workers int, fail bool) ([]tickSpikes, snnsim.Time, error) {
		e, err := New(net, Config{Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		if n, why := e.Workers(); n != workers {
			t.Fatalf("%d workers asked: runs on %d (%s)", workers, n, why)
		}
		var got []tickSpikes
		errSink := errors.New("disk full")
		failed := false
		e.Attach(SinkFunc(func(tk snnsim.Time, ids []snnsim.NeuronID) error {
			if fail && !failed && tk >= failAt {
				failed = true
				return errSink
			}
			got = append(got, tickSpikes{tk, slices.Clone(ids)})
			return nil
		}), nil)
		err = e.Run(context.Background(), d)
		stop := e.Now()
		if fail {
			if !errors.Is(err, errSink) {
				t.Fatalf("%d workers: Run returned %v, want the sink's error", workers, err)
			}
			if err := e.Run(context.Background(), d-stop); err != nil {
				t.Fatal(err)
			}
		}
		return got, stop, err
	}
	one, _, err := run(1, false)
	if err != nil {
		t.Fatal(err)
	}
	var epoch snnsim.Time = 8 // the smallest delay of cuba: 0.8 ms
	for _, n := range []int{2, 3} {
		got, stop, _ := run(n, true)
		t.Logf("%d workers: stopped at tick %d", n, stop)
		if stop <= failAt || stop > failAt+2*epoch {
			t.Errorf("%d workers: Run stopped at tick %d after the sink failed at %d, want within two epochs", n, stop, failAt)
		}
		var want []tickSpikes
		for _, s := range one {
			if s.t < failAt || s.t >= stop {
				want = append(want, s)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("%d workers: %d ticks with spikes passed on, one worker: %d outside [%d, %d)", n, len(got), len(want), failAt, stop)
		}
		for k := range got {
			if got[k].t != want[k].t || !slices.Equal(got[k].ids, want[k].ids) {
				t.Fatalf("%d workers: the spikes of tick %d differ from one worker's", n, got[k].t)
			}
		}
	}
}

// weightBytes is every projection's weights, in order, as little-endian
// float32 bits: runs compare them byte for byte.
func weightBytes(t *testing.T, e *Engine, projections int) []byte {
	t.Helper()
	var w bytes.Buffer
	for k := range projections {
		ws, err := e.Weights(k)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range ws {
			binary.Write(&w, binary.LittleEndian, math.Float32bits(x))
		}
	}
	return w.Bytes()
}

// TestParallelPanic makes a worker or the driver panic in the middle of a
// run on several workers, while the others are simulating, exchanging or
// voting, and checks that Run fails at once with the panic's message in
// the calling goroutine instead of waiting for the failed worker forever,
// and that the engine refuses later runs.
func TestParallelPanic(t *testing.T) {
	small := []string{"population.E.size=2000", "population.I.size=500", "population.P.size=2500",
		"projection.E_to_E.plasticity.start=\"0.05 s\""}
	cases := []struct {
		name    string
		file    string
		sets    []string
		workers int
		worker  int         // the worker that panics at tick at (-1: none)
		sink    bool        // the sink panics at the first tick >= at with spikes
		at      snnsim.Time // in the middle of an epoch (0.8 ms)
		want    string
	}{
		{"worker 1 of 2", "cuba.toml", nil, 2, 1, false, 503, "worker 1 of a parallel run: panic: injected at tick 503"},
		{"worker 2 of 3", "cuba.toml", nil, 3, 2, false, 503, "worker 2 of a parallel run: panic: injected at tick 503"},
		{"driver of 2", "cuba.toml", nil, 2, 0, false, 503, "injected at tick 503"},
		{"sink of 3", "cuba.toml", nil, 3, -1, true, 503, "sink: injected"},
		// In the first ticks every population of B3 votes (its neurons
		// could settle): the others wait in the vote of tick 2.
		{"worker 1 of 2, votes", "plastic_b3.toml", small, 2, 1, false, 2, "worker 1 of a parallel run: panic: injected at tick 2"},
		{"driver of 3, votes", "plastic_b3.toml", small, 3, 0, false, 2, "injected at tick 2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sc, err := scenario.LoadOverrides("../scenarios/"+c.file, c.sets)
			if err != nil {
				t.Fatal(err)
			}
			net, err := sc.Compile()
			if err != nil {
				t.Fatal(err)
			}
			e, err := New(net, Config{Workers: c.workers})
			if err != nil {
				t.Fatal(err)
			}
			if n, why := e.Workers(); n != c.workers {
				t.Fatalf("%d workers asked: runs on %d (%s)", c.workers, n, why)
			}
			e.Attach(SinkFunc(func(tk snnsim.Time, ids []snnsim.NeuronID) error {
				if c.sink && tk >= c.at {
					panic("sink: injected")
				}
				return nil
			}), nil)
			tickHook = func(w int, tk snnsim.Time) {
				if w == c.worker && tk == c.at {
					panic(fmt.Sprintf("injected at tick %d", tk))
				}
			}
			defer func() { tickHook = nil }()
			done := make(chan any, 1)
			go func() {
				defer func() { done <- recover() }()
				e.Run(context.Background(), 2000)
			}()
			var r any
			select {
			case r = <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("Run did not return within 30 s of a panic in the run")
			}
			if r == nil {
				t.Fatal("Run returned without panicking")
			}
			if msg := fmt.Sprint(r); !strings.Contains(msg, c.want) {
				t.Fatalf("Run panicked with %q, want it to contain %q", msg, c.want)
			}
			tickHook = nil
			if err := e.Run(context.Background(), 10); err == nil || !strings.Contains(err.Error(), "an earlier run of this engine failed") {
				t.Errorf("Run after the failure returned %v, want the earlier failure", err)
			}
		})
	}
}
