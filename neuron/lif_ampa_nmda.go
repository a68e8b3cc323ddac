package neuron

import (
	"fmt"
	"math"

	"github.com/snnsim/snnsim"
)

// LIFAmpaNmda is the conductance-based LIF neuron with AMPA, NMDA and GABA
// conductances and a moving threshold of Auryn's IFGroup, the neuron of the
// plastic network of Zenke, Hennequin & Gerstner (2013) and of benchmark B3
// "plastic". Conductances are in units
// of the leak conductance g_L:
//
//	tau_m dV/dt = -(V - v_rest) - (a_ampa g_ampa + a_nmda g_nmda)(V - e_exc) - g_gaba (V - e_inh) + R·i_bias
//	g_ampa decays with tau_ampa, g_gaba with tau_gaba, and g_nmda is a
//	low-pass of g_ampa with tau_nmda (linear, no Mg block)
//	spike when V > v_threshold + theta; then V = v_reset and theta = theta_spike;
//	theta decays with tau_thr
//	g_ampa += w at excitatory input, g_gaba += w at inhibitory input
//
// The model is clock-driven, exactly in Auryn's order (IFGroup::evolve).
// Per tick dt, with h = dt/tau_m, m = 1 - exp(-dt/tau_nmda) and the state
// of the previous tick:
//
//	I     = -(a_ampa g_ampa + a_nmda g_nmda)(V - e_exc) - g_gaba (V - e_inh) - (V - v_rest - R·i_bias)
//	g_nmda = (g_nmda + m g_ampa)(1 - m)
//	g_ampa = g_ampa exp(-dt/tau_ampa),  g_gaba = g_gaba exp(-dt/tau_gaba)
//	theta  = theta exp(-dt/tau_thr)
//	V      = min(max(V + h I, v_min), v_max)          (forward Euler, then the clip)
//	V > v_threshold + theta: spike, V = v_reset, theta = theta_spike
//
// then the input delivered at the tick is added to g_ampa and g_gaba.
//
//	name         default  unit  meaning
//	tau_m        20       ms    membrane time constant (B3: 20 ms for E, 10 ms for I), > resolution
//	c_m          200      pF    capacitance; only converts i_bias and nS weights (Auryn has none)
//	v_rest       -70      mV    leak reversal potential U_rest
//	v_threshold  -50      mV    resting threshold ϑ_rest
//	v_reset      -70      mV    V after a spike U_reset, below v_threshold, in [v_min, v_max]
//	t_ref        0        ms    absolute refractory period, >= 0 (Auryn's IFGroup has none)
//	i_bias       0        pA    constant input current
//	tau_ampa     5        ms    AMPA conductance decay, > 0
//	tau_nmda     100      ms    NMDA low-pass time constant, > 0
//	tau_gaba     10       ms    GABA conductance decay, > 0
//	a_ampa       0.5      1     weight of g_ampa in the excitatory conductance, >= 0
//	a_nmda       0.5      1     weight of g_nmda, >= 0 (Auryn: AMPA/NMDA ratio 1)
//	e_exc        0        mV    excitatory reversal potential
//	e_inh        -80      mV    inhibitory reversal potential
//	tau_thr      5        ms    decay of the threshold increase theta, > 0
//	theta_spike  100      mV    theta right after a spike (set, not added), >= 0
//	v_min        -80      mV    lower clip of V (Auryn: e_inh)
//	v_max        0        mV    upper clip of V, > v_min
//
// Weights are dimensionless multiples of g_L (B3: 0.16 for AMPA, 1 for
// GABA) or conductances (nS, divided by g_L = c_m/tau_m), and must not be
// negative. SetV stores V as given; like Auryn's initial random_mem it is
// clipped after the next membrane update. There is no refractory period
// by default: the threshold jump of 100 mV makes one, since V <= v_max =
// 0 mV cannot cross v_threshold + theta until theta has decayed below 50 mV
// (3.5 ms).
//
// The scheme is first order (forward Euler), as in Auryn and Brian2's
// method='euler'; it is stable and monotone without input for
// dt < tau_m, which New requires. A neuron settles when it is past its
// refractory clamp, its three conductances are below ampaNmdaGTol, V lies in
// [v_min, v_max], and V, the resting drive v_rest + R i_bias and the
// largest deviation the remaining conductances can cause are below
// v_threshold (theta only raises the threshold). Without conductances the
// Euler map is linear, V(t+k) = D + (1 - h)^k (V(t) - D) (then clipped,
// which is exact for this monotone approach), and a settled neuron is
// brought up to date by that in one step; the conductances it neglects move
// V by less than 1e-9 mV. Since g_nmda is a slow low-pass, a neuron stays
// active for about 2.5 s after its last input (g_nmda from 1e-2 to 1e-12
// with tau_nmda = 100 ms); in B3 every neuron gets input every few ticks
// and stays active. The dense loop has an AVX2 version. Checked against an
// independent implementation of the equations above by
// TestLIFAmpaNmdaReference (also TestLIFAmpaNmdaThreshold,
// TestLIFAmpaNmdaClip, TestLIFAmpaNmdaFI).
//
// Reference: F. Zenke, G. Hennequin, W. Gerstner (2013), Synaptic
// plasticity in neural networks needs homeostasis with a fast rate
// detector, PLoS Comput Biol 9:e1003330; Auryn's IFGroup (F. Zenke and
// W. Gerstner 2014, Front Neuroinform 8:76).
type LIFAmpaNmda struct {
	LIFBase
	TauAmpa    float64 `toml:"tau_ampa" unit:"ms"`          // AMPA conductance time constant [ms]
	TauNmda    float64 `toml:"tau_nmda" unit:"ms"`          // NMDA low-pass time constant [ms]
	TauGaba    float64 `toml:"tau_gaba" unit:"ms"`          // GABA conductance time constant [ms]
	AAmpa      float64 `toml:"a_ampa" unit:"dimensionless"` // weight of g_ampa [1]
	ANmda      float64 `toml:"a_nmda" unit:"dimensionless"` // weight of g_nmda [1]
	EExc       float64 `toml:"e_exc" unit:"mV"`             // excitatory reversal potential [mV]
	EInh       float64 `toml:"e_inh" unit:"mV"`             // inhibitory reversal potential [mV]
	TauThr     float64 `toml:"tau_thr" unit:"ms"`           // threshold decay time constant [ms]
	ThetaSpike float64 `toml:"theta_spike" unit:"mV"`       // threshold increase set by a spike [mV]
	VMin       float64 `toml:"v_min" unit:"mV"`             // lower clip of V [mV]
	VMax       float64 `toml:"v_max" unit:"mV"`             // upper clip of V [mV]
}

