package stdp

import (
	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
)

const ruleTriplet = "triplet"

// TripletParams are the parameters of triplet STDP (Pfister & Gerstner
// 2006). See [Triplet] for the equations.
//
//	key        default      unit    meaning
//	a2_plus    0            weight  pair LTP amplitude A2+, >= 0
//	a3_plus    6.5e-3       weight  triplet LTP amplitude A3+, >= 0
//	a2_minus   7.1e-3       weight  pair LTD amplitude A2−, >= 0
//	a3_minus   0            weight  triplet LTD amplitude A3−, >= 0
//	tau_plus   16.8         ms      presynaptic trace r1 time constant τ+, > 0
//	tau_minus  33.7         ms      postsynaptic trace o1 time constant τ−, > 0
//	tau_x      101          ms      presynaptic trace r2 time constant τx, > 0 (unused if a3_minus = 0)
//	tau_y      114          ms      postsynaptic trace o2 time constant τy, > 0
//	pairing    all_to_all   –       all_to_all or nearest_spike (see Pairing)
//	w_min      0            weight  lower hard bound, < w_max (-Inf from Go only: scenario values are finite)
//	w_max      1            weight  upper hard bound (+Inf from Go only: scenario values are finite)
//
// The defaults are the preset "visual_cortex_all_to_all_minimal". Presets
// (ApplyPreset, Presets("triplet")) are the rows of Pfister & Gerstner's
// Tables 3 and 4, named
// <data>_<pairing>_<model>: visual_cortex or hippocampal, all_to_all or
// nearest_spike, full or minimal.
type TripletParams struct {
	A2Plus   float64 `toml:"a2_plus"`             // pair LTP amplitude A2+ [weight]
	A3Plus   float64 `toml:"a3_plus"`             // triplet LTP amplitude A3+ [weight]
	A2Minus  float64 `toml:"a2_minus"`            // pair LTD amplitude A2− [weight]
	A3Minus  float64 `toml:"a3_minus"`            // triplet LTD amplitude A3− [weight]
	TauPlus  float64 `toml:"tau_plus" unit:"ms"`  // r1 time constant τ+ [ms]
	TauMinus float64 `toml:"tau_minus" unit:"ms"` // o1 time constant τ− [ms]
	TauX     float64 `toml:"tau_x" unit:"ms"`     // r2 time constant τx [ms]
	TauY     float64 `toml:"tau_y" unit:"ms"`     // o2 time constant τy [ms]
	Pairing  Pairing `toml:"pairing"`             // pairing scheme
	WMin     float64 `toml:"w_min"`               // lower weight bound [weight]
	WMax     float64 `toml:"w_max"`               // upper weight bound [weight]
}

