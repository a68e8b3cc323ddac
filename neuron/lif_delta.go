package neuron

import (
	"github.com/snnsim/snnsim"
)

// lifDeltaPop is a population of [LIFDelta] neurons.
//
// Per tick t the potential is propagated exactly,
//
//	V(t) = V_inf + (V(t-1) - V_inf) exp(-dt/tau_m),   V_inf = v_rest + R i_bias,
//
// then the input delivered at t is added (excitatory weights up, inhibitory
// down) and V(t) > v_threshold is tested. While refractory (ticks s+1..s+R
// after a spike at s) V stays at v_reset and input is discarded.
//
// A neuron settles (leaves the active list) as soon as it is past its
// refractory clamp and both V and V_inf are below threshold: without input V
// then moves monotonically towards V_inf and cannot fire, and the exact
// propagator brings it up to date in one step when input arrives.
type lifDeltaPop struct {
	base
	v    []float64 // membrane potential [mV]
	in   []float64 // input delivered for the next Update [mV]
	vinf []float64 // v_rest + R i_bias [mV]
	ref  []float64 // last refractory tick
	pm   []float64 // exp(-k dt/tau_m), k = 0..propTableLen-1
	tauM float64
}

var _ Population = (*lifDeltaPop)(nil)

// New creates n LIFDelta neurons at rest (V = v_rest) at tick 0.
func (p LIFDelta) New(n int, clock snnsim.Clock) (Population, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	q := &lifDeltaPop{tauM: p.TauM}
	if err := q.init(p.LIFBase, n, clock, p.Model()); err != nil {
		return nil, err
	}
	a := arena(4, n)
	q.v, q.in, q.vinf, q.ref = a[0], a[1], a[2], a[3]
	q.pm = decayTable(clock.DT, p.TauM)
	vinf := p.VRest + p.R()*p.IBias
	for i := range n {
		q.v[i] = p.VRest
		q.vinf[i] = vinf
		q.ref[i] = noRef
	}
	q.slow = q
	q.initState(p, stateLayout{vars: [][]float64{q.v, q.vinf, q.ref}, drive: 1, ref: 2, bufs: [][]float64{q.in}})
	q.initActive(vinf)
	return q, nil
}

// Deliver adds the weights [mV] to the input of the targets at tick t.
func (q *lifDeltaPop) Deliver(t snnsim.Time, r Receptor, targets []int32, weights []float32) {
	q.addInput(q.in, r == Inh, targets, weights)
}

// Update advances the active neurons to tick t; see [Population].
func (q *lifDeltaPop) Update(t snnsim.Time, fired []int32) []int32 {
	return q.update(q, t, fired)
}

func (q *lifDeltaPop) stepDense(t snnsim.Time, fired []int32) []int32 {
	nc, lo := 0, 0
	if n4 := q.n &^ 3; useAVX2 && n4 > 0 {
		nc = deltaDenseAVX(&q.v[0], &q.vinf[0], &q.in[0], n4, q.pm[1], q.vTh, &q.spk[0])
		lo = n4
	}
	if lo < q.n {
		nc = deltaDense(q.v[lo:], q.vinf[lo:], q.in[lo:], q.pm[1], q.vTh, q.spk, nc, lo)
	}
	fired = q.finishDense(t, q.v, q.ref, nc, fired)
	if q.scanDue(t) {
		q.scan(t)
	}
	return fired
}

// scan applies the settle test of stepSparse to every neuron.
func (q *lifDeltaPop) scan(t snnsim.Time) {
	v, vinf, ref, status, at := q.v, q.vinf[:q.n], q.ref[:q.n], q.status[:q.n], q.at[:q.n]
	tf, thS := float64(t), q.thS
	removed := false
	for i, x := range v {
		if vinf[i] < thS && x < thS && tf >= ref[i] {
			status[i], at[i] = stInactive, t
			removed = true
		}
	}
	if removed {
		q.rebuild()
	}
}

// deltaDense advances every neuron by one tick (propagation plus input) and
// writes the indices (plus off) of those whose new potential exceeds vth to
// spk from position nc on, without resetting them. It returns the new count.
func deltaDense(v, vinf, in []float64, pm, vth float64, spk []int32, nc, off int) int {
	vinf, in = vinf[:len(v)], in[:len(v)]
	for i := range v {
		vi := vinf[i]
		x := vi + (v[i]-vi)*pm + in[i]
		v[i] = x
		if x > vth {
			spk[nc] = int32(i + off)
			nc++
		}
	}
	return nc
}

func (q *lifDeltaPop) stepSparse(t snnsim.Time, fired []int32) []int32 {
	v, in, vinf, ref := q.v, q.in, q.vinf, q.ref
	status, at := q.status, q.at
	pm, vr, vth, thS := q.pm[1], q.vReset, q.vTh, q.thS
	tf, tr := float64(t), float64(t+q.rTick)
	settle := !q.always
	act := q.active
	w := 0
	nf0 := len(fired)
	for _, j := range act {
		i := int(j)
		vi := vinf[i]
		x := vi + (v[i]-vi)*pm + in[i]
		if tf <= ref[i] {
			x = vr
		} else if x > vth {
			x = vr
			ref[i] = tr
			fired = append(fired, j)
		}
		v[i] = x
		if settle && vi < thS && x < thS && tf >= ref[i] {
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

// vAt returns the potential of neuron i at tick to, given v at tick from,
// with no input in between.
func (q *lifDeltaPop) vAt(i int, v float64, from, to snnsim.Time) float64 {
	if to <= from {
		return v
	}
	if r := q.ref[i]; float64(from) < r {
		if float64(to) <= r {
			return q.vReset
		}
		from, v = snnsim.Time(r), q.vReset
	}
	vi := q.vinf[i]
	return vi + (v-vi)*decay(q.pm, to-from, q.dt, q.tauM)
}

func (q *lifDeltaPop) advance(i int, from, to snnsim.Time) { q.v[i] = q.vAt(i, q.v[i], from, to) }

func (q *lifDeltaPop) setBias(i int, bias float64) {
	d := q.vRest + q.rm*bias
	q.setDrive(q.vinf[i], d)
	q.vinf[i] = d
}

func (q *lifDeltaPop) flushTiny() {}

func (q *lifDeltaPop) setV(i int, v float64) { q.v[i], q.ref[i] = v, noRef }

// V returns the membrane potential of neuron i at tick t [mV].
func (q *lifDeltaPop) V(i int, t snnsim.Time) float64 {
	return q.vAt(i, q.v[i], q.stateTick(i), t)
}

// clearInput zeroes the input buffers of the neurons that got input.
func (q *lifDeltaPop) clearInput() {
	in := q.in
	for _, j := range q.touched {
		in[j] = 0
	}
	q.touched = q.touched[:0]
}
