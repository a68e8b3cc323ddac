package source

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

// rateSet is a SetRate call at tick t.
type rateSet struct {
	t    snnsim.Time
	rate float64 // [Hz]
}

// stateCase is a source, a checkpoint tick and a continuation.
type stateCase struct {
	name string
	p    Params
	n    int
	save snnsim.Time // checkpoint between tick save-1 and tick save
	more snnsim.Time // ticks run after the checkpoint
	sets []rateSet   // SetRate calls (Poisson), before and after the checkpoint
	mute bool        // no spike is expected after the checkpoint
}

// stateCases covers every model; the ticks are at 0.1 ms. Where a
// checkpoint falls (mid-schedule, mid-train, after stop, at tick 0) is
// chosen so that the continuation crosses a change of the schedule.
func stateCases() []stateCase {
	poisson := func(rate, start, stop float64, times, rates []float64) Poisson {
		return Poisson{Rate: rate, Start: start, Stop: stop, Times: times, Rates: rates}
	}
	inf := math.Inf(1)
	// Random spike times for spike_times: 300 spikes in [0, 1000) ms of
	// 40 members, at most one per member and tick (a fixed seed).
	rng := rand.New(rand.NewPCG(7, 7))
	var st SpikeTimes
	seen := map[[2]int]bool{}
	for len(st.Times) < 300 {
		tick, m := rng.IntN(10000), rng.IntN(40)
		if !seen[[2]int{tick, m}] {
			seen[[2]int{tick, m}] = true
			st.Times = append(st.Times, float64(tick)/10)
			st.Neurons = append(st.Neurons, m)
		}
	}
	return []stateCase{
		{name: "model=poisson/case=constant", p: poisson(20, 0, inf, nil, nil), n: 200, save: 10000, more: 10000},
		{name: "model=poisson/case=schedule", p: poisson(5, 50, 1500, []float64{300, 800}, []float64{40, 80}), n: 100, save: 5000, more: 15000},
		{name: "model=poisson/case=set_rate", p: poisson(10, 0, inf, nil, nil), n: 100, save: 10000, more: 10000,
			sets: []rateSet{{4000, 60}, {12000, 0}, {15000, 30}}},
		{name: "model=poisson/case=set_rate_at_save", p: poisson(10, 0, inf, nil, nil), n: 50, save: 5000, more: 5000,
			sets: []rateSet{{5000, 100}}},
		{name: "model=poisson/case=tick_0", p: poisson(30, 0, inf, nil, nil), n: 50, save: 0, more: 5000},
		{name: "model=poisson/case=after_stop", p: poisson(30, 0, 200, nil, nil), n: 50, save: 3000, more: 1000, mute: true},
		{name: "model=regular/case=across_stop", p: Regular{Rate: 40, Start: 3.33, Stop: 900}, n: 20, save: 4000, more: 8000},
		{name: "model=tetanus/case=mid_train", p: Tetanus{Trains: 3, Pulses: 5, Rate: 100, Interval: 200, Start: 10}, n: 10, save: 2300, more: 10000},
		{name: "model=burst/case=between_bursts", p: Burst{Bursts: 4, Pulses: 3, Rate: 300, Period: 50, Start: 1}, n: 10, save: 1200, more: 5000},
		{name: "model=spike_times/case=neurons", p: st, n: 40, save: 4000, more: 7000},
		{name: "model=spike_times/case=all", p: SpikeTimes{Times: []float64{1, 7.5, 300, 0.3, 999}}, n: 8, save: 75, more: 20000},
		{name: "model=pattern/case=mid_presentation", p: patternCase(), n: 60, save: 13000, more: 30000},
		{name: "model=pattern/case=before_first_phase", p: func() Pattern { p := patternCase(); p.At = 100; return p }(), n: 60, save: 500, more: 20000},
		{name: "model=pattern/case=across_phase", p: patternCase(), n: 60, save: 19990, more: 20000},
		{name: "model=external/case=silent", p: External{}, n: 30, save: 100, more: 100, mute: true},
	}
}

// run drives s from the first tick >= from up to (not including) until as
// the engine does, calling SetRate at the ticks in sets that lie in
// [from, until) before any spike at or after them.
func run(t testing.TB, s Source, from, until snnsim.Time, sets []rateSet) []firing {
	t.Helper()
	var out []firing
	var buf []int32
	for _, r := range sets {
		if r.t < from || r.t >= until {
			continue
		}
		out = append(out, runTo(t, s, r.t, &buf)...)
		if err := s.(RateSetter).SetRate(r.t, r.rate); err != nil {
			t.Fatalf("SetRate(%d, %g): %v", r.t, r.rate, err)
		}
	}
	return append(out, runTo(t, s, until, &buf)...)
}