// DefaultLIFAmpaNmda returns the parameters of Auryn's IFGroup, the
// excitatory neurons of B3 (set tau_m = 10 ms for the inhibitory ones).
func DefaultLIFAmpaNmda() LIFAmpaNmda {
	return LIFAmpaNmda{
		LIFBase: LIFBase{TauM: 20, CM: 200, VRest: -70, VThreshold: -50, VReset: -70, TRef: 0},
		TauAmpa: 5, TauNmda: 100, TauGaba: 10, AAmpa: 0.5, ANmda: 0.5,
		EExc: 0, EInh: -80, TauThr: 5, ThetaSpike: 100, VMin: -80, VMax: 0,
	}
}

func init() {
	models.Register("lif_cond_ampa_nmda", func() Params { p := DefaultLIFAmpaNmda(); return &p })
}

// Model returns "lif_cond_ampa_nmda".
func (LIFAmpaNmda) Model() string { return "lif_cond_ampa_nmda" }

// Validate checks the parameters.
func (p LIFAmpaNmda) Validate() error {
	c := checkParams(p.Model(), p)
	p.checkAmpaNmda(c)
	return c.Err()
}

// checkAmpaNmda checks the parameters that lif_cond_ampa_nmda shares with
// the models that embed it.
func (p LIFAmpaNmda) checkAmpaNmda(c *snnsim.ParamCheck) {
	p.check(c)
	c.Positive("tau_ampa", p.TauAmpa)
	c.Positive("tau_nmda", p.TauNmda)
	c.Positive("tau_gaba", p.TauGaba)
	c.Positive("tau_thr", p.TauThr)
	c.NonNegative("a_ampa", p.AAmpa)
	c.NonNegative("a_nmda", p.ANmda)
	c.Finite("e_exc", p.EExc)
	c.Finite("e_inh", p.EInh)
	c.NonNegative("theta_spike", p.ThetaSpike)
	c.Finite("v_min", p.VMin)
	c.Finite("v_max", p.VMax)
	c.Below("v_min", p.VMin, "v_max", p.VMax)
	if p.VReset < p.VMin || p.VReset > p.VMax {
		c.Failf("v_reset", p.VReset, "must be within [v_min, v_max] = [%g, %g] mV", p.VMin, p.VMax)
	}
}

