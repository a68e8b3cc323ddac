package neuron

import (
	"fmt"
	"math"

	"github.com/snnsim/snnsim"
)

// AIFAmpaNmda is the adaptive conductance-based LIF neuron of the
// excitatory population of Zenke, Agnes & Gerstner (2015): the neuron of
// [LIFAmpaNmda] (AMPA, NMDA and GABA conductances, moving threshold) with
// two spike-triggered adaptation conductances that act with the inhibitory
// reversal potential, as Auryn's AIF2Group. Conductances are in units of
// the leak conductance g_L:
//
//	tau_m dV/dt = -(V - v_rest) - (a_ampa g_ampa + a_nmda g_nmda)(V - e_exc)
//	              - (g_gaba + g_a1 + g_a2)(V - e_inh) + R·i_bias
//	tau_ampa dg_ampa/dt = -g_ampa,   tau_nmda dg_nmda/dt = g_ampa - g_nmda
//	tau_gaba dg_gaba/dt = -g_gaba,   tau_a1 dg_a1/dt = -g_a1,   tau_a2 dg_a2/dt = -g_a2
//	spike when V > v_threshold + theta; then V = v_reset, theta = theta_spike
//	(set, not added), g_a1 += dg_a1, g_a2 += dg_a2; theta decays with tau_thr
//	g_ampa += w at excitatory input, g_gaba += w at inhibitory input
//
// The NMDA conductance is a linear low-pass of g_ampa (no Mg block), so an
// excitatory input of size w gives an excitatory conductance whose time
// integral is w·tau_ampa whatever the split a_ampa/a_nmda. With the
// defaults, the adaptation conductance g_a1 (100 ms) adds a hyperpolarising
// conductance of 0.1 g_L per spike, and g_a2 is off.
//
// Integration is the authors' scheme, Auryn's AIF2Group::evolve, so that a
// network of these neurons can be compared with the authors' runs step for
// step (Zenke & Gerstner 2014). It differs from [LIFAmpaNmda]'s IFGroup
// order: the conductances decay before the currents are computed, and
// g_nmda follows g_ampa by a forward Euler step. Per tick dt, with
// h = dt/tau_m, m = dt/tau_nmda and the state of the previous tick:
//
//	g_ampa *= exp(-dt/tau_ampa), g_gaba *= exp(-dt/tau_gaba),
//	g_a1 *= exp(-dt/tau_a1),     g_a2 *= exp(-dt/tau_a2)          (exact decays)
//	g_nmda = (g_nmda + m g_ampa)(1 - m)                         (new g_ampa)
//	I      = -(a_ampa g_ampa + a_nmda g_nmda)(V - e_exc) - (g_gaba + g_a1 + g_a2)(V - e_inh) - (V - v_rest - R·i_bias)
//	theta  = theta exp(-dt/tau_thr)
//	V      = min(max(V + h I, v_min), v_max)                    (forward Euler, then the clip)
//	V > v_threshold + theta: spike, V = v_reset, theta = theta_spike, g_a1 += dg_a1, g_a2 += dg_a2
//
// then the input delivered at the tick is added to g_ampa and g_gaba, so an
// input is decayed once before it first acts on V, as in Auryn. The scheme
// is first order in dt (TestAIFConvergence). It is the authors' rather
// than an exact one because V is linear with time-varying conductances,
// whose propagator has no closed form, and stepping as Auryn does lets the
// two simulators be compared tick by tick. The dense loop has an AVX2
// version, used while dg_a2 = 0 (g_a2 then stays 0).
//
// Parameters: those of [LIFAmpaNmda] (with the defaults below) and
//
//	name         default  unit  meaning
//	tau_m        20       ms    membrane time constant, > resolution
//	v_rest       -70      mV    leak reversal potential (Auryn's e_rest)
//	v_reset      -70      mV    V after a spike (Auryn resets to e_rest)
//	v_threshold  -50      mV    resting threshold
//	t_ref        0        ms    absolute refractory period (none in Auryn)
//	tau_ampa     5        ms    AMPA conductance decay
//	tau_nmda     100      ms    NMDA low-pass time constant, > resolution (Euler)
//	tau_gaba     10       ms    GABA conductance decay
//	a_ampa       1/6      1     AMPA share of the excitatory conductance (AMPA/NMDA ratio 0.2: 0.2/1.2)
//	a_nmda       5/6      1     NMDA share (1/1.2)
//	e_exc        0        mV    excitatory reversal potential
//	e_inh        -80      mV    reversal of GABA and of both adaptation conductances
//	tau_thr      5        ms    decay of theta
//	theta_spike  100      mV    theta right after a spike
//	v_min, v_max -80, 0   mV    clip of V
//	tau_a1       100      ms    decay of the first adaptation conductance, > 0
//	dg_a1        0.1      1     its jump per spike [g_L], >= 0
//	tau_a2       20000    ms    decay of the second adaptation conductance, > 0
//	dg_a2        0        1     its jump per spike [g_L], >= 0 (Auryn's class default 0.002; off in the paper's scripts)
//
// These are the excitatory neurons as the authors configured them in
// sim_rc_p11 (AMPA/NMDA ratio 0.2, Δg_a1 = 0.1, the second adaptation
// off); Auryn's class defaults differ in a_ampa = a_nmda = 0.5 and
// dg_a2 = 0.002. Weights are dimensionless multiples of g_L or
// conductances (nS, divided by g_L = c_m/tau_m), and must not be negative.
//
// A neuron settles, as a [LIFAmpaNmda] one, when its five conductances are
// below ampaNmdaGTol, V is within the clip and no later potential
// without input can reach threshold; the adaptation conductances count
// with the inhibitory ones in that bound. A settled neuron is brought up to
// date by the exact map of the scheme without conductances.
// Checked against an independent implementation of the scheme above by
// TestAIFReference, against a fine-step integration of the equations by
// TestAIFConvergence, against the steady state of the adaptation by
// TestAIFAdaptation, and against the single PSPs of the authors' network
// by TestAIFPSP.
//
// Reference: F. Zenke, E. J. Agnes, W. Gerstner (2015), Diverse synaptic
// plasticity mechanisms orchestrated to form and retrieve memories in
// spiking neural networks, Nat Commun 6:6922; Auryn's AIFGroup and
// AIF2Group (F. Zenke and W. Gerstner 2014, Front Neuroinform 8:76).
type AIFAmpaNmda struct {
	LIFAmpaNmda
	TauA1 float64 `toml:"tau_a1" unit:"ms"`           // first adaptation conductance decay [ms]
	DgA1  float64 `toml:"dg_a1" unit:"dimensionless"` // its jump per spike [g_L]
	TauA2 float64 `toml:"tau_a2" unit:"ms"`           // second adaptation conductance decay [ms]
	DgA2  float64 `toml:"dg_a2" unit:"dimensionless"` // its jump per spike [g_L]
}

