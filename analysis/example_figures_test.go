package analysis_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"gonum.org/v1/plot/vg"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/analysis"
	"github.com/snnsim/snnsim/spikelog"
)

// ExampleDefaultFigures draws every default figure of a small log (spikes
// of one population, a membrane potential) and renders them as SVG, as a
// report page would.
func ExampleDefaultFigures() {
	dir, _ := os.MkdirTemp("", "figures")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, analysis.LogName)
	w, _ := spikelog.Create(path, spikelog.Header{Program: "example", DT: 0.1, Scenario: "example",
		Populations: []spikelog.Population{{Name: "E", First: 0, Size: 3, Kind: spikelog.Neuron}}}, spikelog.Options{})
	v, _ := w.Declare(spikelog.Series{Name: "v/E", What: "v", Unit: "mV", Population: "E", Interval: 10, Indices: []int{0}})
	for t := snnsim.Time(0); t < 1000; t += 10 {
		w.Spikes(t, []snnsim.NeuronID{snnsim.NeuronID(t / 10 % 3)})
		w.Sample(v, t, []float64{-70 + float64(t%100)/10})
	}
	w.Mark(1000, analysis.RunEndMark)
	w.Close()

	figs, err := analysis.DefaultFigures(dir, analysis.PlotOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range figs {
		var svg bytes.Buffer
		if err := f.Render(&svg, "svg", 16*vg.Centimeter, 10*vg.Centimeter, 0); err != nil {
			fmt.Println(err)
		}
		fmt.Println(f.Name, bytes.Contains(svg.Bytes(), []byte("<svg")))
	}
	// Output:
	// raster true
	// rate true
	// v_E true
}
