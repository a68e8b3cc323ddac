package stdp

import (
	"math"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
)

const (
	ruleHomeostatic = "triplet_homeostatic"
	presetZenke2013 = "zenke_2013"
)

// HomeostaticParams are the parameters of the minimal triplet rule with
// homeostatic sliding LTD of Zenke, Hennequin & Gerstner (2013), as in
// Auryn's TripletConnection. See [Homeostatic] for the equations.
//
//	key        default  unit    meaning
//	a3_plus    6.5e-3   weight  triplet LTP amplitude A3+, >= 0
//	tau_plus   16.8     ms      presynaptic trace z⁺ time constant τ+, > 0
//	tau_minus  33.7     ms      postsynaptic trace z⁻ time constant τ−, > 0
//	tau_slow   114      ms      postsynaptic trace z^slow time constant τ_slow, > 0
//	tau_hom    10000    ms      postsynaptic rate trace z^hom time constant τ_hom, > 0 (10 s)
//	kappa      3        Hz      target rate κ, > 0
//	eta        1        1       learning rate η, >= 0: scales LTP and LTD (Auryn's eta)
//	w_min      0        weight  lower bound, < w_max (-Inf from Go only: scenario values are finite)
//	w_max      1        weight  upper bound (+Inf from Go only: scenario values are finite)
//
// The defaults are the preset "zenke_2013", the values of the B3 benchmark
// (Zenke, Hennequin & Gerstner 2013, as run by Auryn's sim_background
// --tau 10).
type HomeostaticParams struct {
	A3Plus   float64 `toml:"a3_plus"`             // triplet LTP amplitude A3+ [weight]
	TauPlus  float64 `toml:"tau_plus" unit:"ms"`  // z⁺ time constant τ+ [ms]
	TauMinus float64 `toml:"tau_minus" unit:"ms"` // z⁻ time constant τ− [ms]
	TauSlow  float64 `toml:"tau_slow" unit:"ms"`  // z^slow time constant τ_slow [ms]
	TauHom   float64 `toml:"tau_hom" unit:"ms"`   // z^hom time constant τ_hom [ms]
	Kappa    float64 `toml:"kappa" unit:"Hz"`     // target rate κ [Hz]
	Eta      float64 `toml:"eta"`                 // learning rate η [1]
	WMin     float64 `toml:"w_min"`               // lower weight bound [weight]
	WMax     float64 `toml:"w_max"`               // upper weight bound [weight]
}

// DefaultHomeostatic returns the "zenke_2013" preset with bounds [0, 1].
func DefaultHomeostatic() HomeostaticParams {
	p := HomeostaticParams{WMin: 0, WMax: 1}
	if err := p.ApplyPreset(presetZenke2013); err != nil {
		panic(err)
	}
	return p
}

func init() {
	rules.Register(ruleHomeostatic, func() Params { p := DefaultHomeostatic(); return &p })
}

func (HomeostaticParams) presetNames() []string { return []string{presetZenke2013} }

// Rule returns "triplet_homeostatic".
func (HomeostaticParams) Rule() string { return ruleHomeostatic }

// ApplyPreset sets every parameter except w_min and w_max to the named set.
// The only preset is "zenke_2013": Auryn's TripletConnection constants
// (A3+ = 6.5e-3, τ+ = 16.8 ms, τ− = 33.7 ms, τ_slow = 114 ms [C]) with
// τ_hom = 10 s, κ = 3 Hz, η = 1 (Zenke, Hennequin & Gerstner 2013).
func (p *HomeostaticParams) ApplyPreset(name string) error {
	if name != presetZenke2013 {
		return unknownPreset(ruleHomeostatic, name)
	}
	*p = HomeostaticParams{A3Plus: 6.5e-3, TauPlus: 16.8, TauMinus: 33.7, TauSlow: 114,
		TauHom: 10e3, Kappa: 3, Eta: 1, WMin: p.WMin, WMax: p.WMax}
	return nil
}

// Validate checks the parameters.
func (p HomeostaticParams) Validate() error {
	c := checkParams(ruleHomeostatic, p)
	c.NonNegative("a3_plus", p.A3Plus)
	c.Positive("tau_plus", p.TauPlus)
	c.Positive("tau_minus", p.TauMinus)
	c.Positive("tau_slow", p.TauSlow)
	c.Positive("tau_hom", p.TauHom)
	c.Positive("kappa", p.Kappa)
	c.NonNegative("eta", p.Eta)
	checkBounds(c, p.WMin, p.WMax, "", "")
	return c.Err()
}

