package consolidation

import (
	"container/heap"
	"fmt"
	"math"
	"slices"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
)

const modelTTC = "tag_trigger_consolidation"

func init() {
	models.Register(modelTTC, func() Params { p := DefaultTTC(); return &p })
}

// TTCParams are the parameters of the tag–trigger–consolidation model of
// Clopath, Ziegler, Vasilaki, Büsing & Gerstner (2008), PLoS Comput Biol
// 4(12): e1000248, with the values of the authors' code (ModelDB 118199,
// "updated with corrected amplitudes"); see [TTC] for the equations.
//
//	key          default     unit     meaning
//	induction    "voltage"            "voltage": the authors' voltage-based rule; "signal": tags from a plasticity rule's signals
//	w0           1                    residual weight
//	g_h          1                    weight of an early-LTP tag h
//	g_l          0.5                  weight of an early-LTD tag l (subtracted)
//	g_z          2                    weight of the late phase z
//	init_up      0.3                  fraction of each projection's synapses that start at z = 1
//	a_ltp        1e-3        /mV²/ms  potentiation rate amplitude A_ltp
//	a_ltd        1e-2        /mV/ms   depression rate amplitude A_ltd
//	theta_ltp    -50         mV       potentiation voltage threshold θ_ltp
//	theta_ltd    -70.6       mV       depression threshold θ_ltd (= E_L of the AdEx neuron)
//	tau_x        100         ms       presynaptic low-pass r
//	tau_ltp      100         ms       voltage low-pass ū₂
//	tau_ltd      1000        ms       voltage low-pass ū₁
//	v_spike      20          mV       potential the rule sees at a spike tick (the code's spike marker)
//	tag_scale    1                    induction = "signal": tag probability per unit |dw|
//	tau_h        1           h        mean lifetime of an h tag (k_h = 1/3600 s⁻¹)
//	tau_l        1.5         h        mean lifetime of an l tag (k_l = 1/5400 s⁻¹)
//	theta_p      60                   protein synthesis while the neuron's tag count exceeds θ_p
//	tau_pm       360         s        protein synthesis time constant
//	tau_pd       3600        s        protein decay time constant
//	tau_z        360         s        late-phase time constant
//	kappa        0.5                  unstable fixed point of the late phase
//	gamma        0.1                  capture strength
//	slow_step    1           s        Euler step of the late phase (the authors' 1 s)
//	z_settle     1e-9                 an untagged z this close to 0 or 1 is set to it and rests
//	skip_settled true                 step only tagged or unsettled synapses (false: every synapse every slow step)
type TTCParams struct {
	Induction   string  `toml:"induction"`
	W0          float64 `toml:"w0"`
	GH          float64 `toml:"g_h"`
	GL          float64 `toml:"g_l"`
	GZ          float64 `toml:"g_z"`
	InitUp      float64 `toml:"init_up"`
	ALTP        float64 `toml:"a_ltp"`
	ALTD        float64 `toml:"a_ltd"`
	ThetaLTP    float64 `toml:"theta_ltp" unit:"mV"`
	ThetaLTD    float64 `toml:"theta_ltd" unit:"mV"`
	TauX        float64 `toml:"tau_x" unit:"ms"`
	TauLTP      float64 `toml:"tau_ltp" unit:"ms"`
	TauLTD      float64 `toml:"tau_ltd" unit:"ms"`
	VSpike      float64 `toml:"v_spike" unit:"mV"`
	TagScale    float64 `toml:"tag_scale"`
	TauH        float64 `toml:"tau_h" unit:"ms"`
	TauL        float64 `toml:"tau_l" unit:"ms"`
	ThetaP      float64 `toml:"theta_p"`
	TauPM       float64 `toml:"tau_pm" unit:"ms"`
	TauPD       float64 `toml:"tau_pd" unit:"ms"`
	TauZ        float64 `toml:"tau_z" unit:"ms"`
	Kappa       float64 `toml:"kappa"`
	Gamma       float64 `toml:"gamma"`
	SlowStep    float64 `toml:"slow_step" unit:"ms"`
	ZSettle     float64 `toml:"z_settle"`
	SkipSettled bool    `toml:"skip_settled"`
}

// DefaultTTC returns the parameters of the authors' code.
func DefaultTTC() TTCParams {
	return TTCParams{
		Induction: "voltage", W0: 1, GH: 1, GL: 0.5, GZ: 2, InitUp: 0.3,
		ALTP: 1e-3, ALTD: 1e-2, ThetaLTP: -50, ThetaLTD: -70.6,
		TauX: 100, TauLTP: 100, TauLTD: 1000, VSpike: 20, TagScale: 1,
		TauH: 3600e3, TauL: 5400e3, ThetaP: 60, TauPM: 360e3, TauPD: 3600e3,
		TauZ: 360e3, Kappa: 0.5, Gamma: 0.1, SlowStep: 1e3, ZSettle: 1e-9,
		SkipSettled: true,
	}
}

