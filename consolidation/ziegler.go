package consolidation

import (
	"fmt"
	"math"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
)

const modelZiegler = "ziegler_2015"

// ZieglerParams are the parameters of the three-layer consolidation model
// of Ziegler, Zenke, Kastner & Gerstner (2015), J Neurosci 35:1319, as in
// the authors' Auryn implementation (ZynapseConnection, PRPGroup,
// sim_frey).
//
// Every synapse has an efficacy (early phase) x, a tag y and a scaffold
// (late phase) z, each in a double well with minima at ±1, and a gating
// trace g ∈ [0, 1]; every target neuron has a protein level p ∈ [0, 1]. The
// spike-triggered rule on x is built in, with traces of the usual Auryn
// kind (+1 per spike, exponential decay, read before the increment):
// presynaptic r_pot (τ_pot,pre) and r_dep (τ_dep,pre) per source neuron,
// postsynaptic o_pot (τ_pot,post) and o_dep (τ_dep,post) per target.
//
//	presynaptic arrival at s (Pre):
//	    Δ = o_dep·(a2m + a3m·r_dep);  if x > z: Δ ← Δ(1 + c_r (x − z))
//	    Δ ← min(Δ, 1);  if x < z: g ← g + Δ(1 − g)
//	    x ← x − Δ(1 + x)
//	postsynaptic spike of the target (Post), for every synapse onto it:
//	    Δ = r_pot·(a2p + a3p·o_pot);  if x < z: Δ ← Δ(1 + c_r (z − x))
//	    Δ ← min(Δ, 1);  if x > z: g ← g + Δ(1 − g)
//	    x ← x + Δ(1 − x)
//	a2m = A2M/τ_dep,post   a3m = A3M/(τ_dep,post τ_dep,pre)
//	a2p = A2P/τ_pot,pre    a3p = A3P/(τ_pot,post τ_pot,pre)      (τ in seconds, as in Auryn)
//
//	gate:     g decays exponentially with τ_g;  G = 1 while g >= θ_g, else 0
//	slow clock, every T_upd (forward Euler, then Gaussian noise):
//	    τ_x dx/dt = −(x³ − x) + c_yx (1 − G)(y − x)
//	    τ_y dy/dt = −(y³ − y) + c_t G (x − y) + c_zy (1 − p)(z − y)
//	    τ_z dz/dt = −(z³ − z) + c_t p (y − z)
//	    x, y, z each += N(0, 1)·√(η T_upd)
//	protein:  while dopamine > 0, p → 1 with τ_up;  otherwise p → 0 with τ_down (exact)
//	efficacy: e = (w_0/2)(k_w + 1 + (k_w − 1) x), w_0 = 1;  delivered weight Unit[s]·e
//
// x, y and z start at −1, g and p at 0. The Euler step uses the state at
// the slow tick (all three drifts from the old values, as Auryn does), G
// and p at that tick; the three deviates of a step are drawn, in the order
// x, y, z, from the synapse's own stream (see [Streams]; the normal
// deviates are math/rand/v2's ziggurat on that stream) at draws that
// depend only on the slow tick (a block of 16 draws per tick). So a
// synapse's noise at a given tick depends neither on other synapses, nor
// on the processing order, nor on the ticks at which it was skipped. The
// slow ticks are the multiples of T_upd; a step at a slow tick comes before
// the spikes of that tick.
//
// Units: Auryn works in seconds. η_xyz is a diffusion rate, the variance a
// variable gains per second: η = 1e-4 s⁻¹ (written "1e-4 Hz"), so that the
// noise s.d. per update is √(η·T_upd) = √(1e-4 s⁻¹ · 0.1 s) = 3.16e-3, as
// in Auryn (eta = sqrt(ETAXYZ*TUPD) with TUPD = 100e-3). The amplitudes are
// divided by the trace time constants in seconds, as in Auryn
// (set_plast_constants): a3p = 5e-4/(0.04 s · 0.0168 s) = 0.744. With the
// defaults a weak tetanus (21 presynaptic pulses at 100 Hz, each followed
// 1 ms later by a postsynaptic spike) takes x from −1 to 0.70 at the second
// pulse and to +1 (Δ capped at 1) from the third on, and opens the gate
// (g = 1); each presynaptic pulse then depresses x by about 0.1.
//
// The gate closes at t_0 + τ_g ln(g(t_0)/θ_g) after its last increment at
// t_0; the model computes this tick exactly when g changes, and the slow
// clock reads G from it (g itself is decayed exactly when read).
//
// Settled synapses: a synapse whose x, y and z have all stayed within
// settle_tol of the same minimum (−1 or +1), with the gate closed, for
// settle_time would only diffuse in its well; with skip_settled = true it
// leaves the slow clock until a spike, a Signal or Set changes it, and
// keeps its last values. The dwell time matters: a synapse that has just
// entered the tolerance box on its way to a minimum (a scaffold z that was
// just captured) is far from typical; after settle_time (six relaxation times
// τ/2 by default) it is a sample of the in-well fluctuations (s.d. ≈ 0.07
// for the defaults), so freezing it biases neither pathway means nor
// spreads. This suppresses the rare noise-driven escapes of settled
// synapses (the barrier of an uncoupled well is 0.25 against a noise
// temperature τη/2 = 0.01). The protein level is not part of the
// criterion: p enters the drifts only through y − z, which is small within
// one well, and a protein threshold would keep every synapse of a neuron on
// the slow clock for hours after each dopamine pulse (p decays with
// τ_down = 2 h). TestZieglerSkipSettled compares both settings.
//
// Signal (from an external plasticity rule, package stdp) adds dw to x
// without bounds, and the rule weight (RuleWeights) is x: a rule attached to this model
// works on x ∈ [−1, 1]. Set accepts x, y and z in [−3, 3] and g in [0, 1].
//
//	key           default   unit   meaning
//	tau_x         2e5       ms     time constant of x (200 s), > 0
//	tau_y         2e5       ms     time constant of the tag y (200 s), > 0
//	tau_z         2e5       ms     time constant of the scaffold z (200 s), > 0
//	c_t           0.875     1      tilt coupling (3.5 × the critical 1/4), >= 0
//	c_yx          0.325     1      pull of x towards y when the gate is closed (1.3 × 1/4), >= 0
//	c_zy          0.2375    1      pull of y towards z without protein (0.95 × 1/4), >= 0
//	theta_g       0.37      1      gate threshold θ_g (≈ e⁻¹), in (0, 1)
//	tau_g         6e5       ms     gating-trace decay τ_g (600 s), > 0
//	t_upd         100       ms     slow-clock step T_upd, whole ticks, <= min(tau_x, tau_y, tau_z)/100
//	eta           1e-4      Hz     noise diffusion rate η (variance per second), >= 0
//	k_w           3         1      efficacy ratio between the upper and the lower well, > 0
//	a2_minus      2e-4      1      pair depression amplitude A2M, >= 0
//	a3_minus      0         1      triplet depression amplitude A3M, >= 0
//	a2_plus       0         1      pair potentiation amplitude A2P, >= 0
//	a3_plus       5e-4      1      triplet potentiation amplitude A3P, >= 0
//	tau_pot_pre   16.8      ms     presynaptic potentiation trace τ_pot,pre, > 0
//	tau_pot_post  40        ms     postsynaptic potentiation trace τ_pot,post, > 0
//	tau_dep_pre   100       ms     presynaptic depression trace τ_dep,pre, > 0
//	tau_dep_post  33.7      ms     postsynaptic depression trace τ_dep,post, > 0
//	c_r           1         1      reset factor c_r, >= 0
//	tau_prp_up    1000      ms     protein rise time constant with dopamine (1 s), > 0
//	tau_prp_down  7.2e6     ms     protein decay time constant (2 h), > 0
//	skip_settled  true      –      leave settled synapses off the slow clock
//	settle_tol    0.25      1      distance to the well minimum within which a variable counts as settled, in (0, 1)
//	settle_time   6e5       ms     time a synapse must stay settled before it leaves the slow clock (10 min), >= 0
//
// The time constants of x, y and z are those of the authors' slice
// simulation (sim_frey sets all three to 200 s; an older ZynapseConnection
// header has τ_x = 20 s). The plasticity amplitudes are those of the slice
// simulation, which uses the "minimal" rule (pair depression, triplet
// potentiation: A2M = 2e-4, A3P = 5e-4, τ_pot,post = 40 ms). The header
// defaults A2M = A3M = A2P = A3P = 1e-3 saturate the rule at 100 Hz: from
// the third pulse of a tetanus on, every presynaptic pulse resets x to −1
// and every postsynaptic spike sets it to +1 (Δ capped at 1 both ways), so
// the result depends only on which spike comes last (TestZieglerTetanus
// logs both sets). The optional homeostatic factor on the reset term (PZ)
// is not implemented.
//
// Order within a tick: Pre is called before the spike is delivered, so a
// presynaptic spike is transmitted with the efficacy after its own
// depression (Auryn transmits first, then depresses; the difference is one
// Δ of a few percent of the efficacy).
//
// Tests: TestZieglerTetanus (per-spike Δ), TestZieglerProtocols (WTET,
// STET + dopamine, WTET + dopamine, capture, weak-before-strong),
// TestZieglerSkipSettled, TestZieglerProtein, TestStateResume.
type ZieglerParams struct {
	TauX        float64 `toml:"tau_x" unit:"ms"`        // time constant of x [ms]
	TauY        float64 `toml:"tau_y" unit:"ms"`        // time constant of y [ms]
	TauZ        float64 `toml:"tau_z" unit:"ms"`        // time constant of z [ms]
	CT          float64 `toml:"c_t"`                    // tilt coupling c_t [1]
	CYX         float64 `toml:"c_yx"`                   // coupling of x to y, c_yx [1]
	CZY         float64 `toml:"c_zy"`                   // coupling of y to z, c_zy [1]
	ThetaG      float64 `toml:"theta_g"`                // gate threshold θ_g [1]
	TauG        float64 `toml:"tau_g" unit:"ms"`        // gating-trace decay τ_g [ms]
	TUpd        float64 `toml:"t_upd" unit:"ms"`        // slow-clock step T_upd [ms]
	Eta         float64 `toml:"eta" unit:"Hz"`          // noise diffusion rate η [1/s]
	KW          float64 `toml:"k_w"`                    // efficacy ratio k_w [1]
	A2Minus     float64 `toml:"a2_minus"`               // pair depression amplitude A2M [1]
	A3Minus     float64 `toml:"a3_minus"`               // triplet depression amplitude A3M [1]
	A2Plus      float64 `toml:"a2_plus"`                // pair potentiation amplitude A2P [1]
	A3Plus      float64 `toml:"a3_plus"`                // triplet potentiation amplitude A3P [1]
	TauPotPre   float64 `toml:"tau_pot_pre" unit:"ms"`  // presynaptic potentiation trace τ_pot,pre [ms]
	TauPotPost  float64 `toml:"tau_pot_post" unit:"ms"` // postsynaptic potentiation trace τ_pot,post [ms]
	TauDepPre   float64 `toml:"tau_dep_pre" unit:"ms"`  // presynaptic depression trace τ_dep,pre [ms]
	TauDepPost  float64 `toml:"tau_dep_post" unit:"ms"` // postsynaptic depression trace τ_dep,post [ms]
	CR          float64 `toml:"c_r"`                    // reset factor c_r [1]
	TauPrpUp    float64 `toml:"tau_prp_up" unit:"ms"`   // protein rise time constant [ms]
	TauPrpDown  float64 `toml:"tau_prp_down" unit:"ms"` // protein decay time constant [ms]
	SkipSettled bool    `toml:"skip_settled"`           // leave settled synapses off the slow clock
	SettleTol   float64 `toml:"settle_tol"`             // settling distance to the well minimum [1]
	SettleTime  float64 `toml:"settle_time" unit:"ms"`  // dwell time before a settled synapse leaves the slow clock [ms]
}