// tripletPresets are the published parameter sets: Pfister & Gerstner
// (2006), J Neurosci 26:9673, Tables 3 (visual cortex, fitted to Sjöström et
// al. 2001) and 4 (hippocampal cultures, fitted to Bi & Poo 1998 and Wang et
// al. 2005), with the source of each set ([C] the authors' code, [T]
// third-party code, [R] recalled from the paper, unconfirmed).
// τ+ = 16.8 ms and τ− = 33.7 ms in every row. Minimal models have A3− = 0
// (so τx is unused; it is set to the full model's value of the same row
// pair) and, for the visual cortex, A2+ = 0.
var tripletPresets = []struct {
	name string
	p    TripletParams
}{
	// [T] SNNUtils stdp.jl, NEST example script, VH-Lab; τx "fit insensitive".
	{"visual_cortex_all_to_all_full", TripletParams{A2Plus: 5e-10, A3Plus: 6.2e-3, A2Minus: 7e-3, A3Minus: 2.3e-4, TauX: 101, TauY: 125, Pairing: AllToAll}},
	// [C] Auryn TripletConnection (A3+ = 6.5e-3, τ_long = 114 ms); one [T]
	// file says τy = 125 ms; Auryn's 114 ms is kept.
	{"visual_cortex_all_to_all_minimal", TripletParams{A2Plus: 0, A3Plus: 6.5e-3, A2Minus: 7.1e-3, A3Minus: 0, TauX: 101, TauY: 114, Pairing: AllToAll}},
	// [T] SNNUtils.
	{"visual_cortex_nearest_spike_full", TripletParams{A2Plus: 8.8e-11, A3Plus: 5.3e-2, A2Minus: 6.6e-3, A3Minus: 3.1e-3, TauX: 714, TauY: 40, Pairing: NearestSpike}},
	// [T] SNNUtils; [R] A3+ = 5e-2 recalled from Table 3, 5.2e-2 used (unconfirmed).
	{"visual_cortex_nearest_spike_minimal", TripletParams{A2Plus: 0, A3Plus: 5.2e-2, A2Minus: 8e-3, A3Minus: 0, TauX: 714, TauY: 40, Pairing: NearestSpike}},
	// [T] one third-party file + [R], agree.
	{"hippocampal_all_to_all_full", TripletParams{A2Plus: 6.1e-3, A3Plus: 6.7e-3, A2Minus: 1.6e-3, A3Minus: 1.4e-3, TauX: 946, TauY: 27, Pairing: AllToAll}},
	// [T] same file; minimal hippocampal models keep A2+ (only A3− = 0).
	{"hippocampal_all_to_all_minimal", TripletParams{A2Plus: 5.3e-3, A3Plus: 8.0e-3, A2Minus: 3.5e-3, A3Minus: 0, TauX: 946, TauY: 40, Pairing: AllToAll}},
	// [T] same file + [R], agree.
	{"hippocampal_nearest_spike_full", TripletParams{A2Plus: 4.6e-3, A3Plus: 9.1e-3, A2Minus: 3e-3, A3Minus: 7.5e-9, TauX: 575, TauY: 47, Pairing: NearestSpike}},
	// [R] only: unconfirmed.
	{"hippocampal_nearest_spike_minimal", TripletParams{A2Plus: 4.6e-3, A3Plus: 9.1e-3, A2Minus: 3e-3, A3Minus: 0, TauX: 575, TauY: 48, Pairing: NearestSpike}},
}

// DefaultTriplet returns the "visual_cortex_all_to_all_minimal" preset with
// bounds [0, 1].
func DefaultTriplet() TripletParams {
	p := TripletParams{WMin: 0, WMax: 1}
	if err := p.ApplyPreset("visual_cortex_all_to_all_minimal"); err != nil {
		panic(err)
	}
	return p
}

func init() {
	rules.Register(ruleTriplet, func() Params { p := DefaultTriplet(); return &p })
}

func (TripletParams) presetNames() []string {
	names := make([]string, len(tripletPresets))
	for i, q := range tripletPresets {
		names[i] = q.name
	}
	return names
}

// Rule returns "triplet".
func (TripletParams) Rule() string { return ruleTriplet }

// ApplyPreset sets every parameter except w_min and w_max to the named row
// of Pfister & Gerstner (2006), e.g. "visual_cortex_all_to_all_minimal"; see
// Presets("triplet").
func (p *TripletParams) ApplyPreset(name string) error {
	for _, q := range tripletPresets {
		if q.name == name {
			q.p.TauPlus, q.p.TauMinus = 16.8, 33.7
			q.p.WMin, q.p.WMax = p.WMin, p.WMax
			*p = q.p
			return nil
		}
	}
	return unknownPreset(ruleTriplet, name)
}

// Validate checks the parameters.
func (p TripletParams) Validate() error {
	c := checkParams(ruleTriplet, p)
	c.NonNegative("a2_plus", p.A2Plus)
	c.NonNegative("a3_plus", p.A3Plus)
	c.NonNegative("a2_minus", p.A2Minus)
	c.NonNegative("a3_minus", p.A3Minus)
	c.Positive("tau_plus", p.TauPlus)
	c.Positive("tau_minus", p.TauMinus)
	c.Positive("tau_x", p.TauX)
	c.Positive("tau_y", p.TauY)
	p.Pairing.check(c)
	checkBounds(c, p.WMin, p.WMax, "", "")
	return c.Err()
}

