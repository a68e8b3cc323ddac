package consolidation

import (
	"fmt"
	"math"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
)

const (
	modelImportance = "importance_si"
	levelTask       = "task"
)

// ImportanceParams are the parameters of the importance-weighted synapse
// after synaptic intelligence (Zenke, Poole & Ganguli 2017, "Continual
// learning through synaptic intelligence", ICML).
//
// Every synapse has a weight w (the weight that spikes transmit and that a
// plasticity rule sees and changes), a path integral ω of the current
// task, an importance Ω summed over past tasks and an anchor w*, the
// weight at the end of the previous task:
//
//	Signal(dw):        w ← w + dw;   ω ← ω + dw²
//	task boundary:     Ω ← Ω + ω/((w − w*)² + ξ);   ω ← 0;   w* ← w
//	between events:    dw/dt = −(2c·Ω/τ)·(w − w*)
//	delivered weight:  w
//
// Published (Zenke et al. 2017): the path integral ω = −Σ g·Δw of the
// loss gradient g along the weight's trajectory, the consolidation
// Ω ← Ω + ω/(Δ² + ξ) with Δ the weight's change over the task, the anchor
// at the task's final weight, and the quadratic surrogate penalty
// c·Σ Ω (w − w*)², whose gradient is
// 2cΩ(w − w*). This project's spiking translation: a spiking network has
// no loss gradient, so the local learning signal is the plasticity rule's
// own change: if the rule's change were a gradient step dw = −η·g, then
// −g·dw = dw²/η, so ω accumulates dw² and the constant 1/η is absorbed
// into c (ω and Δ² are then both in weight², and Ω is dimensionless). The
// penalty acts as a gradient flow of time constant τ: w relaxes
// exponentially towards w* at the rate 2cΩ/τ (only c/τ enters; c keeps
// the paper's name). The relaxation does not add to ω: ω measures the
// rule's contribution only.
//
// Task boundaries are changes of the level "task" (see [Leveled]; a
// scenario's [[neuromodulator]] table with name = "task"): every change of
// its value (initially 0) to a different value consolidates every synapse
// at that tick; number the tasks 1, 2, 3, ….
//
// The relaxation is applied on a slow clock of step slow_step, in closed
// form: at every multiple of slow_step, w − w* is multiplied by
// exp(−2cΩ·slow_step/τ), so w at the slow ticks is the exact solution of
// the relaxation; between slow ticks w changes only by signals. Only
// synapses with Ω > 0 and |w − w*| > settle_tol are stepped (a change of
// w or Ω makes a synapse active again); Next is snnsim.Never while none is.
//
//	key          default  unit   meaning
//	c            0.1      1      penalty strength c, >= 0
//	tau          1000     ms     gradient-flow time constant τ of the penalty, > 0
//	xi           1e-3     weight² damping ξ of the consolidation, > 0
//	slow_step    100      ms     step of the relaxation, whole ticks, <= tau/10
//	settle_tol   1e-9     weight |w − w*| below which a synapse is not stepped, > 0
//
// c = 0.1 and ξ = 1e-3 are of the order the paper uses; with the
// translation above they are this project's defaults, as are τ and the
// steps. Initial state: w = Unit[s], w* = w, ω = Ω = 0. Vars: "w",
// "w_anchor", "omega" (ω), "importance" (Ω). Tests: TestImportanceRelax,
// TestImportanceAccumulate, TestStateResume, TestStateConformance.
type ImportanceParams struct {
	C         float64 `toml:"c"`                   // penalty strength c [1]
	Tau       float64 `toml:"tau" unit:"ms"`       // gradient-flow time constant τ [ms]
	Xi        float64 `toml:"xi"`                  // damping ξ [weight²]
	SlowStep  float64 `toml:"slow_step" unit:"ms"` // relaxation step [ms]
	SettleTol float64 `toml:"settle_tol"`          // settling distance [weight]
}

// DefaultImportance returns the defaults of the table in
// [ImportanceParams].
func DefaultImportance() ImportanceParams {
	return ImportanceParams{C: 0.1, Tau: 1000, Xi: 1e-3, SlowStep: 100, SettleTol: 1e-9}
}

// Model returns "importance_si".
func (ImportanceParams) Model() string { return modelImportance }

// Validate checks the parameters.
func (p ImportanceParams) Validate() error {
	c := checkParams(modelImportance, p)
	c.NonNegative("c", p.C)
	c.Positive("tau", p.Tau)
	c.Positive("xi", p.Xi)
	c.Positive("slow_step", p.SlowStep)
	c.AtMost("slow_step", p.SlowStep, "tau/10", p.Tau/10)
	c.Positive("settle_tol", p.SettleTol)
	return c.Err()
}