// DefaultAIFAmpaNmda returns the parameters of the excitatory neurons of
// Zenke, Agnes & Gerstner (2015) (see [AIFAmpaNmda]).
func DefaultAIFAmpaNmda() AIFAmpaNmda {
	b := DefaultLIFAmpaNmda()
	b.AAmpa, b.ANmda = 0.2/1.2, 1/1.2
	return AIFAmpaNmda{LIFAmpaNmda: b, TauA1: 100, DgA1: 0.1, TauA2: 20000, DgA2: 0}
}

func init() {
	models.Register("aif_cond_ampa_nmda", func() Params { p := DefaultAIFAmpaNmda(); return &p })
}

// Model returns "aif_cond_ampa_nmda".
func (AIFAmpaNmda) Model() string { return "aif_cond_ampa_nmda" }

// Validate checks the parameters.
func (p AIFAmpaNmda) Validate() error {
	c := checkParams(p.Model(), p)
	p.checkAmpaNmda(c)
	c.Positive("tau_a1", p.TauA1)
	c.NonNegative("dg_a1", p.DgA1)
	c.Positive("tau_a2", p.TauA2)
	c.NonNegative("dg_a2", p.DgA2)
	return c.Err()
}

// WeightUnit returns "g_L": a weight is a multiple of the leak conductance.
func (AIFAmpaNmda) WeightUnit() string { return "g_L" }