// Model returns "tag_trigger_consolidation".
func (p *TTCParams) Model() string { return modelTTC }

// Modulators returns ["inhibitor"]: a level > 0 blocks protein synthesis.
func (p *TTCParams) Modulators() []string { return []string{"inhibitor"} }

// Vars returns the per-synapse variables: efficacy, h, l, z.
func (p *TTCParams) Vars() []string { return []string{"efficacy", "h", "l", "z"} }

// Validate checks every parameter.
func (p *TTCParams) Validate() error {
	c := checkParams(modelTTC, p)
	c.OneOf("induction", p.Induction, "voltage", "signal")
	c.NonNegative("w0", p.W0)
	c.NonNegative("g_h", p.GH)
	c.NonNegative("g_l", p.GL)
	c.NonNegative("g_z", p.GZ)
	c.NonNegative("a_ltp", p.ALTP)
	c.NonNegative("a_ltd", p.ALTD)
	c.NonNegative("tag_scale", p.TagScale)
	c.NonNegative("gamma", p.Gamma)
	c.NonNegative("theta_p", p.ThetaP)
	c.Finite("theta_ltp", p.ThetaLTP)
	c.Finite("theta_ltd", p.ThetaLTD)
	c.Finite("v_spike", p.VSpike)
	c.Positive("tau_x", p.TauX)
	c.Positive("tau_ltp", p.TauLTP)
	c.Positive("tau_ltd", p.TauLTD)
	c.Positive("tau_h", p.TauH)
	c.Positive("tau_l", p.TauL)
	c.Positive("tau_pm", p.TauPM)
	c.Positive("tau_pd", p.TauPD)
	c.Positive("tau_z", p.TauZ)
	c.Positive("slow_step", p.SlowStep)
	c.Closed("init_up", p.InitUp, 0, 1)
	c.Open("kappa", p.Kappa, 0, 1)
	c.Open("z_settle", p.ZSettle, 0, 1e-3)
	return c.Err()
}

func (p *TTCParams) build(l Layout) (Model, error) { return newTTC(*p, l) }

