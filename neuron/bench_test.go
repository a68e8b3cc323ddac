package neuron

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/snnsim/snnsim"
)

// benchModels are whole-network-like settings in which every neuron stays
// active: the resting drive is above threshold, as in B1 "cuba" (v_rest =
// -49 mV > v_threshold = -50 mV) and B2 "coba" (i_bias = 200 pA, R = 100 MOhm,
// so V_inf = -40 mV), see /work/shared/reference/anchors.md.
func benchModels() []Params {
	delta := DefaultLIFDelta()
	delta.VRest = -49 // B1's drive
	cuba := DefaultLIFExp()
	cuba.VRest = -49 // B1 "cuba"
	coba := DefaultLIFCond()
	coba.IBias = 200 // B2 "coba": I_bg = 20 mV = 200 pA · 100 MOhm
	return []Params{delta, cuba, coba}
}

// BenchmarkUpdate measures Update of n neurons, all active (the dense loop).
// Before timing, every neuron gets a random excitatory and inhibitory input
// of the B2 sizes (0.4 and 5.1 g_L; 0.04 and 0.5 scaled for the mV models),
// so that the synaptic variables are non-zero; the timed loop has no
// deliveries, so that it measures the neuron update alone.
//
//	go test ./neuron/ -run '^$' -bench Update -benchtime 200ms
func BenchmarkUpdate(b *testing.B) {
	const n = 4000 // B1/B2 network size
	clock := snnsim.Clock{DT: 0.1}
	for _, p := range benchModels() {
		b.Run(fmt.Sprintf("model=%s/n=%d", p.Model(), n), func(b *testing.B) {
			pop, err := p.New(n, clock)
			if err != nil {
				b.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(1, 2)) // arbitrary fixed seed
			all := make([]int32, n)
			wE := make([]float32, n)
			wI := make([]float32, n)
			scale := float32(1)
			if p.Model() != "lif_exp_cond" {
				scale = 0.1
			}
			for i := range n {
				pop.SetV(0, i, -60+10*rng.Float64()) // B1's initial V ~ U[-60, -50) mV
				all[i] = int32(i)
				wE[i] = scale * 0.4 * float32(rng.IntN(4))
				wI[i] = scale * 5.1 * float32(rng.IntN(2))
			}
			pop.Deliver(1, Exc, all, wE)
			pop.Deliver(1, Inh, all, wI)
			if pop.Active() != n {
				b.Fatalf("Active() = %d, want %d", pop.Active(), n)
			}
			fired := make([]int32, 0, n)
			t := snnsim.Time(0)
			b.ReportAllocs()
			for b.Loop() {
				t++
				fired = pop.Update(t, fired[:0])
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/neuron-step")
		})
	}
}
