package consolidation

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/snnsim/snnsim"
)

// zenkeDrift is the right-hand side f(w, w̃) of τ_cons dw̃/dt = f for the
// default P and w_P, written independently of the model.
func zenkeDrift(w, wr float64) float64 {
	const P, wP = 20.0, 0.5
	return (w - wr) - P*wr*(wP/2-wr)*(wP-wr)
}

// zenkeRK4 integrates dw̃/dt = f(w, w̃)/τ_cons for duration [ms] with nSteps
// classical Runge–Kutta steps: the fine reference of E9.
func zenkeRK4(w, wr, duration float64, nSteps int) float64 {
	const tau = 1.2e6
	h := duration / float64(nSteps)
	f := func(v float64) float64 { return zenkeDrift(w, v) / tau }
	for range nSteps {
		k1 := f(wr)
		k2 := f(wr + h/2*k1)
		k3 := f(wr + h/2*k2)
		k4 := f(wr + h*k3)
		wr += h / 6 * (k1 + 2*k2 + 2*k3 + k4)
	}
	return wr
}

// zenkeBisect finds a root of f in [a, b] (f(a), f(b) of opposite signs).
func zenkeBisect(f func(float64) float64, a, b float64) float64 {
	fa := f(a)
	for range 200 {
		c := (a + b) / 2
		if fc := f(c); (fc > 0) == (fa > 0) {
			a, fa = c, fc
		} else {
			b = c
		}
	}
	return (a + b) / 2
}

// zenkeOne is a zenke_2015 model of one synapse with w = w̃ = w0 (the
// defaults unless p is given) and its driver.
func zenkeOne(t *testing.T, w0 float64, p *ZenkeParams) (*zenke, *consDriver) {
	t.Helper()
	if p == nil {
		q := DefaultZenke()
		p = &q
	}
	m := mustNew(t, p, gridLayout(1, 1, 1, func(int) float32 { return float32(w0) })).(*zenke)
	return m, newConsDriver(m)
}

