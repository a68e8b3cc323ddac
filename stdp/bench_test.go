package stdp

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/snnsim/snnsim"
)

// The benchmarks model the plastic E→E projection of the B3 benchmark
// (Zenke, Hennequin & Gerstner 2013): 20,000 neurons, 1000 synapses per row and per column (p = 0.05),
// 20M float32 weights, neurons firing at 2.5 Hz: at the start each neuron
// last fired an exponential time ago (mean 400 ms), and the timed loop keeps
// the population firing at that rate, with 5 spikes per tick (20,000 × 2.5
// Hz × 0.1 ms): each op is one spike of the measured pass, plus the trace
// update of one other random neuron on the other side, and the clock
// advances one tick every 5 ops. Run with
//
//	go test ./stdp/ -run '^$' -bench . -benchtime 200ms
const (
	benchNeurons = 20000
	benchDegree  = 1000
	benchMeanISI = 4000 // ticks (400 ms)
	benchStart   = 200000
	benchPerTick = 5 // spikes per tick
)

// benchRules are the rules measured, with float32 weights.
func benchRules() []struct {
	name string
	p    Params
} {
	pair, trip, hom := DefaultPair(), DefaultTriplet(), DefaultHomeostatic()
	p11, glob := DefaultP11(), DefaultGlobalISTDP()
	return []struct {
		name string
		p    Params
	}{{"pair", &pair}, {"triplet", &trip}, {"triplet_homeostatic", &hom}, {"p11", &p11}, {"istdp_global", &glob}}
}

// benchRule creates the rule and gives every neuron a last pre and post
// spike at a random earlier tick.
func benchRule(b *testing.B, p Params, rng *rand.Rand) Rule[float32] {
	r, err := New[float32](p, testClock, benchNeurons, benchNeurons)
	if err != nil {
		b.Fatal(err)
	}
	if rr, ok := r.(ReferenceReader); ok && rr.ReadsReference() {
		ref := make([]float64, benchNeurons*benchDegree) // w̃ of every synapse, in the lower well
		rr.UseReference(ref, 1)
	}
	// The spikes in tick order: the rules need calls in tick order.
	type spike struct {
		t    snnsim.Time
		n    int32
		post bool
	}
	var sp []spike
	for n := range int32(benchNeurons) {
		sp = append(sp, spike{benchStart - 1 - snnsim.Time(rng.ExpFloat64()*benchMeanISI)%benchStart, n, false},
			spike{benchStart - 1 - snnsim.Time(rng.ExpFloat64()*benchMeanISI)%benchStart, n, true})
	}
	slices.SortFunc(sp, func(a, b spike) int { return int(a.t - b.t) })
	for _, s := range sp {
		if s.post {
			r.TracePost(s.t, s.n)
		} else {
			r.TracePre(s.t, s.n)
		}
	}
	return r
}

// BenchmarkPre measures the depression pass at a presynaptic arrival over a
// row of 1000 synapses (targets sorted, as in the CSR rows) of a random
// source; the weight rows are slices of a 20M-element array.
func BenchmarkPre(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2)) // arbitrary fixed seed
	w := make([]float32, benchNeurons*benchDegree)
	tgt := make([]int32, len(w))
	for i := range benchNeurons {
		row := tgt[i*benchDegree : (i+1)*benchDegree]
		for k := range row {
			row[k] = int32(rng.IntN(benchNeurons))
		}
		slices.Sort(row)
	}
	for k := range w {
		w[k] = 0.16 // B3's initial E→E weight
	}
	for _, rc := range benchRules() {
		b.Run("rule="+rc.name, func(b *testing.B) {
			r := benchRule(b, rc.p, rng)
			t, op := snnsim.Time(benchStart), 0
			for b.Loop() {
				i := rng.IntN(benchNeurons)
				a := i * benchDegree
				r.Pre(t, int32(i), tgt[a:a+benchDegree], w[a:a+benchDegree])
				r.TracePost(t, int32(rng.IntN(benchNeurons)))
				if op++; op%benchPerTick == 0 {
					t++
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchDegree, "ns/synapse")
		})
	}
}

// BenchmarkPost measures the potentiation pass at a postsynaptic spike over
// 1000 incoming synapses, reached through an index array into the 20M-element
// weight array (random access, as through the transposed index): sources
// sorted, each synapse at a random place in its source's row.
func BenchmarkPost(b *testing.B) {
	const cols = 256                   // distinct columns, cycled
	rng := rand.New(rand.NewPCG(3, 4)) // arbitrary fixed seed
	w := make([]float32, benchNeurons*benchDegree)
	for k := range w {
		w[k] = 0.16
	}
	src := make([][]int32, cols)
	syn := make([][]int32, cols)
	for c := range cols {
		src[c] = make([]int32, benchDegree)
		syn[c] = make([]int32, benchDegree)
		for m := range src[c] {
			src[c][m] = int32(rng.IntN(benchNeurons))
		}
		slices.Sort(src[c])
		for m, i := range src[c] {
			syn[c][m] = i*benchDegree + int32(rng.IntN(benchDegree))
		}
	}
	for _, rc := range benchRules() {
		b.Run("rule="+rc.name, func(b *testing.B) {
			r := benchRule(b, rc.p, rng)
			t, op, c := snnsim.Time(benchStart), 0, 0
			for b.Loop() {
				j := int32(rng.IntN(benchNeurons))
				r.Post(t, j, src[c], syn[c], w)
				r.TracePre(t, int32(rng.IntN(benchNeurons)))
				c = (c + 1) % cols
				if op++; op%benchPerTick == 0 {
					t++
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchDegree, "ns/synapse")
			if math.IsNaN(float64(w[0])) {
				b.Fatal("NaN weight")
			}
		})
	}
}
