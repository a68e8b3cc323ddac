package engine

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/consolidation"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/scenario"
)

// freshScenario is one synapse of luboeinski_tetzlaff_2021 (Luboeinski &
// Tetzlaff 2021) whose target a regular driver makes fire at 125 Hz from
// 50 ms to 600 ms while its source is silent but for one spike: the
// postsynaptic calcium jumps (c_post 0.2758 each, τ_c 48.8 ms) keep c
// between the thresholds, so h moves for half a second with no
// presynaptic arrival, and after the drive the tagged synapse captures
// protein for minutes without any event. The synapse's compiled weight
// is small (0.01 mV), so that its own transmission changes no spike of the
// target. The table's sets choose the switching and add a probe spike
// (pre.params.times) whose arrival shows what the synapse transmits.
const freshScenario = `
[simulation]
duration   = "700 s"
resolution = "0.2 ms"
seed       = 5

[[population]]
name   = "pre"
size   = 1
model  = "spike_times"
params = { times = ["20 ms"] }

[[population]]
name   = "drive"
size   = 1
model  = "regular"
params = { rate = "125 Hz", start = "50 ms", stop = "600 ms" }

[[population]]
name   = "post"
size   = 1
model  = "lif_exp_current"
params = { tau_m = "10 ms", c_m = "1 nF", v_rest = "-65 mV", v_threshold = "-55 mV",
           v_reset = "-70 mV", t_ref = "2 ms", tau_exc = "5 ms", tau_inh = "5 ms" }
init   = { v = "-65 mV" }

[[projection]]
name     = "drive_to_post"
from     = "drive"
to       = "post"
receptor = "exc"
connect  = { rule = "one_to_one" }
weight   = "100 mV"
delay    = "1 ms"

[[projection]]
name          = "pre_to_post"
from          = "pre"
to            = "post"
receptor      = "exc"
connect       = { rule = "all_to_all" }
weight        = "0.01 mV"
delay         = "3 ms"
consolidation = { model = "luboeinski_tetzlaff_2021", c_pre = 1.0, c_post = 0.6, sigma_pl = "0 mV" }
`

// freshNet compiles freshScenario with overrides.
func freshNet(t *testing.T, sets ...string) *netlist.Network {
	t.Helper()
	sc, err := scenario.DecodeOverrides("fresh.toml", []byte(freshScenario), sets)
	if err != nil {
		t.Fatal(err)
	}
	net, err := sc.Compile()
	if err != nil {
		t.Fatal(err)
	}
	return net
}

// runThrough runs e through tick tk.
func runThrough(t *testing.T, e *Engine, tk snnsim.Time) {
	t.Helper()
	if err := e.Run(context.Background(), tk+1-e.Now()); err != nil {
		t.Fatal(err)
	}
}

// lt21Weight returns the weight that a luboeinski_tetzlaff_2021 synapse
// of compiled weight unit transmits with early weight h and late weight z:
// unit·(h + h0 z)/h0 (Luboeinski & Tetzlaff 2021, Methods), rounded to the
// float32 of a delivery array.
func lt21Weight(unit float32, h, z, h0 float64) float32 {
	return float32(float64(unit) * (h + h0*z) / h0)
}

