package consolidation

import (
	"fmt"
	"math"

	"github.com/snnsim/snnsim"
)

// twoLevel is what the event-driven two-efficacy synapses ([Binary],
// [Cascade]) share: per-synapse states whose sign selects the efficacy
// (state < 0 weak, w_low; state > 0 strong, w_high; the magnitude is the
// model's own, the cascade's depth), the delivered weight Unit[s]·efficacy,
// one random stream per synapse, no dynamics between events and no
// neuromodulator or per-neuron variable. The models embed it and add
// Signal, Changed, Get, Set and the state frame's layout.
type twoLevel struct {
	model string
	unit  []float32
	eff   [2]float64 // efficacy of the weak and the strong states
	state []int8     // < 0 weak, > 0 strong, never 0
	rng   Streams
	seed  uint64
	w     []float32
	rule  ruleBuf // rule weights Unit[s]·(w_low + w_high)/2
}

func newTwoLevel(model string, wLow, wHigh float64, l Layout) twoLevel {
	n := len(l.Target)
	return twoLevel{
		model: model, unit: l.Unit, eff: [2]float64{wLow, wHigh},
		state: make([]int8, n), rng: NewStreams(l.Seed, n), seed: l.Seed,
		rule: ruleBuf{unit: l.Unit, c: (wLow + wHigh) / 2},
	}
}

// initStates sets every state to −1 (init "low"), +1 (init "high") or, for
// the equilibrium start, to draw(s).
func (m *twoLevel) initStates(init string, draw func(s int64) int8) {
	for s := range m.state {
		switch init {
		case initLow:
			m.state[s] = -1
		case initHigh:
			m.state[s] = 1
		default:
			m.state[s] = draw(int64(s))
		}
	}
}

// eventSign returns the direction of a plasticity signal: +1 for a
// candidate potentiation (dw > 0), −1 for a candidate depression (dw < 0)
// and 0 (nothing) for dw = 0 or NaN.
func eventSign(dw float64) int8 {
	switch {
	case dw > 0:
		return 1
	case dw < 0:
		return -1
	}
	return 0
}

// Name returns the model's name ("binary" or "cascade").
func (m *twoLevel) Name() string { return m.model }

// Len returns the number of synapses.
func (m *twoLevel) Len() int { return len(m.state) }

func (m *twoLevel) efficacy(s int64) float64 {
	if m.state[s] > 0 {
		return m.eff[1]
	}
	return m.eff[0]
}

func (m *twoLevel) refresh(s int64) {
	if m.w != nil {
		m.w[s] = float32(float64(m.unit[s]) * m.efficacy(s))
	}
}

// Bind sets the delivery array (len = Len()) and fills it.
func (m *twoLevel) Bind(w []float32) {
	if len(w) != len(m.state) {
		panic(fmt.Sprintf("consolidation: %s: Bind with %d weights for %d synapses", m.model, len(w), len(m.state)))
	}
	m.w = w
	for s := range m.state {
		m.refresh(int64(s))
	}
}

// Advance does nothing: the model changes only at events.
func (m *twoLevel) Advance(snnsim.Time) {}

// Next returns snnsim.Never.
func (m *twoLevel) Next() snnsim.Time { return snnsim.Never }

// Pre does nothing.
func (m *twoLevel) Pre(snnsim.Time, int32, int64, int64) {}

// Post does nothing.
func (m *twoLevel) Post(snnsim.Time, int32) {}

// RuleWeights returns the rule buffer, whose rule weights are
// Unit[s]·(w_low + w_high)/2 (only the sign of a rule's change is used).
func (m *twoLevel) RuleWeights() []float32 { return m.rule.weights(len(m.state), nil) }

// get returns the efficacy (v = 0) or the sign ±1 of the state (v = 1) of
// synapse s; NaN for another v.
func (m *twoLevel) get(v int, s int64) float64 {
	switch v {
	case 0:
		return m.efficacy(s)
	case 1:
		if m.state[s] > 0 {
			return 1
		}
		return -1
	}
	return math.NaN()
}

// checkSynapse returns Set's error for a synapse index out of range.
func (m *twoLevel) checkSynapse(s int64) error {
	if s < 0 || s >= int64(len(m.state)) {
		return markovBadSynapse(m.model, s, len(m.state))
	}
	return nil
}

// setSign returns the sign of the state that Set gives synapse s for an
// efficacy x (v = 0; x must be w_low or w_high) or a state x (v = 1; x
// must be −1 or +1).
func (m *twoLevel) setSign(v int, s int64, x float64) (int8, error) {
	if v == 0 {
		switch x {
		case m.eff[0]:
			return -1, nil
		case m.eff[1]:
			return 1, nil
		}
		return 0, fmt.Errorf("consolidation: %s: efficacy %g of synapse %d: must be w_low = %g or w_high = %g", m.model, x, s, m.eff[0], m.eff[1])
	}
	switch x {
	case -1, 1:
		return int8(x), nil
	}
	return 0, fmt.Errorf("consolidation: %s: state %g of synapse %d: must be -1 or +1", m.model, x, s)
}

// ident returns the ident of the state: the model, the number of synapses
// and the seed (a model with more parameters adds its own).
func (m *twoLevel) ident() markovIdent {
	return markovIdent{model: m.model, n: len(m.state), seed: m.seed}
}

// appendState appends the state frame: id, each synapse's state (one byte,
// the int8) and each synapse's draw count (int64).
func (m *twoLevel) appendState(b []byte, id markovIdent) []byte {
	b, start := beginMarkov(b, m.model)
	b = id.append(b)
	for _, st := range m.state {
		b = append(b, byte(st))
	}
	b = markovAppendCounts(b, &m.rng)
	return endMarkov(b, start)
}

// restoreState reads a frame written by appendState with ident id; valid
// returns an error (wrapping checkpoint.ErrCorrupt) for a state byte that the
// model cannot hold. On an error the model is left unchanged.
func (m *twoLevel) restoreState(b []byte, id markovIdent, valid func(s int, st int8) error) ([]byte, error) {
	d, rest, err := id.open(b)
	if err != nil {
		return nil, err
	}
	n := len(m.state)
	raw := d.Take(n)
	counts := markovReadCounts(d, n)
	if err := d.Done(markovTag(m.model)); err != nil {
		return nil, err
	}
	for s, r := range raw {
		if err := valid(s, int8(r)); err != nil {
			return nil, err
		}
	}
	for s, r := range raw {
		m.state[s] = int8(r)
	}
	copy(m.rng.Counts(), counts)
	if m.w != nil {
		m.Bind(m.w)
	}
	return rest, nil
}
