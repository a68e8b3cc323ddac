package engine_test

import (
	"bytes"
	"context"
	"fmt"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
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

// A checkpoint written on some workers resumes on any number: the run goes
// on as if it had not stopped.
func ExampleSerialCheckpoints() {
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
	fmt.Printf("needs one worker for checkpoints: %q\n", engine.SerialCheckpoints(net))
	count := func(e *engine.Engine, n *int) {
		e.Attach(engine.SinkFunc(func(_ snnsim.Time, fired []snnsim.NeuronID) error {
			*n += len(fired)
			return nil
		}), nil)
	}
	var straight, split int
	e, _ := engine.New(net, engine.Config{Workers: 1})
	count(e, &straight)
	e.Run(context.Background(), 2000) // 200 ms

	a, _ := engine.New(net, engine.Config{Workers: 2})
	count(a, &split)
	a.Run(context.Background(), 777)
	var buf bytes.Buffer
	if err := a.Checkpoint(&buf, nil); err != nil {
		fmt.Println(err)
		return
	}
	meta, body, err := checkpoint.Read(&buf)
	if err != nil {
		fmt.Println(err)
		return
	}
	b, _ := engine.New(net, engine.Config{Workers: 3})
	count(b, &split)
	if err := b.Restore(meta, body); err != nil {
		fmt.Println(err)
		return
	}
	b.Run(context.Background(), 2000-777)
	w, _ := b.Workers()
	fmt.Printf("resumed on %d workers: %d spikes, one straight run %d\n", w, split, straight)
	// Output:
	// needs one worker for checkpoints: ""
	// resumed on 3 workers: 4713 spikes, one straight run 4713
}