// TestWeightsFresh reads the weights of a luboeinski_tetzlaff_2021
// synapse at ticks at which no event of the synapse has refreshed the
// delivery array for a while (freshScenario) and checks Weights against
// the weight that a presynaptic spike arriving then transmits, taken from
// the delivery array of a second run whose probe spike arrives at that
// tick (with grid switching the tick after: the step ending at the read
// tick is then part of the state, as in the authors' simulator). The read
// ticks lie while the target fires (h moves with c above both thresholds),
// after the drive (the synapse is quiet and tagged), and minutes later (h
// relaxes, z captures protein); the noise is off, so both are one number.
// For late = "stc" and "none" Weights must also be the weight of h and z
// as SynapseState reports them. Every late phase is checked: each keeps
// its delivery array as of its events.
func TestWeightsFresh(t *testing.T) {
	type read struct {
		switching, late string
		ms              float64
	}
	var cases []read
	for _, late := range []string{"stc", "none", "metaplastic", "importance", "benna_fusi"} {
		for _, sw := range []string{"exact", "grid"} {
			for _, ms := range []float64{300, 580, 2000, 600e3} {
				cases = append(cases, read{sw, late, ms})
			}
		}
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/%s/%gms", c.late, c.switching, c.ms), func(t *testing.T) {
			sets := []string{`projection.pre_to_post.consolidation.switching="` + c.switching + `"`,
				`projection.pre_to_post.consolidation.late="` + c.late + `"`}
			lag := snnsim.Time(0)
			if c.switching == "grid" {
				lag = 1
			}
			net := freshNet(t, sets...)
			tk := ticksAt(t, net, c.ms)
			e, err := New(net, Config{})
			if err != nil {
				t.Fatal(err)
			}
			runThrough(t, e, tk)
			w, err := e.Weights(1)
			if err != nil {
				t.Fatal(err)
			}
			cache := e.projs[1].w[0]

			// The probe: a presynaptic spike that arrives at tk + lag.
			arrive := net.Clock.Ms(tk+lag) - 3
			probe := freshNet(t, append(sets, fmt.Sprintf(`population.pre.params.times=["20 ms", "%g ms"]`, arrive))...)
			if got := ticksAt(t, probe, arrive+3); got != tk+lag {
				t.Fatalf("the probe arrives at tick %d, want %d", got, tk+lag)
			}
			pe, err := New(probe, Config{})
			if err != nil {
				t.Fatal(err)
			}
			runThrough(t, pe, tk+lag)
			sent := pe.projs[1].w[0]
			t.Logf("Weights %.7g, transmitted by an arrival %.7g, delivery array %.7g (%+.2f %%)", w[0], sent, cache, 100*(float64(cache)/float64(sent)-1))
			if w[0] != sent {
				t.Errorf("Weights = %.9g, a spike arriving at tick %d transmits %.9g (delivery array %.9g)", w[0], tk+lag, sent, cache)
			}
			if c.late != "stc" && c.late != "none" {
				return
			}
			h, err := e.SynapseState(1, 0, "h")
			if err != nil {
				t.Fatal(err)
			}
			z, err := e.SynapseState(1, 0, "z")
			if err != nil {
				t.Fatal(err)
			}
			if state := lt21Weight(net.Projections[1].Weights()[0], h, z, net.Projections[1].Consolidation.(*consolidation.LT2021Params).H0); w[0] != state {
				t.Errorf("Weights = %.9g, the weight of h = %.9g mV and z = %.9g is %.9g", w[0], h, z, state)
			}
		})
	}
}

// TestWeightsRecordFresh samples the weight of freshScenario's synapse
// with a weights record and its h and z with a synapses record, every
// 0.2 ms for 700 ms and then every 10 s, and checks that each sampled
// weight is that of the sampled h and z (Luboeinski & Tetzlaff 2021: unit
// (h + h0 z)/h0): the record reads the model's state, not the delivery
// array, which lags it between the synapse's events.
func TestWeightsRecordFresh(t *testing.T) {
	for _, sw := range []string{"exact", "grid"} {
		t.Run(sw, func(t *testing.T) {
			net := freshNet(t, `projection.pre_to_post.consolidation.switching="`+sw+`"`)
			tk := func(ms float64) snnsim.Time { return ticksAt(t, net, ms) }
			windows := []netlist.Window{{Start: 0, Stop: tk(700)}, {Start: tk(700), Stop: tk(700e3)}}
			intervals := []snnsim.Time{1, tk(10e3)}
			var recs []*netlist.Record
			for k, win := range windows {
				recs = append(recs,
					&netlist.Record{What: netlist.RecordWeights, Projection: 1, Interval: intervals[k], Windows: []netlist.Window{win}},
					&netlist.Record{What: netlist.RecordSynapses, Projection: 1, Variables: []string{"h", "z"}, Interval: intervals[k], Windows: []netlist.Window{win}})
			}
			e, err := New(net, Config{})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]map[snnsim.Time]float64{}
			if err := e.AttachRecords(recs, nil, func(s Series) (SampleFunc, error) {
				key := s.What
				if got[key] == nil {
					got[key] = map[snnsim.Time]float64{}
				}
				return func(at snnsim.Time, vals []float64) error {
					got[key][at] = vals[0]
					return nil
				}, nil
			}); err != nil {
				t.Fatal(err)
			}
			if err := e.Run(context.Background(), tk(700e3)); err != nil {
				t.Fatal(err)
			}
			unit, h0 := net.Projections[1].Weights()[0], net.Projections[1].Consolidation.(*consolidation.LT2021Params).H0
			n, moved := 0, 0
			for at, w := range got["weights"] {
				h, z := got["h"][at], got["z"][at]
				if want := float64(lt21Weight(unit, h, z, h0)); w != want {
					if n++; n <= 5 {
						t.Errorf("tick %d: weights record %.9g, the weight of h = %.9g mV and z = %.9g is %.9g", at, w, h, z, want)
					}
				}
				if h != h0 || z != 0 {
					moved++
				}
			}
			if len(got["weights"]) != 3500+70 || moved < 3000 {
				t.Fatalf("%d weight samples, %d with a moved synapse; want 3570, most of them moved", len(got["weights"]), moved)
			}
			if n > 0 {
				t.Errorf("%d of %d samples differ", n, len(got["weights"]))
			}
		})
	}
}