// runTo fires every spike before tick until.
func runTo(t testing.TB, s Source, until snnsim.Time, buf *[]int32) []firing {
	t.Helper()
	var out []firing
	for next := s.Next(); next < until; next = s.Next() {
		*buf = s.Fire(next, (*buf)[:0])
		if len(*buf) == 0 && isSwitcher(s) {
			continue
		}
		checkMembers(t, next, *buf, s.Len())
		out = append(out, firing{next, slices.Clone(*buf)})
	}
	return out
}

// stream is the random stream the engine would give the population.
func stream(name string) *rand.PCG { return snnsim.NewPCG(42, "source/"+name) }

// savedState runs c up to its checkpoint and returns the source, its state
// and the state of its random stream.
func savedState(t testing.TB, c stateCase) (Source, *rand.PCG, []byte, []byte) {
	t.Helper()
	pcg := stream(c.name)
	s := mustNew(t, c.p, c.n, dt01, rand.New(pcg))
	run(t, s, 0, c.save, c.sets)
	st, ok := s.(checkpoint.Stater)
	if !ok {
		t.Fatalf("%T does not implement Stater", s)
	}
	state := st.AppendState(nil)
	rs, err := pcg.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return s, pcg, state, rs
}

// TestStateResume checks checkpoint and resume for every model: source A
// runs to the checkpoint, its state and its stream's state are saved, and A
// runs on; source B, built fresh from the same parameters with the stream
// restored, restores the state and runs the same ticks. Both must fire
// the same spikes and end in the same state, bit for bit.
func TestStateResume(t *testing.T) {
	for _, c := range stateCases() {
		t.Run(c.name, func(t *testing.T) {
			a, pcgA, state, rs := savedState(t, c)
			want := run(t, a, c.save, c.save+c.more, c.sets)
			endA := a.(checkpoint.Stater).AppendState(nil)
			endRngA, _ := pcgA.MarshalBinary()

			pcgB := stream(c.name)
			b := mustNew(t, c.p, c.n, dt01, rand.New(pcgB))
			if err := pcgB.UnmarshalBinary(rs); err != nil {
				t.Fatal(err)
			}
			checkpointtest.MustRestore(t, b.(checkpoint.Stater), state)
			got := run(t, b, c.save, c.save+c.more, c.sets)
			if !equalFirings(got, want) {
				t.Fatalf("resumed run fired %d times, the straight run %d; first difference at %v",
					len(got), len(want), firstDiff(got, want))
			}
			if c.mute != (len(want) == 0) {
				t.Fatalf("%d firings after the checkpoint; the case expects some: %v", len(want), !c.mute)
			}
			endRngB, _ := pcgB.MarshalBinary()
			if !bytes.Equal(b.(checkpoint.Stater).AppendState(nil), endA) || !bytes.Equal(endRngA, endRngB) {
				t.Fatalf("final states differ")
			}
		})
	}
}

func firstDiff(a, b []firing) string {
	for i := range min(len(a), len(b)) {
		if a[i].t != b[i].t || !slices.Equal(a[i].members, b[i].members) {
			return fmt.Sprintf("firing %d: %v vs %v", i, a[i], b[i])
		}
	}
	return fmt.Sprintf("firing %d (one run ended)", min(len(a), len(b)))
}

// TestStateConformance checks the contract of RestoreState
// (checkpointtest.Run) on the state of every case.
func TestStateConformance(t *testing.T) {
	for _, c := range stateCases() {
		_, _, state, _ := savedState(t, c)
		checkpointtest.Run(t, checkpointtest.Case{
			Name:  c.name,
			State: state,
			New: func(tb testing.TB) checkpoint.Stater {
				return mustNew(tb, c.p, c.n, dt01, rand.New(stream(c.name))).(checkpoint.Stater)
			},
		})
	}
}

