package consolidation

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
	"github.com/snnsim/snnsim/checkpoint/checkpointtest"
)

// This file holds the trivial model's tests and the helpers and tables
// that the tests of trivial, zenke_2015 and ziegler_2015 share.

// consDT is the resolution of the tests [ms], the scenario default.
const consDT = 0.1

// consClock is the tests' clock.
var consClock = snnsim.Clock{DT: consDT}

// msTicks converts ms to ticks at consDT.
func msTicks(ms float64) snnsim.Time { return snnsim.Time(math.Round(ms / consDT)) }

// gridLayout is nPre sources with one synapse to each of nPost targets:
// synapse s = i·nPost + j runs from i to j, so the synapses of source i are
// i·nPost .. (i+1)·nPost−1. unit gives Unit[s].
func gridLayout(nPre, nPost int, seed uint64, unit func(s int) float32) Layout {
	n := nPre * nPost
	l := Layout{Clock: consClock, NPre: nPre, NPost: nPost, Seed: seed,
		Source: make([]int32, n), Target: make([]int32, n), Unit: make([]float32, n)}
	for s := range n {
		l.Source[s], l.Target[s], l.Unit[s] = int32(s/nPost), int32(s%nPost), unit(s)
	}
	return l
}

// consDriver drives a model as the engine does (the contract in model.go):
// Advance(t) at each tick the engine processes (consEvent ticks) and at Next()
// across quiet periods.
type consDriver struct {
	m     synapseModel
	w     []float32 // the delivery array
	quiet int       // Advance calls made because Next() came due
}

func newConsDriver(m synapseModel) *consDriver {
	d := &consDriver{m: m, w: make([]float32, m.Len())}
	m.Bind(d.w)
	return d
}

// idle processes the model's own ticks up to and including t.
func (d *consDriver) idle(t snnsim.Time) {
	for {
		n := d.m.Next()
		if n > t {
			return
		}
		d.m.Advance(n)
		d.quiet++
	}
}

// to processes the model's own ticks before t and then tick t.
func (d *consDriver) to(t snnsim.Time) {
	d.idle(t - 1)
	d.m.Advance(t)
}

// modulators returns the levels m reads: nil unless it is Leveled.
func modulators(m Model) []string {
	if l, ok := m.(Leveled); ok {
		return l.Modulators()
	}
	return nil
}

// mustNew builds a model or fails the test.
func mustNew(t testing.TB, p Params, l Layout) synapseModel {
	t.Helper()
	m, err := New(p, l)
	if err != nil {
		t.Fatal(err)
	}
	return m.(synapseModel)
}

func TestTrivial(t *testing.T) {
	l := gridLayout(2, 2, 1, func(s int) float32 { return 0.5 + float32(s) })
	m := mustNew(t, &TrivialParams{}, l)
	d := newConsDriver(m)
	if m.Name() != "trivial" || m.Len() != 4 || !slices.Equal(m.Vars(), []string{"w"}) {
		t.Fatalf("name %q, len %d, vars %v", m.Name(), m.Len(), m.Vars())
	}
	if _, ok := m.(NeuronInspector); ok {
		t.Fatal("the trivial model has per-neuron variables")
	}
	if _, ok := m.(Leveled); ok {
		t.Fatal("the trivial model reads levels")
	}
	if !slices.Equal(d.w, []float32{0.5, 1.5, 2.5, 3.5}) {
		t.Fatalf("bound weights %v, want the units", d.w)
	}
	if m.Next() != snnsim.Never {
		t.Fatalf("Next() = %d, want Never", m.Next())
	}
	m.Pre(10, 0, 0, 2)
	m.Post(10, 1)
	m.Signal(11, 1, 0.25)
	m.Signal(12, 1, -2)
	if got := m.RuleWeights()[1]; got != -0.25 || d.w[1] != -0.25 || m.Get(0, 1) != -0.25 {
		t.Fatalf("after signals w = %g (delivered %g), want -0.25", got, d.w[1])
	}
	if err := m.Set(13, 0, 2, 7); err != nil || d.w[2] != 7 {
		t.Fatalf("Set: %v, delivered %g", err, d.w[2])
	}
	if err := m.Set(13, 0, 2, math.NaN()); err == nil {
		t.Fatal("Set(NaN) accepted")
	}
}

