package stdp

import (
	"fmt"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
)

const (
	ruleP11               = "p11"
	presetZenke2015       = "zenke_2015"
	presetZenke2015Unstab = "zenke_2015_unstable_control"
)

// P11Params are the parameters of the plasticity rule of the recurrent
// network of Zenke, Agnes & Gerstner (2015), as the authors ran it
// (P11Connection with the flags of sim_rc_p11's run scripts). See [P11]
// for the equations.
//
//	key        default  unit    meaning
//	a_plus     1e-3     weight  triplet LTP amplitude A⁺ (the authors' η), >= 0
//	a_minus    1e-3     weight  pair LTD amplitude A⁻ at ν̄ = κ (η), >= 0
//	tau_plus   20       ms      presynaptic trace z⁺ time constant τ+, > 0
//	tau_minus  20       ms      postsynaptic trace z⁻ time constant τ−, > 0
//	tau_slow   100      ms      postsynaptic trace z^slow time constant τ_slow, > 0
//	tau_hom    600000   ms      rate estimate ν̄ time constant τ_hom (10 min), > 0
//	kappa      10       Hz      rate κ at which LTD has amplitude A⁻, > 0
//	rate_init  2        Hz      ν̄ at tick 0, >= 0
//	delta      2e-5     weight  transmitter-induced change δ per presynaptic spike, >= 0
//	beta       0.05     1       heterosynaptic rate β, >= 0
//	w_min      0        weight  lower bound, < w_max
//	w_max      5        weight  upper bound
//
// The defaults are the preset "zenke_2015". rate_init = 2 Hz is what the
// authors' code starts from: the trace is filled for τ_hom = 1200 s and
// then given τ_hom = 600 s without rescaling. δ = 2e-5 is their
// `--delta 0.02` scaled by η as the code does. The preset
// "zenke_2015_unstable_control" is the same with β = δ = 0, the control
// of the authors' run_unstable_control.sh (the network without the
// heterosynaptic and transmitter-induced terms).
type P11Params struct {
	APlus    float64 `toml:"a_plus"`              // triplet LTP amplitude A⁺ [weight]
	AMinus   float64 `toml:"a_minus"`             // pair LTD amplitude A⁻ at ν̄ = κ [weight]
	TauPlus  float64 `toml:"tau_plus" unit:"ms"`  // z⁺ time constant τ+ [ms]
	TauMinus float64 `toml:"tau_minus" unit:"ms"` // z⁻ time constant τ− [ms]
	TauSlow  float64 `toml:"tau_slow" unit:"ms"`  // z^slow time constant τ_slow [ms]
	TauHom   float64 `toml:"tau_hom" unit:"ms"`   // ν̄ time constant τ_hom [ms]
	Kappa    float64 `toml:"kappa" unit:"Hz"`     // reference rate κ [Hz]
	RateInit float64 `toml:"rate_init" unit:"Hz"` // ν̄ at tick 0 [Hz]
	Delta    float64 `toml:"delta"`               // transmitter-induced change δ [weight]
	Beta     float64 `toml:"beta"`                // heterosynaptic rate β [1]
	WMin     float64 `toml:"w_min"`               // lower weight bound [weight]
	WMax     float64 `toml:"w_max"`               // upper weight bound [weight]
}

// DefaultP11 returns the "zenke_2015" preset with bounds [0, 5].
func DefaultP11() P11Params {
	p := P11Params{WMin: 0, WMax: 5}
	if err := p.ApplyPreset(presetZenke2015); err != nil {
		panic(err)
	}
	return p
}

func init() {
	rules.Register(ruleP11, func() Params { p := DefaultP11(); return &p })
}

func (P11Params) presetNames() []string { return []string{presetZenke2015, presetZenke2015Unstab} }

// Rule returns "p11".
func (P11Params) Rule() string { return ruleP11 }

