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
	models.Register(modelCascade, func() Params { p := DefaultCascade(); return &p })
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
// depth = 10 is the middle depth of Fusi, Drew & Abbott (2005): a power-law
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
	c := checkParams(modelCascade, p)
	c.IntIn("depth", p.Depth, 2, maxCascadeDepth)
	if !(p.X > 0 && p.X <= 0.5) {
		c.Fail("x", p.X, "must be in (0, 0.5] (so that every transition probability x^d/(1-x) is <= 1)")
	}
	checkEfficacies(c, p.WLow, p.WHigh)
	c.OneOf("init", p.Init, initEquilibrium, initLow, initHigh)
	return c.Err()
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
// 45:599, bound to a layout, with the transition
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
// are ignored; the rule weight (RuleWeights) is the constant Unit[s]·(w_low + w_high)/2.
//
// For f± = ½ the memory curve (Lahiri & Ganguli 2013, [CascadeChain]) starts
// at SNR(0) = 2√N/n, decays roughly as a power law (local log–log slope
// −0.6 … −1) up to t ≈ 2ⁿ/3 and exponentially beyond 2ⁿ.
//
// Tested by TestCascadeOracleTable, TestCascadeMemoryCurve and
// TestMarkovState.
type Cascade struct {
	twoLevel // σ·d
	p        CascadeParams
	q, pm    []float64 // q_d, p_d
}

func newCascade(p CascadeParams, l Layout) *Cascade {
	q, pm := cascadeProbs(p.Depth, p.X)
	m := &Cascade{twoLevel: newTwoLevel(modelCascade, p.WLow, p.WHigh, l), p: p, q: q, pm: pm}
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
	m.initStates(p.Init, func(s int64) int8 {
		u := m.rng.Float64(s) * cum[len(cum)-1]
		k := 0
		for k < len(cum)-1 && u >= cum[k] {
			k++
		}
		if k < p.Depth {
			return -int8(k + 1)
		}
		return int8(k - p.Depth + 1)
	})
	return m
}

// Params returns the model's parameters.
func (m *Cascade) Params() CascadeParams { return m.p }

// Signal applies a candidate potentiation (dw > 0) or depression (dw < 0)
// to synapse s (see [Cascade]).
func (m *Cascade) Signal(_ snnsim.Time, s snnsim.SynapseID, dw float64) {
	e := eventSign(dw)
	if e == 0 {
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

// Changed signals the rule's changes of synapses off+syn[k] at tick t.
func (m *Cascade) Changed(t snnsim.Time, off snnsim.SynapseID, syn []int32) {
	for _, c := range m.rule.changes(off, syn, nil) {
		m.Signal(t, c.s, c.dw)
	}
}

// Vars returns ["efficacy", "state", "depth"].
func (m *Cascade) Vars() []string { return m.p.Vars() }

// Get returns the efficacy (v = 0), the state ±1 (v = 1) or the depth
// (v = 2) of synapse s; NaN for another v.
func (m *Cascade) Get(v int, s snnsim.SynapseID) float64 {
	if v == 2 {
		d := m.state[s]
		if d < 0 {
			d = -d
		}
		return float64(d)
	}
	return m.get(v, s)
}

// Set sets the efficacy (v = 0; x must be w_low or w_high) or the state
// (v = 1; −1 or +1), keeping the depth, or the depth (v = 2; an integer in
// [1, n]), keeping the efficacy, of synapse s, and updates its delivered
// weight.
func (m *Cascade) Set(_ snnsim.Time, v int, s snnsim.SynapseID, x float64) error {
	if err := m.checkSynapse(s); err != nil {
		return err
	}
	sd := m.state[s]
	sign, d := int8(1), sd
	if sd < 0 {
		sign, d = -1, -sd
	}
	switch v {
	case 0, 1:
		var err error
		if sign, err = m.setSign(v, s, x); err != nil {
			return err
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

func (m *Cascade) ident() markovIdent {
	id := m.twoLevel.ident()
	id.ikeys, id.ints = []string{"depth"}, []int64{int64(m.p.Depth)}
	return id
}

// AppendState appends the state as one frame tagged
// "consolidation/cascade", version 1: the number of synapses, the seed and
// the depth n (int64), then each synapse's σ·d (one byte, an int8), then
// each synapse's draw count (int64).
func (m *Cascade) AppendState(b []byte) []byte { return m.appendState(b, m.ident()) }

// RestoreState replaces the state by the frame at the front of b and
// returns the bytes after it. A truncated, corrupt, mismatched (other
// model, synapse count, seed or depth) or unknown-version state is refused
// with an error wrapping checkpoint.ErrCorrupt, checkpoint.ErrMismatch or
// checkpoint.ErrVersion, and the model is left unchanged.
func (m *Cascade) RestoreState(b []byte) ([]byte, error) {
	return m.restoreState(b, m.ident(), func(s int, st int8) error {
		if st == 0 || int(st) < -m.p.Depth || int(st) > m.p.Depth {
			return stateCodec.Corruptf("cascade state of synapse %d is %d, not ±1 … ±%d", s, st, m.p.Depth)
		}
		return nil
	})
}
