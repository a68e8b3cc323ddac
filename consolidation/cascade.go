package consolidation

import (
	"fmt"
	"math"

	"github.com/snnsim/snnsim"
)

const modelCascade = "cascade"

// maxCascadeDepth bounds depth so that a state σ·d fits an int8 with room.
const maxCascadeDepth = 64

func init() {
	register(modelCascade, func() Params { p := DefaultCascade(); return &p })
}

// CascadeParams are the parameters of the cascade synapse of Fusi, Drew &
// Abbott (2005); see [Cascade] for the equations.
//
//	key      default        unit  meaning
//	depth    10                   n, metaplastic states per efficacy, in [2, 64]
//	x        0.5                  ratio of successive transition probabilities, in (0, ½]
//	w_low    0                    efficacy of the weak states
//	w_high   1                    efficacy of the strong states, > w_low
//	init     "equilibrium"        initial states: "equilibrium" (drawn from the f± = ½
//	                              stationary distribution, uniform over the 2n states
//	                              when x = ½), "low" or "high" (all weak or all strong,
//	                              at depth 1)
//
// depth = 10 is the middle row of the table in models.md 2.10: a power-law
// memory curve from about 10 to 2¹⁰/3 ≈ 340 memories and an initial SNR of
// 2√N/10. x ≤ ½ keeps every probability x^d/(1−x) ≤ 1.
type CascadeParams struct {
	Depth int     `toml:"depth"`
	X     float64 `toml:"x"`
	WLow  float64 `toml:"w_low"`
	WHigh float64 `toml:"w_high"`
	Init  string  `toml:"init"`
}

// DefaultCascade returns depth 10, x = ½, efficacies 0 and 1, equilibrium
// start.
func DefaultCascade() CascadeParams {
	return CascadeParams{Depth: 10, X: 0.5, WLow: 0, WHigh: 1, Init: initEquilibrium}
}

// Model returns "cascade".
func (p *CascadeParams) Model() string { return modelCascade }

// Modulators returns nil: the model reads no level.
func (p *CascadeParams) Modulators() []string { return nil }

// Vars returns the per-synapse variables: efficacy (w_low or w_high),
// state (−1 weak, +1 strong) and depth (1 … n).
func (p *CascadeParams) Vars() []string { return []string{"efficacy", "state", "depth"} }

// Validate checks every parameter; the error names the TOML key, the value
// and the constraint.
func (p *CascadeParams) Validate() error {
	c := markovCheck{model: modelCascade}
	if p.Depth < 2 || p.Depth > maxCascadeDepth {
		c.fail("depth", p.Depth, "", fmt.Sprintf("must be an integer in [2, %d]", maxCascadeDepth))
	}
	if !(p.X > 0 && p.X <= 0.5) {
		c.fail("x", p.X, "", "must be in (0, 0.5] (so that every transition probability x^d/(1-x) is <= 1)")
	}
	c.efficacies(p.WLow, p.WHigh)
	c.oneOf("init", p.Init, initEquilibrium, initLow, initHigh)
	return c.err
}

func (p *CascadeParams) build(l Layout) (Model, error) { return newCascade(*p, l), nil }

// cascadeProbs returns the plasticity probabilities q[d] and the
// metaplastic probabilities p[d] for d = 1 … n (index 0 unused; p[n] = 0):
//
//	q_d = x^{d−1} (d < n),  q_n = x^{n−1}/(1−x),  p_d = x^d/(1−x) (d < n).
func cascadeProbs(n int, x float64) (q, p []float64) {
	q = make([]float64, n+1)
	p = make([]float64, n+1)
	for d := 1; d <= n; d++ {
		q[d] = math.Pow(x, float64(d-1))
		if d < n {
			p[d] = math.Pow(x, float64(d)) / (1 - x)
		}
	}
	q[n] = math.Pow(x, float64(n-1)) / (1 - x)
	return q, p
}

// cascadeOccupancy returns the stationary probability of depth d on either
// side for f± = ½ (index 0 unused; the entries sum to ½): balancing the
// flow into and out of depth d ≥ 2 gives π_d (p_d + q_d) = π_{d−1} p_{d−1}.
// For x = ½ it is uniform, 1/(2n).
func cascadeOccupancy(q, p []float64) []float64 {
	n := len(q) - 1
	pi := make([]float64, n+1)
	pi[1] = 1
	sum := 1.0
	for d := 2; d <= n; d++ {
		pi[d] = pi[d-1] * p[d-1] / (p[d] + q[d])
		sum += pi[d]
	}
	for d := 1; d <= n; d++ {
		pi[d] /= 2 * sum
	}
	return pi
}

