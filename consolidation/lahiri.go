package consolidation

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// MarkovChain is a synapse with a finite set of internal states, in the
// formalism of Lahiri & Ganguli (2013), "A memory frontier for complex
// synapses", NIPS 26. A candidate potentiation moves a
// synapse from state i to state j with probability MPlus[i][j], a candidate
// depression with probability MMinus[i][j] (both row-stochastic), and W[i]
// is the ±1 weight of state i.
//
// It is the test oracle for the memory curves of the Markov synapse models:
// [BinaryChain] and [CascadeChain] build the matrices from the models'
// parameters, independently of the models' own transition code.
type MarkovChain struct {
	MPlus, MMinus *mat.Dense
	W             []float64
}

// BinaryChain returns the two-state chain of the binary synapse with the
// parameters p: state 0 weak (W = −1), state 1 strong (W = +1),
//
//	M+ = [1−q  q ; 0  1],   M− = [1  0 ; q  1−q].
func BinaryChain(p BinaryParams) (MarkovChain, error) {
	if err := p.Validate(); err != nil {
		return MarkovChain{}, err
	}
	q := p.Q
	return MarkovChain{
		MPlus:  mat.NewDense(2, 2, []float64{1 - q, q, 0, 1}),
		MMinus: mat.NewDense(2, 2, []float64{1, 0, q, 1 - q}),
		W:      []float64{-1, 1},
	}, nil
}

// CascadeChain returns the 2n-state chain of the cascade synapse with the
// parameters p (n = depth). States 0 … n−1 are the weak states from depth n
// down to depth 1, states n … 2n−1 the strong states from depth 1 up to
// depth n (so W is n times −1, then n times +1, and a plasticity transition
// crosses the middle):
//
//	M+: weak depth d → strong depth 1 with q_d; strong depth d → d+1 with p_d (d < n)
//	M−: strong depth d → weak depth 1 with q_d; weak depth d → d+1 with p_d (d < n)
//	q_d = x^{d−1} (d < n),  q_n = x^{n−1}/(1−x),  p_d = x^d/(1−x)
//
// the remaining probability staying in place.
func CascadeChain(p CascadeParams) (MarkovChain, error) {
	if err := p.Validate(); err != nil {
		return MarkovChain{}, err
	}
	n, x := p.Depth, p.X
	q := func(d int) float64 {
		if d == n {
			return math.Pow(x, float64(n-1)) / (1 - x)
		}
		return math.Pow(x, float64(d-1))
	}
	meta := func(d int) float64 { return math.Pow(x, float64(d)) / (1 - x) }
	M := 2 * n
	mp, mm := mat.NewDense(M, M, nil), mat.NewDense(M, M, nil)
	for d := 1; d <= n; d++ {
		weak, strong := cascadeIndex(-1, d, n), cascadeIndex(1, d, n)
		// potentiation
		mp.Set(weak, cascadeIndex(1, 1, n), q(d))
		mp.Set(weak, weak, 1-q(d))
		// depression
		mm.Set(strong, cascadeIndex(-1, 1, n), q(d))
		mm.Set(strong, strong, 1-q(d))
		if d < n {
			mp.Set(strong, cascadeIndex(1, d+1, n), meta(d))
			mp.Set(strong, strong, 1-meta(d))
			mm.Set(weak, cascadeIndex(-1, d+1, n), meta(d))
			mm.Set(weak, weak, 1-meta(d))
		} else {
			mp.Set(strong, strong, 1)
			mm.Set(weak, weak, 1)
		}
	}
	w := make([]float64, M)
	for i := range w {
		w[i] = 1
		if i < n {
			w[i] = -1
		}
	}
	return MarkovChain{MPlus: mp, MMinus: mm, W: w}, nil
}

// cascadeIndex is the CascadeChain state of efficacy sign (−1 or +1) at
// depth d; cascadeState is its inverse.
func cascadeIndex(sign, d, n int) int {
	if sign < 0 {
		return n - d
	}
	return n + d - 1
}

func cascadeState(i, n int) (sign, d int) {
	if i < n {
		return -1, n - i
	}
	return 1, i - n + 1
}

