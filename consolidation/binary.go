package consolidation

import "github.com/snnsim/snnsim"

const modelBinary = "binary"

func init() {
	models.Register(modelBinary, func() Params { p := DefaultBinary(); return &p })
}

// BinaryParams are the parameters of the bounded binary synapse of Amit &
// Fusi (1994); see [Binary] for the equations.
//
//	key      default        unit  meaning
//	q        0.1                  transition probability per candidate event, in (0, 1]
//	w_low    0                    efficacy of the weak state (state −1)
//	w_high   1                    efficacy of the strong state (state +1), > w_low
//	init     "equilibrium"        initial states: "equilibrium" (each synapse strong or weak
//	                              with probability ½, the stationary distribution for f± = ½),
//	                              "low" (all weak) or "high" (all strong)
//
// The default q = 0.1 is a textbook example: its lifetime ln(q√N)/q is
// about 23 memories for N = 10⁴ (Amit & Fusi 1994; Fusi & Abbott 2007).
type BinaryParams struct {
	Q     float64 `toml:"q"`
	WLow  float64 `toml:"w_low"`
	WHigh float64 `toml:"w_high"`
	Init  string  `toml:"init"`
}

// DefaultBinary returns q = 0.1, efficacies 0 and 1, equilibrium start.
func DefaultBinary() BinaryParams {
	return BinaryParams{Q: 0.1, WLow: 0, WHigh: 1, Init: initEquilibrium}
}

// Model returns "binary".
func (p *BinaryParams) Model() string { return modelBinary }

// Modulators returns nil: the model reads no level.
func (p *BinaryParams) Modulators() []string { return nil }

// Vars returns the per-synapse variables: efficacy (w_low or w_high) and
// state (−1 or +1).
func (p *BinaryParams) Vars() []string { return []string{"efficacy", "state"} }

// Validate checks every parameter; the error names the TOML key, the value
// and the constraint ("consolidation: binary.q = 1.5: must be in (0, 1]").
func (p *BinaryParams) Validate() error {
	c := checkParams(modelBinary, p)
	if !(p.Q > 0 && p.Q <= 1) {
		c.Fail("q", p.Q, "must be in (0, 1]")
	}
	checkEfficacies(c, p.WLow, p.WHigh)
	c.OneOf("init", p.Init, initEquilibrium, initLow, initHigh)
	return c.Err()
}

func (p *BinaryParams) build(l Layout) (Model, error) { return newBinary(*p, l), nil }

// Binary is the bounded binary synapse of Amit & Fusi (1994), Neural
// Comput 6:957, bound to a layout. Each synapse has a state
// σ ∈ {−1, +1}. A plasticity signal (Signal with dw > 0: a candidate
// potentiation; dw < 0: a candidate depression; dw = 0 or NaN: nothing) of
// direction e = sign(dw) sets
//
//	σ ← e   with probability q (if σ ≠ e; nothing happens if σ = e)
//
// and the transmitted weight is
//
//	w[s] = Unit[s] · (w_low if σ = −1, w_high if σ = +1).
//
// Only the sign of dw matters. The draws come from the synapse's own
// stream ([Streams], keyed by synapse index), so results do not depend on
// the order in which synapses are signalled; a synapse draws only when the
// event can change it and q < 1. The model has no dynamics between events:
// Advance does nothing and Next returns snnsim.Never; Pre and Post are
// ignored.
//
// For f± = ½ random events the memory signal of a pattern stored t events
// ago (Lahiri & Ganguli 2013, [BinaryChain]) is
//
//	SNR(t) = √N · q (1 − q)^t,   lifetime t* = ln(q√N) / (−ln(1 − q)) ≈ ln(q√N)/q.
//
// The rule weight (RuleWeights) is the constant Unit[s]·(w_low + w_high)/2: a rule's
// change is used only for its sign, so a weight-dependent rule sees the
// midpoint.
//
// Tested by TestBinaryMemoryCurve (Monte-Carlo against √N q(1−q)^t),
// TestBinaryLifetime (t* vs N) and TestMarkovState.
type Binary struct {
	twoLevel // state −1 or +1
	p        BinaryParams
}

func newBinary(p BinaryParams, l Layout) *Binary {
	m := &Binary{twoLevel: newTwoLevel(modelBinary, p.WLow, p.WHigh, l), p: p}
	m.initStates(p.Init, func(s int64) int8 {
		if m.rng.Float64(s) < 0.5 {
			return 1
		}
		return -1
	})
	return m
}

// Params returns the model's parameters.
func (m *Binary) Params() BinaryParams { return m.p }

// Signal applies a candidate potentiation (dw > 0) or depression (dw < 0)
// to synapse s: the state moves to sign(dw) with probability q.
func (m *Binary) Signal(_ snnsim.Time, s snnsim.SynapseID, dw float64) {
	e := eventSign(dw)
	if e == 0 || m.state[s] == e {
		return
	}
	if m.p.Q < 1 && m.rng.Float64(s) >= m.p.Q {
		return
	}
	m.state[s] = e
	m.refresh(s)
}

// Changed signals the rule's changes of synapses off+syn[k] at tick t.
func (m *Binary) Changed(t snnsim.Time, off snnsim.SynapseID, syn []int32) {
	for _, c := range m.rule.changes(off, syn, nil) {
		m.Signal(t, c.s, c.dw)
	}
}

// Vars returns ["efficacy", "state"].
func (m *Binary) Vars() []string { return m.p.Vars() }

// Get returns the efficacy (v = 0) or the state ±1 (v = 1) of synapse s;
// NaN for another v.
func (m *Binary) Get(v int, s snnsim.SynapseID) float64 { return m.get(v, s) }

// Set sets the efficacy (v = 0; x must be w_low or w_high) or the state
// (v = 1; x must be −1 or +1) of synapse s and updates its delivered
// weight.
func (m *Binary) Set(_ snnsim.Time, v int, s snnsim.SynapseID, x float64) error {
	if err := m.checkSynapse(s); err != nil {
		return err
	}
	if v != 0 && v != 1 {
		return markovBadVar(modelBinary, v, m.Vars())
	}
	st, err := m.setSign(v, s, x)
	if err != nil {
		return err
	}
	m.state[s] = st
	m.refresh(s)
	return nil
}

// AppendState appends the state as one frame tagged "consolidation/binary",
// version 1: the number of synapses and the seed (int64), then each
// synapse's state (one byte, the int8 −1 or +1), then each synapse's draw
// count (int64).
func (m *Binary) AppendState(b []byte) []byte { return m.appendState(b, m.ident()) }

// RestoreState replaces the state by the frame at the front of b and returns
// the bytes after it. A truncated, corrupt, mismatched (other model, synapse
// count or seed) or unknown-version state is refused with an error wrapping
// checkpoint.ErrCorrupt, checkpoint.ErrMismatch or checkpoint.ErrVersion, and
// the model is left unchanged.
func (m *Binary) RestoreState(b []byte) ([]byte, error) {
	return m.restoreState(b, m.ident(), func(s int, st int8) error {
		if st != -1 && st != 1 {
			return stateCodec.Corruptf("binary state of synapse %d is %d, not -1 or +1", s, st)
		}
		return nil
	})
}
