package neuron

import (
	"fmt"
	"math"

	"github.com/snnsim/snnsim"
)

// AdEx is the adaptive exponential integrate-and-fire neuron (Brette &
// Gerstner 2005) with delta synapses, integrated by the forward-Euler scheme
// of the code of Clopath, Ziegler, Vasilaki, Büsing & Gerstner (2008), whose
// parameters are the defaults (ModelDB 118199, tagtric.py):
//
//	C dV/dt     = -g_L (V - E_L) + g_L Δ_T exp((V - V_T)/Δ_T) - w + i_bias
//	tau_w dw/dt = a (V - E_L) - w
//	V > v_peak: spike, V = v_reset, w += b
//	V += w_exc at excitatory input, V -= w_inh at inhibitory input   [mV]
//
// # Scheme
//
// A tick of length dt is split into K = substeps equal Euler substeps of
// length h = dt/K. Each substep, with J the sum of the input delivered at the
// tick [mV] in the first substep and 0 in the others:
//
//	V' = V + h/C (-g_L (V - E_L) + g_L Δ_T exp((V - V_T)/Δ_T) - w + i_bias) + J
//	if V' > v_peak: spike, and V' = v_spike in the next line
//	w' = w + h/tau_w (a (V' - E_L) - w)
//	after a spike: V' = v_reset, w' += b
//
// For dt = 1 ms and substeps = 1 this is the authors' aEIF function step
// for step (their input current I enters as I/C = J mV). It is first order:
// the published numbers were computed with it at dt = 1 ms, and it is meant
// for such reproductions; at other resolutions its accuracy is that of
// forward Euler (error O(h) per unit time, spike times on the tick grid),
// which substeps improves at a proportional cost (one exp per substep and
// active neuron; there is no assembly loop). New requires h < C/g_L and
// h < tau_w. The authors hold V at 20 mV (v_spike) for the tick of the
// spike and apply the reset and w += b at the start of the next step; the
// numbers are the same, but here V(t) of a neuron that fires at t is
// v_reset, as for every model of this package (a voltage-based plasticity
// rule that needs the authors' spike value should take v_spike for the
// neurons in fired). With substeps > 1 and t_ref = 0 the substeps after a
// spike continue from the reset; a second crossing within the same tick
// (an interspike interval shorter than the tick) is reset too (w += b) but
// reported as one spike. The argument of exp is clipped at 500 to keep the
// step finite; V - V_T > 500 Δ_T is only reached from a SetV above v_peak,
// and the step then exceeds v_peak by far anyway.
//
// With t_ref > 0, V is held at v_reset from the crossing to the end of tick
// s+R after a spike at tick s (R = clock.CeilTicks(t_ref), as for the LIF
// models), w keeps integrating with V = v_reset, and delta input arriving in
// those ticks is discarded.
//
// # Parameters
//
//	name      default  unit  meaning
//	c_m       281      pF    membrane capacitance C, > 0
//	g_l       30       nS    leak conductance g_L, > 0
//	e_l       -70.6    mV    leak reversal potential E_L
//	v_t       -50.4    mV    exponential threshold V_T, < v_peak
//	delta_t   2        mV    slope factor Δ_T, > 0
//	tau_w     144      ms    adaptation time constant, > 0
//	a         4        nS    subthreshold adaptation, >= 0
//	b         0.0805   pA    spike-triggered adaptation, >= 0 (see below)
//	v_peak    10       mV    spike when V > v_peak (the authors' "th")
//	v_reset   -70.6    mV    V after a spike (E_L in the authors' code), < v_peak
//	v_spike   20       mV    V used in the adaptation update of the spike's substep
//	t_ref     0        ms    absolute refractory period, >= 0
//	i_bias    0        pA    constant input current
//	substeps  1        1     Euler substeps per tick, an integer in [1, 2^20]
//
// b: the authors' code gives b = 0.0805 with the comment [nA] (Brette &
// Gerstner's 80.5 pA), but its w is in pA, since it is subtracted from
// g_L (V - E_L) in nS·mV = pA; so the spike-triggered jump that produced the
// published numbers is 0.0805 pA, which is the default here. Brette &
// Gerstner's value is b = "0.0805 nA" (80.5 pA). Weights are voltage jumps
// in mV, as for [LIFDelta].
//
// # Rest and settling
//
// Without input the neuron has at most one stable rest state (V*, w*),
// w* = a (V* - E_L), with V* the lower root of
//
//	-(g_L + a)(V* - E_L) + g_L Δ_T exp((V* - V_T)/Δ_T) + i_bias = 0,
//
// slightly above E_L for i_bias = 0 (E_L + 7.25e-5 mV with the defaults).
// It is found by Newton's method from V = E_L + i_bias/(g_L + a), where the
// left side is positive; the iterates rise monotonically to the root, the
// left side being convex. The rest state is used when it exists (i_bias
// below the saddle-node current (g_L + a)(V_T - E_L - Δ_T + Δ_T ln(1 +
// a/g_L))), the linearised Euler substep is stable there (Jury's
// conditions; with the defaults, whose a > C/tau_w, this fails already
// near the Andronov–Hopf current of the continuous model, 627.18 pA, about
// 0.13 pA below the saddle-node current of 627.31 pA; Touboul & Brette
// 2008), V* is below v_peak, and one tick without input from (V*, w*) stays
// within the tolerances below. Else the neuron never settles.
//
// A neuron that got no input at a tick, is past its refractory period and
// ends the tick with |V - V*| <= 1e-9 mV and |w - w*| <= 1e-9 pA is set to
// (V*, w*) exactly. This snap is part of the model and applies whether or
// not the active-set shortcut is on, so that a neuron at rest stays at
// (V*, w*) bit for bit (the last condition above), and a settled neuron,
// which leaves the active set at the snap, needs no propagation over the
// ticks it skips: the shortcut changes no spike and no state
// (TestAdExShortcut). It moves the state by at most the tolerances, far
// below the scheme's error. The slow mode of the rest state decays with a
// time constant of about 126 ms with the defaults, so a neuron settles
// about 2 to 3 s after its last input or spike.
//
// A new population is at (V*, w*) of its i_bias, settled; if it has none,
// at the authors' initial state (E_L, 0), active. SetV sets V and ends the
// refractory period; w is kept.
//
// References: R. Brette, W. Gerstner (2005), Adaptive exponential
// integrate-and-fire model as an effective description of neuronal
// activity, J Neurophysiol 94:3637; C. Clopath, L. Ziegler, E. Vasilaki,
// L. Büsing, W. Gerstner (2008), Tag-trigger-consolidation: a model of early
// and late long-term-potentiation and depression, PLoS Comput Biol
// 4:e1000248 (code: ModelDB 118199); J. Touboul, R. Brette (2008), Dynamics
// and bifurcations of the adaptive exponential integrate-and-fire model,
// Biol Cybern 99:319. Checked against an independent implementation of the
// scheme above by TestAdExReference, and against the bifurcation currents
// of the continuous model by TestAdExRheobase.
type AdEx struct {
	CM       float64 `toml:"c_m" unit:"pF"`     // membrane capacitance C [pF]
	GL       float64 `toml:"g_l" unit:"nS"`     // leak conductance g_L [nS]
	EL       float64 `toml:"e_l" unit:"mV"`     // leak reversal potential E_L [mV]
	VT       float64 `toml:"v_t" unit:"mV"`     // exponential threshold V_T [mV]
	DeltaT   float64 `toml:"delta_t" unit:"mV"` // slope factor Δ_T [mV]
	TauW     float64 `toml:"tau_w" unit:"ms"`   // adaptation time constant [ms]
	A        float64 `toml:"a" unit:"nS"`       // subthreshold adaptation [nS]
	B        float64 `toml:"b" unit:"pA"`       // spike-triggered adaptation [pA]
	VPeak    float64 `toml:"v_peak" unit:"mV"`  // spike detection level [mV]
	VReset   float64 `toml:"v_reset" unit:"mV"` // reset potential [mV]
	VSpike   float64 `toml:"v_spike" unit:"mV"` // V in the adaptation update of a spike [mV]
	TRef     float64 `toml:"t_ref" unit:"ms"`   // refractory period [ms]
	IBias    float64 `toml:"i_bias" unit:"pA"`  // constant bias current [pA]
	Substeps int     `toml:"substeps"`          // Euler substeps per tick
}

