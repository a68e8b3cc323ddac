package consolidation

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
	"github.com/snnsim/snnsim/internal/hugepage"
)

const (
	modelZenke     = "zenke_2015"
	presetSimRcP11 = "sim_rc_p11"
	levelConsolid  = "consolidation"
	wRefInitWeight = "weight"
	wRefInitLower  = "lower"
	zenkeStateVer  = 2 // the frame with the pause flag
)

// ZenkeParams are the parameters of reference-weight consolidation after
// Zenke, Agnes & Gerstner (2015), Nat Commun 6:6922, as in the authors'
// code (fzenke/pub2015orchestrated, P11Connection).
//
// Every synapse has a fragile weight w (the weight that spikes transmit and
// that a plasticity rule sees and changes) and a consolidated reference
// weight w̃ that follows w slowly through a double well:
//
//	Signal(dw):        w ← clip(w + dw, 0, w_max)
//	post spike of j:   w ← clip(w − β (w − w̃) (z_j⁻)³, 0, w_max)   for every synapse onto j
//	                   then z_j⁻ ← z_j⁻ + 1
//	between spikes:    τ_z⁻ dz⁻/dt = −z⁻   (per target neuron, read before the increment)
//	slow clock:        τ_cons dw̃/dt = (w − w̃) − P w̃ (w_P/2 − w̃)(w_P − w̃)
//	delivered weight:  w
//
// The heterosynaptic term pulls w towards w̃ when the target fires at high
// rates. The triplet LTP, pair LTD and transmitter-induced terms of the
// paper are a plasticity rule's job (package stdp, through Signal).
//
// w̃ is integrated by forward Euler on a slow clock of step slow_step
// (τ_cons/1000 = 1.2 s by default, the authors' choice), at the multiples
// of slow_step, and only for synapses that are not settled. A synapse is
// settled when one Euler step would not change w̃, or when w̃ is within
// settle_tol of a stable fixed point of the w̃ equation for its present w:
// |f(w, w̃)| <= settle_tol·|∂f/∂w̃| with ∂f/∂w̃ < 0, where f is the right-hand
// side above (Euler's fixed points are the ODE's, so a settled w̃ differs
// from the value that continued stepping would reach by about settle_tol).
// A change of w (Signal, the heterosynaptic term, Set) makes the synapse
// active again. With skip_settled = false every synapse is stepped at
// every slow tick (for tests). The cost of a quiet period after settling
// is zero: Next returns snnsim.Never.
//
// Initial state: w = Unit[s], the compiled weight (which is also the
// delivered weight: this model's efficacy is the weight itself), and w̃ =
// w (w_ref_init = "weight") or w̃ = 0, the lower well (w_ref_init =
// "lower", as the authors start every synapse). A w̃ that is not at a
// fixed point for its w starts active.
//
// The model reads one level (see [Leveled]; a scenario's [[neuromodulator]]
// table), "consolidation": 1 (the default) steps w̃, 0 pauses it, as the
// authors' consolidation_active switch: while paused, w̃ stays where it is
// and slow ticks pass without steps; w and the heterosynaptic term go on.
// A level set at tick t applies to the slow ticks after t.
//
// The P11 rule (package stdp) applies the heterosynaptic term itself,
// together with its LTP, reading w̃ from this model ([Referenced]); then
// this model's beta must be 0, which the preset "sim_rc_p11" sets.
//
// For the defaults the w̃ dynamics is bistable only for w in a narrow band
// around w_P/2 (0.2392 < w < 0.2608 for P = 20, w_P = 0.5): there the wells
// are near 0.14 and 0.36 (at w = 0.25); for w outside the band w̃ has one
// fixed point and follows w, sharpened towards 0 or w_P, with time
// constant ≈ τ_cons/3.5 near w = 0 and w = w_P (TestZenkeE9).
//
//	key           default   unit   meaning
//	tau_cons      1.2e6     ms     consolidation time constant τ_cons (20 min), > 0
//	p             20        1      double-well strength P, >= 0
//	w_p           0.5       weight upper well w_P (lower well 0, barrier w_P/2), > 0
//	beta          0.05      1      heterosynaptic rate β, >= 0
//	tau_minus     20        ms     postsynaptic trace time constant τ−, > 0
//	w_max         5         weight upper weight bound (lower bound 0), > 0
//	slow_step     1200      ms     Euler step of w̃, whole ticks, <= tau_cons/10
//	skip_settled  true      –      step only synapses that are not settled
//	settle_tol    1e-6      weight distance to the stable fixed point below which w̃ is settled, > 0
//	w_ref_init    "weight"  –      initial w̃: "weight" (w̃ = w) or "lower" (w̃ = 0)
//
// β = 0.05 is the value of the authors' runnable example (sim_rc_p11); the
// P11Connection class default is 0.1. P = 20 and w_P = 0.5
// are the P11 defaults.
//
// The preset "sim_rc_p11" is the configuration the authors ran (with the
// P11 rule): the defaults with P = 0.1/((m − a)(m − b)(m − c)) = 17.0667
// for the wells a = 0, c = w_P, the barrier b = w_P/2 and m = w_P/4
// (Auryn's normalisation of pot_strength = 0.1, so that P·|cubic| = 0.1 at
// w̃ = m), w_ref_init = "lower", beta = 0, since the rule applies the
// heterosynaptic term, and skip_settled = false: the authors step every
// synapse at every slow tick, and with the P11 rule nearly every weight
// changes between slow ticks, so the active set would only cost. The
// authors' slow clock steps every 11999 steps of 0.1 ms rather than
// 1200 ms, a difference of 1e-4 in the Euler factor, which the preset
// does not copy. Tests: TestZenkeE9 (relaxation against RK4,
// bistability, excursion duration), TestZenkeHeterosynaptic,
// TestZenkeSkipSettled, TestZenkeQuiet, TestStateResume.
type ZenkeParams struct {
	TauCons     float64 `toml:"tau_cons" unit:"ms"`  // consolidation time constant τ_cons [ms]
	P           float64 `toml:"p"`                   // double-well strength P [1]
	WP          float64 `toml:"w_p"`                 // upper well w_P [weight]
	Beta        float64 `toml:"beta"`                // heterosynaptic rate β [1]
	TauMinus    float64 `toml:"tau_minus" unit:"ms"` // postsynaptic trace time constant τ− [ms]
	WMax        float64 `toml:"w_max"`               // upper weight bound [weight]
	SlowStep    float64 `toml:"slow_step" unit:"ms"` // Euler step of w̃ [ms]
	SkipSettled bool    `toml:"skip_settled"`        // step only synapses that are not settled
	SettleTol   float64 `toml:"settle_tol"`          // settling tolerance [weight]
	WRefInit    string  `toml:"w_ref_init"`          // initial w̃: "weight" or "lower"
}

