package stdp

import (
	"math"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
)

const rulePair = "pair"

// PairParams are the parameters of pair-based STDP with the weight
// dependence family of Gütig et al. (2003). See [Pair] for the equations.
//
//	key        default      unit         meaning
//	a_plus     0.01         weight       LTP amplitude A+, >= 0
//	a_minus    0.0105       weight       LTD amplitude A−, >= 0
//	tau_plus   20           ms           presynaptic trace time constant τ+, > 0
//	tau_minus  20           ms           postsynaptic trace time constant τ−, > 0
//	mu_plus    0            1            LTP weight dependence μ+, >= 0 (0 additive, 1 multiplicative)
//	mu_minus   0            1            LTD weight dependence μ−, >= 0 (0 additive, 1 multiplicative)
//	pairing    all_to_all   –            all_to_all or nearest_spike (see Pairing)
//	w_min      0            weight       lower bound, < w_max; finite if mu_minus > 0
//	w_max      1            weight       upper bound; finite if mu_plus > 0
//
// "weight" is the projection's weight unit (for μ ≠ 0, A± carries
// weight^(1−μ)). The defaults are the additive rule of Song, Miller &
// Abbott (2000) as reproduced in Brian2's documentation (A+ = 0.01 g_max,
// A− = 1.05 A+, τ± = 20 ms) with weights in units of
// g_max.
type PairParams struct {
	APlus    float64 `toml:"a_plus"`              // LTP amplitude A+ [weight]
	AMinus   float64 `toml:"a_minus"`             // LTD amplitude A− [weight]
	TauPlus  float64 `toml:"tau_plus" unit:"ms"`  // presynaptic trace time constant τ+ [ms]
	TauMinus float64 `toml:"tau_minus" unit:"ms"` // postsynaptic trace time constant τ− [ms]
	MuPlus   float64 `toml:"mu_plus"`             // LTP weight-dependence exponent μ+ [1]
	MuMinus  float64 `toml:"mu_minus"`            // LTD weight-dependence exponent μ− [1]
	Pairing  Pairing `toml:"pairing"`             // pairing scheme
	WMin     float64 `toml:"w_min"`               // lower weight bound [weight]
	WMax     float64 `toml:"w_max"`               // upper weight bound [weight]
}

// DefaultPair returns the "song_abbott_2000" preset with bounds [0, 1].
func DefaultPair() PairParams {
	p := PairParams{WMin: 0, WMax: 1}
	if err := p.ApplyPreset("song_abbott_2000"); err != nil {
		panic(err)
	}
	return p
}

// pairPresets are the named parameter sets of the pair rule. Each sets every
// field except w_min and w_max; pairing is all_to_all.
var pairPresets = []struct {
	name string
	p    PairParams
}{
	// Song, Miller & Abbott (2000), Nat Neurosci 3:919, as reproduced by
	// Brian2 [T]: additive, depression-dominated (A−/A+ = 1.05), A+ = 0.01 in
	// units of g_max (the paper itself: A+ = 0.005 [R]).
	{"song_abbott_2000", PairParams{APlus: 0.01, AMinus: 0.0105, TauPlus: 20, TauMinus: 20}},
	// The weight-dependence family with NEST/NESTML stdp_synapse defaults
	// (λ = 0.01, α = 1, τ = 20 ms [T]); with w_max = 1 these are λ and αλ.
	{"additive", PairParams{APlus: 0.01, AMinus: 0.01, TauPlus: 20, TauMinus: 20}},                              // μ+ = μ− = 0, Song et al. 2000
	{"multiplicative", PairParams{APlus: 0.01, AMinus: 0.01, TauPlus: 20, TauMinus: 20, MuPlus: 1, MuMinus: 1}}, // Rubin et al. 2001
	{"van_rossum", PairParams{APlus: 0.01, AMinus: 0.01, TauPlus: 20, TauMinus: 20, MuMinus: 1}},                // additive LTP, multiplicative LTD: van Rossum et al. 2000
}

func init() {
	rules.Register(rulePair, func() Params { p := DefaultPair(); return &p })
}

func (PairParams) presetNames() []string {
	names := make([]string, len(pairPresets))
	for i, q := range pairPresets {
		names[i] = q.name
	}
	return names
}

// Rule returns "pair".
func (PairParams) Rule() string { return rulePair }

// ApplyPreset sets every parameter except w_min and w_max to the named set:
// "song_abbott_2000", "additive", "multiplicative" or "van_rossum".
func (p *PairParams) ApplyPreset(name string) error {
	for _, q := range pairPresets {
		if q.name == name {
			q.p.Pairing = AllToAll
			q.p.WMin, q.p.WMax = p.WMin, p.WMax
			*p = q.p
			return nil
		}
	}
	return unknownPreset(rulePair, name)
}