// WeightScale accepts dimensionless multiples of g_L and conductances (nS, divided by g_L).
func (p AIFAmpaNmda) WeightScale(r Receptor, d snnsim.Dimension) (float64, error) {
	switch d {
	case snnsim.Dimensionless:
		return 1, nil
	case snnsim.Conductance:
		return 1 / p.GL(), nil
	}
	return 0, fmt.Errorf("a weight onto aif_cond_ampa_nmda neurons is a multiple of g_L (a plain number) or a conductance (nS), not a %s", d)
}

// aifConst holds the per-tick constants of aifPop.
type aifConst struct {
	h             float64 // dt/tau_m
	aa, an        float64 // a_ampa, a_nmda
	m, q          float64 // dt/tau_nmda, 1 - m
	pa, pg, pt    float64 // exp(-dt/tau) of g_ampa, g_gaba, theta
	p1, p2        float64 // exp(-dt/tau) of g_a1, g_a2
	eExc, eInh    float64 // [mV]
	vMin, vMax    float64 // clip [mV]
	thetaSpike    float64 // [mV]
	dg1, dg2      float64 // adaptation jumps [g_L]
	cA, cN, cG    float64 // see pull
	c1, c2        float64 // see pull
	dt            float64 // [ms]
	tauA, tauG    float64 // [ms]
	tauT          float64 // [ms]
	tau1, tau2    float64 // [ms]
	pm, tq        []float64
	tpa, tpg, tpt []float64
	tp1, tp2      []float64
}

// aifPop is a population of [AIFAmpaNmda] neurons; see its doc for the
// scheme.
type aifPop struct {
	base
	v, ga, gn, gg []float64 // potential [mV], AMPA, NMDA, GABA conductances [g_L]
	a1, a2        []float64 // adaptation conductances [g_L]
	thr           []float64 // threshold increase theta [mV]
	be, bi        []float64 // input delivered for the next Update [g_L]
	drive         []float64 // v_rest + R i_bias [mV]
	ref           []float64 // last refractory tick
	k             aifConst
}

var _ Population = (*aifPop)(nil)

// New creates n neurons at rest (V = v_rest, no conductance, theta = 0) at
// tick 0. The resolution must be below tau_m and tau_nmda (forward Euler).
func (p AIFAmpaNmda) New(n int, clock snnsim.Clock) (Population, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	q := &aifPop{}
	if err := q.init(p.LIFBase, n, clock, p.Model()); err != nil {
		return nil, err
	}
	dt := clock.DT
	for _, c := range []struct {
		key string
		tau float64
	}{{"tau_m", p.TauM}, {"tau_nmda", p.TauNmda}} {
		if !(dt < c.tau) {
			ch := checkParams(p.Model(), p)
			ch.Failf(c.key, c.tau, "forward Euler needs %s > resolution %g ms", c.key, dt)
			return nil, ch.Err()
		}
	}
	k := &q.k
	k.h = dt / p.TauM
	k.aa, k.an = p.AAmpa, p.ANmda
	k.m = dt / p.TauNmda
	k.q = 1 - k.m
	k.pa, k.pg, k.pt = math.Exp(-dt/p.TauAmpa), math.Exp(-dt/p.TauGaba), math.Exp(-dt/p.TauThr)
	k.p1, k.p2 = math.Exp(-dt/p.TauA1), math.Exp(-dt/p.TauA2)
	k.eExc, k.eInh = p.EExc, p.EInh
	k.vMin, k.vMax = p.VMin, p.VMax
	k.thetaSpike = p.ThetaSpike
	k.dg1, k.dg2 = p.DgA1, p.DgA2
	k.dt, k.tauA, k.tauG, k.tauT, k.tau1, k.tau2 = dt, p.TauAmpa, p.TauGaba, p.TauThr, p.TauA1, p.TauA2
	// Sums over all later ticks of the conductances that act on V (see
	// pull): Σ g_ampa <= g_ampa/(1 - pa); Σ g_nmda <= g_nmda/m + q Σ g_ampa;
	// each decaying conductance g sums to at most g/(1 - p).
	k.cA = k.h * (k.aa + k.an*k.q) / -math.Expm1(-dt/p.TauAmpa)
	k.cN = k.h * k.an / k.m
	k.cG = k.h / -math.Expm1(-dt/p.TauGaba)
	k.c1 = k.h / -math.Expm1(-dt/p.TauA1)
	k.c2 = k.h / -math.Expm1(-dt/p.TauA2)
	k.pm = make([]float64, propTableLen)
	k.tq = make([]float64, propTableLen)
	for j := range k.pm {
		k.pm[j] = math.Pow(1-k.h, float64(j))
		k.tq[j] = math.Pow(k.q, float64(j))
	}
	k.tpa, k.tpg, k.tpt = decayTable(dt, p.TauAmpa), decayTable(dt, p.TauGaba), decayTable(dt, p.TauThr)
	k.tp1, k.tp2 = decayTable(dt, p.TauA1), decayTable(dt, p.TauA2)
	a := arena(11, n)
	q.v, q.ga, q.gn, q.gg, q.a1, q.a2 = a[0], a[1], a[2], a[3], a[4], a[5]
	q.thr, q.be, q.bi, q.drive, q.ref = a[6], a[7], a[8], a[9], a[10]
	drive := p.VRest + p.R()*p.IBias
	for i := range n {
		q.v[i] = p.VRest
		q.drive[i] = drive
		q.ref[i] = noRef
	}
	q.slow = q
	q.initState(p, stateLayout{
		vars:  [][]float64{q.v, q.ga, q.gn, q.gg, q.a1, q.a2, q.thr, q.drive, q.ref},
		drive: 7, ref: 8,
		negligible: []int{1, 2, 3, 4, 5}, tol: ampaNmdaGTol, finiteV: true,
		bufs: [][]float64{q.be, q.bi},
	})
	q.flushK = flushEvery(dt, min(p.TauAmpa, p.TauNmda, p.TauGaba, p.TauThr, p.TauA1, p.TauA2))
	q.flushT = q.flushK
	q.initActive(drive)
	q.denseOK = true
	return q, nil
}