// TTC is the tag–trigger–consolidation model (Clopath et al. 2008) bound to
// a layout. Per synapse: an early-LTP tag h ∈ {0, 1}, an early-LTD tag
// l ∈ {0, −1} (never both) and a late phase z ∈ [0, 1]; per target neuron:
// the protein level p, the tag count n = Σ(h − l), the voltage low-passes
// ū₁, ū₂ and the inhibitor flag; per presynaptic neuron: the low-pass r of
// its spike train. The transmitted weight is
//
//	w = Unit · (w0 + g_h·h + g_l·l + g_z·z).
//
// Induction "voltage" (the authors' rule, needs a neuron whose potential is
// meaningful at the tick resolution, normally adex at 1 ms): at every tick
// the engine steps, with V the potential after the update (v_spike at a
// spike tick) and x = 1 when a presynaptic spike arrived at this tick,
//
//	ρ_h = A_ltp·[V − θ_ltp]₊·r·[ū₂ − θ_ltd]₊   (per ms, untagged synapses get h = 1)
//	ρ_l = A_ltd·x·[ū₁ − θ_ltd]₊                (per ms, untagged synapses get l = −1)
//	r ← r + (x − r)·dt/τ_x,  ū₁ ← ū₁ + (V − ū₁)·dt/τ_ltd,  ū₂ ← ū₂ + (V − ū₂)·dt/τ_ltp
//
// with the rates read before the low-passes are updated, as in the code; a
// synapse for which both transitions fire in one tick gets one of them by a
// fair coin (the code randomises the order of the two updates). Over ticks
// the engine skips (the neuron at rest) the low-passes are advanced exactly
// with the same Euler factors. Induction "signal": a rule's weight change
// dw of an untagged synapse sets h (dw > 0) or l (dw < 0) with probability
// min(1, tag_scale·|dw|).
//
// Tags decay as Poisson processes with mean lifetimes τ_h and τ_l: the decay
// time is drawn when the tag is set and is an exact scheduled event.
// Protein, with Θ(n − θ_p) switching only at tag events and inhibitor
// changes, is exact:
//
//	dp/dt = −p/τ_pd + (1 − p)/τ_pm · Θ(n − θ_p) · (1 − block)
//
// The late phase follows τ_z dz/dt = z(1 − z)(z − κ) + γ(h + l)p by forward
// Euler with the authors' 1 s step, on a slow clock of the ticks that are
// multiples of slow_step, only for synapses with a tag or with z away from 0
// and 1 (skip_settled; an untagged z within z_settle of 0 or 1 is set to it).
// A quiet period therefore costs nothing once tags have decayed and z has
// settled.
//
// Differences from the authors' code, all below its own discretisation
// error: tag decay is in continuous time rather than by 1 s (1 ms during
// stimulation) Bernoulli steps; p is exact rather than Euler; z is stepped
// on the 1 s grid during stimulation too (the code steps it each ms there).
type TTC struct {
	p      TTCParams
	clock  snnsim.Clock
	src    []int32
	tgt    []int32
	unit   []float32
	w      []float32
	in     [][]int64 // per target: its synapses
	rng    Streams
	slowDT snnsim.Time // ticks per slow step
	dtMs   float64

	// per synapse
	h, l   []int8
	z      []float64
	decay  []snnsim.Time // tick at which the tag decays (valid while tagged)
	active []bool
	stamp  []snnsim.Time // tick of the last induction visit

	// per target neuron
	prot   []protein
	ntag   []int32
	block  bool
	u1, u2 []float64
	uT     []snnsim.Time // tick of the last low-pass update
	vLast  []float64     // potential at uT
	// the targets the voltage-based induction passes over (SetPart)
	partLo, partHi int32

	// per presynaptic neuron
	r  []float64
	rT []snnsim.Time // tick of the last update of r

	act        []int64 // synapses stepped on the slow clock
	actDirty   bool    // act has grown since it was last sorted
	decays     decayHeap
	nextSlow   snnsim.Time // next slow tick to process
	arrivals   [][2]int64  // synapse ranges reached at the current tick
	arrT       snnsim.Time
	vNow       []float64     // scratch: potentials of the current tick
	pAt        []float64     // per target: protein at the start of the slow step pT
	pT         []snnsim.Time // per target: the tick pAt is for
	now        snnsim.Time   // tick of the last Advance
	ax, a1, a2 float64       // Euler factors dt/τ
	slowF      float64       // slow step / τ_z
	rule       ruleBuf       // rule weights 0
}

// protein is one neuron's protein level: p(t) = inf + (p0 − inf)·e^{−(t−t0)/tau}.
type protein struct {
	p0 float64
	t0 snnsim.Time
	on bool // synthesis running
}

func newTTC(p TTCParams, l Layout) (*TTC, error) {
	slow := snnsim.Time(math.Round(p.SlowStep / l.Clock.DT))
	if slow < 1 || math.Abs(float64(slow)*l.Clock.DT-p.SlowStep) > 1e-9*p.SlowStep {
		c := checkParams(modelTTC, p)
		c.Failf("slow_step", p.SlowStep, "must be a whole number of ticks of %g ms", l.Clock.DT)
		return nil, c.Err()
	}
	n := len(l.Target)
	m := &TTC{
		p: p, clock: l.Clock, src: l.Source, tgt: l.Target, unit: l.Unit,
		rng: NewStreams(l.Seed, n), slowDT: slow, dtMs: l.Clock.DT,
		h: make([]int8, n), l: make([]int8, n), z: make([]float64, n),
		decay: make([]snnsim.Time, n), active: make([]bool, n), stamp: make([]snnsim.Time, n),
		prot: make([]protein, l.NPost), ntag: make([]int32, l.NPost),
		u1: make([]float64, l.NPost), u2: make([]float64, l.NPost), uT: make([]snnsim.Time, l.NPost),
		vLast: make([]float64, l.NPost),
		pAt:   make([]float64, l.NPost), pT: make([]snnsim.Time, l.NPost),
		r: make([]float64, l.NPre), rT: make([]snnsim.Time, l.NPre),
		nextSlow: slow,
		ax:       l.Clock.DT / p.TauX, a1: l.Clock.DT / p.TauLTD, a2: l.Clock.DT / p.TauLTP,
		slowF: p.SlowStep / p.TauZ,
	}
	if m.ax > 1 || m.a1 > 1 || m.a2 > 1 {
		return nil, fmt.Errorf("consolidation: %s: tau_x, tau_ltp and tau_ltd must be >= the resolution %g ms", modelTTC, l.Clock.DT)
	}
	m.in = make([][]int64, l.NPost)
	for s, j := range l.Target {
		m.in[j] = append(m.in[j], int64(s))
	}
	for s := range m.stamp {
		m.stamp[s] = -1
	}
	for j := range m.u1 {
		m.u1[j], m.u2[j], m.vLast[j] = p.ThetaLTD, p.ThetaLTD, p.ThetaLTD
		m.pT[j] = -1
	}
	m.arrT = -1
	m.partHi = int32(l.NPost)
	// Baseline: exactly round(init_up·n_k) synapses of each projection start
	// at z = 1, chosen by a shuffle from the model's seed.
	spans := l.Projections
	if spans == nil {
		spans = []int64{0, int64(n)}
	}
	rng := snnsim.NewRand(l.Seed, "consolidation/ttc/init_up")
	for k := 0; k+1 < len(spans); k++ {
		lo, hi := spans[k], spans[k+1]
		idx := rng.Perm(int(hi - lo))
		up := int(math.Round(p.InitUp * float64(hi-lo)))
		for _, i := range idx[:up] {
			m.z[lo+int64(i)] = 1
		}
	}
	if !p.SkipSettled {
		for s := range m.active {
			m.activate(int64(s))
		}
	}
	return m, nil
}

