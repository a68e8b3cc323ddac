package consolidation

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/mat"

	"github.com/snnsim/snnsim"
)

// MemoryStart says how MemoryCurveConfig starts each trial's synapses.
type MemoryStart int

const (
	// StartEquilibrium sets every synapse, through Inspector.Set, to a draw
	// from the stationary distribution of the model under random f± = ½
	// events at one per event interval: for binary and cascade the exact
	// p∞ of [MarkovChain.Stationary]; for benna_fusi a Gaussian with the
	// exact stationary covariance of the eigen-coordinates,
	// Cov_ij = Δ² b_i b_j r_ij/(1 − r_ij), r_ij = e^{−(κ_i+κ_j)} (the
	// memory signal depends only on second moments of the linear chain).
	StartEquilibrium MemoryStart = iota
	// StartModel keeps the state the model is built with (its "init"
	// parameter; benna_fusi: at rest), normally followed by BurnIn
	// memories.
	StartModel
)

// MemoryCurveConfig is a Monte-Carlo memory-curve experiment (Fusi, Drew
// & Abbott 2005; Benna & Fusi 2016; Lahiri & Ganguli 2013)
// for the binary, cascade and benna_fusi models, run through their public
// interfaces (Model, RuleDriven, Inspector).
//
// Each trial builds the model for N synapses (seed derived from Seed and
// the trial number), starts it as Start says, stores BurnIn random memories,
// then memory 0 and memories 1, 2, …, max(Times). Memory k is one
// independent ±1 event per synapse (f± = ½), passed as Signal(t_k, s, ±1)
// at tick t_k after Advance(t_k), successive memories one event interval
// apart (benna_fusi: time_unit; the others have no time dependence and use
// 1 ms). After
// memory t, for each t in Times, the efficacies e_s = Get(0, s) are read
// and, with c_s = e_s − ē (ē the mean over synapses),
//
//	signal  S = Σ_s ξ⁰_s c_s         (ξ⁰ the ±1 pattern of memory 0)
//	null    Z = Σ_s ξ'_s c_s         (ξ' an independent random ±1 pattern)
//	scale   D = √(Σ_s c_s²)
//
// The overlap with a random pattern independent of the state has mean 0
// and s.d. exactly D given the state, so the trial's SNR estimate is S/D
// ("signal minus null mean over null s.d." with the null moments computed
// exactly rather than sampled); Z/D is reported as a check (mean ≈ 0,
// s.d. ≈ 1). Centring on ē makes the estimate independent of w_low, w_high
// and base. The result is the mean of S/D over trials with its standard
// error (s.d./√trials; each trial's S/D has s.d. ≈ 1). Its bias is of order
// 1/N relative.
//
// Trials run in parallel on GOMAXPROCS goroutines; results do not depend
// on their number.
type MemoryCurveConfig struct {
	N      int         // synapses per trial, >= 2
	Times  []int       // memory ages t at which to measure, strictly ascending, >= 0
	Trials int         // independent trials, >= 1 (>= 2 for a standard error)
	Seed   uint64      // derives every model seed and pattern
	Start  MemoryStart // initial state (default StartEquilibrium)
	BurnIn int         // random memories stored before memory 0, >= 0
}

// MemoryCurveResult is the outcome of a memory-curve experiment. Slices
// are indexed like Times.
type MemoryCurveResult struct {
	Model    string
	N        int
	Trials   int
	Times    []int
	SNR      []float64 // mean over trials of S/D
	SE       []float64 // standard error of SNR (NaN for one trial)
	NullMean []float64 // mean over trials of Z/D (expected 0)
	NullSD   []float64 // s.d. over trials of Z/D (expected 1)
	// Exact is the stationary oracle √N·SNR(t) (MarkovChain.SNR for binary
	// and cascade, BennaFusiSNR for benna_fusi) for f± = ½.
	Exact []float64
}

