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

// Spikes returns an iterator for a range loop; PopulationFilter selects one
// population and a time window, so that only the blocks in the window are
// decoded.
func ExampleReader_Spikes() {
	r, err := spikelog.NewReader(exampleLog())
	if err != nil {
		log.Fatal(err)
	}
	f, err := r.Header().PopulationFilter("E", 13, 1000) // ticks [13, 1000)
	if err != nil {
		log.Fatal(err)
	}
	for s := range r.Spikes(f) {
		fmt.Printf("tick %d: E[%d]\n", s.T, s.ID) // E starts at global ID 0
	}
	if err := r.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// tick 13: E[4]
	// tick 250: E[2]
	// tick 250: E[3]
}

// A series is declared once and then sampled: here the membrane potential
// of neurons 0 and 3 of E every 10 ticks, and the rate of population P.
func ExampleWriter_Sample() {
	var buf bytes.Buffer
	w, err := spikelog.NewWriter(&buf, header, spikelog.Options{})
	if err != nil {
		log.Fatal(err)
	}
	v, err := w.Declare(spikelog.Series{Name: "v/E", What: "v", Unit: "mV", Population: "E", Interval: 10, Indices: []int{0, 3}})
	if err != nil {
		log.Fatal(err)
	}
	rate, _ := w.Declare(spikelog.Series{Name: "rate/P", What: "rate", Unit: "Hz", Population: "P", Interval: 20})
	w.Sample(v, 0, []float64{-65, -60.5})
	w.Sample(v, 10, []float64{-64.25, -52})
	w.Sample(rate, 0, []float64{12.5}) // spikes in ticks [0, 20), per neuron and second
	if err := w.Sample(v, 10, []float64{-63, -51}); err != nil {
		fmt.Println(err)
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	r, _ := spikelog.NewReader(&buf)
	st, _ := r.Stats()
	for _, s := range st.Series {
		fmt.Printf("%s: %s [%s] of %s %v, %d samples\n", s.Name, s.What, s.Unit, s.Population, s.Indices, s.Samples)
	}
	// Output:
	// spikelog: Sample of series 0 at tick 10: ticks must be >= 0 and increase from sample to sample (the last had tick 10)
	// v/E: v [mV] of E [0 3], 2 samples
	// rate/P: rate [Hz] of P [], 1 samples
}

// Samples iterates over the samples of chosen series in a time window.
// Values are exactly the float64s written; copy them to keep them past the
// loop body. SeriesOf gives each sample's series.
func ExampleReader_Samples() {
	var buf bytes.Buffer
	w, _ := spikelog.NewWriter(&buf, header, spikelog.Options{})
	v, _ := w.Declare(spikelog.Series{Name: "v/E", What: "v", Unit: "mV", Population: "E", Interval: 10, Indices: []int{0, 3}})
	for t := snnsim.Time(0); t < 50; t += 10 {
		w.Sample(v, t, []float64{-65 + float64(t)/10, -60})
	}
	w.Close()

	r, err := spikelog.NewReader(&buf)
	if err != nil {
		log.Fatal(err)
	}
	clock := r.Header().Clock()
	for s := range r.Samples(spikelog.SampleFilter{Series: []string{"v/E"}, From: 10, To: 40}) {
		series := r.SeriesOf(s.Series)
		fmt.Printf("%4.1f ms: %s = %v %s\n", clock.Ms(s.T), series.Name, s.Values, series.Unit)
	}
	if err := r.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	//  1.0 ms: v/E = [-64 -60] mV
	//  2.0 ms: v/E = [-63 -60] mV
	//  3.0 ms: v/E = [-62 -60] mV
}
