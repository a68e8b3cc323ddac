package neuron

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/snnsim/snnsim"
)

// condInput is a conductance step at a time in ms (on the 0.1 ms grid).
type condInput struct {
	ms float64
	r  Receptor
	w  float64 // [g_L]
}

// rk4Cond integrates the lif_exp_cond ODE (Vogels & Abbott 2005) without
// threshold,
//
//	tau_m dV/dt = -(V - v_rest) - g_e (V - e_exc) - g_i (V - e_inh) + R·i_bias
//	dg/dt = -g/tau_s, g += w at the input times,
//
// by the classical Runge-Kutta method with step dt/steps, the conductances
// inside a step taken from their exact exponential decay. It returns V at
// each multiple of sample [ms] up to T.
func rk4Cond(p LIFCond, bias float64, inputs []condInput, T, dt float64, steps int, sample float64) []float64 {
	h := dt / float64(steps)
	n := int(math.Round(T / h))
	every := int(math.Round(sample / h))
	drive := p.VRest + p.R()*bias
	f := func(v, ge, gi float64) float64 {
		return (-(v - p.VRest) - ge*(v-p.EExc) - gi*(v-p.EInh) + drive - p.VRest) / p.TauM
	}
	v, ge, gi := p.VRest, 0.0, 0.0
	de, di := math.Exp(-h/p.TauExc), math.Exp(-h/p.TauInh)
	he, hi := math.Exp(-h/(2*p.TauExc)), math.Exp(-h/(2*p.TauInh))
	out := []float64{v}
	k := 0
	for m := range n {
		for ; k < len(inputs) && int(math.Round(inputs[k].ms/h)) == m; k++ {
			if inputs[k].r == Exc {
				ge += inputs[k].w
			} else {
				gi += inputs[k].w
			}
		}
		k1 := f(v, ge, gi)
		k2 := f(v+h/2*k1, ge*he, gi*hi)
		k3 := f(v+h/2*k2, ge*he, gi*hi)
		k4 := f(v+h*k3, ge*de, gi*di)
		v += h / 6 * (k1 + 2*k2 + 2*k3 + k4)
		ge, gi = ge*de, gi*di
		if (m+1)%every == 0 {
			out = append(out, v)
		}
	}
	return out
}

// simCond runs one lif_exp_cond neuron at resolution dt and returns V at
// each multiple of sample [ms].
func simCond(t *testing.T, p LIFCond, bias float64, inputs []condInput, T, dt, sample float64) []float64 {
	c := snnsim.Clock{DT: dt}
	pop := mustNew(t, p, 1, c)
	pop.SetBias(0, 0, bias)
	every, _ := c.Ticks(sample)
	nt, _ := c.Ticks(T)
	out := []float64{pop.V(0, 0)}
	k := 0
	for tk := snnsim.Time(1); tk <= nt; tk++ {
		// An input at time ms arrives at tick ms/dt and is added to g after
		// V(tick) is computed, like the reference's jump at the start of a step.
		for ; k < len(inputs); k++ {
			it, err := c.Ticks(inputs[k].ms)
			if err != nil {
				t.Fatal(err)
			}
			if it != tk {
				break
			}
			pop.Deliver(tk, inputs[k].r, []int32{0}, []float32{float32(inputs[k].w)})
		}
		if f := pop.Update(tk, nil); len(f) > 0 {
			t.Fatalf("spike at %d with the threshold disabled", tk)
		}
		if tk%every == 0 {
			out = append(out, pop.V(0, tk))
		}
	}
	return out
}