// kappaPerMs is κ in spikes per ms, the unit that meets the ms time constants.
func (p HomeostaticParams) kappaPerMs() float64 { return p.Kappa / 1000 }

// HomInit returns κ·τ_hom, the initial value of z^hom (30 for the defaults):
// the trace of a neuron that has fired at exactly κ forever.
func (p HomeostaticParams) HomInit() float64 { return p.kappaPerMs() * p.TauHom }

// EtaMinus returns the LTD factor η⁻ = η A3+ τ+ τ_slow / (τ− κ τ_hom²), with
// κ converted to spikes per ms so that every time is in ms and η⁻ is a
// plain number. For the defaults it is 1.2313e-6 (Auryn's hom_fudge,
// computed there in seconds and Hz, which gives the same number).
func (p HomeostaticParams) EtaMinus() float64 {
	return p.Eta * p.A3Plus * p.TauPlus * p.TauSlow / (p.TauMinus * p.kappaPerMs() * p.TauHom * p.TauHom)
}

// Homeostatic is the minimal triplet rule with homeostatic sliding LTD of
// Zenke, Hennequin & Gerstner (2013), exactly as Auryn's
// TripletConnection. Every trace is per neuron, all-to-all (+1 per
// spike), decays exponentially between spikes, and is read at t−ε (without
// the increments of tick t):
//
//	z⁺_i   presynaptic, τ+,      +1 at the ARRIVAL of i's spike (after the axonal delay)
//	z⁻_j   postsynaptic, τ−,     +1 at j's spike
//	z^s_j  postsynaptic, τ_slow, +1 at j's spike
//	z^h_j  postsynaptic, τ_hom,  +1 at j's spike; z^h_j = κ τ_hom at tick 0
//
//	arrival of i's spike at i→j, tick t:  w ← max(w_min, w − η⁻ z⁻_j(t−ε) z^h_j(t−ε)²),  then z⁺_i += 1
//	spike of j at tick t, each i→j:       w ← min(w_max, w + η A3+ z⁺_i(t−ε) z^s_j(t−ε)), then z⁻_j, z^s_j, z^h_j += 1
//	η⁻ = η A3+ τ+ τ_slow / (τ− κ τ_hom²)
//
// Since z^h ≈ ν̄ τ_hom for a neuron firing at rate ν̄, the LTD amplitude is
// η A3+ τ+ τ_slow ν̄² / (τ− κ): the minimal triplet rule's A2− made to slide
// with the square of the postsynaptic rate, which makes the rule BCM-like
// with a threshold that keeps the rate near κ.
//
// Units: the traces are counts (they gain 1 per spike, they are not divided
// by τ), so z^h is dimensionless (κ τ_hom = 3 Hz · 10 s = 30). All times are
// in ms, so κ is used in spikes per ms (3 Hz = 0.003 /ms), which makes η⁻ a
// plain number: 6.5e-3 · 16.8 · 114 / (33.7 · 0.003 · 10000²) = 1.2313e-6,
// Auryn's hom_fudge (computed there in s and Hz: the same number).
// Using κ = 3 with times in ms would make η⁻ 1000 times too small.
//
// Parameters: [HomeostaticParams]. Constraints: a3_plus, eta ≥ 0; τ, κ > 0;
// w_min < w_max.
//
// Reference: Zenke, Hennequin & Gerstner (2013), Synaptic plasticity in
// neural networks needs homeostasis with a fast rate detector, PLoS Comput
// Biol 9:e1003330; Auryn (Zenke & Gerstner 2014) TripletConnection.cpp.
//
// Checked by TestHomeostaticHandComputed (a few spikes computed by hand from
// the equations above), TestHomeostaticConstants (η⁻ and z^h(0)),
// TestFastMatchesReference, TestLazyExpClosedForm (the lazy traces) and
// TestOwnWeightsSameWeights (skipping changes no weight).
type Homeostatic[W Weight] struct {
	p            HomeostaticParams
	dt           float64 // resolution [ms]
	a3, etaMinus float64
	dPlus, dSlow decay
	pre          traces1      // z⁺_i
	post         homTraces    // z⁻_j, z^h_j
	slow         traces1      // z^s_j
	b            colBounds[W] // lower bounds of each target's weights, once owned

	h hotCopies // what the hot loops read of the traces
}

