package neuron

import (
	"math"

	"github.com/snnsim/snnsim"
)

// lifExpPop is a population of [LIFExp] neurons.
//
// The currents are kept in mV (R·I). Over T = k ticks the state
// (V, I_exc, I_inh) is propagated exactly (Rotter & Diesmann 1999):
//
//	I_s(t+T) = I_s(t) exp(-T/tau_s)
//	V(t+T)   = V_inf + (V(t) - V_inf) exp(-T/tau_m)
//	         + I_exc(t) K(T, tau_exc) - I_inh(t) K(T, tau_inh)
//	K(T, tau_s) = tau_s/(tau_s - tau_m) (exp(-T/tau_s) - exp(-T/tau_m))
//
// with V_inf = v_rest + R i_bias and K evaluated stably near tau_s = tau_m
// (see kernel). Per tick the constants for T = dt are used; the input
// delivered at t is added to the currents after the step, then V(t) is
// tested. While refractory V stays at v_reset; the currents keep decaying
// and receiving input.
//
// A neuron settles as soon as it is past its refractory clamp and its
// largest future potential without input is below threshold:
//
//	max over T of V(t+T) <= V_inf + max(V - V_inf, 0)
//	                      + max(I_exc, 0) K* (tau_exc) + max(-I_inh, 0) K*(tau_inh)
//
// where K* is the peak of K over T. The exact propagator then brings it up
// to date in one step when input arrives.
type lifExpPop struct {
	base
	v, ie, ii []float64 // potential [mV], currents R·I [mV]
	be, bi    []float64 // input delivered for the next Update [mV]
	vinf      []float64 // v_rest + R i_bias [mV]
	ref       []float64 // last refractory tick

	tauM, tauE, tauI float64
	peakE, peakI     float64   // peaks of K(·, tau_exc), K(·, tau_inh)
	tab              []expProp // propagators for 0..propTableLen-1 ticks
}

// expProp holds the propagator of lifExpPop over a whole number of ticks.
type expProp struct {
	pm, pe, pi float64 // exp(-T/tau_m), exp(-T/tau_exc), exp(-T/tau_inh)
	ke, ki     float64 // K(T, tau_exc), K(T, tau_inh)
}

var _ Population = (*lifExpPop)(nil)

// New creates n LIFExp neurons at rest (V = v_rest, no current) at tick 0.
func (p LIFExp) New(n int, clock snnsim.Clock) (Population, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	q := &lifExpPop{tauM: p.TauM, tauE: p.TauExc, tauI: p.TauInh}
	if err := q.init(p.LIFBase, n, clock, p.Model()); err != nil {
		return nil, err
	}
	a := arena(7, n)
	q.v, q.ie, q.ii, q.be, q.bi, q.vinf, q.ref = a[0], a[1], a[2], a[3], a[4], a[5], a[6]
	q.peakE = kernelPeak(p.TauM, p.TauExc)
	q.peakI = kernelPeak(p.TauM, p.TauInh)
	q.tab = make([]expProp, propTableLen)
	for k := range q.tab {
		q.tab[k] = q.computeProp(snnsim.Time(k))
	}
	vinf := p.VRest + p.R()*p.IBias
	for i := range n {
		q.v[i] = p.VRest
		q.vinf[i] = vinf
		q.ref[i] = noRef
	}
	q.slow = q
	q.initState(p, stateLayout{vars: [][]float64{q.v, q.ie, q.ii, q.vinf, q.ref}, drive: 3, ref: 4, bufs: [][]float64{q.be, q.bi}})
	q.flushK = flushEvery(clock.DT, min(p.TauExc, p.TauInh))
	q.flushT = q.flushK
	q.initActive(vinf)
	return q, nil
}

func (q *lifExpPop) computeProp(k snnsim.Time) expProp {
	T := float64(k) * q.dt
	return expProp{
		pm: math.Exp(-T / q.tauM), pe: math.Exp(-T / q.tauE), pi: math.Exp(-T / q.tauI),
		ke: kernel(T, q.tauM, q.tauE), ki: kernel(T, q.tauM, q.tauI),
	}
}

func (q *lifExpPop) prop(k snnsim.Time) expProp {
	if k >= 0 && k < snnsim.Time(len(q.tab)) {
		return q.tab[k]
	}
	return q.computeProp(k)
}

// Deliver adds the weights [mV] to the current of the targets at tick t.
func (q *lifExpPop) Deliver(t snnsim.Time, r Receptor, targets []int32, weights []float32) {
	buf := q.be
	if r == Inh {
		buf = q.bi
	}
	q.addInput(buf, false, targets, weights)
}

// Update advances the active neurons to tick t; see [Population].
func (q *lifExpPop) Update(t snnsim.Time, fired []int32) []int32 {
	return q.update(q, t, fired)
}

