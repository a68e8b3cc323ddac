package consolidation

import (
	"fmt"
	"math"
	"strconv"

	"gonum.org/v1/gonum/mat"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
)

const modelBennaFusi = "benna_fusi"

// Limits of the Benna–Fusi chain: at most maxBFVariables variables, and
// timescales spanning at most maxBFSpan (ratio^(2(m−1))), beyond which the
// smallest eigenvalues of the chain lose relative accuracy in float64.
const (
	maxBFVariables = 32
	maxBFSpan      = 1e14
)

// Charge modes of the Benna–Fusi model (the "charge" key).
const (
	chargeSign     = "sign"      // every event adds ±delta
	chargeSignedDW = "signed_dw" // an event adds delta·dw/Unit
)

func init() {
	models.Register(modelBennaFusi, func() Params { p := DefaultBennaFusi(); return &p })
}

// BennaFusiParams are the parameters of the Benna & Fusi (2016) chain of
// communicating vessels; see [BennaFusi] for the equations.
//
//	key        default  unit  meaning
//	variables  12             m, number of variables u_1 … u_m, in [1, 32]
//	ratio      2              r: C_k = r^{k−1}, g_{k,k+1} = g12·r^{−(k−1)}; >= 1
//	g12        0.125          g_{12}, coupling of u_1 and u_2 [1/time_unit]
//	time_unit  1000     ms    the chain's unit of time (one event interval)
//	delta      1              Δ, charge of one event into u_1
//	charge     "sign"         "sign": an event adds Δ·sign(dw); "signed_dw": Δ·dw/Unit[s]
//	base       1              efficacy at u_1 = 0
//
// With the defaults (Benna & Fusi 2016, as in Lahiri & Ganguli's
// BennaFusi.m) the
// adjacent timescales grow by 4 and the slowest is about 8·4^m = 2^{2m+3}
// time units; m = 12 covers 10⁸ time units. The constraint
// ratio^{2(m−1)} <= 1e14 keeps the chain's eigenvalues accurate in float64.
//
// charge = "sign" (the default) makes every plasticity event a unit of
// charge whatever the size of the rule's change, as in the memory-curve
// setting of the paper; "signed_dw" passes the rule's change through, in
// efficacy units (dw is in weight units: the rule sees Unit[s]·base) and
// scaled by Δ.
type BennaFusiParams struct {
	Variables int     `toml:"variables"`
	Ratio     float64 `toml:"ratio"`
	G12       float64 `toml:"g12"`
	TimeUnit  float64 `toml:"time_unit" unit:"ms"`
	Delta     float64 `toml:"delta"`
	Charge    string  `toml:"charge"`
	Base      float64 `toml:"base"`
}

// DefaultBennaFusi returns m = 12, ratio 2, g12 = 1/8, time unit 1 s,
// Δ = 1, charge "sign", base 1.
func DefaultBennaFusi() BennaFusiParams {
	return BennaFusiParams{Variables: 12, Ratio: 2, G12: 0.125, TimeUnit: 1000, Delta: 1, Charge: chargeSign, Base: 1}
}

// Model returns "benna_fusi".
func (p *BennaFusiParams) Model() string { return modelBennaFusi }

// Modulators returns nil: the model reads no level.
func (p *BennaFusiParams) Modulators() []string { return nil }

// Vars returns the per-synapse variables: efficacy (base + u_1), u1, …, um.
func (p *BennaFusiParams) Vars() []string {
	v := []string{"efficacy"}
	for k := 1; k <= p.Variables; k++ {
		v = append(v, "u"+strconv.Itoa(k))
	}
	return v
}