// DefaultZenke returns the defaults of the table in [ZenkeParams].
func DefaultZenke() ZenkeParams {
	return ZenkeParams{TauCons: 1.2e6, P: 20, WP: 0.5, Beta: 0.05, TauMinus: 20, WMax: 5,
		SlowStep: 1200, SkipSettled: true, SettleTol: 1e-6, WRefInit: wRefInitWeight}
}

func (ZenkeParams) presetNames() []string { return []string{presetSimRcP11} }

// ApplyPreset sets every parameter to the named set; the only one is
// "sim_rc_p11" (see [ZenkeParams]).
func (p *ZenkeParams) ApplyPreset(name string) error {
	if name != presetSimRcP11 {
		return unknownPreset(modelZenke, name)
	}
	q := DefaultZenke()
	a, c := 0.0, q.WP
	b, m := (a+c)/2, (c-a)/4
	q.P = 0.1 / ((m - a) * (m - b) * (m - c))
	q.WRefInit, q.Beta, q.SkipSettled = wRefInitLower, 0, false
	*p = q
	return nil
}

// Model returns "zenke_2015".
func (ZenkeParams) Model() string { return modelZenke }

// Validate checks the parameters.
func (p ZenkeParams) Validate() error {
	c := checkParams(modelZenke, p)
	c.Positive("tau_cons", p.TauCons)
	c.NonNegative("p", p.P)
	c.Positive("w_p", p.WP)
	c.NonNegative("beta", p.Beta)
	c.Positive("tau_minus", p.TauMinus)
	c.Positive("w_max", p.WMax)
	c.Positive("slow_step", p.SlowStep)
	c.AtMost("slow_step", p.SlowStep, "tau_cons/10", p.TauCons/10)
	c.Positive("settle_tol", p.SettleTol)
	c.OneOf("w_ref_init", p.WRefInit, wRefInitWeight, wRefInitLower)
	return c.Err()
}

// Heterosynaptic reports whether the model applies the heterosynaptic
// term itself: beta > 0.
func (p ZenkeParams) Heterosynaptic() bool { return p.Beta != 0 }

// Modulators returns ["consolidation"], the pause switch.
func (ZenkeParams) Modulators() []string { return []string{levelConsolid} }

// Vars returns ["w", "w_ref"].
func (ZenkeParams) Vars() []string { return []string{"w", "w_ref"} }

func init() {
	models.Register(modelZenke, func() Params { p := DefaultZenke(); return &p })
}