// DefaultAdEx returns the parameters of Clopath et al. (2008)'s code
// (ModelDB 118199), b in pA as there.
func DefaultAdEx() AdEx {
	return AdEx{
		CM: 281, GL: 30, EL: -70.6, VT: -50.4, DeltaT: 2, TauW: 144, A: 4, B: 0.0805,
		VPeak: 10, VReset: -70.6, VSpike: 20, TRef: 0, IBias: 0, Substeps: 1,
	}
}

func init() {
	models.Register("adex", func() Params { p := DefaultAdEx(); return &p })
}

// Model returns "adex".
func (AdEx) Model() string { return "adex" }

// adexMaxSubsteps bounds the substeps parameter.
const adexMaxSubsteps = 1 << 20

// Validate checks the parameters.
func (p AdEx) Validate() error {
	c := checkParams(p.Model(), p)
	c.Positive("c_m", p.CM)
	c.Positive("g_l", p.GL)
	c.Positive("delta_t", p.DeltaT)
	c.Positive("tau_w", p.TauW)
	c.Finite("e_l", p.EL)
	c.Finite("v_t", p.VT)
	c.Finite("v_peak", p.VPeak)
	c.Finite("v_reset", p.VReset)
	c.Finite("v_spike", p.VSpike)
	c.Finite("i_bias", p.IBias)
	c.NonNegative("a", p.A)
	c.NonNegative("b", p.B)
	c.NonNegative("t_ref", p.TRef)
	c.Below("v_t", p.VT, "v_peak", p.VPeak)
	c.Below("v_reset", p.VReset, "v_peak", p.VPeak)
	c.IntIn("substeps", p.Substeps, 1, adexMaxSubsteps)
	return c.Err()
}