// Validate checks every parameter; the error names the TOML key, the value
// and the constraint.
func (p *BennaFusiParams) Validate() error {
	c := checkParams(modelBennaFusi, p)
	c.IntIn("variables", p.Variables, 1, maxBFVariables)
	c.Finite("ratio", p.Ratio)
	if !(p.Ratio >= 1) {
		c.Fail("ratio", p.Ratio, "must be >= 1")
	} else if span := math.Pow(p.Ratio, 2*float64(p.Variables-1)); c.OK() && !(span <= maxBFSpan) {
		c.Failf("variables", p.Variables, "with ratio = %g the timescales span ratio^(2(variables-1)) = %.3g: must be <= %g (use fewer variables or a smaller ratio)", p.Ratio, span, maxBFSpan)
	}
	c.Positive("g12", p.G12)
	c.Positive("time_unit", p.TimeUnit)
	c.Positive("delta", p.Delta)
	c.OneOf("charge", p.Charge, chargeSign, chargeSignedDW)
	c.Finite("base", p.Base)
	return c.Err()
}

func (p *BennaFusiParams) build(l Layout) (Model, error) { return newBennaFusi(*p, l) }

// bfChain is the eigendecomposition of a Benna–Fusi chain, in units of
// time_unit. With y = C^{1/2} u the chain is dy/dt = −K y + input, K =
// C^{−1/2} L C^{−1/2} = V diag(κ) Vᵀ (symmetric, positive definite), and
// z = Vᵀ y are the eigen-coordinates: dz_i/dt = −κ_i z_i.
type bfChain struct {
	m     int
	c     []float64 // C_k
	g     []float64 // g_{k,k+1}, k = 1 … m (the last leaks to ground)
	kappa []float64 // κ_i, ascending [1/time_unit]
	b     []float64 // charge vector: a charge Q adds Q·b to z; u_1 = b·z
	read  []float64 // m×m: u_k = Σ_i read[k·m+i] z_i, read = C^{−1/2} V
	write []float64 // m×m: z_i = Σ_k write[i·m+k] u_k, write = Vᵀ C^{1/2}
}

// newBFChain builds and diagonalises the chain of p (mat.EigenSym on K).
func newBFChain(p BennaFusiParams) (*bfChain, error) {
	m := p.Variables
	ch := &bfChain{m: m, c: make([]float64, m), g: make([]float64, m)}
	for k := range m {
		ch.c[k] = math.Pow(p.Ratio, float64(k))
		ch.g[k] = p.G12 * math.Pow(p.Ratio, -float64(k))
	}
	K := mat.NewSymDense(m, nil)
	for k := range m {
		d := ch.g[k]
		if k > 0 {
			d += ch.g[k-1]
			K.SetSym(k-1, k, -ch.g[k-1]/math.Sqrt(ch.c[k-1]*ch.c[k]))
		}
		K.SetSym(k, k, d/ch.c[k])
	}
	var es mat.EigenSym
	if !es.Factorize(K, true) {
		return nil, fmt.Errorf("consolidation: benna_fusi: the eigendecomposition of the %d-variable chain failed", m)
	}
	ch.kappa = es.Values(nil)
	var V mat.Dense
	es.VectorsTo(&V)
	for i, k := range ch.kappa {
		if !(k > 0) {
			return nil, fmt.Errorf("consolidation: benna_fusi: chain eigenvalue %d is %g, not > 0", i, k)
		}
	}
	ch.read = make([]float64, m*m)
	ch.write = make([]float64, m*m)
	for k := range m {
		sc := math.Sqrt(ch.c[k])
		for i := range m {
			ch.read[k*m+i] = V.At(k, i) / sc
			ch.write[i*m+k] = V.At(k, i) * sc
		}
	}
	ch.b = ch.read[:m:m]
	return ch, nil
}

// impulse returns u_1 at time t [time_unit] after a unit charge into u_1:
// Σ_i b_i² e^{−κ_i t}.
func (ch *bfChain) impulse(t float64) float64 {
	u := 0.0
	for i, k := range ch.kappa {
		u += ch.b[i] * ch.b[i] * math.Exp(-k*t)
	}
	return u
}