func (p ZenkeParams) build(l Layout) (Model, error) {
	period, err := slowPeriod(modelZenke, "slow_step", p.SlowStep, l.Clock)
	if err != nil {
		return nil, err
	}
	n := len(l.Target)
	m := &zenke{
		p: p, n: n,
		k:     float64(period) * l.Clock.DT / p.TauCons,
		a:     p.WP / 2,
		ws:    make([]float64, 2*n),
		zm:    newLazyTrace(l.NPost, l.Clock.DT, p.TauMinus),
		clock: slowClock{period: period},
		id: newStateIdent(modelZenke, &l, []string{"tau_cons", "p", "w_p", "tau_minus", "slow_step"},
			[]float64{p.TauCons, p.P, p.WP, p.TauMinus, p.SlowStep}),
	}
	m.id.version = zenkeStateVer
	if p.Beta != 0 {
		m.in = newTargetIndex(&l)
	}
	if p.SkipSettled {
		m.act = newActiveSet(n)
		m.tgt = l.Target // to keep a part's active set to its own synapses (SetPart)
	}
	for s, u := range l.Unit {
		// The model keeps w in [0, w_max] (every change is clipped, and a
		// restored state is checked against it), so a start outside is an
		// error rather than a weight that the first change would clip.
		if !(u >= 0 && float64(u) <= p.WMax) {
			return nil, fmt.Errorf("consolidation: %s: the weight %g of synapse %d is outside [0, w_max = %g]: lower the projection's weight or raise w_max", modelZenke, u, s, p.WMax)
		}
		m.ws[2*s] = float64(u)
		if p.WRefInit != wRefInitLower {
			m.ws[2*s+1] = float64(u)
		}
	}
	// The postsynaptic pass reads w and w̃ of a target's synapses, one
	// cache line each, scattered over the whole array.
	hugepage.Advise(m.ws)
	m.initActive()
	return m, nil
}

// zenke is the zenke_2015 model bound to a layout.
type zenke struct {
	p  ZenkeParams
	n  int
	in targetIndex // the synapses onto each target; built only for beta > 0
	k  float64     // Euler factor: step/τ_cons
	a  float64     // w_P/2

	// ws holds the fragile and the reference weight of every synapse,
	// w = ws[2s], w̃ = ws[2s+1]: the postsynaptic pass of a rule reads both
	// in the order of the target's synapses, scattered over the array, and
	// one cache line then serves both. ws is never replaced (see
	// ReferenceWeights).
	ws     []float64
	zm     lazyTrace // postsynaptic trace z⁻ per target
	act    activeSet // the synapses to step; unused (empty) without skip_settled, when every synapse is stepped
	clock  slowClock
	now    snnsim.Time // latest tick seen
	out    []float32
	paused bool // the level "consolidation" is 0

	tgt []int32 // the target of every synapse; kept only with skip_settled
	// spans restricts stepAll to the synapses spans[2k] .. spans[2k+1]−1
	// once parted (SetPartSynapses: a part may have none); every synapse
	// before.
	spans  []int64
	parted bool
	id     stateIdent
	steps  int64 // synapse-steps done (for tests and benchmarks; not state)
	rule   ruleBuf

	touched float32 // the sum of PostUpdate's first pass, kept so that the pass is not optimised away
}

// initActive puts every synapse that needs steps into the active set.
func (m *zenke) initActive() {
	if !m.p.SkipSettled {
		return
	}
	for s := range m.n {
		if !m.settled(int64(s)) {
			m.act.add(int64(s))
		}
	}
}

// drift returns f(w, w̃) = (w − w̃) − P w̃ (a − w̃)(2a − w̃) and ∂f/∂w̃.
func (m *zenke) drift(w, wr float64) (f, fp float64) {
	a := m.a
	f = (w - wr) - m.p.P*wr*(a-wr)*(2*a-wr)
	fp = -1 - m.p.P*(3*wr*wr-6*a*wr+2*a*a)
	return f, fp
}

// settled reports whether synapse s needs no more steps for its present w.
func (m *zenke) settled(s int64) bool {
	w, wr := m.ws[2*s], m.ws[2*s+1]
	f, fp := m.drift(w, wr)
	if wr+m.k*f == wr {
		return true
	}
	return fp < 0 && math.Abs(f) <= m.p.SettleTol*(-fp)
}

func (m *zenke) Name() string { return modelZenke }
func (m *zenke) Len() int     { return m.n }

// Bind sets the delivery array; a rule buffer that was the old delivery
// array (RuleWeights) follows it.
func (m *zenke) Bind(w []float32) {
	follow := m.rule.w != nil && m.out != nil && len(m.out) > 0 && &m.rule.w[0] == &m.out[0]
	if len(w) != m.n {
		panic(fmt.Sprintf("consolidation: %s: Bind with %d weights for %d synapses", modelZenke, len(w), m.n))
	}
	for s := range w {
		w[s] = float32(m.ws[2*s])
	}
	m.out = w
	if follow {
		m.rule.w = m.out
	}
}

// Advance does the slow-clock steps at the slow ticks <= t.
func (m *zenke) Advance(t snnsim.Time) {
	if t > m.now {
		m.now = t
	}
	if m.paused {
		m.clock.skipTo(t)
		return
	}
	for m.stepping() && m.clock.due(t) {
		k := m.clock.next()
		m.step()
		m.clock.done = k
	}
	if !m.stepping() {
		m.clock.skipTo(t)
	}
}

// quietAt reports whether Advance(t) would step no w̃: the model is
// paused, has nothing to step, or no slow tick is due at t.
func (m *zenke) quietAt(t snnsim.Time) bool {
	return m.paused || !m.stepping() || !m.clock.due(t)
}

