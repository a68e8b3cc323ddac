package engine

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/scenario"
)

// splitRun runs net for d ticks: n workers up to tick c, then a
// checkpoint restored into a new engine on m workers for the rest. It
// returns the spikes, marks and samples of both parts, the final weights and, as
// state, the checkpoint's body.
func splitRun(t *testing.T, net *netlist.Network, n, m int, d, c snnsim.Time) runRecord {
	t.Helper()
	var r runRecord
	var b, smp bytes.Buffer
	attach := func(e *Engine) {
		sink := SinkFunc(func(tk snnsim.Time, ids []snnsim.NeuronID) error {
			binary.Write(&b, binary.LittleEndian, int64(tk))
			binary.Write(&b, binary.LittleEndian, int32(len(ids)))
			binary.Write(&b, binary.LittleEndian, ids)
			r.nSpikes += len(ids)
			return nil
		})
		e.OnMark(func(tk snnsim.Time, text string) error { // as recordRun
			fmt.Fprintf(&b, "mark %d %s\n", tk, text)
			return nil
		})
		if err := e.AttachRecords(net.Records, sink, func(s Series) (SampleFunc, error) {
			return func(tk snnsim.Time, vals []float64) error {
				fmt.Fprintf(&smp, "%s %d ", s.Name, tk)
				return binary.Write(&smp, binary.LittleEndian, vals)
			}, nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	a, err := New(net, Config{Workers: n})
	if err != nil {
		t.Fatal(err)
	}
	if w, why := a.Workers(); w != n {
		t.Fatalf("%d workers asked: runs on %d (%s)", n, w, why)
	}
	attach(a)
	if err := a.Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	var ck bytes.Buffer
	if err := a.Checkpoint(&ck, nil); err != nil {
		t.Fatal(err)
	}
	meta, body, err := checkpoint.Read(&ck)
	if err != nil {
		t.Fatal(err)
	}
	r.state = body
	e, err := New(net, Config{Workers: m})
	if err != nil {
		t.Fatal(err)
	}
	attach(e)
	if err := e.Restore(meta, body); err != nil {
		t.Fatal(err)
	}
	if w, why := e.Workers(); w != m {
		t.Fatalf("restored on %d workers asked: runs on %d (%s)", m, w, why)
	}
	if err := e.Run(context.Background(), d-c); err != nil {
		t.Fatal(err)
	}
	r.spikes, r.samples = b.Bytes(), smp.Bytes()
	r.weights = weightBytes(t, e, len(net.Projections))
	return r
}

// TestParallelCheckpoint checkpoints runs on n workers at a tick inside an
// epoch, with spikes in flight, restores them on m workers and checks that
// the spikes, samples and weights are those of one uninterrupted run on
// one worker, bit for bit (the run that writes the checkpoint goes on
// identically, TestParallelSameSpikes), and that the checkpoint is the one
// one worker writes, byte for byte. The random network has delays of 1 to 30 ticks
// (several per source row), three neuron models and a Poisson input that
// stops; quickstart records potentials and rates.
func TestParallelCheckpoint(t *testing.T) {
	load := func(file string, sets ...string) func(t *testing.T) *netlist.Network {
		return func(t *testing.T) *netlist.Network {
			sc, err := scenario.LoadOverrides("../scenarios/"+file, sets)
			if err != nil {
				t.Fatal(err)
			}
			net, err := sc.Compile()
			if err != nil {
				t.Fatal(err)
			}
			return net
		}
	}
	cases := []struct {
		name string
		net  func(t *testing.T) *netlist.Network
		ms   float64  // run length
		at   float64  // checkpoint
		nm   [][2]int // workers before and after the checkpoint
	}{
		{"random", func(*testing.T) *netlist.Network {
			net := randomNet(5, 0)
			net.Records = []*netlist.Record{{What: netlist.RecordSpikes, Populations: []int{0, 1, 2, 3}}}
			return net
		}, 350, 291.7, [][2]int{{1, 2}, {2, 1}, {3, 2}}},
		{"cuba", load("cuba.toml"), 400, 123.4, [][2]int{{1, 2}, {2, 1}, {2, 3}, {7, 4}}},
		{"coba", load("coba.toml"), 300, 100.3, [][2]int{{2, 3}, {3, 1}}},
		{"quickstart", load("quickstart.toml"), 300, 250.1, [][2]int{{2, 1}, {1, 3}}},
		// B3 scaled down, with the plasticity on from 0.3 s: the
		// homeostatic triplet rule's traces and lazy copies, checkpointed
		// while it changes the weights.
		{"plastic_b3", load("plastic_b3.toml", "population.E.size=2000", "population.I.size=500", "population.P.size=2500",
			`projection.E_to_E.plasticity.start="0.3 s"`), 700, 512.3, [][2]int{{1, 2}, {2, 1}, {2, 3}, {3, 2}, {7, 1}}},
		// The pair rule onto one neuron from 1000 Poisson sources.
		{"song_abbott", load("song_abbott_competition.toml"), 2000, 1234.5, [][2]int{{1, 2}, {2, 1}, {3, 2}}},
		// Short-term plasticity (releases carried by the spikes in
		// flight), the triplet rule, istdp_vogels and p11 (without its
		// reference weights) on one network.
		{"stp_rules", load("cuba.toml",
			`projection.E_to_E.stp={ U = 0.2, tau_d = "150 ms", tau_f = "600 ms" }`,
			`projection.E_to_I.stp={ U = 0.2, tau_d = "150 ms", tau_f = "600 ms", u0 = 0.01 }`,
			`projection.E_to_E.plasticity={ rule = "triplet", preset = "visual_cortex_all_to_all_minimal", w_min = 0, w_max = 3 }`,
			`projection.I_to_E.plasticity={ rule = "istdp_vogels", preset = "vogels_2011", eta = 0.01, w_min = -20, w_max = 0 }`,
			`projection.E_to_I.plasticity={ rule = "p11", preset = "zenke_2015", beta = 0, w_min = 0, w_max = 3 }`),
			300, 150.7, [][2]int{{1, 2}, {2, 1}, {3, 2}, {7, 1}}},
		// Luboeinski & Tetzlaff (2021), the pulses moved forward (see
		// lt2021Short): checkpointed inside the first learning pulse,
		// with calcium jumps pending, tags set and protein being made,
		// and OU currents on every neuron.
		{"lt2021", load("lt2021_10s_recall.toml", lt2021Short...), 400, 251.2, [][2]int{{1, 2}, {2, 1}, {2, 3}, {3, 2}, {7, 1}}},
		// Its late phases with a state of their own.
		{"lt2021_importance", load("lt2021_10s_recall.toml", append([]string{`projection.E_to_E.consolidation.late="importance"`}, lt2021Short...)...),
			300, 251.2, [][2]int{{2, 1}, {3, 2}}},
		{"lt2021_benna_fusi", load("lt2021_10s_recall.toml", append([]string{`projection.E_to_E.consolidation.late="benna_fusi"`}, lt2021Short...)...),
			300, 251.2, [][2]int{{2, 3}}},
		// Learning, 60 s of fast-forward consolidation, recall:
		// checkpointed inside the phase and at both its edges.
		{"lt2021_ff_inside", load("lt2021_8h_recall.toml", lt2021FastForwardShort...), 60450, 30000.2, [][2]int{{1, 2}, {3, 1}}},
		{"lt2021_ff_start", load("lt2021_8h_recall.toml", lt2021FastForwardShort...), 60450, 250, [][2]int{{7, 2}}},
		{"lt2021_ff_stop", load("lt2021_8h_recall.toml", lt2021FastForwardShort...), 60450, 60250, [][2]int{{2, 3}}},
		// Tag-trigger-consolidation with voltage-based tags: checkpointed
		// within the weak tetanus, 10 min after the strong one.
		{"stc_capture", load("stc_capture.toml"), 62 * 60e3, 60*60e3 + 1.5e3, [][2]int{{1, 2}, {2, 1}, {2, 3}, {3, 2}, {7, 1}}},
		// OU currents switched on in windows on part of a population,
		// checkpointed while they are off and the network is quiet.
		{"ou_windows", ouWindowsNet, 600, 250.3, [][2]int{{1, 2}, {2, 1}, {3, 2}, {7, 1}}},
		{"ou_windows_on", ouWindowsNet, 600, 99.9, [][2]int{{2, 3}, {3, 1}}},
		// Zenke, Agnes & Gerstner (2015) scaled down (zenkeSmall):
		// checkpointed inside an epoch while a shape is on, with E spikes
		// not yet counted by istdp_global, before and after the first
		// slow-clock step of w̃.
		{"zenke2015", load("zenke2015_orchestrated.toml", zenkeSmall...), 1300, 1100.3, [][2]int{{1, 2}, {2, 3}, {7, 4}}},
		{"zenke2015_slow", load("zenke2015_orchestrated.toml", zenkeSmall...), 1300, 1200.5, [][2]int{{3, 1}}},
	}
	// The cases that the race detector would make too long; the others
	// cover the same code.
	longUnderRace := map[string]bool{"lt2021_importance": true, "lt2021_benna_fusi": true, "lt2021_ff_inside": true, "lt2021_ff_stop": true}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if raceOn && longUnderRace[tc.name] {
				t.Skip("long under -race")
			}
			net := tc.net(t)
			if why := SerialCheckpoints(net); why != "" {
				t.Fatalf("checkpoints on several workers refused: %s", why)
			}
			d, c := ticksAt(t, net, tc.ms), ticksAt(t, net, tc.at)
			one := recordRun(t, net, 1, d, 0)
			if one.nSpikes == 0 {
				t.Fatal("no spikes: nothing is compared")
			}
			ckOne := splitRun(t, net, 1, 1, d, c).state
			nms := tc.nm
			if raceOn {
				nms = nms[:min(len(nms), 2)] // the race detector makes each run ten times longer
			}
			for _, nm := range nms {
				r := splitRun(t, net, nm[0], nm[1], d, c)
				if !bytes.Equal(r.spikes, one.spikes) {
					t.Errorf("%d then %d workers: %d spikes, one run: %d; the logs differ", nm[0], nm[1], r.nSpikes, one.nSpikes)
				}
				if !bytes.Equal(r.samples, one.samples) {
					t.Errorf("%d then %d workers: sampled series differ", nm[0], nm[1])
				}
				if !bytes.Equal(r.weights, one.weights) {
					t.Errorf("%d then %d workers: final weights differ", nm[0], nm[1])
				}
				if !bytes.Equal(r.state, ckOne) {
					t.Errorf("%d workers wrote another checkpoint than one worker", nm[0])
				}
			}
		})
	}
}

