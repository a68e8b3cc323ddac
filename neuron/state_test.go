package neuron

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
	"github.com/snnsim/snnsim/checkpoint/checkpointtest"
)

// stateModel is a model of the state tests, with a name for subtests.
type stateModel struct {
	name string
	p    Params
}

// stateModels returns every model with its defaults, and
// lif_cond_ampa_nmda with a refractory period (it has none by default).
// Adex comes with faster dynamics than its defaults (whose neurons take
// seconds to settle, longer than the quiet stretches of stateScenario), a
// refractory period and two substeps.
func stateModels() []stateModel {
	var out []stateModel
	for _, p := range allModels() {
		out = append(out, stateModel{p.Model(), p})
	}
	a := DefaultLIFAmpaNmda()
	a.TRef = 2
	return append(out, stateModel{"lif_cond_ampa_nmda_t_ref", a}, stateModel{"adex_fast", adexFast()})
}

// stateWeight is a typical input weight of p in its internal unit: a few
// of them at once make a neuron at rest fire.
func stateWeight(p Params) float64 {
	switch p.(type) {
	case LIFDelta:
		return 6 // mV
	case LIFExp:
		return 15 // mV (R·I; the peak response is about half)
	case AdEx:
		return 6 // mV
	}
	return 2 // g_L
}

// stateTRef returns the refractory period of p [ms].
func stateTRef(p Params) float64 {
	if a, ok := p.(AdEx); ok {
		return a.TRef
	}
	return baseOf(p).TRef
}

// Pending work at the checkpoint (besides the pending SetBias/SetV every
// scenario leaves): none, input to a few neurons, or input to many (which
// makes lif_exp_cond and lif_cond_ampa_nmda switch to dense input).
const (
	pendNone = iota
	pendSparse
	pendDense
)

var pendNames = []string{"none", "sparse", "dense"}

// stateScenario is a population driven tick by tick with inputs and
// SetBias/SetV calls that depend only on the seed and the tick, so that a
// continuation can be replayed on a restored population.
type stateScenario struct {
	p       Params
	n       int
	seed    uint64
	save    snnsim.Time // the checkpoint is taken after Update(save)
	more    snnsim.Time // ticks run after the checkpoint
	always  bool        // SetAlwaysActive(true)
	pending int         // pendNone, pendSparse, pendDense
}

// quiet reports whether tick t gets no input: a long pause in which the
// neurons settle, and ticks are skipped while nothing is active.
func (s *stateScenario) quiet(t snnsim.Time) bool {
	return (t >= 1500 && t < 5000) || t >= s.save+s.more-600
}

// tick applies the work of tick t before its Update: Deliver, and
// SetBias/SetV at t (applied at the end of Update(t)). It returns whether
// there was input and the calls to make after Update(t).
func (s *stateScenario) tick(pop Population, t snnsim.Time) (bool, func()) {
	rng := rand.New(rand.NewPCG(s.seed, uint64(t)))
	w := stateWeight(s.p)
	lo := s.n / 4 // neurons below lo get no input before the checkpoint
	if t > s.save {
		lo = 0
	}
	has := false
	if !s.quiet(t) {
		k := rng.IntN(6)
		if t > s.save && rng.IntN(50) == 0 {
			k = s.n / 3 // more than n/16 targets: dense input
		}
		if t > s.save-40 && t <= s.save {
			k = 4 + rng.IntN(4) // strong input: refractory neurons at the checkpoint
		}
		for r := range 2 {
			var tg []int32
			var ws []float32
			for range k {
				tg = append(tg, int32(lo+rng.IntN(s.n-lo)))
				ws = append(ws, float32(w*(0.2+rng.Float64())*(1+0.5*float64(r))))
			}
			if t > s.save-40 && t <= s.save && r == 1 {
				continue
			}
			if len(tg) > 0 {
				pop.Deliver(t, Receptor(r), tg, ws)
				has = true
			}
		}
	}
	bias := func() float64 { return []float64{0, 60, 250, -100}[rng.IntN(4)] }
	if rng.IntN(40) == 0 { // takes effect after Update(t)
		pop.SetBias(t, rng.IntN(s.n), bias())
	}
	if rng.IntN(150) == 0 {
		pop.SetV(t, rng.IntN(s.n), -70+25*rng.Float64())
	}
	var after func()
	if rng.IntN(60) == 0 { // after Update(t), taking effect at once
		i, b := rng.IntN(s.n), bias()
		after = func() { pop.SetBias(t, i, b) }
	}
	return has, after
}

