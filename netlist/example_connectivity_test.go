package netlist_test

import (
	"fmt"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/neuron"
)

// Build a projection in code: every one of 4 targets gets 2 of 3 sources
// drawn at random, each synapse gets a delay, and the rows are put in the
// order the engine delivers them (by delay, then target). The stream is
// the one the scenario compiler uses for a projection named "A_to_B".
func ExampleFixedIndegree() {
	rows, err := netlist.FixedIndegree(snnsim.NewRand(1, "connect/A_to_B"), 3, 4, 2, netlist.ConnectOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	p := &netlist.Projection{
		Name: "A_to_B", From: 0, To: 1, Receptor: neuron.Exc,
		RowStart: rows.RowStart, Target: rows.Target,
		ConstWeight: 0.5,                       // in the target model's internal unit
		Delay:       make([]int32, rows.Len()), // [ticks]
	}
	for k := range p.Delay {
		p.Delay[k] = int32(3 - k%3) // 3, 2, 1, 3, ...
	}
	p.SortRows()
	fmt.Println(p.Len(), "synapses")
	for i := 0; i+1 < len(p.RowStart); i++ {
		fmt.Printf("source %d:", i)
		for k := p.RowStart[i]; k < p.RowStart[i+1]; k++ {
			fmt.Printf(" ->%d (%d ticks)", p.Target[k], p.DelayOf(k))
		}
		fmt.Println()
	}
	// Output:
	// 8 synapses
	// source 0: ->3 (1 ticks) ->2 (2 ticks) ->0 (3 ticks)
	// source 1: ->2 (1 ticks) ->1 (2 ticks) ->0 (3 ticks) ->3 (3 ticks)
	// source 2: ->1 (2 ticks)
}
