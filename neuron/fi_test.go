package neuron

import (
	"fmt"
	"math"
	"testing"

	"github.com/snnsim/snnsim"
)

// TestFICurve drives one neuron per bias current and compares the firing
// with the analytic LIF f–I curve (e.g. Gerstner et al., Neuronal Dynamics,
// eq. 1.13 plus refractoriness)
//
//	f = 1/(t_ref + tau_m ln((R I - V_r')/(R I - theta'))),
//
// potentials relative to v_rest (V_r' = v_reset - v_rest = 0, theta' = 10 mV
// for the defaults). On the grid: after a spike at tick s, V is held at
// v_reset to s+R and V(s+R+k) = V_inf + (v_reset - V_inf) e^{-k dt/tau_m},
// so the next spike is at the first k with k dt > T_charge = tau_m ln(...),
// k = floor(T_charge/dt) + 1, and every ISI is exactly R + k ticks. The test
// demands that exactly (with a ±1 tick margin only when T_charge/dt is within
// 1e-6 of an integer, where rounding may decide), and the rate within the
// bound this implies: 1/(t_ref + T_charge + dt) <= f <= 1/(t_ref + T_charge).
// The conductance model has no conductance here, and its scheme is then the
// exact propagator, so the three LIF models share the curve
// (lif_cond_ampa_nmda, forward Euler with a moving threshold, has its own
// f–I check in TestLIFAmpaNmdaFI).
func TestFICurve(t *testing.T) {
	// Rheobase: R I = theta - v_rest = 10 mV, I = 100 pA at R = 100 MOhm.
	// Eleven currents above it (from just above to far above) and one below.
	currents := []float64{99, 100.5, 102, 105, 110, 120, 150, 200, 300, 500, 1000, 5000}
	const T = 40000 // 4 s
	for _, p := range lifModels() {
		b := baseOf(p)
		R := b.TauM / b.CM // [GOhm]
		rTicks := clock01.CeilTicks(b.TRef)
		for _, always := range []bool{false, true} {
			t.Run(fmt.Sprintf("model=%s/always=%v", p.Model(), always), func(t *testing.T) {
				forEachKernel(t, func(t *testing.T) {
					pop := mustNew(t, p, len(currents), clock01)
					pop.SetAlwaysActive(always)
					for i, I := range currents {
						pop.SetBias(0, i, I)
					}
					spikes, _ := run(t, pop, T, nil, !always)
					byNeuron := make([][]snnsim.Time, len(currents))
					for _, s := range spikes {
						byNeuron[s.i] = append(byNeuron[s.i], s.t)
					}
					for i, I := range currents {
						ri := R * I
						th := b.VThreshold - b.VRest
						vr := b.VReset - b.VRest
						if ri <= th {
							if len(byNeuron[i]) != 0 {
								t.Errorf("I=%g pA below rheobase fired %d times", I, len(byNeuron[i]))
							}
							continue
						}
						tc := b.TauM * math.Log((ri-vr)/(ri-th)) // charging time [ms]
						x := tc / 0.1
						k := snnsim.Time(math.Floor(x)) + 1
						margin := snnsim.Time(0)
						if math.Abs(x-math.Round(x)) < 1e-6 {
							margin = 1
						}
						sp := byNeuron[i]
						if len(sp) < 2 {
							t.Fatalf("I=%g pA: %d spikes", I, len(sp))
						}
						// The first spike charges from v_rest = v_reset at tick 0.
						if d := sp[0] - k; d < -margin || d > margin {
							t.Errorf("I=%g pA: first spike at tick %d, want %d", I, sp[0], k)
						}
						for j := 1; j < len(sp); j++ {
							isi := sp[j] - sp[j-1]
							if d := isi - (rTicks + k); d < -margin || d > margin {
								t.Fatalf("I=%g pA: ISI %d = %d ticks, want R + k = %d + %d", I, j, isi, rTicks, k)
							}
						}
						rate := float64(len(sp)-1) / (float64(sp[len(sp)-1]-sp[0]) * 0.1) // [1/ms]
						lo, hi := 1/(b.TRef+tc+0.1), 1/(b.TRef+tc)
						if rate < lo*(1-1e-12) || rate > hi*(1+1e-12) {
							t.Errorf("I=%g pA: rate %.6g Hz outside [%.6g, %.6g] Hz", I, 1000*rate, 1000*lo, 1000*hi)
						}
					}
				})
			})
		}
	}
}

// TestRefractoryMinimalISI checks Auryn's convention (its B1/B2 neurons):
// after a spike at step n, V is clamped for steps n+1..n+50 and integration
// resumes in n+51, so with t_ref = 5 ms at 0.1 ms and a huge drive the ISI
// is exactly 51 ticks (5.1 ms), whether the drive is a bias current or
// synaptic input at every tick (input during the clamp is ignored by the
// delta model and integrated by the synapses of the others).
// lif_cond_ampa_nmda takes part with t_ref = 5 ms and no threshold jump.
func TestRefractoryMinimalISI(t *testing.T) {
	for _, p := range refractoryModels() {
		for _, drive := range []string{"bias", "synaptic"} {
			t.Run(fmt.Sprintf("model=%s/drive=%s", p.Model(), drive), func(t *testing.T) {
				forEachKernel(t, func(t *testing.T) {
					pop := mustNew(t, p, 5, clock01)
					var inputs []input
					if drive == "bias" {
						for i := range 5 {
							pop.SetBias(0, i, 1e6) // R·I = 1e5 mV
						}
					} else {
						for tk := snnsim.Time(1); tk <= 2000; tk++ {
							for i := range 5 {
								inputs = append(inputs, input{t: tk, r: Exc, i: int32(i), w: strongExc(p)})
							}
						}
					}
					spikes, _ := run(t, pop, 2000, inputs, true)
					last := map[int32]snnsim.Time{}
					count := 0
					for _, s := range spikes {
						if l, ok := last[s.i]; ok {
							count++
							if s.t-l != 51 {
								t.Fatalf("neuron %d: ISI %d ticks at t=%d, want 51", s.i, s.t-l, s.t)
							}
						}
						last[s.i] = s.t
					}
					if count < 5*30 {
						t.Fatalf("only %d ISIs", count)
					}
				})
			})
		}
	}
}