// DefaultZiegler returns the defaults of the table in [ZieglerParams].
func DefaultZiegler() ZieglerParams {
	return ZieglerParams{
		TauX: 2e5, TauY: 2e5, TauZ: 2e5,
		CT: 3.5 * 0.25, CYX: 1.3 * 0.25, CZY: 0.95 * 0.25,
		ThetaG: 0.37, TauG: 6e5, TUpd: 100, Eta: 1e-4, KW: 3,
		A2Minus: 2e-4, A3Minus: 0, A2Plus: 0, A3Plus: 5e-4,
		TauPotPre: 16.8, TauPotPost: 40, TauDepPre: 100, TauDepPost: 33.7, CR: 1,
		TauPrpUp: 1000, TauPrpDown: 7.2e6,
		SkipSettled: true, SettleTol: 0.25, SettleTime: 6e5,
	}
}

// Model returns "ziegler_2015".
func (ZieglerParams) Model() string { return modelZiegler }

// Validate checks the parameters.
func (p ZieglerParams) Validate() error {
	c := checkParams(modelZiegler, p)
	c.Positive("tau_x", p.TauX)
	c.Positive("tau_y", p.TauY)
	c.Positive("tau_z", p.TauZ)
	c.NonNegative("c_t", p.CT)
	c.NonNegative("c_yx", p.CYX)
	c.NonNegative("c_zy", p.CZY)
	c.Open("theta_g", p.ThetaG, 0, 1)
	c.Positive("tau_g", p.TauG)
	c.Positive("t_upd", p.TUpd)
	c.AtMost("t_upd", p.TUpd, "min(tau_x, tau_y, tau_z)/100", min(p.TauX, p.TauY, p.TauZ)/100)
	c.NonNegative("eta", p.Eta)
	c.Positive("k_w", p.KW)
	c.NonNegative("a2_minus", p.A2Minus)
	c.NonNegative("a3_minus", p.A3Minus)
	c.NonNegative("a2_plus", p.A2Plus)
	c.NonNegative("a3_plus", p.A3Plus)
	c.Positive("tau_pot_pre", p.TauPotPre)
	c.Positive("tau_pot_post", p.TauPotPost)
	c.Positive("tau_dep_pre", p.TauDepPre)
	c.Positive("tau_dep_post", p.TauDepPost)
	c.NonNegative("c_r", p.CR)
	c.Positive("tau_prp_up", p.TauPrpUp)
	c.Positive("tau_prp_down", p.TauPrpDown)
	c.Open("settle_tol", p.SettleTol, 0, 1)
	c.NonNegative("settle_time", p.SettleTime)
	return c.Err()
}