// Name returns "tag_trigger_consolidation".
func (m *TTC) Name() string { return modelTTC }

// Len returns the number of synapses.
func (m *TTC) Len() int { return len(m.z) }

// Params returns the model's parameters.
func (m *TTC) Params() TTCParams { return m.p }

// Bind sets the delivery array and fills it.
func (m *TTC) Bind(w []float32) {
	m.w = w
	for s := range m.z {
		m.refresh(int64(s))
	}
}

func (m *TTC) efficacy(s int64) float64 {
	return m.p.W0 + m.p.GH*float64(m.h[s]) + m.p.GL*float64(m.l[s]) + m.p.GZ*m.z[s]
}

func (m *TTC) refresh(s int64) {
	if m.w != nil {
		m.w[s] = float32(float64(m.unit[s]) * m.efficacy(s))
	}
}

func (m *TTC) activate(s int64) {
	if !m.active[s] {
		m.active[s] = true
		m.act = append(m.act, s)
		m.actDirty = true
	}
}

// protein returns target j's protein level at tick t.
func (m *TTC) protein(j int32, t snnsim.Time) float64 {
	q := m.prot[j]
	dt := float64(t-q.t0) * m.dtMs
	if q.on {
		inf := m.p.TauPD / (m.p.TauPD + m.p.TauPM)
		tau := 1 / (1/m.p.TauPD + 1/m.p.TauPM)
		return inf + (q.p0-inf)*math.Exp(-dt/tau)
	}
	return q.p0 * math.Exp(-dt/m.p.TauPD)
}

// retrigger re-evaluates target j's synthesis switch at tick t.
func (m *TTC) retrigger(j int32, t snnsim.Time) {
	on := float64(m.ntag[j]) > m.p.ThetaP && !m.block
	if on != m.prot[j].on {
		m.prot[j] = protein{p0: m.protein(j, t), t0: t, on: on}
		if on { // tagged synapses resting without protein start moving
			for _, s := range m.in[j] {
				if m.tagged(s) {
					m.activate(s)
				}
			}
		}
	}
}

// noProtein reports whether target j has had no protein at all so far
// (then a tag exerts no force on z).
func (m *TTC) noProtein(j int32) bool { q := m.prot[j]; return !q.on && q.p0 == 0 }

// setTag gives untagged synapse s tag +1 (h) or −1 (l) at tick t.
func (m *TTC) setTag(s int64, sign int8, t snnsim.Time) {
	tau := m.p.TauH
	if sign > 0 {
		m.h[s] = 1
	} else {
		m.l[s] = -1
		tau = m.p.TauL
	}
	life := m.rng.Exp(s) * tau / m.dtMs
	d := t + 1 + snnsim.Time(min(life, 1e15))
	m.decay[s] = d
	heap.Push(&m.decays, decayEntry{d, s})
	j := m.tgt[s]
	m.ntag[j]++
	m.retrigger(j, t)
	m.activate(s)
	m.refresh(s)
}

func (m *TTC) tagged(s int64) bool { return m.h[s] != 0 || m.l[s] != 0 }

// Next returns the earliest tick with a tag decay or a slow step.
func (m *TTC) Next() snnsim.Time {
	next := snnsim.Never
	if len(m.decays) > 0 {
		next = m.decays[0].t
	}
	if len(m.act) > 0 {
		next = min(next, m.nextSlow)
	}
	return next
}