// MemoryCurve runs the experiment of [MemoryCurveConfig] with N = n,
// the given times, trials and seed, an equilibrium start and no burn-in.
func MemoryCurve(p Params, n int, times []int, trials int, seed uint64) (MemoryCurveResult, error) {
	return MemoryCurveConfig{N: n, Times: times, Trials: trials, Seed: seed}.Run(p)
}

// memoryCurveParams is implemented by the Params of the models that
// MemoryCurveConfig knows.
type memoryCurveParams interface {
	Params
	// mcInterval is the event interval [ms].
	mcInterval() float64
	// mcStart returns a function that sets a model's synapses to a draw
	// from the equilibrium distribution.
	mcStart() (func(m synapseModel, rng *rand.Rand) error, error)
	// mcExact returns the oracle SNR per √N at times.
	mcExact(times []int) ([]float64, error)
}

var (
	_ memoryCurveParams = (*BinaryParams)(nil)
	_ memoryCurveParams = (*CascadeParams)(nil)
	_ memoryCurveParams = (*BennaFusiParams)(nil)
)

// Run runs the experiment for the model p.
func (c MemoryCurveConfig) Run(p Params) (MemoryCurveResult, error) {
	if p == nil {
		return MemoryCurveResult{}, errors.New("consolidation: MemoryCurve: nil parameters")
	}
	mp, ok := p.(memoryCurveParams)
	if !ok {
		return MemoryCurveResult{}, fmt.Errorf("consolidation: MemoryCurve: model %s has no memory-curve setup (binary, cascade and benna_fusi have)", p.Model())
	}
	if err := p.Validate(); err != nil {
		return MemoryCurveResult{}, err
	}
	switch {
	case c.N < 2:
		return MemoryCurveResult{}, fmt.Errorf("consolidation: MemoryCurve: N = %d synapses: must be >= 2", c.N)
	case c.Trials < 1:
		return MemoryCurveResult{}, fmt.Errorf("consolidation: MemoryCurve: %d trials: must be >= 1", c.Trials)
	case len(c.Times) == 0:
		return MemoryCurveResult{}, errors.New("consolidation: MemoryCurve: no times to measure at")
	case c.BurnIn < 0:
		return MemoryCurveResult{}, fmt.Errorf("consolidation: MemoryCurve: burn-in %d: must be >= 0", c.BurnIn)
	case c.Start != StartEquilibrium && c.Start != StartModel:
		return MemoryCurveResult{}, fmt.Errorf("consolidation: MemoryCurve: unknown start %d", c.Start)
	}
	for i, t := range c.Times {
		if t < 0 || (i > 0 && t <= c.Times[i-1]) {
			return MemoryCurveResult{}, fmt.Errorf("consolidation: MemoryCurve: times must be >= 0 and strictly ascending; %d follows %d", t, c.Times[max(i-1, 0)])
		}
	}
	var start func(synapseModel, *rand.Rand) error
	if c.Start == StartEquilibrium {
		var err error
		if start, err = mp.mcStart(); err != nil {
			return MemoryCurveResult{}, err
		}
	}
	exact, err := mp.mcExact(c.Times)
	if err != nil {
		return MemoryCurveResult{}, err
	}
	for i := range exact {
		exact[i] *= math.Sqrt(float64(c.N))
	}

	nt := len(c.Times)
	snr := make([][]float64, c.Trials) // [trial][time]
	null := make([][]float64, c.Trials)
	errs := make([]error, c.Trials)
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(runtime.GOMAXPROCS(0), c.Trials) {
		wg.Go(func() {
			for k := range next {
				snr[k], null[k], errs[k] = c.trial(mp, k, start)
			}
		})
	}
	for k := range c.Trials {
		next <- k
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return MemoryCurveResult{}, err
	}

	res := MemoryCurveResult{
		Model: p.Model(), N: c.N, Trials: c.Trials, Times: append([]int(nil), c.Times...),
		SNR: make([]float64, nt), SE: make([]float64, nt),
		NullMean: make([]float64, nt), NullSD: make([]float64, nt), Exact: exact,
	}
	for i := range nt {
		m, sd := mcMeanSD(snr, i)
		res.SNR[i], res.SE[i] = m, sd/math.Sqrt(float64(c.Trials))
		res.NullMean[i], res.NullSD[i] = mcMeanSD(null, i)
	}
	return res, nil
}

