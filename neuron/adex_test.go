package neuron

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/snnsim/snnsim"
)

// clock1 is the resolution of Clopath et al. (2008)'s code, 1 ms.
var clock1 = snnsim.Clock{DT: 1}

// adexFast returns AdEx parameters with dynamics about ten times faster
// than the defaults (tau_m = C/g_L = 10 ms, tau_w = 10 ms: a neuron settles
// about 0.25 s after its last input instead of 2 to 3 s), a refractory
// period, a reset above E_L, a large b and two substeps, for the
// state tests of state_test.go. Rheobase: (g_L + a)(V_T - E_L - Δ_T +
// Δ_T ln(1 + a/g_L)) = 222.8 pA (saddle-node, a < C/tau_w).
func adexFast() AdEx {
	p := DefaultAdEx()
	p.CM, p.GL, p.A, p.TauW, p.B = 100, 10, 2, 10, 20
	p.VReset, p.TRef, p.Substeps = -60, 2, 2
	return p
}

// adexRef is an independent straight-line implementation of the AdEx
// scheme (the equations of the AdEx doc, as in the authors' aEIF
// function), for one neuron.
type adexRef struct {
	p      AdEx
	dt     float64 // [ms]
	R      int64   // refractory ticks
	V, W   float64
	ref    int64   // last clamped tick
	vstar  float64 // rest potential, NaN for none (no snapping)
	snaps  int     // number of snaps to the rest state
	spikes int
}

// newAdexRef returns the reference neuron at (v, w); rest says whether it
// snaps to its rest state (found by bisection here).
func newAdexRef(p AdEx, dt float64, v, w float64, rest bool) *adexRef {
	r := &adexRef{p: p, dt: dt, R: int64(math.Round(p.TRef / dt)), V: v, W: w, ref: math.MinInt64 / 2, vstar: math.NaN()}
	if rest {
		r.vstar = refRest(p, p.IBias)
	}
	return r
}

// refRest returns the lower root of
// -(g_L + a)(V - E_L) + g_L Δ_T exp((V - V_T)/Δ_T) + I = 0 by bisection,
// or NaN if there is none.
func refRest(p AdEx, I float64) float64 {
	F := func(v float64) float64 {
		return -(p.GL+p.A)*(v-p.EL) + p.GL*p.DeltaT*math.Exp((v-p.VT)/p.DeltaT) + I
	}
	hi := p.VT + p.DeltaT*math.Log((p.GL+p.A)/p.GL) // the minimum of F
	if F(hi) >= 0 {
		return math.NaN()
	}
	lo := p.EL + I/(p.GL+p.A) - 1
	for F(lo) <= 0 {
		lo -= 100
	}
	for range 2000 {
		m := lo + (hi-lo)/2
		if m <= lo || m >= hi {
			break
		}
		if F(m) > 0 {
			lo = m
		} else {
			hi = m
		}
	}
	return lo + (hi-lo)/2
}

// step advances the reference by tick t with input j [mV] and reports a spike.
func (r *adexRef) step(t int64, j float64) bool {
	p := r.p
	K := p.Substeps
	h := r.dt / float64(K)
	if t <= r.ref { // refractory: V clamped, input discarded
		for range K {
			r.W += h / p.TauW * (p.A*(p.VReset-p.EL) - r.W)
		}
		r.V = p.VReset
		return false
	}
	spiked := false
	for k := 0; k < K; k++ {
		if spiked && p.TRef > 0 {
			r.W += h / p.TauW * (p.A*(p.VReset-p.EL) - r.W)
			continue
		}
		v1 := r.V + h/p.CM*(-p.GL*(r.V-p.EL)+p.GL*p.DeltaT*math.Exp((r.V-p.VT)/p.DeltaT)-r.W+p.IBias)
		if k == 0 {
			v1 += j
		}
		if v1 > p.VPeak {
			r.W += h / p.TauW * (p.A*(p.VSpike-p.EL) - r.W)
			r.W += p.B
			r.V = p.VReset
			spiked = true
		} else {
			r.W += h / p.TauW * (p.A*(v1-p.EL) - r.W)
			r.V = v1
		}
	}
	if spiked {
		r.ref = t + r.R
		r.spikes++
		return true
	}
	ws := p.A * (r.vstar - p.EL)
	if j == 0 && t >= r.ref && math.Abs(r.V-r.vstar) <= 1e-9 && math.Abs(r.W-ws) <= 1e-9 {
		r.V, r.W = r.vstar, ws
		r.snaps++
	}
	return false
}

// adexPulse is a delta input [mV] (negative: inhibitory) at a tick.
type adexPulse struct {
	t int64
	j float64
}

// adexTrain returns n pulses of j mV every period ticks from tick t0.
func adexTrain(t0, period int64, n int, j float64) []adexPulse {
	var out []adexPulse
	for k := range n {
		out = append(out, adexPulse{t0 + int64(k)*period, j})
	}
	return out
}