// check validates the chain's shapes and stochasticity.
func (c MarkovChain) check() (int, error) {
	if c.MPlus == nil || c.MMinus == nil {
		return 0, errors.New("consolidation: MarkovChain: nil transition matrix")
	}
	r, cc := c.MPlus.Dims()
	r2, c2 := c.MMinus.Dims()
	if r != cc || r2 != c2 || r != r2 || len(c.W) != r {
		return 0, fmt.Errorf("consolidation: MarkovChain: M+ is %d×%d, M− %d×%d and w has %d entries; need two square matrices of the size of w", r, cc, r2, c2, len(c.W))
	}
	for _, m := range []struct {
		name string
		m    *mat.Dense
	}{{"M+", c.MPlus}, {"M−", c.MMinus}} {
		for i := range r {
			sum := 0.0
			for j := range r {
				v := m.m.At(i, j)
				if !(v >= 0 && v <= 1) {
					return 0, fmt.Errorf("consolidation: MarkovChain: %s[%d][%d] = %g is not a probability", m.name, i, j, v)
				}
				sum += v
			}
			if math.Abs(sum-1) > 1e-12 {
				return 0, fmt.Errorf("consolidation: MarkovChain: row %d of %s sums to %.17g, not 1", i, m.name, sum)
			}
		}
	}
	return r, nil
}

// forgetting returns W^F + I = f+ M+ + f− M−.
func (c MarkovChain) forgetting(fPlus float64) *mat.Dense {
	var mf, t mat.Dense
	mf.Scale(fPlus, c.MPlus)
	t.Scale(1-fPlus, c.MMinus)
	mf.Add(&mf, &t)
	return &mf
}

// Stationary returns the stationary distribution p∞ of the chain under
// candidate events that potentiate with probability fPlus: p∞ (f+ M+ + f− M−)
// = p∞, Σ p∞ = 1 (solved as a linear system).
func (c MarkovChain) Stationary(fPlus float64) ([]float64, error) {
	M, err := c.check()
	if err != nil {
		return nil, err
	}
	if !(fPlus > 0 && fPlus < 1) {
		return nil, fmt.Errorf("consolidation: MarkovChain: f+ = %g: must be in (0, 1)", fPlus)
	}
	mf := c.forgetting(fPlus)
	// (Mfᵀ − I) p = 0 with the last equation replaced by Σ p = 1.
	a := mat.NewDense(M, M, nil)
	for i := range M {
		for j := range M {
			v := mf.At(j, i)
			if i == j {
				v--
			}
			a.Set(i, j, v)
		}
	}
	for j := range M {
		a.Set(M-1, j, 1)
	}
	rhs := mat.NewVecDense(M, nil)
	rhs.SetVec(M-1, 1)
	var p mat.VecDense
	if err := p.SolveVec(a, rhs); err != nil {
		return nil, fmt.Errorf("consolidation: MarkovChain: no unique stationary distribution: %w", err)
	}
	out := make([]float64, M)
	for i := range out {
		out[i] = p.AtVec(i)
	}
	return out, nil
}

// SNR returns the discrete-time memory curve per √N of the chain,
//
//	SNR(t)/√N = (2 f+ f−) · p∞ (M+ − M−) · (f+ M+ + f− M−)^t · w,
//
// for every t in times (>= 0, any order): the signal of a memory followed by
// t further memories, each memory giving every synapse an independent
// candidate potentiation (probability f+) or depression, the synapses
// starting at equilibrium. Multiply by √N for N synapses.
//
// The power is applied to the signal row vector by binary powers of the
// deflated matrix D = Mf − 1·p∞ (r·D^t = r·Mf^t because r sums to 0), so
// the curve keeps its relative accuracy as it decays: log₂ t squarings and
// vector products, accurate for t up to 10⁵ and beyond.
func (c MarkovChain) SNR(fPlus float64, times []int) ([]float64, error) {
	pinf, err := c.Stationary(fPlus)
	if err != nil {
		return nil, err
	}
	M := len(pinf)
	for _, t := range times {
		if t < 0 {
			return nil, fmt.Errorf("consolidation: MarkovChain: SNR at t = %d: must be >= 0", t)
		}
	}
	mf := c.forgetting(fPlus)
	var diff mat.Dense
	diff.Sub(c.MPlus, c.MMinus)
	r := mat.NewVecDense(M, nil)
	r.MulVec(diff.T(), mat.NewVecDense(M, pinf))
	r.ScaleVec(2*fPlus*(1-fPlus), r)
	// deflated propagator
	d := mat.NewDense(M, M, nil)
	for i := range M {
		for j := range M {
			d.Set(i, j, mf.At(i, j)-pinf[j])
		}
	}
	powers := []*mat.Dense{d} // powers[k] = D^{2^k}
	w := mat.NewVecDense(M, c.W)
	order := make([]int, len(times))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return times[a] - times[b] })
	out := make([]float64, len(times))
	at := 0
	var tmp mat.VecDense
	for _, i := range order {
		gap := times[i] - at
		for k := 0; gap > 0; k++ {
			if k == len(powers) {
				var sq mat.Dense
				sq.Mul(powers[k-1], powers[k-1])
				powers = append(powers, &sq)
			}
			if gap&1 == 1 {
				tmp.MulVec(powers[k].T(), r)
				r.CopyVec(&tmp)
			}
			gap >>= 1
		}
		at = times[i]
		out[i] = mat.Dot(r, w)
	}
	return out, nil
}