// TestStateMismatch restores states into sources of another model, size,
// resolution, schedule or version: each is refused with a message naming
// the difference.
func TestStateMismatch(t *testing.T) {
	dt005 := snnsim.Clock{DT: 0.05}
	poisson := Poisson{Rate: 10, Stop: math.Inf(1)}
	cases := []struct {
		name   string
		from   Params
		n      int
		to     Params
		m      int
		clock  snnsim.Clock // of the receiving source
		substr string
	}{
		{"poisson/size", poisson, 1000, poisson, 500, dt01, "source: RestoreState: poisson state for 1000 members, this source has 500"},
		{"poisson/resolution", poisson, 10, poisson, 10, dt005, "poisson state at resolution 0.1 ms, this source has 0.05 ms"},
		{"regular/into_tetanus", Regular{Rate: 10, Stop: math.Inf(1)}, 10, Tetanus{Trains: 1, Pulses: 2, Rate: 10}, 10, dt01, `state of a "source/regular", this is a "source/tetanus"`},
		{"poisson/into_regular", poisson, 10, Regular{Rate: 10, Stop: math.Inf(1)}, 10, dt01, `state of a "source/poisson", this is a "source/regular"`},
		{"regular/rate", Regular{Rate: 10, Stop: math.Inf(1)}, 10, Regular{Rate: 20, Stop: math.Inf(1)}, 10, dt01, "regular state of a train"},
		{"burst/size", Burst{Bursts: 2, Pulses: 2, Rate: 100, Period: 100}, 3, Burst{Bursts: 2, Pulses: 2, Rate: 100, Period: 100}, 4, dt01, "burst state for 3 members, this source has 4"},
		{"spike_times/list", SpikeTimes{Times: []float64{1, 2}}, 3, SpikeTimes{Times: []float64{1, 3}}, 3, dt01, "spike_times state of a list of 2 spikes"},
		{"external/size", External{}, 3, External{}, 2, dt01, "external state for 3 members, this source has 2"},
		{"pattern/phases", patternCase(), 60, func() Pattern { p := patternCase(); p.Phases = nil; return p }(), 60, dt01, "pattern state for 2 phases, this source has 1"},
		{"pattern/size", patternCase(), 60, patternCase(), 61, dt01, "pattern state for 60 members, this source has 61"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			state := mustNew(t, c.from, c.n, dt01, seeded(1)).(checkpoint.Stater).AppendState(nil)
			s := mustNew(t, c.to, c.m, c.clock, seeded(1)).(checkpoint.Stater)
			if err := checkpointtest.Refuse(t, s, state, checkpoint.ErrMismatch); !strings.Contains(err.Error(), c.substr) {
				t.Fatalf("err = %v, want one containing %q", err, c.substr)
			}
		})
	}
}

// TestStateInvalidPayload restores frames with a valid checksum but
// inconsistent contents, as a writer bug would produce.
func TestStateInvalidPayload(t *testing.T) {
	p := Poisson{Rate: 50, Stop: math.Inf(1)}
	s := mustNew(t, p, 4, dt01, seeded(3)).(*poissonSource)
	payload := func(mod func(*poissonSource)) []byte {
		c := *s
		c.segs, c.heap = slices.Clone(s.segs), slices.Clone(s.heap)
		mod(&c)
		b := c.AppendState(nil)
		return b
	}
	cases := []struct {
		name  string
		state []byte
	}{
		{"member_repeated", payload(func(c *poissonSource) { c.heap[1].m = c.heap[0].m })},
		{"member_range", payload(func(c *poissonSource) { c.heap[1].m = 4 })},
		{"heap_order", payload(func(c *poissonSource) { c.heap[0], c.heap[1] = c.heap[1], c.heap[0] })},
		{"segment_index", payload(func(c *poissonSource) { c.heap[0].seg = 1 })},
		{"negative_tick", payload(func(c *poissonSource) { c.heap[0].t = -1 })},
		{"no_segment", payload(func(c *poissonSource) { c.segs, c.heap = nil, nil })},
		{"rate_nan", payload(func(c *poissonSource) { c.segs[0].lam = math.NaN() })},
		{"segments_unsorted", payload(func(c *poissonSource) { c.segs = append(c.segs, segment{from: -5}) })},
		{"too_many_entries", payload(func(c *poissonSource) { c.heap = append(c.heap, c.heap[0]); c.n = 4 })},
	}
	for _, c := range cases {
		t.Run("model=poisson/case="+c.name, func(t *testing.T) {
			checkpointtest.Refuse(t, s, c.state, checkpoint.ErrCorrupt)
		})
	}
}

// FuzzRestoreState restores arbitrary bytes into a fresh source of every
// model, both as they are and wrapped in a valid frame of the model's tag
// (so that the payload checks are reached past the checksum). It must
// never panic; a state it accepts must encode back to the same bytes and
// drive the source correctly.
func FuzzRestoreState(f *testing.F) {
	cases := stateCases()
	for _, c := range cases {
		_, _, state, _ := savedState(f, c)
		f.Add(state)
		f.Add(checkpointtest.Payload(state))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, c := range cases {
			s := mustNew(t, c.p, c.n, dt01, rand.New(stream(c.name)))
			st := s.(checkpoint.Stater)
			fresh := st.AppendState(nil)
			tag := string(fresh[1 : 1+fresh[0]])
			for _, in := range [][]byte{data, checkpointtest.Frame(tag, stateVersion, data)} {
				if !checkpointtest.Restore(t, st, in) {
					continue
				}
				from := s.Next()
				if from == snnsim.Never {
					continue
				}
				fired := 0
				var buf []int32
				for next := s.Next(); next != snnsim.Never && fired < 200; next = s.Next() {
					buf = s.Fire(next, buf[:0])
					if len(buf) > 0 || !isSwitcher(s) {
						checkMembers(t, next, buf, s.Len())
					}
					if s.Next() <= next {
						t.Fatalf("%s: Next() = %d after Fire(%d)", c.name, s.Next(), next)
					}
					fired++
				}
			}
		}
	})
}
