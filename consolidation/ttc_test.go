package consolidation

import (
	"math"
	"strings"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
	"github.com/snnsim/snnsim/checkpoint/checkpointtest"
)

// newTestTTC builds a tag-trigger-consolidation model with n synapses from
// n sources onto one target, at 1 ms resolution.
func newTestTTC(t testing.TB, n int, edit func(*TTCParams)) (*TTC, []float32) {
	t.Helper()
	p := DefaultTTC()
	p.Induction = "signal"
	p.TagScale = 1e6 // any nonzero dw tags
	p.InitUp = 0
	if edit != nil {
		edit(&p)
	}
	l := Layout{Clock: snnsim.Clock{DT: 1}, NPre: n, NPost: 1, Seed: 7}
	for s := range n {
		l.Source = append(l.Source, int32(s))
		l.Target = append(l.Target, 0)
		l.Unit = append(l.Unit, 1)
	}
	m, err := New(&p, l)
	if err != nil {
		t.Fatal(err)
	}
	w := make([]float32, n)
	m.Bind(w)
	return m.(*TTC), w
}

const hour = snnsim.Time(3600e3) // ticks of 1 ms

// Protein is exact: with n_tag > θ_p from t0 on, p(t) = p∞(1 − e^{−t/τ_eff})
// with p∞ = τ_pd/(τ_pd + τ_pm) and 1/τ_eff = 1/τ_pd + 1/τ_pm; when the tags
// are gone it decays with τ_pd. The late phase of a tagged synapse follows
// the authors' 1 s forward-Euler step of τ_z dz/dt = z(1−z)(z−κ) + γ·p, here
// checked against a straight loop over the same steps.
func TestTTCProteinAndLatePhase(t *testing.T) {
	m, w := newTestTTC(t, 100, func(p *TTCParams) { p.TauH, p.TauL = 1e15, 1e15 }) // tags never decay
	for s := range 100 {
		m.Signal(0, int64(s), 1)
	}
	pInf := 3600.0 / (3600 + 360)
	tauEff := 1 / (1/3600e3 + 1/360e3)
	zRef := 0.0
	for k := 1; k <= 3*3600; k++ { // 3 h of 1 s steps
		tk := snnsim.Time(k) * 1000
		m.Advance(tk)
		p0 := pInf * (1 - math.Exp(-float64(tk-1000)/tauEff)) // protein at the step's start
		zRef += (zRef*(1-zRef)*(zRef-0.5) + 0.1*p0) / 360
		if got := m.NeuronGet(0, 0); math.Abs(got-pInf*(1-math.Exp(-float64(tk)/tauEff))) > 1e-12 {
			t.Fatalf("t = %d ms: protein %.15g, want %.15g", tk, got, pInf*(1-math.Exp(-float64(tk)/tauEff)))
		}
		if z := m.Get(3, 5); math.Abs(z-zRef) > 1e-12 {
			t.Fatalf("t = %d s: z = %.15g, want %.15g", k, z, zRef)
		}
	}
	if zRef < 0.9 {
		t.Fatalf("z reached only %.3f in 3 h with protein: the check is too weak", zRef)
	}
	if got, want := float64(w[5]), 1+1+2*zRef; math.Abs(got-want) > 1e-6 {
		t.Errorf("delivered weight %g, want w0 + g_h + g_z·z = %g", got, want)
	}
}

// Tags decay as Poisson processes: of 20,000 h tags, e^{−1} remain after one
// mean lifetime τ_h = 1 h (within 3 s.e. of the binomial), and the count of
// tags on the neuron follows.
func TestTTCTagLifetime(t *testing.T) {
	const n = 20000
	m, _ := newTestTTC(t, n, func(p *TTCParams) { p.ThetaP = 1e9 }) // no protein: nothing but decays to do
	for s := range n {
		m.Signal(0, int64(s), 1)
	}
	if got := m.NeuronGet(1, 0); got != n {
		t.Fatalf("tag count %g, want %d", got, n)
	}
	for m.Next() <= hour {
		m.Advance(m.Next())
	}
	m.Advance(hour)
	left := 0
	for s := range n {
		left += int(m.Get(1, int64(s)))
	}
	p := math.Exp(-1)
	se := math.Sqrt(n * p * (1 - p))
	t.Logf("h tags left after 1 h: %d of %d (expected %.0f ± %.0f)", left, n, n*p, se)
	if math.Abs(float64(left)-n*p) > 3*se {
		t.Errorf("%d tags left, want %.0f ± 3·%.0f", left, n*p, se)
	}
	if got := m.NeuronGet(1, 0); got != float64(left) {
		t.Errorf("tag count %g, want %d", got, left)
	}
}

