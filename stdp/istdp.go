package stdp

import (
	"errors"
	"fmt"
	"math"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
)

// Inhibitory STDP: the symmetric rule of Vogels et al. (2011) and the
// variant of Zenke, Agnes & Gerstner (2015) whose amplitude and sign come
// from a global factor, the deviation of the target population's rate from
// a target rate. Both are one type, ISTDP, that differs only in where its
// factor comes from and in its bounds.

const (
	ruleGlobalISTDP = "istdp_global"
	ruleVogels      = "istdp_vogels"
	presetVogels    = "vogels_2011"
)

// GlobalISTDPParams are the parameters of the inhibitory STDP rule with a
// global factor of Zenke, Agnes & Gerstner (2015), as the authors ran it
// on the I→E synapses (GlobalPFConnection in sim_rc_p11). See [ISTDP] for
// the equations.
//
//	key        default  unit    meaning
//	eta        2e-5     weight  learning rate η_I (the authors' η/50), >= 0
//	kappa      4        Hz      target rate κ_I of the target population, > 0
//	tau_h      10000    ms      time constant τ_H of the population rate estimate (10 s), > 0
//	tau_plus   20       ms      presynaptic trace z⁺ time constant, > 0
//	tau_minus  20       ms      postsynaptic trace z⁻ time constant, > 0
//	xi         1        1       presynaptic offset ξ, finite
//	zeta       0        weight  constant change ζ per presynaptic spike, finite
//	w_min      0        weight  lower bound (applied at presynaptic spikes), < w_max
//	w_max      5        weight  upper bound (applied at postsynaptic spikes)
//
// The defaults are the preset "zenke_2015" (κ_I is the scripts'
// `--alpha 4`; ξ = 1, ζ = 0 and the 20 ms traces are the class's
// constants).
type GlobalISTDPParams struct {
	Eta      float64 `toml:"eta"`                 // learning rate η_I [weight]
	Kappa    float64 `toml:"kappa" unit:"Hz"`     // target population rate κ_I [Hz]
	TauH     float64 `toml:"tau_h" unit:"ms"`     // population rate time constant τ_H [ms]
	TauPlus  float64 `toml:"tau_plus" unit:"ms"`  // z⁺ time constant [ms]
	TauMinus float64 `toml:"tau_minus" unit:"ms"` // z⁻ time constant [ms]
	Xi       float64 `toml:"xi"`                  // presynaptic offset ξ [1]
	Zeta     float64 `toml:"zeta"`                // constant change ζ [weight]
	WMin     float64 `toml:"w_min"`               // lower weight bound [weight]
	WMax     float64 `toml:"w_max"`               // upper weight bound [weight]
}

// DefaultGlobalISTDP returns the "zenke_2015" preset with bounds [0, 5].
func DefaultGlobalISTDP() GlobalISTDPParams {
	p := GlobalISTDPParams{WMin: 0, WMax: 5}
	if err := p.ApplyPreset(presetZenke2015); err != nil {
		panic(err)
	}
	return p
}

// VogelsParams are the parameters of the inhibitory STDP rule of Vogels,
// Sprekeler, Zenke, Clopath & Gerstner (2011), Science 334:1569. See
// [ISTDP] for the equations.
//
//	key    default  unit    meaning
//	eta    1e-4     weight  learning rate η, >= 0
//	kappa  3        Hz      target rate ρ0 of each postsynaptic neuron, > 0
//	tau    20       ms      time constant τ of both traces (the window), > 0
//	w_min  0        weight  lower bound, < w_max
//	w_max  5        weight  upper bound
//
// The defaults are the preset "vogels_2011": τ_STDP = 20 ms and ρ0 = 3 Hz
// (so α = 2 ρ0 τ = 0.12) of the paper's network, with η = 1e-4; η is in
// the projection's weight unit and needs choosing for each network.
type VogelsParams struct {
	Eta   float64 `toml:"eta"`             // learning rate η [weight]
	Kappa float64 `toml:"kappa" unit:"Hz"` // target rate ρ0 [Hz]
	Tau   float64 `toml:"tau" unit:"ms"`   // window time constant τ [ms]
	WMin  float64 `toml:"w_min"`           // lower weight bound [weight]
	WMax  float64 `toml:"w_max"`           // upper weight bound [weight]
}