// TestAdExReference drives one AdEx neuron and the independent reference
// with the same input and requires the same spikes and V, w within 1e-12
// at every tick.
func TestAdExReference(t *testing.T) {
	def := DefaultAdEx()
	tonic := def
	tonic.IBias = 800 // above rheobase (627 pA): repetitive firing with adaptation
	fine := def
	fine.Substeps = 3
	tref := def
	tref.TRef, tref.Substeps = 2, 4
	strongB := def
	strongB.B = 80.5 // Brette & Gerstner's 0.0805 nA
	strongB.IBias = 700
	pulses := []adexPulse{
		{10, 5}, {50, 15}, {100, -10}, {150, 19}, {151, 19}, // subthreshold, one pair summing above V_T
		{400, 40}, {700, 100}, {1000, 30}, {1001, 30}, // jumps past V_T (spike a few ticks later) and past v_peak (at once)
	}
	var clopath []adexPulse // Clopath 2008 "wtet": 21 pulses at 100 Hz; then "stet": 3 bursts of 100 at 100 Hz, 1.5 s apart
	clopath = append(clopath, adexTrain(100, 10, 21, 183)...)
	for b := range 3 {
		clopath = append(clopath, adexTrain(1000+int64(b)*1500, 10, 100, 183)...)
	}
	mixed := append(append([]adexPulse{}, adexTrain(50, 10, 21, 183)...), adexPulse{600, 12}, adexPulse{603, -4}, adexPulse{900, 25})
	for _, tc := range []struct {
		name    string
		p       AdEx
		clock   snnsim.Clock
		T       int64
		in      []adexPulse
		rest    bool // the reference snaps to rest
		spikes  int  // at least
		noSnaps bool // the model is the authors' scheme here: no snap after the first input
	}{
		{"pulses", def, clock1, 8000, pulses, true, 4, false},
		{"clopath_tetanus", def, clock1, 5000, clopath, true, 300, true},
		{"tonic", tonic, clock1, 3000, adexTrain(500, 7, 50, -3), false, 20, true},
		{"substeps", fine, clock1, 6000, mixed, true, 20, false},
		{"t_ref", tref, clock1, 6000, append(mixed, adexTrain(2000, 1, 30, 183)...), true, 30, false},
		{"fine_clock", fine, snnsim.Clock{DT: 0.1}, 40000, append(pulses, adexTrain(20000, 100, 21, 183)...), true, 25, false},
		{"b_nA", strongB, clock1, 4000, adexTrain(1000, 10, 30, 50), false, 10, true},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			pop := mustNew(t, tc.p, 1, tc.clock).(*adexPop)
			ref := newAdexRef(tc.p, tc.clock.DT, pop.v[0], pop.w[0], tc.rest)
			if tc.rest && !(math.Abs(ref.vstar-pop.vs[0]) <= 1e-12) {
				t.Fatalf("rest potential %.17g, reference %.17g", pop.vs[0], ref.vstar)
			}
			k, maxDiff, snaps0 := 0, 0.0, -1
			for tk := int64(1); tk <= tc.T; tk++ {
				if k < len(tc.in) && tc.in[k].t == tk && snaps0 < 0 {
					snaps0 = ref.snaps // at rest before the first input
				}
				j := 0.0
				for ; k < len(tc.in) && tc.in[k].t == tk; k++ {
					x := tc.in[k].j
					if x >= 0 {
						pop.Deliver(snnsim.Time(tk), Exc, []int32{0}, []float32{float32(x)})
						j += x
					} else {
						pop.Deliver(snnsim.Time(tk), Inh, []int32{0}, []float32{float32(-x)})
						j -= -x
					}
				}
				want := ref.step(tk, j)
				got := len(pop.Update(snnsim.Time(tk), nil)) > 0
				if got != want {
					t.Fatalf("tick %d: spike %v, reference %v (V %.15g, reference %.15g)", tk, got, want, pop.v[0], ref.V)
				}
				v, w := pop.V(0, snnsim.Time(tk)), pop.W(0, snnsim.Time(tk))
				dv, dw := math.Abs(v-ref.V), math.Abs(w-ref.W)
				if !(dv <= 1e-12*math.Max(1, math.Abs(ref.V))) || !(dw <= 1e-12*math.Max(1, math.Abs(ref.W))) {
					t.Fatalf("tick %d: V, w = %.17g, %.17g; reference %.17g, %.17g", tk, v, w, ref.V, ref.W)
				}
				maxDiff = max(maxDiff, dv, dw)
			}
			if ref.spikes < tc.spikes {
				t.Errorf("%d spikes, want at least %d: the case is weak", ref.spikes, tc.spikes)
			}
			if tc.noSnaps && ref.snaps > snaps0 {
				t.Errorf("%d snaps to rest after the first input in a case meant to have none", ref.snaps-snaps0)
			}
			if tc.rest && ref.snaps == 0 {
				t.Errorf("the neuron never settled")
			}
			t.Logf("%d spikes, %d snaps, largest difference %g", ref.spikes, ref.snaps, maxDiff)
		})
	}
}

// adexF is -(g_L + a)(V - E_L) + g_L Δ_T exp((V - V_T)/Δ_T) + I, the
// right side of C dV/dt on the w nullcline.
func adexF(p AdEx, v, I float64) float64 {
	return -(p.GL+p.A)*(v-p.EL) + p.GL*p.DeltaT*math.Exp((v-p.VT)/p.DeltaT) + I
}

// adexCurrents returns the saddle-node current of the continuous AdEx,
// where the rest state meets the saddle (F(V) = 0 = F'(V)), and the
// Andronov–Hopf current, where the trace of the Jacobian at the rest state
// vanishes (g_L (exp((V - V_T)/Δ_T) - 1) = C/tau_w); the latter is below the
// former when a > C/tau_w (Touboul & Brette 2008).
func adexCurrents(p AdEx) (iSN, iH float64) {
	iSN = (p.GL + p.A) * (p.VT - p.EL - p.DeltaT + p.DeltaT*math.Log(1+p.A/p.GL))
	vH := p.VT + p.DeltaT*math.Log(1+p.CM/(p.GL*p.TauW))
	iH = (p.GL+p.A)*(vH-p.EL) - p.DeltaT*(p.GL+p.CM/p.TauW)
	return iSN, iH
}