// ApplyPreset sets every parameter except w_min and w_max to the named set:
// "zenke_2015" (the table in [P11Params]) or "zenke_2015_unstable_control"
// (the same with β = δ = 0).
func (p *P11Params) ApplyPreset(name string) error {
	q := P11Params{APlus: 1e-3, AMinus: 1e-3, TauPlus: 20, TauMinus: 20, TauSlow: 100, TauHom: 600e3,
		Kappa: 10, RateInit: 2, Delta: 2e-5, Beta: 0.05, WMin: p.WMin, WMax: p.WMax}
	switch name {
	case presetZenke2015:
	case presetZenke2015Unstab:
		q.Delta, q.Beta = 0, 0
	default:
		return unknownPreset(ruleP11, name)
	}
	*p = q
	return nil
}

// Validate checks the parameters.
func (p P11Params) Validate() error {
	c := checkParams(ruleP11, p)
	c.NonNegative("a_plus", p.APlus)
	c.NonNegative("a_minus", p.AMinus)
	c.Positive("tau_plus", p.TauPlus)
	c.Positive("tau_minus", p.TauMinus)
	c.Positive("tau_slow", p.TauSlow)
	c.Positive("tau_hom", p.TauHom)
	c.Positive("kappa", p.Kappa)
	c.NonNegative("rate_init", p.RateInit)
	c.NonNegative("delta", p.Delta)
	c.NonNegative("beta", p.Beta)
	checkBounds(c, p.WMin, p.WMax, "", "")
	return c.Err()
}

// ReadsReference reports whether the rule reads reference weights w̃: β > 0.
func (p P11Params) ReadsReference() bool { return p.Beta != 0 }

// HomInit returns ν̄(0)·τ_hom, the initial value of the rate trace z^hom
// (1200 for the defaults, the authors' value).
func (p P11Params) HomInit() float64 { return p.RateInit / 1000 * p.TauHom }

// ltdFactor returns A⁻/(κ τ_hom)², with κ in spikes per ms: the LTD
// amplitude is this times z⁻ (z^hom)², since ν̄ = z^hom/τ_hom.
func (p P11Params) ltdFactor() float64 {
	k := p.Kappa / 1000 * p.TauHom
	return p.AMinus / (k * k)
}