// Bias returns i_bias [pA].
func (p AdEx) Bias() float64 { return p.IBias }

// Refractory returns t_ref [ms].
func (p AdEx) Refractory() float64 { return p.TRef }

// WeightUnit returns "mV": a weight is a voltage jump.
func (AdEx) WeightUnit() string { return "mV" }

// WeightScale accepts voltage weights only (mV jumps, as lif_delta).
func (p AdEx) WeightScale(r Receptor, d snnsim.Dimension) (float64, error) {
	if d == snnsim.Voltage {
		return 1, nil
	}
	return 0, fmt.Errorf("a weight onto adex neurons is a voltage jump: give it in mV, not as a %s", d)
}

// The settling tolerances of AdEx (see its doc).
const (
	adexTolV = 1e-9 // [mV]
	adexTolW = 1e-9 // [pA]
)

// adexExpMax clips the argument of exp in the Euler step.
const adexExpMax = 500

// adexConst holds the per-substep constants of adexPop.
type adexConst struct {
	gL, eL, vT, dT, a, b  float64
	vPeak, vReset, vSpike float64
	gLdT                  float64 // g_L Δ_T [pA]
	hC, hW                float64 // h/C [ms/pF], h/tau_w
	wRef                  float64 // a (v_reset - E_L): w's target while clamped [pA]
	k                     int     // substeps
	clamp                 bool    // t_ref > 0: hold V after a crossing
	thS                   float64 // v_peak - settleMargin: V* must be below
}