// Modulators returns ["dopamine"].
func (ZieglerParams) Modulators() []string { return []string{"dopamine"} }

// Vars returns ["efficacy", "x", "y", "z", "g"].
func (ZieglerParams) Vars() []string { return []string{"efficacy", "x", "y", "z", "g"} }

func init() {
	models.Register(modelZiegler, func() Params { p := DefaultZiegler(); return &p })
}

func (p ZieglerParams) build(l Layout) (Model, error) {
	period, err := slowPeriod(modelZiegler, "t_upd", p.TUpd, l.Clock)
	if err != nil {
		return nil, err
	}
	n := len(l.Target)
	dt := l.Clock.DT
	h := float64(period) * dt // exact step [ms]
	m := &ziegler{
		p: p, n: n, source: l.Source, target: l.Target, unit: l.Unit,
		in:    newTargetIndex(&l),
		ex:    h / p.TauX,
		ey:    h / p.TauY,
		ez:    h / p.TauZ,
		sigma: math.Sqrt(p.Eta * h / 1000),
		a2m:   p.A2Minus / (p.TauDepPost / 1000),
		a3m:   p.A3Minus / (p.TauDepPost / 1000) / (p.TauDepPre / 1000),
		a2p:   p.A2Plus / (p.TauPotPre / 1000),
		a3p:   p.A3Plus / (p.TauPotPost / 1000) / (p.TauPotPre / 1000),
		gRate: dt / p.TauG,
		gSpan: p.TauG / dt,
		up:    dt / p.TauPrpUp,
		down:  dt / p.TauPrpDown,
		x:     make([]float64, n),
		y:     make([]float64, n),
		z:     make([]float64, n),
		g:     make([]float64, n),
		gT:    make([]snnsim.Time, n),
		shut:  make([]snnsim.Time, n),
		calm:  make([]int32, n),
		dwell: int32(min(math.Ceil(p.SettleTime/h), math.MaxInt32)),
		p0:    make([]float64, l.NPost),
		rPot:  newLazyTrace(l.NPre, dt, p.TauPotPre),
		rDep:  newLazyTrace(l.NPre, dt, p.TauDepPre),
		oPot:  newLazyTrace(l.NPost, dt, p.TauPotPost),
		oDep:  newLazyTrace(l.NPost, dt, p.TauDepPost),
		st:    NewStreams(l.Seed, n),
		act:   newActiveSet(n),
		clock: slowClock{period: period},
		id: newStateIdent(modelZiegler, &l,
			[]string{"tau_g", "theta_g", "t_upd", "tau_pot_pre", "tau_pot_post", "tau_dep_pre", "tau_dep_post", "tau_prp_up", "tau_prp_down"},
			[]float64{p.TauG, p.ThetaG, p.TUpd, p.TauPotPre, p.TauPotPost, p.TauDepPre, p.TauDepPost, p.TauPrpUp, p.TauPrpDown}),
	}
	m.normals = newSynapseNormals(&m.st)
	for s := range n {
		m.x[s], m.y[s], m.z[s] = -1, -1, -1
	}
	if !p.SkipSettled {
		m.act.fill()
	}
	return m, nil
}