// runTicks drives pop over ticks from..to like an event-driven engine
// (skipping ticks with nothing active and no input), recording the spikes
// and every neuron's potential at every tick (as bits).
func (s *stateScenario) runTicks(tb testing.TB, pop Population, from, to snnsim.Time) ([]spike, []uint64) {
	tb.Helper()
	var spikes []spike
	var vs []uint64
	var fired []int32
	for t := from; t <= to; t++ {
		has, after := s.tick(pop, t)
		if has || pop.Active() > 0 {
			fired = pop.Update(t, fired[:0])
			for _, i := range fired {
				if i < 0 || int(i) >= s.n {
					tb.Fatalf("t=%d: fired neuron %d of %d", t, i, s.n)
				}
				spikes = append(spikes, spike{t, i})
			}
		}
		if after != nil {
			after()
		}
		for i := range s.n {
			vs = append(vs, math.Float64bits(pop.V(i, t)))
		}
	}
	return spikes, vs
}

// fresh builds the population of s as the engine does before restoring a
// checkpoint into it: New, SetAlwaysActive, and initial potentials.
func (s *stateScenario) fresh(tb testing.TB) Population {
	tb.Helper()
	pop := mustNew(tb, s.p, s.n, clock01)
	if s.always {
		pop.SetAlwaysActive(true)
	}
	for i := range s.n {
		pop.SetV(0, i, -65+float64(i%7))
	}
	return pop
}

// checkpoint runs s up to its checkpoint, leaves the pending work of
// s.pending and a pending SetBias, and returns the population and its
// state.
func (s *stateScenario) checkpoint(tb testing.TB) (Population, []byte) {
	tb.Helper()
	pop := s.fresh(tb)
	s.runTicks(tb, pop, 1, s.save)
	// Work for later ticks, done before the checkpoint and not replayed.
	pop.SetBias(s.save+3, s.n-1, 200)
	pop.SetV(s.save+1, 0, -52)
	switch s.pending {
	case pendSparse:
		h := int32(s.n / 2) // neurons that get input anyway
		pop.Deliver(s.save+1, Exc, []int32{h, int32(s.n - 2), h}, []float32{float32(stateWeight(s.p)), 0.5, 0.25})
		pop.Deliver(s.save+1, Inh, []int32{h + 1}, []float32{1})
	case pendDense:
		var tg []int32
		var ws []float32
		for i := 0; i < s.n; i += 2 {
			tg = append(tg, int32(i))
			ws = append(ws, float32(stateWeight(s.p)*0.3))
		}
		pop.Deliver(s.save+1, Exc, tg, ws)
	}
	return pop, pop.(checkpoint.Stater).AppendState(nil)
}

// popBase returns the shared bookkeeping of a population of this package.
func popBase(pop Population) *base {
	switch q := pop.(type) {
	case *lifDeltaPop:
		return &q.base
	case *lifExpPop:
		return &q.base
	case *lifCondPop:
		return &q.base
	case *lifAmpaNmdaPop:
		return &q.base
	case *adexPop:
		return &q.base
	case *aifPop:
		return &q.base
	}
	panic(fmt.Sprintf("unknown population %T", pop))
}