// tick advances (x, y) = (V, w) by one tick with input j [mV] and bias
// bias [pA] (see AdEx); clamped holds V at v_reset for the whole tick. It
// returns the new state and whether V crossed v_peak.
func (c *adexConst) tick(x, y, j, bias float64, clamped bool) (float64, float64, bool) {
	if clamped {
		for range c.k {
			y += c.hW * (c.wRef - y)
		}
		return c.vReset, y, false
	}
	spiked := false
	for s := range c.k {
		if spiked && c.clamp {
			y += c.hW * (c.wRef - y)
			continue
		}
		e := (x - c.vT) / c.dT
		if e > adexExpMax {
			e = adexExpMax
		}
		x1 := x + c.hC*(-c.gL*(x-c.eL)+c.gLdT*math.Exp(e)-y+bias)
		if s == 0 {
			x1 += j
		}
		if x1 > c.vPeak {
			y += c.hW * (c.a*(c.vSpike-c.eL) - y)
			y += c.b
			x = c.vReset
			spiked = true
			continue
		}
		y += c.hW * (c.a*(x1-c.eL) - y)
		x = x1
	}
	return x, y, spiked
}

// rest returns V* for the bias [pA] if a neuron can settle there (see
// AdEx), else +Inf.
func (c *adexConst) rest(bias float64) float64 {
	inf := math.Inf(1)
	g := c.gL + c.a
	vm := c.vT + c.dT*math.Log(g/c.gL) // minimum of F
	F := func(v float64) float64 { return -g*(v-c.eL) + c.gLdT*math.Exp((v-c.vT)/c.dT) + bias }
	if !(F(vm) < 0) {
		return inf // no fixed point (or a double one)
	}
	v := c.eL + bias/g // F(v) > 0: left of the lower root
	if !(v < vm) {
		return inf
	}
	for range 200 {
		d := c.gL*math.Exp((v-c.vT)/c.dT) - g // F'(v) < 0
		nv := v - F(v)/d
		if !(nv > v) {
			break
		}
		v = nv
	}
	if !(v < c.thS) {
		return inf
	}
	// Jury's conditions for the Jacobian M of one substep at (V*, w*):
	// M = [[p, -hC], [hW a p, 1 - hW - hW a hC]], p = 1 + hC s,
	// s = dF_V/dV = g_L (exp((V* - V_T)/Δ_T) - 1); det M = p (1 - hW),
	// 1 - tr M + det M = hC hW (a - s). (Stable substeps make a stable tick.)
	s := c.gL * math.Expm1((v-c.vT)/c.dT)
	p := 1 + c.hC*s
	det := p * (1 - c.hW)
	tr := p + 1 - c.hW - c.hW*c.a*c.hC
	if !(math.Abs(det) < 1 && s < c.a && 1+tr+det > 0) {
		return inf
	}
	w := c.a * (v - c.eL)
	x, y, spk := c.tick(v, w, 0, bias, false)
	if spk || !(math.Abs(x-v) <= adexTolV) || !(math.Abs(y-w) <= adexTolW) {
		return inf
	}
	return v
}

// adexPop is a population of [AdEx] neurons; see its doc for the scheme.
type adexPop struct {
	base
	v, w  []float64 // potential [mV], adaptation current [pA]
	in    []float64 // input delivered for the next Update [mV]
	bias  []float64 // i_bias [pA]
	vs    []float64 // rest potential V* of the bias [mV], +Inf if none (the drive of base)
	ref   []float64 // last refractory tick
	c     adexConst
	cache [2]float64 // the last bias passed to restOf and its V*
}

var _ Population = (*adexPop)(nil)

