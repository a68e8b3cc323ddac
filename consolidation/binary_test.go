package consolidation

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
	"github.com/snnsim/snnsim/checkpoint/checkpointtest"
)

// mkLayout returns a layout of n synapses from one source onto one target,
// unit weights 1, resolution dt [ms].
func mkLayout(n int, dt float64, seed uint64) Layout {
	l := Layout{Clock: snnsim.Clock{DT: dt}, NPre: 1, NPost: 1,
		Source: make([]int32, n), Target: make([]int32, n), Unit: make([]float32, n), Seed: seed}
	for s := range l.Unit {
		l.Unit[s] = 1
	}
	return l
}

// TestMarkovValidate checks that every invalid parameter is refused with an
// error naming its TOML key, value and constraint.
func TestMarkovValidate(t *testing.T) {
	bin := func(f func(p *BinaryParams)) Params { p := DefaultBinary(); f(&p); return &p }
	cas := func(f func(p *CascadeParams)) Params { p := DefaultCascade(); f(&p); return &p }
	bf := func(f func(p *BennaFusiParams)) Params { p := DefaultBennaFusi(); f(&p); return &p }
	cases := []struct {
		name string
		p    Params
		want string // "" for valid
	}{
		{"binary/default", bin(func(*BinaryParams) {}), ""},
		{"binary/q=1", bin(func(p *BinaryParams) { p.Q = 1 }), ""},
		{"binary/q>1", bin(func(p *BinaryParams) { p.Q = 1.5 }), "consolidation: binary.q = 1.5: must be in (0, 1]"},
		{"binary/q=0", bin(func(p *BinaryParams) { p.Q = 0 }), "consolidation: binary.q = 0: must be in (0, 1]"},
		{"binary/q=NaN", bin(func(p *BinaryParams) { p.Q = math.NaN() }), "binary.q = NaN"},
		{"binary/w_high<=w_low", bin(func(p *BinaryParams) { p.WHigh = 0 }), "consolidation: binary.w_high = 0: must be above w_low = 0"},
		{"binary/w_low=Inf", bin(func(p *BinaryParams) { p.WLow = math.Inf(-1) }), "binary.w_low = -Inf: must be finite"},
		{"binary/init", bin(func(p *BinaryParams) { p.Init = "up" }), `consolidation: binary.init = "up": must be one of "equilibrium", "low", "high"`},
		{"cascade/default", cas(func(*CascadeParams) {}), ""},
		{"cascade/depth=1", cas(func(p *CascadeParams) { p.Depth = 1 }), "consolidation: cascade.depth = 1: must be an integer in [2, 64]"},
		{"cascade/depth=65", cas(func(p *CascadeParams) { p.Depth = 65 }), "cascade.depth = 65"},
		{"cascade/x=0.6", cas(func(p *CascadeParams) { p.X = 0.6 }), "consolidation: cascade.x = 0.6: must be in (0, 0.5]"},
		{"cascade/x=0", cas(func(p *CascadeParams) { p.X = 0 }), "cascade.x = 0"},
		{"cascade/w", cas(func(p *CascadeParams) { p.WLow = 2 }), "cascade.w_high = 1: must be above w_low = 2"},
		{"benna_fusi/default", bf(func(*BennaFusiParams) {}), ""},
		{"benna_fusi/variables=0", bf(func(p *BennaFusiParams) { p.Variables = 0 }), "consolidation: benna_fusi.variables = 0: must be an integer in [1, 32]"},
		{"benna_fusi/span", bf(func(p *BennaFusiParams) { p.Variables = 30 }), "benna_fusi.variables = 30: with ratio = 2 the timescales span"},
		{"benna_fusi/ratio", bf(func(p *BennaFusiParams) { p.Ratio = 0.5 }), "consolidation: benna_fusi.ratio = 0.5: must be >= 1"},
		{"benna_fusi/g12", bf(func(p *BennaFusiParams) { p.G12 = -1 }), "consolidation: benna_fusi.g12 = -1: must be > 0"},
		{"benna_fusi/time_unit", bf(func(p *BennaFusiParams) { p.TimeUnit = 0 }), "consolidation: benna_fusi.time_unit = 0 ms: must be > 0"},
		{"benna_fusi/delta", bf(func(p *BennaFusiParams) { p.Delta = math.Inf(1) }), "benna_fusi.delta = +Inf"},
		{"benna_fusi/charge", bf(func(p *BennaFusiParams) { p.Charge = "dw" }), `benna_fusi.charge = "dw": must be one of "sign", "signed_dw"`},
		{"benna_fusi/base", bf(func(p *BennaFusiParams) { p.Base = math.NaN() }), "benna_fusi.base = NaN: must be finite"},
	}
	for _, c := range cases {
		t.Run("case="+c.name, func(t *testing.T) {
			err := c.p.Validate()
			if c.want == "" {
				if err != nil {
					t.Fatalf("valid parameters refused: %v", err)
				}
				if _, err := New(c.p, mkLayout(3, 1, 1)); err != nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
			if _, err := New(c.p, mkLayout(3, 1, 1)); err == nil {
				t.Fatal("New accepted invalid parameters")
			}
		})
	}
}

// TestMarkovRegistry checks that the three models are registered with
// their defaults and variable lists.
func TestMarkovRegistry(t *testing.T) {
	for _, c := range []struct {
		name string
		vars []string
	}{
		{"binary", []string{"efficacy", "state"}},
		{"cascade", []string{"efficacy", "state", "depth"}},
		{"benna_fusi", []string{"efficacy", "u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9", "u10", "u11", "u12"}},
	} {
		p, ok := Lookup(c.name)
		if !ok {
			t.Fatalf("model %s not registered", c.name)
		}
		if p.Model() != c.name || p.Modulators() != nil || fmt.Sprint(p.Vars()) != fmt.Sprint(c.vars) {
			t.Errorf("%s: Model %q, Modulators %v, Vars %v", c.name, p.Model(), p.Modulators(), p.Vars())
		}
		m := mustNew(t, p, mkLayout(4, 0.1, 1))
		if m.Name() != c.name || m.Len() != 4 || m.Next() != snnsim.Never || fmt.Sprint(m.Vars()) != fmt.Sprint(c.vars) {
			t.Errorf("%s: model Name %q Len %d Next %d Vars %v", c.name, m.Name(), m.Len(), m.Next(), m.Vars())
		}
		if _, ok := m.(NeuronInspector); ok {
			t.Errorf("%s: has per-neuron variables", c.name)
		}
		if _, ok := m.(Leveled); ok {
			t.Errorf("%s: reads levels", c.name)
		}
	}
}

// TestBinarySignal checks the transitions of the binary synapse: q = 1 is
// deterministic, only the sign of dw matters, w follows the state, and
// the result does not depend on the order in which synapses are signalled.
func TestBinarySignal(t *testing.T) {
	p := DefaultBinary()
	p.Q, p.Init, p.WLow, p.WHigh = 1, initLow, 0.2, 1.5
	l := mkLayout(3, 0.1, 7)
	l.Unit[2] = 2
	m := mustNew(t, &p, l)
	w := make([]float32, 3)
	m.Bind(w)
	if w[0] != 0.2 || w[2] != 0.4 {
		t.Fatalf("initial weights %v", w)
	}
	m.Signal(1, 2, 1e-9)
	m.Signal(1, 1, 0)
	m.Signal(1, 0, math.NaN())
	if m.Get(1, 2) != 1 || m.Get(0, 2) != 1.5 || w[2] != 3 || m.Get(1, 1) != -1 || m.Get(1, 0) != -1 {
		t.Fatalf("after events: states %v %v %v, w %v", m.Get(1, 0), m.Get(1, 1), m.Get(1, 2), w)
	}
	m.Signal(2, 2, -5)
	if m.Get(1, 2) != -1 || w[2] != 0.4 {
		t.Fatalf("depression: state %v w %v", m.Get(1, 2), w[2])
	}
	if got := m.RuleWeights()[2]; math.Abs(float64(got)-2*0.85) > 1e-6 {
		t.Fatalf("RuleWeights()[2] = %g, want %g", got, 2*0.85)
	}

	// Order independence: the same events in reverse synapse order.
	p = DefaultBinary()
	const n = 200
	a, b := mustNew(t, &p, mkLayout(n, 1, 3)), mustNew(t, &p, mkLayout(n, 1, 3))
	rng := rand.New(rand.NewPCG(1, 2))
	for k := range 50 {
		dw := make([]float64, n)
		for s := range dw {
			dw[s] = rng.NormFloat64()
		}
		for s := range n {
			a.Signal(snnsim.Time(k), int64(s), dw[s])
			b.Signal(snnsim.Time(k), int64(n-1-s), dw[n-1-s])
		}
	}
	if !bytes.Equal(a.AppendState(nil), b.AppendState(nil)) {
		t.Fatal("the order in which synapses are signalled changed the result")
	}
}

// TestMarkovSet checks Set and Get of the three models, and the refusal of
// values outside a variable's range.
func TestMarkovSet(t *testing.T) {
	bp, cp, fp := DefaultBinary(), DefaultCascade(), DefaultBennaFusi()
	fp.Variables = 4
	type op struct {
		v  int
		x  float64
		ok bool
	}
	cases := []struct {
		name string
		p    Params
		ops  []op
	}{
		{"binary", &bp, []op{{0, 1, true}, {1, -1, true}, {0, 0.5, false}, {1, 0, false}, {2, 1, false}, {-1, 0, false}}},
		{"cascade", &cp, []op{{1, 1, true}, {2, 7, true}, {0, 0, true}, {2, 11, false}, {2, 0, false}, {2, 2.5, false}, {1, 0.5, false}, {0, 2, false}, {3, 1, false}}},
		{"benna_fusi", &fp, []op{{1, 0.5, true}, {4, -2, true}, {0, 3, true}, {2, math.Inf(1), false}, {5, 1, false}, {1, math.NaN(), false}}},
	}
	for _, c := range cases {
		t.Run("model="+c.name, func(t *testing.T) {
			m := mustNew(t, c.p, mkLayout(3, 1, 5))
			w := make([]float32, 3)
			m.Bind(w)
			for _, o := range c.ops {
				err := m.Set(10, o.v, 1, o.x)
				if (err == nil) != o.ok {
					t.Fatalf("Set(v=%d, x=%g): err = %v, want ok = %v", o.v, o.x, err, o.ok)
				}
				if o.ok {
					if got := m.Get(o.v, 1); math.Abs(got-o.x) > 1e-12*math.Max(1, math.Abs(o.x)) {
						t.Fatalf("Get(%d) = %.17g after Set to %g", o.v, got, o.x)
					}
					if got := float64(w[1]); math.Abs(got-m.Get(0, 1)) > 1e-6 {
						t.Fatalf("w = %g, efficacy %g", got, m.Get(0, 1))
					}
				}
			}
			if err := m.Set(10, 0, 3, 0); err == nil {
				t.Fatal("Set accepted synapse 3 of 3")
			}
		})
	}
	// cascade: Set state keeps the depth, Set depth keeps the state.
	m := mustNew(t, &cp, mkLayout(1, 1, 1))
	for _, o := range []op{{1, -1, true}, {2, 4, true}, {1, 1, true}} {
		if err := m.Set(0, o.v, 0, o.x); err != nil {
			t.Fatal(err)
		}
	}
	if m.Get(1, 0) != 1 || m.Get(2, 0) != 4 || m.Get(0, 0) != 1 {
		t.Fatalf("cascade after sets: state %v depth %v efficacy %v", m.Get(1, 0), m.Get(2, 0), m.Get(0, 0))
	}
}

// TestBinaryMemoryCurve is E8 for the binary synapse: the Monte-Carlo
// memory curve matches √N q(1−q)^t within 3 standard errors, and the
// null overlap is centred with unit s.d.
func TestBinaryMemoryCurve(t *testing.T) {
	for _, c := range []struct {
		q      float64
		n      int
		times  []int
		trials int
	}{
		{0.1, 10000, []int{0, 1, 2, 5, 10, 15, 20, 25, 30, 40}, 24},
		{0.01, 20000, []int{0, 10, 50, 100, 200}, 12},
	} {
		t.Run(fmt.Sprintf("q=%g/N=%d", c.q, c.n), func(t *testing.T) {
			p := DefaultBinary()
			p.Q = c.q
			res, err := MemoryCurve(&p, c.n, c.times, c.trials, 11)
			if err != nil {
				t.Fatal(err)
			}
			for i, tt := range res.Times {
				want := math.Sqrt(float64(c.n)) * c.q * math.Pow(1-c.q, float64(tt))
				if math.Abs(res.Exact[i]-want) > 1e-12*want {
					t.Errorf("t=%d: oracle %.15g, closed form %.15g", tt, res.Exact[i], want)
				}
				t.Logf("t=%3d  MC %7.3f ± %.3f  exact %7.3f  null %+.2f (s.d. %.2f)", tt, res.SNR[i], res.SE[i], want, res.NullMean[i], res.NullSD[i])
				if d := math.Abs(res.SNR[i] - want); d > 3*res.SE[i] {
					t.Errorf("t=%d: MC SNR %.3f ± %.3f, exact %.3f: off by %.1f s.e.", tt, res.SNR[i], res.SE[i], want, d/res.SE[i])
				}
				mcCheckNull(t, res, i)
			}
		})
	}
}

// mcCheckNull checks that the null overlap of result i has mean 0 within 3.5
// s.e. and an s.d. near 1 (loose: it is estimated from the trials).
func mcCheckNull(t *testing.T, res MemoryCurveResult, i int) {
	t.Helper()
	se := 1 / math.Sqrt(float64(res.Trials))
	if math.Abs(res.NullMean[i]) > 3.5*se || res.NullSD[i] < 0.4 || res.NullSD[i] > 1.8 {
		t.Errorf("t=%d: null overlap mean %.3f s.d. %.3f, want 0 ± %.3f and s.d. ≈ 1", res.Times[i], res.NullMean[i], res.NullSD[i], 3.5*se)
	}
}

// mcCrossing returns the t at which the decreasing curve y(t) (sampled at
// ts) crosses level, interpolating log y linearly between samples.
func mcCrossing(ts, y []float64, level float64) float64 {
	for i := 1; i < len(ts); i++ {
		if y[i] < level {
			a, b := math.Log(y[i-1]), math.Log(y[i])
			return ts[i-1] + (ts[i]-ts[i-1])*(a-math.Log(level))/(a-b)
		}
	}
	return math.NaN()
}

// mcFitSlope returns the least-squares slope of y against x.
func mcFitSlope(x, y []float64) float64 {
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(len(x))
	my /= float64(len(x))
	var sxy, sxx float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
	}
	return sxy / sxx
}