// Cascade is the cascade synapse of Fusi, Drew & Abbott (2005), Neuron
// 45:599 (models.md 2.10), bound to a layout, with the transition
// probabilities of Lahiri & Ganguli's CascadeOriginal.m. Each synapse has an
// efficacy σ ∈ {−1 weak, +1 strong} and a metaplastic depth d ∈ {1 … n}
// (1 most plastic). A plasticity signal of direction e = sign(dw) (dw = 0 or
// NaN: nothing) acts as follows:
//
//	σ ≠ e:         σ ← e, d ← 1          with probability q_d   (plasticity)
//	σ = e, d < n:  d ← d + 1             with probability p_d   (metaplasticity)
//	σ = e, d = n:  nothing
//
//	q_d = x^{d−1} (d < n),   q_n = x^{n−1}/(1−x),   p_d = x^d/(1−x)
//
// and the transmitted weight is Unit[s]·(w_low if σ = −1, w_high if σ = +1).
// With x = ½ the occupancy at equilibrium (f± = ½) is uniform over the 2n
// states. Only the sign of dw matters; draws come from the synapse's own
// stream, one draw per event whose transition probability is below 1. There
// are no dynamics between events (Next returns snnsim.Never); Pre and Post
// are ignored; RuleWeight returns the constant Unit[s]·(w_low + w_high)/2.
//
// For f± = ½ the memory curve (Lahiri & Ganguli 2013, [CascadeChain]) starts
// at SNR(0) = 2√N/n, decays roughly as a power law (local log–log slope
// −0.6 … −1) up to t ≈ 2ⁿ/3 and exponentially beyond 2ⁿ.
//
// Tested by TestCascadeOracleTable, TestCascadeMemoryCurve and
// TestMarkovState.
type Cascade struct {
	p     CascadeParams
	unit  []float32
	eff   [2]float64
	q, pm []float64 // q_d, p_d
	state []int8    // σ·d
	rng   Streams
	seed  uint64
	w     []float32
}

var _ Model = (*Cascade)(nil)

func newCascade(p CascadeParams, l Layout) *Cascade {
	n := len(l.Target)
	q, pm := cascadeProbs(p.Depth, p.X)
	m := &Cascade{
		p: p, unit: l.Unit, eff: [2]float64{p.WLow, p.WHigh}, q: q, pm: pm,
		state: make([]int8, n), rng: NewStreams(l.Seed, n), seed: l.Seed,
	}
	var cum []float64 // cumulative occupancy over weak 1…n, strong 1…n
	if p.Init == initEquilibrium {
		pi := cascadeOccupancy(q, pm)
		acc := 0.0
		for range 2 { // weak side, then strong side
			for d := 1; d <= p.Depth; d++ {
				acc += pi[d]
				cum = append(cum, acc)
			}
		}
	}
	for s := range m.state {
		switch p.Init {
		case initLow:
			m.state[s] = -1
		case initHigh:
			m.state[s] = 1
		default:
			u := m.rng.Float64(int64(s)) * cum[len(cum)-1]
			k := 0
			for k < len(cum)-1 && u >= cum[k] {
				k++
			}
			if k < p.Depth {
				m.state[s] = -int8(k + 1)
			} else {
				m.state[s] = int8(k - p.Depth + 1)
			}
		}
	}
	return m
}

// Params returns the model's parameters.
func (m *Cascade) Params() CascadeParams { return m.p }

// Name returns "cascade".
func (m *Cascade) Name() string { return modelCascade }

// Len returns the number of synapses.
func (m *Cascade) Len() int { return len(m.state) }

func (m *Cascade) efficacy(s int64) float64 {
	if m.state[s] > 0 {
		return m.eff[1]
	}
	return m.eff[0]
}

func (m *Cascade) refresh(s int64) {
	if m.w != nil {
		m.w[s] = float32(float64(m.unit[s]) * m.efficacy(s))
	}
}

// Bind sets the delivery array (len = Len()) and fills it.
func (m *Cascade) Bind(w []float32) {
	if len(w) != len(m.state) {
		panic(fmt.Sprintf("consolidation: cascade: Bind with %d weights for %d synapses", len(w), len(m.state)))
	}
	m.w = w
	for s := range m.state {
		m.refresh(int64(s))
	}
}

// Advance does nothing: the model changes only at events.
func (m *Cascade) Advance(snnsim.Time) {}

// Next returns snnsim.Never.
func (m *Cascade) Next() snnsim.Time { return snnsim.Never }

// Pre does nothing.
func (m *Cascade) Pre(snnsim.Time, int32, int64, int64) {}

// Post does nothing.
func (m *Cascade) Post(snnsim.Time, int32) {}

// RuleWeight returns Unit[s]·(w_low + w_high)/2 (only the sign of a rule's
// change is used).
func (m *Cascade) RuleWeight(s int64) float64 {
	return float64(m.unit[s]) * (m.eff[0] + m.eff[1]) / 2
}