// New creates n AdEx neurons at tick 0, at the rest state of i_bias (or at
// (E_L, 0) if there is none). The resolution divided by substeps must be
// below C/g_L and tau_w.
func (p AdEx) New(n int, clock snnsim.Clock) (Population, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	q := &adexPop{}
	lb := LIFBase{TauM: p.CM / p.GL, CM: p.CM, VRest: p.EL, VThreshold: p.VPeak, VReset: p.VReset, TRef: p.TRef, IBias: p.IBias}
	if err := q.init(lb, n, clock, p.Model()); err != nil {
		return nil, err
	}
	h := clock.DT / float64(p.Substeps)
	if !(h < p.CM/p.GL && h < p.TauW) {
		c := checkParams(p.Model(), p)
		c.Failf("substeps", p.Substeps, "forward Euler needs resolution/substeps = %.6g ms below c_m/g_l = %.6g ms and tau_w = %g ms",
			h, p.CM/p.GL, p.TauW)
		return nil, c.Err()
	}
	q.c = adexConst{
		gL: p.GL, eL: p.EL, vT: p.VT, dT: p.DeltaT, a: p.A, b: p.B,
		vPeak: p.VPeak, vReset: p.VReset, vSpike: p.VSpike,
		gLdT: p.GL * p.DeltaT, hC: h / p.CM, hW: h / p.TauW,
		wRef: p.A * (p.VReset - p.EL), k: p.Substeps, clamp: p.TRef > 0,
		thS: q.thS,
	}
	a := arena(6, n)
	q.v, q.w, q.in, q.bias, q.vs, q.ref = a[0], a[1], a[2], a[3], a[4], a[5]
	q.cache = [2]float64{math.NaN(), 0}
	vs := q.restOf(p.IBias)
	v0, w0 := p.EL, 0.0
	if vs < q.thS {
		v0, w0 = vs, p.A*(vs-p.EL)
	}
	for i := range n {
		q.v[i], q.w[i] = v0, w0
		q.bias[i] = p.IBias
		q.vs[i] = vs
		q.ref[i] = noRef
	}
	q.slow = q
	q.initState(p, stateLayout{
		vars: [][]float64{q.v, q.w, q.bias, q.vs, q.ref}, drive: 3, ref: 4,
		bufs: [][]float64{q.in}, check: q.checkVars,
	})
	q.initActive(vs)
	return q, nil
}

// restOf returns c.rest(bias), remembering the last result.
func (q *adexPop) restOf(bias float64) float64 {
	if bias == q.cache[0] {
		return q.cache[1]
	}
	v := q.c.rest(bias)
	q.cache = [2]float64{bias, v}
	return v
}

// Deliver adds the weights [mV] to the input of the targets at tick t
// (inhibitory ones with a minus sign).
func (q *adexPop) Deliver(t snnsim.Time, r Receptor, targets []int32, weights []float32) {
	q.addInput(q.in, r == Inh, targets, weights)
}

// Update advances the active neurons to tick t; see [Population].
func (q *adexPop) Update(t snnsim.Time, fired []int32) []int32 {
	return q.update(q, t, fired)
}

func (q *adexPop) stepDense(t snnsim.Time, fired []int32) []int32  { return q.step(t, fired) }
func (q *adexPop) stepSparse(t snnsim.Time, fired []int32) []int32 { return q.step(t, fired) }

// step advances every neuron of the active list by one tick with its input,
// records the spikes, snaps the neurons that reached their rest state and,
// with the shortcut on, removes them from the list.
func (q *adexPop) step(t snnsim.Time, fired []int32) []int32 {
	c := &q.c
	v, w, in, bias, vs, ref := q.v, q.w, q.in, q.bias, q.vs, q.ref
	status, at := q.status, q.at
	tf, tr := float64(t), float64(t+q.rTick)
	settle := !q.always
	act := q.active
	n := 0
	for _, j := range act {
		i := int(j)
		jin := in[i]
		x, y, spk := c.tick(v[i], w[i], jin, bias[i], tf <= ref[i])
		if spk {
			ref[i] = tr
			fired = append(fired, j)
		} else if jin == 0 && tf >= ref[i] && math.Abs(x-vs[i]) <= adexTolV {
			if ws := c.a * (vs[i] - c.eL); math.Abs(y-ws) <= adexTolW {
				x, y = vs[i], ws
				if settle {
					v[i], w[i] = x, y
					status[i], at[i] = stInactive, t
					continue
				}
			}
		}
		v[i], w[i] = x, y
		act[n] = j
		n++
	}
	q.active = act[:n]
	return fired
}