// binaryLifetime returns the lifetime t* (√N·SNR(t*) = 1) of the binary
// synapse from the oracle's discrete curve, interpolated between memories.
func binaryLifetime(t *testing.T, q float64, n float64) float64 {
	t.Helper()
	p := DefaultBinary()
	p.Q = q
	ch, err := BinaryChain(p)
	if err != nil {
		t.Fatal(err)
	}
	tmax := int(3*math.Log(q*math.Sqrt(n))/q) + 2
	ts := make([]int, tmax)
	for i := range ts {
		ts[i] = i
	}
	snr, err := ch.SNR(0.5, ts)
	if err != nil {
		t.Fatal(err)
	}
	fts, y := make([]float64, tmax), make([]float64, tmax)
	for i := range ts {
		fts[i], y[i] = float64(i), math.Sqrt(n)*snr[i]
	}
	return mcCrossing(fts, y, 1)
}

// TestBinaryLifetime is E8's lifetime law for the binary synapse: from the
// oracle, t*(N) = ln(q√N)/(−ln(1−q)) exactly for the discrete curve, within
// 6 % of the continuous-time ln(q√N)/q, growing by ln(10)/(2q) per decade
// (log scaling); the Monte-Carlo crossing for q = 0.1, N = 10⁴ is within
// 3 s.e. of 21.85 (the ≈ 23 of the continuous-time formula does not
// apply to the discrete curve);
// and with q optimised for each N the lifetime grows as N^0.5.
func TestBinaryLifetime(t *testing.T) {
	const q = 0.1
	var logN, ts []float64
	for _, n := range []float64{1e3, 1e4, 1e5, 1e6} {
		got := binaryLifetime(t, q, n)
		exact := math.Log(q*math.Sqrt(n)) / -math.Log1p(-q)
		approx := math.Log(q*math.Sqrt(n)) / q
		t.Logf("N=%.0e: t* = %.3f (discrete exact %.3f, ln(q√N)/q = %.3f)", n, got, exact, approx)
		if math.Abs(got-exact) > 1e-9*exact {
			t.Errorf("N=%g: oracle lifetime %.12g, exact %.12g", n, got, exact)
		}
		if math.Abs(got-approx) > 0.06*approx {
			t.Errorf("N=%g: lifetime %.3f more than 6 %% from ln(q√N)/q = %.3f", n, got, approx)
		}
		logN = append(logN, math.Log10(n))
		ts = append(ts, got)
	}
	slope := mcFitSlope(logN, ts)
	want := math.Ln10 / (2 * q)
	t.Logf("t* per decade of N: %.3f (ln(10)/(2q) = %.3f; discrete ln(10)/(−2 ln(1−q)) = %.3f)", slope, want, math.Ln10/(-2*math.Log1p(-q)))
	if math.Abs(slope-want) > 0.06*want {
		t.Errorf("t* grows by %.3f per decade, want ≈ %.3f", slope, want)
	}

	// Monte-Carlo crossing, N = 10⁴ (t* ≈ 23 from ln(q√N)/q;
	// 21.85 for the discrete curve). Its s.e. is the SNR's s.e. over the
	// curve's slope at SNR = 1, −ln(1−q) per memory.
	p := DefaultBinary()
	times := []int{16, 18, 20, 22, 24, 26, 28}
	res, err := MemoryCurve(&p, 10000, times, 48, 5)
	if err != nil {
		t.Fatal(err)
	}
	ft := make([]float64, len(times))
	for i, x := range times {
		ft[i] = float64(x)
	}
	mc := mcCrossing(ft, res.SNR, 1)
	se := res.SE[3] / -math.Log1p(-q)
	exact := math.Log(q*100) / -math.Log1p(-q)
	t.Logf("Monte-Carlo lifetime N=1e4: %.2f ± %.2f memories (exact %.2f)", mc, se, exact)
	if !(math.Abs(mc-exact) < 3*se) {
		t.Errorf("Monte-Carlo lifetime %.2f ± %.2f, want %.2f within 3 s.e.", mc, se, exact)
	}

	// Best q for each N: t* = max_q ln(q√N)/(−ln(1−q)) ≈ √N/e.
	var lt []float64
	for _, n := range []float64{1e3, 1e4, 1e5, 1e6} {
		best := 0.0
		for lq := -8.0; lq < 0; lq += 1e-4 {
			qq := math.Exp(lq)
			if ts := math.Log(qq*math.Sqrt(n)) / -math.Log1p(-qq); ts > best {
				best = ts
			}
		}
		t.Logf("N=%.0e: best-q lifetime %.1f (√N/e = %.1f)", n, best, math.Sqrt(n)/math.E)
		lt = append(lt, math.Log10(best))
	}
	exp := mcFitSlope(logN, lt)
	t.Logf("best-q binary lifetime exponent (log t* vs log N, N = 1e3…1e6): %.3f", exp)
	if math.Abs(exp-0.5) > 0.03 {
		t.Errorf("best-q lifetime exponent %.3f, want 0.5", exp)
	}
}