// TestAdExFixedPoint checks the rest state: it solves the fixed-point
// equations, exists exactly when it should, a new population starts there
// settled, and a neuron started elsewhere returns and leaves the active set.
func TestAdExFixedPoint(t *testing.T) {
	p := DefaultAdEx()
	iSN, iH := adexCurrents(p)
	for _, tc := range []struct {
		bias float64
		ok   bool
	}{{0, true}, {100, true}, {-500, true}, {-1e6, true}, {500, true}, {600, true}, {iH - 0.05, true},
		{(iH + iSN) / 2, false}, {iSN + 0.01, false}, {1000, false}} {
		t.Run(fmt.Sprintf("bias=%g", tc.bias), func(t *testing.T) {
			q := p
			q.IBias = tc.bias
			pop := mustNew(t, q, 3, clock1).(*adexPop)
			vs := pop.vs[0]
			if ok := vs < pop.thS; ok != tc.ok {
				t.Fatalf("V* = %g: settles %v, want %v", vs, ok, tc.ok)
			}
			if !tc.ok {
				if pop.Active() != 3 || pop.v[0] != p.EL || pop.w[0] != 0 {
					t.Fatalf("without a rest state: Active() = %d, V, w = %g, %g; want 3, E_L, 0", pop.Active(), pop.v[0], pop.w[0])
				}
				return
			}
			ws := p.A * (vs - p.EL)
			// Both equations, with w* as the model computes it.
			if r := -p.GL*(vs-p.EL) + p.GL*p.DeltaT*math.Exp((vs-p.VT)/p.DeltaT) - ws + tc.bias; math.Abs(r) > 1e-10*math.Max(1, math.Abs(tc.bias)) {
				t.Errorf("C dV/dt at rest = %g pA", r)
			}
			if r := p.A*(vs-p.EL) - pop.W(0, 0); r != 0 {
				t.Errorf("tau_w dw/dt at rest = %g pA", r)
			}
			if ref := refRest(p, tc.bias); math.Abs(vs-ref) > 1e-12*math.Max(1, math.Abs(ref)) {
				t.Errorf("V* = %.17g, bisection %.17g", vs, ref)
			}
			if pop.Active() != 0 || pop.V(1, 5000) != vs || pop.W(1, 5000) != ws {
				t.Fatalf("new population: Active() = %d, V = %g, w = %g; want 0, %g, %g", pop.Active(), pop.V(1, 5000), pop.W(1, 5000), vs, ws)
			}
			if tc.bias > 610 {
				return // close to the Hopf current, where the return to rest takes minutes
			}
			// Neuron 1 starts 5 mV above rest (and 20 mV for bias 0: a spike).
			dv := 5.0
			if tc.bias == 0 {
				dv = 45
			}
			pop.SetV(0, 1, vs+dv)
			var settled snnsim.Time
			spikes := 0
			for tk := snnsim.Time(1); tk <= 20000; tk++ {
				spikes += len(pop.Update(tk, nil))
				if pop.Active() == 0 {
					settled = tk
					break
				}
			}
			if settled == 0 {
				t.Fatalf("not settled after 20 s: V - V* = %g mV, w - w* = %g pA", pop.v[1]-vs, pop.w[1]-ws)
			}
			if tc.bias == 0 && spikes != 1 {
				t.Errorf("%d spikes from V* + 45 mV, want 1", spikes)
			}
			if pop.V(1, settled) != vs || pop.W(1, settled) != ws || pop.V(1, settled+1e6) != vs {
				t.Errorf("settled at V = %.17g, w = %.17g; want %.17g, %.17g", pop.V(1, settled), pop.W(1, settled), vs, ws)
			}
			t.Logf("V* - E_L = %.6g mV, w* = %.6g pA, settled after %d ms", vs-p.EL, ws, settled)
		})
	}
	if vs := mustNew(t, p, 1, clock1).(*adexPop).vs[0]; math.Abs(vs-p.EL-7.2496e-5) > 1e-9 {
		t.Errorf("V* - E_L = %g mV, want 7.2496e-5", vs-p.EL)
	}
}

