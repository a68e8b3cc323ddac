package consolidation

import (
	"math"
	"testing"

	"github.com/snnsim/snnsim"
)

// ffSyn is one synapse of the fast-forward tests: target neuron, initial
// deviation d = h − h0 [mV] and initial z.
type ffSyn struct {
	j     int32
	d, z0 float64
}

// ffSynapses: neuron 0 has one strongly potentiated synapse (its synthesis
// stops before its tag ends); neuron 1 has LTP-tagged, LTD-tagged and
// untagged synapses whose sum keeps synthesis on longer than the tags;
// neuron 2 stays below θ_pro (no synthesis).
var ffSynapses = []ffSyn{
	{0, 2.92, 0},
	{1, 2.92, 0}, {1, 2.5, 0.2}, {1, 2.0, -0.3}, {1, 1.0, 0.9}, {1, 2.92, 0},
	{1, -1.5, 0}, {1, -1.2, 0.4}, {1, -3.0, -0.1},
	{1, 0.5, 0}, {1, -0.5, 0.3}, {1, 0.8, 0},
	{2, 0.3, 0.1}, {2, 0.9, 0},
}

// newFF returns a model holding ffSynapses at tick 0 (set through Set, so
// that synthesis switches on at tick 0 where Σ|h − h0| > θ_pro) and spiking
// stopped at tick 1.
func newFF(t *testing.T, p LT2021Params, dt float64) *lt21 {
	t.Helper()
	n := len(ffSynapses)
	l := Layout{Clock: snnsim.Clock{DT: dt}, NPre: n, NPost: 3, Seed: 5,
		Source: make([]int32, n), Target: make([]int32, n), Unit: make([]float32, n)}
	for s, sy := range ffSynapses {
		l.Source[s], l.Target[s], l.Unit[s] = int32(s), sy.j, 1
	}
	m, err := newLT21(p, l)
	if err != nil {
		t.Fatal(err)
	}
	m.Bind(make([]float32, n))
	for s, sy := range ffSynapses {
		if err := m.Set(0, 1, int64(s), p.H0+sy.d); err != nil {
			t.Fatal(err)
		}
		if err := m.Set(0, 2, int64(s), sy.z0); err != nil {
			t.Fatal(err)
		}
	}
	m.StopSpiking(1)
	return m
}

// ffExact is the closed form of the fast-forward from time 0 [ms], derived
// from the model's equations with c = 0 and p(0) = 0:
//
//	h − h0 = d e^{−t/τ},  τ = τ_h/0.1;   Σ_j(t) = Σ_j(0) e^{−t/τ}
//	synthesis on while Σ_j > θ_pro: until t* = τ ln(Σ_j(0)/θ_pro)
//	p(t) = α(1 − e^{−t/τ_p}) for t < t*, p(t*) e^{−(t − t*)/τ_p} after
//	P(t) = ∫_0^t p = α(t − τ_p(1 − e^{−t/τ_p})) for t < t*,
//	       P(t*) + p(t*) τ_p (1 − e^{−(t − t*)/τ_p}) after
//	tag while |h − h0| > θ_tag: until t_tag = τ ln(|d|/θ_tag)
//	z(t) = bound − (bound − z0) e^{−P(min(t, t_tag))/τ_z}, bound z_max (LTP), z_min (LTD)
type ffExact struct {
	p     LT2021Params
	tau   float64
	tStar [3]float64 // −Inf without synthesis
}

func newFFExact(p LT2021Params) *ffExact {
	e := &ffExact{p: p, tau: p.TauH / lt21Leak}
	var sum [3]float64
	for _, sy := range ffSynapses {
		sum[sy.j] += math.Abs(sy.d)
	}
	for j := range sum {
		e.tStar[j] = math.Inf(-1)
		if sum[j] > p.ThetaPro {
			e.tStar[j] = e.tau * math.Log(sum[j]/p.ThetaPro)
		}
	}
	return e
}

func (e *ffExact) h(s int, t float64) float64 {
	return e.p.H0 + ffSynapses[s].d*math.Exp(-t/e.tau)
}

func (e *ffExact) protein(j int32, t float64) float64 {
	ts, a, tp := e.tStar[j], e.p.Alpha, e.p.TauP
	if ts < 0 {
		return 0
	}
	if t < ts {
		return a * -math.Expm1(-t/tp)
	}
	return a * -math.Expm1(-ts/tp) * math.Exp(-(t-ts)/tp)
}