// coverage counts what the state of a population at its last Update holds:
// settled neurons, refractory ones, pending operations and pending input.
func coverage(pop Population) (settled, refractory, pend, input int) {
	b := popBase(pop)
	for i, s := range b.status {
		if s != stActive {
			settled++
		}
		if b.lay.vars[b.lay.ref][i] > float64(b.last) {
			refractory++
		}
	}
	for _, x := range b.lay.bufs {
		for _, v := range x {
			if v != 0 {
				input++
			}
		}
	}
	return settled, refractory, len(b.pend), input
}

// TestStateResume checks checkpoint and resume for every model, with the
// assembly and the Go loops, with and without the active-set shortcut, and
// with input pending at the checkpoint or not: population A runs to the
// checkpoint (inputs, neurons settling and waking, SetBias and SetV, ticks
// skipped), its state is saved, and A runs on; population B, built fresh
// with the same parameters (and given initial potentials, as the engine
// does), restores the state and runs the same ticks. Both must fire the
// same spikes, have the same potentials at every tick, and end in the same
// state, bit for bit.
func TestStateResume(t *testing.T) {
	for _, m := range stateModels() {
		t.Run("model="+m.name, func(t *testing.T) {
			forEachKernel(t, func(t *testing.T) {
				for _, always := range []bool{false, true} {
					for pending := range pendNames {
						name := fmt.Sprintf("shortcut=%v/pending=%s", !always, pendNames[pending])
						t.Run(name, func(t *testing.T) {
							s := &stateScenario{p: m.p, n: 103, seed: 5, save: 7000, more: 4000, always: always, pending: pending}
							checkResume(t, s)
						})
					}
				}
			})
			// A checkpoint after the first flush of tiny synaptic
			// variables, at the Go loops only.
			t.Run("case=after_flush", func(t *testing.T) {
				s := &stateScenario{p: m.p, n: 103, seed: 6, save: 24000, more: 3000, pending: pendSparse}
				if k := popBase(mustNew(t, m.p, 1, clock01)).flushK; k >= s.save {
					t.Fatalf("flush every %d ticks, checkpoint at %d", k, s.save)
				}
				checkResume(t, s)
			})
		})
	}
}

func checkResume(t *testing.T, s *stateScenario) {
	a, state := s.checkpoint(t)
	ba := popBase(a)
	active, nLow := slices.Clone(ba.active), ba.nLow
	var hd []float64
	if c, ok := a.(*lifCondPop); ok {
		hd = slices.Clone(c.hd)
	}
	settled, refractory, pend, input := coverage(a)
	if !s.always && settled == 0 {
		t.Errorf("no neuron is settled at the checkpoint")
	}
	if stateTRef(s.p) > 0 && refractory == 0 {
		t.Errorf("no neuron is refractory at the checkpoint")
	}
	if pend == 0 || (s.pending != pendNone) != (input > 0) {
		t.Errorf("at the checkpoint: %d pending operations, %d pending inputs", pend, input)
	}
	wantS, wantV := s.runTicks(t, a, s.save+1, s.save+s.more)
	endA := a.(checkpoint.Stater).AppendState(nil)

	b := s.fresh(t)
	checkpointtest.MustRestore(t, b.(checkpoint.Stater), state)
	// What the state leaves out, being derived from it.
	if bb := popBase(b); !slices.Equal(bb.active, active) || bb.nLow != nLow {
		t.Fatalf("restored: active list %v, %d neurons that can settle; saved %v, %d", bb.active, bb.nLow, active, nLow)
	}
	if c, ok := b.(*lifCondPop); ok && !slices.Equal(c.hd, hd) {
		t.Fatalf("restored hd differs")
	}
	gotS, gotV := s.runTicks(t, b, s.save+1, s.save+s.more)
	if len(wantS) < 50 {
		t.Errorf("only %d spikes after the checkpoint", len(wantS))
	}
	if !slices.Equal(gotS, wantS) {
		t.Fatalf("resumed run: %d spikes, straight run %d; first difference %s", len(gotS), len(wantS), firstSpikeDiff(gotS, wantS))
	}
	if !slices.Equal(gotV, wantV) {
		k := 0
		for k < min(len(gotV), len(wantV)) && gotV[k] == wantV[k] {
			k++
		}
		if k == len(gotV) || k == len(wantV) {
			t.Fatalf("%d potentials recorded after resuming, %d straight", len(gotV), len(wantV))
		}
		tick, i := s.save+1+snnsim.Time(k/s.n), k%s.n
		t.Fatalf("V of neuron %d at tick %d: resumed %v, straight %v", i, tick, math.Float64frombits(gotV[k]), math.Float64frombits(wantV[k]))
	}
	if !bytes.Equal(b.(checkpoint.Stater).AppendState(nil), endA) {
		t.Fatalf("final states differ")
	}
}