// Validate checks the parameters.
func (p PairParams) Validate() error {
	c := checkParams(rulePair, p)
	c.NonNegative("a_plus", p.APlus)
	c.NonNegative("a_minus", p.AMinus)
	c.Positive("tau_plus", p.TauPlus)
	c.Positive("tau_minus", p.TauMinus)
	c.NonNegative("mu_plus", p.MuPlus)
	c.NonNegative("mu_minus", p.MuMinus)
	p.Pairing.check(c)
	var finMin, finMax string
	if p.MuMinus != 0 {
		finMin = "mu_minus > 0 (soft lower bound)"
	}
	if p.MuPlus != 0 {
		finMax = "mu_plus > 0 (soft upper bound)"
	}
	checkBounds(c, p.WMin, p.WMax, finMin, finMax)
	return c.Err()
}

// dependence is how an update scales with the distance to a bound.
type dependence uint8

const (
	depConst  dependence = iota // μ = 0: additive
	depLinear                   // μ = 1: multiplicative
	depPower                    // other μ
)

func dependenceOf(mu float64) dependence {
	switch mu {
	case 0:
		return depConst
	case 1:
		return depLinear
	}
	return depPower
}

// soft returns max(d, 0)^mu for the dependence kind k of mu (0^0 = 1).
func soft(k dependence, mu, d float64) float64 {
	switch k {
	case depConst:
		return 1
	case depLinear:
		return max(d, 0)
	}
	return math.Pow(max(d, 0), mu)
}

// Pair is pair-based STDP with per-neuron traces and the weight dependence
// of Gütig et al. (2003). Presynaptic neuron i has the trace x_i (τ+),
// postsynaptic neuron j the trace y_j (τ−); both decay exponentially between
// spikes and are read at t−ε (without the increments of tick t):
//
//	arrival of i's spike at i→j, tick t:  w ← max(w_min, w − A− (w − w_min)^μ− y_j(t−ε))
//	                                      then x_i ← x_i + 1   (all_to_all) or x_i ← 1 (nearest_spike)
//	spike of j at tick t, each i→j:       w ← min(w_max, w + A+ (w_max − w)^μ+ x_i(t−ε))
//	                                      then y_j ← y_j + 1   (all_to_all) or y_j ← 1 (nearest_spike)
//	between spikes:                       τ+ dx/dt = −x,  τ− dy/dt = −y
//
// with 0^0 = 1 and negative bases taken as 0. For one isolated pair with
// Δt = t_post − t_pre (t_pre the arrival tick) this is the window
//
//	Δt > 0:  Δw = +A+ (w_max − w)^μ+ exp(−Δt/τ+)
//	Δt < 0:  Δw = −A− (w − w_min)^μ− exp(+Δt/τ−)
//	Δt = 0:  Δw = 0   (simultaneous spikes do not pair, in either scheme)
//
// μ+ = μ− = 0 is additive STDP with hard bounds (Song, Miller & Abbott
// 2000), μ+ = μ− = 1 multiplicative (Rubin, Lee & Sompolinsky 2001),
// μ+ = 0, μ− = 1 the mixed rule of van Rossum, Bi & Turrigiano (2000), and
// 0 < μ < 1 Gütig's power law. With w_min = 0 the factors are Gütig's
// (w_max − w)^μ and w^μ. NEST's stdp_synapse (λ, α, W_max) is A+ =
// λ W_max^(1−μ+), A− = αλ W_max^(1−μ−), w_min = 0. Hard clipping applies
// to every variant, so a weight starting in [w_min, w_max] stays there.
//
// Parameters: [PairParams]. Constraints: amplitudes, μ ≥ 0; τ > 0;
// w_min < w_max, finite on a soft side.
//
// References: Gütig, Aharonov, Rotter & Sompolinsky (2003), J Neurosci
// 23:3697; Song, Miller & Abbott (2000), Nat Neurosci 3:919; van Rossum, Bi
// & Turrigiano (2000), J Neurosci 20:8812; Morrison, Diesmann & Gerstner
// (2008), Biol Cybern 98:459 (pairing schemes).
//
// Checked by TestWindow (analytic window to 1e-12, both schemes, every
// dependence), TestFastMatchesReference (the slow per-pair reference on
// random trains) and TestSameTickOrder.
type Pair[W Weight] struct {
	p             PairParams
	dt            float64 // resolution [ms]
	reset         bool
	depP, depM    dependence
	dPlus, dMinus decay
	pre           traces1 // x_i (τ+)
	post          traces1 // y_j (τ−)
}

// NewPair creates a pair rule for nPre source and nPost target neurons, with
// every trace 0 at tick 0.
func NewPair[W Weight](p PairParams, clock snnsim.Clock, nPre, nPost int) (*Pair[W], error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := checkSizes(rulePair, clock, nPre, nPost); err != nil {
		return nil, err
	}
	r := &Pair[W]{
		p:      p,
		dt:     clock.DT,
		reset:  p.Pairing.reset(),
		depP:   dependenceOf(p.MuPlus),
		depM:   dependenceOf(p.MuMinus),
		dPlus:  newDecay(p.TauPlus, clock.DT, tableLen(clock.DT, p.TauPlus)),
		dMinus: newDecay(p.TauMinus, clock.DT, tableLen(clock.DT, p.TauMinus)),
		pre:    newTraces1(nPre),
		post:   newTraces1(nPost),
	}
	return r, nil
}