// TestAdExRheobase checks the bifurcation currents of the continuous AdEx
// with fine Euler substeps (1 µs): the saddle-node current
// I_SN = (g_L + a)(V_T - E_L - Δ_T + Δ_T ln(1 + a/g_L)) is where F(V) =
// -(g_L + a)(V - E_L) + g_L Δ_T exp((V - V_T)/Δ_T) + I has a double root
// (F' = 0 at V = V_T + Δ_T ln(1 + a/g_L), where F = 0 gives I_SN); with the
// defaults a = 4 nS > C/tau_w = 1.95 nS, so the rest state loses stability
// before, at the Andronov–Hopf current I_H = 627.18 pA (trace of the
// Jacobian zero: g_L (exp((V - V_T)/Δ_T) - 1) = C/tau_w), 0.13 pA below
// I_SN = 627.31 pA (Touboul & Brette 2008). Slightly below I_H a neuron near
// rest returns to it; between I_H and I_SN it spirals out and fires; above
// I_SN it fires from the ghost of the saddle-node.
func TestAdExRheobase(t *testing.T) {
	p := DefaultAdEx()
	p.Substeps = 100
	clock := snnsim.Clock{DT: 0.1}
	iSN, iH := adexCurrents(p)
	// The closed forms against their definitions.
	vm := p.VT + p.DeltaT*math.Log(1+p.A/p.GL)
	if f := adexF(p, vm, iSN); math.Abs(f) > 1e-10 {
		t.Errorf("F(V_m) at I_SN = %g pA, want 0", f)
	}
	if d := -(p.GL + p.A) + p.GL*math.Exp((vm-p.VT)/p.DeltaT); math.Abs(d) > 1e-12 {
		t.Errorf("F'(V_m) = %g nS, want 0", d)
	}
	vh := refRest(p, iH)
	if tr := p.GL*math.Expm1((vh-p.VT)/p.DeltaT)/p.CM - 1/p.TauW; math.Abs(tr) > 1e-9 {
		t.Errorf("trace at I_H = %g /ms, want 0", tr)
	}
	if math.Abs(iSN-627.3111) > 1e-3 || math.Abs(iH-627.1825) > 1e-3 || !(iH < iSN) {
		t.Fatalf("I_SN = %g pA, I_H = %g pA", iSN, iH)
	}
	const T = 50000 // 5 s
	for _, tc := range []struct {
		name string
		bias float64
		v, w float64 // start; NaN: 0.01 mV above the rest state
		fire bool
	}{
		{"below_hopf", iH - 0.5, math.NaN(), math.NaN(), false},
		{"between", (iH + iSN) / 2, math.NaN(), math.NaN(), true},
		{"above_saddle_node", iSN + 0.5, vm, p.A * (vm - p.EL), true},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			q := p
			q.IBias = tc.bias
			pop := mustNew(t, q, 1, clock).(*adexPop)
			v, w := tc.v, tc.w
			if math.IsNaN(v) {
				vs := refRest(p, tc.bias)
				v, w = vs+0.01, p.A*(vs-p.EL)
			}
			pop.v[0], pop.w[0] = v, w
			pop.SetAlwaysActive(true)
			first := snnsim.Time(0)
			dev := 0.0
			for tk := snnsim.Time(1); tk <= T && first == 0; tk++ {
				if len(pop.Update(tk, nil)) > 0 {
					first = tk
				}
				dev = max(dev, math.Abs(pop.v[0]-v))
			}
			if (first > 0) != tc.fire {
				t.Fatalf("I = %.4f pA: first spike at tick %d (largest excursion %g mV), want firing %v", tc.bias, first, dev, tc.fire)
			}
			if !tc.fire && dev > 0.02 {
				t.Errorf("excursion of %g mV from a start 0.01 mV above rest", dev)
			}
			if first > 0 {
				t.Logf("I = %.4f pA: first spike at %g ms", tc.bias, clock.Ms(first))
			} else {
				t.Logf("I = %.4f pA: no spike in %g ms, largest excursion %.3g mV", tc.bias, clock.Ms(T), dev)
			}
		})
	}
}

// adexRun drives pop from tick 1 to T as the engine does (with skip, only
// at ticks with input or active neurons) and returns the spikes, the bits
// of every neuron's V and w at every tick, and the number of neuron-steps.
func adexRun(tb testing.TB, pop *adexPop, T snnsim.Time, inputs []input, skip bool) ([]spike, []uint64, int) {
	tb.Helper()
	var out []spike
	var bits []uint64
	var fired []int32
	k, steps := 0, 0
	for t := snnsim.Time(1); t <= T; t++ {
		has := false
		for ; k < len(inputs) && inputs[k].t == t; k++ {
			in := inputs[k]
			pop.Deliver(t, in.r, []int32{in.i}, []float32{in.w})
			has = true
		}
		if !skip || has || pop.Active() > 0 {
			steps += pop.Active()
			fired = pop.Update(t, fired[:0])
			for _, i := range fired {
				out = append(out, spike{t, i})
			}
		}
		for i := range pop.n {
			bits = append(bits, math.Float64bits(pop.V(i, t)), math.Float64bits(pop.W(i, t)))
		}
	}
	return out, bits, steps
}

// adexInputs returns random delta inputs to n neurons over T ticks, at
// about rate per neuron and tick in bursts of on ticks every period ticks:
// excitation of 2 to 14 mV, one in five inhibitory of 4 to 12 mV, and now
// and then a 183 mV jump.
func adexInputs(rng *rand.Rand, n int, T, period, on snnsim.Time, rate float64) []input {
	var out []input
	for tk := snnsim.Time(1); tk <= T; tk++ {
		if tk%period >= on {
			continue
		}
		for i := range n {
			if rng.Float64() >= rate {
				continue
			}
			in := input{t: tk, r: Exc, i: int32(i), w: float32(2 + 12*rng.Float64())}
			switch rng.IntN(10) {
			case 0, 1:
				in.r, in.w = Inh, float32(4+8*rng.Float64())
			case 2:
				in.w = 183
			}
			out = append(out, in)
		}
	}
	return out
}