func firstSpikeDiff(a, b []spike) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return fmt.Sprintf("spike %d: %v vs %v", i, a[i], b[i])
		}
	}
	return fmt.Sprintf("spike %d (one run ended)", min(len(a), len(b)))
}

// smallState returns a population of model p with a few neurons after a
// short run, its state, and the scenario.
func smallState(tb testing.TB, p Params, n int) (*stateScenario, Population, []byte) {
	tb.Helper()
	s := &stateScenario{p: p, n: n, seed: 9, save: 5300, more: 100, pending: pendSparse}
	pop, state := s.checkpoint(tb)
	return s, pop, state
}

// TestStateSizes restores the states of populations of 0 and 1 neurons,
// fresh and after a few ticks.
func TestStateSizes(t *testing.T) {
	for _, m := range stateModels() {
		for _, n := range []int{0, 1} {
			a := mustNew(t, m.p, n, clock01)
			for run := range 2 {
				state := a.(checkpoint.Stater).AppendState(nil)
				b := mustNew(t, m.p, n, clock01)
				if _, err := b.(checkpoint.Stater).RestoreState(state); err != nil {
					t.Fatalf("%s, n = %d: %v", m.name, n, err)
				}
				if !bytes.Equal(b.(checkpoint.Stater).AppendState(nil), state) {
					t.Fatalf("%s, n = %d: restored state differs", m.name, n)
				}
				if run == 0 && n > 0 {
					a.SetBias(0, 0, 300)
					a.Deliver(1, Exc, []int32{0}, []float32{float32(stateWeight(m.p))})
					for tk := snnsim.Time(1); tk <= 200; tk++ {
						a.Update(tk, nil)
					}
				}
			}
		}
	}
}

// TestStateConformance checks the contract of RestoreState
// (checkpointtest.Run) for every model: truncated, damaged and
// other-version states, and states of other models, sizes, resolutions and
// parameter values (each parameter in turn), each refused with a message
// naming the difference.
func TestStateConformance(t *testing.T) {
	const n = 7
	for _, m := range stateModels() {
		s, _, state := smallState(t, m.p, n)
		model := m.p.Model()
		stateOf := func(p Params, n int, c snnsim.Clock) []byte {
			return mustNew(t, p, n, c).(checkpoint.Stater).AppendState(nil)
		}
		foreign := []checkpointtest.Foreign{
			{Name: "size", State: stateOf(m.p, n+1, clock01),
				Says: fmt.Sprintf("neuron: RestoreState: %s state for %d neurons, this population has %d; restore a checkpoint into the scenario that wrote it", model, n+1, n)},
			{Name: "resolution", State: stateOf(m.p, n, snnsim.Clock{DT: 0.05}),
				Says: fmt.Sprintf("%s state at resolution 0.05 ms, this population has 0.1 ms", model)},
		}
		for _, o := range allModels() {
			if o.Model() != model {
				foreign = append(foreign, checkpointtest.Foreign{Name: "model=" + o.Model(), State: stateOf(o, n, clock01),
					Says: fmt.Sprintf("state of a %q, this is a %q", "neuron/"+o.Model(), "neuron/"+model)})
			}
		}
		for _, f := range paramsOf(m.p) {
			q := withParam(t, m.p, f.name, f.v+1)
			foreign = append(foreign, checkpointtest.Foreign{Name: "param=" + f.name, State: stateOf(q, n, clock01),
				Says: fmt.Sprintf("%s state with %s = %s, this population has %s = %s", model, f.name, withUnit(f.v+1, f.unit), f.name, withUnit(f.v, f.unit))})
		}
		checkpointtest.Run(t, checkpointtest.Case{
			Name:    "model=" + m.name,
			State:   state,
			New:     func(tb testing.TB) checkpoint.Stater { return s.fresh(tb).(checkpoint.Stater) },
			Foreign: foreign,
		})
	}
}