// hotCopies are the lazy copies (see lazyExp) of z⁺ and q = z⁻ (z^h)² that
// the homeostatic rule's hot loops read, with the factors fp and fq of tick
// cur. The copies of the neurons that spiked at cur (pendPre, pendPost)
// still hold their t−ε values; sync brings them up to date at the first
// call of a later tick.
type hotCopies struct {
	zp, lq            lazyExp
	cur               snnsim.Time
	fp, fq            float64 // zp.factor(cur), lq.factor(cur)
	pendPre, pendPost []int32
}

// homTraces holds z⁻ and z^h of each target neuron (the depression loop
// reads their lazy product, Homeostatic.lq).
type homTraces struct {
	last          []snnsim.Time
	after, before [][2]float64 // (z⁻, z^h) after and before the increment at last
	dm, dh        decay
}

// q returns z⁻_j (z^h_j)² just after target j's last spike.
func (ts *homTraces) q(j int32) float64 {
	a := ts.after[j]
	return a[0] * a[1] * a[1]
}

func newHomTraces(n int, hom0, tauMinus, tauHom, dt float64) homTraces {
	ts := homTraces{
		last:   make([]snnsim.Time, n),
		after:  make([][2]float64, n),
		before: make([][2]float64, n),
		dm:     newDecay(tauMinus, dt, tableLen(dt, tauMinus)),
		dh:     newDecay(tauHom, dt, tableLen(dt, tauHom)),
	}
	v0 := [2]float64{0, hom0}
	for j := range ts.last {
		ts.after[j], ts.before[j] = v0, v0
	}
	return ts
}

// at returns z⁻_j and z^h_j at tick t (t−ε).
func (ts *homTraces) at(j int32, t snnsim.Time) (zMinus, zHom float64) {
	n := t - ts.last[j]
	if n == 0 {
		return ts.before[j][0], ts.before[j][1]
	}
	a := ts.after[j]
	return a[0] * ts.dm.at(n), a[1] * ts.dh.at(n)
}

// add records a spike of target j at tick t: z⁻_j and z^h_j gain 1 each.
func (ts *homTraces) add(j int32, t snnsim.Time) {
	if t != ts.last[j] {
		zm, zh := ts.at(j, t)
		ts.last[j] = t
		ts.before[j] = [2]float64{zm, zh}
		ts.after[j] = ts.before[j]
	}
	a := &ts.after[j]
	a[0]++
	a[1]++
}

// NewHomeostatic creates the rule for nPre source and nPost target neurons;
// at tick 0 every trace is 0 except z^h = κ τ_hom.
func NewHomeostatic[W Weight](p HomeostaticParams, clock snnsim.Clock, nPre, nPost int) (*Homeostatic[W], error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := checkSizes(ruleHomeostatic, clock, nPre, nPost); err != nil {
		return nil, err
	}
	dt := clock.DT
	r := &Homeostatic[W]{
		p:        p,
		dt:       dt,
		a3:       p.Eta * p.A3Plus,
		etaMinus: p.EtaMinus(),
		dPlus:    newDecay(p.TauPlus, dt, tableLen(dt, p.TauPlus)),
		dSlow:    newDecay(p.TauSlow, dt, tableLen(dt, p.TauSlow)),
		pre:      newTraces1(nPre),
		post:     newHomTraces(nPost, p.HomInit(), p.TauMinus, p.TauHom, dt),
		slow:     newTraces1(nPost),
		h: hotCopies{
			zp: newLazyExp(nPre, dt/p.TauPlus),
			lq: newLazyExp(nPost, dt/p.TauMinus+2*dt/p.TauHom),
			fp: 1,
			fq: 1,
		},
	}
	return r, nil
}

// Params returns the rule's parameters.
func (r *Homeostatic[W]) Params() HomeostaticParams { return r.p }

// Pre applies depression at the arrival of source i's spike at tick t, then
// records it in z⁺_i. See [Rule].
func (r *Homeostatic[W]) Pre(t snnsim.Time, i int32, tgt []int32, w []W) {
	r.sync(t)
	w = w[:len(tgt)]
	eta, wMin, qs, low := r.etaMinus*r.h.fq, r.p.WMin, r.h.lq.v, r.b.low
	for k, j := range tgt {
		v := float64(w[k]) - eta*qs[j] // η⁻ z⁻_j z^h_j² (t−ε)
		if v < wMin {
			v = wMin
		}
		nw := W(v)
		w[k] = nw
		if low != nil && nw < low[j] {
			low[j] = nw
		}
	}
	r.tracePre(t, i)
}