// modelCase is one model of the shared tests: its parameters and a short
// scenario of events that exercises every part of its state.
type modelCase struct {
	name   string
	params func() Params
	layout Layout
}

// stateCases are the models of TestStateResume and TestStateConformance, with
// parameters that make a 2-minute scenario busy (short time constants for
// zenke_2015; ziegler_2015 at its defaults, with dopamine).
func stateCases() []modelCase {
	unit := func(s int) float32 { return 0.1 + 0.05*float32(s%7) }
	return []modelCase{
		{"trivial", func() Params { p := DefaultTrivial(); return &p }, gridLayout(10, 3, 7, unit)},
		{"zenke_2015", func() Params {
			p := DefaultZenke()
			p.TauCons, p.SlowStep = 60e3, 60
			return &p
		}, gridLayout(10, 3, 7, unit)},
		{"zenke_2015/skip_settled=false", func() Params {
			p := DefaultZenke()
			p.TauCons, p.SlowStep, p.SkipSettled = 60e3, 60, false
			return &p
		}, gridLayout(10, 3, 7, unit)},
		{"ziegler_2015", func() Params { p := DefaultZiegler(); return &p }, gridLayout(10, 3, 7, unit)},
		{"importance_si", func() Params {
			p := DefaultImportance()
			p.C, p.Tau, p.SlowStep = 1, 100, 10 // relax within the scenario
			return &p
		}, gridLayout(10, 3, 7, unit)},
		{"metaplastic_laborieux_2021", func() Params {
			p := DefaultMetaplastic()
			p.WHInit = 0.005 // the test's signals move W_h across 0
			return &p
		}, gridLayout(10, 3, 7, unit)},
		{"ziegler_2015/skip_settled=false", func() Params {
			p := DefaultZiegler()
			p.SkipSettled = false
			return &p
		}, gridLayout(10, 3, 7, unit)},
	}
}

// consEvent is one input of a scenario.
type consEvent struct {
	t     snnsim.Time
	kind  byte // 'p' pre, 'q' post, 's' signal, 'l' level
	i     int32
	s     int64
	value float64
}

// busyScenario is two minutes of input to a gridLayout(10, 3): 100 Hz
// bursts of sources 0–4 with target spikes 1 ms after each pulse, sparse
// random spikes of every neuron, signals, and dopamine from 20 s to 50 s
// (for models that read it).
func busyScenario(l Layout, dopamine bool) []consEvent {
	r := rand.New(rand.NewPCG(3, 4))
	var ev []consEvent
	for k := range 21 {
		t0 := msTicks(1000 + 10*float64(k))
		for i := range int32(5) {
			ev = append(ev, consEvent{t: t0, kind: 'p', i: i})
		}
		for j := range int32(3) {
			ev = append(ev, consEvent{t: t0 + msTicks(1), kind: 'q', i: j})
		}
	}
	for range 400 {
		t0 := msTicks(120e3 * r.Float64())
		switch r.IntN(3) {
		case 0:
			ev = append(ev, consEvent{t: t0, kind: 'p', i: int32(r.IntN(l.NPre))})
		case 1:
			ev = append(ev, consEvent{t: t0, kind: 'q', i: int32(r.IntN(l.NPost))})
		default:
			ev = append(ev, consEvent{t: t0, kind: 's', s: int64(r.IntN(len(l.Target))), value: 0.02 * (r.Float64() - 0.5)})
		}
	}
	if dopamine {
		ev = append(ev, consEvent{t: msTicks(20e3), kind: 'l', value: 1}, consEvent{t: msTicks(50e3), kind: 'l', value: 0})
	}
	sortEvents(ev)
	return ev
}