func (e *ffExact) integral(j int32, t float64) float64 {
	ts, a, tp := e.tStar[j], e.p.Alpha, e.p.TauP
	if ts < 0 {
		return 0
	}
	if t < ts {
		return a * (t + tp*math.Expm1(-t/tp))
	}
	return a*(ts+tp*math.Expm1(-ts/tp)) + e.protein(j, ts)*tp*-math.Expm1(-(t-ts)/tp)
}

func (e *ffExact) z(s int, t float64) float64 {
	sy := ffSynapses[s]
	if math.Abs(sy.d) <= e.p.ThetaTag {
		return sy.z0
	}
	end := math.Min(t, e.tau*math.Log(math.Abs(sy.d)/e.p.ThetaTag))
	bound := e.p.ZMax
	if sy.d < 0 {
		bound = e.p.ZMin
	}
	return bound - (bound-sy.z0)*math.Exp(-e.integral(sy.j, end)/e.p.TauZ)
}

// ffTimes are the checked times [s]: around the synthesis switch-off of
// neuron 0 (~2270 s), the tag ends (~6340 s for 2.0 mV, ~8580 s for 2.92
// mV) and the switch-off of neuron 1, up to 8 h.
var ffTimes = []float64{1, 600, 2000, 2300, 5000, 6400, 8600, 10000, 15000, 25000, 28800}

// TestLT2021FastForwardClosedForm checks the fast-forward against the
// closed form. h is exact; the synthesis switch-off falls on the first
// tick at or after t*, which moves p by at most α·dt/τ_p (5.6e-8 at 0.2 ms)
// and z by less, hence the tolerance 1e-7 on both.
func TestLT2021FastForwardClosedForm(t *testing.T) {
	p := DefaultLT2021()
	const dt = 0.2
	m := newFF(t, p, dt)
	ex := newFFExact(p)
	if !(ex.tStar[0] > 2000e3 && ex.tStar[0] < 2300e3 && ex.tStar[1] > 8800e3 && ex.tStar[1] < 28800e3 && ex.tStar[2] < 0) {
		t.Fatalf("switch-off times %v: the cases are not the ones intended", ex.tStar)
	}
	for _, sec := range ffTimes {
		tick := snnsim.Time(math.Round(sec * 1000 / dt))
		m.FastForward(tick)
		at := float64(tick) * dt
		for s := range ffSynapses {
			if h, want := m.Get(1, int64(s)), ex.h(s, at); math.Abs(h-want) > 1e-9 {
				t.Errorf("t = %g s, synapse %d: h = %.12g mV, closed form %.12g", sec, s, h, want)
			}
			if z, want := m.Get(2, int64(s)), ex.z(s, at); math.Abs(z-want) > 1e-7 {
				t.Errorf("t = %g s, synapse %d: z = %.10g, closed form %.10g", sec, s, z, want)
			}
			if c := m.Get(3, int64(s)); c != 0 {
				t.Errorf("t = %g s, synapse %d: c = %g during the fast-forward", sec, s, c)
			}
		}
		for j := range int32(3) {
			if pr, want := m.NeuronGet(0, j), ex.protein(j, at); math.Abs(pr-want) > 1e-7 {
				t.Errorf("t = %g s, neuron %d: p = %.10g, closed form %.10g", sec, j, pr, want)
			}
		}
	}
	// Neuron 0's synthesis ends before its synapse's tag, so z keeps
	// rising after t* on the decaying p.
	if z := m.Get(2, 0); !(z > ex.z(0, ex.tStar[0])+0.1) {
		t.Errorf("neuron 0: z = %g at 8 h, want well above its value at the switch-off (%g)", z, ex.z(0, ex.tStar[0]))
	}
}

// TestLT2021FastForwardPieces checks that the pieces in which the engine
// advances a fast-forward do not change the state: one call to 8 h and
// calls at every ffTimes give the same bits.
func TestLT2021FastForwardPieces(t *testing.T) {
	p := DefaultLT2021()
	const dt = 0.2
	one, many := newFF(t, p, dt), newFF(t, p, dt)
	end := snnsim.Time(28800e3 / dt)
	one.FastForward(end)
	for _, sec := range ffTimes {
		many.FastForward(snnsim.Time(math.Round(sec * 1000 / dt)))
		for s := range ffSynapses {
			many.Get(1, int64(s)) // reading changes nothing
		}
	}
	for s := range ffSynapses {
		for v := range 5 {
			if a, b := one.Get(v, int64(s)), many.Get(v, int64(s)); math.Float64bits(a) != math.Float64bits(b) {
				t.Errorf("synapse %d, %s: %v in one piece, %v in pieces", s, lt21Vars[v], a, b)
			}
		}
	}
	for j := range int32(3) {
		if a, b := one.NeuronGet(0, j), many.NeuronGet(0, j); math.Float64bits(a) != math.Float64bits(b) {
			t.Errorf("neuron %d: p = %v in one piece, %v in pieces", j, a, b)
		}
	}
}