// WeightUnit returns "g_L": a weight is a multiple of the leak conductance.
func (LIFAmpaNmda) WeightUnit() string { return "g_L" }

// WeightScale accepts dimensionless multiples of g_L and conductances (nS, divided by g_L).
func (p LIFAmpaNmda) WeightScale(r Receptor, d snnsim.Dimension) (float64, error) {
	switch d {
	case snnsim.Dimensionless:
		return 1, nil
	case snnsim.Conductance:
		return 1 / p.GL(), nil
	}
	return 0, fmt.Errorf("a weight onto lif_cond_ampa_nmda neurons is a multiple of g_L (a plain number) or a conductance (nS), not a %s", d)
}

// ampaNmdaGTol is the conductance (in units of g_L) below which a
// lif_cond_ampa_nmda neuron may settle and its conductances are left out of
// V's propagation. The potential they can still cause is bounded in
// ampaNmdaConst.pull (at most a few 1e-10 mV for B3's time constants).
const ampaNmdaGTol = 1e-12

// ampaNmdaGTolv is ampaNmdaGTol for the AVX2 loop.
var ampaNmdaGTolv = ampaNmdaGTol

// ampaNmdaConst holds the per-tick constants of lifAmpaNmdaPop.
type ampaNmdaConst struct {
	h          float64   // dt/tau_m
	aa, an     float64   // a_ampa, a_nmda
	m, q       float64   // 1 - exp(-dt/tau_nmda), 1 - m
	pa, pg, pt float64   // exp(-dt/tau_ampa), exp(-dt/tau_gaba), exp(-dt/tau_thr)
	eExc, eInh float64   // [mV]
	vMin, vMax float64   // clip [mV]
	cA, cN, cG float64   // see pull
	thetaSpike float64   // [mV]
	dt         float64   // [ms]
	tauA, tauN float64   // tau_ampa, tau_nmda [ms]
	tauG, tauT float64   // tau_gaba, tau_thr [ms]
	pm         []float64 // (1 - h)^k, k = 0..propTableLen-1
	tpa, tpg   []float64 // pa^k, pg^k
	tpt, tq    []float64 // pt^k, q^k = exp(-k dt/tau_nmda)
}

// lifAmpaNmdaPop is a population of [LIFAmpaNmda] neurons; see its doc for
// the scheme.
type lifAmpaNmdaPop struct {
	base
	v, ga, gn, gg []float64 // potential [mV], AMPA, NMDA, GABA conductances [g_L]
	thr           []float64 // threshold increase theta [mV]
	be, bi        []float64 // input delivered for the next Update [g_L]
	drive         []float64 // v_rest + R i_bias [mV]
	ref           []float64 // last refractory tick
	k             ampaNmdaConst
}

var _ Population = (*lifAmpaNmdaPop)(nil)