// Deliver adds the weights [g_L] to g_ampa (Exc) or g_gaba (Inh) of the
// targets at tick t.
func (q *aifPop) Deliver(t snnsim.Time, r Receptor, targets []int32, weights []float32) {
	buf := q.be
	if r == Inh {
		buf = q.bi
	}
	q.addInput(buf, false, targets, weights)
}

// Update advances the active neurons to tick t; see [Population].
func (q *aifPop) Update(t snnsim.Time, fired []int32) []int32 {
	return q.update(q, t, fired)
}

func (q *aifPop) stepDense(t snnsim.Time, fired []int32) []int32 {
	// With many inputs the loop adds them to the conductances (and clears
	// the buffers); else the input is added below for the neurons that got
	// any.
	var be, bi []float64
	if q.denseIn {
		be, bi = q.be, q.bi
		q.denseIn = false
	}
	// The AVX2 loop leaves out g_a2, which stays 0 when dg_a2 = 0.
	nc, lo, low := 0, 0, false
	if n4 := q.n &^ 3; useAVX2 && q.k.dg2 == 0 && n4 > 0 {
		var pe, pi *float64
		if be != nil {
			pe, pi = &be[0], &bi[0]
		}
		nc, low = aifDenseAVX(&q.v[0], &q.ga[0], &q.gn[0], &q.gg[0], &q.a1[0], &q.thr[0], &q.drive[0], pe, pi, n4, &q.k, q.vTh, &q.spk[0])
		lo = n4
	}
	if lo < q.n {
		if be != nil {
			be, bi = be[lo:], bi[lo:]
		}
		var l bool
		nc, l = aifDense(q.v[lo:], q.ga[lo:], q.gn[lo:], q.gg[lo:], q.a1[lo:], q.a2[lo:], q.thr[lo:], q.drive[lo:], be, bi, &q.k, q.vTh, q.spk, nc, lo)
		low = low || l
	}
	ga, gg, qbe, qbi := q.ga, q.gg, q.be, q.bi
	for _, j := range q.touched {
		ga[j] += qbe[j]
		gg[j] += qbi[j]
		qbe[j], qbi[j] = 0, 0
	}
	q.touched = q.touched[:0]
	nf := len(fired)
	fired = q.finishDense(t, q.v, q.ref, nc, fired)
	q.spiked(fired[nf:])
	if low && q.scanDue(t) {
		q.scan(t)
	}
	return fired
}