// Modulators returns ["task"], the task-boundary level.
func (ImportanceParams) Modulators() []string { return []string{levelTask} }

// Vars returns ["w", "w_anchor", "omega", "importance"].
func (ImportanceParams) Vars() []string { return importanceVars() }

func importanceVars() []string { return []string{"w", "w_anchor", "omega", "importance"} }

func init() {
	models.Register(modelImportance, func() Params { p := DefaultImportance(); return &p })
}

func (p ImportanceParams) build(l Layout) (Model, error) {
	period, err := slowPeriod(modelImportance, "slow_step", p.SlowStep, l.Clock)
	if err != nil {
		return nil, err
	}
	n := len(l.Target)
	m := &importance{
		p: p, n: n,
		k:     2 * p.C * float64(period) * l.Clock.DT / p.Tau,
		w:     make([]float64, n),
		ws:    make([]float64, n),
		om:    make([]float64, n),
		big:   make([]float64, n),
		act:   newActiveSet(n),
		clock: slowClock{period: period},
		id: newStateIdent(modelImportance, &l, []string{"c", "tau", "xi", "slow_step"},
			[]float64{p.C, p.Tau, p.Xi, p.SlowStep}),
	}
	for s, u := range l.Unit {
		m.w[s], m.ws[s] = float64(u), float64(u)
	}
	return m, nil
}

// importance is the importance_si model bound to a layout.
type importance struct {
	p   ImportanceParams
	n   int
	k   float64 // 2c·slow_step/τ: the relaxation exponent per unit Ω
	w   []float64
	ws  []float64 // anchors w*
	om  []float64 // path integrals ω
	big []float64 // importances Ω

	task  float64 // the level "task"
	act   activeSet
	clock slowClock
	now   snnsim.Time
	out   []float32
	id    stateIdent
	rule  ruleBuf
}

func (m *importance) Name() string { return modelImportance }
func (m *importance) Len() int     { return m.n }

func (m *importance) Bind(w []float32) { m.out = bindWeights(modelImportance, w, m.w) }

// moving reports whether synapse s relaxes.
func (m *importance) moving(s int64) bool {
	return m.big[s] > 0 && m.k > 0 && math.Abs(m.w[s]-m.ws[s]) > m.p.SettleTol
}

// touch records a change of synapse s.
func (m *importance) touch(s int64) {
	if m.out != nil {
		m.out[s] = float32(m.w[s])
	}
	m.rule.set(s, m.w[s])
	if m.moving(s) {
		m.act.add(s)
	}
}

// Advance does the relaxation steps at the slow ticks <= t.
func (m *importance) Advance(t snnsim.Time) {
	if t > m.now {
		m.now = t
	}
	for m.act.len() > 0 && m.clock.due(t) {
		k := m.clock.next()
		m.step()
		m.clock.done = k
	}
	if m.act.len() == 0 {
		m.clock.skipTo(t)
	}
}

// step multiplies w − w* of every active synapse by exp(−k·Ω); settled
// synapses leave the set.
func (m *importance) step() {
	list := m.act.list
	for i := len(list) - 1; i >= 0; i-- {
		s := list[i]
		if !m.moving(s) {
			m.act.removeAt(i)
			continue
		}
		m.w[s] = m.ws[s] + (m.w[s]-m.ws[s])*math.Exp(-m.k*m.big[s])
		if m.out != nil {
			m.out[s] = float32(m.w[s])
		}
		m.rule.set(s, m.w[s])
	}
}

func (m *importance) Next() snnsim.Time {
	if m.act.len() == 0 {
		return snnsim.Never
	}
	return m.clock.next()
}

func (m *importance) Pre(t snnsim.Time, _ int32, _, _ int64) { m.Advance(t) }
func (m *importance) Post(t snnsim.Time, _ int32)            { m.Advance(t) }

// Modulators returns ["task"].
func (m *importance) Modulators() []string { return []string{levelTask} }

// SetLevel sets the level "task" from tick t on; a change of its value
// is a task boundary, at which every synapse is consolidated.
func (m *importance) SetLevel(t snnsim.Time, name string, level float64) error {
	if name != levelTask {
		return fmt.Errorf("consolidation: %s reads only the level %q, not %q", modelImportance, levelTask, name)
	}
	if math.IsNaN(level) || math.IsInf(level, 0) {
		return fmt.Errorf("consolidation: %s: level %q = %g: must be a finite number (a task number)", modelImportance, levelTask, level)
	}
	m.Advance(t)
	if level == m.task {
		return nil
	}
	m.task = level
	m.consolidate()
	return nil
}