// play applies events to the model through the driver.
func (d *consDriver) play(t testing.TB, ev []consEvent, nPost int) {
	for _, e := range ev {
		d.to(e.t)
		switch e.kind {
		case 'p':
			lo := int64(e.i) * int64(nPost)
			d.m.Pre(e.t, e.i, lo, lo+int64(nPost))
		case 'q':
			d.m.Post(e.t, e.i)
		case 's':
			d.m.Signal(e.t, e.s, e.value)
		case 'l':
			if err := d.m.(Leveled).SetLevel(e.t, modulators(d.m)[0], e.value); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// leveled reports whether the busy scenario sets a level of the model
// (dopamine, or importance_si's task number).
func leveled(p Params) bool {
	mods := p.Modulators()
	return slices.Contains(mods, "dopamine") || slices.Contains(mods, levelTask)
}

// snapshot is every variable of every synapse and neuron, and the
// delivered weights.
func snapshot(d *consDriver, nPost int) []float64 {
	var out []float64
	for v := range d.m.Vars() {
		for s := range d.m.Len() {
			out = append(out, d.m.Get(v, int64(s)))
		}
	}
	if ni, ok := d.m.(NeuronInspector); ok {
		for v := range ni.NeuronVars() {
			for j := range nPost {
				out = append(out, ni.NeuronGet(v, int32(j)))
			}
		}
	}
	for _, w := range d.w {
		out = append(out, float64(w))
	}
	return out
}

// TestStateResume: save → restore into a fresh model → continue equals
// running straight, bit for bit, for every model.
func TestStateResume(t *testing.T) {
	for _, c := range stateCases() {
		t.Run("model="+c.name, func(t *testing.T) {
			ev := busyScenario(c.layout, leveled(c.params()))
			cut := msTicks(30e3)
			k := slices.IndexFunc(ev, func(e consEvent) bool { return e.t >= cut })
			end := msTicks(180e3)

			a := newConsDriver(mustNew(t, c.params(), c.layout))
			a.play(t, ev[:k], c.layout.NPost)
			a.to(cut)
			saved := a.m.AppendState(nil)

			b := newConsDriver(mustNew(t, c.params(), c.layout))
			rest, err := b.m.RestoreState(append(slices.Clip(saved), 0xAB))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(rest, []byte{0xAB}) {
				t.Fatalf("rest = %x, want ab", rest)
			}
			if got := b.m.AppendState(nil); !bytes.Equal(got, saved) {
				t.Fatal("restored state saves differently")
			}
			for _, d := range []*consDriver{a, b} {
				d.play(t, ev[k:], c.layout.NPost)
				d.idle(end)
				d.to(end)
			}
			sa, sb := snapshot(a, c.layout.NPost), snapshot(b, c.layout.NPost)
			for k := range sa {
				if math.Float64bits(sa[k]) != math.Float64bits(sb[k]) {
					t.Fatalf("value %d: straight %v, resumed %v", k, sa[k], sb[k])
				}
			}
			if !bytes.Equal(a.m.AppendState(nil), b.m.AppendState(nil)) {
				t.Fatal("final states differ")
			}
			if a.m.Next() != b.m.Next() {
				t.Fatalf("Next: straight %d, resumed %d", a.m.Next(), b.m.Next())
			}
		})
	}
}

// TestStateConformance checks the contract of RestoreState
// (checkpointtest.Run) for every model, with states of another model, size
// and seed as foreign ones; then damages every third payload byte after
// the identity (which has its own checks) under a valid checksum: each is
// refused or accepted (checkpointtest.Restore), and none panics.
func TestStateConformance(t *testing.T) {
	cases := stateCases()
	for ci, c := range cases {
		d := newConsDriver(mustNew(t, c.params(), c.layout))
		d.play(t, busyScenario(c.layout, leveled(c.params()))[:200], c.layout.NPost)
		good := d.m.AppendState(nil)
		stateOf := func(p Params, l Layout) []byte { return mustNew(t, p, l).AppendState(nil) }
		seed := c.layout
		seed.Seed++
		foreign := []checkpointtest.Foreign{
			{Name: "size", State: stateOf(c.params(), gridLayout(9, 3, 7, func(int) float32 { return 0.2 }))},
			{Name: "seed", State: stateOf(c.params(), seed)},
		}
		other := cases[(ci+3)%len(cases)]
		if other.params().Model() == c.params().Model() {
			other = cases[0]
		}
		if other.params().Model() != c.params().Model() {
			foreign = append(foreign, checkpointtest.Foreign{Name: "model", State: stateOf(other.params(), other.layout), Says: other.params().Model()})
		}
		fresh := func(tb testing.TB) checkpoint.Stater { return mustNew(tb, c.params(), c.layout) }
		checkpointtest.Run(t, checkpointtest.Case{Name: "model=" + c.name, State: good, New: fresh, Foreign: foreign})
		t.Run("model="+c.name+"/payload_bytes", func(t *testing.T) {
			m := fresh(t)
			head := 1 + int(good[0]) + 9 + 6*8
			for k := head; k < len(good)-4; k += 3 {
				b := slices.Clone(good)
				b[k] = 0xff
				checkpointtest.Restore(t, m, checkpointtest.Reseal(b))
			}
		})
	}
}

// TestParams: every model is registered, its defaults are valid and its
// Params and Model agree; invalid values are refused with the key, the
// value and the constraint.
func TestParams(t *testing.T) {
	for _, name := range []string{"trivial", "zenke_2015", "ziegler_2015"} {
		if !slices.Contains(Models(), name) {
			t.Fatalf("Models() = %v lacks %s", Models(), name)
		}
		p, ok := Lookup(name)
		if !ok || p.Model() != name {
			t.Fatalf("Lookup(%q) = %v, %v", name, p, ok)
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("%s defaults: %v", name, err)
		}
		m := mustNew(t, p, gridLayout(2, 2, 1, func(int) float32 { return 0.3 }))
		if m.Name() != name || !slices.Equal(m.Vars(), p.Vars()) || !slices.Equal(modulators(m), p.Modulators()) {
			t.Fatalf("%s: model %s vars %v mods %v, params vars %v mods %v", name, m.Name(), m.Vars(), modulators(m), p.Vars(), p.Modulators())
		}
	}
	cases := []struct {
		p    Params
		want string
	}{
		{func() Params { p := DefaultZenke(); p.TauCons = -1; return &p }(), "consolidation: zenke_2015.tau_cons = -1 ms: must be > 0"},
		{func() Params { p := DefaultZenke(); p.SlowStep = 2e5; return &p }(), "consolidation: zenke_2015.slow_step = 200000 ms: must be <= tau_cons/10 = 120000 ms"},
		{func() Params { p := DefaultZenke(); p.Beta = math.NaN(); return &p }(), "consolidation: zenke_2015.beta = NaN: must be finite"},
		{func() Params { p := DefaultZenke(); p.WMax = math.Inf(1); return &p }(), "consolidation: zenke_2015.w_max = +Inf: must be finite"},
		{func() Params { p := DefaultZiegler(); p.ThetaG = 1.5; return &p }(), "consolidation: ziegler_2015.theta_g = 1.5: must be in (0, 1)"},
		{func() Params { p := DefaultZiegler(); p.Eta = -1; return &p }(), "consolidation: ziegler_2015.eta = -1 Hz: must be >= 0"},
		{func() Params { p := DefaultZiegler(); p.TUpd = 1e4; return &p }(), "consolidation: ziegler_2015.t_upd = 10000 ms: must be <= min(tau_x, tau_y, tau_z)/100 = 2000 ms"},
		{func() Params { p := DefaultZiegler(); p.TauPotPre = 0; return &p }(), "consolidation: ziegler_2015.tau_pot_pre = 0 ms: must be > 0"},
	}
	for _, c := range cases {
		err := c.p.Validate()
		if err == nil || err.Error() != c.want {
			t.Errorf("Validate() = %v, want %q", err, c.want)
		}
		if _, err := New(c.p, gridLayout(1, 1, 1, func(int) float32 { return 1 })); err == nil {
			t.Errorf("New accepted %s", c.want)
		}
	}
	// A slow-clock step off the tick grid is refused by New.
	p := DefaultZiegler()
	p.TUpd = 100.05
	if _, err := New(&p, gridLayout(1, 1, 1, func(int) float32 { return 1 })); err == nil || !strings.Contains(err.Error(), "ziegler_2015.t_upd = 100.05 ms") {
		t.Errorf("t_upd off the grid: %v", err)
	}
}
