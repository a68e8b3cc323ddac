package source_test

import (
	"fmt"

	"github.com/snnsim/snnsim/source"
)

// ExampleNewOUCurrent drives 75 neurons with the recall cue of Luboeinski &
// Tetzlaff (2021): 25 inputs at 100 Hz through h0/R = 420.075 pA, for 0.1 s
// (1000 steps of 0.1 ms) from 20 s. An engine calls Advance(t+1) at tick t
// and adds Current(i) to neuron i's input over the step.
func ExampleNewOUCurrent() {
	p := source.LT2021Stimulus(420.075, 25, 100, 5)
	fmt.Printf("mean %.1f nA, sd %.1f nA\n", p.Mean/1000, p.Sigma/1000)
	cue, err := source.NewOUCurrent(75, p, 0.1, []source.OUWindow{{From: 200000, To: 201000}}, 1, "cue")
	if err != nil {
		fmt.Println(err)
		return
	}
	cue.Advance(200000)
	fmt.Println("on at 20 s:", cue.On(), "- next on at tick", cue.NextOn(0))
	cue.Advance(200500)
	fmt.Println("on at 20.05 s:", cue.On())
	cue.Advance(201001)
	fmt.Println("on at 20.1001 s:", cue.On(), cue.Current(0))
	// Output:
	// mean 1050.2 nA, sd 210.0 nA
	// on at 20 s: false - next on at tick 200000
	// on at 20.05 s: true
	// on at 20.1001 s: false 0
}
