package stdp

import (
	"fmt"
	"math"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
)

// STP holds the parameters of presynaptic short-term plasticity
// (Tsodyks & Markram 1997; facilitation as in Markram, Wang & Tsodyks
// 1998) on one projection: every source neuron has a fraction x of
// available resources and a utilisation u, shared by all its synapses of
// the projection, and a spike releases r = x·u, so that each synapse
// delivers w·r while its weight w, which plasticity changes, stays as it
// is. Between spikes
//
//	tau_d dx/dt = 1 - x,    tau_f du/dt = U - u
//
// solved exactly over any gap Δ: x = 1 - (1 - x0) exp(-Δ/tau_d),
// u = U + (u0 - U) exp(-Δ/tau_f). At a spike, with the values just
// before it,
//
//	r = x·u,   x ← x - u·x,   u ← u + U (1 - u)
//
// that is, release uses u before the facilitation jump, the convention of
// Auryn's STPConnection that Zenke, Agnes & Gerstner (2015) ran (the
// first spike after a long pause releases U, not U(2 - U) as with the
// jump first). Auryn steps x and u by forward Euler every tick; the exact
// solution differs from that by a relative 3e-4 in the effective time
// constants at 0.1 ms.
//
//	key    default  unit  meaning
//	U      -        1     utilisation at rest and jump factor, in (0, 1] (required)
//	tau_d  -        ms    recovery of x, > 0 (required)
//	tau_f  -        ms    relaxation of u to U, > 0 (required)
//	x0     1        1     x of every source neuron at tick 0, in [0, 1]
//	u0     U        1     u at tick 0, in [0, 1]
//
// The defaults are those of a scenario's stp table; a program sets every
// field (x0 = 1, u0 = U for a synapse at rest).
// Zenke, Agnes & Gerstner (2015) use U = 0.2, tau_d = 150 ms, tau_f = 600
// ms on their E→E, input→E and E→I projections (E→I starting at u0 = 0.01,
// the class default Auryn set before the scripts changed U).
type STP struct {
	U    float64 `toml:"U" unit:"dimensionless"`  // utilisation at rest and jump [1]
	TauD float64 `toml:"tau_d" unit:"ms"`         // depression recovery [ms]
	TauF float64 `toml:"tau_f" unit:"ms"`         // facilitation decay [ms]
	X0   float64 `toml:"x0" unit:"dimensionless"` // initial x [1]
	U0   float64 `toml:"u0" unit:"dimensionless"` // initial u [1]
}

// STPRequired lists the keys of STP that have no default.
var STPRequired = []string{"U", "tau_d", "tau_f"}

// Validate checks the parameters and returns a *snnsim.ParamError naming
// the first invalid one.
func (p STP) Validate() error {
	c := snnsim.CheckParams("stdp", "stp", p)
	if !(p.U > 0 && p.U <= 1) {
		c.Failf("U", p.U, "must be in (0, 1]")
	}
	c.Positive("tau_d", p.TauD)
	c.Positive("tau_f", p.TauF)
	c.Closed("x0", p.X0, 0, 1)
	c.Closed("u0", p.U0, 0, 1)
	return c.Err()
}

// STPState is the state of an [STP] for n source neurons: x and u of each
// at the tick of its last spike (or tick 0).
type STPState struct {
	p      STP
	dt     float64 // resolution [ms]
	x, u   []float64
	last   []snnsim.Time
	td, tf []float64 // exp(-k dt/tau) for small k
}

// stpTable is the number of gaps (in ticks) whose decay factors are
// tabulated; longer gaps call math.Exp.
const stpTable = 1024

// New returns the state of n source neurons at tick 0 (x = x0, u = u0)
// for the given clock.
func (p STP) New(n int, clock snnsim.Clock) (*STPState, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if !(clock.DT > 0) || math.IsInf(clock.DT, 0) {
		return nil, fmt.Errorf("stdp: stp: resolution %g ms: must be > 0", clock.DT)
	}
	s := &STPState{p: p, dt: clock.DT, x: make([]float64, n), u: make([]float64, n), last: make([]snnsim.Time, n)}
	for i := range n {
		s.x[i], s.u[i] = p.X0, p.U0
	}
	s.td, s.tf = make([]float64, stpTable), make([]float64, stpTable)
	for k := range stpTable {
		s.td[k] = math.Exp(-float64(k) * clock.DT / p.TauD)
		s.tf[k] = math.Exp(-float64(k) * clock.DT / p.TauF)
	}
	return s, nil
}

