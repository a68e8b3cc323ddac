package neuron

import (
	"math"

	"github.com/snnsim/snnsim"
)

// condGTol is the conductance (in units of g_L) below which a lif_exp_cond
// neuron may settle and its conductances are left out of V's propagation.
// The potential it neglects is at most condGTol·|E - V|·min(1, tau_s/tau_m)
// over all later time, about 1e-10 mV for |E - V| <= 100 mV.
const condGTol = 1e-12

// lifCondPop is a population of [LIFCond] neurons.
//
// Per tick (length dt) the conductances decay exactly,
// g(t) = g(t-1) exp(-dt/tau_s), and V is advanced by exponential Euler with
// the conductances frozen at the middle of the tick, g_m = g(t-1) exp(-dt/(2 tau_s)):
//
//	a     = (1 + g_exc,m + g_inh,m)/tau_m
//	V_inf = (v_rest + R i_bias + g_exc,m e_exc + g_inh,m e_inh)/(1 + g_exc,m + g_inh,m)
//	V(t)  = V_inf + (V(t-1) - V_inf) exp(-a dt)
//
// The scheme is exact for constant conductances and second order in dt
// otherwise (the midpoint rule for the integrated coefficient). It is
// evaluated without a division or math.Exp, to 1e-12 relative (see
// condConst.step). The input delivered at t is then added to the conductances
// and V(t) is tested.
// While refractory V stays at v_reset; the conductances keep decaying and
// receiving input.
//
// A neuron settles when it is past its refractory clamp, both conductances
// are below condGTol, and V and the resting drive v_rest + R i_bias are
// below threshold. With the conductances negligible the dynamics are linear
// with the exact propagator exp(-T/tau_m), which brings it up to date in one
// step when input arrives.
type lifCondPop struct {
	base
	v, ge, gi []float64 // potential [mV], conductances [g_L]
	be, bi    []float64 // input delivered for the next Update [g_L]
	drive     []float64 // v_rest + R i_bias [mV]
	hd        []float64 // (drive - e_exc)·dt/tau_m [mV], see condConst.step
	ref       []float64 // last refractory tick

	tauM, tauE, tauI float64
	k                condConst
	pm, tpe, tpi     []float64 // exp(-j dt/tau), j = 0..propTableLen-1, for jumps
}

var _ Population = (*lifCondPop)(nil)

// New creates n LIFCond neurons at rest (V = v_rest, no conductance) at tick 0.
func (p LIFCond) New(n int, clock snnsim.Clock) (Population, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	q := &lifCondPop{tauM: p.TauM, tauE: p.TauExc, tauI: p.TauInh}
	if err := q.init(p.LIFBase, n, clock, p.Model()); err != nil {
		return nil, err
	}
	a := arena(8, n)
	q.v, q.ge, q.gi, q.be, q.bi, q.drive, q.hd, q.ref = a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]
	dt := clock.DT
	q.k.init(dt, p)
	hd := q.k.hdOf(p.VRest + p.R()*p.IBias)
	q.pm = decayTable(dt, p.TauM)
	q.tpe = decayTable(dt, p.TauExc)
	q.tpi = decayTable(dt, p.TauInh)
	drive := p.VRest + p.R()*p.IBias
	for i := range n {
		q.v[i] = p.VRest
		q.drive[i] = drive
		q.hd[i] = hd
		q.ref[i] = noRef
	}
	q.slow = q
	q.initState(p, stateLayout{
		vars: [][]float64{q.v, q.ge, q.gi, q.drive, q.ref}, drive: 3, ref: 4,
		negligible: []int{1, 2}, tol: condGTol,
		bufs: [][]float64{q.be, q.bi},
		derive: func() { // hd follows the drive
			for i, d := range q.drive {
				q.hd[i] = q.k.hdOf(d)
			}
		},
	})
	q.flushK = flushEvery(clock.DT, min(p.TauExc, p.TauInh))
	q.flushT = q.flushK
	q.initActive(drive)
	q.denseOK = true
	return q, nil
}

