package consolidation

import (
	"math"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
)

const modelTrivial = "trivial"

// TrivialParams are the (empty) parameters of the trivial model: a plain
// synapse whose weight is its only state.
//
//	state        w per synapse, initially the compiled weight Unit[s]
//	rule weight  w
//	Signal       w ← w + dw          (no bounds: the plasticity rule bounds dw)
//	delivered    w
//
// It has no time dynamics (Next is always snnsim.Never), reads no
// neuromodulator (it is not [Leveled]) and ignores Pre and Post. Vars: "w". A projection with it
// behaves as one without consolidation: a plain synapse is the trivial
// model, which makes it the reference the other models' plumbing is
// tested against. Tests: TestTrivial, TestStateResume.
type TrivialParams struct{}

// DefaultTrivial returns the trivial model's parameters.
func DefaultTrivial() TrivialParams { return TrivialParams{} }

// Model returns "trivial".
func (TrivialParams) Model() string { return modelTrivial }

// Validate returns nil: the model has no parameters.
func (TrivialParams) Validate() error { return nil }

// Modulators returns nil: the model reads no level.
func (TrivialParams) Modulators() []string { return nil }

// Vars returns ["w"].
func (TrivialParams) Vars() []string { return []string{"w"} }

func (TrivialParams) build(l Layout) (Model, error) {
	m := &trivial{n: len(l.Target), w: make([]float64, len(l.Target)),
		id: newStateIdent(modelTrivial, &l, nil, nil)}
	for s, u := range l.Unit {
		m.w[s] = float64(u)
	}
	return m, nil
}

func init() {
	models.Register(modelTrivial, func() Params { p := DefaultTrivial(); return &p })
}

// trivial is the trivial model bound to a layout.
type trivial struct {
	n    int
	w    []float64 // weights
	out  []float32 // delivery array (Bind)
	id   stateIdent
	rule ruleBuf
}

func (m *trivial) Name() string { return modelTrivial }
func (m *trivial) Len() int     { return m.n }

func (m *trivial) Bind(w []float32) { m.out = bindWeights(modelTrivial, w, m.w) }

func (m *trivial) Advance(snnsim.Time)                  {}
func (m *trivial) Next() snnsim.Time                    { return snnsim.Never }
func (m *trivial) Pre(snnsim.Time, int32, int64, int64) {}
func (m *trivial) Post(snnsim.Time, int32)              {}

// deliver passes a new w[s] to the delivery array and the rule buffer.
func (m *trivial) deliver(s int64) {
	if m.out != nil {
		m.out[s] = float32(m.w[s])
	}
	m.rule.set(s, m.w[s])
}

func (m *trivial) Signal(_ snnsim.Time, s snnsim.SynapseID, dw float64) {
	m.w[s] += dw
	m.deliver(s)
}

// RuleWeights returns the rule buffer: w rounded to float32.
func (m *trivial) RuleWeights() []float32 { return m.rule.weights(m.n, m.w) }

// Changed signals the rule's changes of synapses off+syn[k] at tick t.
func (m *trivial) Changed(t snnsim.Time, off snnsim.SynapseID, syn []int32) {
	for _, c := range m.rule.changes(off, syn, m.w) {
		m.Signal(t, c.s, c.dw)
	}
}

func (m *trivial) Vars() []string { return []string{"w"} }

func (m *trivial) Get(v int, s snnsim.SynapseID) float64 {
	checkVar(modelTrivial, v, 1)
	return m.w[s]
}

func (m *trivial) Set(_ snnsim.Time, v int, s snnsim.SynapseID, x float64) error {
	checkVar(modelTrivial, v, 1)
	if err := finiteIn(modelTrivial, "w", x, math.Inf(-1), math.Inf(1)); err != nil {
		return err
	}
	m.w[s] = x
	m.deliver(s)
	return nil
}

// AppendState appends the frame "consolidation/trivial", version 1: the
// identity (synapse, source and target counts, resolution, seed,
// connectivity fingerprint) and every weight.
func (m *trivial) AppendState(b []byte) []byte {
	b, start := beginState(b, &m.id)
	for _, v := range m.w {
		b = checkpoint.PutF64(b, v)
	}
	return checkpoint.End(b, start)
}

// RestoreState reads a frame written by AppendState; on error the model is
// unchanged.
func (m *trivial) RestoreState(b []byte) ([]byte, error) {
	d, rest, err := m.id.open(b)
	if err != nil {
		return nil, err
	}
	if len(d.B) < 8*m.n {
		return nil, d.Done(stateTag(modelTrivial))
	}
	w := make([]float64, m.n)
	for s := range w {
		w[s] = d.F64()
		if math.IsNaN(w[s]) || math.IsInf(w[s], 0) {
			return nil, stateCodec.Corruptf("trivial state: weight of synapse %d is %g", s, w[s])
		}
	}
	if err := d.Done(stateTag(modelTrivial)); err != nil {
		return nil, err
	}
	m.w = w
	if m.out != nil {
		m.Bind(m.out)
	}
	m.rule.fill(m.w)
	return rest, nil
}