// BennaFusiImpulse returns the impulse response of the Benna–Fusi chain
// with the parameters p: u_1(t) after a unit charge into u_1 at t = 0, for
// each t in times (in units of time_unit, >= 0), with the exact
// propagator:
//
//	u_1(t) = Σ_i b_i² e^{−κ_i t},  b = Vᵀ e_1/√C_1,  C^{−1/2} L C^{−1/2} = V diag(κ) Vᵀ.
//
// For the defaults (m = 12) it reproduces the reference table of u_1
// (implicit Euler on the chain of Benna & Fusi 2016) to its printed digits (0.886, 0.420, 0.133, 0.0425, …, 4.24e−4 at
// t = 1 … 10⁷). The table's caption says "implicit Euler on unit steps",
// but implicit Euler gives 0.8946 at t = 1 and 0.4364 at t = 10 (3.9 % off
// the table); the table is the continuous chain (TestBennaFusiImpulseTable).
func BennaFusiImpulse(p BennaFusiParams, times []float64) ([]float64, error) {
	ch, err := bfOracleChain(p)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(times))
	for i, t := range times {
		if !(t >= 0) {
			return nil, fmt.Errorf("consolidation: BennaFusiImpulse at t = %g: must be >= 0", t)
		}
		out[i] = ch.impulse(t)
	}
	return out, nil
}

// BennaFusiSNR returns the ideal-observer memory curve per √N of the linear
// Benna–Fusi chain (Benna & Fusi 2016) driven by one random ±Δ event per time
// unit at every synapse, for each t in times (>= 0, in units of
// time_unit):
//
//	SNR(t)/√N = u_1(t) / √(Σ_{s=0}^{∞} u_1(s)²)
//
// with u_1 the impulse response ([BennaFusiImpulse]); the sum is exact in
// eigen-coordinates, Σ_s u_1(s)² = Σ_{ij} b_i² b_j² / (1 − e^{−(κ_i+κ_j)}).
// Δ cancels. Multiply by √N for N synapses.
func BennaFusiSNR(p BennaFusiParams, times []float64) ([]float64, error) {
	ch, err := bfOracleChain(p)
	if err != nil {
		return nil, err
	}
	norm := math.Sqrt(ch.sumSquares())
	out := make([]float64, len(times))
	for i, t := range times {
		if !(t >= 0) {
			return nil, fmt.Errorf("consolidation: BennaFusiSNR at t = %g: must be >= 0", t)
		}
		out[i] = ch.impulse(t) / norm
	}
	return out, nil
}

// sumSquares returns Σ_{s>=0} u_1(s)² for the unit impulse response.
func (ch *bfChain) sumSquares() float64 {
	sum := 0.0
	for i, ki := range ch.kappa {
		for j, kj := range ch.kappa {
			sum += ch.b[i] * ch.b[i] * ch.b[j] * ch.b[j] / -math.Expm1(-(ki + kj))
		}
	}
	return sum
}

// bfOracleChain validates p and diagonalises its chain.
func bfOracleChain(p BennaFusiParams) (*bfChain, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return newBFChain(p)
}

// exactCurver is implemented by the parameters of the models whose memory
// curve has an exact computation.
type exactCurver interface {
	exactSNR(times []int) ([]float64, error)
}

// ExactMemoryCurve returns the exact memory curve per √N of the model p,
// for f± = ½ as in [MemoryCurveConfig], as a function of the memory ages
// times; ok is false for a model without one. Binary and cascade synapses
// have it from their Markov chains ([MarkovChain.SNR]), Benna–Fusi from
// [BennaFusiSNR].
func ExactMemoryCurve(p Params) (curve func(times []int) ([]float64, error), ok bool) {
	e, ok := p.(exactCurver)
	if !ok {
		return nil, false
	}
	return e.exactSNR, true
}

func (p *BinaryParams) exactSNR(times []int) ([]float64, error) {
	ch, err := BinaryChain(*p)
	if err != nil {
		return nil, err
	}
	return ch.SNR(0.5, times)
}

func (p *CascadeParams) exactSNR(times []int) ([]float64, error) {
	ch, err := CascadeChain(*p)
	if err != nil {
		return nil, err
	}
	return ch.SNR(0.5, times)
}

func (p *BennaFusiParams) exactSNR(times []int) ([]float64, error) {
	f := make([]float64, len(times))
	for i, t := range times {
		f[i] = float64(t)
	}
	return BennaFusiSNR(*p, f)
}