// spiked applies the jumps of a spike other than the reset of V: theta is
// set and the adaptation conductances jump.
func (q *aifPop) spiked(fired []int32) {
	thr, a1, a2, k := q.thr, q.a1, q.a2, &q.k
	for _, j := range fired {
		thr[j] = k.thetaSpike
		a1[j] += k.dg1
		a2[j] += k.dg2
	}
}

// aifDense advances every neuron by one tick (see step) and, if be is not
// nil, adds the input buffers be, bi to g_ampa and g_gaba and clears them;
// it writes the indices (plus off) of the neurons whose new potential
// exceeds vth + theta to spk from position nc on, without resetting them,
// and returns the new count and whether any neuron has |g_ampa| <=
// ampaNmdaGTol (a precondition of settling). The AVX2 version,
// aifDenseAVX (kernels_amd64.s), computes the same with fused
// multiply-adds for g_a2 = 0.
func aifDense(v, ga, gn, gg, a1, a2, thr, drive, be, bi []float64, k *aifConst, vth float64, spk []int32, nc, off int) (int, bool) {
	n := len(v)
	ga, gn, gg, a1, a2, thr, drive = ga[:n], gn[:n], gg[:n], a1[:n], a2[:n], thr[:n], drive[:n]
	in := be != nil
	if in {
		be, bi = be[:n], bi[:n]
	}
	h, aa, an, m, qm := k.h, k.aa, k.an, k.m, k.q
	pa, pg, pt, p1, p2 := k.pa, k.pg, k.pt, k.p1, k.p2
	ee, ei, lo, hi := k.eExc, k.eInh, k.vMin, k.vMax
	low := false
	for i := range v {
		x := v[i]
		// step, written out.
		a := ga[i] * pa
		g := gg[i] * pg
		b1 := a1[i] * p1
		b2 := a2[i] * p2
		nm := (gn[i] + m*a) * qm
		cur := -(aa*a+an*nm)*(x-ee) - (g+b1+b2)*(x-ei) - (x - drive[i])
		th := thr[i] * pt
		x = min(max(x+h*cur, lo), hi)
		if in {
			a += be[i]
			g += bi[i]
			be[i], bi[i] = 0, 0
		}
		v[i], ga[i], gn[i], gg[i], a1[i], a2[i], thr[i] = x, a, nm, g, b1, b2, th
		low = low || math.Abs(a) <= ampaNmdaGTol
		if x > vth+th {
			spk[nc] = int32(i + off)
			nc++
		}
	}
	return nc, low
}

// aifState is the state of one neuron.
type aifState struct {
	v, a, nm, g, a1, a2, th float64
}

// step advances the state of one neuron with resting drive d by one tick
// without input (see AIFAmpaNmda): the decays, g_nmda, the currents from
// the new conductances and the old V, theta, V by forward Euler and the
// clip.
func (k *aifConst) step(s aifState, d float64) aifState {
	s.a *= k.pa
	s.g *= k.pg
	s.a1 *= k.p1
	s.a2 *= k.p2
	s.nm = (s.nm + k.m*s.a) * k.q
	cur := -(k.aa*s.a+k.an*s.nm)*(s.v-k.eExc) - (s.g+s.a1+s.a2)*(s.v-k.eInh) - (s.v - d)
	s.th *= k.pt
	s.v = min(max(s.v+k.h*cur, k.vMin), k.vMax)
	return s
}

func (q *aifPop) load(i int) aifState {
	return aifState{q.v[i], q.ga[i], q.gn[i], q.gg[i], q.a1[i], q.a2[i], q.thr[i]}
}

func (q *aifPop) store(i int, s aifState) {
	q.v[i], q.ga[i], q.gn[i], q.gg[i], q.a1[i], q.a2[i], q.thr[i] = s.v, s.a, s.nm, s.g, s.a1, s.a2, s.th
}