// ouScenario is a network of LIF neurons driven only by OU currents in
// windows: on part of E from 50 to 150 ms and on all of it from 400 to
// 450 ms, so that it falls quiet in between.
const ouScenario = `
[simulation]
duration = "0.6 s"
resolution = "0.1 ms"
seed = 5
[[population]]
name = "E"
size = 250
model = "lif_exp_current"
params = { tau_m = "10 ms", c_m = "1 nF", v_rest = "-65 mV", v_threshold = "-55 mV", v_reset = "-70 mV", t_ref = "2 ms", tau_exc = "5 ms", tau_inh = "5 ms" }
[[population]]
name = "I"
size = 60
model = "lif_exp_current"
params = { tau_m = "10 ms", c_m = "1 nF", v_rest = "-65 mV", v_threshold = "-55 mV", v_reset = "-70 mV", t_ref = "2 ms", tau_exc = "5 ms", tau_inh = "5 ms" }
[[projection]]
from = "E"
to = "E"
receptor = "exc"
connect = { rule = "fixed_probability", p = 0.1 }
weight = "2 mV"
delay = "1.5 ms"
[[projection]]
from = "E"
to = "I"
receptor = "exc"
connect = { rule = "fixed_probability", p = 0.2 }
weight = "3 mV"
delay = "1 ms"
[[projection]]
from = "I"
to = "E"
receptor = "inh"
connect = { rule = "fixed_probability", p = 0.2 }
weight = "5 mV"
delay = "2 ms"
[[group]]
name = "half"
population = "E"
neurons = "20..149"
[[stimulus]]
kind = "ou_current"
group = "half"
mean = "0.4 nA"
sigma = "0.3 nA"
tau = "5 ms"
init = "0.2 nA"
start = "50 ms"
stop = "150 ms"
[[stimulus]]
name = "all"
kind = "ou_current"
population = "E"
mean = "0.3 nA"
sigma = "0.2 nA"
tau = "5 ms"
init = "0 pA"
start = "400 ms"
stop = "450 ms"
[[record]]
what = "spikes"
`

// ouWindowsNet returns the network of ouScenario.
func ouWindowsNet(t *testing.T) *netlist.Network {
	sc, err := scenario.DecodeOverrides("ou.toml", []byte(ouScenario), nil)
	if err != nil {
		t.Fatal(err)
	}
	net, err := sc.Compile()
	if err != nil {
		t.Fatal(err)
	}
	return net
}