// ffFifty steps ffSynapses with the fast-forward scheme of the authors'
// simulator (Luboeinski & Tetzlaff 2021, stand-alone FF mode): steps of
// dtFF from time 0; per step Σ|h − h0| is taken at the step start, p is
// advanced in closed form including the switch-off t* = (τ_h/0.1)
// ln(Σ/θ_pro) measured from the step start, h relaxes exactly, and z takes
// the exponential step with the end-of-step p and the end-of-step tag. It
// returns h, z and p after nSteps steps.
func ffFifty(p LT2021Params, dtFF float64, nSteps int) (h, z []float64, prot [3]float64) {
	n := len(ffSynapses)
	h, z = make([]float64, n), make([]float64, n)
	for s, sy := range ffSynapses {
		h[s], z[s] = p.H0+sy.d, sy.z0
	}
	tau := p.TauH / lt21Leak
	for range nSteps {
		var sum [3]float64
		for s, sy := range ffSynapses {
			sum[sy.j] += math.Abs(h[s] - p.H0)
		}
		for j := range prot {
			on := 0.0
			if sum[j] > p.ThetaPro {
				on = math.Min(dtFF, tau*math.Log(sum[j]/p.ThetaPro))
			}
			prot[j] = p.Alpha + (prot[j]-p.Alpha)*math.Exp(-on/p.TauP)
			prot[j] *= math.Exp(-(dtFF - on) / p.TauP)
		}
		for s, sy := range ffSynapses {
			h[s] = p.H0 + (h[s]-p.H0)*math.Exp(-dtFF/tau)
			f := math.Exp(-prot[sy.j] * dtFF / p.TauZ)
			switch {
			case h[s]-p.H0 > p.ThetaTag:
				z[s] = p.ZMax - (p.ZMax-z[s])*f
			case p.H0-h[s] > p.ThetaTag:
				z[s] = p.ZMin + (z[s]-p.ZMin)*f
			}
		}
	}
	return h, z, prot
}

// TestLT2021FastForwardFiftySecondScheme compares the exact fast-forward
// with the authors' 50-s scheme over 8 h. h and p agree to rounding at the
// step ends (both are exact there). z differs by the scheme's
// discretisation: the step's ∫p dt is replaced by p(end)·Δ, off by at most
// Δ·|p(end) − p(start)| per step, Δ·TV(p) in all (TV the total variation
// of p), and the tag of the step's end is applied to the whole step, which
// misplaces at most one step of capture, Δ·max p. Since ∂z/∂(∫p) =
// |bound − z|/τ_z e^{−∫p/τ_z} <= |bound − z0|/τ_z,
//
//	|z_scheme − z_exact| <= |bound − z0| Δ (TV(p) + max p)/τ_z,
//
// 0.03 for Δ = 50 s, and the scheme converges to the exact values as Δ
// shrinks (checked at Δ = 1 s, where the bound is 50 times smaller).
func TestLT2021FastForwardFiftySecondScheme(t *testing.T) {
	p := DefaultLT2021()
	const dt = 0.2
	m := newFF(t, p, dt)
	ex := newFFExact(p)
	end := 28800e3
	m.FastForward(snnsim.Time(end / dt))
	var tv, maxP [3]float64
	for j := range int32(3) {
		prev := 0.0
		for k := 1; k <= 28800; k++ {
			x := ex.protein(j, float64(k)*1e3)
			tv[j] += math.Abs(x - prev)
			maxP[j] = math.Max(maxP[j], x)
			prev = x
		}
		tv[j] += 2 * p.Alpha * 1e3 / p.TauP // the 1-s grid's miss at the peak, at most
	}
	for _, dtFF := range []float64{50e3, 1e3} {
		h, z, prot := ffFifty(p, dtFF, int(math.Round(end/dtFF)))
		worst := 0.0
		for s, sy := range ffSynapses {
			if d := math.Abs(h[s] - m.Get(1, int64(s))); d > 1e-9 {
				t.Errorf("Δ = %g s, synapse %d: h = %.12g, scheme %.12g", dtFF/1e3, s, m.Get(1, int64(s)), h[s])
			}
			bound := p.ZMax
			if sy.d < 0 {
				bound = p.ZMin
			}
			lim := math.Abs(bound-sy.z0) * dtFF * (tv[sy.j] + maxP[sy.j]) / p.TauZ
			d := math.Abs(z[s] - m.Get(2, int64(s)))
			if d > lim {
				t.Errorf("Δ = %g s, synapse %d: z = %.6f, scheme %.6f: differ by %.2g > %.2g", dtFF/1e3, s, m.Get(2, int64(s)), z[s], d, lim)
			}
			worst = math.Max(worst, d)
		}
		for j := range int32(3) {
			if d := math.Abs(prot[j] - m.NeuronGet(0, j)); d > 1e-7 {
				t.Errorf("Δ = %g s, neuron %d: p = %.10g, scheme %.10g", dtFF/1e3, j, m.NeuronGet(0, j), prot[j])
			}
		}
		t.Logf("Δ = %g s: largest |z_scheme − z_exact| = %.3g", dtFF/1e3, worst)
	}
}