// P11 is the plasticity rule of the E→E and input→E synapses of Zenke,
// Agnes & Gerstner (2015), Nat Commun 6:6922, exactly as the authors'
// P11Connection: triplet LTP (Pfister & Gerstner 2006, minimal), pair LTD
// scaled by the square of a slow estimate ν̄ of the postsynaptic rate
// (Zenke, Hennequin & Gerstner 2013), a transmitter-induced change δ at
// every presynaptic spike, and a heterosynaptic term that pulls w towards
// its consolidated reference weight w̃ at high postsynaptic rates. Every
// trace is per neuron, all-to-all (+1 per spike), decays exponentially, and
// is read at t−ε (without the increments of tick t):
//
//	z⁺_i   presynaptic, τ+,      +1 at the ARRIVAL of i's spike (after the axonal delay)
//	z⁻_j   postsynaptic, τ−,     +1 at j's spike
//	z^s_j  postsynaptic, τ_slow, +1 at j's spike
//	z^h_j  postsynaptic, τ_hom,  +1 at j's spike; z^h_j = ν̄(0) τ_hom at tick 0
//	ν̄_j = z^h_j / τ_hom
//
//	arrival of i's spike at i→j:  w ← max(w_min, w − A⁻ z⁻_j (ν̄_j/κ)² + δ)
//	spike of j, each i→j:         w ← clip(w + A⁺ z⁺_i z^s_j − β (w − w̃) (z⁻_j)³, w_min, w_max)
//
// The postsynaptic update computes LTP and the heterosynaptic term from
// the same old weight and clips once, in the authors' order; the
// presynaptic update clips only at w_min (so δ may lift a weight at w_max
// by δ, as in the authors' code, unless whoever owns the weight clips).
// The engine runs the presynaptic update before it delivers the spike, so
// the spike transmits the updated weight where the authors' code
// transmits the old one: a difference of one update, about 1e-5.
// The pairing of the LTD and LTP terms is that of [Homeostatic] with
// A⁻/(κ τ_hom)² in place of η⁻ and its own ν̄(0).
//
// w̃ is not the rule's: it is read from the reference weights given by
// UseReference ([ReferenceReader]), which the engine takes from the
// consolidation model of the projection (package consolidation,
// zenke_2015). With β = 0 the rule reads no reference weights and works
// without a consolidation model.
//
// For independent Poisson trains at rates ν_i, ν_j (ν̄ held fixed), the
// drift is A⁺ τ+ τ_slow ν_i ν_j² − A⁻ τ− (ν̄_j/κ)² ν_i ν_j + δ ν_i − β (w −
// w̃) ν_j ⟨(z⁻)³⟩; with ν̄ = ν_j the Hebbian part changes sign at ν_j =
// κ² τ+ τ_slow/τ− = 10 Hz for the defaults.
//
// Parameters: [P11Params]. Checked by TestP11Reference (an independent
// sum of every kernel on fixed and random trains, including the
// heterosynaptic term against a moving w̃), TestP11RateClosedForm (ν̄ of a
// regular train against its geometric sum), TestP11OneUpdate (the order
// of one postsynaptic update, by hand), TestP11Drift (the rate limit above
// and the heterosynaptic decay for Poisson trains) and TestStateResume.
type P11[W Weight] struct {
	p            P11Params
	dt           float64
	aPlus, aLTD  float64 // A⁺ and A⁻/(κ τ_hom)²
	dPlus, dSlow decay
	pre          traces1   // z⁺_i
	post         homTraces // z⁻_j, z^h_j
	slow         traces1   // z^s_j
	h            hotCopies // lazy copies of z⁺ and z⁻ (z^h)²
	ref          []float64 // w̃ of synapse k is ref[refStride·k]; nil until UseReference
	refStride    int
}

// NewP11 creates the rule for nPre source and nPost target neurons; at
// tick 0 every trace is 0 except z^h = ν̄(0) τ_hom.
func NewP11[W Weight](p P11Params, clock snnsim.Clock, nPre, nPost int) (*P11[W], error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := checkSizes(ruleP11, clock, nPre, nPost); err != nil {
		return nil, err
	}
	dt := clock.DT
	return &P11[W]{
		p:     p,
		dt:    dt,
		aPlus: p.APlus,
		aLTD:  p.ltdFactor(),
		dPlus: newDecay(p.TauPlus, dt, tableLen(dt, p.TauPlus)),
		dSlow: newDecay(p.TauSlow, dt, tableLen(dt, p.TauSlow)),
		pre:   newTraces1(nPre),
		post:  newHomTraces(nPost, p.HomInit(), p.TauMinus, p.TauHom, dt),
		slow:  newTraces1(nPost),
		h: hotCopies{
			zp: newLazyExp(nPre, dt/p.TauPlus),
			lq: newLazyExp(nPost, dt/p.TauMinus+2*dt/p.TauHom),
			fp: 1,
			fq: 1,
		},
	}, nil
}

// Params returns the rule's parameters.
func (r *P11[W]) Params() P11Params { return r.p }

// ReadsReference reports whether the rule reads reference weights: β > 0.
func (r *P11[W]) ReadsReference() bool { return r.p.ReadsReference() }

// UseReference makes the rule read ref[stride·k] as w̃ of synapse k (an
// index into the weight array of Pre and Post). See [ReferenceReader].
func (r *P11[W]) UseReference(ref []float64, stride int) {
	if stride < 1 {
		panic(fmt.Sprintf("stdp: %s: UseReference with stride %d, want >= 1", ruleP11, stride))
	}
	r.ref, r.refStride = ref, stride
}

