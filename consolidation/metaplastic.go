package consolidation

import (
	"fmt"
	"math"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
)

const (
	modelMetaplastic = "metaplastic_laborieux_2021"
	metaOutBinary    = "binary"
	metaOutHidden    = "hidden"
)

// MetaplasticParams are the parameters of the metaplastic synapse after
// Laborieux, Ernoult, Hirtzlin & Querlioz (2021), "Synaptic metaplasticity
// in binarized neural networks", Nat Commun 12:2549.
//
// Every synapse has a hidden weight W_h that a plasticity rule drives
// (its early-phase changes dw reach the model through Signal) and whose
// updates towards zero are attenuated the more, the larger |W_h| is:
//
//	f_meta(W_h) = 1 − tanh²(m·|W_h|)
//	Signal(dw):  W_h ← W_h + dw              if dw·W_h >= 0   (|W_h| grows, or W_h = 0)
//	             W_h ← W_h + f_meta(W_h)·dw  if dw·W_h < 0    (|W_h| shrinks)
//	efficacy e:  binary: e = 1 if W_h > 0, else 0
//	             hidden: e = max(W_h, 0)
//	delivered:   Unit[s]·e
//
// Published (Laborieux et al. 2021, the metaplastic update of the
// Results and of Algorithm 1 in the Methods): f_meta, and the
// rule that an update decreasing |W_h| is scaled by f_meta evaluated at the
// present W_h while one increasing |W_h| passes unchanged; m = 0 gives a
// plain hidden weight. The paper's transmitted weight is W_b = sign(W_h)
// ∈ {−1, +1}. This project's spiking translation: the update is the
// plasticity rule's weight change instead of an optimiser step, and,
// since a spiking synapse cannot change its sign, the binary efficacy maps
// sign(W_h) = −1 to 0 (silent) and +1 to 1 (output "binary"); output
// "hidden" transmits the rectified hidden weight (this project's
// real-valued option, not the paper's). A decreasing update that crosses zero
// is scaled as a whole by f_meta at its start, as in the paper's discrete
// update.
//
// For a constant depressing drive of rate r (dw = −r·dt per step, dt → 0)
// |W_h| obeys d|W_h|/dt = −r·(1 − tanh²(m|W_h|)) = −r/cosh²(m|W_h|), whose
// solution satisfies 2m|W_h(t)| + sinh(2m|W_h(t)|) = 2m|W_h(0)| +
// sinh(2m|W_h(0)|) − 4m·r·t (TestMetaplasticAttenuation). W_h has no
// dynamics of its own (Next is always snnsim.Never) and is unbounded: the
// plasticity rule's bounds clip it, so they should leave room on both
// sides of 0 for the sign to matter. The model reads no level and ignores
// Pre and Post. Vars: "w" (the efficacy e, read-only), "w_h".
//
//	key        default   unit   meaning
//	m          1.3       1/weight  metaplasticity strength m, >= 0
//	w_h_init   0.5       weight initial hidden weight of every synapse, finite
//	output     "binary"  –      efficacy: "binary" (sign) or "hidden" (max(W_h, 0))
//
// m = 1.3 is this project's default (the paper sweeps m; its value for a
// given task is a tuning choice); w_h_init is this project's choice.
// Tests: TestMetaplasticAttenuation, TestMetaplasticPotentiation,
// TestStateResume, TestStateConformance.
type MetaplasticParams struct {
	M      float64 `toml:"m"`        // metaplasticity strength m [1/weight]
	WHInit float64 `toml:"w_h_init"` // initial hidden weight [weight]
	Output string  `toml:"output"`   // "binary" or "hidden"
}

// DefaultMetaplastic returns the defaults of the table in
// [MetaplasticParams].
func DefaultMetaplastic() MetaplasticParams {
	return MetaplasticParams{M: 1.3, WHInit: 0.5, Output: metaOutBinary}
}

// Model returns "metaplastic_laborieux_2021".
func (MetaplasticParams) Model() string { return modelMetaplastic }

// Validate checks the parameters.
func (p MetaplasticParams) Validate() error {
	c := checkParams(modelMetaplastic, p)
	c.NonNegative("m", p.M)
	c.Finite("w_h_init", p.WHInit)
	c.OneOf("output", p.Output, metaOutBinary, metaOutHidden)
	return c.Err()
}

// Modulators returns nil: the model reads no level.
func (MetaplasticParams) Modulators() []string { return nil }

// Vars returns ["w", "w_h"].
func (MetaplasticParams) Vars() []string { return []string{"w", "w_h"} }

func init() {
	models.Register(modelMetaplastic, func() Params { p := DefaultMetaplastic(); return &p })
}

func (p MetaplasticParams) build(l Layout) (Model, error) {
	n := len(l.Target)
	m := &metaplastic{p: p, n: n, unit: l.Unit, wh: make([]float64, n),
		id: newStateIdent(modelMetaplastic, &l, []string{"m"}, []float64{p.M})}
	for s := range m.wh {
		m.wh[s] = p.WHInit
	}
	return m, nil
}

