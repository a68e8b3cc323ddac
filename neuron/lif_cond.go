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
// otherwise (the midpoint rule for the integrated coefficient).
// exp(-a dt) is evaluated without math.Exp to 1e-12 relative (see
// condConst.expNeg and, for the AVX2 loop, kernels_amd64.s). The input
// delivered at t is then added to the conductances and V(t) is tested.
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
	a := arena(7, n)
	q.v, q.ge, q.gi, q.be, q.bi, q.drive, q.ref = a[0], a[1], a[2], a[3], a[4], a[5], a[6]
	dt := clock.DT
	q.k.init(dt, p)
	q.pm = decayTable(dt, p.TauM)
	q.tpe = decayTable(dt, p.TauExc)
	q.tpi = decayTable(dt, p.TauInh)
	drive := p.VRest + p.R()*p.IBias
	for i := range n {
		q.v[i] = p.VRest
		q.drive[i] = drive
		q.ref[i] = noRef
	}
	q.slow = q
	q.flushK = flushEvery(clock.DT, min(p.TauExc, p.TauInh))
	q.flushT = q.flushK
	q.initActive(drive)
	return q, nil
}

// Deliver adds the weights [g_L] to the conductance of the targets at tick t.
func (q *lifCondPop) Deliver(t snnsim.Time, r Receptor, targets []int32, weights []float32) {
	weights = weights[:len(targets)]
	q.touched = append(q.touched, targets...)
	buf, st := q.be, q.status
	if r == Inh {
		buf = q.bi
	}
	for k, j := range targets {
		buf[j] += float64(weights[k])
		if st[j] == stInactive {
			q.wake(int(j))
		}
	}
}

// Update advances the active neurons to tick t; see [Population].
func (q *lifCondPop) Update(t snnsim.Time, fired []int32) []int32 {
	dense := q.begin(t)
	if len(q.active) > 0 {
		if dense {
			fired = q.stepDense(t, fired)
		} else {
			fired = q.stepSparse(t, fired)
		}
	}
	q.clearInput()
	q.end(t)
	return fired
}