// Pre applies LTD and δ at the arrival of source i's spike at tick t, then
// records it in z⁺_i. See [Rule].
func (r *P11[W]) Pre(t snnsim.Time, i int32, tgt []int32, w []W) {
	if t != r.h.cur {
		r.h.advance(t, &r.pre, &r.post)
	}
	w = w[:len(tgt)]
	c, delta, wMin, qs := r.aLTD*r.h.fq, r.p.Delta, r.p.WMin, r.h.lq.v
	for k, j := range tgt {
		v := float64(w[k]) - c*qs[j] + delta // A⁻ z⁻_j (ν̄_j/κ)² (t−ε)
		if v < wMin {
			v = wMin
		}
		w[k] = W(v)
	}
	r.tracePre(t, i)
}

// PreFactors does what Pre does at the arrival of source i's spike at
// tick t except the update of the weights, which it returns as factors:
// Pre would set every w[k] onto target j to W(max(wMin, w + δ − c·q[j]))
// (in that order of operations: w − c·q[j], then + δ), computed in
// float64. q is the rule's array, valid until the next call. See
// [PreFactorer].
func (r *P11[W]) PreFactors(t snnsim.Time, i int32) (c, delta, wMin float64, q []float64) {
	if t != r.h.cur {
		r.h.advance(t, &r.pre, &r.post)
	}
	c, q = r.aLTD*r.h.fq, r.h.lq.v
	r.tracePre(t, i)
	return c, r.p.Delta, r.p.WMin, q
}

// Post applies LTP and the heterosynaptic term at target j's spike at tick
// t, from the same old weight, then records the spike in z⁻_j, z^s_j and
// z^h_j. See [Rule]. With β > 0 it panics unless UseReference gave it reference weights.
func (r *P11[W]) Post(t snnsim.Time, j int32, src, syn []int32, w []W) {
	a, b := r.postFactors(t, j)
	syn = syn[:len(src)]
	switch {
	case b != 0:
		if r.ref == nil {
			panic(fmt.Sprintf("stdp: %s: beta = %g but no reference weights (UseReference)", ruleP11, r.p.Beta))
		}
		hetero(a, b, r.p.WMin, r.p.WMax, r.h.zp.v, r.ref, r.refStride, src, syn, w)
	case a != 0:
		hetero(a, 0, r.p.WMin, r.p.WMax, r.h.zp.v, nil, 0, src, syn, w)
	}
	r.tracePost(t, j)
}

// postFactors returns the factors a = A⁺ z^s_j and b = β (z⁻_j)³ of target
// j's postsynaptic update at tick t (t−ε), in the scale of the lazy copies
// of z⁺ (r.h.zp).
func (r *P11[W]) postFactors(t snnsim.Time, j int32) (a, b float64) {
	if t != r.h.cur {
		r.h.advance(t, &r.pre, &r.post)
	}
	a = r.aPlus * r.slow.at(j, t, &r.dSlow) * r.h.fp
	zm, _ := r.post.at(j, t)
	return a, r.p.Beta * zm * zm * zm
}

// PostFactors does what Post does at target j's spike at tick t except
// the update of the weights, which it returns as factors: Post would set
// every incoming w[k] from source i to clip(w + a·zp[i] − b·(w − w̃_k),
// w_min, w_max) (the b term only for b ≠ 0), computed in float64 and
// rounded to W. zp is the rule's array, valid until the next call. With
// a = b = 0 Post changes no weight. See [PostFactorer].
func (r *P11[W]) PostFactors(t snnsim.Time, j int32) (a, b float64, zp []float64) {
	a, b = r.postFactors(t, j)
	r.tracePost(t, j)
	return a, b, r.h.zp.v
}

// WeightBounds returns w_min and w_max.
func (r *P11[W]) WeightBounds() (wMin, wMax float64) { return r.p.WMin, r.p.WMax }