// Post applies potentiation at target j's spike at tick t, then records it
// in z⁻_j, z^s_j and z^h_j. See [Rule].
func (r *Homeostatic[W]) Post(t snnsim.Time, j int32, src, syn []int32, w []W) {
	r.sync(t)
	syn = syn[:len(src)]
	a := r.a3 * r.slow.at(j, t, &r.dSlow)
	if a != 0 { // no earlier post spike (or η A3+ = 0): nothing changes
		skipped := potentiateLazy(a*r.h.fp, r.p.WMax, r.h.zp.v, src, syn, w, r.b.of(j))
		r.b.skipped += int64(skipped)
	}
	r.tracePost(t, j)
}

// sync makes the lazy copies current for a call at tick t.
func (r *Homeostatic[W]) sync(t snnsim.Time) {
	if t != r.h.cur {
		r.h.advance(t, &r.pre, &r.post)
	}
}

// advance makes the copies current for the first call at tick t > cur: it
// brings in the spikes of tick cur (whose traces are pre and post), moves
// the epochs forward when due and computes the tick's factors.
func (h *hotCopies) advance(t snnsim.Time, pre *traces1, post *homTraces) {
	if t < h.cur {
		panic("stdp: rule called for an earlier tick (calls must come in tick order)")
	}
	for _, i := range h.pendPre {
		h.zp.set(i, pre.hot[i].after, h.cur)
	}
	for _, j := range h.pendPost {
		h.lq.set(j, post.q(j), h.cur)
	}
	h.pendPre, h.pendPost = h.pendPre[:0], h.pendPost[:0]
	h.cur = t
	h.zp.advance(t)
	h.lq.advance(t)
	h.fp, h.fq = h.zp.factor(t), h.lq.factor(t)
}

// OwnWeights declares that from now on only Pre and Post change the
// weights, until WeightsChanged says otherwise: the potentiation pass then
// skips the increments that round to nothing (see [WeightOwner]).
func (r *Homeostatic[W]) OwnWeights() { r.b.own(len(r.slow.hot)) }

// WeightsChanged tells the rule that the weights of target j's synapses,
// or any weight if j < 0, were changed other than by Pre and Post.
func (r *Homeostatic[W]) WeightsChanged(j int32) { r.b.changed(j) }

// TracePre records the arrival of source i's spike at tick t in z⁺_i only.
func (r *Homeostatic[W]) TracePre(t snnsim.Time, i int32) {
	r.sync(t)
	r.tracePre(t, i)
}

func (r *Homeostatic[W]) tracePre(t snnsim.Time, i int32) {
	r.pre.add(i, t, &r.dPlus, false)
	r.h.pendPre = append(r.h.pendPre, i)
}

// TracePost records target j's spike at tick t in z⁻_j, z^s_j and z^h_j only.
func (r *Homeostatic[W]) TracePost(t snnsim.Time, j int32) {
	r.sync(t)
	r.tracePost(t, j)
}

func (r *Homeostatic[W]) tracePost(t snnsim.Time, j int32) {
	r.post.add(j, t)
	r.slow.add(j, t, &r.dSlow, false)
	r.h.pendPost = append(r.h.pendPost, j)
}

// PreTrace returns z⁺_i at tick t (t−ε).
func (r *Homeostatic[W]) PreTrace(i int32, t snnsim.Time) float64 {
	return r.pre.at(i, t, &r.dPlus)
}

// PostTraces returns z⁻_j, z^s_j and z^h_j at tick t (t−ε).
func (r *Homeostatic[W]) PostTraces(j int32, t snnsim.Time) (zMinus, zSlow, zHom float64) {
	zMinus, zHom = r.post.at(j, t)
	return zMinus, r.slow.at(j, t, &r.dSlow), zHom
}

// ident identifies the traces of r in a state.
func (r *Homeostatic[W]) ident() ident {
	return ident{rule: ruleHomeostatic, nPre: len(r.pre.hot), nPost: len(r.slow.hot), dt: r.dt,
		keys: []string{"tau_plus", "tau_minus", "tau_slow", "tau_hom"},
		taus: []float64{r.p.TauPlus, r.p.TauMinus, r.p.TauSlow, r.p.TauHom}}
}

// AppendState appends z⁺ of every source and z⁻, z^hom and z^slow of
// every target. See [checkpoint.Stater].
func (r *Homeostatic[W]) AppendState(b []byte) []byte {
	b, start := checkpoint.Begin(b, tagOf(ruleHomeostatic), stateVersion)
	id := r.ident()
	b = id.append(b)
	b = appendTraces(b, &r.pre)
	b = appendHomTraces(b, &r.post)
	b = appendTraces(b, &r.slow)
	b = r.h.appendTo(b)
	return checkpoint.End(b, start)
}