// BUG(ziegler_2015): The presynaptic traces are kept per presynaptic
// neuron and count one spike per arrival tick (several Pre calls at one
// tick count once). When the synapses of one presynaptic neuron have
// different delays, one spike arrives at several ticks and is counted at
// each of them.

// drawsPerStep is the block of draws of a synapse's stream reserved for
// one slow tick: the deviates of synapse s at slow tick k start at draw
// k·drawsPerStep. Three deviates take three draws unless the ziggurat
// rejects (about 1 % per deviate, one to three extra draws each), so a
// block overflows into the next with a probability below 1e-12.
const drawsPerStep = 16

// ziegler is the ziegler_2015 model bound to a layout.
type ziegler struct {
	p              ZieglerParams
	n              int
	source, target []int32
	unit           []float32
	in             targetIndex

	ex, ey, ez         float64 // Euler factors T_upd/τ
	sigma              float64 // noise s.d. per update
	a2m, a3m, a2p, a3p float64 // normalised amplitudes
	gRate, gSpan       float64 // dt/τ_g, τ_g/dt
	up, down           float64 // dt/τ_up, dt/τ_down

	x, y, z []float64
	g       []float64     // gate value at its last change
	gT      []snnsim.Time // tick of the last change of g
	shut    []snnsim.Time // first tick with G = 0
	calm    []int32       // consecutive slow ticks settled (skip_settled)
	dwell   int32         // slow ticks a synapse must stay settled to leave

	p0       []float64   // protein per target at tick pT
	pT       snnsim.Time // tick of the last dopamine change
	dopamine bool        // dopamine level > 0 since pT

	rPot, rDep lazyTrace // presynaptic traces
	oPot, oDep lazyTrace // postsynaptic traces

	st      Streams
	normals synapseNormals
	act     activeSet
	clock   slowClock
	now     snnsim.Time
	out     []float32

	id    stateIdent
	steps int64 // synapse-steps done (for tests and benchmarks; not state)
	rule  ruleBuf
}

