package stdp

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
	"github.com/snnsim/snnsim/checkpoint/checkpointtest"
)

// zenkeSTP is the short-term plasticity of the E→E and input→E
// projections of Zenke, Agnes & Gerstner (2015).
var zenkeSTP = STP{U: 0.2, TauD: 150, TauF: 600, X0: 1, U0: 0.2}

var clock01 = snnsim.Clock{DT: 0.1}

func mustSTP(tb testing.TB, p STP, n int) *STPState {
	tb.Helper()
	s, err := p.New(n, clock01)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// TestSTPRegularTrain checks releases for regular trains from rest against
// the closed form of the Tsodyks–Markram recursion with release before
// the facilitation jump. With E_d = exp(-Δ/tau_d), E_f = exp(-Δ/tau_f) for
// an interval Δ, the utilisation before spike n is
//
//	u_n = u* + (U - u*) ((1 - U) E_f)^(n-1),   u* = U / (1 - (1 - U) E_f),
//
// and the steady state of x is x* = (1 - E_d)/(1 - (1 - u*) E_d), so that
// the release tends to r* = x* u*. Without facilitation (tau_f much
// shorter than Δ, u_n = U) x has the closed form
//
//	x_n = x* + (1 - x*) (E_d (1 - U))^(n-1),   x* = (1 - E_d)/(1 - (1 - U) E_d).
//
// Rates 5 to 100 Hz; Zenke et al.'s parameters, a depressing and a
// facilitating set.
func TestSTPRegularTrain(t *testing.T) {
	for _, p := range []STP{zenkeSTP, {U: 0.5, TauD: 800, TauF: 20, X0: 1, U0: 0.5}, {U: 0.05, TauD: 100, TauF: 1000, X0: 1, U0: 0.05}} {
		for _, hz := range []float64{5, 20, 50, 100} {
			t.Run(fmt.Sprintf("U=%g/tau_d=%g/tau_f=%g/rate=%gHz", p.U, p.TauD, p.TauF, hz), func(t *testing.T) {
				period := snnsim.Time(math.Round(1000 / hz / 0.1))
				dMs := float64(period) * 0.1
				ed, ef := math.Exp(-dMs/p.TauD), math.Exp(-dMs/p.TauF)
				uStar := p.U / (1 - (1-p.U)*ef)
				xStar := (1 - ed) / (1 - (1-uStar)*ed)
				s := mustSTP(t, p, 1)
				var r float64
				for n := 1; n <= 400; n++ {
					tk := snnsim.Time(n) * period
					_, u := s.At(0, tk)
					want := uStar + (p.U-uStar)*math.Pow((1-p.U)*ef, float64(n-1))
					if math.Abs(u-want) > 1e-12 {
						t.Fatalf("spike %d: u = %.15g, closed form %.15g", n, u, want)
					}
					r = s.Release(0, tk)
					if n == 1 && math.Abs(r-p.U) > 1e-15 {
						t.Fatalf("first release %.15g from rest, want U = %g (u before the jump)", r, p.U)
					}
				}
				if rs := xStar * uStar; math.Abs(r-rs) > 1e-12 {
					t.Errorf("steady release %.15g, closed form x* u* = %.15g", r, rs)
				}
				t.Logf("r* = %.5g (x* = %.4g, u* = %.4g)", r, xStar, uStar)
			})
		}
	}
	t.Run("depression only", func(t *testing.T) {
		p := STP{U: 0.3, TauD: 200, TauF: 1e-6, X0: 1, U0: 0.3}
		const period = 250 // 40 Hz
		ed := math.Exp(-25.0 / p.TauD)
		xStar := (1 - ed) / (1 - (1-p.U)*ed)
		s := mustSTP(t, p, 1)
		for n := 1; n <= 60; n++ {
			want := p.U * (xStar + (1-xStar)*math.Pow(ed*(1-p.U), float64(n-1)))
			if r := s.Release(0, snnsim.Time(n*period)); math.Abs(r-want) > 1e-12 {
				t.Fatalf("spike %d: release %.15g, closed form %.15g", n, r, want)
			}
		}
	})
}

// TestSTPConvention checks the release convention on Zenke et al.'s
// parameters for a 20 Hz train from rest: the first spike releases
// U = 0.2 (the u-after-jump convention would give U(2 - U) = 0.36); the
// second releases x_2 u_2 with x_2 = 1 - 0.2 e^{-50/150} and u_2 = 0.2 +
// 0.16 e^{-50/600}, computed here by hand.
func TestSTPConvention(t *testing.T) {
	s := mustSTP(t, zenkeSTP, 2)
	if r := s.Release(1, 10); r != 0.2 {
		t.Fatalf("first release %.17g, want 0.2", r)
	}
	x2 := 1 - 0.2*math.Exp(-50.0/150)
	u2 := 0.2 + 0.16*math.Exp(-50.0/600)
	if r := s.Release(1, 510); math.Abs(r-x2*u2) > 1e-15 {
		t.Fatalf("second release %.17g, want %.17g", r, x2*u2)
	}
	// Neuron 0 is untouched, and At does not change the state.
	if x, u := s.At(0, 510); x != 1 || u != 0.2 {
		t.Fatalf("neuron 0: x, u = %g, %g; want 1, 0.2", x, u)
	}
	a1, b1 := s.At(1, 5000)
	a2, b2 := s.At(1, 5000)
	if a1 != a2 || b1 != b2 {
		t.Fatal("At changed the state")
	}
}

// TestSTPExact checks that x and u between spikes follow the exact
// solution for gaps inside and beyond the tabulated range, and that the
// releases of an irregular train agree within 1e-3 with Auryn's scheme,
// a forward Euler step of x and u every tick.
func TestSTPExact(t *testing.T) {
	p := zenkeSTP
	p.U0 = 0.01 // E→I in the authors' network
	s := mustSTP(t, p, 1)
	x0, u0 := 0.3, 0.7
	s.x[0], s.u[0], s.last[0] = x0, u0, 100
	for _, gap := range []snnsim.Time{0, 1, 7, 1023, 1024, 1025, 50000} {
		x, u := s.At(0, 100+gap)
		ms := float64(gap) * 0.1
		wx, wu := 1-(1-x0)*math.Exp(-ms/p.TauD), p.U+(u0-p.U)*math.Exp(-ms/p.TauF)
		if math.Abs(x-wx) > 1e-15 || math.Abs(u-wu) > 1e-15 {
			t.Errorf("gap %d ticks: x, u = %.17g, %.17g; want %.17g, %.17g", gap, x, u, wx, wu)
		}
	}
	// Euler every tick, release before the jump (Auryn's STPConnection).
	s = mustSTP(t, p, 1)
	ex, eu := p.X0, p.U0
	spikes := map[snnsim.Time]bool{}
	for k, tk := 0, snnsim.Time(37); k < 60; k++ {
		spikes[tk] = true
		tk += snnsim.Time(30 + (k*k*7919)%900) // 3 to 93 ms, irregular
	}
	worst := 0.0
	for tk := snnsim.Time(1); tk <= 40000; tk++ {
		ex += 0.1 / p.TauD * (1 - ex)
		eu += 0.1 / p.TauF * (p.U - eu)
		if spikes[tk] {
			want := ex * eu
			ex -= eu * ex
			eu += p.U * (1 - eu)
			r := s.Release(0, tk)
			worst = max(worst, math.Abs(r-want)/want)
		}
	}
	if worst > 1e-3 {
		t.Errorf("largest relative difference from per-tick Euler %.3g, want below 1e-3", worst)
	}
	t.Logf("largest relative difference from per-tick Euler: %.3g", worst)
}

// TestSTPValidate checks that each bad parameter is refused with a
// ParamError naming it.
func TestSTPValidate(t *testing.T) {
	for _, c := range []struct {
		p    STP
		key  string
		want string
	}{
		{STP{U: 0, TauD: 1, TauF: 1, X0: 1}, "U", "stdp: stp.U = 0: must be in (0, 1]"},
		{STP{U: 1.5, TauD: 1, TauF: 1, X0: 1, U0: 1}, "U", "stdp: stp.U = 1.5: must be in (0, 1]"},
		{STP{U: 0.2, TauD: 0, TauF: 1, X0: 1, U0: 0.2}, "tau_d", "stdp: stp.tau_d = 0 ms: must be > 0"},
		{STP{U: 0.2, TauD: 1, TauF: math.NaN(), X0: 1, U0: 0.2}, "tau_f", "stdp: stp.tau_f = NaN ms: must be finite"},
		{STP{U: 0.2, TauD: 1, TauF: 1, X0: 1.2, U0: 0.2}, "x0", "stdp: stp.x0 = 1.2: must be in [0, 1]"},
		{STP{U: 0.2, TauD: 1, TauF: 1, X0: 1, U0: -0.1}, "u0", "stdp: stp.u0 = -0.1: must be in [0, 1]"},
	} {
		err := c.p.Validate()
		var pe *snnsim.ParamError
		if !errors.As(err, &pe) || pe.Key != c.key || err.Error() != c.want {
			t.Errorf("%+v: %v, want %q", c.p, err, c.want)
		}
		if _, err := c.p.New(1, clock01); err == nil {
			t.Errorf("%+v: New accepted it", c.p)
		}
	}
	if err := zenkeSTP.Validate(); err != nil {
		t.Error(err)
	}
	if _, err := zenkeSTP.New(1, snnsim.Clock{}); err == nil {
		t.Error("New accepted resolution 0")
	}
}

// TestSTPState checks the checkpoint contract of an STPState, and that a
// restored state continues with the same releases.
func TestSTPState(t *testing.T) {
	const n = 5
	s := mustSTP(t, zenkeSTP, n)
	for k := range 40 {
		s.Release(int32(k%n), snnsim.Time(100+37*k))
	}
	state := s.AppendState(nil)
	fresh := mustSTP(t, zenkeSTP, n)
	if _, err := fresh.RestoreState(state); err != nil {
		t.Fatal(err)
	}
	for k := range 40 {
		tk := snnsim.Time(3000 + 53*k)
		if a, b := s.Release(int32(k%n), tk), fresh.Release(int32(k%n), tk); a != b {
			t.Fatalf("release %d: %g original, %g restored", k, a, b)
		}
	}
	other := func(p STP, n int, c snnsim.Clock) []byte {
		st, err := p.New(n, c)
		if err != nil {
			t.Fatal(err)
		}
		return st.AppendState(nil)
	}
	var foreign []checkpointtest.Foreign
	foreign = append(foreign,
		checkpointtest.Foreign{Name: "size", State: other(zenkeSTP, n+1, clock01), Says: "stp state for 6 source neurons, this projection has 5"},
		checkpointtest.Foreign{Name: "resolution", State: other(zenkeSTP, n, snnsim.Clock{DT: 0.05}), Says: "resolution 0.05 ms"})
	for k, key := range []string{"U", "tau_d", "tau_f", "x0", "u0"} {
		p := zenkeSTP
		f := []*float64{&p.U, &p.TauD, &p.TauF, &p.X0, &p.U0}[k]
		*f *= 0.5
		foreign = append(foreign, checkpointtest.Foreign{Name: "param=" + key, State: other(p, n, clock01), Says: "stp state with " + key})
	}
	checkpointtest.Run(t, checkpointtest.Case{
		Name:    "stp",
		State:   state,
		New:     func(tb testing.TB) checkpoint.Stater { return mustSTP(tb, zenkeSTP, n) },
		Foreign: foreign,
	})
}
