package neuron

import (
	"fmt"
	"math"
	"testing"

	"github.com/snnsim/snnsim"
)

// refAIF is an independent, straightforward implementation of the
// excitatory neuron of Zenke, Agnes & Gerstner (2015) as Auryn's AIF2Group
// steps it, with the constants of the authors' configuration written out,
// for the tests of aif_cond_ampa_nmda.
type refAIF struct {
	v, gAmpa, gNmda, gGaba, gA1, gA2, theta float64
	dgA2                                    float64
	spikes                                  []snnsim.Time
}

// step advances one tick of dt = 0.1 ms at tick t: the decays of g_ampa,
// g_gaba and both adaptation conductances; g_nmda by an Euler step from
// the new g_ampa; the currents from the new conductances and the old V;
// theta; V by Euler, the clip to [-80, 0] mV and the threshold; then the
// input of the tick.
func (r *refAIF) step(t snnsim.Time, wAmpa, wGaba float64) {
	const dt, tauM = 0.1, 20.0
	const aA, aN = 0.2 / 1.2, 1 / 1.2
	r.gAmpa *= math.Exp(-dt / 5)
	r.gGaba *= math.Exp(-dt / 10)
	r.gA1 *= math.Exp(-dt / 100)
	r.gA2 *= math.Exp(-dt / 20000)
	r.gNmda += dt / 100 * r.gAmpa
	r.gNmda -= dt / 100 * r.gNmda
	exc := -(aA*r.gAmpa + aN*r.gNmda) * r.v
	inh := (r.gGaba + r.gA1 + r.gA2) * (r.v + 80)
	leak := r.v + 70
	r.theta *= math.Exp(-dt / 5)
	r.v += dt / tauM * (exc - inh - leak)
	r.v = math.Min(math.Max(r.v, -80), 0)
	if r.v > -50+r.theta {
		r.spikes = append(r.spikes, t)
		r.v = -70
		r.theta = 100
		r.gA1 += 0.1
		r.gA2 += r.dgA2
	}
	r.gAmpa += wAmpa
	r.gGaba += wGaba
}

// aifStateOf returns the state of neuron i of an aif_cond_ampa_nmda
// population at tick t (at or after its last update).
func aifStateOf(pop Population, i int, t snnsim.Time) aifState {
	q := pop.(*aifPop)
	return q.stateAt(i, q.load(i), q.stateTick(i), t)
}