// withParam returns p with the parameter of TOML key name set to v; the
// result must be valid.
func withParam(tb testing.TB, p Params, name string, v float64) Params {
	tb.Helper()
	ptr := reflect.New(reflect.TypeOf(p))
	ptr.Elem().Set(reflect.ValueOf(p))
	var set func(s reflect.Value) bool
	set = func(s reflect.Value) bool {
		for i := range s.NumField() {
			f := s.Type().Field(i)
			if f.Anonymous && set(s.Field(i)) {
				return true
			}
			if f.Tag.Get("toml") == name {
				if s.Field(i).CanInt() {
					s.Field(i).SetInt(int64(v))
				} else {
					s.Field(i).SetFloat(v)
				}
				return true
			}
		}
		return false
	}
	if !set(ptr.Elem()) {
		tb.Fatalf("%s has no parameter %s", p.Model(), name)
	}
	q := ptr.Elem().Interface().(Params)
	if err := q.Validate(); err != nil {
		tb.Fatalf("%s = %g: %v", name, v, err)
	}
	return q
}

// TestStateParams checks that the identity of a state covers every field
// of every model's parameters.
func TestStateParams(t *testing.T) {
	for _, p := range allModels() {
		fields := 0
		var count func(rt reflect.Type)
		count = func(rt reflect.Type) {
			for i := range rt.NumField() {
				if f := rt.Field(i); f.Anonymous {
					count(f.Type)
				} else {
					fields++
				}
			}
		}
		count(reflect.TypeOf(p))
		ps := paramsOf(p)
		if len(ps) != fields || fields < 7 {
			t.Errorf("%s: %d parameters in the state identity, %d fields", p.Model(), len(ps), fields)
		}
		for _, f := range ps {
			if f.name == "" {
				t.Errorf("%s: a parameter without a toml key", p.Model())
			}
		}
	}
}