// consolidate ends a task: Ω ← Ω + ω/(Δ² + ξ), ω ← 0, w* ← w. Every
// synapse is then at its anchor, so none relaxes.
func (m *importance) consolidate() {
	for s := range m.w {
		d := m.w[s] - m.ws[s]
		m.big[s] += m.om[s] / (d*d + m.p.Xi)
		m.om[s] = 0
		m.ws[s] = m.w[s]
	}
	m.act.reset(m.act.list[:0])
}

// isFinite reports whether x is neither NaN nor infinite.
func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// RuleWeights returns the rule buffer: w rounded to float32.
func (m *importance) RuleWeights() []float32 { return m.rule.weights(m.n, m.w) }

// Changed signals the rule's changes of synapses off+syn[k] at tick t.
func (m *importance) Changed(t snnsim.Time, off snnsim.SynapseID, syn []int32) {
	for _, c := range m.rule.changes(off, syn, m.w) {
		m.Signal(t, c.s, c.dw)
	}
}

func (m *importance) Signal(t snnsim.Time, s snnsim.SynapseID, dw float64) {
	m.Advance(t)
	m.w[s] += dw
	m.om[s] += dw * dw
	m.touch(s)
}

func (m *importance) Vars() []string { return importanceVars() }

func (m *importance) Get(v int, s snnsim.SynapseID) float64 {
	checkVar(modelImportance, v, 4)
	return [][]float64{m.w, m.ws, m.om, m.big}[v][s]
}

// Set sets w or w* (any finite value), ω or Ω (finite, >= 0) at tick t.
func (m *importance) Set(t snnsim.Time, v int, s snnsim.SynapseID, x float64) error {
	checkVar(modelImportance, v, 4)
	lo := math.Inf(-1)
	if v >= 2 {
		lo = 0
	}
	if err := finiteIn(modelImportance, importanceVars()[v], x, lo, math.Inf(1)); err != nil {
		return err
	}
	m.Advance(t)
	[][]float64{m.w, m.ws, m.om, m.big}[v][s] = x
	m.touch(s)
	return nil
}

// AppendState appends the frame "consolidation/importance_si", version 1:
// the identity (sizes, resolution, seed, connectivity fingerprint, c, tau,
// xi, slow_step), the model tick and the last slow tick, the level
// "task", w, w*, ω and Ω of every synapse and the active synapses.
func (m *importance) AppendState(b []byte) []byte {
	b, start := beginClocked(b, &m.id, m.now, &m.clock)
	b = checkpoint.PutF64(b, m.task)
	for s := range m.w {
		b = checkpoint.PutF64(b, m.w[s])
		b = checkpoint.PutF64(b, m.ws[s])
		b = checkpoint.PutF64(b, m.om[s])
		b = checkpoint.PutF64(b, m.big[s])
	}
	b = appendActive(b, &m.act)
	return checkpoint.End(b, start)
}

// RestoreState reads a frame written by AppendState; on error the model is
// unchanged.
func (m *importance) RestoreState(b []byte) ([]byte, error) {
	d, rest, now, done, err := m.id.openClocked(b, m.clock.period)
	if err != nil {
		return nil, err
	}
	task := d.F64()
	if len(d.B) < 32*m.n {
		return nil, d.Done(stateTag(modelImportance))
	}
	if !isFinite(task) {
		return nil, stateCodec.Corruptf("%s state: level task = %g", modelImportance, task)
	}
	w, ws, om, big := make([]float64, m.n), make([]float64, m.n), make([]float64, m.n), make([]float64, m.n)
	for s := range w {
		w[s], ws[s], om[s], big[s] = d.F64(), d.F64(), d.F64(), d.F64()
		if !isFinite(w[s]) || !isFinite(ws[s]) || !(om[s] >= 0 && om[s] <= math.MaxFloat64) || !(big[s] >= 0 && big[s] <= math.MaxFloat64) {
			return nil, stateCodec.Corruptf("%s state: synapse %d has w = %g, w_anchor = %g, omega = %g, importance = %g", modelImportance, s, w[s], ws[s], om[s], big[s])
		}
	}
	list, err := m.id.closeActive(d)
	if err != nil {
		return nil, err
	}
	m.now, m.clock.done, m.task = now, done, task
	m.w, m.ws, m.om, m.big = w, ws, om, big
	m.act.reset(list)
	if m.out != nil {
		m.Bind(m.out)
	}
	m.rule.fill(m.w)
	return rest, nil
}