// mcModels returns the three models' parameters for state tests.
func mcModels() []Params {
	b, c, f := DefaultBinary(), DefaultCascade(), DefaultBennaFusi()
	c.Depth = 6
	f.Variables = 5
	return []Params{&b, &c, &f}
}

// mcDrive applies random events at ticks from..to−1 to every synapse of m.
func mcDrive(m synapseModel, rng *rand.Rand, from, to snnsim.Time) {
	for tk := from; tk < to; tk++ {
		m.Advance(tk)
		for s := range m.Len() {
			if rng.IntN(3) > 0 {
				m.Signal(tk, int64(s), rng.NormFloat64())
			}
		}
	}
}

// TestMarkovState checks the checkpoint of the three models: a restored
// model continues bit for bit as the original, and truncated, damaged,
// mismatched and other-version states are refused with the right sentinel
// and leave the model unchanged.
func TestMarkovState(t *testing.T) {
	const n = 23
	for _, p := range mcModels() {
		t.Run("model="+p.Model(), func(t *testing.T) {
			l := mkLayout(n, 0.5, 99)
			orig := mustNew(t, p, l)
			mcDrive(orig, rand.New(rand.NewPCG(1, 1)), 0, 40)
			state := orig.AppendState([]byte("head"))[4:]
			withTail := append(append([]byte(nil), state...), "tail"...)

			fresh := mustNew(t, p, l)
			w := make([]float32, n)
			fresh.Bind(w)
			rest, err := fresh.RestoreState(withTail)
			if err != nil {
				t.Fatal(err)
			}
			if string(rest) != "tail" {
				t.Fatalf("rest = %q", rest)
			}
			for s := range n {
				if fresh.Get(0, int64(s)) != orig.Get(0, int64(s)) || float64(w[s]) != float64(float32(orig.Get(0, int64(s)))) {
					t.Fatalf("synapse %d: restored efficacy %g (w %g), original %g", s, fresh.Get(0, int64(s)), w[s], orig.Get(0, int64(s)))
				}
			}
			mcDrive(orig, rand.New(rand.NewPCG(2, 2)), 40, 80)
			mcDrive(fresh, rand.New(rand.NewPCG(2, 2)), 40, 80)
			if !bytes.Equal(orig.AppendState(nil), fresh.AppendState(nil)) {
				t.Fatal("restored model diverged from the original")
			}

			foreign := []checkpointtest.Foreign{{Name: "size", State: mustNew(t, p, mkLayout(n+1, 0.5, 99)).AppendState(nil)}}
			for _, other := range mcModels() {
				if other.Model() != p.Model() {
					foreign = append(foreign, checkpointtest.Foreign{Name: "model=" + other.Model(), State: mustNew(t, other, l).AppendState(nil), Says: other.Model()})
				}
			}
			if p.Model() != modelBennaFusi {
				foreign = append(foreign, checkpointtest.Foreign{Name: "seed", State: mustNew(t, p, mkLayout(n, 0.5, 98)).AppendState(nil)})
			} else {
				foreign = append(foreign, checkpointtest.Foreign{Name: "resolution", State: mustNew(t, p, mkLayout(n, 0.25, 99)).AppendState(nil)})
			}
			checkpointtest.Run(t, checkpointtest.Case{
				Name: "model=" + p.Model(), State: state, Foreign: foreign,
				New: func(tb testing.TB) checkpoint.Stater { return mustNew(tb, p, l) },
			})
			// Valid frame, invalid contents.
			payload := checkpointtest.Payload(state)
			target := mustNew(t, p, l)
			refuse := func(name string, b []byte, kind error) {
				t.Helper()
				t.Run(name, func(t *testing.T) { checkpointtest.Refuse(t, target, b, kind) })
			}
			reframe := func(mut func(p []byte) []byte) []byte {
				return checkpointtest.Frame(markovTag(p.Model()), markovVersion, mut(slices.Clone(payload)))
			}
			switch p.Model() {
			case modelBinary:
				refuse("state 0", reframe(func(p []byte) []byte { p[16+3] = 0; return p }), checkpoint.ErrCorrupt)
			case modelCascade:
				refuse("depth 7 of 6", reframe(func(p []byte) []byte { p[24+3] = 7; return p }), checkpoint.ErrCorrupt)
			case modelBennaFusi:
				// ident: n, seed, variables, 4 floats = 7·8 bytes; now; synapse 0: last, z_1.
				refuse("NaN coordinate", reframe(func(p []byte) []byte {
					copy(p[7*8+2*8:], checkpoint.PutF64(nil, math.NaN()))
					return p
				}), checkpoint.ErrCorrupt)
				refuse("last after now", reframe(func(p []byte) []byte {
					copy(p[7*8+8:], checkpoint.PutI64(nil, 1<<40))
					return p
				}), checkpoint.ErrCorrupt)
			}
		})
	}
}

// FuzzCascadeRestoreState feeds arbitrary bytes to RestoreState: never a
// panic, the contract of checkpointtest.Restore, and an accepted state
// has every depth in [1, 4].
func FuzzCascadeRestoreState(f *testing.F) {
	p := DefaultCascade()
	p.Depth = 4
	l := mkLayout(5, 1, 3)
	src := mustNew(f, &p, l)
	mcDrive(src, rand.New(rand.NewPCG(3, 3)), 0, 10)
	st := src.AppendState(nil)
	f.Add(st)
	f.Add(st[:len(st)/2])
	f.Add([]byte{})
	f.Add(append(append([]byte(nil), st...), 1, 2, 3))
	f.Fuzz(func(t *testing.T, data []byte) {
		m := mustNew(t, &p, l)
		if !checkpointtest.Restore(t, m, data) {
			return
		}
		for s := range m.Len() {
			if d := m.Get(2, int64(s)); d < 1 || d > 4 {
				t.Fatalf("accepted depth %g", d)
			}
		}
	})
}