// BennaFusi is the linear chain of communicating vessels of Benna & Fusi
// (2016), Nat Neurosci 19:1697, bound to a layout. Each
// synapse has m variables u_1 … u_m (u_1 is the weight), with, in units of
// time_unit,
//
//	C_1 du_1/dt = I(t)                     + g_{12}(u_2 − u_1)
//	C_k du_k/dt = g_{k−1,k}(u_{k−1} − u_k) + g_{k,k+1}(u_{k+1} − u_k),  k = 2 … m
//	u_{m+1} ≡ 0,  C_k = r^{k−1},  g_{k,k+1} = g_{12}·r^{−(k−1)}
//
// where I(t) = Q·δ(t − t_e) for a plasticity signal at t_e: Q = Δ·sign(dw)
// (charge = "sign") or Δ·dw/Unit[s] (charge = "signed_dw"; Δ·dw where
// Unit[s] = 0); dw = 0, NaN or ±Inf is ignored. The transmitted weight is
//
//	w[s] = Unit[s] · (base + u_1).
//
// The variables are unbounded and continuous (the paper's finite-precision
// variables are not modelled).
//
// # Exact event-driven integration
//
// The chain is linear with constant coefficients. K = C^{−1/2} L C^{−1/2}
// (L the conductance matrix, so C du/dt = −L u + I e_1) is symmetric; its
// eigendecomposition K = V diag(κ) Vᵀ is computed once with gonum
// (mat.EigenSym). Each synapse stores its eigen-coordinates z = Vᵀ C^{1/2} u
// and the tick of its last update; a gap of Δt ticks is advanced exactly by
// z_i ← z_i·exp(−κ_i·Δt·dt/time_unit) (O(m)), an event adds Q·b with
// b = Vᵀ e_1/√C_1 (O(m)), and u_1 = b·z (O(m)). Nothing happens between
// events: Advance only records the time, Next returns snnsim.Never, and an
// hour without events costs nothing. Advancing a synapse in one jump or in
// many gives the same state to rounding (TestBennaFusiLazyExact).
//
// Because u_1 decays continuously, the delivered weight w[s] is refreshed
// lazily: Pre(t, i, lo, hi) writes w[lo:hi] from u_1 as of t, the spike's
// arrival, before the engine delivers it, and Signal and Set write w[s].
// Between these, w[s] holds the value of the last refresh (a reader other
// than spike delivery should use Get). Get reports the variables as of the
// latest tick the model was given (by Advance, Pre, Signal or Set).
// The rule weight (RuleWeights) is the constant Unit[s]·base (only the sign, or with
// "signed_dw" the size, of a rule's change is used).
//
// The impulse response of u_1 for the defaults is ≈ 1.34·t^{−1/2} for
// 10 ≲ t ≲ 2^{2m+3} time units, and with one random ± event per time unit
// the ideal-observer memory signal is SNR(t) = √N·u_1(t)/√(Σ_{s≥0} u_1(s)²)
// ([BennaFusiSNR]).
//
// Tested by TestBennaFusiPropagator (against expm and RK4),
// TestBennaFusiImpulseTable, TestBennaFusiLazyExact,
// TestBennaFusiMemoryCurve and TestMarkovState.
type BennaFusi struct {
	p     BennaFusiParams
	ch    *bfChain
	m     int
	unit  []float32
	rate  []float64 // κ_i per tick
	z     []float64 // per synapse: m eigen-coordinates
	last  []snnsim.Time
	now   snnsim.Time
	w     []float32
	dt    float64
	gap   snnsim.Time // gap of the cached factors (−1: none)
	fac   []float64   // exp(−rate_i·gap)
	chg   float64     // Δ
	dwChg bool        // charge = "signed_dw"
	u, zz []float64   // scratch for Get and Set
	rule  ruleBuf     // rule weights Unit[s]·base
}

