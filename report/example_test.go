package report_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/analysis"
	"github.com/snnsim/snnsim/report"
	"github.com/snnsim/snnsim/spikelog"
)

// ExampleBuild writes a run directory holding a small log, builds its
// report and writes the page beside the log.
func ExampleBuild() {
	dir, err := os.MkdirTemp("", "run")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	h := spikelog.Header{Program: "example", DT: 0.1, Scenario: "example",
		Populations: []spikelog.Population{{Name: "E", Size: 10, Kind: spikelog.Neuron}}}
	w, err := spikelog.Create(filepath.Join(dir, analysis.LogName), h, spikelog.Options{})
	if err != nil {
		panic(err)
	}
	for t := snnsim.Time(0); t < 10000; t += 50 { // neuron t mod 10 fires every 5 ms: 20 Hz each
		w.Spikes(t, []snnsim.NeuronID{snnsim.NeuronID(t / 50 % 10)})
	}
	w.Mark(10000, analysis.RunEndMark)
	if err := w.Close(); err != nil {
		panic(err)
	}

	p, err := report.Build(dir, report.Options{})
	if err != nil {
		panic(err)
	}
	var b strings.Builder
	if err := p.WriteHTML(&b); err != nil {
		panic(err)
	}
	if err := os.WriteFile(filepath.Join(dir, report.FileName), []byte(b.String()), 0o644); err != nil {
		panic(err)
	}
	fmt.Println("log:", p.Integrity.Status)
	fmt.Printf("E: %d spikes, %.0f Hz\n", p.Populations[0].Spikes, p.Populations[0].Rate)
	for _, f := range p.Figures {
		fmt.Println("figure:", f.Name)
	}
	// Output:
	// log: complete
	// E: 200 spikes, 20 Hz
	// figure: raster
	// figure: rate
}
