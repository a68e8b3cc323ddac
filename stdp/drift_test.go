package stdp

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/snnsim/snnsim"
)

// TestRateDrift checks the rate-based limit of the all-to-all minimal
// triplet rule (Pfister & Gerstner 2006, Eq. 6 and its rate limit): for independent Poisson trains of rates
// ρx (pre) and ρy (post) the mean drift is
//
//	⟨dw/dt⟩ = ρx ρy (A3+ τ+ τy ρy − A2− τ−)
//
// (visual-cortex minimal parameters; the threshold is ρθ = A2− τ−/(A3+ τ+
// τy) ≈ 19.2 Hz). Each trial is one synapse, unbounded, driven by seeded
// Bernoulli-per-tick trains (math/rand/v2 PCG); the drift is the weight
// change over 100 s after a 2 s warm-up (the traces' start-up transient is
// then below e^-17). Over 400 trials the mean must lie within 3 standard
// errors of the prediction at each of 5 rate pairs.
//
// On the 0.1 ms grid the kernels are sums over earlier ticks: a trace of
// time constant τ at rate ρ averages ρ dt a/(1−a), a = e^{−dt/τ}, which is
// ρτ(1 − dt/2τ + …), 0.3 % below ρτ for τ+. The test also reports the z
// score against this grid-exact prediction, which the rule must meet too.
func TestRateDrift(t *testing.T) {
	const (
		trials = 400
		warmup = 20000   // 2 s in ticks
		span   = 1000000 // 100 s in ticks
	)
	p := DefaultTriplet() // visual_cortex_all_to_all_minimal: A2+ = A3− = 0
	p.WMin, p.WMax = math.Inf(-1), math.Inf(1)
	s := func(ms float64) float64 { return ms / 1000 }
	dt := s(testClock.DT)
	for ri, rates := range [][2]float64{{5, 10}, {10, 5}, {20, 20}, {10, 30}, {40, 50}} {
		rx, ry := rates[0], rates[1]
		t.Run(fmt.Sprintf("rho_x=%gHz/rho_y=%gHz", rx, ry), func(t *testing.T) {
			want := rx * ry * (p.A3Plus*s(p.TauPlus)*s(p.TauY)*ry - p.A2Minus*s(p.TauMinus))
			k := func(rho, tau float64) float64 { // grid kernel sum ⟨Σ_{n≥1} Bernoulli·a^n⟩
				a := math.Exp(-dt / s(tau))
				return rho * dt * a / (1 - a)
			}
			wantGrid := ry*p.A3Plus*k(rx, p.TauPlus)*k(ry, p.TauY) - rx*p.A2Minus*k(ry, p.TauMinus)

			// One rule; trial n uses its own neurons i = j = n, so trials
			// are independent (traces are per neuron).
			r, err := NewTriplet[float64](p, testClock, trials, trials)
			if err != nil {
				t.Fatal(err)
			}
			var sum, sum2 float64
			for trial := range trials {
				rng := rand.New(rand.NewPCG(uint64(ri), uint64(trial))) // fixed seeds
				pre := poissonTicks(rng, rx, testClock.DT, 0, warmup+span)
				post := poissonTicks(rng, ry, testClock.DT, 0, warmup+span)
				w := []float64{0}
				var w0 float64
				n := int32(trial)
				tgt, src, syn := []int32{n}, []int32{n}, []int32{0}
				a, b := 0, 0
				warm := false
				for a < len(pre) || b < len(post) {
					tick := snnsim.Never
					if a < len(pre) {
						tick = pre[a]
					}
					if b < len(post) {
						tick = min(tick, post[b])
					}
					if !warm && tick >= warmup {
						w0, warm = w[0], true
					}
					if a < len(pre) && pre[a] == tick {
						r.Pre(tick, n, tgt, w)
						a++
					}
					if b < len(post) && post[b] == tick {
						r.Post(tick, n, src, syn, w)
						b++
					}
				}
				drift := (w[0] - w0) / (float64(span) * dt)
				sum += drift
				sum2 += drift * drift
			}
			mean := sum / trials
			sd := math.Sqrt((sum2 - trials*mean*mean) / (trials - 1))
			se := sd / math.Sqrt(trials)
			z, zGrid := (mean-want)/se, (mean-wantGrid)/se
			t.Logf("drift %.5g ± %.2g /s (s.e., %d trials × 100 s); prediction %.5g (z = %+.2f), grid-exact %.5g (z = %+.2f)",
				mean, se, trials, want, z, wantGrid, zGrid)
			if math.Abs(z) > 3 {
				t.Errorf("drift %.5g /s is %.2f standard errors from ρx ρy (A3+ τ+ τy ρy − A2− τ−) = %.5g /s", mean, z, want)
			}
			if math.Abs(zGrid) > 3 {
				t.Errorf("drift %.5g /s is %.2f standard errors from the grid-exact prediction %.5g /s", mean, zGrid, wantGrid)
			}
		})
	}
}