func newBennaFusi(p BennaFusiParams, l Layout) (*BennaFusi, error) {
	ch, err := newBFChain(p)
	if err != nil {
		return nil, err
	}
	n, m := len(l.Target), p.Variables
	bf := &BennaFusi{
		p: p, ch: ch, m: m, unit: l.Unit, rate: make([]float64, m),
		z: make([]float64, n*m), last: make([]snnsim.Time, n), dt: l.Clock.DT,
		gap: -1, fac: make([]float64, m), chg: p.Delta, dwChg: p.Charge == chargeSignedDW,
		u: make([]float64, m), zz: make([]float64, m),
		rule: ruleBuf{unit: l.Unit, c: p.Base},
	}
	for i, k := range ch.kappa {
		bf.rate[i] = k * l.Clock.DT / p.TimeUnit
	}
	return bf, nil
}

// Params returns the model's parameters.
func (m *BennaFusi) Params() BennaFusiParams { return m.p }

// Timescales returns the time constants 1/κ_i of the chain's modes in
// units of time_unit, slowest first.
func (m *BennaFusi) Timescales() []float64 {
	out := make([]float64, m.m)
	for i, k := range m.ch.kappa {
		out[i] = 1 / k
	}
	return out
}

// Name returns "benna_fusi".
func (m *BennaFusi) Name() string { return modelBennaFusi }

// Len returns the number of synapses.
func (m *BennaFusi) Len() int { return len(m.last) }

// factors returns exp(−rate_i·gap) for gap > 0, cached for the last gap.
func (m *BennaFusi) factors(gap snnsim.Time) []float64 {
	if gap != m.gap {
		g := float64(gap)
		for i, r := range m.rate {
			m.fac[i] = math.Exp(-r * g)
		}
		m.gap = gap
	}
	return m.fac
}

// advance brings synapse s to tick t (no-op if t is not after its last
// update).
func (m *BennaFusi) advance(s int64, t snnsim.Time) {
	gap := t - m.last[s]
	if gap <= 0 {
		return
	}
	f := m.factors(gap)
	z := m.modes(s)
	f = f[:len(z)]
	for i := range z {
		z[i] *= f[i]
	}
	m.last[s] = t
}

// modes returns the m chain variables of synapse s (not decayed to the
// model's time).
func (m *BennaFusi) modes(s int64) []float64 {
	o := int(s) * m.m
	return m.z[o : o+m.m : o+m.m]
}

// weight returns the transmitted weight Unit[s]·(base + u1) of synapse s.
func (m *BennaFusi) weight(s int64, u1 float64) float32 {
	return float32(float64(m.unit[s]) * (m.p.Base + u1))
}

// u1At returns u_1 of synapse s at tick t without changing its state.
func (m *BennaFusi) u1At(s int64, t snnsim.Time) float64 {
	z := m.modes(s)
	b := m.ch.b[:len(z)]
	u := 0.0
	if gap := t - m.last[s]; gap > 0 {
		f := m.factors(gap)[:len(z)]
		for i := range z {
			u += b[i] * z[i] * f[i]
		}
		return u
	}
	for i := range z {
		u += b[i] * z[i]
	}
	return u
}

// uAt writes u_1 … u_m of synapse s at tick t into u.
func (m *BennaFusi) uAt(s int64, t snnsim.Time, u []float64) {
	zz := m.zz
	copy(zz, m.modes(s))
	if gap := t - m.last[s]; gap > 0 {
		f := m.factors(gap)
		for i := range zz {
			zz[i] *= f[i]
		}
	}
	matVec(u, m.ch.read, zz)
}

// matVec sets dst = a·x for the row-major matrix a of len(dst) rows of
// len(x) columns.
func matVec(dst, a, x []float64) {
	n := len(x)
	for k := range dst {
		row := a[k*n : (k+1)*n]
		y := 0.0
		for i, r := range row {
			y += r * x[i]
		}
		dst[k] = y
	}
}

func (m *BennaFusi) see(t snnsim.Time) {
	if t > m.now {
		m.now = t
	}
}

// Bind sets the delivery array (len = Len()) and fills it with u_1 as of
// the model's current time.
func (m *BennaFusi) Bind(w []float32) {
	if len(w) != len(m.last) {
		panic(fmt.Sprintf("consolidation: benna_fusi: Bind with %d weights for %d synapses", len(w), len(m.last)))
	}
	m.w = w
	for s := range m.last {
		w[s] = m.weight(int64(s), m.u1At(int64(s), m.now))
	}
}