func (q *lifCondPop) stepDense(t snnsim.Time, fired []int32) []int32 {
	nc, lo := 0, 0
	if n4 := q.n &^ 3; useAVX2 && n4 > 0 {
		nc = condDenseAVX(&q.v[0], &q.drive[0], &q.ge[0], &q.gi[0], n4, &q.k, q.vTh, &q.spk[0])
		lo = n4
	}
	if lo < q.n {
		nc = condDense(q.v[lo:], q.drive[lo:], q.ge[lo:], q.gi[lo:], &q.k, q.vTh, q.spk, nc, lo)
	}
	// The kernels only decay the synaptic variables; the input delivered at t
	// is added here, for the neurons that got any.
	ge, gi, be, bi := q.ge, q.gi, q.be, q.bi
	for _, j := range q.touched {
		ge[j] += be[j]
		gi[j] += bi[j]
		be[j], bi[j] = 0, 0
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
	v, ge, gi, drive, ref := q.v, q.ge[:q.n], q.gi[:q.n], q.drive[:q.n], q.ref[:q.n]
	status, at := q.status[:q.n], q.at[:q.n]
	tf, thS := float64(t), q.thS
	removed := false
	for i, x := range v {
		if d := drive[i]; d < thS && tf >= ref[i] && q.quiet(x, d, ge[i], gi[i]) {
			status[i], at[i] = stInactive, t
			removed = true
		}
	}
	if removed {
		q.rebuild()
	}
}

// condDense advances every neuron by one tick (see stepV; the caller adds the
// input to the conductances); it writes the indices of the neurons whose new
// potential exceeds vth (plus off) to spk from position nc on, without
// resetting them, and returns the new count.
func condDense(v, drive, ge, gi []float64, k *condConst, vth float64, spk []int32, nc, off int) int {
	drive, ge, gi = drive[:len(v)], ge[:len(v)], gi[:len(v)]
	hm, hmhe, hmhi, he, hi, pe, pi := k.hm, k.hmhe, k.hmhi, k.he, k.hi, k.pe, k.pi
	ee, ei := k.eExc, k.eInh
	c := &condPoly
	for i := range v {
		e, h := ge[i], gi[i]
		em, im := e*he, h*hi
		vi := (drive[i] + em*ee + im*ei) / (1 + em + im)
		z := hm + e*hmhe + h*hmhi
		var f float64
		if r := z - condZ0; r <= condRMax && r >= -condRMax {
			// expNeg's near path, written out.
			r2 := r * r
			r4 := r2 * r2
			f = (c[0][0] + c[1][0]*r + r2*(c[2][0]+c[3][0]*r)) +
				r4*((c[4][0]+c[5][0]*r+r2*(c[6][0]+c[7][0]*r))+r4*(c[8][0]+c[9][0]*r))
		} else {
			// expNeg's table path, written out so that the loop makes no call.
			scale := 1.0
			if !(z > -condYMax && z < condYMax) {
				z, scale = condFar(&k.far, z)
			}
			u := z * condTabScale
			j := int(u)
			r := (u - float64(j)) * (1.0 / condTabScale)
			f = scale * k.tab[j+condTabHalf] * (1 - r + r*r*(0.5-r*(1.0/6)+r*r*(1.0/24)))
		}
		x := vi + (v[i]-vi)*f
		ge[i] = e * pe
		gi[i] = h * pi
		v[i] = x
		if x > vth {
			spk[nc] = int32(i + off)
			nc++
		}
	}
	return nc
}

func (q *lifCondPop) stepSparse(t snnsim.Time, fired []int32) []int32 {
	v, ge, gi, be, bi, drive, ref := q.v, q.ge, q.gi, q.be, q.bi, q.drive, q.ref
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
		x := q.stepV(v[i], d, e, h)
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

// stepV advances the potential v by one tick under the resting drive d and
// the conductances e, h at the start of the tick.
func (q *lifCondPop) stepV(v, d, e, h float64) float64 {
	k := &q.k
	em, im := e*k.he, h*k.hi
	vi := (d + em*k.eExc + im*k.eInh) / (1 + em + im)
	return vi + (v-vi)*k.expNeg(k.hm+e*k.hmhe+h*k.hmhi)
}

// The per-tick decay factor exp(-z), z = (1 + g_exc,m + g_inh,m)·dt/tau_m,
// is computed to 1e-12 relative without math.Exp (TestCondDecay,
// TestCondStep):
//
//   - near z0 = 11/64, for |r| <= 0.175 with r = z - z0 (which holds for
//     conductances up to 68 g_L at dt/tau_m = 0.005, as in B2 "coba"):
//     exp(-z) = sum_{k=0..9} condPoly[k]·r^k, condPoly[k] = e^{-z0}(-1)^k/k!,
//     truncation error below |r|^10/10!·e^|r| < 1e-14;
//   - elsewhere from tables: z = 8 k1 + j/128 + r with |r| < 1/128,
//     exp(-z) = far[k1]·tab[j]·(1 - r + r²/2 - r³/6 + r⁴/24), truncation
//     error below |r|^5/5!·e^|r| < 2.5e-13, each table entry math.Exp
//     rounded to within an ulp.
//
// The AVX2 loop (kernels_amd64.s) uses the same near polynomial and a
// range-reduced one elsewhere.
const (
	condZ0       = 0.171875 // 11/64
	condRMax     = 0.175
	condYMax     = 8    // |z| below which far is not needed
	condTabScale = 128  // table entries per unit of z
	condTabHalf  = 1024 // condYMax·condTabScale
	condFarOff   = 88   // far[k1+condFarOff] = exp(-8 k1), k1 = -87..93
)

// condPoly holds the near polynomial's coefficients, four copies each for
// the AVX2 loop's 256-bit memory operands; condZ0v and condRMaxv likewise.
var (
	condPoly = func() (c [10][4]float64) {
		e0, fact := math.Exp(-condZ0), 1.0
		for k := range c {
			if k > 0 {
				fact *= float64(k)
			}
			x := e0 / fact
			if k%2 == 1 {
				x = -x
			}
			c[k] = [4]float64{x, x, x, x}
		}
		return c
	}()
	condZ0v   = [4]float64{condZ0, condZ0, condZ0, condZ0}
	condRMaxv = [4]float64{condRMax, condRMax, condRMax, condRMax}
)

// condV4 holds the per-tick constants of the AVX2 cond loop, four copies
// each (for 256-bit memory operands).
type condV4 struct {
	hm, hmhe, hmhi [4]float64 // dt/tau_m, hm·he, hm·hi
	he, hi, pe, pi [4]float64 // as in condConst
	eExc, eInh     [4]float64 // [mV]
}

// condConst holds the per-tick constants of lifCondPop.
type condConst struct {
	v4             condV4
	hm, hmhe, hmhi float64                    // dt/tau_m, hm·he, hm·hi
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
	k.eExc, k.eInh = p.EExc, p.EInh
	for j := range 4 {
		k.v4.hm[j], k.v4.hmhe[j], k.v4.hmhi[j] = k.hm, k.hmhe, k.hmhi
		k.v4.he[j], k.v4.hi[j], k.v4.pe[j], k.v4.pi[j] = k.he, k.hi, k.pe, k.pi
		k.v4.eExc[j], k.v4.eInh[j] = k.eExc, k.eInh
	}
	for j := range k.tab {
		k.tab[j] = math.Exp(-float64(j-condTabHalf) / condTabScale)
	}
	for j := range k.far {
		k.far[j] = math.Exp(-condYMax * float64(j-condFarOff))
	}
}

// expNeg returns exp(-z).
func (k *condConst) expNeg(z float64) float64 {
	if r := z - condZ0; r <= condRMax && r >= -condRMax {
		c := &condPoly
		r2 := r * r
		r4 := r2 * r2
		return (c[0][0] + c[1][0]*r + r2*(c[2][0]+c[3][0]*r)) +
			r4*((c[4][0]+c[5][0]*r+r2*(c[6][0]+c[7][0]*r))+r4*(c[8][0]+c[9][0]*r))
	}
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
		v = q.stepV(v, d, e, h)
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
}

func (q *lifCondPop) flushTiny() { flushSlice(q.ge); flushSlice(q.gi) }

func (q *lifCondPop) setV(i int, v float64) { q.v[i], q.ref[i] = v, noRef }

// V returns the membrane potential of neuron i at tick t [mV].
func (q *lifCondPop) V(i int, t snnsim.Time) float64 {
	v, _, _ := q.stateAt(i, q.v[i], q.ge[i], q.gi[i], q.stateTick(i), t)
	return v
}

// clearInput zeroes the input buffers of the neurons that got input.
func (q *lifCondPop) clearInput() {
	be, bi := q.be, q.bi
	for _, j := range q.touched {
		be[j] = 0
		bi[j] = 0
	}
	q.touched = q.touched[:0]
}