// Advance processes the tag decays and slow steps due at ticks <= t.
func (m *TTC) Advance(t snnsim.Time) {
	m.now = max(m.now, t)
	for {
		td := snnsim.Never
		if len(m.decays) > 0 {
			td = m.decays[0].t
		}
		ts := snnsim.Never
		if len(m.act) > 0 {
			ts = m.nextSlow
		} else if m.nextSlow <= t {
			// Nothing to step: move the slow clock past t in one jump.
			m.nextSlow += (t - m.nextSlow + m.slowDT) / m.slowDT * m.slowDT
		}
		if td > t && ts > t {
			return
		}
		if td <= ts {
			e := heap.Pop(&m.decays).(decayEntry)
			s := e.s
			if !m.tagged(s) || m.decay[s] != e.t {
				continue // stale entry
			}
			m.h[s], m.l[s] = 0, 0
			j := m.tgt[s]
			m.ntag[j]--
			m.retrigger(j, e.t)
			m.refresh(s)
			continue
		}
		m.slowStep(ts)
		m.nextSlow = ts + m.slowDT
	}
}

// slowStep advances the late phase of the active synapses by one Euler step
// ending at tick ts, with the protein at the start of the step (or at its
// last switch, if later).
func (m *TTC) slowStep(ts snnsim.Time) {
	t0 := ts - m.slowDT
	if m.actDirty { // step in memory order
		slices.Sort(m.act)
		m.actDirty = false
	}
	keep := m.act[:0]
	skip, kappa, gamma, slowF, eps := m.p.SkipSettled, m.p.Kappa, m.p.Gamma, m.slowF, m.p.ZSettle
	w0, gh, gl, gz := m.p.W0, m.p.GH, m.p.GL, m.p.GZ
	for _, s := range m.act {
		z := m.z[s]
		h, l := m.h[s], m.l[s]
		f := z * (1 - z) * (z - kappa)
		if tag := h + l; tag != 0 {
			j := m.tgt[s]
			if m.pT[j] != t0 { // one exponential per neuron and step
				m.pT[j], m.pAt[j] = t0, m.protein(j, max(t0, m.prot[j].t0))
			}
			f += gamma * float64(tag) * m.pAt[j]
		}
		z += slowF * f
		rest := false
		switch {
		case !skip:
		case h != 0 || l != 0:
			// At a fixed point with no force: rests until protein appears
			// (retrigger) or the tag decays.
			rest = (z == 0 || z == 1) && m.noProtein(m.tgt[s])
		case math.Abs(z) < eps:
			z, rest = 0, true
		case math.Abs(1-z) < eps:
			z, rest = 1, true
		}
		m.z[s] = z
		if m.w != nil { // refresh, inlined: this loop is the slow clock's cost
			m.w[s] = float32(float64(m.unit[s]) * (w0 + gh*float64(h) + gl*float64(l) + gz*z))
		}
		if rest {
			m.active[s] = false
			continue
		}
		keep = append(keep, s)
	}
	m.act = keep
}

// Pre records the synapses reached by a presynaptic spike at tick t.
func (m *TTC) Pre(t snnsim.Time, i int32, lo, hi snnsim.SynapseID) {
	if m.p.Induction != "voltage" {
		return
	}
	if m.arrT != t {
		m.arrivals, m.arrT = m.arrivals[:0], t
	}
	m.arrivals = append(m.arrivals, [2]int64{lo, hi})
}

// Post does nothing: the voltage rule sees spikes through Voltage.
func (m *TTC) Post(snnsim.Time, int32) {}

// rBefore returns r of source i as left by tick t−1.
func (m *TTC) rBefore(i int32, t snnsim.Time) float64 {
	if n := t - 1 - m.rT[i]; n > 0 {
		return m.r[i] * math.Pow(1-m.ax, float64(n))
	}
	return m.r[i]
}

// catchUp advances target j's low-passes to tick t−1 with the potential it
// had while the engine skipped ticks.
func (m *TTC) catchUp(j int32, t snnsim.Time) {
	if n := t - 1 - m.uT[j]; n > 0 {
		v := m.vLast[j]
		m.u1[j] = v + (m.u1[j]-v)*math.Pow(1-m.a1, float64(n))
		m.u2[j] = v + (m.u2[j]-v)*math.Pow(1-m.a2, float64(n))
		m.uT[j] = t - 1
	}
}

