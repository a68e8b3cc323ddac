package analysis

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/spikelog"
)

// BenchmarkWeightsAt reads the last weights of a projection of 100,000
// synapses, sampled twice, from a log that also holds a rate series
// sampled 5,000 times, as a long run's log does (rates every 100 ms,
// weights every 10 min): the cost of a rate sample must not grow with the
// number of synapses the log records.
func BenchmarkWeightsAt(b *testing.B) {
	const synapses, rates = 100_000, 5000
	h := spikelog.Header{Program: "bench", DT: 0.1, Seed: 1, Populations: []spikelog.Population{{Name: "E", First: 0, Size: 1000, Kind: spikelog.Neuron}}}
	path := filepath.Join(b.TempDir(), "w.snnlog")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w, err := spikelog.NewWriter(f, h, spikelog.Options{})
	if err != nil {
		b.Fatal(err)
	}
	idx := make([]int, synapses)
	pre, post, v := make([]float64, synapses), make([]float64, synapses), make([]float64, synapses)
	for s := range idx {
		idx[s], pre[s], post[s], v[s] = s, float64(s%1000), float64(s/100), float64(s)/synapses
	}
	name := spikelog.WeightsPrefix + "E_to_E"
	ws, err := w.Declare(spikelog.Series{Name: name, What: spikelog.WhatWeights, Projection: "E_to_E", Indices: idx})
	if err != nil {
		b.Fatal(err)
	}
	ps, _ := w.Declare(spikelog.Series{Name: name + "/" + spikelog.WhatPre, What: spikelog.WhatPre, Unit: spikelog.UnitID, Projection: "E_to_E", Indices: idx})
	qs, _ := w.Declare(spikelog.Series{Name: name + "/" + spikelog.WhatPost, What: spikelog.WhatPost, Unit: spikelog.UnitID, Projection: "E_to_E", Indices: idx})
	rs, err := w.Declare(spikelog.Series{Name: "rate/E", What: "rate", Unit: "Hz", Population: "E"})
	if err != nil {
		b.Fatal(err)
	}
	check := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	check(w.Sample(ps, 0, pre))
	check(w.Sample(qs, 0, post))
	check(w.Sample(ws, 0, v))
	for k := range rates {
		check(w.Sample(rs, snnsim.Time(1000*(k+1)), []float64{float64(k)}))
	}
	check(w.Sample(ws, 1000*rates, v))
	check(w.Close())
	check(f.Close())
	b.ResetTimer()
	for range b.N {
		_, _, got, tick, err := WeightsAt(path, "E_to_E", -1)
		if err != nil || tick != 1000*rates || len(got) != synapses {
			b.Fatalf("tick %d, %d weights, %v", tick, len(got), err)
		}
	}
}