// Params returns the rule's parameters.
func (r *Pair[W]) Params() PairParams { return r.p }

// Pre applies depression at the arrival of source i's spike at tick t, then
// records it in x_i. See [Rule].
func (r *Pair[W]) Pre(t snnsim.Time, i int32, tgt []int32, w []W) {
	w = w[:len(tgt)]
	a, wMin, post, d := r.p.AMinus, r.p.WMin, &r.post, &r.dMinus
	hot, tab := post.hot, d.tab
	if r.depM == depConst {
		for k, j := range tgt {
			h := &hot[j] // y_j(t−ε): traces1.at by hand
			var y float64
			if n := t - h.last; uint64(n-1) < uint64(len(tab)-1) {
				y = h.after * tab[n]
			} else {
				y = post.slow(j, n, d)
			}
			v := float64(w[k]) - a*y
			if v < wMin {
				v = wMin
			}
			w[k] = W(v)
		}
	} else {
		kind, mu := r.depM, r.p.MuMinus
		for k, j := range tgt {
			v := float64(w[k])
			v -= a * soft(kind, mu, v-wMin) * post.at(j, t, d)
			if v < wMin {
				v = wMin
			}
			w[k] = W(v)
		}
	}
	r.pre.add(i, t, &r.dPlus, r.reset)
}

// Post applies potentiation at target j's spike at tick t, then records it
// in y_j. See [Rule].
func (r *Pair[W]) Post(t snnsim.Time, j int32, src, syn []int32, w []W) {
	syn = syn[:len(src)]
	a, wMax, pre, d := r.p.APlus, r.p.WMax, &r.pre, &r.dPlus
	if r.depP == depConst {
		potentiate(t, a, wMax, pre, d, src, syn, w)
	} else {
		kind, mu := r.depP, r.p.MuPlus
		for m, i := range src {
			k := syn[m]
			v := float64(w[k])
			v += a * soft(kind, mu, wMax-v) * pre.at(i, t, d)
			if v > wMax {
				v = wMax
			}
			w[k] = W(v)
		}
	}
	r.post.add(j, t, &r.dMinus, r.reset)
}

// TracePre records the arrival of source i's spike at tick t in x_i only.
func (r *Pair[W]) TracePre(t snnsim.Time, i int32) { r.pre.add(i, t, &r.dPlus, r.reset) }

// TracePost records target j's spike at tick t in y_j only.
func (r *Pair[W]) TracePost(t snnsim.Time, j int32) { r.post.add(j, t, &r.dMinus, r.reset) }

// PreTrace returns x_i at tick t (t−ε); t must not precede i's last spike.
func (r *Pair[W]) PreTrace(i int32, t snnsim.Time) float64 { return r.pre.at(i, t, &r.dPlus) }

// PostTrace returns y_j at tick t (t−ε); t must not precede j's last spike.
func (r *Pair[W]) PostTrace(j int32, t snnsim.Time) float64 { return r.post.at(j, t, &r.dMinus) }

// ident identifies the traces of r in a state.
func (r *Pair[W]) ident() ident {
	return ident{rule: rulePair, nPre: len(r.pre.hot), nPost: len(r.post.hot), dt: r.dt,
		keys: []string{"tau_plus", "tau_minus"}, taus: []float64{r.p.TauPlus, r.p.TauMinus}, reset: r.reset}
}

// AppendState appends x_i and y_j of every neuron. See [checkpoint.Stater].
func (r *Pair[W]) AppendState(b []byte) []byte {
	b, start := checkpoint.Begin(b, tagOf(rulePair), stateVersion)
	id := r.ident()
	b = id.append(b)
	b = appendTraces(b, &r.pre)
	b = appendTraces(b, &r.post)
	return checkpoint.End(b, start)
}

// RestoreState restores x_i and y_j from a state written by AppendState of
// a pair rule of the same sizes, resolution, time constants and pairing.
// See [checkpoint.Stater].
func (r *Pair[W]) RestoreState(b []byte) ([]byte, error) {
	tag := tagOf(rulePair)
	id := r.ident()
	d, rest, err := id.open(b, tag)
	if err != nil {
		return nil, err
	}
	pre, err := readTraces(d, id.nPre, "x (presynaptic)")
	if err != nil {
		return nil, err
	}
	post, err := readTraces(d, id.nPost, "y (postsynaptic)")
	if err != nil {
		return nil, err
	}
	if err := d.Done(tag); err != nil {
		return nil, err
	}
	r.pre, r.post = pre, post
	return rest, nil
}