// RestoreState restores the traces from a state written by AppendState of
// a homeostatic rule of the same sizes, resolution and time constants. See
// [checkpoint.Stater].
func (r *Homeostatic[W]) RestoreState(b []byte) ([]byte, error) {
	tag := tagOf(ruleHomeostatic)
	id := r.ident()
	d, rest, err := id.open(b, tag)
	if err != nil {
		return nil, err
	}
	pre, err := readTraces(d, id.nPre, "z⁺")
	if err != nil {
		return nil, err
	}
	post, err := readHomTraces(d, &r.post)
	if err != nil {
		return nil, err
	}
	slow, err := readTraces(d, id.nPost, "z^slow")
	if err != nil {
		return nil, err
	}
	h, err := r.h.read(d, &pre, &post, ruleHomeostatic)
	if err != nil {
		return nil, err
	}
	if err := d.Done(tag); err != nil {
		return nil, err
	}
	r.pre, r.post, r.slow, r.h = pre, post, slow, h
	return rest, nil
}

// appendTo appends the lazy copies: the tick cur, the epochs of z⁺ and q,
// the neurons pending at cur, and the stored values. They are saved, not
// rebuilt from the traces, so that a resumed run goes on bit for bit.
func (h *hotCopies) appendTo(b []byte) []byte {
	b = checkpoint.PutI64(b, int64(h.cur))
	b = checkpoint.PutI64(b, int64(h.zp.t0))
	b = checkpoint.PutI64(b, int64(h.lq.t0))
	b = checkpoint.PutIndices(b, h.pendPre)
	b = checkpoint.PutIndices(b, h.pendPost)
	for _, v := range h.zp.v {
		b = checkpoint.PutF64(b, v)
	}
	for _, v := range h.lq.v {
		b = checkpoint.PutF64(b, v)
	}
	return b
}

// read reads what appendTo wrote, for the traces pre and post just read
// for the named rule, and checks it against them; h gives the sizes and
// decay rates.
func (h *hotCopies) read(d *checkpoint.Decoder, pre *traces1, post *homTraces, rule string) (hotCopies, error) {
	nPre, nPost := len(h.zp.v), len(h.lq.v)
	out := hotCopies{zp: h.zp, lq: h.lq}
	out.cur = snnsim.Time(d.I64())
	out.zp.t0, out.lq.t0 = snnsim.Time(d.I64()), snnsim.Time(d.I64())
	var bad bool
	out.pendPre = d.Indices(nPre, &bad)
	out.pendPost = d.Indices(nPost, &bad)
	if bad {
		return hotCopies{}, codec.Corruptf("%s: a pending neuron is out of range", rule)
	}
	if len(d.B) < 8*(nPre+nPost) {
		d.Short = true
		return hotCopies{}, nil
	}
	out.zp.v, out.lq.v = make([]float64, nPre), make([]float64, nPost)
	for _, v := range [][]float64{out.zp.v, out.lq.v} {
		for k := range v {
			v[k] = d.F64()
			if !(v[k] >= 0) || math.IsInf(v[k], 0) {
				return hotCopies{}, codec.Corruptf("%s: lazy trace %d is %g, must be finite and >= 0", rule, k, v[k])
			}
		}
	}
	var latest snnsim.Time // every call updates a trace at its tick, so cur is the latest update
	for _, ph := range pre.hot {
		latest = max(latest, ph.last)
	}
	for _, l := range post.last {
		latest = max(latest, l)
	}
	if out.cur != latest {
		return hotCopies{}, codec.Corruptf("%s: current tick %d, but the latest trace update is at %d", rule, out.cur, latest)
	}
	if out.zp.t0 > out.cur || out.lq.t0 > out.cur || out.zp.due(out.cur) || out.lq.due(out.cur) {
		return hotCopies{}, codec.Corruptf("%s: epochs %d, %d do not fit tick %d", rule, out.zp.t0, out.lq.t0, out.cur)
	}
	for _, i := range out.pendPre {
		if pre.hot[i].last != out.cur {
			return hotCopies{}, codec.Corruptf("%s: source %d is pending at tick %d but last spiked at %d", rule, i, out.cur, pre.hot[i].last)
		}
	}
	for _, j := range out.pendPost {
		if post.last[j] != out.cur {
			return hotCopies{}, codec.Corruptf("%s: target %d is pending at tick %d but last spiked at %d", rule, j, out.cur, post.last[j])
		}
	}
	out.fp, out.fq = out.zp.factor(out.cur), out.lq.factor(out.cur)
	return out, nil
}
