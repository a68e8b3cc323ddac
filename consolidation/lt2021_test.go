package consolidation

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
	"github.com/snnsim/snnsim/checkpoint/checkpointtest"
)

// lt21Euler steps one synapse with the scheme of the authors' stand-alone
// simulator (Luboeinski & Tetzlaff 2021): per step, c decays and receives
// the jumps of the step; the thresholds are read from the new c; h takes
// the exact exponential step of its linear equation with the noise drawn
// once per step and held as a constant drive σ_pl √(τ_h k) N(0,1)/√dt; p
// takes an exact exponential step with the synthesis switch read from the
// previous step's |h − h0|; z an exact exponential step with p and the tag
// of the new h held over the step.
type lt21Euler struct {
	p             LT2021Params
	dt            float64
	h, c, z, prot float64
	sumPrev       float64
	rng           *rand.Rand
}

func newLT21Euler(p LT2021Params, dt float64, seed uint64) *lt21Euler {
	return &lt21Euler{p: p, dt: dt, h: p.H0, rng: rand.New(rand.NewPCG(seed, 7))}
}

// step advances one step whose calcium jumps add dc.
func (e *lt21Euler) step(dc float64) {
	p := &e.p
	e.c = e.c*math.Exp(-e.dt/p.TauC) + dc
	a, b, k := lt21Leak, lt21Leak*p.H0, 0.0
	if e.c >= p.ThetaP {
		a += p.GammaP
		b += p.GammaP * p.HMax
		k++
	}
	if e.c >= p.ThetaD {
		a += p.GammaD
		k++
	}
	if k > 0 && p.SigmaPl > 0 {
		b += p.SigmaPl * math.Sqrt(p.TauH*k) * e.rng.NormFloat64() / math.Sqrt(e.dt)
	}
	e.h = b/a + (e.h-b/a)*math.Exp(-a*e.dt/p.TauH)
	inf := 0.0
	if e.sumPrev > p.ThetaPro {
		inf = p.Alpha
	}
	e.prot = inf + (e.prot-inf)*math.Exp(-e.dt/p.TauP)
	e.sumPrev = math.Abs(e.h - p.H0)
	f := math.Exp(-e.prot * e.dt / p.TauZ)
	switch {
	case e.h-p.H0 > p.ThetaTag:
		e.z = p.ZMax - (p.ZMax-e.z)*f
	case p.H0-e.h > p.ThetaTag:
		e.z = p.ZMin + (e.z-p.ZMin)*f
	}
}