// TestLIFCondReference compares lif_exp_cond with an RK4 solution of the
// same ODE at step dt/100 (whose own error, O((dt/100)^4), is negligible).
//
// The scheme freezes the conductances at mid-tick, the midpoint rule for
// the integrated rate a = (1+g)/tau_m and for the drive, so its error is
// O(dt²). Per tick the midpoint rule misses ∫a by dt³·(d²a/dt²)/24 =
// dt³·g/(24 tau_s² tau_m), 6.7e-7 for g = 8 g_L, tau_s = 5 ms, tau_m = 20 ms
// at dt = 0.1 ms; acting on |V - V_inf| <= 30 mV over the ~20 ticks that the
// membrane (rate (1+g)/tau_m = 0.45/ms) remembers, that is at most about
// 4e-4 mV. The test asserts |ΔV| < 5e-4 mV at dt = 0.1 ms and that
// halving dt divides the error by 4 ± 25 % (second order).
func TestLIFCondReference(t *testing.T) {
	p := DefaultLIFCond()
	p.VThreshold = 100 // no spikes: this test is about the subthreshold ODE
	// A strong input mix: up to 8 g_L in total, V swings between about -70
	// and -20 mV. bias 100 pA = R·I of 10 mV.
	inputs := []condInput{
		{5, Exc, 1}, {30, Inh, 2}, {70, Exc, 3}, {70, Inh, 5}, {120, Exc, 0.5}, {121.3, Exc, 2.5},
	}
	const T, sample = 200.0, 0.2
	forEachKernel(t, func(t *testing.T) {
		ref := rk4Cond(p, 100, inputs, T, 0.1, 100, sample)
		maxErr := func(dt float64) float64 {
			got := simCond(t, p, 100, inputs, T, dt, sample)
			if len(got) != len(ref) {
				t.Fatalf("dt=%g: %d samples, reference %d", dt, len(got), len(ref))
			}
			e := 0.0
			for k := range got {
				e = math.Max(e, math.Abs(got[k]-ref[k]))
			}
			return e
		}
		e1, e2 := maxErr(0.1), maxErr(0.05)
		t.Logf("max |ΔV|: %.3g mV at dt = 0.1 ms, %.3g mV at 0.05 ms, ratio %.3g", e1, e2, e1/e2)
		if e1 > 5e-4 {
			t.Errorf("max |ΔV| = %g mV at dt = 0.1 ms, want < 5e-4", e1)
		}
		if r := e1 / e2; r < 3 || r > 5 {
			t.Errorf("error ratio for halved dt = %g, want 4 (second order)", r)
		}
	})
}

// TestCondDecay checks condConst.expNeg, the table exp of the Go cond
// loops' far path, against math.Exp to 1e-12 relative: over the table
// range, past it (the far factor), at the clamps, and for NaN.
func TestCondDecay(t *testing.T) {
	var k condConst
	k.init(0.1, DefaultLIFCond())
	check := func(z float64) {
		got, want := k.expNeg(z), math.Exp(-z)
		if math.IsNaN(z) {
			if !math.IsNaN(got) {
				t.Errorf("expNeg(NaN) = %g", got)
			}
			return
		}
		if z > 745 || z < -700 { // clamped: only the limit matters
			return
		}
		if relErr(got, want) > 1e-12 && !(want < 1e-300 && got < 1e-300) {
			t.Errorf("expNeg(%g) = %.17g, want %.17g (rel err %.2g)", z, got, want, relErr(got, want))
		}
	}
	for z := -10.0; z <= 10; z += 1.0 / 1024 { // eight points per table cell of 1/128
		check(z)
		check(z + 1.0/3000)
	}
	rng := rand.New(rand.NewPCG(3, 4)) // arbitrary fixed seed
	for range 100000 {
		check(rng.Float64() * 0.5)
		check(rng.Float64()*1400 - 700)
	}
	for _, z := range []float64{0, -0, 7.999999999, 8, -8, 8.0000001,
		700, 744, 745, 1e9, -699, -1e9, math.Inf(1), math.NaN()} {
		check(z)
	}
}

// TestCondPhi checks the polynomial of φ(a) = (1 - e^{-a})/a that the
// cond loops use for a in [condPhiC - condPhiR, condPhiC + condPhiR]
// against -math.Expm1(-a)/a (accurate to an ulp or two): at random points,
// on a fine grid and at the ends, the relative error must stay below the
// interpolation bound of condPhi, 2.3e-14, plus 1e-15 for the rounding of
// the evaluation and of the reference. The Chebyshev interpolant's error
// oscillates between nearly equal extremes, so the maximum found must also
// be within a factor 4 of the bound: a much smaller error would mean the
// bound (and the argument for degree 7) is wrong.
func TestCondPhi(t *testing.T) {
	phi := func(a float64) float64 { return -math.Expm1(-a) / a }
	worst := 0.0
	check := func(r float64) {
		if condPhiC+r == 0 {
			return // checked below
		}
		got, want := condPhiPoly(r), phi(condPhiC+r)
		e := relErr(got, want)
		worst = max(worst, e)
		if e > 2.4e-14 {
			t.Errorf("φ(%g) = %.17g, want %.17g (rel err %.2g)", condPhiC+r, got, want, e)
		}
	}
	rng := rand.New(rand.NewPCG(11, 12)) // arbitrary fixed seed
	for range 200000 {
		check((2*rng.Float64() - 1) * condPhiR)
	}
	for j := -10000; j <= 10000; j++ {
		check(condPhiR * float64(j) / 10000)
	}
	if got := condPhiPoly(-condPhiC); relErr(got, 1) > 2.4e-14 { // a = 0: φ = 1
		t.Errorf("φ(0) = %.17g, want 1", got)
	}
	t.Logf("max relative error of φ: %.3g", worst)
	if worst < 2.3e-14/4 {
		t.Errorf("max relative error %.3g: far below the bound 2.3e-14", worst)
	}
}