// New creates n neurons at rest (V = v_rest, no conductance, theta = 0) at
// tick 0. The resolution must be below tau_m (forward Euler).
func (p LIFAmpaNmda) New(n int, clock snnsim.Clock) (Population, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	q := &lifAmpaNmdaPop{}
	if err := q.init(p.LIFBase, n, clock, p.Model()); err != nil {
		return nil, err
	}
	dt := clock.DT
	if !(dt < p.TauM) {
		c := checkParams(p.Model(), p)
		c.Failf("tau_m", p.TauM, "forward Euler needs tau_m > resolution %g ms", dt)
		return nil, c.Err()
	}
	k := &q.k
	k.h = dt / p.TauM
	k.aa, k.an = p.AAmpa, p.ANmda
	k.m = -math.Expm1(-dt / p.TauNmda)
	k.q = 1 - k.m
	k.pa, k.pg, k.pt = math.Exp(-dt/p.TauAmpa), math.Exp(-dt/p.TauGaba), math.Exp(-dt/p.TauThr)
	k.eExc, k.eInh = p.EExc, p.EInh
	k.vMin, k.vMax = p.VMin, p.VMax
	k.thetaSpike = p.ThetaSpike
	k.dt, k.tauA, k.tauN, k.tauG, k.tauT = dt, p.TauAmpa, p.TauNmda, p.TauGaba, p.TauThr
	// Sums over all later ticks (see pull): Σ g_ampa = g_ampa/(1 - pa),
	// Σ g_nmda <= g_nmda/m + (1 - m) Σ g_ampa, Σ g_gaba = g_gaba/(1 - pg).
	k.cA = k.h * (k.aa + k.an*k.q) / -math.Expm1(-dt/p.TauAmpa)
	k.cN = k.h * k.an / k.m
	k.cG = k.h / -math.Expm1(-dt/p.TauGaba)
	k.pm = make([]float64, propTableLen)
	for j := range k.pm {
		k.pm[j] = math.Pow(1-k.h, float64(j))
	}
	k.tpa, k.tpg, k.tpt = decayTable(dt, p.TauAmpa), decayTable(dt, p.TauGaba), decayTable(dt, p.TauThr)
	k.tq = decayTable(dt, p.TauNmda)
	a := arena(9, n)
	q.v, q.ga, q.gn, q.gg, q.thr, q.be, q.bi, q.drive, q.ref = a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]
	drive := p.VRest + p.R()*p.IBias
	for i := range n {
		q.v[i] = p.VRest
		q.drive[i] = drive
		q.ref[i] = noRef
	}
	q.slow = q
	q.initState(p, stateLayout{
		vars: [][]float64{q.v, q.ga, q.gn, q.gg, q.thr, q.drive, q.ref}, drive: 5, ref: 6,
		negligible: []int{1, 2, 3}, tol: ampaNmdaGTol, finiteV: true,
		bufs: [][]float64{q.be, q.bi},
	})
	q.flushK = flushEvery(dt, min(p.TauAmpa, p.TauNmda, p.TauGaba, p.TauThr))
	q.flushT = q.flushK
	q.initActive(drive)
	q.denseOK = true
	return q, nil
}

// Deliver adds the weights [g_L] to g_ampa (Exc) or g_gaba (Inh) of the
// targets at tick t.
func (q *lifAmpaNmdaPop) Deliver(t snnsim.Time, r Receptor, targets []int32, weights []float32) {
	buf := q.be
	if r == Inh {
		buf = q.bi
	}
	q.addInput(buf, false, targets, weights)
}

// Update advances the active neurons to tick t; see [Population].
func (q *lifAmpaNmdaPop) Update(t snnsim.Time, fired []int32) []int32 {
	return q.update(q, t, fired)
}