// DefaultVogels returns the "vogels_2011" preset with bounds [0, 5].
func DefaultVogels() VogelsParams {
	p := VogelsParams{WMin: 0, WMax: 5}
	if err := p.ApplyPreset(presetVogels); err != nil {
		panic(err)
	}
	return p
}

func init() {
	rules.Register(ruleGlobalISTDP, func() Params { p := DefaultGlobalISTDP(); return &p })
	rules.Register(ruleVogels, func() Params { p := DefaultVogels(); return &p })
}

func (GlobalISTDPParams) presetNames() []string { return []string{presetZenke2015} }
func (VogelsParams) presetNames() []string      { return []string{presetVogels} }

// Rule returns "istdp_global".
func (GlobalISTDPParams) Rule() string { return ruleGlobalISTDP }

// Rule returns "istdp_vogels".
func (VogelsParams) Rule() string { return ruleVogels }

// ApplyPreset sets every parameter except w_min and w_max to the named
// set; the only one is "zenke_2015", the table in [GlobalISTDPParams].
func (p *GlobalISTDPParams) ApplyPreset(name string) error {
	if name != presetZenke2015 {
		return unknownPreset(ruleGlobalISTDP, name)
	}
	*p = GlobalISTDPParams{Eta: 2e-5, Kappa: 4, TauH: 10e3, TauPlus: 20, TauMinus: 20, Xi: 1, Zeta: 0,
		WMin: p.WMin, WMax: p.WMax}
	return nil
}

// ApplyPreset sets every parameter except w_min and w_max to the named
// set; the only one is "vogels_2011", the table in [VogelsParams].
func (p *VogelsParams) ApplyPreset(name string) error {
	if name != presetVogels {
		return unknownPreset(ruleVogels, name)
	}
	*p = VogelsParams{Eta: 1e-4, Kappa: 3, Tau: 20, WMin: p.WMin, WMax: p.WMax}
	return nil
}

// Validate checks the parameters.
func (p GlobalISTDPParams) Validate() error {
	c := checkParams(ruleGlobalISTDP, p)
	c.NonNegative("eta", p.Eta)
	c.Positive("kappa", p.Kappa)
	c.Positive("tau_h", p.TauH)
	c.Positive("tau_plus", p.TauPlus)
	c.Positive("tau_minus", p.TauMinus)
	c.Finite("xi", p.Xi)
	c.Finite("zeta", p.Zeta)
	checkBounds(c, p.WMin, p.WMax, "", "")
	return c.Err()
}

// Validate checks the parameters.
func (p VogelsParams) Validate() error {
	c := checkParams(ruleVogels, p)
	c.NonNegative("eta", p.Eta)
	c.Positive("kappa", p.Kappa)
	c.Positive("tau", p.Tau)
	checkBounds(c, p.WMin, p.WMax, "", "")
	return c.Err()
}

// Alpha returns the depression offset α = 2 ρ0 τ of the Vogels rule, with
// ρ0 in spikes per ms (0.12 for the defaults).
func (p VogelsParams) Alpha() float64 { return 2 * p.Kappa / 1000 * p.Tau }