// TestStateInvalidPayload restores frames with a valid checksum but
// inconsistent contents, as a writer bug would produce: each is refused
// with checkpoint.ErrCorrupt and leaves the population as it was.
func TestStateInvalidPayload(t *testing.T) {
	type icase struct {
		name string
		only func(Params) bool // models the case applies to (nil: all)
		mod  func(b *base)
	}
	conductance := func(p Params) bool { return isCond(p) }
	firstSettled := func(b *base) int {
		for i, s := range b.status {
			if s == stInactive {
				return i
			}
		}
		panic("no settled neuron")
	}
	cases := []icase{
		{"status", nil, func(b *base) { b.status[3] = 7 }},
		{"woken_not_listed", nil, func(b *base) { b.status[firstSettled(b)] = stWoken }},
		{"woken_active", nil, func(b *base) { b.woken = append(b.woken, b.active[0]) }},
		{"woken_range", nil, func(b *base) { b.woken = append(b.woken, int32(b.n)) }},
		{"refractory_range", nil, func(b *base) { b.refr = append(b.refr, -1) }},
		{"touched_range", nil, func(b *base) { b.touched = append(b.touched, int32(b.n+100)) }},
		{"at_future", nil, func(b *base) { b.at[firstSettled(b)] = b.last + 1 }},
		{"at_negative", nil, func(b *base) { b.at[firstSettled(b)] = -1 }},
		{"last_negative", nil, func(b *base) { b.last = -5 }},
		{"flush_past", func(p Params) bool { return p.Model() != "lif_delta" }, func(b *base) { b.flushT = b.last }},
		{"flush_delta", func(p Params) bool { return p.Model() == "lif_delta" }, func(b *base) { b.flushT = 3 }},
		{"always_settled", nil, func(b *base) { b.always = true }},
		{"pending_range", nil, func(b *base) { b.pend[0].i = int32(b.n) }},
		{"pending_kind", nil, func(b *base) { b.pend[0].kind = 2 }},
		{"pending_past", nil, func(b *base) { b.pend[0].t = b.last }},
		{"pending_settled", nil, func(b *base) {
			i := firstSettled(b)
			b.pend = append(b.pend, pendOp{t: b.last + 1, i: int32(i), kind: opBias})
		}},
		{"ref_nan", nil, func(b *base) { b.lay.vars[b.lay.ref][0] = math.NaN() }},
		{"ref_fraction", nil, func(b *base) { b.lay.vars[b.lay.ref][0] = 2.5 }},
		{"ref_future", nil, func(b *base) { b.lay.vars[b.lay.ref][0] = float64(b.last + b.rTick + 1) }},
		{"settled_refractory", nil, func(b *base) {
			i := firstSettled(b)
			b.lay.vars[b.lay.ref][i] = float64(b.at[i] + 1)
		}},
		{"settled_conductance", conductance, func(b *base) { b.lay.vars[b.lay.negligible[0]][firstSettled(b)] = 0.5 }},
		{"settled_nan_v", func(p Params) bool { return p.Model() == "lif_cond_ampa_nmda" }, func(b *base) {
			i := firstSettled(b)
			b.at[i] = b.last - 1
			b.lay.vars[0][i] = math.NaN()
		}},
		{"input_untouched", nil, func(b *base) { b.lay.bufs[0][b.n-3] = 1 }},
		{"dense_and_touched", nil, func(b *base) { b.denseIn = true }},
	}
	for _, m := range stateModels() {
		for _, c := range cases {
			if c.only != nil && !c.only(m.p) {
				continue
			}
			t.Run("model="+m.name+"/case="+c.name, func(t *testing.T) {
				s, src, _ := smallState(t, m.p, 64)
				c.mod(popBase(src))
				bad := src.(checkpoint.Stater).AppendState(nil)
				checkpointtest.Refuse(t, s.fresh(t).(checkpoint.Stater), bad, checkpoint.ErrCorrupt)
			})
		}
	}
}

// fuzzN is the population size of the fuzz test.
const fuzzN = 9

// FuzzRestoreState restores arbitrary bytes into a fresh population of
// every model, both as they are and wrapped in a valid frame of the
// model's tag (so that the payload checks are reached past the checksum).
// It must never panic; a refused state must leave the population
// unchanged; an accepted state must encode back to the same bytes and
// drive the population without a panic or a hang.
func FuzzRestoreState(f *testing.F) {
	models := stateModels()
	for _, m := range models {
		_, _, state := smallState(f, m.p, fuzzN)
		f.Add(state)
		f.Add(checkpointtest.Payload(state))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, m := range models {
			pop := mustNew(t, m.p, fuzzN, clock01)
			st := pop.(checkpoint.Stater)
			tag := "neuron/" + m.p.Model()
			for _, in := range [][]byte{data, checkpointtest.Frame(tag, stateVersion, data)} {
				if !checkpointtest.Restore(t, st, in) {
					continue
				}
				last := popBase(pop).last
				if last > 1<<50 {
					continue
				}
				var fired []int32
				w := float32(stateWeight(m.p))
				for t0 := last + 1; t0 <= last+30; t0++ {
					pop.Deliver(t0, Exc, []int32{int32(t0 % fuzzN)}, []float32{w})
					fired = pop.Update(t0, fired[:0])
					for k, i := range fired {
						if i < 0 || i >= fuzzN || (k > 0 && i <= fired[k-1]) {
							t.Fatalf("%s: tick %d fired %v", m.name, t0, fired)
						}
					}
					pop.V(0, t0)
				}
			}
		}
	})
}