// TestAIFReference drives aif_cond_ampa_nmda neurons (the defaults, and
// with the second adaptation conductance on) with a fixed input sequence
// and compares V, the five conductances and theta at every tick, and the
// spike ticks, with refAIF. The input makes the neuron fire in bursts
// (so that g_a1 accumulates), pushes V onto the lower clip and leaves a
// quiet stretch; five driven neurons cover the dense loop (four in the
// AVX2 version when dg_a2 = 0, the fifth in Go) and, with a sixth idle
// neuron, the sparse loop.
func TestAIFReference(t *testing.T) {
	input := func(tk snnsim.Time) (float64, float64) {
		switch {
		case tk >= 20 && tk < 1500 && tk%2 == 0:
			return 0.4, 0
		case tk >= 1500 && tk < 2000 && tk%5 == 0:
			return 0.5, 0.3
		case tk == 2100:
			return 0, 300 // V is pushed below -80 mV and clipped
		case tk >= 2500 && tk < 4000 && tk%3 == 0:
			return 1.2, 0
		}
		return 0, 0
	}
	const T = 40000 // the last 3.6 s quiet: g_a1 and g_nmda fall below ampaNmdaGTol
	for _, dg2 := range []float64{0, 0.002} {
		for _, path := range []string{"dense", "sparse"} {
			t.Run(fmt.Sprintf("dg_a2=%g/path=%s", dg2, path), func(t *testing.T) {
				forEachKernel(t, func(t *testing.T) {
					p := DefaultAIFAmpaNmda()
					p.DgA2 = dg2
					const driven = 5
					n := driven
					if path == "sparse" {
						n++
					}
					targets := []int32{0, 1, 2, 3, 4}
					pop := mustNew(t, p, n, clock01)
					for i := range driven {
						pop.SetV(0, i, -60)
					}
					ref := &refAIF{v: -60, dgA2: dg2}
					var spikes []snnsim.Time
					clipped, adapted := false, 0.0
					ws := make([]float32, driven)
					for tk := snnsim.Time(1); tk <= T; tk++ {
						wa, wg := input(tk)
						for r, w := range []float64{wa, wg} {
							if w > 0 {
								for i := range ws {
									ws[i] = float32(w)
								}
								pop.Deliver(tk, Receptor(r), targets, ws)
							}
						}
						if path == "sparse" && pop.Active() == n {
							t.Fatalf("t=%d: the idle neuron is active", tk)
						}
						if f := pop.Update(tk, nil); len(f) > 0 {
							if len(f) != driven {
								t.Fatalf("t=%d: neurons %v fired, want all of %v", tk, f, targets)
							}
							spikes = append(spikes, tk)
						}
						ref.step(tk, float64(float32(wa)), float64(float32(wg)))
						for i := range driven {
							s := aifStateOf(pop, i, tk)
							if s.v == -80 {
								clipped = true
							}
							adapted = max(adapted, s.a1)
							if !close12(s.v, ref.v, 1) || !close12(s.a, ref.gAmpa, 1e-3) || !close12(s.nm, ref.gNmda, 1e-3) ||
								!close12(s.g, ref.gGaba, 1e-3) || !close12(s.a1, ref.gA1, 1e-3) || !close12(s.a2, ref.gA2, 1e-3) ||
								!close12(s.th, ref.theta, 1e-3) {
								t.Fatalf("t=%d i=%d: state %+v, want V %.15g g_ampa %.15g g_nmda %.15g g_gaba %.15g g_a1 %.15g g_a2 %.15g theta %.15g",
									tk, i, s, ref.v, ref.gAmpa, ref.gNmda, ref.gGaba, ref.gA1, ref.gA2, ref.theta)
							}
							if got := pop.V(i, tk); got != s.v {
								t.Fatalf("t=%d: V(%d) = %g, state %g", tk, i, got, s.v)
							}
						}
					}
					if fmt.Sprint(spikes) != fmt.Sprint(ref.spikes) {
						t.Fatalf("spikes at %v, want %v", spikes, ref.spikes)
					}
					// At least a few spikes close together, so that g_a1 holds
					// more than one jump.
					if len(spikes) < 10 || !clipped || adapted < 0.15 {
						t.Fatalf("%d spikes, clipped %v, max g_a1 %g: the input does not exercise the model", len(spikes), clipped, adapted)
					}
					if path == "sparse" && dg2 == 0 && pop.Active() != 0 {
						t.Errorf("Active() = %d after %d quiet ticks", pop.Active(), T-4000)
					}
					t.Logf("%d spikes, max g_a1 %.3g", len(spikes), adapted)
				})
			})
		}
	}
}

// fineAIF integrates the equations of aif_cond_ampa_nmda (the defaults)
// with the classical fourth-order Runge–Kutta method at a step far below
// the model's resolution, as the continuous-time system the model
// approximates: an input of w adds w to g_ampa or g_gaba at its time, and
// a spike is the first fine step whose V exceeds v_threshold + theta (the
// crossing time interpolated linearly within the step).
type fineAIF struct {
	y      [7]float64 // V, g_ampa, g_nmda, g_gaba, g_a1, g_a2, theta
	bias   float64    // R·i_bias [mV]
	spikes []float64  // [ms]
}

func (f *fineAIF) deriv(y [7]float64) [7]float64 {
	const aA, aN = 0.2 / 1.2, 1 / 1.2
	v := y[0]
	dv := (-(v + 70 - f.bias) - (aA*y[1]+aN*y[2])*v - (y[3]+y[4]+y[5])*(v+80)) / 20
	return [7]float64{dv, -y[1] / 5, (y[1] - y[2]) / 100, -y[3] / 10, -y[4] / 100, -y[5] / 20000, -y[6] / 5}
}