func (m *ziegler) Name() string { return modelZiegler }
func (m *ziegler) Len() int     { return m.n }

// efficacy returns (k_w + 1 + (k_w − 1) x)/2.
func (m *ziegler) efficacy(x float64) float64 { return 0.5 * (m.p.KW + 1 + (m.p.KW-1)*x) }

// deliver passes a new x[s] to the delivery array (as the efficacy) and
// the rule buffer.
func (m *ziegler) deliver(s int64) {
	if m.out != nil {
		m.out[s] = float32(float64(m.unit[s]) * m.efficacy(m.x[s]))
	}
	m.rule.set(s, m.x[s])
}

func (m *ziegler) Bind(w []float32) {
	if len(w) != m.n {
		panic(fmt.Sprintf("consolidation: ziegler_2015: Bind with %d weights for %d synapses", len(w), m.n))
	}
	m.out = w
	for s := range m.x {
		m.deliver(int64(s))
	}
}

// proteinDecay returns the factor by which p − p∞ has decayed from pT to t.
func (m *ziegler) proteinDecay(t snnsim.Time) float64 {
	if m.dopamine {
		return math.Exp(-float64(t-m.pT) * m.up)
	}
	return math.Exp(-float64(t-m.pT) * m.down)
}

// protein returns p of target j for the decay factor e of proteinDecay.
func (m *ziegler) protein(j int32, e float64) float64 {
	if m.dopamine {
		return 1 + (m.p0[j]-1)*e
	}
	return m.p0[j] * e
}

// Advance does the slow-clock steps at the slow ticks <= t.
func (m *ziegler) Advance(t snnsim.Time) {
	if t > m.now {
		m.now = t
	}
	for m.act.len() > 0 && m.clock.due(t) {
		k := m.clock.next()
		m.step(k)
		m.clock.done = k
	}
	if m.act.len() == 0 {
		m.clock.skipTo(t)
	}
}

// settledAt reports whether x, y and z lie within settle_tol of one
// minimum.
func (m *ziegler) settledAt(x, y, z float64) bool {
	c := -1.0
	if x > 0 {
		c = 1
	}
	tol := m.p.SettleTol
	return math.Abs(x-c) <= tol && math.Abs(y-c) <= tol && math.Abs(z-c) <= tol
}