// Triplet is the triplet STDP rule of Pfister & Gerstner (2006), additive
// with hard bounds. Presynaptic neuron i has traces r1 (τ+) and r2 (τx),
// postsynaptic neuron j has o1 (τ−) and o2 (τy); every read is at t−ε
// (without the increments of tick t):
//
//	arrival of i's spike at i→j, tick t:  w ← max(w_min, w − o1_j(t−ε) [A2− + A3− r2_i(t−ε)])
//	                                      then r1_i, r2_i ← +1 (all_to_all) or ← 1 (nearest_spike)
//	spike of j at tick t, each i→j:       w ← min(w_max, w + r1_i(t−ε) [A2+ + A3+ o2_j(t−ε)])
//	                                      then o1_j, o2_j ← +1 (all_to_all) or ← 1 (nearest_spike)
//	between spikes:                       each trace decays with its time constant
//
// The "full" model has all four amplitudes; the "minimal" models have
// A3− = 0 and, for the visual cortex, A2+ = 0 (LTP needs a triplet
// post-pre-post). Under independent Poisson trains of rates ρx, ρy the
// all-to-all minimal rule drifts at ⟨dw/dt⟩ = ρx ρy (A3+ τ+ τy ρy − A2− τ−)
// (a BCM-like rule with threshold ρθ = A2− τ−/(A3+ τ+ τy)).
//
// Parameters: [TripletParams]. Constraints: amplitudes ≥ 0; τ > 0;
// w_min < w_max.
//
// Reference: Pfister & Gerstner (2006), Triplets of spikes in a model of
// spike timing-dependent plasticity, J Neurosci 26:9673.
//
// Checked by TestFastMatchesReference (the slow per-triplet reference on
// random trains, both schemes, full and minimal), TestSjostrom (Sjöström et
// al. 2001 frequency data), TestRateDrift (rate-based limit)
// and TestSameTickOrder.
type Triplet[W Weight] struct {
	p                  TripletParams
	dt                 float64 // resolution [ms]
	reset              bool
	dPlus, dX          decay
	dMinus, dY         decay
	r1, r2             traces1 // presynaptic: τ+, τx
	o1, o2             traces1 // postsynaptic: τ−, τy
	a2p, a3p, a2m, a3m float64
}

// NewTriplet creates a triplet rule for nPre source and nPost target
// neurons, with every trace 0 at tick 0.
func NewTriplet[W Weight](p TripletParams, clock snnsim.Clock, nPre, nPost int) (*Triplet[W], error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := checkSizes(ruleTriplet, clock, nPre, nPost); err != nil {
		return nil, err
	}
	dt := clock.DT
	r := &Triplet[W]{
		p:      p,
		dt:     dt,
		reset:  p.Pairing.reset(),
		dPlus:  newDecay(p.TauPlus, dt, tableLen(dt, p.TauPlus)),
		dX:     newDecay(p.TauX, dt, tableLen(dt, p.TauX)),
		dMinus: newDecay(p.TauMinus, dt, tableLen(dt, p.TauMinus)),
		dY:     newDecay(p.TauY, dt, tableLen(dt, p.TauY)),
		r1:     newTraces1(nPre),
		r2:     newTraces1(nPre),
		o1:     newTraces1(nPost),
		o2:     newTraces1(nPost),
		a2p:    p.A2Plus, a3p: p.A3Plus, a2m: p.A2Minus, a3m: p.A3Minus,
	}
	return r, nil
}

// Params returns the rule's parameters.
func (r *Triplet[W]) Params() TripletParams { return r.p }

// Pre applies depression at the arrival of source i's spike at tick t, then
// records it in r1_i and r2_i. See [Rule].
func (r *Triplet[W]) Pre(t snnsim.Time, i int32, tgt []int32, w []W) {
	w = w[:len(tgt)]
	a := r.a2m
	if r.a3m != 0 {
		a += r.a3m * r.r2.at(i, t, &r.dX)
	}
	wMin, o1, d := r.p.WMin, &r.o1, &r.dMinus
	hot, tab := o1.hot, d.tab
	for k, j := range tgt {
		h := &hot[j] // o1_j(t−ε): traces1.at by hand
		var y float64
		if n := t - h.last; uint64(n-1) < uint64(len(tab)-1) {
			y = h.after * tab[n]
		} else {
			y = o1.slow(j, n, d)
		}
		v := float64(w[k]) - a*y
		if v < wMin {
			v = wMin
		}
		w[k] = W(v)
	}
	r.TracePre(t, i)
}