// metaplastic is the metaplastic_laborieux_2021 model bound to a layout.
type metaplastic struct {
	p    MetaplasticParams
	n    int
	unit []float32
	wh   []float64 // hidden weights W_h
	out  []float32
	id   stateIdent
	rule ruleBuf
}

// fMeta returns 1 − tanh²(m·|x|).
func (m *metaplastic) fMeta(x float64) float64 {
	t := math.Tanh(m.p.M * math.Abs(x))
	return 1 - t*t
}

// efficacy returns e for hidden weight x.
func (m *metaplastic) efficacy(x float64) float64 {
	if m.p.Output == metaOutHidden {
		return math.Max(x, 0)
	}
	if x > 0 {
		return 1
	}
	return 0
}

func (m *metaplastic) Name() string { return modelMetaplastic }
func (m *metaplastic) Len() int     { return m.n }

func (m *metaplastic) Bind(w []float32) {
	if len(w) != m.n {
		bindWeights(modelMetaplastic, w, m.wh) // panics with the sizes
	}
	m.out = w
	for s := range m.wh {
		m.deliver(int64(s))
	}
}

func (m *metaplastic) Advance(snnsim.Time)                  {}
func (m *metaplastic) Next() snnsim.Time                    { return snnsim.Never }
func (m *metaplastic) Pre(snnsim.Time, int32, int64, int64) {}
func (m *metaplastic) Post(snnsim.Time, int32)              {}

// deliver passes a new W_h of synapse s to the delivery array and the rule
// buffer.
func (m *metaplastic) deliver(s int64) {
	if m.out != nil {
		m.out[s] = float32(float64(m.unit[s]) * m.efficacy(m.wh[s]))
	}
	m.rule.set(s, m.wh[s])
}

// Signal applies the rule's change dw of synapse s, attenuated by f_meta
// when it moves W_h towards zero.
func (m *metaplastic) Signal(_ snnsim.Time, s snnsim.SynapseID, dw float64) {
	x := m.wh[s]
	if dw*x < 0 {
		dw *= m.fMeta(x)
	}
	m.wh[s] = x + dw
	m.deliver(s)
}

// RuleWeights returns the rule buffer: W_h rounded to float32.
func (m *metaplastic) RuleWeights() []float32 { return m.rule.weights(m.n, m.wh) }

// Changed signals the rule's changes of synapses off+syn[k] at tick t.
func (m *metaplastic) Changed(t snnsim.Time, off snnsim.SynapseID, syn []int32) {
	for _, c := range m.rule.changes(off, syn, m.wh) {
		m.Signal(t, c.s, c.dw)
	}
}

func (m *metaplastic) Vars() []string { return []string{"w", "w_h"} }

func (m *metaplastic) Get(v int, s snnsim.SynapseID) float64 {
	checkVar(modelMetaplastic, v, 2)
	if v == 0 {
		return m.efficacy(m.wh[s])
	}
	return m.wh[s]
}

// Set sets W_h (v = 1, any finite value); the efficacy (v = 0) is
// read-only.
func (m *metaplastic) Set(_ snnsim.Time, v int, s snnsim.SynapseID, x float64) error {
	checkVar(modelMetaplastic, v, 2)
	if v == 0 {
		return fmt.Errorf("consolidation: %s: variable w is read-only (it follows w_h: set w_h instead)", modelMetaplastic)
	}
	if err := finiteIn(modelMetaplastic, "w_h", x, math.Inf(-1), math.Inf(1)); err != nil {
		return err
	}
	m.wh[s] = x
	m.deliver(s)
	return nil
}

// AppendState appends the frame "consolidation/metaplastic_laborieux_2021",
// version 1: the identity (sizes, resolution, seed, connectivity
// fingerprint, m) and W_h of every synapse.
func (m *metaplastic) AppendState(b []byte) []byte {
	b, start := beginState(b, &m.id)
	for _, v := range m.wh {
		b = checkpoint.PutF64(b, v)
	}
	return checkpoint.End(b, start)
}

// RestoreState reads a frame written by AppendState; on error the model is
// unchanged.
func (m *metaplastic) RestoreState(b []byte) ([]byte, error) {
	d, rest, err := m.id.open(b)
	if err != nil {
		return nil, err
	}
	if len(d.B) < 8*m.n {
		return nil, d.Done(stateTag(modelMetaplastic))
	}
	wh := make([]float64, m.n)
	for s := range wh {
		wh[s] = d.F64()
		if math.IsNaN(wh[s]) || math.IsInf(wh[s], 0) {
			return nil, stateCodec.Corruptf("%s state: hidden weight of synapse %d is %g", modelMetaplastic, s, wh[s])
		}
	}
	if err := d.Done(stateTag(modelMetaplastic)); err != nil {
		return nil, err
	}
	m.wh = wh
	if m.out != nil {
		m.Bind(m.out)
	}
	m.rule.fill(m.wh)
	return rest, nil
}