// Deliver adds the weights [g_L] to the conductance of the targets at tick t.
func (q *lifCondPop) Deliver(t snnsim.Time, r Receptor, targets []int32, weights []float32) {
	buf := q.be
	if r == Inh {
		buf = q.bi
	}
	q.addInput(buf, false, targets, weights)
}

// Update advances the active neurons to tick t; see [Population].
func (q *lifCondPop) Update(t snnsim.Time, fired []int32) []int32 {
	return q.update(q, t, fired)
}

func (q *lifCondPop) stepDense(t snnsim.Time, fired []int32) []int32 {
	// With many inputs the loops add them to the conductances (and clear
	// the buffers); else they only decay the conductances, and the input is
	// added below for the neurons that got any.
	var be, bi []float64
	if q.denseIn {
		be, bi = q.be, q.bi
		q.denseIn = false
	}
	nc, lo := 0, 0
	if n4 := q.n &^ 3; useAVX2 && n4 > 0 {
		var pe, pi *float64
		if be != nil {
			pe, pi = &be[0], &bi[0]
		}
		nc = condDenseAVX(&q.v[0], &q.hd[0], &q.ge[0], &q.gi[0], pe, pi, n4, &q.k, q.vTh, &q.spk[0])
		lo = n4
	}
	if lo < q.n {
		if be != nil {
			be, bi = be[lo:], bi[lo:]
		}
		nc = condDense(q.v[lo:], q.hd[lo:], q.ge[lo:], q.gi[lo:], be, bi, &q.k, q.vTh, q.spk, nc, lo)
	}
	ge, gi, qbe, qbi := q.ge, q.gi, q.be, q.bi
	for _, j := range q.touched {
		ge[j] += qbe[j]
		gi[j] += qbi[j]
		qbe[j], qbi[j] = 0, 0
	}
	q.touched = q.touched[:0]
	fired = q.finishDense(t, q.v, q.ref, nc, fired)
	if q.scanDue(t) {
		q.scan(t)
	}
	return fired
}

// scan applies the settle test of stepSparse to every neuron.
func (q *lifCondPop) scan(t snnsim.Time) {
	v, ge, gi, drive, ref := q.v[:q.n], q.ge[:q.n], q.gi[:q.n], q.drive[:q.n], q.ref[:q.n]
	status, at := q.status[:q.n], q.at[:q.n]
	tf, thS := float64(t), q.thS
	removed := false
	for i, e := range ge {
		if math.Abs(e) > condGTol { // rules out most neurons that get input
			continue
		}
		if d := drive[i]; d < thS && tf >= ref[i] && q.quiet(v[i], d, e, gi[i]) {
			status[i], at[i] = stInactive, t
			removed = true
		}
	}
	if removed {
		q.rebuild()
	}
}

// condDense advances every neuron by one tick (see condConst.step; hd is
// lifCondPop.hd) and, if be is not nil, adds the input buffers be, bi to
// the conductances and clears them; it writes the indices of the neurons
// whose new potential exceeds vth (plus off) to spk from position nc on,
// without resetting them, and returns the new count.
//
// The near path runs in condNear, a loop without calls (a call in the loop
// would make the compiler keep its variables on the stack); condDense
// steps the neurons whose rate is outside the polynomial's interval itself.
func condDense(v, hd, ge, gi, be, bi []float64, k *condConst, vth float64, spk []int32, nc, off int) int {
	n := len(v)
	hd, ge, gi = hd[:n], ge[:n], gi[:n]
	if be != nil {
		be, bi = be[:n], bi[:n]
	}
	for i := 0; i < n; i++ {
		var j int
		if be != nil {
			j, nc = condNear(v[i:], hd[i:], ge[i:], gi[i:], be[i:], bi[i:], k, vth, spk, nc, off+i)
		} else {
			j, nc = condNear(v[i:], hd[i:], ge[i:], gi[i:], nil, nil, k, vth, spk, nc, off+i)
		}
		if i += j; i == n {
			break
		}
		e, h := ge[i], gi[i]
		x := k.stepFar(v[i], k.hm+e*k.hmhe+h*k.hmhi, hd[i]+h*k.kInh)
		e, h = e*k.pe, h*k.pi
		if be != nil {
			e += be[i]
			h += bi[i]
			be[i], bi[i] = 0, 0
		}
		ge[i], gi[i] = e, h
		v[i] = x
		if x > vth {
			spk[nc] = int32(i + off)
			nc++
		}
	}
	return nc
}