func (q *lifExpPop) stepDense(t snnsim.Time, fired []int32) []int32 {
	nc, lo := 0, 0
	if n4 := q.n &^ 3; useAVX2 && n4 > 0 {
		nc = expDenseAVX(&q.v[0], &q.vinf[0], &q.ie[0], &q.ii[0], n4, &q.tab[1], q.vTh, &q.spk[0])
		lo = n4
	}
	if lo < q.n {
		nc = expDense(q.v[lo:], q.vinf[lo:], q.ie[lo:], q.ii[lo:], &q.tab[1], q.vTh, q.spk, nc, lo)
	}
	// The kernels only decay the synaptic variables; the input delivered at t
	// is added here, for the neurons that got any.
	ie, ii, be, bi := q.ie, q.ii, q.be, q.bi
	for _, j := range q.touched {
		ie[j] += be[j]
		ii[j] += bi[j]
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
func (q *lifExpPop) scan(t snnsim.Time) {
	v, ie, ii, vinf, ref := q.v, q.ie[:q.n], q.ii[:q.n], q.vinf[:q.n], q.ref[:q.n]
	status, at := q.status[:q.n], q.at[:q.n]
	tf, thS := float64(t), q.thS
	removed := false
	for i, x := range v {
		if vi := vinf[i]; vi < thS && tf >= ref[i] && q.bound(x, vi, ie[i], ii[i]) < thS {
			status[i], at[i] = stInactive, t
			removed = true
		}
	}
	if removed {
		q.rebuild()
	}
}

// expDense advances every neuron by one tick with the one-tick propagator k
// (without the input, which the caller adds to the currents); it writes the indices of the neurons
// whose new potential exceeds vth (plus off) to spk from position nc on,
// without resetting them, and returns the new count.
func expDense(v, vinf, ie, ii []float64, k *expProp, vth float64, spk []int32, nc, off int) int {
	vinf, ie, ii = vinf[:len(v)], ie[:len(v)], ii[:len(v)]
	pm, pe, pi, ke, ki := k.pm, k.pe, k.pi, k.ke, k.ki
	for i := range v {
		vi, e, h := vinf[i], ie[i], ii[i]
		x := vi + (v[i]-vi)*pm + e*ke - h*ki
		ie[i] = e * pe
		ii[i] = h * pi
		v[i] = x
		if x > vth {
			spk[nc] = int32(i + off)
			nc++
		}
	}
	return nc
}

func (q *lifExpPop) stepSparse(t snnsim.Time, fired []int32) []int32 {
	v, ie, ii, be, bi, vinf, ref := q.v, q.ie, q.ii, q.be, q.bi, q.vinf, q.ref
	status, at := q.status, q.at
	k := q.tab[1]
	vr, vth, thS := q.vReset, q.vTh, q.thS
	tf, tr := float64(t), float64(t+q.rTick)
	settle := !q.always
	act := q.active
	w := 0
	nf0 := len(fired)
	for _, j := range act {
		i := int(j)
		vi, e, h := vinf[i], ie[i], ii[i]
		x := vi + (v[i]-vi)*k.pm + e*k.ke - h*k.ki
		e = e*k.pe + be[i]
		h = h*k.pi + bi[i]
		ie[i], ii[i] = e, h
		if tf <= ref[i] {
			x = vr
		} else if x > vth {
			x = vr
			ref[i] = tr
			fired = append(fired, j)
		}
		v[i] = x
		if settle && vi < thS && tf >= ref[i] && q.bound(x, vi, e, h) < thS {
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

// bound returns an upper bound of the potential at every later tick, given
// the potential v, resting drive vi and currents e, h now and no new input.
func (q *lifExpPop) bound(v, vi, e, h float64) float64 {
	b := vi
	if v > vi {
		b = v
	}
	if e > 0 {
		b += e * q.peakE
	}
	if h < 0 {
		b -= h * q.peakI
	}
	return b
}

// stateAt returns the state of neuron i at tick to, given its state
// (v, e, h) at tick from, with no input in between.
func (q *lifExpPop) stateAt(i int, v, e, h float64, from, to snnsim.Time) (float64, float64, float64) {
	if to <= from {
		return v, e, h
	}
	if r := q.ref[i]; float64(from) < r {
		end := to
		if float64(to) > r {
			end = snnsim.Time(r)
		}
		k := q.prop(end - from)
		e, h, v, from = e*k.pe, h*k.pi, q.vReset, end
		if from == to {
			return v, e, h
		}
	}
	k := q.prop(to - from)
	vi := q.vinf[i]
	v = vi + (v-vi)*k.pm + e*k.ke - h*k.ki
	return v, e * k.pe, h * k.pi
}

func (q *lifExpPop) advance(i int, from, to snnsim.Time) {
	q.v[i], q.ie[i], q.ii[i] = q.stateAt(i, q.v[i], q.ie[i], q.ii[i], from, to)
}

func (q *lifExpPop) setBias(i int, bias float64) {
	d := q.vRest + q.rm*bias
	q.setDrive(q.vinf[i], d)
	q.vinf[i] = d
}

func (q *lifExpPop) flushTiny() { flushSlice(q.ie); flushSlice(q.ii) }

func (q *lifExpPop) setV(i int, v float64) { q.v[i], q.ref[i] = v, noRef }

// V returns the membrane potential of neuron i at tick t [mV].
func (q *lifExpPop) V(i int, t snnsim.Time) float64 {
	v, _, _ := q.stateAt(i, q.v[i], q.ie[i], q.ii[i], q.stateTick(i), t)
	return v
}

// clearInput zeroes the input buffers of the neurons that got input.
func (q *lifExpPop) clearInput() {
	be, bi := q.be, q.bi
	for _, j := range q.touched {
		be[j] = 0
		bi[j] = 0
	}
	q.touched = q.touched[:0]
}