// mcMeanSD returns the mean and the sample s.d. (NaN for one row) of
// column i of x.
func mcMeanSD(x [][]float64, i int) (float64, float64) {
	n := float64(len(x))
	sum := 0.0
	for _, r := range x {
		sum += r[i]
	}
	mean := sum / n
	ss := 0.0
	for _, r := range x {
		ss += (r[i] - mean) * (r[i] - mean)
	}
	if len(x) < 2 {
		return mean, math.NaN()
	}
	return mean, math.Sqrt(ss / (n - 1))
}

// trial runs trial k and returns S/D and Z/D at each time.
func (c MemoryCurveConfig) trial(p memoryCurveParams, k int, start func(synapseModel, *rand.Rand) error) (snr, null []float64, err error) {
	n := c.N
	l := Layout{
		Clock: snnsim.Clock{DT: p.mcInterval()}, NPre: 1, NPost: 1,
		Source: make([]int32, n), Target: make([]int32, n), Unit: make([]float32, n),
		Seed: mix64(c.Seed ^ mix64(uint64(k)+1)),
	}
	for s := range l.Unit {
		l.Unit[s] = 1
	}
	built, err := New(p, l)
	if err != nil {
		return nil, nil, err
	}
	m := built.(synapseModel) // every model of this package is
	rng := rand.New(rand.NewPCG(c.Seed, uint64(k)))
	if start != nil {
		if err := start(m, rand.New(rand.NewPCG(c.Seed^0x5bd1e995, uint64(k)))); err != nil {
			return nil, nil, err
		}
	}
	words := (n + 63) / 64
	pattern := func(dst []uint64) {
		for i := range dst {
			dst[i] = rng.Uint64()
		}
	}
	store := func(t snnsim.Time, bits []uint64) {
		m.Advance(t)
		for s := range n {
			dw := float64(int(bits[s>>6]>>(s&63)&1)*2 - 1)
			m.Signal(t, int64(s), dw)
		}
	}
	cur := make([]uint64, words)
	tick := snnsim.Time(0)
	for range c.BurnIn {
		pattern(cur)
		store(tick, cur)
		tick++
	}
	xi0, xi1 := make([]uint64, words), make([]uint64, words)
	pattern(xi0)
	pattern(xi1)
	store(tick, xi0)
	e := make([]float64, n)
	snr, null = make([]float64, len(c.Times)), make([]float64, len(c.Times))
	age := 0
	for i, t := range c.Times {
		for age < t {
			tick++
			age++
			pattern(cur)
			store(tick, cur)
		}
		mean := 0.0
		for s := range e {
			e[s] = m.Get(0, int64(s))
			mean += e[s]
		}
		mean /= float64(n)
		var S, Z, D float64
		for s, x := range e {
			x -= mean
			D += x * x
			if xi0[s>>6]>>(s&63)&1 == 1 {
				S += x
			} else {
				S -= x
			}
			if xi1[s>>6]>>(s&63)&1 == 1 {
				Z += x
			} else {
				Z -= x
			}
		}
		if D > 0 {
			snr[i], null[i] = S/math.Sqrt(D), Z/math.Sqrt(D)
		}
	}
	return snr, null, nil
}

// Memory-curve setup of the binary model.

func (p *BinaryParams) mcInterval() float64 { return 1 }

func (p *BinaryParams) mcStart() (func(synapseModel, *rand.Rand) error, error) {
	ch, err := BinaryChain(*p)
	if err != nil {
		return nil, err
	}
	pinf, err := ch.Stationary(0.5)
	if err != nil {
		return nil, err
	}
	return func(m synapseModel, rng *rand.Rand) error {
		for s := range m.Len() {
			i := mcDrawIndex(pinf, rng.Float64())
			if err := m.Set(0, 1, int64(s), ch.W[i]); err != nil {
				return err
			}
		}
		return nil
	}, nil
}