// ISTDP is a symmetric pair rule for inhibitory synapses. Traces are per
// neuron, all-to-all (+1 per spike), decay exponentially and are read at
// t−ε:
//
//	z⁺_i  presynaptic (the inhibitory source), +1 at the ARRIVAL of i's spike
//	z⁻_j  postsynaptic, +1 at j's spike
//
//	arrival of i's spike at i→j:  w ← w + F(t) (z⁻_j + ξ) − ζ
//	spike of j, each i→j:         w ← w + F(t) z⁺_i
//
// Vogels et al. (2011), rule "istdp_vogels": F = η, ξ = −α = −2 ρ0 τ,
// ζ = 0, both traces with τ, and both updates clipped to [w_min, w_max]. A
// pre–post pair at any Δt adds η e^{−|Δt|/τ} and every presynaptic spike
// takes ηα, so a target firing at ρ0 (with uncorrelated input) keeps its
// inhibitory weights on average, above ρ0 they grow.
//
// Zenke, Agnes & Gerstner (2015), rule "istdp_global" (the authors'
// GlobalPFConnection): F is a global factor of the target population,
//
//	F(t) = G(t) = η_I (ν_pop(t) − κ_I)/κ_I,   ν_pop = X/(τ_H N)
//	X     the count of the population's spikes filtered with τ_H, +1 per spike, X(0) = κ_I N τ_H
//
// with N the number of target neurons, so G is 0 while the population has
// fired at κ_I, and positive (all active inhibitory synapses grow, more if
// correlated with their target) when it fires faster. X counts every spike
// of the target population, a spike of tick t at tick t+D: the authors'
// code (GlobalPFConnection, Zenke, Agnes & Gerstner 2015) adds the spikes
// of the population's delayed spike list, those fired one axonal delay
// before, and the engine sets D to the projection's smallest delay
// (SetCountDelay; 0 by default). The rule counts the spikes that Post and
// TracePost report, or, after CountExternally, the counts that
// PopulationSpikes passes: a projection split among the workers of a
// parallel run has each worker's rule called for its own targets only,
// and every worker knows the whole population's spikes of tick t by the
// exchange at the end of the communication epoch, no later than t+D, so
// that every worker's X is the same. G and the traces are read at t−ε. As
// in the authors' code each update is
// clipped on one side only: at w_min at presynaptic spikes, at w_max at
// postsynaptic ones; so while G < 0 a postsynaptic spike can leave a weight
// slightly below w_min, until the next presynaptic spike of its source
// clips it (before that spike is transmitted: the engine runs Pre before
// delivery, so no weight below w_min is ever transmitted).
//
// Parameters: [GlobalISTDPParams], [VogelsParams]. Checked by
// TestGlobalISTDPReference (every update against the definition, with X
// summed explicitly over the population's spikes, with and without the
// delay), TestGlobalISTDPExternal (counts passed in epochs), TestGlobalFactor,
// TestVogelsWindow (the published window) and TestStateResume.
type ISTDP[W Weight] struct {
	rule           string
	dt             float64
	eta, xi, zeta  float64
	preLo, preHi   float64 // bounds of the presynaptic update
	postLo, postHi float64 // bounds of the postsynaptic update
	dPlus, dMinus  decay
	pre, post      traces1  // z⁺_i, z⁻_j
	h              lazyPair // what the hot loops read of pre and post
	tauPlus        float64
	tauMinus       float64

	// global factor (istdp_global only)
	global   bool
	tauH     float64
	x0       float64 // κ_I N τ_H
	dPop     decay
	pop      traces1 // X: one entry, holding the counts up to the last one flushed
	delay    snnsim.Time
	external bool       // the counts come from PopulationSpikes, not from Post and TracePost
	pending  []popCount // counts not yet in X, by tick (flush)
	gTick    snnsim.Time
	g        float64 // G at gTick
}

// popCount is a count n of target spikes that X takes at tick at.
type popCount struct {
	at snnsim.Time
	n  int64
}

// NewGlobalISTDP creates the global-factor rule for nPre source and nPost
// target neurons; at tick 0 the traces are 0 and X = κ_I N τ_H (G = 0).
func NewGlobalISTDP[W Weight](p GlobalISTDPParams, clock snnsim.Clock, nPre, nPost int) (*ISTDP[W], error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := checkSizes(ruleGlobalISTDP, clock, nPre, nPost); err != nil {
		return nil, err
	}
	r := newISTDP[W](ruleGlobalISTDP, clock.DT, p.TauPlus, p.TauMinus, nPre, nPost)
	r.eta, r.xi, r.zeta = p.Eta, p.Xi, p.Zeta
	r.preLo, r.preHi = p.WMin, math.Inf(1)
	r.postLo, r.postHi = math.Inf(-1), p.WMax
	r.global, r.tauH = true, p.TauH
	r.x0 = p.Kappa / 1000 * float64(nPost) * p.TauH
	r.dPop = newDecay(p.TauH, clock.DT, 2) // read once per tick: no table
	r.pop = newTraces1(1)
	r.pop.hot[0].after, r.pop.before[0] = r.x0, r.x0
	r.gTick = -1
	return r, nil
}

// NewVogels creates the Vogels et al. (2011) rule for nPre source and
// nPost target neurons, with every trace 0 at tick 0.
func NewVogels[W Weight](p VogelsParams, clock snnsim.Clock, nPre, nPost int) (*ISTDP[W], error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := checkSizes(ruleVogels, clock, nPre, nPost); err != nil {
		return nil, err
	}
	r := newISTDP[W](ruleVogels, clock.DT, p.Tau, p.Tau, nPre, nPost)
	r.eta, r.xi = p.Eta, -p.Alpha()
	r.preLo, r.preHi = p.WMin, p.WMax
	r.postLo, r.postHi = p.WMin, p.WMax
	return r, nil
}

