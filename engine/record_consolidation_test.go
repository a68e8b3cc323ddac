package engine

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/spikelog"
)

// The consolidation records sample what the state API reads: a
// "synapses" series holds each chosen synapse's variable, a "pathway" pair
// the mean and (population) standard deviation over the projection, a
// "neuron_state" series the protein, all after the sample tick.
func TestConsolidationRecords(t *testing.T) {
	e := stcEngine(t, Config{}, "stc_capture.toml", "simulation.duration=3 h")
	every := ticksAt(t, e.net, 20*60e3)
	recs := []*netlist.Record{
		{What: netlist.RecordSynapses, Projection: 1, Synapses: []int{3, 50, 99}, Variables: []string{"h", "z"}, Interval: every},
		{What: netlist.RecordPathway, Projection: 0, Variables: []string{"efficacy"}, Interval: every},
		{What: netlist.RecordNeuronState, Populations: []int{0}, Variables: []string{"protein"}, Interval: every},
	}
	got := map[string][][]float64{}
	var ticks []snnsim.Time
	declared := map[string]Series{}
	err := e.AttachRecords(recs, nil, func(se Series) (SampleFunc, error) {
		declared[se.Name] = se
		return func(tk snnsim.Time, v []float64) error {
			got[se.Name] = append(got[se.Name], append([]float64(nil), v...))
			if se.Name == "neuron_state/N/protein" {
				ticks = append(ticks, tk)
			}
			return nil
		}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Each series names the record kind it comes from and, as its kind, the
	// variable sampled; a pathway series has its statistic as its unit.
	for _, w := range []Series{
		{Name: "synapses/S2_to_N/h", Record: netlist.RecordSynapses, What: "h"},
		{Name: "synapses/S2_to_N/z", Record: netlist.RecordSynapses, What: "z"},
		{Name: "pathway/S1_to_N/efficacy/mean", Record: netlist.RecordPathway, What: "efficacy", Unit: spikelog.StatMean},
		{Name: "pathway/S1_to_N/efficacy/sd", Record: netlist.RecordPathway, What: "efficacy", Unit: spikelog.StatSD},
		{Name: "neuron_state/N/protein", Record: netlist.RecordNeuronState, What: "protein"},
	} {
		g, ok := declared[w.Name]
		if !ok || g.Record != w.Record || g.What != w.What || g.Unit != w.Unit {
			t.Errorf("series %q declared as %+v (found %v), want record %q, what %q, unit %q", w.Name, g, ok, w.Record, w.What, w.Unit)
		}
	}
	// Expected values, read through the API at the same ticks.
	want := map[string][][]float64{}
	for k := 0; k < 9; k++ {
		tk := snnsim.Time(k) * every
		if err := e.Run(context.Background(), tk+1-e.Now()); err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{"h", "z"} {
			var row []float64
			for _, syn := range []snnsim.SynapseID{3, 50, 99} {
				x, _ := e.SynapseState(1, syn, v)
				row = append(row, x)
			}
			want["synapses/S2_to_N/"+v] = append(want["synapses/S2_to_N/"+v], row)
		}
		var sum, sq float64
		for syn := range snnsim.SynapseID(100) {
			x, _ := e.SynapseState(0, syn, "efficacy")
			sum += x
			sq += x * x
		}
		mean := sum / 100
		want["pathway/S1_to_N/efficacy/mean"] = append(want["pathway/S1_to_N/efficacy/mean"], []float64{mean})
		want["pathway/S1_to_N/efficacy/sd"] = append(want["pathway/S1_to_N/efficacy/sd"], []float64{math.Sqrt(max(sq/100-mean*mean, 0))})
		p, _ := e.NeuronState(0, 0, "protein")
		want["neuron_state/N/protein"] = append(want["neuron_state/N/protein"], []float64{p})
	}
	for name, w := range want {
		g := got[name]
		if len(g) != len(w) {
			t.Fatalf("%s: %d samples, want %d (series: %v)", name, len(g), len(w), keys(got))
		}
		for i := range w {
			for k := range w[i] {
				if math.Abs(g[i][k]-w[i][k]) > 1e-9*math.Max(1, math.Abs(w[i][k])) {
					t.Errorf("%s sample %d [%d]: %v, want %v", name, i, k, g[i][k], w[i][k])
				}
			}
		}
	}
	if ticks[1] != every {
		t.Errorf("second sample at tick %d, want %d", ticks[1], every)
	}
	if p := want["neuron_state/N/protein"][3][0]; p < 0.5 {
		t.Errorf("protein %g at 1 h: the run did not exercise the records", p)
	}
	// Unknown variables are errors naming what exists.
	bad := []*netlist.Record{{What: netlist.RecordSynapses, Projection: 0, Variables: []string{"tag"}, Interval: every}}
	if err := e.AttachRecords(bad, nil, func(Series) (SampleFunc, error) { return func(snnsim.Time, []float64) error { return nil }, nil }); err == nil || !strings.Contains(err.Error(), `no variable "tag"`) {
		t.Errorf("unknown variable: error %v", err)
	}
}

func keys(m map[string][][]float64) []string {
	var k []string
	for n := range m {
		k = append(k, n)
	}
	return k
}