func (p *BinaryParams) mcExact(times []int) ([]float64, error) {
	ch, err := BinaryChain(*p)
	if err != nil {
		return nil, err
	}
	return ch.SNR(0.5, times)
}

// Memory-curve setup of the cascade model.

func (p *CascadeParams) mcInterval() float64 { return 1 }

func (p *CascadeParams) mcStart() (func(synapseModel, *rand.Rand) error, error) {
	ch, err := CascadeChain(*p)
	if err != nil {
		return nil, err
	}
	pinf, err := ch.Stationary(0.5)
	if err != nil {
		return nil, err
	}
	n := p.Depth
	return func(m synapseModel, rng *rand.Rand) error {
		for s := range m.Len() {
			sign, d := cascadeState(mcDrawIndex(pinf, rng.Float64()), n)
			if err := m.Set(0, 1, int64(s), float64(sign)); err != nil {
				return err
			}
			if err := m.Set(0, 2, int64(s), float64(d)); err != nil {
				return err
			}
		}
		return nil
	}, nil
}

func (p *CascadeParams) mcExact(times []int) ([]float64, error) {
	ch, err := CascadeChain(*p)
	if err != nil {
		return nil, err
	}
	return ch.SNR(0.5, times)
}

// mcDrawIndex returns the index i with Σ_{j<i} p_j <= u < Σ_{j<=i} p_j (the
// last index if rounding leaves u above the total).
func mcDrawIndex(p []float64, u float64) int {
	acc := 0.0
	for i, x := range p {
		acc += x
		if u < acc {
			return i
		}
	}
	return len(p) - 1
}

// Memory-curve setup of the Benna–Fusi model.

func (p *BennaFusiParams) mcInterval() float64 { return p.TimeUnit }

func (p *BennaFusiParams) mcStart() (func(synapseModel, *rand.Rand) error, error) {
	ch, err := bfOracleChain(*p)
	if err != nil {
		return nil, err
	}
	m := ch.m
	cov := mat.NewSymDense(m, nil)
	for i := range m {
		for j := i; j < m; j++ {
			r := math.Exp(-(ch.kappa[i] + ch.kappa[j]))
			cov.SetSym(i, j, p.Delta*p.Delta*ch.b[i]*ch.b[j]*r/-math.Expm1(-(ch.kappa[i]+ch.kappa[j])))
		}
	}
	var es mat.EigenSym
	if !es.Factorize(cov, true) {
		return nil, errors.New("consolidation: MemoryCurve: benna_fusi: stationary covariance not diagonalisable")
	}
	lam := es.Values(nil)
	var U mat.Dense
	es.VectorsTo(&U)
	// z = U diag(√λ) ε, u = read·z: u = A ε with A = read·U·diag(√λ).
	A := make([]float64, m*m)
	for k := range m {
		for j := range m {
			sq := math.Sqrt(max(lam[j], 0))
			x := 0.0
			for i := range m {
				x += ch.read[k*m+i] * U.At(i, j)
			}
			A[k*m+j] = x * sq
		}
	}
	return func(mod synapseModel, rng *rand.Rand) error {
		eps := make([]float64, m)
		for s := range mod.Len() {
			for j := range eps {
				eps[j] = rng.NormFloat64()
			}
			for k := range m {
				u := 0.0
				for j, e := range eps {
					u += A[k*m+j] * e
				}
				if err := mod.Set(0, k+1, int64(s), u); err != nil {
					return err
				}
			}
		}
		return nil
	}, nil
}

func (p *BennaFusiParams) mcExact(times []int) ([]float64, error) {
	ts := make([]float64, len(times))
	for i, t := range times {
		ts[i] = float64(t)
	}
	return BennaFusiSNR(*p, ts)
}