// TestLT2021FastForwardGrid runs the fast-forward in grid mode: with the
// calcium at rest both modes integrate the same closed forms, the grid
// mode one tick behind (its h lags its calcium by a tick), so they agree
// to within one tick of relaxation, |d|·dt·0.1/τ_h (1e-7 mV here).
func TestLT2021FastForwardGrid(t *testing.T) {
	p := DefaultLT2021()
	g := p
	g.Switching = "grid"
	const dt = 0.2
	a, b := newFF(t, p, dt), newFF(t, g, dt)
	for _, sec := range ffTimes {
		tick := snnsim.Time(math.Round(sec * 1000 / dt))
		a.FastForward(tick)
		b.FastForward(tick)
		for s := range ffSynapses {
			for v, tol := range map[int]float64{1: 1e-7, 2: 1e-7} {
				if x, y := a.Get(v, int64(s)), b.Get(v, int64(s)); math.Abs(x-y) > tol {
					t.Errorf("t = %g s, synapse %d, %s: exact %.12g, grid %.12g", sec, s, lt21Vars[v], x, y)
				}
			}
		}
		for j := range int32(3) {
			if x, y := a.NeuronGet(0, j), b.NeuronGet(0, j); math.Abs(x-y) > 1e-7 {
				t.Errorf("t = %g s, neuron %d: p exact %.10g, grid %.10g", sec, j, x, y)
			}
		}
	}
}

// TestLT2021StopSpiking checks the entry into a fast-forward: calcium is
// 0 at once, a presynaptic calcium jump still pending is dropped, and the
// state after it is that of a quiet synapse (h relaxing from its value at
// the entry, deterministically).
func TestLT2021StopSpiking(t *testing.T) {
	p := DefaultLT2021()
	const dt = 0.2
	m := newLT21One(t, p, dt, 2, 3)
	// drive synapse calcium above θ_p with postsynaptic spikes, then
	// let a presynaptic spike arrive whose calcium jump is due 15.8 ms later
	// (ca_delay − delay)
	for k := range 40 {
		m.Post(snnsim.Time(10+k), 0)
	}
	m.Pre(50, 0, 0, 2)
	if c := m.Get(3, 0); !(c > p.ThetaP) {
		t.Fatalf("c = %g before the entry, want above θ_p", c)
	}
	m.StopSpiking(51)
	h0 := m.Get(1, 0)
	if m.Get(3, 0) != 0 || m.Get(3, 1) != 0 {
		t.Errorf("c = %g, %g after StopSpiking, want 0", m.Get(3, 0), m.Get(3, 1))
	}
	m.FastForward(50 + m.caWait)
	if c := m.Get(3, 0); c != 0 {
		t.Errorf("c = %g when the pending presynaptic jump was due: it was not dropped", c)
	}
	m.FastForward(51 + snnsim.Time(60e3/dt))
	want := p.H0 + (h0-p.H0)*math.Exp(-lt21Leak*60e3/p.TauH)
	if h := m.Get(1, 0); math.Abs(h-want) > 1e-9 {
		t.Errorf("h = %.12g one minute later, quiet relaxation gives %.12g", h, want)
	}
	if m.Next() != snnsim.Never && m.Next() <= 51+snnsim.Time(60e3/dt) {
		t.Errorf("work left at tick %d", m.Next())
	}
}

func TestCanFastForward(t *testing.T) {
	for _, name := range Models() {
		p, _ := Lookup(name)
		if got, want := CanFastForward(p), name == modelLT2021; got != want {
			t.Errorf("CanFastForward(%s) = %v, want %v", name, got, want)
		}
	}
	p := DefaultLT2021()
	m, err := New(&p, Layout{Clock: snnsim.Clock{DT: 0.2}, NPre: 1, NPost: 1, Source: []int32{0}, Target: []int32{0}, Unit: []float32{1}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m.(FastForwarder); !ok {
		t.Error("the luboeinski_tetzlaff_2021 model is no FastForwarder")
	}
}