// stateAt returns the state (V, w, refractory end) at tick to of neuron i,
// whose state at tick from is (x, y, r), without input: tick by tick as in
// Update (spikes are reset but not reported), and in one step once it is at
// rest, where it stays.
func (q *adexPop) stateAt(i int, x, y, r float64, from, to snnsim.Time) (float64, float64, float64) {
	c := &q.c
	vs, bias := q.vs[i], q.bias[i]
	if !(vs < c.thS) {
		vs = math.NaN() // compares false: never at rest
	}
	ws := c.a * (vs - c.eL)
	for s := from + 1; s <= to; s++ {
		sf := float64(s)
		if x == vs && y == ws && sf > r {
			break // one tick from rest stays within the tolerances (rest)
		}
		nx, ny, spk := c.tick(x, y, 0, bias, sf <= r)
		if spk {
			r = float64(s + q.rTick)
		} else if sf >= r && math.Abs(nx-vs) <= adexTolV && math.Abs(ny-ws) <= adexTolW {
			nx, ny = vs, ws
		}
		x, y = nx, ny
	}
	return x, y, r
}

func (q *adexPop) advance(i int, from, to snnsim.Time) {
	q.v[i], q.w[i], q.ref[i] = q.stateAt(i, q.v[i], q.w[i], q.ref[i], from, to)
}

func (q *adexPop) setBias(i int, bias float64) {
	vs := q.restOf(bias)
	q.setDrive(q.vs[i], vs)
	q.bias[i], q.vs[i] = bias, vs
}

func (q *adexPop) flushTiny() {}

func (q *adexPop) setV(i int, v float64) { q.v[i], q.ref[i] = v, noRef }

// V returns the membrane potential of neuron i at tick t [mV].
func (q *adexPop) V(i int, t snnsim.Time) float64 {
	v, _, _ := q.stateAt(i, q.v[i], q.w[i], q.ref[i], q.stateTick(i), t)
	return v
}

// W returns the adaptation current w of neuron i at tick t [pA], with the
// timing of V.
func (q *adexPop) W(i int, t snnsim.Time) float64 {
	_, w, _ := q.stateAt(i, q.v[i], q.w[i], q.ref[i], q.stateTick(i), t)
	return w
}

// clearInput zeroes the input buffer of the neurons that got input.
func (q *adexPop) clearInput() {
	in := q.in
	for _, j := range q.touched {
		in[j] = 0
	}
	q.touched = q.touched[:0]
}

// checkVars checks a decoded state (vars in the order of New) for what
// RestoreState relies on besides the shared invariants: the rest potential
// of every neuron is that of its bias, and a neuron outside the active list
// whose state is older than the last Update is at its rest state (so that
// bringing it up to date costs nothing).
func (q *adexPop) checkVars(last snnsim.Time, status []uint8, at []snnsim.Time, vars [][]float64) error {
	c := &q.c
	v, w, bias, vs := vars[0], vars[1], vars[2], vars[3]
	for i := range vs {
		if r := q.restOf(bias[i]); math.Float64bits(r) != math.Float64bits(vs[i]) {
			return codec.Corruptf("%s state: neuron %d has rest potential %g mV, its bias %g pA gives %g mV", q.model, i, vs[i], bias[i], r)
		}
		if status[i] != stActive && at[i] < last && !(vs[i] < c.thS && v[i] == vs[i] && w[i] == c.a*(vs[i]-c.eL)) {
			return codec.Corruptf("%s state: neuron %d settled at tick %d away from its rest state", q.model, i, at[i])
		}
	}
	return nil
}

// Settling reports whether some neuron could leave the active set: an AdEx
// neuron settles wherever its state reaches its fixed point, whatever its
// drive, so this holds whenever the shortcut is on.
func (q *adexPop) Settling(ticks snnsim.Time) bool { return !q.always }
