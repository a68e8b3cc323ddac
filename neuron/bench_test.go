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
// so V_inf = -40 mV; Brette et al. 2007), and for
// lif_cond_ampa_nmda and aif_cond_ampa_nmda a bias of 250 pA (V_inf = -70 +
// 25 = -45 mV; B3 and Zenke et al. 2015 keep their neurons active by input
// instead).
func benchModels() []Params {
	delta := DefaultLIFDelta()
	delta.VRest = -49 // B1's drive
	cuba := DefaultLIFExp()
	cuba.VRest = -49 // B1 "cuba"
	coba := DefaultLIFCond()
	coba.IBias = 200 // B2 "coba": I_bg = 20 mV = 200 pA · 100 MOhm
	ampa := DefaultLIFAmpaNmda()
	ampa.IBias = 250
	aif := DefaultAIFAmpaNmda()
	aif.IBias = 250
	return []Params{delta, cuba, coba, ampa, aif}
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
			if !isCond(p) {
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

// BenchmarkDeliverUpdate measures Deliver plus Update of n neurons, all
// active, with the synaptic input of B2 "coba" (Brette et al. 2007,
// benchmark 1): 5.5e6 synaptic
// events per simulated second at 0.1 ms, that is 550 per tick for 4000
// neurons, arriving as the fan-outs of about 7 spikes (80 targets each,
// in random order), 4/5 excitatory (0.4 g_L) and 1/5 inhibitory (5.1 g_L;
// 0.04 and 0.5 scaled for the mV models). The inputs of 1000 ticks are drawn
// before timing and replayed.
//
//	go test ./neuron/ -run '^$' -bench DeliverUpdate -benchtime 200ms
func BenchmarkDeliverUpdate(b *testing.B) {
	const n, perTick, fanOut, ticks = 4000, 550, 80, 1000
	clock := snnsim.Clock{DT: 0.1}
	for _, p := range benchModels() {
		b.Run(fmt.Sprintf("model=%s/n=%d", p.Model(), n), func(b *testing.B) {
			pop, err := p.New(n, clock)
			if err != nil {
				b.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(3, 4)) // arbitrary fixed seed
			scale := float32(1)
			if !isCond(p) {
				scale = 0.1
			}
			type burst struct {
				r       Receptor
				targets []int32
				weights []float32
			}
			in := make([][]burst, ticks)
			for tk := range in {
				for range perTick / fanOut {
					bu := burst{r: Exc}
					w := scale * 0.4
					if rng.IntN(5) == 0 {
						bu.r, w = Inh, scale*5.1
					}
					for range fanOut {
						bu.targets = append(bu.targets, int32(rng.IntN(n)))
						bu.weights = append(bu.weights, w)
					}
					in[tk] = append(in[tk], bu)
				}
			}
			for i := range n {
				pop.SetV(0, i, -60+10*rng.Float64()) // B1's initial V ~ U[-60, -50) mV
			}
			fired := make([]int32, 0, n)
			t := snnsim.Time(0)
			b.ReportAllocs()
			for b.Loop() {
				t++
				for _, bu := range in[t%ticks] {
					pop.Deliver(t, bu.r, bu.targets, bu.weights)
				}
				fired = pop.Update(t, fired[:0])
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/neuron-step")
		})
	}
}

// BenchmarkB3Neurons measures Deliver plus Update of the 25,000
// lif_cond_ampa_nmda neurons of B3 "plastic" (Zenke, Hennequin &
// Gerstner 2013) as one
// population, with B3's synaptic input: 7.9e8 events per 10 s, that is
// 7900 per tick, here as the fan-outs of 6 spikes per tick (1316 targets
// each, in random order), 5 to g_ampa (weight 0.16) and 1 to g_gaba
// (weight 1), near B3's 6400 and 1500. Initial V ~ Normal(-60 mV, 10 mV).
// The inputs of 200 ticks are drawn before timing and replayed, after
// 100 ms of warm-up. The active-set shortcut is on, as in a run (every
// neuron stays active under this input). The sub-benchmark input=none
// times the dense loop alone: Update without input, after the same
// warm-up (so that the conductances start at their B3 levels), with every
// neuron kept active (SetAlwaysActive).
//
//	go test ./neuron/ -run '^$' -bench B3Neurons -benchtime 200ms
func BenchmarkB3Neurons(b *testing.B) {
	const n, fanOut, ticks = 25000, 1316, 200
	clock := snnsim.Clock{DT: 0.1}
	for _, input := range []string{"b3", "none"} {
		b.Run(fmt.Sprintf("n=%d/input=%s", n, input), func(b *testing.B) {
			pop, err := DefaultLIFAmpaNmda().New(n, clock)
			if err != nil {
				b.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(5, 6)) // arbitrary fixed seed
			type burst struct {
				r       Receptor
				targets []int32
				weights []float32
			}
			in := make([][]burst, ticks)
			for tk := range in {
				for k := range 6 {
					bu := burst{r: Exc}
					w := float32(0.16)
					if k == 0 {
						bu.r, w = Inh, 1
					}
					for range fanOut {
						bu.targets = append(bu.targets, int32(rng.IntN(n)))
						bu.weights = append(bu.weights, w)
					}
					in[tk] = append(in[tk], bu)
				}
			}
			for i := range n {
				pop.SetV(0, i, -60+10*rng.NormFloat64())
			}
			fired := make([]int32, 0, n)
			t := snnsim.Time(0)
			step := func(deliver bool) {
				t++
				if deliver {
					for _, bu := range in[t%ticks] {
						pop.Deliver(t, bu.r, bu.targets, bu.weights)
					}
				}
				fired = pop.Update(t, fired[:0])
			}
			for range 1000 {
				step(true)
			}
			if pop.Active() != n {
				b.Fatalf("Active() = %d, want %d", pop.Active(), n)
			}
			pop.SetAlwaysActive(input == "none")
			b.ReportAllocs()
			for b.Loop() {
				step(input == "b3")
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/neuron-step")
		})
	}
}