// Signal applies a candidate potentiation (dw > 0) or depression (dw < 0)
// to synapse s (see [Cascade]).
func (m *Cascade) Signal(_ snnsim.Time, s int64, dw float64) {
	var e int8
	switch {
	case dw > 0:
		e = 1
	case dw < 0:
		e = -1
	default:
		return
	}
	sd := m.state[s]
	d := sd
	if d < 0 {
		d = -d
	}
	if (sd > 0) != (e > 0) {
		if q := m.q[d]; q < 1 && m.rng.Float64(s) >= q {
			return
		}
		m.state[s] = e
		m.refresh(s)
		return
	}
	if int(d) < m.p.Depth {
		if p := m.pm[d]; p < 1 && m.rng.Float64(s) >= p {
			return
		}
		m.state[s] = sd + e
	}
}

// Modulators returns nil.
func (m *Cascade) Modulators() []string { return nil }

// SetLevel returns an error: the model reads no level.
func (m *Cascade) SetLevel(_ snnsim.Time, name string, _ float64) error {
	return markovNoLevels(modelCascade, name)
}

// Vars returns ["efficacy", "state", "depth"].
func (m *Cascade) Vars() []string { return m.p.Vars() }

// Get returns the efficacy (v = 0), the state ±1 (v = 1) or the depth
// (v = 2) of synapse s; NaN for another v.
func (m *Cascade) Get(v int, s int64) float64 {
	sd := m.state[s]
	switch v {
	case 0:
		return m.efficacy(s)
	case 1:
		if sd > 0 {
			return 1
		}
		return -1
	case 2:
		if sd < 0 {
			sd = -sd
		}
		return float64(sd)
	}
	return math.NaN()
}

// Set sets the efficacy (v = 0; x must be w_low or w_high) or the state
// (v = 1; −1 or +1), keeping the depth, or the depth (v = 2; an integer in
// [1, n]), keeping the efficacy, of synapse s, and updates its delivered
// weight.
func (m *Cascade) Set(_ snnsim.Time, v int, s int64, x float64) error {
	if s < 0 || s >= int64(len(m.state)) {
		return markovBadSynapse(modelCascade, s, len(m.state))
	}
	sd := m.state[s]
	sign, d := int8(1), sd
	if sd < 0 {
		sign, d = -1, -sd
	}
	switch v {
	case 0:
		switch x {
		case m.eff[0]:
			sign = -1
		case m.eff[1]:
			sign = 1
		default:
			return fmt.Errorf("consolidation: cascade: efficacy %g of synapse %d: must be w_low = %g or w_high = %g", x, s, m.eff[0], m.eff[1])
		}
	case 1:
		switch x {
		case -1, 1:
			sign = int8(x)
		default:
			return fmt.Errorf("consolidation: cascade: state %g of synapse %d: must be -1 or +1", x, s)
		}
	case 2:
		if !(x >= 1 && x <= float64(m.p.Depth)) || x != math.Trunc(x) {
			return fmt.Errorf("consolidation: cascade: depth %g of synapse %d: must be an integer in [1, %d]", x, s, m.p.Depth)
		}
		d = int8(x)
	default:
		return markovBadVar(modelCascade, v, m.Vars())
	}
	m.state[s] = sign * d
	m.refresh(s)
	return nil
}

// NeuronVars returns nil: the model has no per-neuron variables.
func (m *Cascade) NeuronVars() []string { return nil }

// NeuronGet returns NaN: the model has no per-neuron variables.
func (m *Cascade) NeuronGet(int, int32) float64 { return math.NaN() }

func (m *Cascade) ident() markovIdent {
	return markovIdent{model: modelCascade, n: len(m.state), seed: m.seed,
		ikeys: []string{"depth"}, ints: []int64{int64(m.p.Depth)}}
}

// AppendState appends the state as one frame tagged
// "consolidation/cascade", version 1: the number of synapses, the seed and
// the depth n (int64), then each synapse's σ·d (one byte, an int8), then
// each synapse's draw count (int64).
func (m *Cascade) AppendState(b []byte) []byte {
	b, start := beginMarkov(b, modelCascade)
	id := m.ident()
	b = id.append(b)
	for _, st := range m.state {
		b = append(b, byte(st))
	}
	b = markovAppendCounts(b, &m.rng)
	return endMarkov(b, start)
}

// RestoreState replaces the state by the frame at the front of b and
// returns the bytes after it. A truncated, corrupt, mismatched (other
// model, synapse count, seed or depth) or unknown-version state is refused
// with an error wrapping ErrStateCorrupt, ErrStateMismatch or
// ErrStateVersion, and the model is left unchanged.
func (m *Cascade) RestoreState(b []byte) ([]byte, error) {
	id := m.ident()
	d, rest, err := id.open(b)
	if err != nil {
		return nil, err
	}
	n := len(m.state)
	raw := d.Take(n)
	counts := markovReadCounts(d, n)
	if err := d.Done(markovTag(modelCascade)); err != nil {
		return nil, err
	}
	for s, r := range raw {
		st := int(int8(r))
		if st == 0 || st < -m.p.Depth || st > m.p.Depth {
			return nil, markovCodec.Corruptf("cascade state of synapse %d is %d, not ±1 … ±%d", s, st, m.p.Depth)
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