// TestExpNegAVX checks the assembly exp(-z) used by the AVX2 cond loop
// against math.Exp to 1e-12 relative.
func TestExpNegAVX(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2+FMA")
	}
	rng := rand.New(rand.NewPCG(5, 6)) // arbitrary fixed seed
	var z [4]float64
	check := func(in [4]float64) {
		z = in
		expNegAVX(&z)
		for j, x := range in {
			want := math.Exp(-x)
			if relErr(z[j], want) > 1e-12 {
				t.Fatalf("expNegAVX(%g) = %.17g, want %.17g (rel err %.2g)", x, z[j], want, relErr(z[j], want))
			}
		}
	}
	for range 50000 {
		check([4]float64{rng.Float64() * 0.2, rng.Float64() * 5, rng.Float64()*1400 - 700, rng.NormFloat64()})
	}
	check([4]float64{0, 0.005, math.Ln2 / 2, -math.Ln2 / 2})
	check([4]float64{700, -700, 1e-300, 345.6789})
	z = [4]float64{1e9, -1e9, math.Inf(1), 0}
	expNegAVX(&z)
	if !(z[0] < 1e-300) || !(z[1] > 1e300) || !(z[2] < 1e-300) {
		t.Errorf("expNegAVX(1e9, -1e9, +Inf) = %v: want ~0, huge, ~0 (clamped)", z[:3])
	}
}

// TestCondStep checks one tick of both dense cond loops against the same
// formula evaluated with math.Exp, for conductances that take the AVX2
// loop's near path (total below 68 g_L at dt/tau_m = 0.005) and its far path
// (up to 3000 g_L), and potentials on both sides of V_inf. The error allowed
// is 1e-12 of |V - V_inf| (the exponential's error bound) plus 1e-14 of |V|
// (rounding of the rest).
func TestCondStep(t *testing.T) {
	p := DefaultLIFCond()
	p.VThreshold = 1e3                  // the step alone, no reset
	rng := rand.New(rand.NewPCG(9, 10)) // arbitrary fixed seed
	forEachKernel(t, func(t *testing.T) {
		for trial := range 3000 {
			const n = 8
			pop := mustNew(t, p, n, clock01).(*lifCondPop)
			pop.SetAlwaysActive(true) // the dense loop
			gmax := 60.0
			if trial%3 == 0 {
				gmax = 3000
			}
			var want, dev [n]float64
			for i := range n {
				u := rng.Float64()
				ge, gi := gmax*u*u*rng.Float64(), gmax*u*rng.Float64()
				v, d := -90+100*rng.Float64(), -60+40*rng.Float64()
				pop.ge[i], pop.gi[i], pop.v[i], pop.drive[i], pop.hd[i] = ge, gi, v, d, pop.k.hdOf(d)
				// Conductances at mid-tick (dt/2 = 0.05 ms), then the step.
				em, im := ge*math.Exp(-0.05/p.TauExc), gi*math.Exp(-0.05/p.TauInh)
				vi := (d + em*p.EExc + im*p.EInh) / (1 + em + im)
				want[i] = vi + (v-vi)*math.Exp(-(1+em+im)*0.1/p.TauM)
				dev[i] = math.Abs(v - vi)
			}
			pop.Update(1, nil)
			for i := range n {
				if got := pop.v[i]; math.Abs(got-want[i]) > 1e-12*dev[i]+1e-14*math.Abs(want[i]) {
					t.Fatalf("trial %d i=%d g=(%g, %g): V = %.17g, want %.17g", trial, i, pop.ge[i], pop.gi[i], got, want[i])
				}
			}
		}
	})
}