// Voltage runs the voltage-based induction for tick t. Its cost is one
// pass over the target neurons plus the synapses reached by a spike at t
// and, at ticks where a target's potential exceeds θ_ltp, that target's
// synapses.
func (m *TTC) Voltage(t snnsim.Time, v func(j int32) float64, fired []int32) {
	if m.p.Induction != "voltage" {
		return
	}
	if m.arrT != t {
		m.arrivals = m.arrivals[:0]
	}
	nPost := int32(len(m.u1))
	if cap(m.vNow) < int(nPost) {
		m.vNow = make([]float64, nPost)
	}
	vNow := m.vNow[:nPost]
	lo, hi := m.partLo, m.partHi
	for j := lo; j < hi; j++ {
		m.catchUp(j, t) // with the potential held over the skipped ticks
		vNow[j] = v(j)
		m.vLast[j] = vNow[j] // held over skipped ticks: the potential after any reset
	}
	for _, j := range fired {
		vNow[j] = m.p.VSpike
	}
	perMs := m.dtMs // rates are per ms: the probability per tick is rate·dt
	// Depression (and potentiation) candidates: synapses reached at t.
	for _, r := range m.arrivals {
		for s := r[0]; s < r[1]; s++ {
			if m.tagged(s) || m.stamp[s] == t {
				continue
			}
			m.stamp[s] = t
			j := m.tgt[s]
			m.catchUp(j, t)
			pl := m.p.ALTD * max(m.u1[j]-m.p.ThetaLTD, 0) * perMs
			ph := m.p.ALTP * max(vNow[j]-m.p.ThetaLTP, 0) * m.rBefore(m.src[s], t) * max(m.u2[j]-m.p.ThetaLTD, 0) * perMs
			m.induce(s, t, ph, pl)
		}
	}
	// Potentiation candidates: the other synapses onto targets above θ_ltp.
	for j := lo; j < hi; j++ {
		if vNow[j] <= m.p.ThetaLTP {
			continue
		}
		m.catchUp(j, t)
		gain := m.p.ALTP * (vNow[j] - m.p.ThetaLTP) * max(m.u2[j]-m.p.ThetaLTD, 0) * perMs
		if gain <= 0 {
			continue
		}
		for _, s := range m.in[j] {
			if m.tagged(s) || m.stamp[s] == t {
				continue
			}
			m.stamp[s] = t
			if ph := gain * m.rBefore(m.src[s], t); ph > 0 {
				m.induce(s, t, ph, 0)
			}
		}
	}
	// Low-pass updates with this tick's potential and arrivals.
	for j := lo; j < hi; j++ {
		m.catchUp(j, t)
		if m.uT[j] < t {
			m.u1[j] += (vNow[j] - m.u1[j]) * m.a1
			m.u2[j] += (vNow[j] - m.u2[j]) * m.a2
			m.uT[j] = t
		}
	}
	for _, r := range m.arrivals {
		for s := r[0]; s < r[1]; s++ {
			i := m.src[s]
			if m.rT[i] < t {
				m.r[i] = m.rBefore(i, t)*(1-m.ax) + m.ax
				m.rT[i] = t
			}
		}
	}
}

// SetPart restricts the voltage-based induction to the targets first ..
// end−1. The model's state decomposes by target as long as every source's
// synapses share one delay (the presynaptic trace of a source moves at
// the ticks its spikes arrive). See [Parted].
func (m *TTC) SetPart(first, end int32) { m.partLo, m.partHi = first, end }

// induce draws the tag transitions of untagged synapse s with per-tick
// probabilities ph (h) and pl (l).
func (m *TTC) induce(s int64, t snnsim.Time, ph, pl float64) {
	gotH := ph > 0 && m.rng.Float64(s) < ph
	gotL := pl > 0 && m.rng.Float64(s) < pl
	if gotH && gotL {
		if m.rng.Float64(s) < 0.5 {
			gotL = false
		} else {
			gotH = false
		}
	}
	switch {
	case gotH:
		m.setTag(s, 1, t)
	case gotL:
		m.setTag(s, -1, t)
	}
}

// RuleWeights returns the rule buffer, whose rule weights are 0: with
// induction "signal" only the rule's change matters (use a rule with
// w_min <= -w_max so that it is not clipped).
func (m *TTC) RuleWeights() []float32 { return m.rule.weights(len(m.z), nil) }

// Changed signals the rule's changes of synapses off+syn[k] at tick t.
func (m *TTC) Changed(t snnsim.Time, off snnsim.SynapseID, syn []int32) {
	for _, c := range m.rule.changes(off, syn, nil) {
		m.Signal(t, c.s, c.dw)
	}
}