// condNear is condDense's loop for the neurons from the first on up to the
// first whose rate a is outside the φ polynomial's interval, which it
// leaves unchanged. It returns that neuron's index, or len(v), and the new
// spike count.
func condNear(v, hd, ge, gi, be, bi []float64, k *condConst, vth float64, spk []int32, nc, off int) (int, int) {
	n := len(v)
	hd, ge, gi = hd[:n], ge[:n], gi[:n]
	in := be != nil
	if in {
		be, bi = be[:n], bi[:n]
	}
	hm, hmhe, hmhi, kk, ee, pe, pi := k.hm, k.hmhe, k.hmhi, k.kInh, k.eExc, k.pe, k.pi
	c := &condPhi
	for i := range v {
		e, h := ge[i], gi[i]
		a := hm + e*hmhe + h*hmhi
		r := a - condPhiC
		if !(r <= condPhiR && r >= -condPhiR) {
			return i, nc
		}
		// step's near path, written out.
		r2 := r * r
		phi := (c[0][0] + r2*(c[2][0]+r2*(c[4][0]+r2*c[6][0]))) +
			r*(c[1][0]+r2*(c[3][0]+r2*(c[5][0]+r2*c[7][0])))
		x := v[i]
		x += phi * (hd[i] + h*kk - a*(x-ee))
		e, h = e*pe, h*pi
		if in {
			e += be[i]
			h += bi[i]
			be[i], bi[i] = 0, 0
		}
		ge[i], gi[i] = e, h
		v[i] = x
		if x > vth {
			spk[nc] = int32(i + off)
			nc++
		}
	}
	return n, nc
}