// TestZenkeE9 is the single-synapse experiment (no spikes) on the
// consolidation dynamics of Zenke, Agnes & Gerstner (2015): relaxation,
// bistability and the time-scale separation of the reference weight.
func TestZenkeE9(t *testing.T) {
	const tau = 1.2e6 // τ_cons [ms]
	t.Run("case=relax_to_wP", func(t *testing.T) {
		// w held at w_P = 0.5, w̃ from 0: converges to 0.5 on the τ_cons
		// scale. The model (forward Euler, 1.2 s) is compared every minute
		// with RK4 at 12 ms steps (1e5 per τ_cons; its own error is below
		// 1e-12). Tolerance 1e-3: the global error of Euler at h = τ/1000
		// on a mode decaying at rate 3.5/τ (∂f/∂w̃ = −3.5 at w̃ = w_P) is
		// about (h/2)(3.5/τ)·max_t (3.5 t/τ) e^{−3.5t/τ}·0.5 ≈ 3e-4.
		m, d := zenkeOne(t, 0.5, nil)
		if err := m.Set(0, 1, 0, 0); err != nil {
			t.Fatal(err)
		}
		ref, maxErr := 0.0, 0.0
		var at20, at60 float64
		for k := 1; k <= 240; k++ { // 4 h
			d.idle(msTicks(60e3 * float64(k)))
			ref = zenkeRK4(0.5, ref, 60e3, 5000)
			got := m.Get(1, 0)
			maxErr = max(maxErr, math.Abs(got-ref))
			if k == 20 {
				at20 = got
			}
			if k == 60 {
				at60 = got
			}
		}
		t.Logf("w held at 0.5, w̃ from 0: w̃(20 min) = %.4f, w̃(1 h) = %.6f, w̃(4 h) = %.8f; max |Euler − RK4| = %.2e", at20, at60, m.Get(1, 0), maxErr)
		if maxErr > 1e-3 {
			t.Errorf("max |Euler − RK4| = %g > 1e-3", maxErr)
		}
		if !(at20 > 0.25 && at20 < 0.49) || math.Abs(m.Get(1, 0)-0.5) > 1e-5 {
			t.Errorf("w̃(τ_cons) = %g (want between 0.25 and 0.49: minutes, not seconds or days), w̃(4 h) = %g (want 0.5)", at20, m.Get(1, 0))
		}
		if m.Next() != snnsim.Never {
			t.Errorf("not settled after 4 h")
		}
	})
	t.Run("case=hold_0.2", func(t *testing.T) {
		// w held at 0.2: one fixed point, near 0 (below the barrier w_P/2).
		fix := zenkeBisect(func(v float64) float64 { return zenkeDrift(0.2, v) }, 0, 0.25)
		m, d := zenkeOne(t, 0.2, nil)
		if err := m.Set(0, 1, 0, 0); err != nil {
			t.Fatal(err)
		}
		hi := 0.0
		for k := 1; k <= 600; k++ { // 10 h
			d.idle(msTicks(60e3 * float64(k)))
			hi = max(hi, m.Get(1, 0))
		}
		t.Logf("w held at 0.2, w̃ from 0: max w̃ over 10 h = %.5f, fixed point %.6f", hi, fix)
		if hi > 0.1 || math.Abs(m.Get(1, 0)-fix) > 1e-5 {
			t.Errorf("w̃ max %g (want < 0.1), final %g (want %g)", hi, m.Get(1, 0), fix)
		}
	})
	t.Run("case=bistable_band", func(t *testing.T) {
		// The w̃ dynamics is bistable only where h(w̃) = w − f(w, w̃) = w̃ +
		// P w̃(w_P/2 − w̃)(w_P − w̃) is not monotonic: between its local
		// minimum and maximum.
		hfun := func(v float64) float64 { return 0.5 - zenkeDrift(0.5, v) }
		dh := func(v float64) float64 { return (hfun(v+1e-7) - hfun(v-1e-7)) / 2e-7 }
		vMax, vMin := zenkeBisect(dh, 0.1, 0.25), zenkeBisect(dh, 0.25, 0.4)
		lo, hi := hfun(vMin), hfun(vMax)
		t.Logf("w̃ bistable for %.4f < w < %.4f (P = 20, w_P = 0.5)", lo, hi)
		if !(lo > 0.239 && lo < 0.240 && hi > 0.260 && hi < 0.261) {
			t.Errorf("band (%g, %g)", lo, hi)
		}
	})
	t.Run("case=excursion", func(t *testing.T) {
		// Baseline w = w_P/2 = 0.25 (inside the band), w̃ in the lower well
		// w̃_lo = (10 − √20)/40 (the roots of 20w̃² − 10w̃ + 1 with the
		// barrier at 0.25). An excursion of w to w_P flips w̃ to the upper
		// well iff it lasts long enough for w̃ to pass 0.25.
		wLo := (10 - math.Sqrt(20)) / 40
		flips := func(steps int) (bool, float64) {
			m, d := zenkeOne(t, 0.25, nil)
			if err := m.Set(0, 1, 0, wLo); err != nil {
				t.Fatal(err)
			}
			t0 := msTicks(12e5)
			d.to(t0)
			if err := m.Set(t0, 0, 0, 0.5); err != nil {
				t.Fatal(err)
			}
			t1 := t0 + snnsim.Time(steps)*msTicks(1200)
			d.to(t1)
			if err := m.Set(t1, 0, 0, 0.25); err != nil {
				t.Fatal(err)
			}
			d.idle(t1 + msTicks(10*tau))
			return m.Get(1, 0) > 0.25, m.Get(1, 0)
		}
		short, vShort := flips(100) // τ_cons/10 = 120 s
		long, vLong := flips(1000)  // τ_cons = 20 min
		if short || !long {
			t.Errorf("excursion of τ_cons/10: flipped %v (w̃ %g); of τ_cons: flipped %v (w̃ %g)", short, vShort, long, vLong)
		}
		// Critical duration: the least number of 1.2 s steps that flips.
		a, b := 100, 1000
		for b-a > 1 {
			c := (a + b) / 2
			if ok, _ := flips(c); ok {
				b = c
			} else {
				a = c
			}
		}
		// Reference: time for w̃ to go from w̃_lo to 0.25 at w = 0.5, by
		// RK4 (bisection on the duration).
		ref := zenkeBisect(func(dur float64) float64 { return zenkeRK4(0.5, wLo, dur, 20000) - 0.25 }, 0, tau)
		t.Logf("critical excursion of w to w_P from w = 0.25: %d steps = %.1f s = %.3f τ_cons (RK4: %.1f s); τ_cons/10 = 120 s does not flip",
			b, float64(b)*1.2, float64(b)*1.2e3/tau, ref/1e3)
		if math.Abs(float64(b)*1.2e3-ref) > 2*1.2e3+0.01*ref {
			t.Errorf("critical duration %g ms, RK4 %g ms", float64(b)*1.2e3, ref)
		}
		if ref < tau/10 {
			t.Errorf("critical duration %g ms < τ_cons/10", ref)
		}
	})
}