func (q *lifAmpaNmdaPop) stepDense(t snnsim.Time, fired []int32) []int32 {
	// With many inputs the loop adds them to the conductances (and clears
	// the buffers); else it only decays the conductances, and the input is
	// added below for the neurons that got any.
	var be, bi []float64
	if q.denseIn {
		be, bi = q.be, q.bi
		q.denseIn = false
	}
	nc, lo, low := 0, 0, false
	if n4 := q.n &^ 3; useAVX2 && n4 > 0 {
		var pe, pi *float64
		if be != nil {
			pe, pi = &be[0], &bi[0]
		}
		nc, low = ampaNmdaDenseAVX(&q.v[0], &q.ga[0], &q.gn[0], &q.gg[0], &q.thr[0], &q.drive[0], pe, pi, n4, &q.k, q.vTh, &q.spk[0])
		lo = n4
	}
	if lo < q.n {
		if be != nil {
			be, bi = be[lo:], bi[lo:]
		}
		var l bool
		nc, l = ampaNmdaDense(q.v[lo:], q.ga[lo:], q.gn[lo:], q.gg[lo:], q.thr[lo:], q.drive[lo:], be, bi, &q.k, q.vTh, q.spk, nc, lo)
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
	thr, ts := q.thr, q.k.thetaSpike
	for _, j := range fired[nf:] {
		thr[j] = ts
	}
	// A neuron can settle only with |g_ampa| <= ampaNmdaGTol; the loops
	// report whether any has it (input added below by the touched list can
	// only raise g_ampa, weights being non-negative), so that the scan is
	// skipped when nobody can settle, as in B3, where it would cost about a
	// tenth of the update.
	if low && q.scanDue(t) {
		q.scan(t)
	}
	return fired
}

// ampaNmdaDense advances every neuron by one tick (see step) and, if be is
// not nil, adds the input buffers be, bi to g_ampa and g_gaba and clears
// them; it writes the indices of the neurons whose new potential exceeds
// vth + theta (plus off) to spk from position nc on, without resetting
// them, and returns the new count and whether any neuron has
// |g_ampa| <= ampaNmdaGTol. The AVX2 version, ampaNmdaDenseAVX
// (kernels_amd64.s), computes the same with fused multiply-adds.
func ampaNmdaDense(v, ga, gn, gg, thr, drive, be, bi []float64, k *ampaNmdaConst, vth float64, spk []int32, nc, off int) (int, bool) {
	n := len(v)
	ga, gn, gg, thr, drive = ga[:n], gn[:n], gg[:n], thr[:n], drive[:n]
	in := be != nil
	if in {
		be, bi = be[:n], bi[:n]
	}
	h, aa, an, m, qm := k.h, k.aa, k.an, k.m, k.q
	pa, pg, pt, ee, ei, lo, hi := k.pa, k.pg, k.pt, k.eExc, k.eInh, k.vMin, k.vMax
	low := false
	for i := range v {
		x, a, nm, g := v[i], ga[i], gn[i], gg[i]
		// step, written out.
		cur := -(aa*a+an*nm)*(x-ee) - g*(x-ei) - (x - drive[i])
		nm = (nm + m*a) * qm
		a *= pa
		g *= pg
		th := thr[i] * pt
		x += h * cur
		if x < lo {
			x = lo
		} else if x > hi {
			x = hi
		}
		if in {
			a += be[i]
			g += bi[i]
			be[i], bi[i] = 0, 0
		}
		v[i], ga[i], gn[i], gg[i], thr[i] = x, a, nm, g, th
		low = low || math.Abs(a) <= ampaNmdaGTol
		if x > vth+th {
			spk[nc] = int32(i + off)
			nc++
		}
	}
	return nc, low
}

// step advances the state of one neuron with resting drive d by one tick
// without input (see LIFAmpaNmda): the currents from the old state, then
// the conductances and theta, then V by forward Euler and the clip.
func (k *ampaNmdaConst) step(v, a, nm, g, th, d float64) (float64, float64, float64, float64, float64) {
	cur := -(k.aa*a+k.an*nm)*(v-k.eExc) - g*(v-k.eInh) - (v - d)
	nm = (nm + k.m*a) * k.q
	a *= k.pa
	g *= k.pg
	th *= k.pt
	v = min(max(v+k.h*cur, k.vMin), k.vMax)
	return v, a, nm, g, th
}

// scan applies the settle test of stepSparse to every neuron. The test
// starts with g_ampa, which rules out most neurons that get input, so that
// the scan reads one array for them.
func (q *lifAmpaNmdaPop) scan(t snnsim.Time) {
	v, ga, gn, gg, drive, ref := q.v[:q.n], q.ga[:q.n], q.gn[:q.n], q.gg[:q.n], q.drive[:q.n], q.ref[:q.n]
	status, at := q.status[:q.n], q.at[:q.n]
	tf, thS := float64(t), q.thS
	removed := false
	for i, a := range ga {
		if math.Abs(a) > ampaNmdaGTol {
			continue
		}
		if d := drive[i]; d < thS && tf >= ref[i] && q.quiet(v[i], d, a, gn[i], gg[i]) {
			status[i], at[i] = stInactive, t
			removed = true
		}
	}
	if removed {
		q.rebuild()
	}
}

func (q *lifAmpaNmdaPop) stepSparse(t snnsim.Time, fired []int32) []int32 {
	v, ga, gn, gg, thr, be, bi, drive, ref := q.v, q.ga, q.gn, q.gg, q.thr, q.be, q.bi, q.drive, q.ref
	status, at := q.status, q.at
	vr, vth, thS, ts := q.vReset, q.vTh, q.thS, q.k.thetaSpike
	tf, tr := float64(t), float64(t+q.rTick)
	settle := !q.always
	act := q.active
	w := 0
	nf0 := len(fired)
	for _, j := range act {
		i := int(j)
		d := drive[i]
		x, a, nm, g, th := q.k.step(v[i], ga[i], gn[i], gg[i], thr[i], d)
		a += be[i]
		g += bi[i]
		if tf <= ref[i] {
			x = vr
		} else if x > vth+th {
			x = vr
			th = ts
			ref[i] = tr
			fired = append(fired, j)
		}
		v[i], ga[i], gn[i], gg[i], thr[i] = x, a, nm, g, th
		if settle && d < thS && tf >= ref[i] && q.quiet(x, d, a, nm, g) {
			status[i], at[i] = stInactive, t
			continue
		}
		act[w] = j
		w++
	}
	q.active = act[:w]
	q.clampRefractory(t, v, ref, fired[nf0:])
	return fired
}

// quiet reports whether a neuron with potential v, resting drive d <
// threshold and conductances a, nm, g can settle: the conductances are
// negligible, v is within the clip, and no later potential without input
// can reach threshold.
func (q *lifAmpaNmdaPop) quiet(v, d, a, nm, g float64) bool {
	k := &q.k
	if math.Abs(a) > ampaNmdaGTol || math.Abs(nm) > ampaNmdaGTol || math.Abs(g) > ampaNmdaGTol {
		return false
	}
	if !(v >= k.vMin && v <= k.vMax) {
		return false
	}
	lo, hi := min(v, d), max(v, d)
	return hi+k.pull(lo, hi, a, nm, g) < q.thS
}

// pull bounds how far the conductances a, nm, g can move V from its path
// without them, for V within [lo, hi] (up to the bound itself), over all
// later ticks: each tick moves V by h·(a_ampa g_ampa + a_nmda g_nmda)|V - e_exc|
// + h·g_gaba|V - e_inh| at most, the Euler map contracts differences, and
// the sums of the conductances over all later ticks are bounded as in New.
func (k *ampaNmdaConst) pull(lo, hi, a, nm, g float64) float64 {
	de := max(math.Abs(k.eExc-lo), math.Abs(k.eExc-hi)) + 1
	di := max(math.Abs(k.eInh-lo), math.Abs(k.eInh-hi)) + 1
	return (k.cA*math.Abs(a)+k.cN*math.Abs(nm))*de + k.cG*math.Abs(g)*di
}

// stateAt returns the state of neuron i at tick to, given its state at
// tick from, with no input in between. It steps tick by tick with the
// scheme of Update while the conductances matter (or V is outside the clip,
// or the neuron is refractory), and jumps with the exact linear map once
// they do not.
func (q *lifAmpaNmdaPop) stateAt(i int, v, a, nm, g, th float64, from, to snnsim.Time) (float64, float64, float64, float64, float64) {
	k := &q.k
	r, d := q.ref[i], q.drive[i]
	for s := from; s < to; s++ {
		if float64(s) >= r && math.Abs(a) <= ampaNmdaGTol && math.Abs(nm) <= ampaNmdaGTol &&
			math.Abs(g) <= ampaNmdaGTol && v >= k.vMin && v <= k.vMax {
			n := to - s
			pan, qn := decay(k.tpa, n, k.dt, k.tauA), decay(k.tq, n, k.dt, k.tauN)
			// g_nmda(n) = q^n g_nmda + m q g_ampa (q^n - pa^n)/(q - pa) for
			// g_ampa(j) = pa^j g_ampa, g_nmda(j+1) = q (g_nmda(j) + m g_ampa(j)).
			var geo float64
			if dq := k.q - k.pa; math.Abs(dq) > 1e-9 {
				geo = (qn - pan) / dq
			} else {
				geo = float64(n) * qn / k.q
			}
			nm = qn*nm + k.m*k.q*a*geo
			v = min(max(d+k.pow(n)*(v-d), k.vMin), k.vMax)
			return v, a * pan, nm, g * decay(k.tpg, n, k.dt, k.tauG), th * decay(k.tpt, n, k.dt, k.tauT)
		}
		v, a, nm, g, th = k.step(v, a, nm, g, th, d)
		if float64(s+1) <= r {
			v = q.vReset
		}
	}
	return v, a, nm, g, th
}

// pow returns (1 - h)^n.
func (k *ampaNmdaConst) pow(n snnsim.Time) float64 {
	if n >= 0 && n < snnsim.Time(len(k.pm)) {
		return k.pm[n]
	}
	return math.Pow(1-k.h, float64(n))
}

func (q *lifAmpaNmdaPop) advance(i int, from, to snnsim.Time) {
	q.v[i], q.ga[i], q.gn[i], q.gg[i], q.thr[i] = q.stateAt(i, q.v[i], q.ga[i], q.gn[i], q.gg[i], q.thr[i], from, to)
}

func (q *lifAmpaNmdaPop) setBias(i int, bias float64) {
	d := q.vRest + q.rm*bias
	q.setDrive(q.drive[i], d)
	q.drive[i] = d
}

func (q *lifAmpaNmdaPop) flushTiny() {
	flushSlice(q.ga)
	flushSlice(q.gn)
	flushSlice(q.gg)
	flushSlice(q.thr)
}

func (q *lifAmpaNmdaPop) setV(i int, v float64) { q.v[i], q.ref[i] = v, noRef }

// V returns the membrane potential of neuron i at tick t [mV].
func (q *lifAmpaNmdaPop) V(i int, t snnsim.Time) float64 {
	v, _, _, _, _ := q.stateAt(i, q.v[i], q.ga[i], q.gn[i], q.gg[i], q.thr[i], q.stateTick(i), t)
	return v
}

// clearInput zeroes the input buffers of the neurons that got input (all
// of them if Deliver stopped recording the targets).
func (q *lifAmpaNmdaPop) clearInput() {
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

// Settling reports whether some neuron could leave the active set in the
// next ticks Updates. A neuron settles only with |g_ampa| <= ampaNmdaGTol,
// and without input g_ampa falls by the factor exp(-dt/tau_ampa) per tick
// (inputs are non-negative weights), so a population whose every g_ampa
// stays above the tolerance for ticks ticks, with a factor 2 for rounding,
// keeps every neuron: in a driven network (B3) this holds nearly always.
func (q *lifAmpaNmdaPop) Settling(ticks snnsim.Time) bool {
	if !q.base.Settling(ticks) {
		return false
	}
	return ampaCouldSettle(q.ga[:q.n], q.k.pa, ticks)
}

// ampaCouldSettle reports whether some AMPA conductance of ga could fall
// to the settling tolerance within ticks ticks without input, decaying by
// the factor pa per tick, with a factor 2 for rounding.
func ampaCouldSettle(ga []float64, pa float64, ticks snnsim.Time) bool {
	lim := 2 * ampaNmdaGTol / math.Pow(pa, float64(ticks))
	for _, a := range ga {
		if a <= lim {
			return true
		}
	}
	return false
}