// stepping reports whether some synapse needs slow-clock steps: every one
// without skip_settled, the active ones with it.
func (m *zenke) stepping() bool { return !m.p.SkipSettled || m.act.len() > 0 }

// step does one Euler step of w̃ for every active synapse; settled
// synapses leave the set (skip_settled). Without skip_settled it steps
// every synapse in one pass over the contiguous arrays (the synapses are
// independent, so the order changes nothing).
func (m *zenke) step() {
	if !m.p.SkipSettled {
		m.stepAll()
		return
	}
	list := m.act.list
	skip := m.p.SkipSettled
	for i := len(list) - 1; i >= 0; i-- {
		s := list[i]
		w, wr := m.ws[2*s], m.ws[2*s+1]
		f, fp := m.drift(w, wr)
		next := wr + m.k*f
		if skip && (next == wr || (fp < 0 && math.Abs(f) <= m.p.SettleTol*(-fp))) {
			m.act.removeAt(i)
			continue
		}
		m.ws[2*s+1] = next
		m.steps++
	}
}

// stepAll does one Euler step of w̃ for every synapse, or for every
// synapse of the part's spans (SetPartSynapses).
func (m *zenke) stepAll() {
	if !m.parted {
		m.stepRange(0, int64(m.n))
		return
	}
	for k := 0; k+1 < len(m.spans); k += 2 {
		m.stepRange(m.spans[k], m.spans[k+1])
	}
}

// stepRange does one Euler step of w̃ for synapses lo .. hi−1: the update
// of step, with the drift written out so that the loop needs no call.
func (m *zenke) stepRange(lo, hi int64) {
	a, k, pp := m.a, m.k, m.p.P
	ws := m.ws[2*lo : 2*hi]
	for s := 0; s+1 < len(ws); s += 2 {
		x, r := ws[s], ws[s+1]
		ws[s+1] = r + k*((x-r)-pp*r*(a-r)*(2*a-r))
	}
	m.steps += hi - lo
}

func (m *zenke) Next() snnsim.Time {
	if !m.stepping() || m.paused {
		return snnsim.Never
	}
	return m.clock.next()
}

// touch makes s active after a change of w and delivers w (to the
// delivery array and the rule buffer).
func (m *zenke) touch(s int64) {
	if m.p.SkipSettled { // otherwise every synapse is a member for good
		m.act.add(s)
	}
	if m.out != nil {
		m.out[s] = float32(m.ws[2*s])
	}
	m.rule.set(s, m.ws[2*s])
}

func (m *zenke) clip(w float64) float64 {
	if w < 0 {
		return 0
	}
	if w > m.p.WMax {
		return m.p.WMax
	}
	return w
}

// Pre does nothing but bring the model to t: presynaptic plasticity is the
// rule's.
func (m *zenke) Pre(t snnsim.Time, _ int32, _, _ int64) { m.Advance(t) }

// Post applies the heterosynaptic term to the synapses onto j and counts
// the spike in z⁻.
func (m *zenke) Post(t snnsim.Time, j int32) {
	m.Advance(t)
	if z := m.zm.at(j, t); z != 0 && m.p.Beta != 0 {
		c := m.p.Beta * z * z * z
		for _, s := range m.in.of(j) {
			x := m.ws[2*s]
			w := m.clip(x - c*(x-m.ws[2*s+1]))
			if w != x {
				m.ws[2*s] = w
				m.touch(s)
			}
		}
	}
	m.zm.bump(j, t)
}

// ReferenceWeights returns w̃ of every synapse, updated in place: w̃ of
// synapse s is ref[2s].
func (m *zenke) ReferenceWeights() (ref []float64, stride int) { return m.ws[1:], 2 }

// Heterosynaptic reports whether beta > 0.
func (m *zenke) Heterosynaptic() bool { return m.p.Heterosynaptic() }

// Modulators returns ["consolidation"].
func (m *zenke) Modulators() []string { return []string{levelConsolid} }

// SetLevel sets the level "consolidation" from tick t on: 1 steps w̃, 0
// pauses it.
func (m *zenke) SetLevel(t snnsim.Time, name string, level float64) error {
	if name != levelConsolid {
		return fmt.Errorf("consolidation: %s reads only the level %q, not %q", modelZenke, levelConsolid, name)
	}
	if level != 0 && level != 1 {
		return fmt.Errorf("consolidation: %s: level %q = %g: must be 1 (consolidate) or 0 (pause)", modelZenke, levelConsolid, level)
	}
	m.Advance(t)
	m.paused = level == 0
	return nil
}

// RuleWeights returns the rule buffer: w rounded to float32. Once the
// model is bound, the buffer is the delivery array itself, since this
// model delivers w rounded to float32 too: one array fewer to keep and to
// touch per synapse. The rule's edits in it last only until Changed, which
// the engine calls before any delivery.
func (m *zenke) RuleWeights() []float32 {
	if m.rule.w == nil && m.out != nil {
		m.rule.w = m.out
	}
	if m.rule.w == nil {
		m.rule.w = make([]float32, m.n)
		m.fillRule()
	}
	return m.rule.w
}