// TestAdExShortcut runs small random networks with the active-set shortcut
// and an engine that skips quiet ticks, and with every neuron stepped every
// tick: spikes and every V and w at every tick must be identical, bit for
// bit.
func TestAdExShortcut(t *testing.T) {
	tref := DefaultAdEx()
	tref.TRef, tref.Substeps = 3, 2
	for _, tc := range []struct {
		name       string
		p          AdEx
		clock      snnsim.Clock
		T          snnsim.Time
		period, on snnsim.Time
		maxBias    float64
	}{
		{"defaults", DefaultAdEx(), clock1, 30000, 8000, 1500, 800},
		{"t_ref_substeps", tref, clock1, 30000, 10000, 2000, 650},
		{"fast", adexFast(), clock01, 40000, 15000, 3000, 260},
	} {
		for seed := uint64(1); seed <= 2; seed++ {
			t.Run(fmt.Sprintf("case=%s/seed=%d", tc.name, seed), func(t *testing.T) {
				const n = 23
				rng := rand.New(rand.NewPCG(seed, 7))
				inputs := adexInputs(rng, n, tc.T, tc.period, tc.on, 0.01)
				biases := make([]float64, n)
				for i := range biases {
					if rng.IntN(3) == 0 {
						biases[i] = tc.maxBias * rng.Float64() // some above rheobase
					}
				}
				var spikes [2][]spike
				var bits [2][]uint64
				var steps int
				for k, always := range []bool{true, false} {
					pop := mustNew(t, tc.p, n, tc.clock).(*adexPop)
					pop.SetAlwaysActive(always)
					for i := range n {
						pop.SetBias(0, i, biases[i])
						if i%4 == 0 {
							pop.SetV(0, i, -65)
						}
					}
					spikes[k], bits[k], steps = adexRun(t, pop, tc.T, inputs, !always)
				}
				if len(spikes[0]) < 50 {
					t.Fatalf("%d spikes: the test is weak", len(spikes[0]))
				}
				if !slices.Equal(spikes[0], spikes[1]) {
					t.Fatalf("spikes differ: %d stepped, %d with the shortcut; %s", len(spikes[0]), len(spikes[1]), firstDiff(spikes[0], spikes[1]))
				}
				if k := slices.Compare(bits[0], bits[1]); k != 0 {
					for x := range bits[0] {
						if bits[0][x] != bits[1][x] {
							tick, i, what := x/(2*n)+1, x/2%n, []string{"V", "w"}[x%2]
							t.Fatalf("%s of neuron %d at tick %d: %v stepped, %v with the shortcut", what, i, tick,
								math.Float64frombits(bits[0][x]), math.Float64frombits(bits[1][x]))
						}
					}
				}
				if steps > n*int(tc.T)*4/5 {
					t.Errorf("the shortcut stepped %d of %d neuron-ticks", steps, n*int(tc.T))
				}
				t.Logf("%d spikes; %d of %d neuron-ticks stepped", len(spikes[0]), steps, n*int(tc.T))
			})
		}
	}
}

