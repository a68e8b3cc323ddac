package spikelog_test

import (
	"bytes"
	"fmt"
	"log"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/spikelog"
)

// header describes a two-population network at 0.1 ms resolution.
var header = spikelog.Header{
	Program:  "snnsim example",
	DT:       0.1,
	Seed:     42,
	Scenario: "two-pops",
	Text:     "# scenario text goes here\n",
	Populations: []spikelog.Population{
		{Name: "E", First: 0, Size: 8, Kind: spikelog.Neuron},
		{Name: "P", First: 8, Size: 4, Kind: spikelog.Source},
	},
}

// The engine calls Spikes once per tick that has spikes, with the IDs in
// increasing order; Close writes the end block. Create does the same into a
// file.
func ExampleWriter() {
	var buf bytes.Buffer
	w, err := spikelog.NewWriter(&buf, header, spikelog.Options{})
	if err != nil {
		log.Fatal(err)
	}
	w.Mark(0, "run start")
	w.Spikes(12, []snnsim.NeuronID{1, 9})
	w.Spikes(13, []snnsim.NeuronID{4})
	if err := w.Spikes(13, []snnsim.NeuronID{5}); err != nil {
		fmt.Println(err) // ticks must increase
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	r, err := spikelog.NewReader(&buf)
	if err != nil {
		log.Fatal(err)
	}
	st, err := r.Stats()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d spikes in ticks %d..%d, %d mark, closed cleanly: %v\n",
		st.Spikes, st.First, st.Last, len(st.Marks), st.Complete)
	// Output:
	// spikelog: Spikes at tick 13: ticks must be >= 0 and increase from call to call (the last call had tick 13)
	// 3 spikes in ticks 12..13, 1 mark, closed cleanly: true
}

// exampleLog returns a small closed log.
func exampleLog() *bytes.Buffer {
	var buf bytes.Buffer
	w, _ := spikelog.NewWriter(&buf, header, spikelog.Options{})
	w.Mark(0, "run start")
	w.Spikes(12, []snnsim.NeuronID{1, 9})
	w.Spikes(13, []snnsim.NeuronID{4})
	w.Spikes(250, []snnsim.NeuronID{2, 3, 10})
	w.Close()
	return &buf
}

// Next and Spike stream the spikes block by block; Err tells damage from a
// clean end, and Complete whether the writer closed the log.
func ExampleReader() {
	r, err := spikelog.NewReader(exampleLog()) // or spikelog.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	clock := r.Header().Clock()
	for r.Next() {
		s := r.Spike()
		fmt.Printf("%5.1f ms  neuron %d\n", clock.Ms(s.T), s.ID)
	}
	if err := r.Err(); err != nil {
		log.Fatal(err) // a *spikelog.CorruptError names the damaged offset
	}
	fmt.Println("marks:", r.Marks(), "complete:", r.Complete())
	// Output:
	//   1.2 ms  neuron 1
	//   1.2 ms  neuron 9
	//   1.3 ms  neuron 4
	//  25.0 ms  neuron 2
	//  25.0 ms  neuron 3
	//  25.0 ms  neuron 10
	// marks: [{0 run start}] complete: true
}

// A Filter selects one population in a time window.
func ExampleReader_SetFilter() {
	r, err := spikelog.NewReader(exampleLog())
	if err != nil {
		log.Fatal(err)
	}
	e, _ := r.Header().Population("E")
	r.SetFilter(spikelog.Filter{From: 13, To: 1000, Lo: e.First, Hi: e.End()})
	for r.Next() {
		fmt.Println(r.Spike())
	}
	// Output:
	// {13 4}
	// {250 2}
	// {250 3}
}