// Signal tags untagged synapse s with probability min(1, tag_scale·|dw|),
// h for dw > 0 and l for dw < 0 (induction "signal" only).
func (m *TTC) Signal(t snnsim.Time, s snnsim.SynapseID, dw float64) {
	if m.p.Induction != "signal" || dw == 0 || m.tagged(s) {
		return
	}
	if pr := m.p.TagScale * math.Abs(dw); pr >= 1 || m.rng.Float64(s) < pr {
		if dw > 0 {
			m.setTag(s, 1, t)
		} else {
			m.setTag(s, -1, t)
		}
	}
}

// Modulators returns ["inhibitor"].
func (m *TTC) Modulators() []string { return m.p.Modulators() }

// SetLevel sets the protein-synthesis inhibitor (level > 0 blocks synthesis
// in every target neuron) from tick t on.
func (m *TTC) SetLevel(t snnsim.Time, name string, level float64) error {
	if name != "inhibitor" {
		return fmt.Errorf("consolidation: %s: unknown level %q (known: inhibitor)", modelTTC, name)
	}
	if math.IsNaN(level) {
		return fmt.Errorf("consolidation: %s: inhibitor level NaN", modelTTC)
	}
	m.block = level > 0
	for j := range m.prot {
		m.retrigger(int32(j), t)
	}
	return nil
}

// Vars returns efficacy, h, l, z.
func (m *TTC) Vars() []string { return m.p.Vars() }

// Get returns variable v of synapse s.
func (m *TTC) Get(v int, s snnsim.SynapseID) float64 {
	switch v {
	case 0:
		return m.efficacy(s)
	case 1:
		return float64(m.h[s])
	case 2:
		return float64(m.l[s])
	case 3:
		return m.z[s]
	}
	return math.NaN()
}

// Set sets z (v = 3) of synapse s; efficacy and tags are read-only (tags
// are set by induction only, so that their decay stays scheduled).
func (m *TTC) Set(t snnsim.Time, v int, s snnsim.SynapseID, x float64) error {
	if v != 3 {
		name := "?"
		if v >= 0 && v < len(m.Vars()) {
			name = m.Vars()[v]
		}
		return fmt.Errorf("consolidation: %s: variable %s is read-only (only z can be set; tags are set by induction)", modelTTC, name)
	}
	if !(x >= 0 && x <= 1) {
		return fmt.Errorf("consolidation: %s: z = %g: must be in [0, 1]", modelTTC, x)
	}
	m.z[s] = x
	if x != 0 && x != 1 {
		m.activate(s)
	}
	m.refresh(s)
	return nil
}

// NeuronVars returns protein and tags.
func (m *TTC) NeuronVars() []string { return []string{"protein", "tags"} }

// NeuronGet returns target j's protein level at the tick of the last
// Advance, or its tag count.
func (m *TTC) NeuronGet(v int, j int32) float64 {
	switch v {
	case 0:
		return m.protein(j, max(m.now, m.prot[j].t0))
	case 1:
		return float64(m.ntag[j])
	}
	return math.NaN()
}