// TestAdExConformance checks the Population contract on adex (the
// model-independent parts of checkPopulation, with adex's rest state).
func TestAdExConformance(t *testing.T) {
	p := DefaultAdEx()
	vs := mustNew(t, p, 1, clock01).(*adexPop).vs[0]
	t.Run("case=empty", func(t *testing.T) {
		pop := mustNew(t, p, 0, clock01)
		if pop.Len() != 0 || pop.Active() != 0 || len(pop.Update(1, nil)) != 0 {
			t.Fatal("empty population")
		}
	})
	t.Run("case=rest", func(t *testing.T) {
		pop := mustNew(t, p, 9, clock01)
		if pop.Len() != 9 || pop.Active() != 0 {
			t.Fatalf("Len, Active = %d, %d; want 9, 0", pop.Len(), pop.Active())
		}
		for _, skip := range []bool{false, true} {
			if spikes, _ := run(t, pop, 1000, nil, skip); len(spikes) != 0 {
				t.Fatalf("spikes without input: %v", spikes)
			}
		}
		for i := range 9 {
			if v := pop.V(i, 1000); v != vs {
				t.Errorf("V(%d) = %g, want V* = %g", i, v, vs)
			}
		}
	})
	t.Run("case=unsorted-targets", func(t *testing.T) {
		a, s := mustNew(t, p, 8, clock01), mustNew(t, p, 8, clock01)
		a.Deliver(1, Exc, []int32{5, 1, 3, 1, 7}, []float32{2, 4, 2, 2, 8})
		s.Deliver(1, Exc, []int32{1, 1, 3, 5, 7}, []float32{4, 2, 2, 2, 8})
		a.Deliver(1, Inh, []int32{6, 0}, []float32{2, 4})
		s.Deliver(1, Inh, []int32{0, 6}, []float32{4, 2})
		for tk := snnsim.Time(1); tk <= 50; tk++ {
			if fa, fs := a.Update(tk, nil), s.Update(tk, nil); !slices.Equal(fa, fs) {
				t.Fatalf("t=%d: fired %v vs %v", tk, fa, fs)
			}
			if tk == 1 && (a.V(6, 1) >= vs-1.9 || a.V(7, 1) <= vs+7.9) {
				t.Errorf("inhibition must lower V, excitation raise it: V = %g, %g", a.V(6, 1), a.V(7, 1))
			}
			for i := range 8 {
				if va, vs := a.V(i, tk), s.V(i, tk); va != vs {
					t.Fatalf("t=%d i=%d: V %g vs %g", tk, i, va, vs)
				}
			}
		}
	})
	t.Run("case=fired-order", func(t *testing.T) {
		for _, always := range []bool{false, true} {
			pop := mustNew(t, p, 10, clock01)
			pop.SetAlwaysActive(always)
			pop.Deliver(1, Exc, []int32{7, 2, 9, 5, 0}, []float32{100, 100, 100, 100, 100})
			if fired := pop.Update(1, nil); !slices.Equal(fired, []int32{0, 2, 5, 7, 9}) {
				t.Errorf("always=%v: fired %v", always, fired)
			}
			if v := pop.V(7, 1); v != p.VReset {
				t.Errorf("V after a spike = %g, want v_reset", v)
			}
		}
	})
	t.Run("case=V-does-not-mutate", func(t *testing.T) {
		a, s := mustNew(t, p, 5, clock01), mustNew(t, p, 5, clock01)
		for _, pop := range []Population{a, s} {
			pop.Deliver(3, Exc, []int32{1, 2}, []float32{30, 5})
			pop.SetBias(0, 4, 700) // fires
		}
		for tk := snnsim.Time(1); tk <= 2000; tk++ {
			for i := range 5 {
				_ = a.V(i, tk+70)
			}
			if fa, fs := a.Update(tk, nil), s.Update(tk, nil); !slices.Equal(fa, fs) {
				t.Fatalf("t=%d: fired %v vs %v", tk, fa, fs)
			}
			for i := range 5 {
				if va, vs := a.V(i, tk), s.V(i, tk); va != vs {
					t.Fatalf("t=%d i=%d: V %g vs %g", tk, i, va, vs)
				}
			}
		}
	})
	t.Run("case=SetV-wakes", func(t *testing.T) {
		pop := mustNew(t, p, 4, clock01).(*adexPop)
		run(t, pop, 100, nil, true)
		pop.SetV(100, 2, -60)
		if pop.Active() != 1 {
			t.Fatalf("Active() = %d after SetV, want 1", pop.Active())
		}
		pop.Update(100, nil)
		if v := pop.V(2, 100); v != -60 {
			t.Fatalf("V(100) = %g after SetV, want -60", v)
		}
		ref := newAdexRef(p, 0.1, -60, p.A*(vs-p.EL), false)
		ref.step(101, 0)
		pop.Update(101, nil)
		if v, w := pop.V(2, 101), pop.W(2, 101); v != ref.V || w != ref.W {
			t.Fatalf("V, w (101) = %.17g, %.17g; want %.17g, %.17g", v, w, ref.V, ref.W)
		}
	})
	t.Run("case=SetBias-timing", func(t *testing.T) {
		before, after := mustNew(t, p, 2, clock01), mustNew(t, p, 2, clock01)
		const t0 = 20
		for tk := snnsim.Time(1); tk <= 3000; tk++ {
			if tk == t0 {
				before.SetBias(t0, 1, 700)
			}
			fb, fa := before.Update(tk, nil), after.Update(tk, nil)
			if tk == t0 {
				after.SetBias(t0, 1, 700)
				if v := before.V(1, t0); v != vs {
					t.Fatalf("V(t0) = %g, want V* (bias starts after t0)", v)
				}
			}
			if !slices.Equal(fb, fa) || before.V(1, tk) != after.V(1, tk) {
				t.Fatalf("t=%d: set before and after Update differ", tk)
			}
		}
		// From tick t0 the reference with bias 700 pA, from rest.
		q := p
		q.IBias = 700
		ref := newAdexRef(q, 0.1, vs, p.A*(vs-p.EL), false)
		for tk := int64(t0 + 1); tk <= 3000; tk++ {
			ref.step(tk, 0)
		}
		if v := after.V(1, 3000); v != ref.V || ref.spikes == 0 {
			t.Fatalf("V(3000) = %.17g, reference %.17g (%d spikes)", v, ref.V, ref.spikes)
		}
	})
	t.Run("case=SetBias-future-and-late", func(t *testing.T) {
		a, b := mustNew(t, p, 3, clock01), mustNew(t, p, 3, clock01)
		a.SetBias(20, 1, 300)
		b.SetBias(20, 1, 300)
		for tk := snnsim.Time(1); tk <= 20; tk++ {
			if a.Active() == 0 {
				t.Fatalf("t=%d: no neuron active with a pending SetBias", tk)
			}
			a.Update(tk, nil)
		}
		b.Update(60, nil) // late: the bias still starts after tick 20
		for tk := snnsim.Time(21); tk <= 60; tk++ {
			a.Update(tk, nil)
		}
		if va, vb := a.V(1, 60), b.V(1, 60); va != vb || va == vs {
			t.Fatalf("V(60) = %.17g stepped, %.17g late", va, vb)
		}
	})
	t.Run("case=skipped-ticks-while-active", func(t *testing.T) {
		a, b := mustNew(t, p, 5, clock01), mustNew(t, p, 5, clock01)
		for _, pop := range []Population{a, b} {
			pop.SetAlwaysActive(true)
			pop.SetBias(0, 3, 400)
			pop.Update(1, nil)
		}
		for tk := snnsim.Time(2); tk <= 3000; tk++ {
			a.Update(tk, nil)
		}
		b.Update(3000, nil)
		if va, vb := a.V(3, 3000), b.V(3, 3000); va != vb {
			t.Fatalf("V(3000) = %.17g stepped, %.17g after a gap", va, vb)
		}
	})
	t.Run("case=refractory", func(t *testing.T) {
		q := p
		q.TRef = 2
		pop := mustNew(t, q, 1, clock01)
		pop.SetBias(0, 0, 1e6) // fires at the first free tick
		spikes, _ := run(t, pop, 400, nil, true)
		if len(spikes) < 3 {
			t.Fatalf("only %d spikes", len(spikes))
		}
		for k := 1; k < len(spikes); k++ {
			if d := spikes[k].t - spikes[k-1].t; d != 21 {
				t.Fatalf("interval %d ticks, want 21 (20 clamped)", d)
			}
		}
	})
	t.Run("case=no-allocs", func(t *testing.T) {
		pop := mustNew(t, p, 64, clock01)
		targets, ws := []int32{3, 60, 17, 3}, []float32{0.5, 0.5, 0.5, 0.5}
		fired := make([]int32, 0, 64)
		tk := snnsim.Time(0)
		step := func() {
			tk++
			pop.Deliver(tk, Exc, targets, ws)
			pop.Deliver(tk, Inh, targets[:2], ws[:2])
			fired = pop.Update(tk, fired[:0])
		}
		for range 100 {
			step()
		}
		if a := testing.AllocsPerRun(200, step); a != 0 {
			t.Errorf("Deliver+Update allocate %g times per tick", a)
		}
	})
	t.Run("case=ticks-must-increase", func(t *testing.T) {
		pop := mustNew(t, p, 2, clock01)
		pop.Update(5, nil)
		defer func() {
			if recover() == nil {
				t.Error("Update(5) twice did not panic")
			}
		}()
		pop.Update(5, nil)
	})
}

