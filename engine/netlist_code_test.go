package engine_test

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/engine"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/neuron"
	"github.com/snnsim/snnsim/scenario"
	"github.com/snnsim/snnsim/source"
)

// spikeList is a Sink that keeps every spike as (tick, neuron).
type spikeList [][2]int64

func (l *spikeList) Spikes(t snnsim.Time, ids []snnsim.NeuronID) error {
	for _, id := range ids {
		*l = append(*l, [2]int64{int64(t), int64(id)})
	}
	return nil
}

// runAll runs net to its end and returns every spike.
func runAll(t *testing.T, net *netlist.Network) spikeList {
	t.Helper()
	e, err := engine.New(net, engine.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var l spikeList
	all := make([]int, len(net.Populations))
	for i := range all {
		all[i] = i
	}
	if err := e.Attach(&l, all); err != nil {
		t.Fatal(err)
	}
	if err := e.Run(context.Background(), net.Duration); err != nil {
		t.Fatal(err)
	}
	return l
}

// TestNetworkInCodeMatchesScenario builds a recurrent network in code with
// netlist's builders and the streams a scenario compiler uses, and checks
// that it fires exactly the spikes of the equivalent scenario: the builders
// are the compiler's, and nothing else of the scenario reaches the engine.
func TestNetworkInCodeMatchesScenario(t *testing.T) {
	const seed = 11
	sc, err := scenario.Decode("code.toml", []byte(`
[simulation]
duration = "500 ms"
seed = 11

[[population]]
name = "in"
size = 100
model = "poisson"
params = { rate = "8 Hz" }

[[population]]
name = "E"
size = 80
model = "lif_exp_current"
params = { v_rest = "-52 mV" }

[[projection]]
from = "in"
to = "E"
receptor = "exc"
connect = { rule = "fixed_probability", p = 0.3 }
weight = "2 mV"
delay = "1.5 ms"

[[projection]]
from = "E"
to = "E"
receptor = "inh"
connect = { rule = "fixed_outdegree", k = 10 }
weight = "0.5 mV"
delay = { uniform = ["1 ms", "3 ms"] }
`))
	if err != nil {
		t.Fatal(err)
	}
	fromFile, err := sc.Compile()
	if err != nil {
		t.Fatal(err)
	}

	clock := snnsim.Clock{DT: 0.1}
	input := source.DefaultPoisson()
	input.Rate = 8
	cell := neuron.DefaultLIFExp()
	cell.VRest = -52
	net := &netlist.Network{
		Name: "code", Clock: clock, Seed: seed, Duration: 5000,
		Populations: []*netlist.Population{
			{Name: "in", Size: 100, Source: &input},
			{Name: "E", Size: 80, Offset: 100, Neuron: &cell},
		},
	}
	ff, err := netlist.FixedProbability(snnsim.NewRand(seed, "connect/in_to_E"), 100, 80, 0.3, netlist.ConnectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	net.Projections = append(net.Projections, &netlist.Projection{Name: "in_to_E", From: 0, To: 1, Receptor: neuron.Exc,
		RowStart: ff.RowStart, Target: ff.Target, ConstWeight: 2, ConstDelay: 15})
	rec, err := netlist.FixedOutdegree(snnsim.NewRand(seed, "connect/E_to_E"), 80, 80, 10, netlist.ConnectOptions{NoAutapses: true})
	if err != nil {
		t.Fatal(err)
	}
	// Delays uniform in [1, 3] ms, drawn in synapse order from the stream
	// the compiler uses, rounded to ticks; then rows ordered by delay.
	delays := snnsim.NewRand(seed, "delay/E_to_E")
	p := &netlist.Projection{Name: "E_to_E", From: 1, To: 1, Receptor: neuron.Inh,
		RowStart: rec.RowStart, Target: rec.Target, ConstWeight: 0.5, Delay: make([]int32, rec.Len())}
	for k := range p.Delay {
		p.Delay[k] = int32(math.Round((1 + 2*delays.Float64()) / clock.DT))
	}
	p.SortRows()
	net.Projections = append(net.Projections, p)

	if err := net.Check(); err != nil {
		t.Fatal(err)
	}
	for i, q := range net.Projections {
		f := fromFile.Projections[i]
		if !slices.Equal(q.RowStart, f.RowStart) || !slices.Equal(q.Target, f.Target) || !slices.Equal(q.Delay, f.Delay) ||
			q.ConstDelay != f.ConstDelay || q.ConstWeight != f.ConstWeight || f.Weight != nil {
			t.Fatalf("projection %s: the arrays built in code differ from the compiled scenario's", q.Name)
		}
	}
	want, got := runAll(t, fromFile), runAll(t, net)
	if len(want) < 100 {
		t.Fatalf("the scenario fires %d spikes: too few to compare", len(want))
	}
	if !slices.Equal(got, want) {
		t.Errorf("the network built in code fired %d spikes, the scenario %d, not the same ones", len(got), len(want))
	}
}