// Advance records t as the model's current time; there is no other work.
func (m *BennaFusi) Advance(t snnsim.Time) { m.see(t) }

// Next returns snnsim.Never: the chain is advanced lazily.
func (m *BennaFusi) Next() snnsim.Time { return snnsim.Never }

// Pre refreshes the delivered weights w[lo:hi] from u_1 as of t, before the
// engine delivers the spike.
func (m *BennaFusi) Pre(t snnsim.Time, _ int32, lo, hi snnsim.SynapseID) {
	m.see(t)
	if m.w == nil {
		return
	}
	for s := lo; s < hi; s++ {
		m.w[s] = m.weight(s, m.u1At(s, t))
	}
}

// CurrentWeight returns the weight that synapse s transmits at tick t,
// the weight Pre writes for an arrival then ([LazyDelivery]): the
// delivery array holds it only as of the synapse's last arrival or
// signal, and u_1 decays in between.
func (m *BennaFusi) CurrentWeight(s snnsim.SynapseID, t snnsim.Time) float32 {
	return m.weight(s, m.u1At(s, t))
}

// Post does nothing.
func (m *BennaFusi) Post(snnsim.Time, int32) {}

// RuleWeights returns the rule buffer, whose rule weights are Unit[s]·base.
func (m *BennaFusi) RuleWeights() []float32 { return m.rule.weights(len(m.last), nil) }

// Changed signals the rule's changes of synapses off+syn[k] at tick t.
func (m *BennaFusi) Changed(t snnsim.Time, off snnsim.SynapseID, syn []int32) {
	for _, c := range m.rule.changes(off, syn, nil) {
		m.Signal(t, c.s, c.dw)
	}
}

// Signal adds the charge of a rule's change dw (Δ·sign(dw) or Δ·dw/Unit[s]) into
// u_1 of synapse s at tick t, after advancing s to t, and refreshes w[s].
func (m *BennaFusi) Signal(t snnsim.Time, s snnsim.SynapseID, dw float64) {
	if dw == 0 || math.IsNaN(dw) || math.IsInf(dw, 0) {
		return
	}
	m.see(t)
	q := m.chg
	switch {
	case m.dwChg:
		if u := float64(m.unit[s]); u != 0 {
			q *= dw / u
		} else {
			q *= dw
		}
	case dw < 0:
		q = -q
	}
	z := m.modes(s)
	b := m.ch.b[:len(z)]
	u := 0.0
	if gap := t - m.last[s]; gap > 0 {
		f := m.factors(gap)[:len(z)]
		for i := range z {
			x := z[i]*f[i] + q*b[i]
			z[i] = x
			u += b[i] * x
		}
		m.last[s] = t
	} else {
		for i := range z {
			x := z[i] + q*b[i]
			z[i] = x
			u += b[i] * x
		}
	}
	if m.w != nil {
		m.w[s] = m.weight(s, u)
	}
}

// Vars returns ["efficacy", "u1", …, "um"].
func (m *BennaFusi) Vars() []string { return m.p.Vars() }

// Get returns the efficacy base + u_1 (v = 0) or u_v (v = 1 … m) of
// synapse s as of the model's current time; NaN for another v.
func (m *BennaFusi) Get(v int, s snnsim.SynapseID) float64 {
	switch {
	case v == 0:
		return m.p.Base + m.u1At(s, m.now)
	case v >= 1 && v <= m.m:
		m.uAt(s, m.now, m.u)
		return m.u[v-1]
	}
	return math.NaN()
}