// TestAdExState checks checkpoint and resume at the authors' resolution
// and with substeps at 0.1 ms: a population saved in the middle of a run
// (settled and firing neurons, pending input and SetBias/SetV) and restored
// into a fresh one continues bit for bit. (The shared state tests run on
// adexFast too, see stateModels.)
func TestAdExState(t *testing.T) {
	sub := DefaultAdEx()
	sub.Substeps, sub.TRef = 3, 1
	for _, tc := range []struct {
		name  string
		p     AdEx
		clock snnsim.Clock
		T     snnsim.Time
	}{
		{"clopath", DefaultAdEx(), clock1, 20000},
		{"substeps", sub, clock01, 100000},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			// Input in [0, T/10) and [T/2, 6T/10); the checkpoint at 9T/20
			// has neurons settled and neurons firing on their own.
			const n = 17
			save := tc.T * 9 / 20
			rng := rand.New(rand.NewPCG(3, 4))
			inputs := adexInputs(rng, n, tc.T, tc.T/2, tc.T/10, 0.02)
			setup := func() *adexPop {
				pop := mustNew(t, tc.p, n, tc.clock).(*adexPop)
				pop.SetBias(0, 2, 700)
				pop.SetBias(0, 3, 300)
				pop.SetV(0, 4, -55)
				return pop
			}
			a := setup()
			sa, _, _ := adexRun(t, a, save, inputs, true)
			var rest []input
			for _, in := range inputs {
				if in.t > save {
					rest = append(rest, in)
				}
			}
			// Pending work at the checkpoint.
			a.Deliver(save+1, Exc, []int32{5, 6}, []float32{20, 183})
			a.SetBias(save+7, 7, 650)
			a.SetV(save+3, 8, -52)
			settled := 0
			for _, s := range a.status {
				if s != stActive {
					settled++
				}
			}
			if settled == 0 || len(sa) == 0 {
				t.Fatalf("at the checkpoint: %d settled, %d spikes so far", settled, len(sa))
			}
			state := a.AppendState(nil)
			b := setup()
			if r, err := b.RestoreState(state); err != nil || len(r) != 0 {
				t.Fatalf("RestoreState: %v, %d bytes left", err, len(r))
			}
			if !bytes.Equal(b.AppendState(nil), state) {
				t.Fatal("restored state differs")
			}
			shift := func(in []input) []input { // adexRun starts at tick 1
				out := slices.Clone(in)
				for k := range out {
					out[k].t -= save
				}
				return out
			}
			var sA, sB []spike
			var vA, vB []uint64
			for k, pop := range []*adexPop{a, b} {
				var fired []int32
				var sp []spike
				var bits []uint64
				kk := 0
				in := shift(rest)
				for tk := save + 1; tk <= tc.T; tk++ {
					for ; kk < len(in) && in[kk].t+save == tk; kk++ {
						pop.Deliver(tk, in[kk].r, []int32{in[kk].i}, []float32{in[kk].w})
					}
					fired = pop.Update(tk, fired[:0])
					for _, i := range fired {
						sp = append(sp, spike{tk, i})
					}
					for i := range n {
						bits = append(bits, math.Float64bits(pop.V(i, tk)), math.Float64bits(pop.W(i, tk)))
					}
				}
				if k == 0 {
					sA, vA = sp, bits
				} else {
					sB, vB = sp, bits
				}
			}
			if len(sA) < 20 || !slices.Equal(sA, sB) {
				t.Fatalf("after the checkpoint: %d spikes straight, %d resumed; %s", len(sA), len(sB), firstDiff(sA, sB))
			}
			if !slices.Equal(vA, vB) || !bytes.Equal(a.AppendState(nil), b.AppendState(nil)) {
				t.Fatal("V, w or final state differ after resuming")
			}
		})
	}
	t.Run("case=refused", func(t *testing.T) {
		p := DefaultAdEx()
		a := mustNew(t, p, 4, clock1).(*adexPop)
		a.SetV(0, 1, -60)
		for tk := snnsim.Time(1); tk <= 100; tk++ {
			a.Update(tk, nil)
		}
		fresh := func() *adexPop { return mustNew(t, p, 4, clock1).(*adexPop) }
		for _, c := range []struct {
			name, msg string
			mod       func(q *adexPop)
		}{
			{"rest_not_of_bias", "has rest potential", func(q *adexPop) { q.vs[0] += 1e-9 }},
			{"settled_away_from_rest", "away from its rest state", func(q *adexPop) { q.w[2] += 1e-12 }},
		} {
			src := mustNew(t, p, 4, clock1).(*adexPop)
			if _, err := src.RestoreState(a.AppendState(nil)); err != nil {
				t.Fatal(err)
			}
			c.mod(src)
			q := fresh()
			before := q.AppendState(nil)
			_, err := q.RestoreState(src.AppendState(nil))
			if err == nil || !strings.Contains(err.Error(), c.msg) || !bytes.Equal(q.AppendState(nil), before) {
				t.Errorf("%s: err = %v, want checkpoint.ErrCorrupt with %q", c.name, err, c.msg)
			}
		}
		// A different substeps is another population.
		q := p
		q.Substeps = 2
		if _, err := mustNew(t, q, 4, clock1).(*adexPop).RestoreState(a.AppendState(nil)); err == nil ||
			!strings.Contains(err.Error(), "adex state with substeps = 1, this population has substeps = 2") {
			t.Errorf("substeps mismatch: %v", err)
		}
		if ps := paramsOf(p); len(ps) != 14 || ps[13].name != "substeps" || ps[13].v != 1 {
			t.Errorf("paramsOf: %v", ps)
		}
	})
}