// finite reports whether every x is finite.
func finite(xs ...float64) bool {
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

type decayEntry struct {
	t snnsim.Time
	s int64
}

type decayHeap []decayEntry

func (h decayHeap) Len() int { return len(h) }
func (h decayHeap) Less(a, b int) bool {
	return h[a].t < h[b].t || h[a].t == h[b].t && h[a].s < h[b].s
}
func (h decayHeap) Swap(a, b int) { h[a], h[b] = h[b], h[a] }
func (h *decayHeap) Push(x any)   { *h = append(*h, x.(decayEntry)) }
func (h *decayHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

const ttcTag = "consolidation/" + modelTTC

// AppendState appends the model's state as one frame: sizes, the slow clock
// position and the inhibitor flag, then per synapse h, l, z, decay tick and
// stream count, per target the protein (p0, t0, on), low-passes and their
// tick and potential, per source r and its tick.
func (m *TTC) AppendState(b []byte) []byte {
	b, start := checkpoint.Begin(b, ttcTag, 1)
	b = checkpoint.PutI64(b, int64(len(m.z)))
	b = checkpoint.PutI64(b, int64(len(m.u1)))
	b = checkpoint.PutI64(b, int64(len(m.r)))
	b = checkpoint.PutI64(b, int64(m.nextSlow))
	b = checkpoint.PutBool(b, m.block)
	for s := range m.z {
		b = append(b, byte(m.h[s]), byte(m.l[s]))
		b = checkpoint.PutF64(b, m.z[s])
		b = checkpoint.PutI64(b, int64(m.decay[s]))
		b = checkpoint.PutI64(b, int64(m.rng.n[s]))
		b = checkpoint.PutBool(b, m.active[s])
	}
	for j := range m.u1 {
		q := m.prot[j]
		b = checkpoint.PutF64(b, q.p0)
		b = checkpoint.PutI64(b, int64(q.t0))
		b = checkpoint.PutBool(b, q.on)
		b = checkpoint.PutF64(b, m.u1[j])
		b = checkpoint.PutF64(b, m.u2[j])
		b = checkpoint.PutI64(b, int64(m.uT[j]))
		b = checkpoint.PutF64(b, m.vLast[j])
	}
	for i := range m.r {
		b = checkpoint.PutF64(b, m.r[i])
		b = checkpoint.PutI64(b, int64(m.rT[i]))
	}
	return checkpoint.End(b, start)
}

// RestoreState restores a state written by AppendState of a model with the
// same layout; the model is unchanged on error.
func (m *TTC) RestoreState(b []byte) ([]byte, error) {
	payload, rest, err := stateCodec.Open(b, ttcTag, 1)
	if err != nil {
		return nil, err
	}
	d := checkpoint.Decoder{B: payload, C: &stateCodec}
	ns, nj, ni := d.I64(), d.I64(), d.I64()
	if d.Short {
		return nil, d.Done(ttcTag)
	}
	if ns != int64(len(m.z)) || nj != int64(len(m.u1)) || ni != int64(len(m.r)) {
		return nil, stateCodec.Mismatchf("state of %d synapses, %d targets, %d sources, model has %d, %d, %d", ns, nj, ni, len(m.z), len(m.u1), len(m.r))
	}
	nextSlow := snnsim.Time(d.I64())
	block := d.U8() != 0
	h, l, z := make([]int8, ns), make([]int8, ns), make([]float64, ns)
	decay, cnt, active := make([]snnsim.Time, ns), make([]uint64, ns), make([]bool, ns)
	bad := false
	for s := range z {
		h[s], l[s] = int8(d.U8()), int8(d.U8())
		z[s] = d.F64()
		decay[s] = snnsim.Time(d.I64())
		cnt[s] = uint64(d.I64())
		active[s] = d.U8() != 0
		if (h[s] != 0 && h[s] != 1) || (l[s] != 0 && l[s] != -1) || (h[s] != 0 && l[s] != 0) || !(z[s] >= -1 && z[s] <= 2) {
			bad = true
		}
	}
	prot := make([]protein, nj)
	u1, u2, uT, vl := make([]float64, nj), make([]float64, nj), make([]snnsim.Time, nj), make([]float64, nj)
	for j := range prot {
		prot[j] = protein{p0: d.F64(), t0: snnsim.Time(d.I64()), on: d.U8() != 0}
		u1[j], u2[j], uT[j], vl[j] = d.F64(), d.F64(), snnsim.Time(d.I64()), d.F64()
	}
	r, rT := make([]float64, ni), make([]snnsim.Time, ni)
	for i := range r {
		r[i], rT[i] = d.F64(), snnsim.Time(d.I64())
	}
	if err := d.Done(ttcTag); err != nil {
		return nil, err
	}
	for j := range prot {
		if !(prot[j].p0 >= 0 && prot[j].p0 <= 1) || prot[j].t0 < 0 || uT[j] < 0 || !finite(u1[j], u2[j], vl[j]) {
			bad = true
		}
	}
	for i := range r {
		if !(r[i] >= 0 && r[i] <= 1) || rT[i] < 0 {
			bad = true
		}
	}
	if bad {
		return nil, stateCodec.Corruptf("%s: a tag, late phase, protein level, trace or tick is out of range", ttcTag)
	}
	m.nextSlow, m.block = nextSlow, block
	m.h, m.l, m.z, m.decay, m.active = h, l, z, decay, active
	copy(m.rng.n, cnt)
	m.prot, m.u1, m.u2, m.uT, m.vLast = prot, u1, u2, uT, vl
	for j := range m.pT {
		m.pT[j] = -1
	}
	m.r, m.rT = r, rT
	m.ntag = make([]int32, nj)
	m.decays = m.decays[:0]
	m.act = m.act[:0]
	for s := range z {
		if m.tagged(int64(s)) {
			m.ntag[m.tgt[s]]++
			m.decays = append(m.decays, decayEntry{decay[s], int64(s)})
		}
		if active[s] {
			m.act = append(m.act, int64(s))
		}
	}
	heap.Init(&m.decays)
	m.arrivals, m.arrT = m.arrivals[:0], -1
	for s := range m.stamp {
		m.stamp[s] = -1
	}
	for s := range z {
		m.refresh(int64(s))
	}
	return rest, nil
}