// scan applies the settle test of stepSparse to every neuron, starting
// with g_ampa, which rules out most neurons that get input.
func (q *aifPop) scan(t snnsim.Time) {
	status, at := q.status[:q.n], q.at[:q.n]
	tf, thS := float64(t), q.thS
	removed := false
	for i, a := range q.ga[:q.n] {
		if math.Abs(a) > ampaNmdaGTol {
			continue
		}
		if d := q.drive[i]; d < thS && tf >= q.ref[i] && q.quiet(q.load(i), d) {
			status[i], at[i] = stInactive, t
			removed = true
		}
	}
	if removed {
		q.rebuild()
	}
}

func (q *aifPop) stepSparse(t snnsim.Time, fired []int32) []int32 {
	be, bi, drive, ref := q.be, q.bi, q.drive, q.ref
	status, at := q.status, q.at
	vr, vth, thS := q.vReset, q.vTh, q.thS
	tf, tr := float64(t), float64(t+q.rTick)
	settle := !q.always
	act := q.active
	w := 0
	nf0 := len(fired)
	for _, j := range act {
		i := int(j)
		d := drive[i]
		s := q.k.step(q.load(i), d)
		s.a += be[i]
		s.g += bi[i]
		if tf <= ref[i] {
			s.v = vr
		} else if s.v > vth+s.th {
			s.v = vr
			s.th = q.k.thetaSpike
			s.a1 += q.k.dg1
			s.a2 += q.k.dg2
			ref[i] = tr
			fired = append(fired, j)
		}
		q.store(i, s)
		if settle && d < thS && tf >= ref[i] && q.quiet(s, d) {
			status[i], at[i] = stInactive, t
			continue
		}
		act[w] = j
		w++
	}
	q.active = act[:w]
	q.clampRefractory(t, q.v, ref, fired[nf0:])
	return fired
}

// Settling reports whether some neuron could leave the active set in the
// next ticks Updates. As for [LIFAmpaNmda], a neuron settles only with
// |g_ampa| <= ampaNmdaGTol (quiet), and g_ampa falls at most by the factor
// exp(-dt/tau_ampa) per tick (inputs are non-negative), so a population
// whose every g_ampa stays above the tolerance for ticks ticks, with a
// factor 2 for rounding, keeps every neuron: the E population of a driven
// network (Zenke, Agnes & Gerstner 2015) nearly always does, and a
// parallel run then needs no vote at every tick (package engine).
func (q *aifPop) Settling(ticks snnsim.Time) bool {
	if !q.base.Settling(ticks) {
		return false
	}
	return ampaCouldSettle(q.ga[:q.n], q.k.pa, ticks)
}

// quiet reports whether a neuron in state s with resting drive d <
// threshold can settle: its conductances are negligible, V is within the
// clip, and no later potential without input can reach threshold.
func (q *aifPop) quiet(s aifState, d float64) bool {
	k := &q.k
	if math.Abs(s.a) > ampaNmdaGTol || math.Abs(s.nm) > ampaNmdaGTol || math.Abs(s.g) > ampaNmdaGTol ||
		math.Abs(s.a1) > ampaNmdaGTol || math.Abs(s.a2) > ampaNmdaGTol {
		return false
	}
	if !(s.v >= k.vMin && s.v <= k.vMax) {
		return false
	}
	lo, hi := min(s.v, d), max(s.v, d)
	return hi+k.pull(lo, hi, s) < q.thS
}

// pull bounds how far the conductances of s can move V from its path
// without them, for V within [lo, hi], over all later ticks: each tick
// moves V by h·(a_ampa g_ampa + a_nmda g_nmda)|V - e_exc| + h·(g_gaba +
// g_a1 + g_a2)|V - e_inh| at most, the Euler map contracts differences,
// and the sums of the conductances over all later ticks are bounded as in
// New.
func (k *aifConst) pull(lo, hi float64, s aifState) float64 {
	de := max(math.Abs(k.eExc-lo), math.Abs(k.eExc-hi)) + 1
	di := max(math.Abs(k.eInh-lo), math.Abs(k.eInh-hi)) + 1
	return (k.cA*math.Abs(s.a)+k.cN*math.Abs(s.nm))*de +
		(k.cG*math.Abs(s.g)+k.c1*math.Abs(s.a1)+k.c2*math.Abs(s.a2))*di
}