// fillRule sets every rule-buffer entry to w rounded to float32.
func (m *zenke) fillRule() {
	for s := range m.rule.w {
		m.rule.w[s] = float32(m.ws[2*s])
	}
}

// Changed signals the rule's changes of synapses off+syn[k] at tick t:
// the loop of ruleBuf.changes and Signal in one pass. Each synapse of syn
// is distinct, so taking the changes one by one reads every rule weight
// before its own signal, as the two passes do; the model is brought to t
// at the first change, as Signal would.
func (m *zenke) Changed(t snnsim.Time, off snnsim.SynapseID, syn []int32) {
	buf, ws := m.rule.w, m.ws
	advanced := false
	for _, k := range syn {
		s := off + int64(k)
		x := ws[2*s]
		r := float32(x)
		b := buf[s]
		if math.Float32bits(b) == math.Float32bits(r) {
			continue
		}
		if dw := float64(b) - float64(r); dw != 0 {
			if !advanced {
				m.Advance(t)
				advanced = true
			}
			if y := m.clip(x + dw); y != x {
				ws[2*s] = y
				r = float32(y)
				if m.p.SkipSettled {
					m.act.add(s)
				}
				if m.out != nil {
					m.out[s] = r
				}
			}
		}
		buf[s] = r
	}
}

// PostUpdate applies a P11-form postsynaptic update (see [PostUpdater])
// to the synapses off+syn[m]: the rule's arithmetic on x = float32(w),
// which the rule buffer holds between rule passes, and Changed's on the
// result, reading w and w̃ of each synapse from one place.
func (m *zenke) PostUpdate(t snnsim.Time, off snnsim.SynapseID, syn, src []int32, zp []float64, a, b, wMin, wMax float64) {
	ws, out := m.ws, m.out
	src = src[:len(syn)]
	// The synapses lie scattered over ws (and out, when bound). A first
	// pass without data-dependent branches brings their cache lines in
	// with many loads in flight; the update below branches on every
	// synapse's values, and a mispredicted branch there would leave one
	// miss at a time. Where the assembly runs, prefetches do the first
	// pass: they retire without waiting, so more misses are in flight
	// than loads, which wait in the reorder buffer, allow.
	var touch float32
	if out != nil {
		for _, k := range syn {
			s := off + int64(k)
			touch += float32(ws[2*s]) + out[s]
		}
	} else if useAVX2 && len(syn) > 0 {
		prefetchPairs(&ws[0], &syn[0], len(syn), off)
	} else {
		for _, k := range syn {
			touch += float32(ws[2*(off+int64(k))])
		}
	}
	m.touched = touch
	advanced := false
	if n4 := len(syn) &^ 3; useAVX2 && n4 > 0 && out == nil && m.rule.w == nil && !m.p.SkipSettled && m.quietAt(t) {
		// Nothing in synapse order to keep up to date, and Advance(t)
		// steps no w̃, so that it may come after the changes rather than
		// before the first: the assembly does the Go loop's work.
		k := postConst{a: a, b: b, wMin: wMin, wMax: wMax, cap: m.p.WMax}
		if b != 0 {
			k.bMask = ^uint64(0)
		}
		if postUpdateAVX(&ws[0], &syn[0], &src[0], n4, off, &zp[0], &k) != 0 {
			m.Advance(t)
			advanced = true
		}
		syn, src = syn[n4:], src[n4:]
	}
	for n, k := range syn {
		s := off + int64(k)
		w := ws[2*s]
		r := float32(w)
		x := float64(r)
		v := x + a*zp[src[n]]
		if b != 0 {
			v -= b * (x - ws[2*s+1])
		}
		if v > wMax {
			v = wMax
		}
		if v < wMin {
			v = wMin
		}
		nb := float32(v)
		if math.Float32bits(nb) == math.Float32bits(r) {
			continue
		}
		dw := float64(nb) - x
		if dw == 0 {
			continue
		}
		if !advanced {
			m.Advance(t)
			advanced = true
		}
		if y := m.clip(w + dw); y != w {
			ws[2*s] = y
			m.changedAt(s, float32(y))
		}
	}
}