// readRun runs net for d ticks on the given workers, in steps of every
// ticks after each of which it reads the weights of every projection
// (every = 0: one call and no read), and returns the spikes and sampled
// series of the scenario's records, the reads, and the final weights and
// consolidation state as runRecord has them.
func readRun(t *testing.T, net *netlist.Network, workers int, d, every snnsim.Time) (run runRecord, reads []byte) {
	t.Helper()
	e, err := New(net, Config{Workers: workers})
	if err != nil {
		t.Fatal(err)
	}
	if n, why := e.Workers(); n != workers {
		t.Fatalf("%d workers asked: runs on %d (%s)", workers, n, why)
	}
	var spikes, samples bytes.Buffer
	sink := SinkFunc(func(tk snnsim.Time, ids []snnsim.NeuronID) error {
		binary.Write(&spikes, binary.LittleEndian, int64(tk))
		binary.Write(&spikes, binary.LittleEndian, ids)
		run.nSpikes += len(ids)
		return nil
	})
	if err := e.AttachRecords(net.Records, sink, func(s Series) (SampleFunc, error) {
		return func(tk snnsim.Time, vals []float64) error {
			fmt.Fprintf(&samples, "%s %d ", s.Name, tk)
			return binary.Write(&samples, binary.LittleEndian, vals)
		}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if every <= 0 {
		every = d
	}
	for e.Now() < d {
		if err := e.Run(context.Background(), min(every, d-e.Now())); err != nil {
			t.Fatal(err)
		}
		if every < d {
			reads = append(reads, weightBytes(t, e, len(net.Projections))...)
		}
	}
	run.spikes, run.samples = spikes.Bytes(), samples.Bytes()
	run.weights = weightBytes(t, e, len(net.Projections))
	var st bytes.Buffer
	for k, p := range net.Projections {
		if p.Consolidation == nil {
			continue
		}
		for _, name := range e.SynapseVars(k) {
			for syn := range p.Len() {
				x, err := e.SynapseState(k, snnsim.SynapseID(syn), name)
				if err != nil {
					t.Fatal(err)
				}
				binary.Write(&st, binary.LittleEndian, math.Float64bits(x))
			}
		}
	}
	run.state = st.Bytes()
	return run, reads
}

// TestWeightsReadsChangeNothing runs Luboeinski & Tetzlaff's network
// (lt2021_10s_recall, its first learning pulse moved to 0.2 s, with noise
// on h) into its first learning pulse once without reads and once reading
// every projection's weights every 13.2 ms, on one worker and on two: the
// spikes, the sampled series (with a weights record added), the final
// weights and the consolidation state must be the same bit for bit (a
// read asks the model for the state it has and moves nothing that a spike
// depends on), and two workers must read the weights one worker reads.
// (That a read leaves the state of the other late phases as it was is
// checked in package consolidation, TestLT2021CurrentWeight.)
func TestWeightsReadsChangeNothing(t *testing.T) {
	sc, err := scenario.LoadOverrides("../scenarios/lt2021_10s_recall.toml", lt2021Short)
	if err != nil {
		t.Fatal(err)
	}
	net, err := sc.Compile() // with its records: spikes, pathway and neuron_state series
	if err != nil {
		t.Fatal(err)
	}
	// and a weights record of some E_to_E synapses, which each worker's
	// model reads for its own targets
	ee := slices.IndexFunc(net.Projections, func(p *netlist.Projection) bool { return p.Consolidation != nil })
	net.Records = append(net.Records, &netlist.Record{What: netlist.RecordWeights, Projection: ee,
		Synapses: []int{0, 1, 777, 5000, net.Projections[ee].Len() - 1}, Interval: ticksAt(t, net, 5)})
	d, every := ticksAt(t, net, 260), ticksAt(t, net, 13.2)
	plain, _ := readRun(t, net, 1, d, 0)
	if plain.nSpikes == 0 {
		t.Fatal("no spikes: nothing is compared")
	}
	var oneReads []byte
	for _, workers := range []int{1, 2} { // in order: two workers read what one reads
		t.Run(fmt.Sprintf("%dworkers", workers), func(t *testing.T) {
			r, reads := readRun(t, net, workers, d, every)
			if !bytes.Equal(r.spikes, plain.spikes) {
				t.Errorf("reading: %d spikes, without reads %d; the logs differ", r.nSpikes, plain.nSpikes)
			}
			if !bytes.Equal(r.samples, plain.samples) {
				t.Error("reading: the sampled series differ")
			}
			if !bytes.Equal(r.weights, plain.weights) || !bytes.Equal(r.state, plain.state) {
				t.Error("reading: the final weights or consolidation state differ")
			}
			if workers == 1 {
				oneReads = reads
			} else if !bytes.Equal(reads, oneReads) {
				t.Errorf("%d workers read other weights than one worker", workers)
			}
		})
	}
}
