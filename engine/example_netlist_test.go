package engine_test

import (
	"context"
	"fmt"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/engine"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/neuron"
	"github.com/snnsim/snnsim/source"
)

// counter is a Sink that counts spikes.
type counter struct{ n int }

func (c *counter) Spikes(_ snnsim.Time, ids []snnsim.NeuronID) error {
	c.n += len(ids)
	return nil
}

// Build a network in code, without a scenario file, and run it: 200
// Poisson inputs at 10 Hz drive 100 LIF neurons, each from 50 inputs drawn
// at random (fixed in-degree), through 2 mV synapses with a 1.5 ms delay.
// The connectivity stream is the one a scenario with a projection named
// "in_to_E" would use, so the synapses are those of that scenario.
func ExampleNew_networkInCode() {
	const seed = 7
	clock := snnsim.Clock{DT: 0.1} // [ms]
	input := source.DefaultPoisson()
	input.Rate = 10 // [Hz]
	cell := neuron.DefaultLIFExp()
	cell.VRest = -52 // [mV], 2 mV below threshold: inputs matter
	net := &netlist.Network{
		Name: "in_code", Clock: clock, Seed: seed, Duration: 10000, // 1 s
		Populations: []*netlist.Population{
			{Name: "in", Size: 200, Offset: 0, Source: &input},
			{Name: "E", Size: 100, Offset: 200, Neuron: &cell},
		},
	}
	rows, err := netlist.FixedIndegree(snnsim.NewRand(seed, "connect/in_to_E"), 200, 100, 50, netlist.ConnectOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	scale, err := cell.WeightScale(neuron.Exc, snnsim.Voltage) // mV into the model's internal unit
	if err != nil {
		fmt.Println(err)
		return
	}
	net.Projections = []*netlist.Projection{{
		Name: "in_to_E", From: 0, To: 1, Receptor: neuron.Exc,
		RowStart: rows.RowStart, Target: rows.Target,
		ConstWeight: float32(2 * scale),
		ConstDelay:  15, // ticks: 1.5 ms
	}}
	if err := net.Check(); err != nil { // the engine trusts the arrays
		fmt.Println(err)
		return
	}
	e, err := engine.New(net, engine.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	var spikes counter
	if err := e.Attach(&spikes, []int{1}); err != nil {
		fmt.Println(err)
		return
	}
	if err := e.Run(context.Background(), net.Duration); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d synapses, %d spikes of E in %g ms\n", net.Projections[0].Len(), spikes.n, clock.Ms(net.Duration))
	// Output:
	// 5000 synapses, 2764 spikes of E in 1000 ms
}