// stateAt returns the state of neuron i at tick to, given its state s at
// tick from, with no input in between. It steps tick by tick with the
// scheme of Update while the conductances matter (or V is outside the clip,
// or the neuron is refractory), and jumps with the exact map of the scheme
// once they do not.
func (q *aifPop) stateAt(i int, s aifState, from, to snnsim.Time) aifState {
	k := &q.k
	r, d := q.ref[i], q.drive[i]
	for t := from; t < to; t++ {
		if float64(t) >= r && math.Abs(s.a) <= ampaNmdaGTol && math.Abs(s.nm) <= ampaNmdaGTol &&
			math.Abs(s.g) <= ampaNmdaGTol && math.Abs(s.a1) <= ampaNmdaGTol && math.Abs(s.a2) <= ampaNmdaGTol &&
			s.v >= k.vMin && s.v <= k.vMax {
			n := to - t
			pan := decay(k.tpa, n, k.dt, k.tauA)
			qn := k.powQ(n)
			// g_nmda(n) = q^n g_nmda + m q pa g_ampa (q^n - pa^n)/(q - pa)
			// for g_ampa(j) = pa^j g_ampa, g_nmda(j+1) = q (g_nmda(j) + m g_ampa(j+1)).
			var geo float64
			if dq := k.q - k.pa; math.Abs(dq) > 1e-9 {
				geo = (qn - pan) / dq
			} else {
				geo = float64(n) * qn / k.q
			}
			s.nm = qn*s.nm + k.m*k.q*k.pa*s.a*geo
			s.v = min(max(d+k.powM(n)*(s.v-d), k.vMin), k.vMax)
			s.a *= pan
			s.g *= decay(k.tpg, n, k.dt, k.tauG)
			s.a1 *= decay(k.tp1, n, k.dt, k.tau1)
			s.a2 *= decay(k.tp2, n, k.dt, k.tau2)
			s.th *= decay(k.tpt, n, k.dt, k.tauT)
			return s
		}
		s = k.step(s, d)
		if float64(t+1) <= r {
			s.v = q.vReset
		}
	}
	return s
}

// powM returns (1 - h)^n.
func (k *aifConst) powM(n snnsim.Time) float64 {
	if n >= 0 && n < snnsim.Time(len(k.pm)) {
		return k.pm[n]
	}
	return math.Pow(1-k.h, float64(n))
}

// powQ returns (1 - dt/tau_nmda)^n.
func (k *aifConst) powQ(n snnsim.Time) float64 {
	if n >= 0 && n < snnsim.Time(len(k.tq)) {
		return k.tq[n]
	}
	return math.Pow(k.q, float64(n))
}

func (q *aifPop) advance(i int, from, to snnsim.Time) {
	q.store(i, q.stateAt(i, q.load(i), from, to))
}

func (q *aifPop) setBias(i int, bias float64) {
	d := q.vRest + q.rm*bias
	q.setDrive(q.drive[i], d)
	q.drive[i] = d
}

func (q *aifPop) flushTiny() {
	flushSlice(q.ga)
	flushSlice(q.gn)
	flushSlice(q.gg)
	flushSlice(q.a1)
	flushSlice(q.a2)
	flushSlice(q.thr)
}

func (q *aifPop) setV(i int, v float64) { q.v[i], q.ref[i] = v, noRef }

// V returns the membrane potential of neuron i at tick t [mV].
func (q *aifPop) V(i int, t snnsim.Time) float64 {
	return q.stateAt(i, q.load(i), q.stateTick(i), t).v
}

// clearInput zeroes the input buffers of the neurons that got input (all
// of them if Deliver stopped recording the targets).
func (q *aifPop) clearInput() {
	be, bi := q.be, q.bi
	if q.denseIn {
		clear(be)
		clear(bi)
		q.denseIn = false
	}
	for _, j := range q.touched {
		be[j] = 0
		bi[j] = 0
	}
	q.touched = q.touched[:0]
}
