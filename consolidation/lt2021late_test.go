package consolidation

import (
	"bytes"
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
	"github.com/snnsim/snnsim/checkpoint/checkpointtest"
)

// lateParams returns the network parameters with the given late phase.
func lateParams(late string) LT2021Params {
	p := DefaultLT2021()
	p.Late = late
	return p
}

// lateVar returns the index of variable name of m.
func lateVar(t *testing.T, m *lt21, name string) int {
	t.Helper()
	k := slices.Index(m.Vars(), name)
	if k < 0 {
		t.Fatalf("no variable %q in %v", name, m.Vars())
	}
	return k
}

// flowInvBisect solves a/2 + sinh(2ma)/(4m) = y for a >= 0 by bisection
// (independently of the model's Newton iteration).
func flowInvBisect(m, y float64) float64 {
	g := func(a float64) float64 { return a/2 + math.Sinh(2*m*a)/(4*m) }
	lo, hi := 0.0, y
	for range 200 {
		mid := (lo + hi) / 2
		if g(mid) < y {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// TestLT2021LateNoneIsAlphaZero: late = "none" is the run of late =
// "stc" with alpha = 0, bit for bit, and the metaplastic late phase with
// m = 0 transmits the same weights (W_h = (h − h0)/h0 at every step).
func TestLT2021LateNoneIsAlphaZero(t *testing.T) {
	l := gridLayout(10, 3, 7, func(s int) float32 { return 0.1 + 0.05*float32(s%7) })
	ev := busyScenario(l, false)
	end := msTicks(180e3)
	run := func(p LT2021Params) *lt21Driver {
		d := newLT21Driver(t, p, l)
		d.play(ev, l.NPost)
		d.to(end)
		return d
	}
	alpha0 := DefaultLT2021()
	alpha0.Alpha = 0
	a, b := run(alpha0), run(lateParams(LateNone))
	sa, sb := a.snapshot(), b.snapshot()
	for k := range sa {
		if math.Float64bits(sa[k]) != math.Float64bits(sb[k]) {
			t.Fatalf("value %d: alpha = 0 %v, late = none %v", k, sa[k], sb[k])
		}
	}
	if !slices.Equal(a.w, b.w) {
		t.Fatal("delivered weights differ")
	}
	meta := lateParams(LateMetaplastic)
	meta.MetaM = 0
	c := run(meta)
	moved := 0
	for s := range int64(c.m.Len()) {
		h := b.m.Get(1, s)
		if h != meta.H0 {
			moved++
		}
		if got := c.m.Get(4, s); math.Abs(got-h) > 1e-12*h {
			t.Errorf("synapse %d: m = 0 transmits %.15g mV, the early phase %.15g mV", s, got, h)
		}
		if got, want := c.m.Get(lateVar(t, c.m, "w_h"), s), (h-meta.H0)/meta.H0; math.Abs(got-want) > 1e-12 {
			t.Errorf("synapse %d: W_h = %.15g, (h − h0)/h0 = %.15g", s, got, want)
		}
	}
	if moved < 10 {
		t.Fatalf("only %d synapses moved: the comparison says little", moved)
	}
}

// TestLT2021MetaAttenuation: a calcium jump above θ_p drives h up while c
// decays to θ_p (W_h grows by the same amount: an update away from zero
// passes unchanged), then h falls (LTD while θ_d <= c < θ_p, then the
// relaxation to h0): updates towards zero, which follow the attenuation
// law of Laborieux et al. (2021) integrated along h's path,
// G(W_h(t)) = G(W_h(peak)) − (h_peak − h(t))/h0 with G(a) = a/2 +
// sinh(2ma)/(4m). After h has returned to h0, W_h keeps a residue that
// grows with m.
func TestLT2021MetaAttenuation(t *testing.T) {
	for _, mm := range []float64{0.5, 1.3, 3} {
		p := lateParams(LateMetaplastic)
		p.SigmaPl, p.MetaM = 0, mm
		m := newLT21One(t, p, 0.2, 1, 1)
		vh := lateVar(t, m, "w_h")
		const x0 = 0.3
		if err := m.Set(1, vh, 0, x0); err != nil {
			t.Fatal(err)
		}
		const c0 = 6.0
		if err := m.Set(1, 3, 0, c0); err != nil {
			t.Fatal(err)
		}
		// the peak: h rises in the regime θ_p ∧ θ_d until c = θ_p
		ra := lt21Leak + p.GammaP + p.GammaD
		hs := (lt21Leak*p.H0 + p.GammaP*p.HMax) / ra
		tp := p.TauC * math.Log(c0/p.ThetaP)
		hPeak := hs + (p.H0-hs)*math.Exp(-ra/p.TauH*tp)
		xPeak := x0 + (hPeak-p.H0)/p.H0
		g := func(a float64) float64 { return a/2 + math.Sinh(2*mm*a)/(4*mm) }
		for _, ms := range []float64{tp * 0.5, tp + 5, 60, 150, 1e3, 60e3, 3.6e6, 20 * 3.6e6} {
			tk := snnsim.Time(math.Ceil(ms/0.2)) + 1
			m.Advance(tk)
			h, x := m.Get(1, 0), m.Get(vh, 0)
			want := x0 + (h-p.H0)/p.H0 // rising: unattenuated
			if ms > tp {
				want = flowInvBisect(mm, g(xPeak)-(hPeak-h)/p.H0)
			}
			if math.Abs(x-want) > 1e-12 {
				t.Errorf("m = %g, t = %g ms: W_h = %.15g, closed form %.15g (h = %.6f mV)", mm, ms, x, want, h)
			}
		}
		m.Advance(snnsim.Time(1e4 * 3.6e6 / 0.2)) // h back at h0 to the last bit
		res := m.Get(vh, 0)
		want := flowInvBisect(mm, g(xPeak)-(hPeak-p.H0)/p.H0)
		if math.Abs(res-want) > 1e-9 || !(res > x0) {
			t.Errorf("m = %g: residue W_h = %g after h returned to h0, want %g > %g", mm, res, want, x0)
		}
		if w := m.Get(4, 0); math.Abs(w-p.H0*(1+res)) > 1e-12 {
			t.Errorf("m = %g: transmitted %g mV, want h0 (1 + W_h) = %g", mm, w, p.H0*(1+res))
		}
		t.Logf("m = %g: W_h %g → peak %g → %g after the early phase's return", mm, x0, xPeak, res)
	}
}

// TestLT2021MetaPieces: the same stretch integrated at once (a read) and
// cut into many visits (Set of c = 0 forces one) gives the same W_h: two
// changes of one sign compose into their sum.
func TestLT2021MetaPieces(t *testing.T) {
	p := lateParams(LateMetaplastic)
	p.SigmaPl = 0
	a, b := newLT21One(t, p, 0.2, 1, 1), newLT21One(t, p, 0.2, 1, 1)
	for _, m := range []*lt21{a, b} {
		if err := m.Set(1, 1, 0, p.H0+3); err != nil {
			t.Fatal(err)
		}
		if err := m.Set(1, lateVar(t, m, "w_h"), 0, 0.4); err != nil {
			t.Fatal(err)
		}
	}
	end := snnsim.Time(3 * 3.6e6 / 0.2)
	for k := snnsim.Time(1); k <= 40; k++ {
		b.Advance(k * end / 40)
		b.advance(0, k*end/40)
	}
	a.Advance(end)
	vh := lateVar(t, a, "w_h")
	if x, y := a.Get(vh, 0), b.Get(vh, 0); math.Abs(x-y) > 1e-13 {
		t.Errorf("W_h at once %.16g, in 40 visits %.16g", x, y)
	}
}

// chainInput integrates the Benna–Fusi chain of p driven by the input
// I(t) = in0·e^{−q t} into u_1 (time in units of time_unit) with RK4 on
// the chain's generator (bfGenerator, independent of the model's
// eigendecomposition), from u = 0 to T with n steps.
func chainInput(p BennaFusiParams, in0, q, T float64, n int) []float64 {
	a := bfGenerator(p)
	u := mat.NewVecDense(p.Variables, nil)
	f := func(t float64, u *mat.VecDense) *mat.VecDense {
		var du mat.VecDense
		du.MulVec(a, u)
		du.SetVec(0, du.AtVec(0)+in0*math.Exp(-q*t))
		return &du
	}
	h := T / float64(n)
	for k := range n {
		t := float64(k) * h
		k1 := f(t, u)
		var tmp mat.VecDense
		tmp.AddScaledVec(u, h/2, k1)
		k2 := f(t+h/2, &tmp)
		tmp.AddScaledVec(u, h/2, k2)
		k3 := f(t+h/2, &tmp)
		tmp.AddScaledVec(u, h, k3)
		k4 := f(t+h, &tmp)
		u.AddScaledVec(u, h/6, k1)
		u.AddScaledVec(u, h/3, k2)
		u.AddScaledVec(u, h/3, k3)
		u.AddScaledVec(u, h/6, k4)
	}
	return u.RawVector().Data
}

// TestLT2021BFFeed: an early change D = h − h0 relaxing to h0 feeds the
// chain at the rate feed·D e^{−0.1 t/τ_h}/h0: u_1 … u_m agree with an RK4
// integration of the chain's equations with that input (1e-7), and once
// the early phase has returned, u_1 is the charge Q = feed·(D/h0)·τ_h/(0.1·T)
// times the chain's impulse response, ≈ 1.34·(t/T)^{−1/2} (Benna & Fusi
// 2016): within 2 % of Q·1.34e−3 at t = 10⁶ T (the table in
// TestBennaFusiImpulseTable), log–log slope −0.50 ± 0.02 over 10⁵–10⁷ T.
func TestLT2021BFFeed(t *testing.T) {
	p := lateParams(LateBennaFusi)
	p.SigmaPl, p.BFFeed, p.BFVariables = 0, 0.01, 12
	m := newLT21One(t, p, 0.2, 1, 1)
	const D = 3.0
	if err := m.Set(1, 1, 0, p.H0+D); err != nil {
		t.Fatal(err)
	}
	T := p.BFTimeUnit
	q := lt21Leak / p.TauH * T // per time unit
	in0 := p.BFFeed * D / p.H0
	u1 := lateVar(t, m, "u1")
	for _, units := range []float64{1, 30, 1000, 20000} {
		tk := 1 + snnsim.Time(math.Round(units*T/0.2))
		m.Advance(tk)
		want := chainInput(p.chainParams(), in0, q, units, int(math.Max(units*40, 400)))
		for k := range p.BFVariables {
			got := m.Get(u1+k, 0)
			if math.Abs(got-want[k]) > 1e-7*math.Abs(want[0]) {
				t.Errorf("t = %g T: u%d = %.10g, RK4 %.10g", units, k+1, got, want[k])
			}
		}
	}
	Q := in0 / q
	at := func(units float64) float64 {
		m.Advance(1 + snnsim.Time(math.Round(units*T/0.2)))
		return m.Get(u1, 0)
	}
	u5 := at(1e5)
	if got, want := at(1e6), Q*1.34e-3; math.Abs(got/want-1) > 0.02 {
		t.Errorf("u1(10⁶ T) = %g, Q·1.34e−3 = %g (Q = %g)", got, want, Q)
	}
	u7 := at(1e7)
	slope := (math.Log(u7) - math.Log(u5)) / (math.Log(1e7) - math.Log(1e5))
	if math.Abs(slope+0.5) > 0.02 {
		t.Errorf("log–log slope of u1 over 10⁵–10⁷ T: %.4f, want −0.50 ± 0.02", slope)
	}
	if w, h := m.Get(4, 0), m.Get(1, 0); math.Abs(w-(h+p.H0*m.Get(u1, 0))) > 1e-12 {
		t.Errorf("transmitted %g mV, want h + h0 u1", w)
	}
}

// TestLT2021SIRelaxation: with h at rest, a synapse of importance Ω away
// from its anchor relaxes as the gradient flow of the penalty c Ω (x −
// x*)² with time constant τ, x − x* = (x0 − x*) e^{−2cΩ t/τ}; with an
// early change relaxing at the same time it follows dx/dt = (dh/dt)/h0 −
// (2cΩ/τ)(x − x*) (RK4, 1e-9). A task boundary then adds ω/((x − x*)² + ξ)
// to Ω and moves the anchor to x.
func TestLT2021SIRelaxation(t *testing.T) {
	p := lateParams(LateImportance)
	p.SigmaPl, p.SIC, p.SITau = 0, 0.1, 1e6
	m := newLT21One(t, p, 0.2, 2, 1)
	vx, va, vo, vi := lateVar(t, m, "x"), lateVar(t, m, "x_anchor"), lateVar(t, m, "omega"), lateVar(t, m, "importance")
	const big, x0, xa, D = 50.0, 0.6, 0.1, 2.0
	for s := range int64(2) {
		for _, set := range [][2]float64{{float64(vi), big}, {float64(va), xa}, {float64(vx), x0}} {
			if err := m.Set(1, int(set[0]), s, set[1]); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := m.Set(1, 1, 1, p.H0+D); err != nil { // synapse 1 also relaxes its h
		t.Fatal(err)
	}
	K := 2 * p.SIC * big / p.SITau
	q := lt21Leak / p.TauH
	for _, ms := range []float64{100, 5e3, 60e3, 600e3} {
		tk := 1 + snnsim.Time(math.Round(ms/0.2))
		m.Advance(tk)
		if got, want := m.Get(vx, 0), xa+(x0-xa)*math.Exp(-K*ms); math.Abs(got-want) > 1e-12 {
			t.Errorf("t = %g ms: x = %.15g, closed form %.15g", ms, got, want)
		}
		// RK4 of dv/dt = −q (D/h0) e^{−q t} − K v
		n := 20000
		hh := ms / float64(n)
		v := x0 - xa
		f := func(t, v float64) float64 { return -q*D/p.H0*math.Exp(-q*t) - K*v }
		for k := range n {
			tt := float64(k) * hh
			k1 := f(tt, v)
			k2 := f(tt+hh/2, v+hh/2*k1)
			k3 := f(tt+hh/2, v+hh/2*k2)
			k4 := f(tt+hh, v+hh*k3)
			v += hh / 6 * (k1 + 2*k2 + 2*k3 + k4)
		}
		if got := m.Get(vx, 1); math.Abs(got-(xa+v)) > 1e-9 {
			t.Errorf("t = %g ms, driven: x = %.12g, RK4 %.12g", ms, got, xa+v)
		}
	}
	// a boundary: ω = 0 here (no calcium), so Ω stays and the anchor moves
	if err := m.Set(m.now, vo, 0, 0.5); err != nil {
		t.Fatal(err)
	}
	x := m.Get(vx, 0)
	if err := m.SetLevel(m.now, levelTask, 1); err != nil {
		t.Fatal(err)
	}
	d := x - xa
	if got, want := m.Get(vi, 0), big+0.5/(d*d+p.SIXi); math.Abs(got-want) > 1e-9*want {
		t.Errorf("Ω after the boundary %g, want %g", got, want)
	}
	if m.Get(va, 0) != x || m.Get(vo, 0) != 0 {
		t.Errorf("after the boundary: anchor %g (x %g), ω %g", m.Get(va, 0), x, m.Get(vo, 0))
	}
	if err := m.SetLevel(m.now, "dopamine", 1); err == nil {
		t.Error("level dopamine accepted")
	}
}

// TestLT2021SIPathIntegral: ω is the path integral of synaptic
// intelligence with the calcium rule as its gradient flow, τ_h∫(dh/dt)² dt
// over the calcium-driven stretches, in units of h0²: on the
// deterministic basic-early protocol it agrees with the sum over the
// authors' 0.2-ms scheme refined to 0.005 ms (0.5 %), and with
// σ_pl = 0 the importance variant's h is the plain one.
func TestLT2021SIPathIntegral(t *testing.T) {
	p := LT2021SingleSynapse()
	p.SigmaPl, p.Late, p.Switching = 0, LateImportance, "exact"
	const dt = 0.005
	m := newLT21One(t, p, dt, 1, 1)
	runBasicEarly(m, func(snnsim.Time) {})
	om := m.Get(lateVar(t, m, "omega"), 0)
	e := newLT21Euler(p, dt, 1)
	arrive := map[int]bool{}
	for _, ts := range basicEarlySpikes {
		arrive[int(math.Round((ts+p.CaDelay)/dt))] = true
	}
	want := 0.0
	for n := 1; n <= int(math.Round(200/dt)); n++ {
		dc := 0.0
		if arrive[n] {
			dc = p.CPre
		}
		h := e.h
		e.step(dc)
		if e.c >= math.Min(p.ThetaP, p.ThetaD) {
			want += p.TauH * (e.h - h) * (e.h - h) / dt / (p.H0 * p.H0)
		}
	}
	if !(want > 0) || math.Abs(om/want-1) > 0.005 {
		t.Errorf("ω = %.6g, Σ τ_h (Δh)²/dt / h0² = %.6g", om, want)
	}
	if h := m.Get(1, 0); math.Abs(h-e.h) > 1e-3 {
		t.Errorf("h = %g, reference %g", h, e.h)
	}
	t.Logf("ω = %.6g h0² over the basic-early protocol (reference %.6g)", om, want)
}

// lateCases are the late phases with a state of their own, with
// parameters that make them move within busyScenario.
func lateCases() []LT2021Params {
	meta := lateParams(LateMetaplastic)
	si := lateParams(LateImportance)
	si.SITau = 10e3
	bf := lateParams(LateBennaFusi)
	bf.BFVariables, bf.BFFeed = 6, 0.2
	grid := lateParams(LateImportance)
	grid.Switching, grid.SITau = "grid", 10e3
	return []LT2021Params{meta, si, bf, grid}
}

// playLeveled plays busyScenario's events, its levels as the task level
// (a boundary at 20 s and at 50 s) for the importance late phase.
func (d *lt21Driver) playLeveled(t *testing.T, ev []consEvent, nPost int) {
	for _, e := range ev {
		if e.kind == 'l' {
			d.to(e.t)
			if d.m.late.kind == lateSI {
				if err := d.m.SetLevel(e.t, levelTask, e.value+1); err != nil {
					t.Fatal(err)
				}
			}
			continue
		}
		d.play([]consEvent{e}, nPost)
	}
}

// TestLT2021LateStateResume: save → restore → continue equals running
// straight, bit for bit, for each late phase; the late state moved.
func TestLT2021LateStateResume(t *testing.T) {
	for _, p := range lateCases() {
		t.Run(p.Late+"/"+p.Switching, func(t *testing.T) {
			l := gridLayout(10, 3, 7, func(s int) float32 { return 0.1 + 0.05*float32(s%7) })
			ev := busyScenario(l, true)
			cut := msTicks(30e3)
			k := slices.IndexFunc(ev, func(e consEvent) bool { return e.t >= cut })
			end := msTicks(180e3)
			a := newLT21Driver(t, p, l)
			a.playLeveled(t, ev[:k], l.NPost)
			a.to(cut)
			saved := a.m.AppendState(nil)
			b := newLT21Driver(t, p, l)
			rest, err := b.m.RestoreState(append(slices.Clip(saved), 0xAB))
			if err != nil || !bytes.Equal(rest, []byte{0xAB}) {
				t.Fatalf("RestoreState: rest %x, %v", rest, err)
			}
			if !bytes.Equal(b.m.AppendState(nil), saved) {
				t.Fatal("restored state saves differently")
			}
			for _, d := range []*lt21Driver{a, b} {
				d.playLeveled(t, ev[k:], l.NPost)
				d.to(end)
			}
			sa, sb := a.snapshot(), b.snapshot()
			for k := range sa {
				if math.Float64bits(sa[k]) != math.Float64bits(sb[k]) {
					t.Fatalf("value %d: straight %v, resumed %v", k, sa[k], sb[k])
				}
			}
			if !bytes.Equal(a.m.AppendState(nil), b.m.AppendState(nil)) || a.m.Next() != b.m.Next() || !slices.Equal(a.w, b.w) {
				t.Fatal("final states differ")
			}
			first := len(lt21Vars)
			moved := 0
			for s := range int64(a.m.Len()) {
				if a.m.Get(first, s) != 0 {
					moved++
				}
			}
			if moved < a.m.Len()/2 {
				t.Errorf("the late state of only %d of %d synapses moved", moved, a.m.Len())
			}
		})
	}
}

// TestLT2021LateStateConformance checks the contract of RestoreState
// (checkpointtest.Run) for each late phase, with the state of another late
// phase among the foreign ones.
func TestLT2021LateStateConformance(t *testing.T) {
	l := gridLayout(10, 3, 7, func(int) float32 { return 0.2 })
	cases := lateCases()
	for ci, p := range cases[:3] {
		t.Run(p.Late, func(t *testing.T) {
			d := newLT21Driver(t, p, l)
			d.playLeveled(t, busyScenario(l, true)[:200], l.NPost)
			good := d.m.AppendState(nil)
			seed := l
			seed.Seed++
			other := cases[(ci+1)%3]
			foreign := []checkpointtest.Foreign{
				{Name: "seed", State: newLT21Driver(t, p, seed).m.AppendState(nil)},
				{Name: "late", State: newLT21Driver(t, other, l).m.AppendState(nil)},
				{Name: "stc", State: newLT21Driver(t, DefaultLT2021(), l).m.AppendState(nil)},
			}
			fresh := func(tb testing.TB) checkpoint.Stater { return newLT21Driver(tb, p, l).m }
			checkpointtest.Run(t, checkpointtest.Case{Name: p.Late, State: good, New: fresh, Foreign: foreign})
			m := fresh(t)
			head := 1 + int(good[0]) + 9 + 6*8
			for k := head; k < len(good)-4; k += 5 {
				b := slices.Clone(good)
				b[k] = 0xff
				checkpointtest.Restore(t, m, checkpointtest.Reseal(b))
			}
		})
	}
}

// TestLT2021LateFastForward: each late phase fast-forwards; a
// fast-forward in pieces (with reads between) ends in the same state as
// one call, bit for bit, and the late state keeps moving in it (the
// chain relaxes, the weights follow the early phase's relaxation).
func TestLT2021LateFastForward(t *testing.T) {
	for _, p := range lateCases() {
		t.Run(p.Late+"/"+p.Switching, func(t *testing.T) {
			if !CanFastForward(&p) {
				t.Fatal("CanFastForward = false")
			}
			l := gridLayout(10, 3, 7, func(int) float32 { return 1 })
			ev := busyScenario(l, true)
			k := slices.IndexFunc(ev, func(e consEvent) bool { return e.t >= msTicks(60e3) })
			run := func(pieces int) *lt21Driver {
				d := newLT21Driver(t, p, l)
				d.playLeveled(t, ev[:k], l.NPost)
				start := msTicks(60e3)
				d.m.StopSpiking(start)
				end := msTicks(4 * 3.6e6)
				for i := 1; i <= pieces; i++ {
					d.m.FastForward(start + (end-start)*snnsim.Time(i)/snnsim.Time(pieces))
					_ = d.snapshot()
				}
				return d
			}
			a, b := run(1), run(7)
			if !bytes.Equal(a.m.AppendState(nil), b.m.AppendState(nil)) || !slices.Equal(a.w, b.w) {
				t.Fatal("fast-forward in pieces differs from one call")
			}
			sa, sb := a.snapshot(), b.snapshot()
			for k := range sa {
				if math.Float64bits(sa[k]) != math.Float64bits(sb[k]) {
					t.Fatalf("value %d: one call %v, in pieces %v", k, sa[k], sb[k])
				}
			}
		})
	}
}