// run advances from time t0 to t1 [ms] in steps of h.
func (f *fineAIF) run(t0, t1, h float64) {
	n := int(math.Round((t1 - t0) / h))
	for k := range n {
		y := f.y
		k1 := f.deriv(y)
		var y2, y3, y4 [7]float64
		for j := range y {
			y2[j] = y[j] + h/2*k1[j]
		}
		k2 := f.deriv(y2)
		for j := range y {
			y3[j] = y[j] + h/2*k2[j]
		}
		k3 := f.deriv(y3)
		for j := range y {
			y4[j] = y[j] + h*k3[j]
		}
		k4 := f.deriv(y4)
		for j := range y {
			f.y[j] = y[j] + h/6*(k1[j]+2*k2[j]+2*k3[j]+k4[j])
		}
		if f.y[0] > -50+f.y[6] {
			// Linear interpolation of V - threshold over the step.
			a, b := y[0]-(-50+y[6]), f.y[0]-(-50+f.y[6])
			f.spikes = append(f.spikes, t0+(float64(k)+a/(a-b))*h)
			f.y[0], f.y[6] = -70, 100
			f.y[4] += 0.1
		}
	}
}

// TestAIFConvergence compares aif_cond_ampa_nmda at resolutions 0.1, 0.05
// and 0.025 ms with a fine Runge–Kutta integration of its equations: a
// subthreshold trajectory under excitatory and inhibitory input with an
// adaptation conductance decaying (the largest difference in V over 300
// ms), and the steady firing of a neuron driven above threshold by a bias
// current, with g_a1 built up by its spikes (the mean interspike interval
// over the second second). Forward Euler is first order: the difference in
// V must halve, within 25 %, when the resolution halves, and be small at
// 0.1 ms (0.15 mV). The steady firing locks to a whole number of ticks per
// interval, so the interval is held to within one tick of the fine one.
func TestAIFConvergence(t *testing.T) {
	const T, TS = 300.0, 2000.0 // ms
	// Inputs every 2 ms (exc, 0.3 g_L) and every 5 ms (inh, 0.5 g_L): on
	// the grid of every resolution tested.
	const fineDT = 0.025
	every := func(k, n int) bool { return k > 0 && k%n == 0 } // k in fine ticks of 0.025 ms
	fine := &fineAIF{y: [7]float64{-70, 0, 0, 0, 0.5, 0, 0}}
	fineV := []float64{fine.y[0]}
	for k := 1; k <= int(T/fineDT); k++ {
		fine.run(float64(k-1)*fineDT, float64(k)*fineDT, 1e-4)
		if every(k, 80) {
			fine.y[1] += float64(float32(0.3))
		}
		if every(k, 200) {
			fine.y[3] += float64(float32(0.5))
		}
		fineV = append(fineV, fine.y[0])
	}
	// meanISI is the mean interspike interval of the spikes in [TS/2, TS].
	meanISI := func(spikes []float64) (float64, int) {
		var in []float64
		for _, s := range spikes {
			if s >= TS/2 {
				in = append(in, s)
			}
		}
		return (in[len(in)-1] - in[0]) / float64(len(in)-1), len(in)
	}
	// Driven by 600 pA: R·I = 60 mV above rest, V_inf below the clip at
	// 0 mV, which the fine integration does not have.
	fineS := &fineAIF{y: [7]float64{-70, 0, 0, 0, 0, 0, 0}, bias: 60}
	fineS.run(0, TS, 2e-4)
	isiRef, nRef := meanISI(fineS.spikes)
	dts := []float64{0.1, 0.05, 0.025}
	var errV, errS []float64
	for _, dt := range dts {
		clock := snnsim.Clock{DT: dt}
		stride := int(math.Round(dt / fineDT))
		// Subthreshold: g_a1 = 0.5 at t = 0.
		sub := mustNew(t, DefaultAIFAmpaNmda(), 1, clock)
		sub.(*aifPop).a1[0] = 0.5
		sub.SetAlwaysActive(true)
		maxV := 0.0
		for k := 1; k <= int(math.Round(T/dt)); k++ {
			// The model adds input delivered at tick k after stepping to
			// k; the fine integration adds it at the same time.
			if every(k*stride, 80) {
				sub.Deliver(snnsim.Time(k), Exc, []int32{0}, []float32{0.3})
			}
			if every(k*stride, 200) {
				sub.Deliver(snnsim.Time(k), Inh, []int32{0}, []float32{0.5})
			}
			if len(sub.Update(snnsim.Time(k), nil)) > 0 {
				t.Fatalf("dt=%g: the subthreshold neuron fired at tick %d", dt, k)
			}
			maxV = max(maxV, math.Abs(sub.V(0, snnsim.Time(k))-fineV[k*stride]))
		}
		p := DefaultAIFAmpaNmda()
		p.IBias = 600
		spk := mustNew(t, p, 1, clock)
		var spikes []float64
		for k := 1; k <= int(math.Round(TS/dt)); k++ {
			if f := spk.Update(snnsim.Time(k), nil); len(f) > 0 {
				spikes = append(spikes, float64(k)*dt)
			}
		}
		isi, n := meanISI(spikes)
		t.Logf("dt = %5g ms: max |ΔV| = %.4g mV; mean ISI %.5g ms (%d spikes), fine integration %.5g ms (%d spikes); first ISI %.3g ms",
			dt, maxV, isi, n, isiRef, nRef, spikes[1]-spikes[0])
		errV = append(errV, maxV)
		errS = append(errS, math.Abs(isi-isiRef))
	}
	if errV[0] > 0.15 {
		t.Errorf("at 0.1 ms: max |ΔV| = %g mV, want below 0.15 mV", errV[0])
	}
	for j, dt := range dts {
		if errS[j] > dt {
			t.Errorf("dt = %g ms: mean ISI differs by %g ms from the fine integration's, want at most a tick", dt, errS[j])
		}
		if j == 0 {
			continue
		}
		if r := errV[j-1] / errV[j]; r < 1.5 || r > 2.5 {
			t.Errorf("V: the difference falls by %.3g from %g to %g ms, want about 2 (first order)", r, dts[j-1], dt)
		}
	}
}