func newISTDP[W Weight](rule string, dt, tauPlus, tauMinus float64, nPre, nPost int) *ISTDP[W] {
	return &ISTDP[W]{
		rule: rule, dt: dt, tauPlus: tauPlus, tauMinus: tauMinus,
		dPlus:  newDecay(tauPlus, dt, tableLen(dt, tauPlus)),
		dMinus: newDecay(tauMinus, dt, tableLen(dt, tauMinus)),
		pre:    newTraces1(nPre),
		post:   newTraces1(nPost),
		h: lazyPair{
			zp: newLazyExp(nPre, dt/tauPlus),
			zm: newLazyExp(nPost, dt/tauMinus),
			fp: 1,
			fm: 1,
		},
	}
}

// Factor returns F at tick t (t−ε): G(t) for istdp_global, η for
// istdp_vogels.
func (r *ISTDP[W]) Factor(t snnsim.Time) float64 {
	if !r.global {
		return r.eta
	}
	if t != r.gTick {
		r.flush(t)
		x := r.pop.at(0, t, &r.dPop)
		r.g = r.eta * (x - r.x0) / r.x0
		r.gTick = t
	}
	return r.g
}

// PopulationRate returns the rule's estimate ν_pop of the target
// population's mean rate at tick t (t−ε), in Hz; 0 for istdp_vogels.
func (r *ISTDP[W]) PopulationRate(t snnsim.Time) float64 {
	if !r.global {
		return 0
	}
	return r.xAt(t) / (r.tauH * float64(len(r.post.hot))) * 1000
}

// xAt returns X at tick t (t−ε) with the pending counts due by then, as
// flush and the trace's read would, without changing the rule.
func (r *ISTDP[W]) xAt(t snnsim.Time) float64 {
	last, after, before := r.pop.hot[0].last, r.pop.hot[0].after, r.pop.before[0]
	for _, c := range r.pending {
		if c.at > t {
			break
		}
		if n := c.at - last; n != 0 {
			v := after * r.dPop.at(n)
			last, after, before = c.at, v, v
		}
		after += float64(c.n)
	}
	if t == last {
		return before
	}
	return after * r.dPop.at(t-last)
}

// CountsPopulation reports whether the rule reads the target
// population's spike count: true for istdp_global.
func (r *ISTDP[W]) CountsPopulation() bool { return r.global }

// SetCountDelay makes istdp_global count a target spike of tick t in X at
// tick t+d (it enters G from tick t+d+1), d >= 0 ticks; the default is 0.
// The authors' code counts the target population's spikes from the
// spike list that its connections deliver, one axonal delay after they
// were fired (Zenke, Agnes & Gerstner 2015, GlobalPFConnection in the
// authors' sim_rc_p11), which the engine copies by giving the projection's
// smallest delay. Call it before the first spike is counted.
func (r *ISTDP[W]) SetCountDelay(d snnsim.Time) {
	if d < 0 {
		panic(fmt.Sprintf("stdp: %s: count delay %d ticks: must be >= 0", r.rule, d))
	}
	r.delay = d
}

// CountExternally makes istdp_global take the target population's spike
// counts from PopulationSpikes only: Post and TracePost no longer count.
// A caller that calls the rule for only some of the targets (a part of a
// projection split among workers) passes the whole population's count of
// every tick instead. Call it before the first spike is counted.
func (r *ISTDP[W]) CountExternally() { r.external = true }

// PopulationSpikes counts n spikes of the target population fired at tick
// t (after CountExternally); calls come in tick order, one per tick (the
// calls of one tick are summed until X takes them; one taken later is
// added to X on its own, which may round otherwise). Since a count enters
// X only d ticks later (SetCountDelay), the count of a tick may be passed
// up to d ticks after it, after the rule's calls of the ticks in between.
func (r *ISTDP[W]) PopulationSpikes(t snnsim.Time, n int) {
	if r.global && n > 0 {
		r.count(t, int64(n))
	}
}