// PreUpdate applies a P11-form presynaptic update (see [PreUpdater]) to
// the synapses off..off+len(tgt)-1 and writes their delivered weights,
// w rounded to float32, to dst: the rule's arithmetic on x = float32(w)
// and Changed's on the result, in one pass over the row.
func (m *zenke) PreUpdate(t snnsim.Time, off snnsim.SynapseID, tgt []int32, q []float64, c, delta, wMin float64, dst []float32) {
	ws := m.ws[2*off : 2*(off+int64(len(tgt)))]
	dst = dst[:len(tgt)]
	advanced := false
	if n4 := len(tgt) &^ 3; useAVX2 && n4 > 0 && m.out == nil && m.rule.w == nil && !m.p.SkipSettled && m.quietAt(t) {
		// As in PostUpdate: the assembly does the Go loop's work.
		k := preConst{c: c, delta: delta, wMin: wMin, cap: m.p.WMax}
		if preUpdateAVX(&ws[0], &tgt[0], n4, &q[0], &k, &dst[0]) != 0 {
			m.Advance(t)
			advanced = true
		}
		off, ws, tgt, dst = off+int64(n4), ws[2*n4:], tgt[n4:], dst[n4:]
	}
	for k, j := range tgt {
		x := ws[2*k]
		r := float32(x)
		v := float64(r) - c*q[j] + delta
		if v < wMin {
			v = wMin
		}
		if nb := float32(v); math.Float32bits(nb) != math.Float32bits(r) {
			if dw := float64(nb) - float64(r); dw != 0 {
				if !advanced {
					m.Advance(t)
					advanced = true
				}
				if y := m.clip(x + dw); y != x {
					ws[2*k] = y
					r = float32(y)
					m.changedAt(off+int64(k), r)
				}
			}
		}
		dst[k] = r
	}
}

// changedAt does the bookkeeping of a change of w of synapse s to r (in
// float32) in a fused pass: the active set and the arrays that hold w in
// float32, if any.
func (m *zenke) changedAt(s snnsim.SynapseID, r float32) {
	if m.p.SkipSettled {
		m.act.add(s)
	}
	if m.out != nil {
		m.out[s] = r
	}
	if m.rule.w != nil {
		m.rule.w[s] = r
	}
}

// Efficacy returns w rounded to float32 of synapse s: its delivered
// weight. See [PreUpdater].
func (m *zenke) Efficacy(s snnsim.SynapseID) float32 { return float32(m.ws[2*s]) }

// Efficacies writes w rounded to float32 of synapses off.. to dst: the
// delivered weights. See [PreUpdater].
func (m *zenke) Efficacies(dst []float32, off snnsim.SynapseID) {
	ws := m.ws[2*off : 2*(off+int64(len(dst)))]
	for k := range dst {
		dst[k] = float32(ws[2*k])
	}
}

func (m *zenke) Signal(t snnsim.Time, s snnsim.SynapseID, dw float64) {
	m.Advance(t)
	w := m.clip(m.ws[2*s] + dw)
	if w != m.ws[2*s] {
		m.ws[2*s] = w
		m.touch(s)
	}
}

func (m *zenke) Vars() []string { return []string{"w", "w_ref"} }

func (m *zenke) Get(v int, s snnsim.SynapseID) float64 {
	checkVar(modelZenke, v, 2)
	return m.ws[2*s+int64(v)]
}

// Set sets w (v = 0, in [0, w_max]) or w̃ (v = 1, in [0, w_max]) at tick t.
func (m *zenke) Set(t snnsim.Time, v int, s snnsim.SynapseID, x float64) error {
	checkVar(modelZenke, v, 2)
	name := m.Vars()[v]
	if err := finiteIn(modelZenke, name, x, 0, m.p.WMax); err != nil {
		return err
	}
	m.Advance(t)
	m.ws[2*s+int64(v)] = x
	m.touch(s)
	return nil
}

// SetPart restricts the model to the synapses onto the targets first ..
// end−1 (see [Parted]): each synapse's w and w̃ and each target's z⁻ change
// only with the events of that synapse and target, and w̃ steps at the
// same slow ticks whatever the other synapses do, so a model called only
// for those synapses keeps their state as one model of every synapse
// does. With skip_settled only their synapses stay in the active set, so
// that the part's slow clock runs when one model's would for them;
// without it the slow step passes over every synapse, or over the part's
// own once SetPartSynapses has named them.
func (m *zenke) SetPart(first, end int32) {
	if m.p.SkipSettled {
		m.restrictActive(first, end, m.tgt)
	}
}

// SetPartSynapses restricts the slow step of w̃ without skip_settled to
// the synapses of spans (see [SynapseParted]): the others' w̃ would
// change in this model and nowhere else, since nothing reads them here.
// With skip_settled SetPart has already restricted the active set.
func (m *zenke) SetPartSynapses(spans []int64) {
	if len(spans)%2 != 0 {
		panic(fmt.Sprintf("consolidation: %s: SetPartSynapses with %d bounds, not pairs", modelZenke, len(spans)))
	}
	for k := 0; k < len(spans); k += 2 {
		if spans[k] < 0 || spans[k] > spans[k+1] || spans[k+1] > int64(m.n) || (k > 0 && spans[k] < spans[k-1]) {
			panic(fmt.Sprintf("consolidation: %s: SetPartSynapses: span %d of %d..%d is not an increasing range within the %d synapses", modelZenke, k/2, spans[k], spans[k+1], m.n))
		}
	}
	m.spans, m.parted = slices.Clip(spans), true
}