// step does the slow-clock step at slow tick tk for every active synapse.
func (m *ziegler) step(tk snnsim.Time) {
	e := m.proteinDecay(tk)
	skip := m.p.SkipSettled
	ct, cyx, czy := m.p.CT, m.p.CYX, m.p.CZY
	sigma := m.sigma
	list := m.act.list
	for i := len(list) - 1; i >= 0; i-- {
		s := list[i]
		x, y, z := m.x[s], m.y[s], m.z[s]
		open := tk < m.shut[s]
		if skip {
			if open || !m.settledAt(x, y, z) {
				m.calm[s] = 0
			} else if m.calm[s] >= m.dwell {
				m.calm[s] = 0
				m.act.removeAt(i)
				continue
			} else {
				m.calm[s]++
			}
		}
		var G float64
		if open {
			G = 1
		}
		p := m.protein(m.target[s], e)
		dx := -(x*x-1)*x + cyx*(1-G)*(y-x)
		dy := -(y*y-1)*y + ct*G*(x-y) + czy*(1-p)*(z-y)
		dz := -(z*z-1)*z + ct*p*(y-z)
		x += m.ex * dx
		y += m.ey * dy
		z += m.ez * dz
		if sigma != 0 {
			m.st.SetDraws(int64(s), uint64(tk/m.clock.period)*drawsPerStep)
			r := m.normals.of(s)
			x += sigma * r.NormFloat64()
			y += sigma * r.NormFloat64()
			z += sigma * r.NormFloat64()
		}
		m.x[s], m.y[s], m.z[s] = x, y, z
		m.deliver(s)
		m.steps++
	}
}

func (m *ziegler) Next() snnsim.Time {
	if m.act.len() == 0 {
		return snnsim.Never
	}
	return m.clock.next()
}

// gateAt returns g of synapse s at tick t.
func (m *ziegler) gateAt(s int64, t snnsim.Time) float64 {
	if m.g[s] == 0 {
		return 0
	}
	return m.g[s] * math.Exp(-float64(t-m.gT[s])*m.gRate)
}

// setGate sets g of synapse s to v at tick t and computes the first tick
// at which G = 0: g(t') = v e^{−(t'−t)dt/τ_g} >= θ_g while
// (t' − t)·dt <= τ_g ln(v/θ_g).
func (m *ziegler) setGate(s int64, t snnsim.Time, v float64) {
	m.g[s], m.gT[s] = v, t
	m.shut[s] = m.shutTick(v, t)
}

func (m *ziegler) shutTick(v float64, t snnsim.Time) snnsim.Time {
	if !(v >= m.p.ThetaG) {
		return t
	}
	return t + snnsim.Time(math.Floor(m.gSpan*math.Log(v/m.p.ThetaG))) + 1
}

// Pre applies presynaptic depression to synapses lo..hi-1 and counts the
// spike in the presynaptic traces of i (once per tick).
func (m *ziegler) Pre(t snnsim.Time, i int32, lo, hi snnsim.SynapseID) {
	m.Advance(t)
	rd := m.rDep.at(i, t)
	for s := lo; s < hi; s++ {
		od := m.oDep.at(m.target[s], t)
		d := od * (m.a2m + m.a3m*rd)
		if d == 0 {
			continue
		}
		x := m.x[s]
		reset := m.z[s] - x
		if reset < 0 {
			d *= 1 - m.p.CR*reset
		}
		if d > 1 {
			d = 1
		}
		if reset > 0 {
			g := m.gateAt(s, t)
			m.setGate(s, t, g+d*(1-g))
		}
		m.x[s] = x - d*(1+x)
		m.deliver(s)
		m.wake(s)
	}
	m.rPot.bump(i, t)
	m.rDep.bump(i, t)
}

// Post applies postsynaptic potentiation to the synapses onto j and counts
// the spike in the postsynaptic traces of j.
func (m *ziegler) Post(t snnsim.Time, j int32) {
	m.Advance(t)
	op := m.oPot.at(j, t)
	for _, s := range m.in.of(j) {
		i := m.source[s]
		if m.rPot.after[i] == 0 {
			continue // never spiked
		}
		d := m.rPot.at(i, t) * (m.a2p + m.a3p*op)
		if d == 0 {
			continue
		}
		x := m.x[s]
		reset := m.z[s] - x
		if reset > 0 {
			d *= 1 + m.p.CR*reset
		}
		if d > 1 {
			d = 1
		}
		if reset < 0 {
			g := m.gateAt(s, t)
			m.setGate(s, t, g+d*(1-g))
		}
		m.x[s] = x + d*(1-x)
		m.deliver(s)
		m.wake(s)
	}
	m.oPot.bump(j, t)
	m.oDep.bump(j, t)
}

// wake puts s on the slow clock after a change, restarting its dwell.
func (m *ziegler) wake(s int64) {
	m.act.add(s)
	m.calm[s] = 0
}