// count adds n target spikes of tick t to the counts pending for X.
func (r *ISTDP[W]) count(t snnsim.Time, n int64) {
	at := t + r.delay
	if k := len(r.pending) - 1; k >= 0 && r.pending[k].at >= at {
		if r.pending[k].at > at {
			panic(fmt.Sprintf("stdp: %s: spikes of tick %d counted after those of tick %d (counts must come in tick order)", r.rule, t, r.pending[k].at-r.delay))
		}
		r.pending[k].n += n
		return
	}
	if at < r.gTick || at < r.pop.hot[0].last {
		panic(fmt.Sprintf("stdp: %s: spikes of tick %d counted at tick %d, after G was read at tick %d", r.rule, t, at, max(r.gTick, r.pop.hot[0].last)))
	}
	r.pending = append(r.pending, popCount{at, n})
}

// flush adds the pending counts due at ticks <= t to X, in tick order: X
// is the same whenever they are added.
func (r *ISTDP[W]) flush(t snnsim.Time) {
	k := 0
	for ; k < len(r.pending) && r.pending[k].at <= t; k++ {
		c := r.pending[k]
		h := &r.pop.hot[0]
		if n := c.at - h.last; n != 0 {
			v := h.after * r.dPop.at(n)
			h.last, h.after, r.pop.before[0] = c.at, v, v
		}
		h.after += float64(c.n)
	}
	if k > 0 {
		r.pending = append(r.pending[:0], r.pending[k:]...)
	}
}

// Pre applies the presynaptic update at the arrival of source i's spike
// at tick t, then records it in z⁺_i. See [Rule].
func (r *ISTDP[W]) Pre(t snnsim.Time, i int32, tgt []int32, w []W) {
	if t != r.h.cur {
		r.h.advance(t, &r.pre, &r.post)
	}
	f := r.Factor(t)
	if f != 0 || r.zeta != 0 {
		w = w[:len(tgt)]
		lo, hi, xi, zeta, fm, zm := r.preLo, r.preHi, r.xi, r.zeta, r.h.fm, r.h.zm.v
		for k, j := range tgt {
			v := float64(w[k]) + f*(zm[j]*fm+xi) - zeta // z⁻_j(t−ε) = zm[j]·fm
			w[k] = W(min(max(v, lo), hi))
		}
	}
	r.tracePre(t, i)
}

// Post applies the postsynaptic update at target j's spike at tick t, then
// records it in z⁻_j (and in the population count X). See [Rule].
func (r *ISTDP[W]) Post(t snnsim.Time, j int32, src, syn []int32, w []W) {
	if t != r.h.cur {
		r.h.advance(t, &r.pre, &r.post)
	}
	if f := r.Factor(t); f != 0 {
		syn = syn[:len(src)]
		lo, hi, c, zp := r.postLo, r.postHi, f*r.h.fp, r.h.zp.v
		for m, i := range src {
			k := syn[m]
			v := float64(w[k]) + c*zp[i] // F z⁺_i(t−ε)
			w[k] = W(min(max(v, lo), hi))
		}
	}
	r.tracePost(t, j)
}

// TracePre records the arrival of source i's spike at tick t in z⁺_i only.
func (r *ISTDP[W]) TracePre(t snnsim.Time, i int32) {
	if t != r.h.cur {
		r.h.advance(t, &r.pre, &r.post)
	}
	if r.global {
		r.flush(t) // as every call does (Factor): X then holds the same counts, whatever calls came
	}
	r.tracePre(t, i)
}

func (r *ISTDP[W]) tracePre(t snnsim.Time, i int32) {
	r.pre.add(i, t, &r.dPlus, false)
	r.h.pendPre = append(r.h.pendPre, i)
}

// TracePost records target j's spike at tick t in z⁻_j (and in X) only.
func (r *ISTDP[W]) TracePost(t snnsim.Time, j int32) {
	if t != r.h.cur {
		r.h.advance(t, &r.pre, &r.post)
	}
	if r.global {
		r.flush(t)
	}
	r.tracePost(t, j)
}

func (r *ISTDP[W]) tracePost(t snnsim.Time, j int32) {
	if r.global && !r.external {
		r.count(t, 1) // G reads X at t−ε: this spike counts from t+delay+1
	}
	r.post.add(j, t, &r.dMinus, false)
	r.h.pendPost = append(r.h.pendPost, j)
}

func (r *ISTDP[W]) ident() ident {
	id := ident{rule: r.rule, nPre: len(r.pre.hot), nPost: len(r.post.hot), dt: r.dt}
	if r.global {
		id.keys = []string{"tau_plus", "tau_minus", "tau_h"}
		id.taus = []float64{r.tauPlus, r.tauMinus, r.tauH}
	} else {
		id.keys = []string{"tau"}
		id.taus = []float64{r.tauPlus}
	}
	return id
}