// restrictActive drops the synapses onto targets outside lo..hi−1 (tgt:
// every synapse's target) from the active set.
func (m *zenke) restrictActive(lo, hi int32, tgt []int32) {
	for k := len(m.act.list) - 1; k >= 0; k-- {
		if j := tgt[m.act.list[k]]; j < lo || j >= hi {
			m.act.removeAt(k)
		}
	}
}

// join sets m's state to its parts' (JoinParts): every synapse's w and w̃
// and every target's z⁻ from the part that owns the target; the model
// tick and the last slow tick are the latest any part was given (every
// call brings a model's slow clock to its tick).
func (m *zenke) join(ps []*zenke, l *PartLayout) error {
	if len(l.Target) != m.n {
		return fmt.Errorf("consolidation: JoinParts: %s: the targets of %d synapses for %d", modelZenke, len(l.Target), m.n)
	}
	own := l.owners()
	for _, p := range ps {
		if p.paused != ps[0].paused {
			return fmt.Errorf("consolidation: JoinParts: %s: parts paused and not", modelZenke)
		}
		m.now = max(m.now, p.now)
		m.clock.done = max(m.clock.done, p.clock.done)
	}
	m.paused = ps[0].paused
	var list []int64
	for s, j := range l.Target {
		p := ps[own[j]]
		m.ws[2*s], m.ws[2*s+1] = p.ws[2*s], p.ws[2*s+1]
		if m.p.SkipSettled && p.act.pos[s] != 0 {
			list = append(list, int64(s))
		}
	}
	for j := range m.zm.last {
		p := &ps[own[j]].zm
		m.zm.last[j], m.zm.after[j], m.zm.before[j] = p.last[j], p.after[j], p.before[j]
	}
	if m.p.SkipSettled {
		m.act.reset(list)
	}
	if m.out != nil {
		m.Bind(m.out)
	}
	if m.rule.w != nil {
		m.fillRule()
	}
	return nil
}

// AppendState appends the frame "consolidation/zenke_2015", version 2: the
// identity (sizes, resolution, seed, connectivity fingerprint, tau_cons,
// p, w_p, tau_minus, slow_step), the model tick and the last slow tick,
// the pause flag (one byte, 1 when paused), w and w̃ of every synapse, the
// z⁻ trace of every target (last tick, value after, value before) and the
// active synapses in increasing order (the order they are stepped in does
// not matter, so the state does not depend on it).
func (m *zenke) AppendState(b []byte) []byte {
	b, start := beginClocked(b, &m.id, m.now, &m.clock)
	b = checkpoint.PutBool(b, m.paused)
	for _, x := range m.ws { // w and w̃ of each synapse in turn
		b = checkpoint.PutF64(b, x)
	}
	b = m.zm.appendTo(b)
	if m.p.SkipSettled {
		sorted := activeSet{list: slices.Clone(m.act.list)}
		slices.Sort(sorted.list)
		b = appendActive(b, &sorted)
	} else {
		b = appendAll(b, m.n) // every synapse is active
	}
	return checkpoint.End(b, start)
}

// StateLen returns the length of the frame AppendState appends.
func (m *zenke) StateLen() int64 {
	act := int64(m.n)
	if m.p.SkipSettled {
		act = int64(m.act.len())
	}
	payload := m.id.clockedLen() + 1 + 16*int64(m.n) + int64(m.zm.stateLen()) + 8 + 8*act
	return checkpoint.FrameLen(stateTag(modelZenke), payload)
}

// WriteState writes the frame AppendState appends to w, a block of
// synapses at a time.
func (m *zenke) WriteState(w io.Writer) error {
	tag := stateTag(modelZenke)
	fw := checkpoint.BeginFrame(w, tag, m.id.ver(), m.StateLen()-checkpoint.FrameLen(tag, 0))
	fw.B = appendClocked(fw.B, &m.id, m.now, &m.clock)
	fw.B = checkpoint.PutBool(fw.B, m.paused)
	for _, x := range m.ws {
		fw.B = checkpoint.PutF64(fw.B, x)
		fw.Spill()
	}
	fw.B = m.zm.appendTo(fw.B)
	if m.p.SkipSettled {
		sorted := activeSet{list: slices.Clone(m.act.list)}
		slices.Sort(sorted.list)
		fw.B = checkpoint.PutI64(fw.B, int64(len(sorted.list)))
		for _, s := range sorted.list {
			fw.B = checkpoint.PutI64(fw.B, s)
			fw.Spill()
		}
	} else {
		fw.B = checkpoint.PutI64(fw.B, int64(m.n))
		for s := range m.n {
			fw.B = checkpoint.PutI64(fw.B, int64(s))
			fw.Spill()
		}
	}
	return fw.End()
}