// newLT21One returns the model for n synapses from one presynaptic neuron
// onto one target at resolution dt.
func newLT21One(t *testing.T, p LT2021Params, dt float64, n int, seed uint64) *lt21 {
	t.Helper()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	l := Layout{Clock: snnsim.Clock{DT: dt}, NPre: 1, NPost: 1, Seed: seed,
		Source: make([]int32, n), Target: make([]int32, n), Unit: make([]float32, n)}
	for s := range l.Unit {
		l.Unit[s] = 1
	}
	m, err := newLT21(p, l)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// basicEarlySpikes are the presynaptic spike times of the authors' "basic
// early" protocol [ms].
var basicEarlySpikes = []float64{10, 20, 30, 40, 50, 60, 100}

// runBasicEarly drives m with the basic-early spikes (arriving after the
// transmission delay) for 200 ms and calls f at every tick after the
// tick's events.
func runBasicEarly(m *lt21, f func(t snnsim.Time)) {
	delay := snnsim.Time(math.Round(m.p.Delay / m.dt))
	end := snnsim.Time(math.Round(200 / m.dt))
	k := 0
	for t := snnsim.Time(1); t <= end; t++ {
		m.Advance(t)
		if k < len(basicEarlySpikes) && t == snnsim.Time(math.Round(basicEarlySpikes[k]/m.dt))+delay {
			m.Pre(t, 0, 0, int64(m.n))
			k++
		}
		f(t)
	}
}

// eulerBasicEarly returns the Euler reference's h and c after every step
// of the basic-early protocol (index = step).
func eulerBasicEarly(p LT2021Params, dt float64, seed uint64) (h, c []float64) {
	e := newLT21Euler(p, dt, seed)
	arrive := map[int]bool{}
	for _, ts := range basicEarlySpikes {
		arrive[int(math.Round((ts+p.CaDelay)/dt))] = true
	}
	steps := int(math.Round(200 / dt))
	h, c = make([]float64, steps+1), make([]float64, steps+1)
	h[0] = p.H0
	for n := 1; n <= steps; n++ {
		dc := 0.0
		if arrive[n] {
			dc = p.CPre
		}
		e.step(dc)
		h[n], c[n] = e.h, e.c
	}
	return h, c
}

// TestLT2021BasicEarlyDeterministic reproduces the deterministic "basic
// early" trace of the authors' stand-alone simulator (single-synapse
// parameters, sigma_pl = 0, dt = 0.2 ms; values printed by their binary
// to 9 digits) with the grid switching, at the printed precision.
func TestLT2021BasicEarlyDeterministic(t *testing.T) {
	p := LT2021SingleSynapse()
	p.SigmaPl = 0
	p.Switching = "grid"
	m := newLT21One(t, p, 0.2, 1, 1)
	ref := []struct{ ms, h, c float64 }{
		{28.0, 4.200745, 0}, {40.0, 4.198071, 1.7706}, {60.0, 4.165633, 2.9459},
		{70.0, 4.166276, 3.3758}, {80.0, 4.244045, 3.7260}, {91.0, 4.364074, 2.9741},
		{100.0, 4.346247, 2.4732}, {120.0, 4.306890, 2.6173}, {140.0, 4.267890, 1.7373},
		{160.0, 4.233092, 1.1531}, {200.0, 4.233092, 0.5080},
	}
	got := map[snnsim.Time][2]float64{}
	hMin, hMax := math.Inf(1), math.Inf(-1)
	var tMin, tMax snnsim.Time
	runBasicEarly(m, func(tk snnsim.Time) {
		st := m.at(0, tk)
		got[tk] = [2]float64{st.h, m.calcium(0, tk)}
		if st.h < hMin {
			hMin, tMin = st.h, tk
		}
		if st.h > hMax {
			hMax, tMax = st.h, tk
		}
	})
	for _, r := range ref {
		g := got[snnsim.Time(math.Round(r.ms/0.2))]
		// the reference is rounded to 6 decimals (h) and 4 decimals (c)
		if math.Abs(g[0]-r.h) > 5.1e-7 || math.Abs(g[1]-r.c) > 5.1e-5 {
			t.Errorf("t = %g ms: h = %.7f mV, c = %.5f; reference %.6f, %.4f", r.ms, g[0], g[1], r.h, r.c)
		}
	}
	// Extremes: minimum 98.777 % of h0 at 68.6 ms, maximum 103.917 % at
	// 90.4 ms. The maximum here is 103.91645 %, the same as the 0.2-ms
	// scheme of TestLT2021GridMatchesEuler gives to 1e-12; the reference's
	// last digit of the maximum is not reproduced, its time is.
	if math.Abs(100*hMin/p.H0-98.777) > 5.1e-4 || tMin != 343 || tMax != 452 {
		t.Errorf("extremes: min %.6f %% at tick %d, max %.6f %% at tick %d; reference 98.777 %% at 68.6 ms, 103.917 %% at 90.4 ms",
			100*hMin/p.H0, tMin, 100*hMax/p.H0, tMax)
	}
	t.Logf("extremes: min %.6f %% at %.1f ms, max %.6f %% at %.1f ms", 100*hMin/p.H0, float64(tMin)*0.2, 100*hMax/p.H0, float64(tMax)*0.2)
}

// TestLT2021GridMatchesEuler compares the event-driven grid switching with
// the authors' step-by-step scheme at every tick of the basic-early
// protocol, deterministically: both compute the exact solution of the same
// piecewise-linear equation, so they agree to rounding.
func TestLT2021GridMatchesEuler(t *testing.T) {
	for _, pre := range []float64{1.0, 0.6} { // single-synapse and network calcium
		p := LT2021SingleSynapse()
		p.CPre, p.CPost = pre, 0
		p.SigmaPl = 0
		p.Switching = "grid"
		m := newLT21One(t, p, 0.2, 1, 1)
		hr, cr := eulerBasicEarly(p, 0.2, 1)
		worst := 0.0
		runBasicEarly(m, func(tk snnsim.Time) {
			d := math.Abs(m.at(0, tk).h - hr[tk])
			worst = math.Max(worst, d)
			if dc := math.Abs(m.calcium(0, tk) - cr[tk]); dc > 1e-12 {
				t.Fatalf("c_pre %g: tick %d: c = %.15g, Euler %.15g", pre, tk, m.calcium(0, tk), cr[tk])
			}
		})
		if worst > 1e-9 {
			t.Errorf("c_pre %g: largest |h − h_Euler| = %.3g mV, want <= 1e-9", pre, worst)
		}
		t.Logf("c_pre %g: largest |h − h_Euler| over 1000 ticks = %.3g mV", pre, worst)
	}
}

// TestLT2021ExactConverges checks the exact switching against the
// authors' scheme at steps much finer than the tick. The scheme misplaces
// each threshold crossing and each jump by at most one step δ, which
// changes h by at most δ·(γ_p (h_max − h0) + γ_d h_max)/τ_h; over the 21
// events of the protocol (7 jumps, 14 crossings) the difference is bounded
// by 21 times that, and it must shrink with δ (first-order convergence).
func TestLT2021ExactConverges(t *testing.T) {
	p := LT2021SingleSynapse()
	p.SigmaPl = 0
	m := newLT21One(t, p, 0.2, 1, 1)
	var hs []float64
	runBasicEarly(m, func(tk snnsim.Time) { hs = append(hs, m.at(0, tk).h) })
	slope := (p.GammaP*(p.HMax-p.H0) + p.GammaD*p.HMax) / p.TauH // [mV/ms]
	var worst []float64
	for _, fine := range []float64{0.2, 1e-3, 2e-4} {
		per := int(math.Round(0.2 / fine))
		hr, _ := eulerBasicEarly(p, fine, 1)
		w := 0.0
		for k, h := range hs {
			w = math.Max(w, math.Abs(h-hr[(k+1)*per]))
		}
		worst = append(worst, w)
		if bound := 21 * fine * slope; w > bound {
			t.Errorf("step %g ms: largest |h_exact − h_Euler| = %.3g mV > bound %.3g", fine, w, bound)
		}
		t.Logf("step %g ms: largest |h_exact − h_Euler| = %.3g mV (bound %.3g)", fine, w, 21*fine*slope)
	}
	if !(worst[2] < worst[1]/3 && worst[1] < worst[0]/3) {
		t.Errorf("no convergence to the exact switching: differences %.3g", worst)
	}
}

// newLT21Many returns the model for n synapses from one presynaptic neuron
// onto n targets (one synapse each, so the protein stays off).
func newLT21Many(t *testing.T, p LT2021Params, n int, seed uint64) *lt21 {
	t.Helper()
	l := Layout{Clock: snnsim.Clock{DT: 0.2}, NPre: 1, NPost: n, Seed: seed,
		Source: make([]int32, n), Target: make([]int32, n), Unit: make([]float32, n)}
	for s := range l.Unit {
		l.Unit[s], l.Target[s] = 1, int32(s)
	}
	m, err := newLT21(p, l)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// meanVar returns the sample mean and the unbiased sample variance.
func meanVar(x []float64) (float64, float64) {
	var m float64
	for _, v := range x {
		m += v
	}
	m /= float64(len(x))
	var q float64
	for _, v := range x {
		q += (v - m) * (v - m)
	}
	return m, q / float64(len(x)-1)
}

// TestLT2021NoiseDistribution checks the noisy early phase over many
// synapses on the basic-early protocol. The mean of h must be the
// deterministic trace (the noise enters linearly and c is deterministic)
// and its variance V(t) the solution of dV/dt = −2(a/τ_h)V + σ_pl² k/τ_h
// along the protocol's thresholds, computed here independently on a 1-µs
// grid (exact switching) or with the authors' per-step noise (grid
// switching). For N normal samples the sample mean has s.d. √(V/N) and the
// sample variance s.d. V√(2/(N−1)); both must lie within 4.5 s.d. The
// authors' scheme itself (N runs of the Euler reference) must agree with
// the grid switching within the same bounds for the difference of two
// samples.
func TestLT2021NoiseDistribution(t *testing.T) {
	const n = 4000
	for _, mode := range []string{"grid", "exact"} {
		checks := []snnsim.Time{455, 700, 1000} // 91, 140, 200 ms
		if mode == "grid" {
			checks = []snnsim.Time{454, 699, 999} // read one tick later
		}
		p := LT2021SingleSynapse()
		p.Switching = mode
		det := p
		det.SigmaPl = 0
		md := newLT21Many(t, det, 1, 1)
		mean := map[snnsim.Time]float64{}
		runBasicEarly(md, func(tk snnsim.Time) { mean[tk] = md.at(0, tk).h })

		// independent variance along the thresholds
		variance := map[snnsim.Time]float64{}
		sig2 := p.SigmaPl * p.SigmaPl
		if mode == "grid" {
			_, cr := eulerBasicEarly(det, 0.2, 1)
			v := 0.0
			for k := 1; k < len(cr); k++ {
				a, kk := lt21Leak, 0.0
				if cr[k] >= p.ThetaP {
					a += p.GammaP
					kk++
				}
				if cr[k] >= p.ThetaD {
					a += p.GammaD
					kk++
				}
				x := a * 0.2 / p.TauH
				v = v*math.Exp(-2*x) + sig2*kk*0.2/p.TauH*math.Pow(-math.Expm1(-x)/x, 2)
				variance[snnsim.Time(k)] = v
			}
		} else {
			const fine = 1e-3
			v, c := 0.0, 0.0
			next := 0
			for k := 1; k <= 200000; k++ {
				tm := float64(k) * fine
				c *= math.Exp(-fine / p.TauC)
				if next < len(basicEarlySpikes) && math.Abs(tm-(basicEarlySpikes[next]+p.CaDelay)) < fine/2 {
					c += p.CPre
					next++
				}
				cm := c * math.Exp(-0.5*fine/p.TauC) // c in the middle of the step
				a, kk := lt21Leak, 0.0
				if cm >= p.ThetaP {
					a += p.GammaP
					kk++
				}
				if cm >= p.ThetaD {
					a += p.GammaD
					kk++
				}
				v = v*math.Exp(-2*a*fine/p.TauH) + sig2*kk*fine/p.TauH
				if k%200 == 0 {
					variance[snnsim.Time(k/200)] = v
				}
			}
		}

		m := newLT21Many(t, p, n, 42)
		samples := map[snnsim.Time][]float64{}
		runBasicEarly(m, func(tk snnsim.Time) {
			for _, c := range checks {
				if c+m.lag == tk {
					// Bring every synapse to tk, a model event that
					// draws the noise due, and read h: at tk − 1 in grid
					// mode, where h lags c by one tick.
					x := make([]float64, n)
					for s := range x {
						m.advance(int64(s), tk)
						x[s] = m.h[s]
					}
					samples[tk-m.lag] = x
				}
			}
		})
		for _, c := range checks {
			mu, vs := meanVar(samples[c])
			V := variance[c]
			if math.Abs(mu-mean[c]) > 4.5*math.Sqrt(V/n) || math.Abs(vs-V) > 4.5*V*math.Sqrt(2.0/(n-1)) {
				t.Errorf("%s, t = %g ms: mean %.6f, s.d. %.5f mV; want %.6f, %.5f", mode, float64(c)*0.2, mu, math.Sqrt(vs), mean[c], math.Sqrt(V))
			}
			t.Logf("%s, t = %g ms: mean %.6f mV (deterministic %.6f), s.d. %.5f mV (theory %.5f)", mode, float64(c)*0.2, mu, mean[c], math.Sqrt(vs), math.Sqrt(V))
		}
		if mode != "grid" {
			continue
		}
		eu := map[snnsim.Time][]float64{}
		for r := range n {
			h, _ := eulerBasicEarly(p, 0.2, uint64(r+1))
			for _, c := range checks {
				eu[c] = append(eu[c], h[c])
			}
		}
		for _, c := range checks {
			m1, v1 := meanVar(samples[c])
			m2, v2 := meanVar(eu[c])
			V := variance[c]
			if math.Abs(m1-m2) > 4.5*math.Sqrt(2*V/n) || math.Abs(v1-v2) > 4.5*V*math.Sqrt(4.0/(n-1)) {
				t.Errorf("t = %g ms: event-driven mean %.6f s.d. %.5f; Euler reference %.6f, %.5f", float64(c)*0.2, m1, math.Sqrt(v1), m2, math.Sqrt(v2))
			}
			t.Logf("t = %g ms: Euler reference over %d runs: mean %.6f mV, s.d. %.5f mV", float64(c)*0.2, n, m2, math.Sqrt(v2))
		}
	}
}

// runBasicLate drives one synapse with the authors' "basic late" protocol:
// the presynaptic neuron fires at the refractory limit (every 2.2 ms, 11
// ticks) for 4 h, then is silent; the target does not fire. f is called at
// the given times [s] (ascending) after the tick's events.
func runBasicLate(m *lt21, at []float64, f func(k int, t snnsim.Time)) {
	delay := snnsim.Time(math.Round(m.p.Delay / m.dt))
	stimEnd := snnsim.Time(math.Round(14400e3 / m.dt))
	k := 0
	for spike := snnsim.Time(1); spike < stimEnd; spike += 11 {
		arr := spike + delay
		for k < len(at) && snnsim.Time(math.Round(at[k]*1e3/m.dt)) < arr {
			tk := snnsim.Time(math.Round(at[k] * 1e3 / m.dt))
			m.Advance(tk)
			f(k, tk)
			k++
		}
		m.Pre(arr, 0, 0, 1)
	}
	for ; k < len(at); k++ {
		tk := snnsim.Time(math.Round(at[k] * 1e3 / m.dt))
		m.Advance(tk)
		f(k, tk)
	}
}

// TestLT2021BasicLate runs the "basic late" protocol (single-synapse
// parameters, noise on) and compares it with the authors' stand-alone run,
// with the closed forms of the late phase, and with the assertions of the
// authors' Brian and Arbor test suites.
//
// During the stimulus the run must match the stand-alone's p and z to
// 3e-4: both switch synthesis on when |h − h0| first exceeds θ_pro, about
// 0.3 s after the first spike, and a difference of δ in that onset moves p
// and z by at most δ/τ_p (< 3e-4 for δ < 1 s). h is noisy around the
// fixed point of the regime above both thresholds, (0.1 h0 + γ_p h_max)/(0.1
// + γ_p + γ_d), with s.d. σ_pl/√(γ_p + γ_d + 0.1): the samples of both
// simulators must lie within 4.5 s.d. of it. After the stimulus the synapse
// turns quiet at t_q with h_q, z_q, p_q, and everything follows in closed
// form: h relaxes to h0 with τ_h/0.1, synthesis stops when |h − h0| falls
// to θ_pro, the tag ends when it falls to θ_tag, z moves with ∫p in
// between. The stand-alone's values after the stimulus depend on its own
// noisy h at the stimulus end (8.471 mV there), so they are compared
// through the authors' test assertions, not digit by digit.
func TestLT2021BasicLate(t *testing.T) {
	if testing.Short() {
		t.Skip("4 h of presynaptic spikes at 455 Hz")
	}
	p := LT2021SingleSynapse()
	m := newLT21One(t, p, 0.2, 1, 3)
	ref := []struct{ s, h, z, p float64 }{ // the stand-alone run
		{3600, 8.492, 0.30777, 0.63209}, {7200, 8.411, 0.67867, 0.86465}, {14399.98, 8.471, 0.95111, 0.98168},
	}
	post := []float64{14410, 19160, 25460, 28800}
	var times []float64
	for _, r := range ref {
		times = append(times, r.s)
	}
	times = append(times, post...)
	hStar := (lt21Leak*p.H0 + p.GammaP*p.HMax) / (lt21Leak + p.GammaP + p.GammaD)
	sd := p.SigmaPl / math.Sqrt(lt21Leak+p.GammaP+p.GammaD)
	var hEnd, tq, hq, zq, pq float64
	got := map[int]synState{}
	gotP := map[int]float64{}
	runBasicLate(m, times, func(k int, tk snnsim.Time) {
		u := float64(tk) * 0.2
		got[k], gotP[k] = m.at(0, tk), m.protein(0, u)
		if k < len(ref) {
			r := ref[k]
			if math.Abs(gotP[k]-r.p) > 3e-4 || math.Abs(got[k].z-r.z) > 3e-4 {
				t.Errorf("t = %g s: p = %.5f, z = %.5f; stand-alone %.5f, %.5f", r.s, gotP[k], got[k].z, r.p, r.z)
			}
			if math.Abs(r.h-hStar) > 4.5*sd {
				t.Errorf("t = %g s: the stand-alone's h = %g mV is not within 4.5 s.d. (%.3f) of %.4f", r.s, r.h, sd, hStar)
			}
			m.advance(0, tk) // draw the noise due, then read h
			got[k] = synState{h: m.h[0], z: m.z[0]}
			if math.Abs(got[k].h-hStar) > 4.5*sd {
				t.Errorf("t = %g s: h = %.4f mV is not within 4.5 s.d. (%.3f) of %.4f", r.s, got[k].h, sd, hStar)
			}
			if c := m.calcium(0, tk); k == len(ref)-1 && !(c > p.ThetaP) {
				t.Errorf("c = %g at the end of the stimulus, want > θ_p", c)
			}
			hEnd = got[k].h
		}
		if k == len(ref) { // 10 s after the stimulus: quiet since its refresh
			if m.c[0] >= m.thLow || m.tc[0] >= tk {
				t.Fatalf("synapse not quiet 10 s after the stimulus: c = %g at tick %d", m.c[0], m.tc[0])
			}
			tq, hq, zq = m.hTime(0), m.h[0], m.z[0]
			pq = 1 - (1-m.pA[0])*math.Exp(-(tq-m.pT[0])/p.TauP)
		}
		t.Logf("t = %8.2f s: h = %.4f mV (%.4f h0), z = %.5f, p = %.5f", times[k], got[k].h, got[k].h/p.H0, got[k].z, gotP[k])
	})
	// closed forms after the quiet entry
	relax := p.TauH / lt21Leak
	ts := tq + relax*math.Log((hq-p.H0)/p.ThetaPro) // synthesis ends
	tg := tq + relax*math.Log((hq-p.H0)/p.ThetaTag) // tag ends
	ps := 1 - (1-pq)*math.Exp(-(ts-tq)/p.TauP)
	intP := func(a, b float64) float64 { // ∫p over [a, b] ⊂ [tq, ∞)
		f := func(x float64) float64 {
			if x <= ts {
				return (x - tq) - p.TauP*(1-pq)*(-math.Expm1(-(x-tq)/p.TauP))
			}
			return (ts - tq) - p.TauP*(1-pq)*(-math.Expm1(-(ts-tq)/p.TauP)) + ps*p.TauP*(-math.Expm1(-(x-ts)/p.TauP))
		}
		return f(b) - f(a)
	}
	t.Logf("quiet at %.3f s with h = %.4f mV: synthesis ends at %.1f s, tag at %.1f s (stand-alone: 19,123 and 25,431 s, from h = 8.471 mV)", tq/1e3, hq, ts/1e3, tg/1e3)
	for i, sec := range post {
		k := len(ref) + i
		u := sec * 1e3
		h := p.H0 + (hq-p.H0)*math.Exp(-(u-tq)/relax)
		pp := ps * math.Exp(-(u-ts)/p.TauP)
		if u <= ts {
			pp = 1 - (1-pq)*math.Exp(-(u-tq)/p.TauP)
		}
		z := 1 - (1-zq)*math.Exp(-intP(tq, math.Min(u, tg))/p.TauZ)
		// synthesis stops on the first tick after its analytic end: p is
		// off by at most 0.2 ms/τ_p
		if math.Abs(got[k].h-h) > 1e-9 || math.Abs(gotP[k]-pp) > 1e-7 || math.Abs(got[k].z-z) > 1e-7 {
			t.Errorf("t = %g s: h, z, p = %.10f, %.10f, %.10f; closed form %.10f, %.10f, %.10f", sec, got[k].h, got[k].z, gotP[k], h, z, pp)
		}
	}
	// the authors' Brian and Arbor assertions
	if !(hEnd > 1.8*p.H0) || math.Abs(hEnd/(2*p.H0)-1) > 0.1 {
		t.Errorf("h at the end of the stimulus = %g mV, want > 1.8 h0 and within 10 %% of 2 h0", hEnd)
	}
	zEnd := got[len(times)-1].z
	if !(zEnd > 0.9) || math.Abs(zEnd-1) > 0.1 {
		t.Errorf("z at the end = %g, want > 0.9 and z·h0 within 10 %% of h0", zEnd)
	}
	// p at the synthesis end predicted from h at the stimulus end (Brian)
	tPred := 14400e3 + relax*math.Log((hEnd-p.H0)/p.ThetaPro)
	if pp := ps * math.Exp(-math.Max(0, tPred-ts)/p.TauP); math.Abs(pp-1) > 0.1 {
		t.Errorf("p at the predicted synthesis end %.0f s = %g, want 1 ± 10 %%", tPred/1e3, pp)
	}
}

// TestLT2021Protein checks the protein and the late phase on one target
// with three synapses (single-synapse parameters, no noise): synapse 1 is
// set to h0 − 2 mV (an LTD tag), then source 0 fires a 100-Hz burst of 1 s
// that potentiates synapse 0. Synthesis must start within one inter-spike
// interval (10 ms) of the tick at which Σ|h − h0| first exceeds θ_pro
// (evaluated exactly from every synapse's h), and stop on the first tick
// after (τ_h/0.1) ln(Σ/θ_pro) measured from any quiet time. z of both
// tagged synapses must follow the closed forms with ∫p, and the model's
// running sum must equal Σ|h − h0| recomputed from the synapses.
func TestLT2021Protein(t *testing.T) {
	p := LT2021SingleSynapse()
	p.SigmaPl = 0
	l := Layout{Clock: snnsim.Clock{DT: 0.2}, NPre: 3, NPost: 1, Seed: 1,
		Source: []int32{0, 1, 2}, Target: []int32{0, 0, 0}, Unit: []float32{1, 1, 1}}
	m, err := newLT21(p, l)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Set(1, 1, 1, p.H0-2); err != nil {
		t.Fatal(err)
	}
	exactSum := func(tk snnsim.Time) float64 {
		s := 0.0
		for k := range int64(3) {
			s += math.Abs(m.at(k, tk).h - p.H0)
		}
		return s
	}
	if m.on[0] {
		t.Fatal("synthesis on with Σ = 2 mV < θ_pro")
	}
	cross, on := snnsim.Never, snnsim.Never
	for tk := snnsim.Time(2); tk <= 10000; tk++ { // 2 s
		m.Advance(tk)
		if tk%50 == 0 && tk <= 5000 {
			m.Pre(tk, 0, 0, 1)
		}
		if cross == snnsim.Never && exactSum(tk) > p.ThetaPro {
			cross = tk
		}
		if on == snnsim.Never && m.on[0] {
			on = tk
		}
	}
	if cross == snnsim.Never || on == snnsim.Never || on < cross || on-cross > 50 {
		t.Fatalf("Σ exceeds θ_pro at tick %d, synthesis on at tick %d: want within 50 ticks after", cross, on)
	}
	tOn := m.pT[0]
	// all quiet now: the synthesis end follows from Σ at any later time
	tq := snnsim.Time(10000)
	sq := exactSum(tq)
	if rel := math.Abs(m.sum(0, float64(tq)*0.2)-sq) / sq; rel > 1e-12 {
		t.Errorf("running sum %.15g, recomputed %.15g", m.sum(0, float64(tq)*0.2), sq)
	}
	relax := p.TauH / lt21Leak
	ts := float64(tq)*0.2 + relax*math.Log(sq/p.ThetaPro)
	st0, st1 := m.at(0, tq), m.at(1, tq)
	end := snnsim.Time(3 * 3600e3 / 0.2)
	for m.Next() <= end {
		m.Advance(m.Next())
	}
	m.Advance(end)
	if m.on[0] || m.pT[0] != math.Ceil(ts/0.2)*0.2 {
		t.Fatalf("synthesis off at %.1f ms (on: %v), want the first tick after %.1f ms", m.pT[0], m.on[0], ts)
	}
	// z: closed forms with ∫p from the quiet time on (both tags outlast
	// the synthesis), and no z before synthesis started
	u0, ue := float64(tq)*0.2, float64(end)*0.2
	ps := 1 - math.Exp(-(math.Ceil(ts/0.2)*0.2-tOn)/p.TauP)
	tsg := math.Ceil(ts/0.2) * 0.2
	integral := func(a, b float64) float64 { // ∫p over [a, b], tOn <= a
		f := func(x float64) float64 {
			if x <= tsg {
				return (x - tOn) - p.TauP*(-math.Expm1(-(x-tOn)/p.TauP))
			}
			return (tsg - tOn) - p.TauP*(-math.Expm1(-(tsg-tOn)/p.TauP)) + ps*p.TauP*(-math.Expm1(-(x-tsg)/p.TauP))
		}
		return f(b) - f(a)
	}
	tag0 := u0 + relax*math.Log((st0.h-p.H0)/p.ThetaTag)
	tag1 := u0 + relax*math.Log((p.H0-st1.h)/p.ThetaTag)
	z0 := 1 - (1-st0.z)*math.Exp(-integral(u0, math.Min(ue, tag0))/p.TauZ)
	z1 := p.ZMin + (st1.z-p.ZMin)*math.Exp(-integral(u0, math.Min(ue, tag1))/p.TauZ)
	g0, g1 := m.at(0, end), m.at(1, end)
	if math.Abs(g0.z-z0) > 1e-9 || math.Abs(g1.z-z1) > 1e-9 || !(g1.z < 0) || !(g0.z > 0) {
		t.Errorf("z = %.12f, %.12f; closed form %.12f, %.12f", g0.z, g1.z, z0, z1)
	}
	if m.at(2, end).z != 0 {
		t.Errorf("untagged synapse has z = %g", m.at(2, end).z)
	}
	t.Logf("Σ > θ_pro at %.1f ms, synthesis on at %.1f ms, off at %.1f s (analytic %.3f s); z = %.6f (LTP), %.6f (LTD)",
		float64(cross)*0.2, float64(on)*0.2, m.pT[0]/1e3, ts/1e3, g0.z, g1.z)
}

// lt21Driver drives the model as the engine does: Advance at every tick
// with internal work and at every input's tick, then the input.
type lt21Driver struct {
	m *lt21
	w []float32
}

func newLT21Driver(t testing.TB, p LT2021Params, l Layout) *lt21Driver {
	t.Helper()
	m, err := newLT21(p, l)
	if err != nil {
		t.Fatal(err)
	}
	d := &lt21Driver{m: m, w: make([]float32, m.Len())}
	m.Bind(d.w)
	return d
}

// to processes the model's own ticks before t and then tick t.
func (d *lt21Driver) to(t snnsim.Time) {
	for d.m.Next() < t {
		d.m.Advance(d.m.Next())
	}
	d.m.Advance(t)
}

// play applies the spikes of ev (busyScenario's 'p' and 'q' events; the
// model takes no rule signal and reads no level).
func (d *lt21Driver) play(ev []consEvent, nPost int) {
	for _, e := range ev {
		d.to(e.t)
		switch e.kind {
		case 'p':
			lo := int64(e.i) * int64(nPost)
			d.m.Pre(e.t, e.i, lo, lo+int64(nPost))
		case 'q':
			d.m.Post(e.t, e.i)
		}
	}
}

// snapshot returns every variable of every synapse and neuron.
func (d *lt21Driver) snapshot() []float64 {
	var out []float64
	for s := range int64(d.m.Len()) {
		for v := range d.m.Vars() {
			out = append(out, d.m.Get(v, s))
		}
	}
	for j := range int32(len(d.m.pA)) {
		out = append(out, d.m.NeuronGet(0, j), d.m.NeuronGet(1, j))
	}
	return out
}

// TestLT2021StateResume: save → restore into a fresh model → continue
// equals running straight, bit for bit, in both switching modes.
func TestLT2021StateResume(t *testing.T) {
	for _, mode := range []string{"exact", "grid"} {
		p := DefaultLT2021()
		p.Switching = mode
		l := gridLayout(10, 3, 7, func(s int) float32 { return 0.1 + 0.05*float32(s%7) })
		ev := busyScenario(l, false)
		cut := msTicks(30e3)
		k := slices.IndexFunc(ev, func(e consEvent) bool { return e.t >= cut })
		end := msTicks(180e3)
		a := newLT21Driver(t, p, l)
		a.play(ev[:k], l.NPost)
		a.to(cut)
		if !slices.Contains(a.m.on, true) {
			t.Fatalf("%s: no protein synthesis in the first 30 s: the state test would miss it", mode)
		}
		saved := a.m.AppendState(nil)
		b := newLT21Driver(t, p, l)
		rest, err := b.m.RestoreState(append(slices.Clip(saved), 0xAB))
		if err != nil || !bytes.Equal(rest, []byte{0xAB}) {
			t.Fatalf("%s: RestoreState: rest %x, %v", mode, rest, err)
		}
		if !bytes.Equal(b.m.AppendState(nil), saved) {
			t.Fatalf("%s: restored state saves differently", mode)
		}
		for _, d := range []*lt21Driver{a, b} {
			d.play(ev[k:], l.NPost)
			d.to(end)
		}
		sa, sb := a.snapshot(), b.snapshot()
		for k := range sa {
			if math.Float64bits(sa[k]) != math.Float64bits(sb[k]) {
				t.Fatalf("%s: value %d: straight %v, resumed %v", mode, k, sa[k], sb[k])
			}
		}
		if !bytes.Equal(a.m.AppendState(nil), b.m.AppendState(nil)) || a.m.Next() != b.m.Next() {
			t.Fatalf("%s: final states differ", mode)
		}
	}
}

// TestLT2021StateConformance checks the contract of RestoreState
// (checkpointtest.Run), with states of another size, seed and model as
// foreign ones, and damages every third payload byte after the identity
// under a valid checksum: each is refused or accepted, none panics.
func TestLT2021StateConformance(t *testing.T) {
	p := DefaultLT2021()
	l := gridLayout(10, 3, 7, func(int) float32 { return 0.2 })
	d := newLT21Driver(t, p, l)
	d.play(busyScenario(l, false)[:200], l.NPost)
	good := d.m.AppendState(nil)
	stateOf := func(l Layout) []byte { return newLT21Driver(t, p, l).m.AppendState(nil) }
	seed := l
	seed.Seed++
	triv := DefaultTrivial()
	foreign := []checkpointtest.Foreign{
		{Name: "size", State: stateOf(gridLayout(9, 3, 7, func(int) float32 { return 0.2 }))},
		{Name: "seed", State: stateOf(seed)},
		{Name: "model", State: mustNew(t, &triv, l).AppendState(nil), Says: "trivial"},
	}
	fresh := func(tb testing.TB) checkpoint.Stater { return newLT21Driver(tb, p, l).m }
	checkpointtest.Run(t, checkpointtest.Case{Name: "lt2021", State: good, New: fresh, Foreign: foreign})
	m := fresh(t)
	head := 1 + int(good[0]) + 9 + 6*8
	for k := head; k < len(good)-4; k += 3 {
		b := slices.Clone(good)
		b[k] = 0xff
		checkpointtest.Restore(t, m, checkpointtest.Reseal(b))
	}
}

// TestLT2021SplitInvariance runs a noisy protocol twice, once with extra
// Advance calls and reads at arbitrary ticks: reads never change the
// model, so both runs end in the same state, bit for bit.
func TestLT2021SplitInvariance(t *testing.T) {
	p := DefaultLT2021()
	l := gridLayout(10, 3, 7, func(int) float32 { return 1 })
	ev := busyScenario(l, false)
	run := func(peek bool) []byte {
		d := newLT21Driver(t, p, l)
		r := rand.New(rand.NewPCG(9, 9))
		last := snnsim.Time(0)
		for _, e := range ev {
			if peek && r.IntN(4) == 0 && e.t > 1 {
				tk := e.t - 1 - snnsim.Time(r.IntN(int(min(e.t-1, 100))))
				if tk > last {
					d.to(tk)
				}
				for s := range int64(30) {
					_ = d.m.Get(r.IntN(5), s)
				}
				_ = d.m.NeuronGet(0, 1)
			}
			d.play([]consEvent{e}, l.NPost)
			last = e.t
		}
		d.to(msTicks(600e3))
		return d.m.AppendState(nil)
	}
	if a, b := run(false), run(true); string(a) != string(b) {
		t.Fatal("reads changed the run")
	}
}

// TestLT2021LongGap: after 60 days without an event (longer than the
// range of the running sum's scale factors, e^{709} at 0.1 t/τ_h = 709) a
// new deviation still enters the sum at its size, and h has relaxed as
// e^{−0.1 t/τ_h}.
func TestLT2021LongGap(t *testing.T) {
	p := DefaultLT2021()
	p.SigmaPl = 0
	m := newLT21One(t, p, 0.2, 2, 1)
	if err := m.Set(1, 1, 0, p.H0+5); err != nil {
		t.Fatal(err)
	}
	day := snnsim.Time(86400e3 / 0.2)
	m.Advance(day)
	m.Post(day, 0)
	f := math.Exp(-lt21Leak * float64(day-1) * 0.2 / p.TauH)
	if got, h := m.sum(0, float64(day)*0.2), m.at(0, day).h; math.Abs(got-5*f) > 1e-12 || math.Abs(h-p.H0-5*f) > 1e-12 {
		t.Errorf("after a day: sum %g, h − h0 %g; want %g", got, h-p.H0, 5*f)
	}
	end := 60 * day
	if err := m.Set(end, 1, 1, p.H0+1); err != nil {
		t.Fatal(err)
	}
	if got := m.sum(0, float64(end)*0.2); !(math.Abs(got-1) < 1e-12) {
		t.Errorf("after 60 days: sum %g, want 1", got)
	}
}