// Set sets the efficacy (v = 0, by setting u_1 = x − base) or u_v
// (v = 1 … m) of synapse s at tick t to the finite value x, keeping the
// other variables, and updates the delivered weight.
func (m *BennaFusi) Set(t snnsim.Time, v int, s snnsim.SynapseID, x float64) error {
	if s < 0 || s >= int64(len(m.last)) {
		return markovBadSynapse(modelBennaFusi, s, len(m.last))
	}
	if v < 0 || v > m.m {
		return markovBadVar(modelBennaFusi, v, m.Vars())
	}
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return fmt.Errorf("consolidation: benna_fusi: %s = %g of synapse %d: must be finite", m.Vars()[v], x, s)
	}
	m.see(t)
	m.advance(s, m.now)
	u := m.u
	m.uAt(s, m.now, u)
	if v == 0 {
		u[0] = x - m.p.Base
	} else {
		u[v-1] = x
	}
	matVec(m.modes(s), m.ch.write, u)
	if m.w != nil {
		m.w[s] = m.weight(s, m.u1At(s, m.now))
	}
	return nil
}

func (m *BennaFusi) ident() markovIdent {
	return markovIdent{model: modelBennaFusi, n: len(m.last),
		ikeys: []string{"variables"}, ints: []int64{int64(m.m)},
		fkeys:  []string{"ratio", "g12", "time_unit [ms]", "resolution [ms]"},
		floats: []float64{m.p.Ratio, m.p.G12, m.p.TimeUnit, m.dt}}
}

// AppendState appends the state as one frame tagged
// "consolidation/benna_fusi", version 1: the number of synapses, 0 (the
// model draws no random numbers), the number of variables (int64), ratio,
// g12, time_unit [ms] and the resolution [ms] (float64), the model's
// current tick (int64), then per synapse its last-update tick (int64) and
// its m eigen-coordinates (float64). A restored model continues bit for
// bit as the original.
func (m *BennaFusi) AppendState(b []byte) []byte {
	b, start := beginMarkov(b, modelBennaFusi)
	id := m.ident()
	b = id.append(b)
	b = checkpoint.PutI64(b, int64(m.now))
	for s, last := range m.last {
		b = checkpoint.PutI64(b, int64(last))
		for _, x := range m.z[s*m.m : (s+1)*m.m] {
			b = checkpoint.PutF64(b, x)
		}
	}
	return endMarkov(b, start)
}

// RestoreState replaces the state by the frame at the front of b and returns
// the bytes after it. A truncated, corrupt (non-finite coordinate, tick out of
// order), mismatched (other model, synapse count, number of variables, chain
// constants, time unit or resolution) or unknown-version state is refused with
// an error wrapping checkpoint.ErrCorrupt, checkpoint.ErrMismatch or
// checkpoint.ErrVersion, and the model is left unchanged.
func (m *BennaFusi) RestoreState(b []byte) ([]byte, error) {
	id := m.ident()
	d, rest, err := id.open(b)
	if err != nil {
		return nil, err
	}
	tag := markovTag(modelBennaFusi)
	now, ok := readMarkovTick(d, snnsim.Never-1)
	if d.Short {
		return nil, d.Done(tag)
	}
	if !ok {
		return nil, stateCodec.Corruptf("benna_fusi state at tick %d", now)
	}
	n := len(m.last)
	if len(d.B) != n*8*(1+m.m) {
		return nil, stateCodec.Corruptf("benna_fusi state has %d bytes of synapse records, %d synapses of %d variables need %d", len(d.B), n, m.m, n*8*(1+m.m))
	}
	last := make([]snnsim.Time, n)
	z := make([]float64, n*m.m)
	for s := range last {
		var ok bool
		if last[s], ok = readMarkovTick(d, now); !ok {
			return nil, stateCodec.Corruptf("benna_fusi synapse %d last updated at tick %d, the state is at tick %d", s, last[s], now)
		}
		for i := range m.m {
			x := d.F64()
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, stateCodec.Corruptf("benna_fusi synapse %d has the eigen-coordinate %g", s, x)
			}
			z[s*m.m+i] = x
		}
	}
	if err := d.Done(tag); err != nil {
		return nil, err
	}
	m.now, m.last, m.z = now, last, z
	if m.w != nil {
		m.Bind(m.w)
	}
	return rest, nil
}
