package stdp

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/snnsim/snnsim"
)

// p11Trial runs one synapse of a new rule with parameters p over
// independent Poisson trains of rates pre and post [Hz] for warmup + span
// ticks, with w̃ = 0, and returns the weights at the end of the warm-up
// and at the end.
func p11Trial(t *testing.T, p P11Params, seed [2]uint64, pre, post float64, w0 float64, warmup, span snnsim.Time) (float64, float64) {
	r, err := NewP11[float64](p, testClock, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	r.UseReference([]float64{0}, 1)
	const n = 0
	rng := rand.New(rand.NewPCG(seed[0], seed[1]))
	pt := poissonTicks(rng, pre, testClock.DT, 0, warmup+span)
	qt := poissonTicks(rng, post, testClock.DT, 0, warmup+span)
	w := []float64{w0}
	wWarm := w0
	tgt, src, syn := []int32{n}, []int32{n}, []int32{0}
	a, b, warm := 0, 0, false
	for a < len(pt) || b < len(qt) {
		tick := snnsim.Never
		if a < len(pt) {
			tick = pt[a]
		}
		if b < len(qt) {
			tick = min(tick, qt[b])
		}
		if !warm && tick >= warmup {
			wWarm, warm = w[0], true
		}
		if a < len(pt) && pt[a] == tick {
			r.Pre(tick, n, tgt, w)
			a++
		}
		if b < len(qt) && qt[b] == tick {
			r.Post(tick, n, src, syn, w)
			b++
		}
	}
	return wWarm, w[0]
}

// gridMoments returns the first and third moments of a trace of time
// constant tau [ms] read at t−ε under a Bernoulli train of rate rho [Hz]
// on the tick grid: z = Σ_{n≥1} B_n a^n, a = e^{−dt/τ}, from the cumulants
// of the independent terms (κ1 = p, κ2 = p(1−p), κ3 = p(1−p)(1−2p) each,
// times Σ a^{mn} = a^m/(1 − a^m)).
func gridMoments(rho, tau float64) (m1, m3 float64) {
	p := rho * testClock.DT / 1000
	a := math.Exp(-testClock.DT / tau)
	g := func(m float64) float64 { am := math.Pow(a, m); return am / (1 - am) }
	k1, k2, k3 := p*g(1), p*(1-p)*g(2), p*(1-p)*(1-2*p)*g(3)
	return k1, k3 + 3*k2*k1 + k1*k1*k1
}

// TestP11Drift checks the rate limit of the P11 rule for independent
// Poisson trains with ν̄ held at the postsynaptic rate (rate_init = ν_post,
// τ_hom = 600 s), against the drift of Zenke, Agnes & Gerstner's rule,
//
//	⟨dw/dt⟩ = A⁺ τ+ τ_slow ν_pre ν_post² − A⁻ τ− (ν̄/κ)² ν_pre ν_post + δ ν_pre   (β = 0)
//
// at the authors' values (with ν = 3 Hz: 5.4e-5 − 1.6e-5 + 6.0e-5 /s; at
// 10 Hz the Hebbian terms cancel and δ is left), and the heterosynaptic
// decay alone (A⁺ = A⁻ = δ = 0): w − w̃ shrinks as exp(−β ν_post ⟨(z⁻)³⟩ t)
// with the third moment of Poisson shot noise ⟨(z⁻)³⟩ = (ντ)³ + (3/2)(ντ)²
// + ντ/3 (3.8e-3 /s at 3 Hz and β = 0.05). Each prediction is also
// computed on the tick grid, which the rule must meet within 3 standard
// errors of the mean over the trials.
func TestP11Drift(t *testing.T) {
	const (
		trials = 400
		warmup = 20000  // 2 s
		span   = 500000 // 50 s
	)
	sec := func(ms float64) float64 { return ms / 1000 }
	T := float64(span) * sec(testClock.DT)
	for _, rates := range [][2]float64{{3, 3}, {10, 10}, {5, 20}} {
		pre, post := rates[0], rates[1]
		t.Run(fmt.Sprintf("hebbian/pre=%gHz/post=%gHz", pre, post), func(t *testing.T) {
			p := DefaultP11()
			p.Beta, p.RateInit, p.WMin, p.WMax = 0, post, math.Inf(-1), math.Inf(1)
			nuBar := post / p.Kappa
			want := p.APlus*sec(p.TauPlus)*sec(p.TauSlow)*pre*post*post - p.AMinus*sec(p.TauMinus)*nuBar*nuBar*pre*post + p.Delta*pre
			zp, _ := gridMoments(pre, p.TauPlus)
			zs, _ := gridMoments(post, p.TauSlow)
			zm, _ := gridMoments(post, p.TauMinus)
			wantGrid := post*p.APlus*zp*zs - pre*p.AMinus*zm*nuBar*nuBar + p.Delta*pre
			var sum, sum2 float64
			for n := range trials {
				a, b := p11Trial(t, p, [2]uint64{uint64(pre), uint64(n)}, pre, post, 0, warmup, span)
				d := (b - a) / T
				sum += d
				sum2 += d * d
			}
			mean := sum / trials
			se := math.Sqrt((sum2-trials*mean*mean)/(trials-1)) / math.Sqrt(trials)
			t.Logf("drift %.4g ± %.2g /s; prediction %.4g (z = %+.2f), grid-exact %.4g (z = %+.2f)",
				mean, se, want, (mean-want)/se, wantGrid, (mean-wantGrid)/se)
			if math.Abs(mean-wantGrid) > 3*se {
				t.Errorf("drift %.5g /s, grid-exact prediction %.5g /s (%.1f s.e.)", mean, wantGrid, (mean-wantGrid)/se)
			}
		})
	}
	// β = 0.05 at 3 Hz; at 10 Hz β z³ can pass 1 in a burst (w overshoots
	// w̃), so there β = 0.005 keeps every factor 1 − β z³ positive and the
	// mean of log(w/w0) close to −β ν ⟨z³⟩ t.
	for _, c := range []struct{ post, beta float64 }{{3, 0.05}, {10, 0.005}} {
		post := c.post
		t.Run(fmt.Sprintf("heterosynaptic/post=%gHz/beta=%g", post, c.beta), func(t *testing.T) {
			p := DefaultP11()
			p.APlus, p.AMinus, p.Delta, p.Beta, p.WMin, p.WMax = 0, 0, 0, c.beta, math.Inf(-1), math.Inf(1)
			x := post * sec(p.TauMinus)
			rate := p.Beta * post * (x*x*x + 1.5*x*x + x/3)
			_, m3 := gridMoments(post, p.TauMinus)
			rateGrid := p.Beta * post * m3
			var sum, sum2 float64
			for n := range trials {
				a, b := p11Trial(t, p, [2]uint64{uint64(post), uint64(n) + 1000}, 0, post, 1, warmup, span)
				d := -math.Log(b/a) / T
				sum += d
				sum2 += d * d
			}
			mean := sum / trials
			se := math.Sqrt((sum2-trials*mean*mean)/(trials-1)) / math.Sqrt(trials)
			t.Logf("decay rate %.4g ± %.2g /s; shot-noise prediction %.4g (z = %+.2f), grid-exact %.4g (z = %+.2f)",
				mean, se, rate, (mean-rate)/se, rateGrid, (mean-rateGrid)/se)
			if math.Abs(mean-rateGrid) > 3*se+0.01*rateGrid {
				t.Errorf("decay rate %.5g /s, grid-exact prediction %.5g /s", mean, rateGrid)
			}
		})
	}
}