// Post applies potentiation at target j's spike at tick t, then records it
// in o1_j and o2_j. See [Rule].
func (r *Triplet[W]) Post(t snnsim.Time, j int32, src, syn []int32, w []W) {
	syn = syn[:len(src)]
	a := r.a2p + r.a3p*r.o2.at(j, t, &r.dY)
	if a != 0 { // a = 0 (A2+ = 0 and no earlier post spike) changes nothing
		wMax, r1, d := r.p.WMax, &r.r1, &r.dPlus
		potentiate(t, a, wMax, r1, d, src, syn, w)
	}
	r.TracePost(t, j)
}

// TracePre records the arrival of source i's spike at tick t in r1_i and r2_i only.
func (r *Triplet[W]) TracePre(t snnsim.Time, i int32) {
	r.r1.add(i, t, &r.dPlus, r.reset)
	r.r2.add(i, t, &r.dX, r.reset)
}

// TracePost records target j's spike at tick t in o1_j and o2_j only.
func (r *Triplet[W]) TracePost(t snnsim.Time, j int32) {
	r.o1.add(j, t, &r.dMinus, r.reset)
	r.o2.add(j, t, &r.dY, r.reset)
}

// PreTraces returns r1_i and r2_i at tick t (t−ε).
func (r *Triplet[W]) PreTraces(i int32, t snnsim.Time) (r1, r2 float64) {
	return r.r1.at(i, t, &r.dPlus), r.r2.at(i, t, &r.dX)
}

// PostTraces returns o1_j and o2_j at tick t (t−ε).
func (r *Triplet[W]) PostTraces(j int32, t snnsim.Time) (o1, o2 float64) {
	return r.o1.at(j, t, &r.dMinus), r.o2.at(j, t, &r.dY)
}

// ident identifies the traces of r in a state.
func (r *Triplet[W]) ident() ident {
	return ident{rule: ruleTriplet, nPre: len(r.r1.hot), nPost: len(r.o1.hot), dt: r.dt,
		keys:  []string{"tau_plus", "tau_minus", "tau_x", "tau_y"},
		taus:  []float64{r.p.TauPlus, r.p.TauMinus, r.p.TauX, r.p.TauY},
		reset: r.reset}
}

// AppendState appends r1, r2 of every source and o1, o2 of every target.
// See [checkpoint.Stater].
func (r *Triplet[W]) AppendState(b []byte) []byte {
	b, start := checkpoint.Begin(b, tagOf(ruleTriplet), stateVersion)
	id := r.ident()
	b = id.append(b)
	for _, ts := range []*traces1{&r.r1, &r.r2, &r.o1, &r.o2} {
		b = appendTraces(b, ts)
	}
	return checkpoint.End(b, start)
}

// RestoreState restores r1, r2, o1 and o2 from a state written by
// AppendState of a triplet rule of the same sizes, resolution, time
// constants and pairing. See [checkpoint.Stater].
func (r *Triplet[W]) RestoreState(b []byte) ([]byte, error) {
	tag := tagOf(ruleTriplet)
	id := r.ident()
	d, rest, err := id.open(b, tag)
	if err != nil {
		return nil, err
	}
	var ts [4]traces1
	for k, what := range []string{"r1", "r2", "o1", "o2"} {
		n := id.nPre
		if k >= 2 {
			n = id.nPost
		}
		if ts[k], err = readTraces(d, n, what); err != nil {
			return nil, err
		}
	}
	if err := d.Done(tag); err != nil {
		return nil, err
	}
	r.r1, r.r2, r.o1, r.o2 = ts[0], ts[1], ts[2], ts[3]
	return rest, nil
}