// hetero is P11's postsynaptic loop: w[k] ← clip(w + a·zp[i] − b·(w −
// ref[stride·k]), wMin, wMax) for every incoming synapse k = syn[m] from
// source i = src[m]; ref is not read when b = 0.
func hetero[W Weight](a, b, wMin, wMax float64, zp, ref []float64, stride int, src, syn []int32, w []W) {
	for m, i := range src {
		k := syn[m]
		x := float64(w[k])
		v := x + a*zp[i]
		if b != 0 {
			v -= b * (x - ref[stride*int(k)])
		}
		if v > wMax {
			v = wMax
		}
		if v < wMin {
			v = wMin
		}
		w[k] = W(v)
	}
}

// TracePre records the arrival of source i's spike at tick t in z⁺_i only.
func (r *P11[W]) TracePre(t snnsim.Time, i int32) {
	if t != r.h.cur {
		r.h.advance(t, &r.pre, &r.post)
	}
	r.tracePre(t, i)
}

func (r *P11[W]) tracePre(t snnsim.Time, i int32) {
	r.pre.add(i, t, &r.dPlus, false)
	r.h.pendPre = append(r.h.pendPre, i)
}

// TracePost records target j's spike at tick t in z⁻_j, z^s_j and z^h_j
// only.
func (r *P11[W]) TracePost(t snnsim.Time, j int32) {
	if t != r.h.cur {
		r.h.advance(t, &r.pre, &r.post)
	}
	r.tracePost(t, j)
}

func (r *P11[W]) tracePost(t snnsim.Time, j int32) {
	r.post.add(j, t)
	r.slow.add(j, t, &r.dSlow, false)
	r.h.pendPost = append(r.h.pendPost, j)
}

// Rate returns ν̄_j at tick t (t−ε), in Hz: the rule's slow estimate of
// target j's rate.
func (r *P11[W]) Rate(j int32, t snnsim.Time) float64 {
	_, zh := r.post.at(j, t)
	return zh / r.p.TauHom * 1000
}

// PostTraces returns z⁻_j, z^s_j and z^h_j at tick t (t−ε).
func (r *P11[W]) PostTraces(j int32, t snnsim.Time) (zMinus, zSlow, zHom float64) {
	zMinus, zHom = r.post.at(j, t)
	return zMinus, r.slow.at(j, t, &r.dSlow), zHom
}

// PreTrace returns z⁺_i at tick t (t−ε).
func (r *P11[W]) PreTrace(i int32, t snnsim.Time) float64 { return r.pre.at(i, t, &r.dPlus) }

func (r *P11[W]) ident() ident {
	return ident{rule: ruleP11, nPre: len(r.pre.hot), nPost: len(r.slow.hot), dt: r.dt,
		keys: []string{"tau_plus", "tau_minus", "tau_slow", "tau_hom"},
		taus: []float64{r.p.TauPlus, r.p.TauMinus, r.p.TauSlow, r.p.TauHom}}
}

// AppendState appends the frame "stdp/p11": the traces in the layout of
// the homeostatic rule (z⁺ of every source; z⁻ and z^hom, then z^slow, of
// every target; the lazy copies). The reference weights are not the
// rule's state. See [checkpoint.Stater].
func (r *P11[W]) AppendState(b []byte) []byte {
	b, start := checkpoint.Begin(b, tagOf(ruleP11), stateVersion)
	id := r.ident()
	b = id.append(b)
	b = appendTraces(b, &r.pre)
	b = appendHomTraces(b, &r.post)
	b = appendTraces(b, &r.slow)
	b = r.h.appendTo(b)
	return checkpoint.End(b, start)
}

// RestoreState restores the traces from a state written by AppendState of
// a p11 rule of the same sizes, resolution and time constants. See
// [checkpoint.Stater].
func (r *P11[W]) RestoreState(b []byte) ([]byte, error) {
	tag := tagOf(ruleP11)
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
	h, err := r.h.read(d, &pre, &post, ruleP11)
	if err != nil {
		return nil, err
	}
	if err := d.Done(tag); err != nil {
		return nil, err
	}
	r.pre, r.post, r.slow, r.h = pre, post, slow, h
	return rest, nil
}
