package analysis_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/analysis"
	"github.com/snnsim/snnsim/spikelog"
)

// ExampleReadSplit reads the time courses of a split pathway record (the
// early weight h of the synapses within an assembly and from it to the
// rest, as a scenario's [[record]] with split = { core = "0..1", ctrl =
// "rest" } writes them) and recombines the parts into the mean over both.
func ExampleReadSplit() {
	dir, _ := os.MkdirTemp("", "split")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, analysis.LogName)
	w, _ := spikelog.Create(path, spikelog.Header{Program: "example", DT: 0.1, Scenario: "example",
		Populations: []spikelog.Population{{Name: "E", First: 0, Size: 4, Kind: spikelog.Neuron}}}, spikelog.Options{})
	values := map[string][2][3]float64{ // part → sample → mean, sd, n
		"core->core": {{4.2, 0, 2}, {7.1, 0.1, 2}},
		"core->ctrl": {{4.2, 0, 4}, {6.9, 0.1, 4}},
	}
	for _, part := range []string{"core->core", "core->ctrl"} {
		var ids [3]int
		for k, stat := range []string{spikelog.StatMean, spikelog.StatSD, spikelog.StatN} {
			ids[k], _ = w.Declare(spikelog.Series{Name: "pathway/E_to_E/" + part + "/h/" + stat, What: "h", Unit: stat, Projection: "E_to_E", Interval: 10000})
		}
		for s, t := range []snnsim.Time{0, 10000} {
			for k := range ids {
				w.Sample(ids[k], t, []float64{values[part][s][k]})
			}
		}
	}
	w.Close()

	parts, err := analysis.ReadSplit(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range parts {
		fmt.Printf("%s %s: %v mV over %v synapses\n", p.Name(), p.Var, p.Mean, p.N)
	}
	mean, _, _ := analysis.CombineSplit([]*analysis.SplitPart{&parts[0], &parts[1]})
	fmt.Printf("core->any h: %.4g mV\n", mean)
	// Output:
	// core->core h: [4.2 7.1] mV over [2 2] synapses
	// core->ctrl h: [4.2 6.9] mV over [4 4] synapses
	// core->any h: [4.2 6.967] mV
}