// TestZenkeQuiet: once every synapse has settled the model asks for no
// Advance calls, however long the quiet period.
func TestZenkeQuiet(t *testing.T) {
	m, d := zenkeOne(t, 0.5, nil)
	if err := m.Set(0, 1, 0, 0.1); err != nil {
		t.Fatal(err)
	}
	d.idle(msTicks(6 * 3600e3))
	if m.Next() != snnsim.Never {
		t.Fatalf("Next() = %d after 6 h, want Never", m.Next())
	}
	wr, calls := m.Get(1, 0), d.quiet
	d.idle(msTicks(100 * 3600e3))
	d.to(msTicks(100 * 3600e3))
	if d.quiet != calls || m.Get(1, 0) != wr {
		t.Fatalf("quiet 94 h: %d Advance calls, w̃ %g → %g", d.quiet-calls, wr, m.Get(1, 0))
	}
	t.Logf("settled after %d slow steps; a 94 h quiet period cost 0 Advance calls", calls)
}

// TestZenkeHeterosynaptic checks the post-spike term against a hand
// computation: z⁻ is read before its increment, decays with τ− = 20 ms.
func TestZenkeHeterosynaptic(t *testing.T) {
	p := DefaultZenke()
	l := gridLayout(2, 1, 1, func(int) float32 { return 1 })
	m := mustNew(t, &p, l).(*zenke)
	d := newConsDriver(m)
	if err := m.Set(0, 1, 0, 0.2); err != nil { // w̃ of synapse 0
		t.Fatal(err)
	}
	m.Post(msTicks(100), 0) // z⁻ = 0 before: no change
	if m.Get(0, 0) != 1 || m.Get(0, 1) != 1 {
		t.Fatalf("first spike changed w: %g %g", m.Get(0, 0), m.Get(0, 1))
	}
	m.Post(msTicks(110), 0)
	z := math.Exp(-10.0 / 20)
	want0 := 1 - 0.05*(1-0.2)*z*z*z
	if got := m.Get(0, 0); math.Abs(got-want0) > 1e-15 || float32(got) != d.w[0] {
		t.Fatalf("w = %.17g (delivered %g), want %.17g", got, d.w[0], want0)
	}
	if got := m.Get(0, 1); got != 1 { // w = w̃: no change
		t.Fatalf("synapse with w = w̃ changed to %g", got)
	}
	// Signals clip to [0, w_max].
	m.Signal(msTicks(120), 1, 10)
	m.Signal(msTicks(121), 0, -10)
	if m.Get(0, 1) != 5 || m.Get(0, 0) != 0 || m.RuleWeights()[1] != 5 {
		t.Fatalf("clipped weights %g %g", m.Get(0, 0), m.Get(0, 1))
	}
	if err := m.Set(msTicks(122), 0, 0, 6); err == nil {
		t.Fatal("Set w above w_max accepted")
	}
}

