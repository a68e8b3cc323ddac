package analysis

import (
	"errors"
	"fmt"
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
	path, w, done := newLog(b, 1000)
	idx := make([]int, synapses)
	pre, post, v := make([]float64, synapses), make([]float64, synapses), make([]float64, synapses)
	for s := range idx {
		idx[s], pre[s], post[s], v[s] = s, float64(s%1000), float64(s/100), float64(s)/synapses
	}
	ws, ps, qs := declareWeights(b, w, "E_to_E", idx)
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
	done()
	b.ResetTimer()
	for range b.N {
		_, _, got, tick, err := WeightsAt(path, "E_to_E", -1)
		if err != nil || tick != 1000*rates || len(got) != synapses {
			b.Fatalf("tick %d, %d weights, %v", tick, len(got), err)
		}
	}
}

// BenchmarkExportNPZ exports a log of 2,000,000 spikes of 1,000 neurons
// over 100 s as an .npz archive: the cost per spike of the encoding and
// the compression, which a long run's export pays 10^8 times.
func BenchmarkExportNPZ(b *testing.B) {
	const neurons, ticks = 1000, 1_000_000
	path, w, done := newLog(b, neurons)
	dir := filepath.Dir(path)
	// Two spikes per tick, of neurons drawn by a fixed LCG: 20 Hz each.
	x, ids, n := uint32(1), make([]snnsim.NeuronID, 2), 0
	for t := range snnsim.Time(ticks) {
		for k := range ids {
			x = x*1664525 + 1013904223
			ids[k] = snnsim.NeuronID(int(x>>8)%(neurons/2)*2 + k)
		}
		if ids[0] > ids[1] {
			ids[0], ids[1] = ids[1], ids[0]
		}
		if err := w.Spikes(t, ids); err != nil {
			b.Fatal(err)
		}
		n += len(ids)
	}
	done()
	b.ResetTimer()
	for k := range b.N {
		if err := ExportNPZ(path, filepath.Join(dir, fmt.Sprintf("run%d.npz", k))); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/spike")
}

// newLog creates a log of one population, E of n neurons, at 0.1 ms in a
// new file in tb's temporary directory, and returns its path, its writer
// and a function that closes both.
func newLog(tb testing.TB, n int) (string, *spikelog.Writer, func()) {
	tb.Helper()
	h := spikelog.Header{Program: "test", DT: 0.1, Seed: 1, Populations: []spikelog.Population{{Name: "E", First: 0, Size: n, Kind: spikelog.Neuron}}}
	path := filepath.Join(tb.TempDir(), "test.snnlog")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w, err := spikelog.NewWriter(f, h, spikelog.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return path, w, func() {
		if err := errors.Join(w.Close(), f.Close()); err != nil {
			tb.Fatal(err)
		}
	}
}

// declareWeights declares the series of a weights record of projection
// proj over the synapses idx, as the engine does: the weights, and the
// presynaptic and postsynaptic IDs.
func declareWeights(tb testing.TB, w *spikelog.Writer, proj string, idx []int) (ws, pre, post int) {
	tb.Helper()
	name := spikelog.WeightsPrefix + proj
	var errs [3]error
	ws, errs[0] = w.Declare(spikelog.Series{Name: name, What: spikelog.WhatWeights, Projection: proj, Indices: idx})
	pre, errs[1] = w.Declare(spikelog.Series{Name: name + "/" + spikelog.WhatPre, What: spikelog.WhatPre, Unit: spikelog.UnitID, Projection: proj, Indices: idx})
	post, errs[2] = w.Declare(spikelog.Series{Name: name + "/" + spikelog.WhatPost, What: spikelog.WhatPost, Unit: spikelog.UnitID, Projection: proj, Indices: idx})
	if err := errors.Join(errs[:]...); err != nil {
		tb.Fatal(err)
	}
	return ws, pre, post
}