// TestAIFAdaptation checks spike-frequency adaptation against the closed
// form of its steady state. A neuron driven by a constant current (600 pA,
// V_inf = -10 mV) fires with growing intervals until they lock to K ticks;
// then g_a1 right after a spike is the sum of the jumps decayed over whole
// intervals, dg_a1/(1 - p^K) with p = exp(-dt/tau_a1), and K is the first
// tick at which V, integrated by the Euler map from v_reset with that g_a1
// decaying, exceeds the threshold v_threshold + theta_spike exp(-k dt/tau_thr).
// Without adaptation (dg_a1 = 0) the neuron has no conductance at all, so
// it fires exactly as lif_cond_ampa_nmda with the same parameters.
func TestAIFAdaptation(t *testing.T) {
	const T = 30000 // 3 s
	p := DefaultAIFAmpaNmda()
	p.IBias = 600
	pop := mustNew(t, p, 1, clock01)
	var spikes []snnsim.Time
	var gAfter []float64
	for tk := snnsim.Time(1); tk <= T; tk++ {
		if f := pop.Update(tk, nil); len(f) > 0 {
			spikes = append(spikes, tk)
			gAfter = append(gAfter, aifStateOf(pop, 0, tk).a1)
		}
	}
	n := len(spikes)
	if n < 100 {
		t.Fatalf("%d spikes in 3 s", n)
	}
	K := spikes[n-1] - spikes[n-2]
	for j := n - 20; j < n; j++ {
		if d := spikes[j] - spikes[j-1]; d != K {
			t.Fatalf("interval %d = %d ticks, the last %d: not locked", j, d, K)
		}
	}
	if first := spikes[1] - spikes[0]; first >= K {
		t.Errorf("first interval %d ticks, steady %d: no adaptation", first, K)
	}
	pa := math.Exp(-0.1 / p.TauA1)
	gStar := p.DgA1 / (1 - math.Pow(pa, float64(K)))
	if got := gAfter[n-1]; math.Abs(got-gStar) > 1e-9*gStar {
		t.Errorf("g_a1 after a spike = %.12g, want dg/(1 - p^K) = %.12g", got, gStar)
	}
	// The interval from (v_reset, g*, theta_spike) under the Euler map.
	h, D := 0.1/p.TauM, p.VRest+p.R()*p.IBias
	v, g := p.VReset, gStar
	k := snnsim.Time(0)
	for k = 1; k < 1000; k++ {
		g *= pa
		v += h * ((D - v) - g*(v-p.EInh))
		if v > p.VThreshold+p.ThetaSpike*math.Exp(-float64(k)*0.1/p.TauThr) {
			break
		}
	}
	if k != K {
		t.Errorf("steady interval %d ticks, the fixed point gives %d", K, k)
	}
	t.Logf("first interval %d ticks, steady %d ticks (%.4g Hz), g_a1 after a spike %.6g", spikes[1]-spikes[0], K, 1e4/float64(K), gStar)

	// dg_a1 = 0: the spike train of lif_cond_ampa_nmda.
	p.DgA1 = 0
	a, l := mustNew(t, p, 1, clock01), mustNew(t, p.LIFAmpaNmda, 1, clock01)
	for tk := snnsim.Time(1); tk <= T; tk++ {
		fa, fl := a.Update(tk, nil), l.Update(tk, nil)
		if len(fa) != len(fl) || a.V(0, tk) != l.V(0, tk) {
			t.Fatalf("t=%d: dg_a1 = 0 fired %v, V %g; lif_cond_ampa_nmda fired %v, V %g", tk, fa, a.V(0, tk), fl, l.V(0, tk))
		}
	}
}