// Len returns the number of source neurons.
func (s *STPState) Len() int { return len(s.x) }

// decay returns exp(-k dt/tau_d) and exp(-k dt/tau_f).
func (s *STPState) decay(k snnsim.Time) (float64, float64) {
	if k < stpTable {
		return s.td[k], s.tf[k]
	}
	return math.Exp(-float64(k) * s.dt / s.p.TauD), math.Exp(-float64(k) * s.dt / s.p.TauF)
}

// At returns x and u of source neuron i at tick t (at or after its last
// spike), before any spike at t; it changes nothing.
func (s *STPState) At(i int, t snnsim.Time) (x, u float64) {
	ed, ef := s.decay(t - s.last[i])
	return 1 - (1-s.x[i])*ed, s.p.U + (s.u[i]-s.p.U)*ef
}

// Release returns the fraction r = x·u that a spike of source neuron i at
// tick t releases, with x and u brought up to t just before the spike,
// and applies the spike: x ← x(1 - u), u ← u + U(1 - u). Ticks of one
// neuron's spikes must not decrease.
func (s *STPState) Release(i int32, t snnsim.Time) float64 {
	x, u := s.At(int(i), t)
	r := x * u
	s.x[i] = x - r
	s.u[i] = u + s.p.U*(1-u)
	s.last[i] = t
	return r
}

// stpVersion is the payload version of an STPState frame.
const stpVersion = 1

// stpTag is the frame tag of an STPState.
const stpTag = "stdp/stp"

// AppendState appends the state as one frame (see [checkpoint.Stater]).
// Payload version 1: the number of source neurons, the resolution [ms],
// U, tau_d, tau_f, x0 and u0 (the identity), then for each neuron the
// tick of its last spike, x and u just after it.
func (s *STPState) AppendState(b []byte) []byte {
	b, start := checkpoint.Begin(b, stpTag, stpVersion)
	b = checkpoint.PutI64(b, int64(len(s.x)))
	b = checkpoint.PutF64(b, s.dt)
	for _, v := range []float64{s.p.U, s.p.TauD, s.p.TauF, s.p.X0, s.p.U0} {
		b = checkpoint.PutF64(b, v)
	}
	for i := range s.x {
		b = checkpoint.PutI64(b, int64(s.last[i]))
		b = checkpoint.PutF64(b, s.x[i])
		b = checkpoint.PutF64(b, s.u[i])
	}
	return checkpoint.End(b, start)
}

// RestoreState replaces the state by one written by AppendState of an
// STPState of the same size, resolution and parameters.
func (s *STPState) RestoreState(b []byte) ([]byte, error) {
	payload, rest, err := codec.Open(b, stpTag, stpVersion)
	if err != nil {
		return nil, err
	}
	d := codec.NewDecoder(payload)
	n, dt := d.I64(), d.F64()
	var par [5]float64
	for k := range par {
		par[k] = d.F64()
	}
	if d.Short {
		return nil, d.Done(stpTag)
	}
	if n != int64(len(s.x)) {
		return nil, codec.Mismatchf("stp state for %d source neurons, this projection has %d", n, len(s.x))
	}
	if math.Float64bits(dt) != math.Float64bits(s.dt) {
		return nil, codec.Mismatchf("stp state at resolution %g ms, this projection has %g ms", dt, s.dt)
	}
	for k, v := range []float64{s.p.U, s.p.TauD, s.p.TauF, s.p.X0, s.p.U0} {
		if math.Float64bits(par[k]) != math.Float64bits(v) {
			key := []string{"U", "tau_d", "tau_f", "x0", "u0"}[k]
			return nil, codec.Mismatchf("stp state with %s = %g, this projection has %s = %g", key, par[k], key, v)
		}
	}
	if len(d.B) != 24*len(s.x) {
		return nil, codec.Corruptf("stp payload does not match its declared length")
	}
	last := make([]snnsim.Time, n)
	x, u := make([]float64, n), make([]float64, n)
	for i := range last {
		last[i], x[i], u[i] = snnsim.Time(d.I64()), d.F64(), d.F64()
		if last[i] < 0 || last[i] == snnsim.Never || !(x[i] >= 0 && x[i] <= 1) || !(u[i] >= 0 && u[i] <= 1) {
			return nil, codec.Corruptf("stp state of source %d: tick %d, x = %g, u = %g", i, last[i], x[i], u[i])
		}
	}
	if err := d.Done(stpTag); err != nil {
		return nil, err
	}
	copy(s.last, last)
	copy(s.x, x)
	copy(s.u, u)
	return rest, nil
}