// RuleWeights returns the rule buffer: x rounded to float32.
func (m *ziegler) RuleWeights() []float32 { return m.rule.weights(m.n, m.x) }

// Changed signals the rule's changes of synapses off+syn[k] at tick t.
func (m *ziegler) Changed(t snnsim.Time, off snnsim.SynapseID, syn []int32) {
	for _, c := range m.rule.changes(off, syn, m.x) {
		m.Signal(t, c.s, c.dw)
	}
}

// Signal adds dw to x.
func (m *ziegler) Signal(t snnsim.Time, s snnsim.SynapseID, dw float64) {
	m.Advance(t)
	if dw == 0 {
		return
	}
	m.x[s] += dw
	m.deliver(s)
	m.wake(s)
}

func (m *ziegler) Modulators() []string { return []string{"dopamine"} }

// SetLevel sets the dopamine level of every target from tick t on: above 0
// the protein rises towards 1, otherwise it decays.
func (m *ziegler) SetLevel(t snnsim.Time, name string, level float64) error {
	if name != "dopamine" {
		return fmt.Errorf("consolidation: ziegler_2015 reads the level \"dopamine\", not %q", name)
	}
	if math.IsNaN(level) || math.IsInf(level, 0) {
		return fmt.Errorf("consolidation: ziegler_2015: dopamine level %g: must be a finite number", level)
	}
	m.Advance(t)
	on := level > 0
	if on == m.dopamine {
		return nil
	}
	e := m.proteinDecay(t)
	for j := range m.p0 {
		m.p0[j] = m.protein(int32(j), e)
	}
	m.pT, m.dopamine = t, on
	return nil
}

func (m *ziegler) Vars() []string { return []string{"efficacy", "x", "y", "z", "g"} }

// Get returns efficacy, x, y, z or g (g at the model's latest tick).
func (m *ziegler) Get(v int, s snnsim.SynapseID) float64 {
	checkVar(modelZiegler, v, 5)
	switch v {
	case 0:
		return m.efficacy(m.x[s])
	case 1:
		return m.x[s]
	case 2:
		return m.y[s]
	case 3:
		return m.z[s]
	}
	return m.gateAt(s, m.now)
}

// Set sets a variable of s at tick t: x, y, z in [−3, 3], the efficacy of
// an x in that range, g in [0, 1].
func (m *ziegler) Set(t snnsim.Time, v int, s snnsim.SynapseID, val float64) error {
	checkVar(modelZiegler, v, 5)
	m.Advance(t)
	switch v {
	case 0:
		lo, hi := m.efficacy(-3), m.efficacy(3)
		if lo > hi {
			lo, hi = hi, lo
		}
		if m.p.KW == 1 {
			return fmt.Errorf("consolidation: ziegler_2015: efficacy cannot be set with k_w = 1 (it is always 1); set x")
		}
		if err := finiteIn(modelZiegler, "efficacy", val, lo, hi); err != nil {
			return err
		}
		m.x[s] = (2*val - (m.p.KW + 1)) / (m.p.KW - 1)
	case 1, 2, 3:
		if err := finiteIn(modelZiegler, m.Vars()[v], val, -3, 3); err != nil {
			return err
		}
		switch v {
		case 1:
			m.x[s] = val
		case 2:
			m.y[s] = val
		default:
			m.z[s] = val
		}
	case 4:
		if err := finiteIn(modelZiegler, "g", val, 0, 1); err != nil {
			return err
		}
		m.setGate(s, t, val)
	}
	m.deliver(s)
	m.wake(s)
	return nil
}

func (m *ziegler) NeuronVars() []string { return []string{"protein"} }

// NeuronGet returns the protein level of target j at the model's latest
// tick.
func (m *ziegler) NeuronGet(v int, j int32) float64 {
	checkVar(modelZiegler, v, 1)
	return m.protein(j, m.proteinDecay(m.now))
}