// globalVersion is the payload version of istdp_global's frame: the
// common one with the counts pending for X.
const globalVersion = stateVersion + 1

// version returns the payload version of the rule's frame.
func (r *ISTDP[W]) version() byte {
	if r.global {
		return globalVersion
	}
	return stateVersion
}

// AppendState appends the frame "stdp/istdp_global" (version 3) or
// "stdp/istdp_vogels" (version 2): z⁺ of every source, z⁻ of every target,
// for istdp_global the population count X (one trace) and the counts not
// yet in X (their number, then tick and count of each), then the lazy
// copies of z⁺ and z⁻ (as the homeostatic rule's). See
// [checkpoint.Stater].
func (r *ISTDP[W]) AppendState(b []byte) []byte {
	b, start := checkpoint.Begin(b, tagOf(r.rule), r.version())
	id := r.ident()
	b = id.append(b)
	b = appendTraces(b, &r.pre)
	b = appendTraces(b, &r.post)
	if r.global {
		b = appendTraces(b, &r.pop)
		b = checkpoint.PutI64(b, int64(len(r.pending)))
		for _, c := range r.pending {
			b = checkpoint.PutI64(b, int64(c.at))
			b = checkpoint.PutI64(b, c.n)
		}
	}
	b = r.h.appendTo(b)
	return checkpoint.End(b, start)
}

// RestoreState restores the traces from a state written by AppendState of
// the same rule with the same sizes, resolution and time constants. An
// istdp_global frame of version 2 (without pending counts, written when X
// counted every spike at once) restores with no count pending. See
// [checkpoint.Stater].
func (r *ISTDP[W]) RestoreState(b []byte) ([]byte, error) {
	tag := tagOf(r.rule)
	id := r.ident()
	d, rest, err := id.openVersion(b, tag, r.version())
	withPending := r.global
	if r.global && errors.Is(err, checkpoint.ErrVersion) {
		var err2 error
		if d, rest, err2 = id.openVersion(b, tag, stateVersion); err2 == nil {
			err, withPending = nil, false
		}
	}
	if err != nil {
		return nil, err
	}
	pre, err := readTraces(d, id.nPre, "z⁺")
	if err != nil {
		return nil, err
	}
	post, err := readTraces(d, id.nPost, "z⁻")
	if err != nil {
		return nil, err
	}
	var pop traces1
	var pending []popCount
	if r.global {
		if pop, err = readTraces(d, 1, "population"); err != nil {
			return nil, err
		}
		if withPending {
			if pending, err = readPending(d, pop.hot[0].last, r.rule); err != nil {
				return nil, err
			}
		}
	}
	h, err := r.h.read(d, &pre, &post, r.rule)
	if err != nil {
		return nil, err
	}
	if err := d.Done(tag); err != nil {
		return nil, err
	}
	r.pre, r.post, r.h = pre, post, h
	if r.global {
		r.pop, r.pending, r.gTick = pop, pending, -1
	}
	return rest, nil
}

// readPending reads the counts pending for X, which AppendState wrote
// after X's trace (last updated at tick last): ticks increasing from
// last on, counts positive.
func readPending(d *checkpoint.Decoder, last snnsim.Time, rule string) ([]popCount, error) {
	n := d.I64()
	if d.Short {
		return nil, nil
	}
	if n < 0 {
		return nil, codec.Corruptf("%s: %d pending counts", rule, n)
	}
	if n > int64(len(d.B)/16) {
		d.Short = true
		return nil, nil
	}
	var pending []popCount
	for range n {
		c := popCount{snnsim.Time(d.I64()), d.I64()}
		if c.at < last || c.at == snnsim.Never || c.n <= 0 || (len(pending) > 0 && c.at <= pending[len(pending)-1].at) {
			return nil, codec.Corruptf("%s: pending count %d at tick %d after X at tick %d and the counts %v", rule, c.n, c.at, last, pending)
		}
		pending = append(pending, c)
	}
	return pending, nil
}

// lazyPair are the lazy copies (lazyExp) of a presynaptic and a
// postsynaptic trace that the inhibitory rules' loops read, with the
// factors fp and fm of tick cur. The copies of the neurons that spiked at
// cur (pendPre, pendPost) still hold their t−ε values; advance brings them
// up to date at the first call of a later tick.
type lazyPair struct {
	zp, zm            lazyExp
	cur               snnsim.Time
	fp, fm            float64
	pendPre, pendPost []int32
}