// TestKernelsAgree runs random populations with the assembly and the Go
// dense loops and requires the same spikes and potentials equal within 1e-12
// relative (they differ only by the rounding of fused multiply-adds). The
// input is sparse (about 1 target per tick, added per target) or dense
// (40 % of the neurons per tick, more than touchMax, so that the cond loops
// add the input buffers themselves).
func TestKernelsAgree(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2+FMA")
	}
	defer func(s bool) { useAVX2 = s }(useAVX2)
	for _, p := range benchModels() { // drive above threshold: every neuron stays in the dense loop
		for _, load := range []string{"sparse", "dense"} {
			t.Run("model="+p.Model()+"/input="+load, func(t *testing.T) {
				const n = 39
				rng := rand.New(rand.NewPCG(7, 8)) // arbitrary fixed seed
				var inputs []input
				if load == "sparse" {
					inputs = randomInputs(rng, n, 5000, 0.02, p)
				} else {
					inputs = denseInputs(rng, n, 5000, 0.4, p)
				}
				var res [2][]spike
				var vs [2][]float64
				for k, avx := range []bool{true, false} {
					useAVX2 = avx
					pop := mustNew(t, p, n, clock01)
					for i := range n {
						pop.SetV(0, i, -60+10*float64(i)/n)
					}
					res[k], _ = run(t, pop, 5000, inputs, false)
					for i := range n {
						vs[k] = append(vs[k], pop.V(i, 5000))
					}
				}
				if !slices.Equal(res[0], res[1]) {
					t.Fatalf("spikes differ: %d with AVX2, %d with Go", len(res[0]), len(res[1]))
				}
				if len(res[0]) == 0 {
					t.Fatal("no spikes: the test is vacuous")
				}
				for i := range n {
					if relErr(vs[0][i], vs[1][i]) > 1e-12 {
						t.Errorf("i=%d: V %.17g (AVX2) vs %.17g (Go)", i, vs[0][i], vs[1][i])
					}
				}
			})
		}
	}
}

// denseInputs draws inputs to a fraction frac of the n neurons at every
// tick up to T, in random target order, 9 in 10 excitatory (the B2 weight
// 0.4 g_L, or 1.62 mV) and 1 in 10 inhibitory with a weight that keeps the
// neurons firing (1 g_L, or 2 mV).
func denseInputs(rng *rand.Rand, n int, T snnsim.Time, frac float64, p Params) []input {
	we, wi := float32(1.62), float32(2)
	if isCond(p) {
		we, wi = 0.4, 1
	}
	var out []input
	for tk := snnsim.Time(1); tk <= T; tk++ {
		for _, i := range rng.Perm(n)[:int(frac*float64(n))] {
			in := input{t: tk, i: int32(i), r: Exc, w: we}
			if rng.IntN(10) == 0 {
				in.r, in.w = Inh, wi
			}
			out = append(out, in)
		}
	}
	return out
}

// randomInputs draws about frac·n inputs per tick over T ticks, in random
// target order, half excitatory and half inhibitory, with weights of the
// B1/B2 scale for model p (exp: 1.62 and 9 mV; cond: 0.4 and 5.1 g_L;
// delta: 1.62 and 9 mV; Vogels & Abbott 2005).
func randomInputs(rng *rand.Rand, n int, T snnsim.Time, frac float64, p Params) []input {
	we, wi := float32(1.62), float32(9)
	if isCond(p) {
		we, wi = 0.4, 5.1
	}
	var out []input
	for tk := snnsim.Time(1); tk <= T; tk++ {
		for range int(frac*float64(n)) + rng.IntN(2) {
			in := input{t: tk, i: int32(rng.IntN(n)), r: Exc, w: we}
			if rng.IntN(5) == 0 { // 1 in 5 inhibitory, as 800 of 4000 neurons
				in.r, in.w = Inh, wi
			}
			out = append(out, in)
		}
	}
	return out
}

// TestRefractoryGrid checks R = CeilTicks(t_ref): t_ref on the grid, off it,
// and zero, with a drive strong enough to fire at the first free tick
// (lif_cond_ampa_nmda without its threshold jump).
func TestRefractoryGrid(t *testing.T) {
	for _, p := range refractoryModels() {
		for _, tc := range []struct {
			tref float64
			isi  snnsim.Time
		}{
			{5, 51},   // Auryn convention: 50 clamped ticks + 1
			{0.15, 3}, // 1.5 ticks -> 2 clamped ticks
			{0, 1},    // no clamp: fires every tick
			{2, 21},   // Auryn IafPscDeltaGroup's 2 ms
		} {
			t.Run(fmt.Sprintf("model=%s/t_ref=%g", p.Model(), tc.tref), func(t *testing.T) {
				b := baseOf(p)
				b.TRef = tc.tref
				pop := mustNew(t, withBase(p, b), 1, clock01)
				pop.SetBias(0, 0, 1e6) // R·I = 1e5 mV: V > threshold one tick after any clamp
				spikes, _ := run(t, pop, 400, nil, true)
				if len(spikes) < 3 {
					t.Fatalf("only %d spikes", len(spikes))
				}
				for k := 1; k < len(spikes); k++ {
					if d := spikes[k].t - spikes[k-1].t; d != tc.isi {
						t.Fatalf("ISI %d = %d ticks, want %d", k, d, tc.isi)
					}
				}
			})
		}
	}
}