// AppendState appends the frame "consolidation/ziegler_2015", version 1:
// the identity (sizes, resolution, seed, connectivity fingerprint and the
// parameters tau_g, theta_g, t_upd, the four trace time constants,
// tau_prp_up, tau_prp_down), the model tick and the last slow tick, the
// dopamine flag, the tick of its last change and every target's protein
// level then, the presynaptic traces r_pot and r_dep and the postsynaptic
// traces o_pot and o_dep (each neuron's last tick, value after and value
// before), then per synapse x, y, z, g, the tick of g, the draw count
// of its random stream and its settled-tick count, and last the active synapses.
func (m *ziegler) AppendState(b []byte) []byte {
	b, start := beginClocked(b, &m.id, m.now, &m.clock)
	b = checkpoint.PutBool(b, m.dopamine)
	b = checkpoint.PutI64(b, int64(m.pT))
	for _, p := range m.p0 {
		b = checkpoint.PutF64(b, p)
	}
	b = m.rPot.appendTo(b)
	b = m.rDep.appendTo(b)
	b = m.oPot.appendTo(b)
	b = m.oDep.appendTo(b)
	counts := m.st.Counts()
	for s := range m.x {
		b = checkpoint.PutF64(b, m.x[s])
		b = checkpoint.PutF64(b, m.y[s])
		b = checkpoint.PutF64(b, m.z[s])
		b = checkpoint.PutF64(b, m.g[s])
		b = checkpoint.PutI64(b, int64(m.gT[s]))
		b = checkpoint.PutI64(b, int64(counts[s]))
		b = checkpoint.PutU32(b, uint32(m.calm[s]))
	}
	b = appendActive(b, &m.act)
	return checkpoint.End(b, start)
}

// RestoreState reads a frame written by AppendState; on error the model is
// unchanged. Restored into a model with skip_settled = false, every
// synapse is active.
func (m *ziegler) RestoreState(b []byte) ([]byte, error) {
	tag := stateTag(modelZiegler)
	d, rest, now, done, err := m.id.openClocked(b, m.clock.period)
	if err != nil {
		return nil, err
	}
	da, pT := d.U8(), snnsim.Time(d.I64())
	if d.Short {
		return nil, d.Done(tag)
	}
	if da > 1 || pT < 0 || pT > now {
		return nil, stateCodec.Corruptf("ziegler_2015 state: dopamine byte %d changed at tick %d (model at tick %d)", da, pT, now)
	}
	if len(d.B) < 8*len(m.p0) {
		return nil, d.Done(tag)
	}
	p0 := make([]float64, len(m.p0))
	for j := range p0 {
		p0[j] = d.F64()
		if !(p0[j] >= 0 && p0[j] <= 1) {
			return nil, stateCodec.Corruptf("ziegler_2015 state: protein of neuron %d is %g", j, p0[j])
		}
	}
	var tr [4]lazyTrace
	for k, src := range []*lazyTrace{&m.rPot, &m.rDep, &m.oPot, &m.oDep} {
		if tr[k], err = src.read(d, now, [...]string{"r_pot", "r_dep", "o_pot", "o_dep"}[k]); err != nil {
			return nil, err
		}
	}
	if d.Short || len(d.B) < 52*m.n {
		return nil, d.Done(tag)
	}
	x, y, z, g := make([]float64, m.n), make([]float64, m.n), make([]float64, m.n), make([]float64, m.n)
	gT, shut := make([]snnsim.Time, m.n), make([]snnsim.Time, m.n)
	counts := make([]uint64, m.n)
	calm := make([]int32, m.n)
	for s := range x {
		x[s], y[s], z[s], g[s] = d.F64(), d.F64(), d.F64(), d.F64()
		gT[s], counts[s] = snnsim.Time(d.I64()), uint64(d.I64())
		c := d.U32()
		if c > math.MaxInt32 {
			return nil, stateCodec.Corruptf("ziegler_2015 state: synapse %d settled for %d slow ticks", s, c)
		}
		calm[s] = int32(c)
		for _, v := range [3]float64{x[s], y[s], z[s]} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, stateCodec.Corruptf("ziegler_2015 state: synapse %d has x, y, z = %g, %g, %g", s, x[s], y[s], z[s])
			}
		}
		if !(g[s] >= 0 && g[s] <= 1) || gT[s] < 0 || gT[s] > now {
			return nil, stateCodec.Corruptf("ziegler_2015 state: synapse %d has g = %g at tick %d (model at tick %d)", s, g[s], gT[s], now)
		}
		shut[s] = m.shutTick(g[s], gT[s])
	}
	list, err := m.id.closeActive(d)
	if err != nil {
		return nil, err
	}
	m.now, m.clock.done = now, done
	m.dopamine, m.pT, m.p0 = da == 1, pT, p0
	m.rPot, m.rDep, m.oPot, m.oDep = tr[0], tr[1], tr[2], tr[3]
	m.x, m.y, m.z, m.g, m.gT, m.shut, m.calm = x, y, z, g, gT, shut, calm
	copy(m.st.Counts(), counts)
	m.act.restore(list, m.p.SkipSettled)
	if m.out != nil {
		m.Bind(m.out)
	}
	m.rule.fill(m.x)
	return rest, nil
}
