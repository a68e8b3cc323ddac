package engine_test

import (
	"context"
	"fmt"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/engine"
	"github.com/snnsim/snnsim/scenario"
)

// Run a network on several workers: each owns a part of every
// population, and the spikes are those of one worker, bit for bit.
func ExampleConfig_workers() {
	sc, err := scenario.Load("../scenarios/cuba.toml")
	if err != nil {
		fmt.Println(err)
		return
	}
	net, err := sc.Compile()
	if err != nil {
		fmt.Println(err)
		return
	}
	spikes := func(workers int) ([]snnsim.NeuronID, int) {
		e, err := engine.New(net, engine.Config{Workers: workers})
		if err != nil {
			fmt.Println(err)
			return nil, 0
		}
		var ids []snnsim.NeuronID
		e.Attach(engine.SinkFunc(func(_ snnsim.Time, fired []snnsim.NeuronID) error {
			ids = append(ids, fired...)
			return nil
		}), nil)
		if err := e.Run(context.Background(), 2000); err != nil { // 200 ms
			fmt.Println(err)
		}
		n, _ := e.Workers()
		return ids, n
	}
	one, _ := spikes(1)
	three, n := spikes(3)
	same := len(one) == len(three)
	for k := range one {
		same = same && one[k] == three[k]
	}
	fmt.Printf("%d workers; %d spikes; the same as on one worker: %v\n", n, len(three), same)
	// Output:
	// 3 workers; 4713 spikes; the same as on one worker: true
}