// advance makes the copies current for the first call at tick t > cur.
func (h *lazyPair) advance(t snnsim.Time, pre, post *traces1) {
	if t < h.cur {
		panic("stdp: rule called for an earlier tick (calls must come in tick order)")
	}
	for _, i := range h.pendPre {
		h.zp.set(i, pre.hot[i].after, h.cur)
	}
	for _, j := range h.pendPost {
		h.zm.set(j, post.hot[j].after, h.cur)
	}
	h.pendPre, h.pendPost = h.pendPre[:0], h.pendPost[:0]
	h.cur = t
	h.zp.advance(t) // in fixed steps: the same epochs in every part of a split projection
	h.zm.advance(t)
	h.fp, h.fm = h.zp.factor(t), h.zm.factor(t)
}

// appendTo appends the tick cur, the epochs, the pending neurons and the
// copies' values; they are saved, not rebuilt, so that a resumed run goes
// on bit for bit.
func (h *lazyPair) appendTo(b []byte) []byte {
	b = checkpoint.PutI64(b, int64(h.cur))
	b = checkpoint.PutI64(b, int64(h.zp.t0))
	b = checkpoint.PutI64(b, int64(h.zm.t0))
	b = checkpoint.PutIndices(b, h.pendPre)
	b = checkpoint.PutIndices(b, h.pendPost)
	for _, v := range h.zp.v {
		b = checkpoint.PutF64(b, v)
	}
	for _, v := range h.zm.v {
		b = checkpoint.PutF64(b, v)
	}
	return b
}

// read reads what appendTo wrote, for the traces pre and post just read
// for the named rule, and checks it against them; h gives the sizes and
// decay rates.
func (h *lazyPair) read(d *checkpoint.Decoder, pre, post *traces1, rule string) (lazyPair, error) {
	nPre, nPost := len(h.zp.v), len(h.zm.v)
	out := lazyPair{zp: h.zp, zm: h.zm}
	out.cur = snnsim.Time(d.I64())
	out.zp.t0, out.zm.t0 = snnsim.Time(d.I64()), snnsim.Time(d.I64())
	var bad bool
	out.pendPre = d.Indices(nPre, &bad)
	out.pendPost = d.Indices(nPost, &bad)
	if bad {
		return lazyPair{}, codec.Corruptf("%s: a pending neuron is out of range", rule)
	}
	if len(d.B) < 8*(nPre+nPost) {
		d.Short = true
		return lazyPair{}, nil
	}
	out.zp.v, out.zm.v = make([]float64, nPre), make([]float64, nPost)
	for _, v := range [][]float64{out.zp.v, out.zm.v} {
		for k := range v {
			v[k] = d.F64()
			if !(v[k] >= 0) || math.IsInf(v[k], 0) {
				return lazyPair{}, codec.Corruptf("%s: lazy trace %d is %g, must be finite and >= 0", rule, k, v[k])
			}
		}
	}
	var latest snnsim.Time // every call updates a trace at its tick, so cur is the latest update
	for _, ts := range []*traces1{pre, post} {
		for _, x := range ts.hot {
			latest = max(latest, x.last)
		}
	}
	if out.cur != latest {
		return lazyPair{}, codec.Corruptf("%s: current tick %d, but the latest trace update is at %d", rule, out.cur, latest)
	}
	if out.zp.t0 > out.cur || out.zm.t0 > out.cur || out.zp.due(out.cur) || out.zm.due(out.cur) {
		return lazyPair{}, codec.Corruptf("%s: epochs %d, %d do not fit tick %d", rule, out.zp.t0, out.zm.t0, out.cur)
	}
	for _, i := range out.pendPre {
		if pre.hot[i].last != out.cur {
			return lazyPair{}, codec.Corruptf("%s: source %d is pending at tick %d but last spiked at %d", rule, i, out.cur, pre.hot[i].last)
		}
	}
	for _, j := range out.pendPost {
		if post.hot[j].last != out.cur {
			return lazyPair{}, codec.Corruptf("%s: target %d is pending at tick %d but last spiked at %d", rule, j, out.cur, post.hot[j].last)
		}
	}
	out.fp, out.fm = out.zp.factor(out.cur), out.zm.factor(out.cur)
	return out, nil
}