// RestoreState reads a frame written by AppendState, or one of version 1
// (the same without the pause flag, of a model that never paused); on
// error the model is unchanged. Restored into a model with skip_settled =
// false, every synapse is active. The frame is checked whole before w and
// w̃ are decoded into the model's own array, so that restoring allocates
// nothing of the synapses' size.
func (m *zenke) RestoreState(b []byte) ([]byte, error) {
	d, rest, now, done, err := m.id.openClocked(b, m.clock.period)
	v := m.id.ver()
	if errors.Is(err, checkpoint.ErrVersion) {
		// A frame of version 1 (no pause flag) is a model that never paused.
		v1 := m.id
		v1.version = 1
		d1, rest1, now1, done1, err1 := v1.openClocked(b, m.clock.period)
		if errors.Is(err1, checkpoint.ErrVersion) {
			return nil, err // neither version: name the one this program writes
		}
		d, rest, now, done, err, v = d1, rest1, now1, done1, err1, 1
	}
	if err != nil {
		return nil, err
	}
	st, err := m.readPaused(&bufPieces{d, v})
	if err != nil {
		return nil, err
	}
	syn := *d // the synapses, read again to store them once all is checked
	if err := m.readSynapses(&bufPieces{d, v}, false); err != nil {
		return nil, err
	}
	if err := m.readRest(&bufPieces{d, v}, now, &st); err != nil {
		return nil, err
	}
	if err := d.Done(stateTag(modelZenke)); err != nil {
		return nil, err
	}
	if err := m.readSynapses(&bufPieces{&syn, v}, true); err != nil {
		return nil, err
	}
	m.restored(st, now, done)
	return rest, nil
}

// ReadState reads a frame of n bytes written by AppendState (or one of
// version 1, as RestoreState) from r, decoding w and w̃ into the model's
// own array as they come; a refused frame leaves the model partly
// restored.
func (m *zenke) ReadState(r io.Reader, n int64) error {
	fr, now, done, err := m.id.openClockedStream(r, n, m.clock.period, 1)
	if err != nil {
		return err
	}
	st, err := m.readPaused(fr)
	if err == nil {
		err = m.readSynapses(fr, true)
	}
	if err == nil {
		err = m.readRest(fr, now, &st)
	}
	if err != nil {
		return err
	}
	if err := fr.Close(); err != nil {
		return err
	}
	m.restored(st, now, done)
	return nil
}

// zenkeRead is what a restore decodes besides w and w̃.
type zenkeRead struct {
	paused bool
	zm     lazyTrace
	list   []int64 // the active synapses, kept with skip_settled
}

// readPaused decodes the pause flag that follows the clock in a frame of
// version 2.
func (m *zenke) readPaused(p pieces) (zenkeRead, error) {
	var st zenkeRead
	if p.Version() >= 2 {
		d := p.Next(1)
		paused := d.U8()
		if d.Short {
			return st, d.Done(stateTag(modelZenke))
		}
		if paused > 1 {
			return st, stateCodec.Corruptf("zenke_2015 state: pause flag %d", paused)
		}
		st.paused = paused == 1
	}
	return st, nil
}

// readSynapses decodes w and w̃ of every synapse, checking them, and
// stores them in m.ws when store is set.
func (m *zenke) readSynapses(p pieces, store bool) error {
	if p.Left() < 16*int64(m.n) {
		return stateCodec.Corruptf("%s payload does not match its declared length", stateTag(modelZenke))
	}
	for lo := 0; lo < m.n; lo += pieceLen {
		hi := min(lo+pieceLen, m.n)
		d := p.Next(16 * (hi - lo))
		for s := lo; s < hi; s++ {
			w, wr := d.F64(), d.F64()
			if !(w >= 0 && w <= m.p.WMax) || math.IsNaN(wr) || math.IsInf(wr, 0) {
				return stateCodec.Corruptf("zenke_2015 state: synapse %d has w = %g, w_ref = %g", s, w, wr)
			}
			if store {
				m.ws[2*s], m.ws[2*s+1] = w, wr
			}
		}
		if d.Short {
			return d.Done(stateTag(modelZenke))
		}
	}
	return nil
}

// readRest decodes what follows the synapses into st: the z⁻ trace and
// the active synapses, checking them.
func (m *zenke) readRest(p pieces, now snnsim.Time, st *zenkeRead) error {
	var err error
	d := p.Next(m.zm.stateLen())
	if st.zm, err = m.zm.read(d, now, "z⁻"); err != nil || d.Short {
		if err == nil {
			err = d.Done(stateTag(modelZenke))
		}
		return err
	}
	st.list, err = readActivePieces(p, m.n, modelZenke, m.p.SkipSettled)
	return err
}

// restored puts a decoded state in place (w and w̃ are in m.ws already).
func (m *zenke) restored(st zenkeRead, now, done snnsim.Time) {
	m.now, m.clock.done, m.paused = now, done, st.paused
	m.zm = st.zm
	if m.p.SkipSettled { // otherwise every synapse is stepped, without a set
		m.act.reset(st.list)
	}
	if m.out != nil {
		m.Bind(m.out)
	}
	if m.rule.w != nil {
		m.fillRule()
	}
}