// Once tags have decayed and z has settled, nothing is scheduled.
func TestTTCQuietAfterSettling(t *testing.T) {
	m, _ := newTestTTC(t, 50, nil)
	for s := range 50 {
		m.Signal(0, int64(s), 1)
	}
	steps := 0
	for m.Next() != snnsim.Never {
		m.Advance(m.Next())
		if steps++; steps > 1e6 {
			t.Fatal("still active after 1e6 events")
		}
	}
	for s := range 50 {
		if h, z := m.Get(1, int64(s)), m.Get(3, int64(s)); h != 0 || (z != 0 && z != 1) {
			t.Fatalf("synapse %d: h = %g, z = %g at rest", s, h, z)
		}
	}
	t.Logf("settled after %d events", steps)
}

// Save, restore into a new model, continue: bit for bit the same as going
// straight on; damaged states are refused and leave the model unchanged.
func TestTTCState(t *testing.T) {
	drive := func(m *TTC, from, to snnsim.Time) {
		for tk := from; tk < to; tk += 997 {
			m.Advance(tk)
			for s := int64(tk % 7); s < int64(m.Len()); s += 7 {
				m.Signal(tk, s, float64(1-2*(s%2)))
			}
		}
		m.Advance(to)
	}
	a, wa := newTestTTC(t, 300, func(p *TTCParams) { p.TagScale = 0.3; p.InitUp = 0.3 })
	drive(a, 0, hour/2)
	st := a.AppendState(nil)
	b, wb := newTestTTC(t, 300, func(p *TTCParams) { p.TagScale = 0.3; p.InitUp = 0.3 })
	checkpointtest.MustRestore(t, b, st)
	drive(a, hour/2, 3*hour)
	drive(b, hour/2, 3*hour)
	for s := range wa {
		for v := range 4 {
			if a.Get(v, int64(s)) != b.Get(v, int64(s)) {
				t.Fatalf("synapse %d variable %d: %v straight, %v restored", s, v, a.Get(v, int64(s)), b.Get(v, int64(s)))
			}
		}
		if wa[s] != wb[s] {
			t.Fatalf("synapse %d: weight %v straight, %v restored", s, wa[s], wb[s])
		}
	}
	if a.NeuronGet(0, 0) != b.NeuronGet(0, 0) {
		t.Fatalf("protein %v straight, %v restored", a.NeuronGet(0, 0), b.NeuronGet(0, 0))
	}
	small, _ := newTestTTC(t, 10, nil)
	checkpointtest.Run(t, checkpointtest.Case{
		Name:    "ttc",
		State:   st,
		New:     func(tb testing.TB) checkpoint.Stater { m, _ := newTestTTC(tb, 300, nil); return m },
		Foreign: []checkpointtest.Foreign{{Name: "size", State: small.AppendState(nil)}},
		Trials:  50,
	})
}

// FuzzTTCRestoreState restores arbitrary bytes, as they are and in a valid
// frame of the model's tag: never a panic, and the contract of
// checkpointtest.Restore.
func FuzzTTCRestoreState(f *testing.F) {
	m, _ := newTestTTC(f, 20, nil)
	for s := range 20 {
		m.Signal(0, int64(s), 1)
	}
	f.Add(m.AppendState(nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, _ := newTestTTC(t, 20, nil)
		for _, in := range [][]byte{b, checkpointtest.Frame(ttcTag, 1, b)} {
			checkpointtest.Restore(t, m, in)
		}
	})
}

func TestTTCValidate(t *testing.T) {
	for _, c := range []struct {
		edit func(*TTCParams)
		want string
	}{
		{func(p *TTCParams) { p.Induction = "calcium" }, `induction = "calcium"`},
		{func(p *TTCParams) { p.TauH = 0 }, "tau_h = 0 ms"},
		{func(p *TTCParams) { p.Kappa = 1 }, "kappa = 1"},
		{func(p *TTCParams) { p.InitUp = 1.5 }, "init_up = 1.5"},
		{func(p *TTCParams) { p.GZ = -2 }, "g_z = -2"},
		{func(p *TTCParams) { p.SlowStep = math.Inf(1) }, "slow_step = +Inf ms"},
	} {
		p := DefaultTTC()
		c.edit(&p)
		err := p.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want one naming %q", err, c.want)
		}
	}
	if err := (&TTCParams{}).Validate(); err == nil {
		t.Error("zero parameters accepted")
	}
	p := DefaultTTC()
	if err := p.Validate(); err != nil {
		t.Errorf("defaults rejected: %v", err)
	}
}