// TestAdExValidate checks that each bad parameter is rejected with a
// message naming it, by Validate and New.
func TestAdExValidate(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	with := func(f func(p *AdEx)) AdEx {
		p := DefaultAdEx()
		f(&p)
		return p
	}
	for _, tc := range []struct {
		name string
		p    AdEx
		want string
	}{
		{"c_m=0", with(func(p *AdEx) { p.CM = 0 }), "neuron: adex.c_m = 0 pF: must be > 0"},
		{"g_l<0", with(func(p *AdEx) { p.GL = -30 }), "neuron: adex.g_l = -30 nS: must be > 0"},
		{"delta_t=0", with(func(p *AdEx) { p.DeltaT = 0 }), "neuron: adex.delta_t = 0 mV: must be > 0"},
		{"tau_w=Inf", with(func(p *AdEx) { p.TauW = inf }), "neuron: adex.tau_w = +Inf ms: must be finite"},
		{"e_l=NaN", with(func(p *AdEx) { p.EL = nan }), "neuron: adex.e_l = NaN mV: must be finite"},
		{"v_t=NaN", with(func(p *AdEx) { p.VT = nan }), "neuron: adex.v_t = NaN mV: must be finite"},
		{"a<0", with(func(p *AdEx) { p.A = -1 }), "neuron: adex.a = -1 nS: must be >= 0"},
		{"b<0", with(func(p *AdEx) { p.B = -0.5 }), "neuron: adex.b = -0.5 pA: must be >= 0"},
		{"b=NaN", with(func(p *AdEx) { p.B = nan }), "neuron: adex.b = NaN pA: must be finite"},
		{"v_peak=Inf", with(func(p *AdEx) { p.VPeak = inf }), "neuron: adex.v_peak = +Inf mV: must be finite"},
		{"v_spike=NaN", with(func(p *AdEx) { p.VSpike = nan }), "neuron: adex.v_spike = NaN mV: must be finite"},
		{"t_ref<0", with(func(p *AdEx) { p.TRef = -1 }), "neuron: adex.t_ref = -1 ms: must be >= 0"},
		{"i_bias=Inf", with(func(p *AdEx) { p.IBias = inf }), "neuron: adex.i_bias = +Inf pA: must be finite"},
		{"v_t>=v_peak", with(func(p *AdEx) { p.VT = 10 }), "neuron: adex.v_t = 10 mV: must be below v_peak = 10 mV"},
		{"v_reset>=v_peak", with(func(p *AdEx) { p.VReset = 15 }), "neuron: adex.v_reset = 15 mV: must be below v_peak = 10 mV"},
		{"substeps=0", with(func(p *AdEx) { p.Substeps = 0 }), "neuron: adex.substeps = 0: must be an integer in [1, 1048576]"},
		{"substeps>max", with(func(p *AdEx) { p.Substeps = 1<<20 + 1 }), "neuron: adex.substeps = 1048577: must be an integer in [1, 1048576]"},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			if err := tc.p.Validate(); err == nil || err.Error() != tc.want {
				t.Fatalf("Validate() = %v, want %q", err, tc.want)
			}
			if _, err := tc.p.New(3, clock01); err == nil || err.Error() != tc.want {
				t.Fatalf("New() = %v, want %q", err, tc.want)
			}
		})
	}
	if err := DefaultAdEx().Validate(); err != nil {
		t.Errorf("defaults: %v", err)
	}
	// Forward Euler needs h = dt/substeps below C/g_L and tau_w.
	if _, err := DefaultAdEx().New(1, snnsim.Clock{DT: 10}); err == nil || err.Error() !=
		"neuron: adex.substeps = 1: forward Euler needs resolution/substeps = 10 ms below c_m/g_l = 9.36667 ms and tau_w = 144 ms" {
		t.Errorf("New at 10 ms: %v", err)
	}
	p := DefaultAdEx()
	p.Substeps = 2
	if _, err := p.New(1, snnsim.Clock{DT: 10}); err != nil {
		t.Errorf("New at 10 ms with 2 substeps: %v", err)
	}
	if _, err := p.New(-1, clock1); err == nil || err.Error() != "neuron: adex population size -1: must be >= 0" {
		t.Errorf("New(-1): %v", err)
	}
	for _, dt := range []float64{0, -1, nan, inf} {
		if _, err := p.New(1, snnsim.Clock{DT: dt}); err == nil {
			t.Errorf("New with resolution %g: no error", dt)
		}
	}
	// Registry and weights.
	if q, ok := Lookup("adex"); !ok || q.Model() != "adex" || *q.(*AdEx) != DefaultAdEx() {
		t.Errorf("Lookup(adex) = %v, %v", q, ok)
	}
	if s, err := p.WeightScale(Exc, snnsim.Voltage); s != 1 || err != nil {
		t.Errorf("WeightScale(mV) = %g, %v", s, err)
	}
	if _, err := p.WeightScale(Inh, snnsim.Current); err == nil {
		t.Error("WeightScale(pA): no error")
	}
}