// TestZenkeSkipSettled: stepping only unsettled synapses equals stepping
// all within 1e-5 (the settling tolerance is 1e-6 in w̃; later changes of
// w contract the difference), at a fraction of the steps. Synapses whose w
// lies near an edge of the bistable band relax slowly (∂f/∂w̃ → 0 at the
// saddle-node), hence the 48 h.
func TestZenkeSkipSettled(t *testing.T) {
	l := gridLayout(40, 3, 5, func(s int) float32 { return float32(0.6 * float64((s*37)%101) / 100) })
	run := func(skip bool) (*zenke, *consDriver) {
		p := DefaultZenke()
		p.SkipSettled = skip
		m := mustNew(t, &p, l).(*zenke)
		d := newConsDriver(m)
		r := rand.New(rand.NewPCG(9, 9))
		var ev []consEvent
		// Three bursts of target spikes at 50 Hz (heterosynaptic pulls)
		// and random signals, over 3 h.
		for b := range 3 {
			for k := range 50 {
				ev = append(ev, consEvent{t: msTicks(float64(b)*3600e3 + 600e3 + 20*float64(k)), kind: 'q', i: int32(b)})
			}
			for range 40 {
				ev = append(ev, consEvent{t: msTicks(float64(b)*3600e3 + 1200e3 + 1000*r.Float64()), kind: 's', s: int64(r.IntN(len(l.Target))), value: 0.4 * (r.Float64() - 0.5)})
			}
		}
		sortEvents(ev)
		d.play(t, ev, l.NPost)
		d.idle(msTicks(48 * 3600e3))
		return m, d
	}
	on, don := run(true)
	off, _ := run(false)
	worst := 0.0
	for s := range l.Target {
		for v := range 2 {
			worst = max(worst, math.Abs(on.Get(v, int64(s))-off.Get(v, int64(s))))
		}
	}
	t.Logf("120 synapses, 48 h: max |skip − full| = %.2e; slow steps %d (skip) vs %d (full); %d Advance calls", worst, on.steps, off.steps, don.quiet)
	if worst > 1e-5 {
		t.Errorf("max difference %g > 1e-5", worst)
	}
	if on.Next() != snnsim.Never {
		for _, s := range on.act.list {
			w, wr := on.Get(0, s), on.Get(1, s)
			f, fp := on.drift(w, wr)
			t.Logf("active: synapse %d w %.17g w̃ %.17g f %g ∂f %g", s, w, wr, f, fp)
		}
		t.Errorf("skip_settled model still active after 48 h")
	}
}

// sortEvents orders events by tick, keeping the order of equal ticks.
func sortEvents(ev []consEvent) {
	slices.SortStableFunc(ev, func(a, b consEvent) int { return cmp.Compare(a.t, b.t) })
}

// TestZenkeStartBounds checks that a start weight outside [0, w_max] is
// refused when the model is built (a restored state is held to the same
// bounds, so such a run could never resume), and that w_max itself is a
// valid start whose state saves and restores.
func TestZenkeStartBounds(t *testing.T) {
	p := DefaultZenke()
	for _, tc := range []struct {
		w  float32
		ok bool
	}{{0, true}, {float32(p.WMax), true}, {float32(p.WMax) * 1.01, false}, {-0.1, false}} {
		l := mkLayout(3, 0.1, 1)
		l.Unit[1] = tc.w
		m, err := New(&p, l)
		if !tc.ok {
			if err == nil || !strings.Contains(err.Error(), "w_max") {
				t.Errorf("start weight %g: error %v, want one naming w_max", tc.w, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("start weight %g: %v", tc.w, err)
		}
		st := m.(Stater).AppendState(nil)
		if _, err := mustNew(t, &p, l).RestoreState(st); err != nil {
			t.Errorf("start weight %g: the model's own state is refused: %v", tc.w, err)
		}
	}
}