// TestAIFPSP checks single postsynaptic potentials from rest against the
// values derived for the authors' network (Zenke, Agnes & Gerstner 2015,
// with this scheme): a delivered excitatory conductance of 0.02 g_L (an
// E→E synapse of w = 0.1 at the resting STP factor 0.2) peaks at +0.054 mV
// after 18.7 ms, one of 0.1 (input→E, w = 0.5) at +0.270 mV after 18.7 ms,
// and an inhibitory one of 0.2 (I→E) at -0.482 mV after 13.6 ms; the
// values are given to the rounding shown, the times to a tick.
func TestAIFPSP(t *testing.T) {
	for _, c := range []struct {
		r           Receptor
		w           float32
		peak, tPeak float64
	}{{Exc, 0.02, 0.054, 18.7}, {Exc, 0.1, 0.270, 18.7}, {Inh, 0.2, -0.482, 13.6}} {
		pop := mustNew(t, DefaultAIFAmpaNmda(), 1, clock01)
		pop.Deliver(1, c.r, []int32{0}, []float32{c.w})
		best, at := 0.0, snnsim.Time(0)
		for tk := snnsim.Time(1); tk <= 2000; tk++ {
			pop.Update(tk, nil)
			if d := pop.V(0, tk) + 70; math.Abs(d) > math.Abs(best) {
				best, at = d, tk
			}
		}
		ms := float64(at-1) * 0.1
		t.Logf("%s %g: peak %+.4f mV after %.1f ms", c.r, c.w, best, ms)
		if math.Abs(best-c.peak) > 0.0005 || math.Abs(ms-c.tPeak) > 0.1+1e-9 {
			t.Errorf("%s %g: peak %+.4f mV after %.1f ms, want %+.3f mV after %.1f ms", c.r, c.w, best, ms, c.peak, c.tPeak)
		}
	}
}