func (q *lifCondPop) stepSparse(t snnsim.Time, fired []int32) []int32 {
	v, ge, gi, be, bi, drive, hd, ref := q.v, q.ge, q.gi, q.be, q.bi, q.drive, q.hd, q.ref
	status, at := q.status, q.at
	vr, vth, thS := q.vReset, q.vTh, q.thS
	tf, tr := float64(t), float64(t+q.rTick)
	settle := !q.always
	act := q.active
	w := 0
	nf0 := len(fired)
	for _, j := range act {
		i := int(j)
		d, e, h := drive[i], ge[i], gi[i]
		x := q.k.step(v[i], hd[i], e, h)
		e = e*q.k.pe + be[i]
		h = h*q.k.pi + bi[i]
		ge[i], gi[i] = e, h
		if tf <= ref[i] {
			x = vr
		} else if x > vth {
			x = vr
			ref[i] = tr
			fired = append(fired, j)
		}
		v[i] = x
		if settle && d < thS && tf >= ref[i] && q.quiet(x, d, e, h) {
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

// step returns the potential v advanced by one tick, for a neuron with
// hd = lifCondPop.hd and conductances e, h at the start of the tick; the
// dense loops compute the same.
//
// With the conductances at mid-tick, g_m = g·h_s (h_s = exp(-dt/(2 tau_s))),
// the exponential-Euler step of lifCondPop is
//
//	V' = V_inf + (V - V_inf) e^{-a},  a = (1 + g_exc,m + g_inh,m)·dt/tau_m,
//	V_inf = (v_rest + R i_bias + g_exc,m e_exc + g_inh,m e_inh)/(1 + g_exc,m + g_inh,m).
//
// Measuring V from e_exc, V_inf - e_exc = b/a with
//
//	b = hd + g_inh·kInh,  hd = (v_rest + R i_bias - e_exc)·dt/tau_m,
//	kInh = h_inh·(e_inh - e_exc)·dt/tau_m
//
// (hd is kept per neuron), and the step is
//
//	V' = V + φ(a)·(b - a·(V - e_exc)),  φ(a) = (1 - e^{-a})/a,
//
// which needs neither a division nor a general exponential: for a in
// [condPhiC - condPhiR, condPhiC + condPhiR] = [0, 0.35] (at dt/tau_m =
// 0.005, as in B2 "coba", a total conductance below 69 g_L), φ is a
// polynomial of degree 7 (condPhi) with an error below 2.3e-14 relative
// (TestCondPhi). That error moves V' by at most
// 2.3e-14·(1 - e^{-a})·|V_inf - V|, and the rest rounds
// like V + (a small increment), so the step is within 1e-12 relative of
// V_inf + (V - V_inf)·math.Exp(-a) (TestCondStep). Outside the interval
// (large conductances, or dt/tau_m above about 0.01) stepFar evaluates the
// first form, V_inf = e_exc + b/a, with e^{-a} from tables:
// z = 8 k1 + j/128 + r with |r| < 1/128,
// e^{-z} = far[k1]·tab[j]·(1 - r + r²/2 - r³/6 + r⁴/24), truncation error
// below |r|^5/5!·e^|r| < 2.5e-13, each table entry math.Exp rounded to
// within an ulp (TestCondDecay).
//
// The AVX2 loop (kernels_amd64.s) computes the same with fused
// multiply-adds and, outside the interval, e^{-a} by a range-reduced
// polynomial.
func (k *condConst) step(v, hd, e, h float64) float64 {
	a := k.hm + e*k.hmhe + h*k.hmhi
	b := hd + h*k.kInh
	if r := a - condPhiC; r <= condPhiR && r >= -condPhiR {
		return v + condPhiPoly(r)*(b-a*(v-k.eExc))
	}
	return k.stepFar(v, a, b)
}

const (
	condPhiC     = 0.175 // centre of the interval of the φ polynomial
	condPhiR     = 0.175 // its half-width
	condYMax     = 8     // |z| below which far is not needed
	condTabScale = 128   // table entries per unit of z
	condTabHalf  = 1024  // condYMax·condTabScale
	condFarOff   = 88    // far[k1+condFarOff] = exp(-8 k1), k1 = -87..93
)

// condPhi holds the coefficients of r^k, k = 0..7, of the polynomial of
// degree 7 that interpolates φ(condPhiC + r) at the Chebyshev nodes
// r_j = condPhiR·cos((2j+1)π/16), j = 0..7, four copies each for the AVX2
// loop's 256-bit memory operands. The interpolation error is at most
// max|φ^(8)|/8!·2·(condPhiR/2)^8 <= (1/9)/8!·2·0.0875^8 = 1.9e-14, since
// |φ^(k)(a)| = |∫_0^1 t^k e^{-at} dt| <= 1/(k+1) for a >= 0, or 2.3e-14
// relative to φ >= φ(0.35) = 0.84; the node values -expm1(-a)/a are
// accurate to an ulp or two. condPhiCv and condPhiRv hold condPhiC and
// condPhiR likewise.
var (
	condPhi   = condPhiCoef()
	condPhiCv = [4]float64{condPhiC, condPhiC, condPhiC, condPhiC}
	condPhiRv = [4]float64{condPhiR, condPhiR, condPhiR, condPhiR}
)

func condPhiCoef() (p [8][4]float64) {
	const n = 8 // = len(p)
	// Chebyshev coefficients cs[k] of the interpolant in s = r/condPhiR.
	var cs [n]float64
	for j := range n {
		th := (2*float64(j) + 1) * math.Pi / (2 * n)
		a := condPhiC + condPhiR*math.Cos(th)
		f := -math.Expm1(-a) / a
		for k := range n {
			cs[k] += 2.0 / n * f * math.Cos(float64(k)*th)
		}
	}
	cs[0] /= 2
	// Monomial coefficients in s: sum cs[k]·T_k(s), T_{k+1} = 2s T_k - T_{k-1}.
	var mono, tPrev, tCur, tNext [n]float64
	tPrev[0], tCur[1] = 1, 1 // T_0, T_1
	mono[0] = cs[0]
	for k := 1; k < n; k++ {
		for m := range n {
			mono[m] += cs[k] * tCur[m]
		}
		for m := range n {
			tNext[m] = -tPrev[m]
			if m > 0 {
				tNext[m] += 2 * tCur[m-1]
			}
		}
		tPrev, tCur = tCur, tNext
	}
	// In r: the coefficient of r^m is mono[m]/condPhiR^m.
	scale := 1.0
	for m := range n {
		x := mono[m] / scale
		p[m] = [4]float64{x, x, x, x}
		scale *= condPhiR
	}
	return p
}

// condPhiPoly returns φ(condPhiC + r) for |r| <= condPhiR, as the dense
// loops compute it: p(r) = E(r²) + r·O(r²) with the even and odd parts
// each by Horner's rule.
func condPhiPoly(r float64) float64 {
	c := &condPhi
	r2 := r * r
	e := c[0][0] + r2*(c[2][0]+r2*(c[4][0]+r2*c[6][0]))
	o := c[1][0] + r2*(c[3][0]+r2*(c[5][0]+r2*c[7][0]))
	return e + r*o
}

// condConst holds the per-tick constants of lifCondPop.
type condConst struct {
	hm, hmhe, hmhi float64                    // dt/tau_m, hm·he, hm·hi
	kInh           float64                    // hmhi·(e_inh - e_exc) [mV]
	he, hi, pe, pi float64                    // exp(-dt/(2 tau_exc)), exp(-dt/(2 tau_inh)), exp(-dt/tau_exc), exp(-dt/tau_inh)
	eExc, eInh     float64                    // reversal potentials [mV]
	tab            [2*condTabHalf + 1]float64 // exp(-j/128), j = -1024..1024
	far            [condFarOff + 94]float64   // exp(-8 k1), k1 = -88..93
}

func (k *condConst) init(dt float64, p LIFCond) {
	k.hm = dt / p.TauM
	k.he, k.hi = math.Exp(-dt/(2*p.TauExc)), math.Exp(-dt/(2*p.TauInh))
	k.pe, k.pi = math.Exp(-dt/p.TauExc), math.Exp(-dt/p.TauInh)
	k.hmhe, k.hmhi = k.hm*k.he, k.hm*k.hi
	k.kInh = k.hmhi * (p.EInh - p.EExc)
	k.eExc, k.eInh = p.EExc, p.EInh
	for j := range k.tab {
		k.tab[j] = math.Exp(-float64(j-condTabHalf) / condTabScale)
	}
	for j := range k.far {
		k.far[j] = math.Exp(-condYMax * float64(j-condFarOff))
	}
}

// hdOf returns lifCondPop.hd for the resting drive d [mV].
func (k *condConst) hdOf(d float64) float64 { return (d - k.eExc) * k.hm }

// stepFar returns V after one tick by V_inf + (V - V_inf) e^{-a} with
// V_inf = e_exc + b/a, for a rate a outside the φ polynomial's interval.
func (k *condConst) stepFar(v, a, b float64) float64 {
	vi := k.eExc + b/a
	return vi + (v-vi)*k.expNeg(a)
}

// expNeg returns exp(-z) from the tables.
func (k *condConst) expNeg(z float64) float64 {
	scale := 1.0
	if !(z > -condYMax && z < condYMax) {
		z, scale = condFar(&k.far, z)
	}
	u := z * condTabScale
	j := int(u)
	r := (u - float64(j)) * (1.0 / condTabScale)
	return scale * k.tab[j+condTabHalf] * (1 - r + r*r*(0.5-r*(1.0/6)+r*r*(1.0/24)))
}

// condFar reduces z with |z| >= condYMax (or NaN) to z - 8 k1, |z - 8 k1| <
// condYMax, and returns it with exp(-8 k1). z is first clamped to
// [-700, 745], beyond which exp(-z) overflows or is 0 after rounding
// anyway. For NaN it returns (0, NaN).
func condFar(far *[condFarOff + 94]float64, z float64) (float64, float64) {
	if z != z {
		return 0, z
	}
	z = min(max(z, -700), 745)
	k1 := int(z * (1.0 / condYMax))
	return z - float64(k1)*condYMax, far[k1+condFarOff]
}

// quiet reports whether a neuron with potential v, resting drive d < threshold
// and conductances e, h can settle: the conductances are negligible and no
// later potential without input can reach threshold.
func (q *lifCondPop) quiet(v, d, e, h float64) bool {
	if math.Abs(e) > condGTol || math.Abs(h) > condGTol {
		return false
	}
	lo, hi := v, d
	if lo > hi {
		lo, hi = hi, lo
	}
	// The conductances move V by at most |g|·|E - V| (see condGTol), and V
	// stays within [lo, hi] up to that amount.
	pull := math.Abs(e)*(math.Abs(q.k.eExc-lo)+math.Abs(q.k.eExc-hi)) +
		math.Abs(h)*(math.Abs(q.k.eInh-lo)+math.Abs(q.k.eInh-hi))
	return hi+pull < q.thS
}

// stateAt returns the state of neuron i at tick to, given its state
// (v, e, h) at tick from, with no input in between. It steps tick by tick
// with the scheme of Update while the conductances matter, and jumps with
// the exact linear propagator once they are below condGTol.
func (q *lifCondPop) stateAt(i int, v, e, h float64, from, to snnsim.Time) (float64, float64, float64) {
	r, d := q.ref[i], q.drive[i]
	for s := from; s < to; s++ {
		if float64(s) >= r && math.Abs(e) <= condGTol && math.Abs(h) <= condGTol {
			n := to - s
			v = d + (v-d)*decay(q.pm, n, q.dt, q.tauM)
			return v, e * decay(q.tpe, n, q.dt, q.tauE), h * decay(q.tpi, n, q.dt, q.tauI)
		}
		v = q.k.step(v, q.hd[i], e, h)
		e, h = e*q.k.pe, h*q.k.pi
		if float64(s+1) <= r {
			v = q.vReset
		}
	}
	return v, e, h
}

func (q *lifCondPop) advance(i int, from, to snnsim.Time) {
	q.v[i], q.ge[i], q.gi[i] = q.stateAt(i, q.v[i], q.ge[i], q.gi[i], from, to)
}

func (q *lifCondPop) setBias(i int, bias float64) {
	d := q.vRest + q.rm*bias
	q.setDrive(q.drive[i], d)
	q.drive[i] = d
	q.hd[i] = q.k.hdOf(d)
}

func (q *lifCondPop) flushTiny() { flushSlice(q.ge); flushSlice(q.gi) }

func (q *lifCondPop) setV(i int, v float64) { q.v[i], q.ref[i] = v, noRef }

// V returns the membrane potential of neuron i at tick t [mV].
func (q *lifCondPop) V(i int, t snnsim.Time) float64 {
	v, _, _ := q.stateAt(i, q.v[i], q.ge[i], q.gi[i], q.stateTick(i), t)
	return v
}

// clearInput zeroes the input buffers of the neurons that got input (all
// of them if Deliver stopped recording the targets).
func (q *lifCondPop) clearInput() {
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
