package netlist

import (
	"strings"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/neuron"
	"github.com/snnsim/snnsim/source"
)

// smallNetwork is a valid network: 3 sources onto 4 neurons (all to all,
// delays 1 or 2 ticks), a recurrent projection, and one of everything else.
func smallNetwork() *Network {
	src := source.DefaultPoisson()
	cell := neuron.DefaultLIFExp()
	return &Network{
		Clock: snnsim.Clock{DT: 0.1}, Duration: 100,
		Populations: []*Population{
			{Name: "in", Size: 3, Source: &src},
			{Name: "E", Size: 4, Offset: 3, Neuron: &cell, InitV: []float64{-60, -60, -60, -60}},
		},
		Projections: []*Projection{
			{Name: "in_to_E", From: 0, To: 1, RowStart: []int64{0, 2, 3, 4}, Target: []int32{3, 0, 1, 2},
				Delay: []int32{1, 2, 2, 1}, Weight: []float32{1, 1, 1, 1}},
			{Name: "E_to_E", From: 1, To: 1, RowStart: []int64{0, 1, 1, 2, 2}, Target: []int32{1, 0}, ConstDelay: 3},
		},
		Stimuli:     []*Stimulus{{Kind: "current_step", Population: 1, Stop: snnsim.Never}},
		Guards:      []*Guard{{Population: 1, MaxRate: 100, Window: 10}},
		Records:     []*Record{{What: RecordSpikes, Populations: []int{0, 1}}, {What: RecordWeights, Projection: 0, Synapses: []int{3}, Interval: 5}},
		Modulations: []Modulation{{Population: 1, Name: "x", At: 5}, {Population: 1, Name: "x", At: 5, Level: 1}},
	}
}

// TestCheck checks that a valid network passes and that each broken
// invariant is reported, naming what is wrong.
func TestCheck(t *testing.T) {
	if err := smallNetwork().Check(); err != nil {
		t.Fatalf("a valid network: %v", err)
	}
	cases := []struct {
		name   string
		mutate func(n *Network)
		want   string
	}{
		{"resolution", func(n *Network) { n.Clock.DT = 0 }, "resolution 0 ms"},
		{"offset", func(n *Network) { n.Populations[1].Offset = 2 }, "population 1 (E): offset 2"},
		{"neither model nor source", func(n *Network) { n.Populations[0].Source = nil }, "exactly one of Neuron and Source"},
		{"initial potentials", func(n *Network) { n.Populations[1].InitV = n.Populations[1].InitV[:3] }, "3 initial potentials for 4 members"},
		{"onto a source", func(n *Network) { n.Projections[0].To = 0 }, "onto a neuron population"},
		{"row bounds", func(n *Network) { n.Projections[0].RowStart = []int64{0, 2, 4} }, "RowStart: needs 4 entries"},
		{"decreasing rows", func(n *Network) { n.Projections[1].RowStart = []int64{0, 1, 0, 2, 2} }, "RowStart decreases at source 1"},
		{"target", func(n *Network) { n.Projections[1].Target[0] = 4 }, "target 4 is not in [0, 4)"},
		{"weights", func(n *Network) { n.Projections[0].Weight = n.Projections[0].Weight[:2] }, "2 weights for 4 synapses"},
		{"zero delay", func(n *Network) { n.Projections[0].Delay[3] = 0 }, "synapse 3: delay 0 ticks"},
		{"zero constant delay", func(n *Network) { n.Projections[1].ConstDelay = 0 }, "delay 0 ticks"},
		{"row order", func(n *Network) { n.Projections[0].Delay = []int32{2, 1, 2, 1} }, "source 0: the row is not ordered by (delay, target) at synapse 1"},
		{"stimulus", func(n *Network) { n.Stimuli[0].Population = 0 }, "stimulus 0: population 0 is not a neuron population"},
		{"guard", func(n *Network) { n.Guards[0].Window = 0 }, "guard 0"},
		{"record population", func(n *Network) { n.Records[0].Populations = []int{2} }, "record 0 (spikes): population 2 does not exist"},
		{"record synapse", func(n *Network) { n.Records[1].Synapses = []int{4} }, "synapse 4 is not in projection 0"},
		{"record interval", func(n *Network) { n.Records[1].Interval = 0 }, "interval 0 ticks"},
		{"modulation order", func(n *Network) { n.Modulations[1].At = 4 }, "modulation 1: tick 4 comes before the tick 5"},
	}
	for _, c := range cases {
		n := smallNetwork()
		c.mutate(n)
		err := n.Check()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error containing %q", c.name, err, c.want)
		}
	}
}
