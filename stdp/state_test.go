package stdp

import (
	"bytes"
	"encoding/binary"
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

// Sizes of the projection in the state tests: small, so that truncating a
// state at every byte stays cheap, and the reference tests' sizes.
const stateNPre, stateNPost = 6, 4

// mustRule builds the rule p describes or fails the test.
func mustRule[W Weight](t testing.TB, p Params, clock snnsim.Clock, nPre, nPost int) Rule[W] {
	t.Helper()
	r, err := New[W](p, clock, nPre, nPost)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return r
}

// stateSetup is one rule case's projection, calls and initial weights.
type stateSetup struct {
	pr  *proj
	evs []event
	w0  []float64
}

// newStateSetup draws a projection (connection probability 0.7) and random
// trains over 2 s at 0.1 ms with the edge cases of randomTrains (axonal
// delay 8 ticks), from a seed per case.
func newStateSetup(c ruleCase, seed uint64) stateSetup {
	rng := rand.New(rand.NewPCG(seed, 0xc4ec))
	pr := newProj(stateNPre, stateNPost, 0.7, rng)
	tr := randomTrains(rng, pr, 20000, 8, testClock.DT)
	w0 := make([]float64, len(pr.tgt))
	for k := range w0 {
		w0[k] = c.w0[0] + (c.w0[1]-c.w0[0])*rng.Float64()
	}
	return stateSetup{pr: pr, evs: events(tr, preFirst), w0: w0}
}

// split is where a checkpoint falls in the calls, and a shift of the
// later calls (a silent stretch across the checkpoint).
type split struct {
	name  string
	at    int
	shift snnsim.Time
}

// splits returns the checkpoints tested for the calls evs: before any
// call, half way, between the Pre and the Post calls of one tick (so that a
// read at the checkpoint's tick needs the values before the increments),
// and half way followed by 5 s of silence (decay factors beyond the tables).
func splits(t *testing.T, evs []event) []split {
	mid := -1
	for k := len(evs) / 3; k < len(evs); k++ {
		if evs[k].t == evs[k-1].t && evs[k].post && !evs[k-1].post {
			mid = k
			break
		}
	}
	if mid < 0 {
		t.Fatalf("no tick with both an arrival and a post spike")
	}
	return []split{
		{"start", 0, 0},
		{"middle", len(evs) / 2, 0},
		{"mid_tick", mid, 0},
		{"silence", len(evs) / 2, 50000},
	}
}

// resume runs rule p over s.evs: rule A makes the calls up to the
// checkpoint, saves its state, and makes the rest; rule B, built fresh,
// restores the state and makes the rest on a copy of the weights at the
// checkpoint. The weights and the final states must agree bit for bit.
func resume[W Weight](t *testing.T, p Params, s stateSetup, sp split) {
	evs := slices.Clone(s.evs)
	for k := sp.at; k < len(evs); k++ {
		evs[k].t += sp.shift
	}
	wa := make([]W, len(s.w0))
	for k, v := range s.w0 {
		wa[k] = W(v)
	}
	a := mustRule[W](t, p, testClock, stateNPre, stateNPost)
	apply(a, s.pr, evs[:sp.at], wa)
	state := a.AppendState(nil)
	wb := slices.Clone(wa)
	apply(a, s.pr, evs[sp.at:], wa)

	b := mustRule[W](t, p, testClock, stateNPre, stateNPost)
	checkpointtest.MustRestore(t, b, state)
	changed := false
	for k := range wb {
		changed = changed || wb[k] != wa[k]
	}
	if !changed {
		t.Fatalf("no weight changed after the checkpoint: the case tests nothing")
	}
	apply(b, s.pr, evs[sp.at:], wb)
	for k := range wa {
		if math.Float64bits(float64(wa[k])) != math.Float64bits(float64(wb[k])) {
			t.Fatalf("synapse %d: resumed weight %v, straight run %v", k, wb[k], wa[k])
		}
	}
	if !bytes.Equal(a.AppendState(nil), b.AppendState(nil)) {
		t.Fatalf("final traces differ")
	}
}

// TestStateResume checks checkpoint and resume for every rule variant of
// the reference tests (referenceCases: every pair dependence and pairing,
// every triplet preset, the homeostatic rule, each with its bound
// variants), at every split, with float64 and float32 weights.
func TestStateResume(t *testing.T) {
	for k, c := range referenceCases(testClock.DT) {
		s := newStateSetup(c, uint64(k))
		for _, sp := range splits(t, s.evs) {
			t.Run(fmt.Sprintf("%s/split=%s/w=float64", c.name, sp.name), func(t *testing.T) { resume[float64](t, c.p, s, sp) })
			t.Run(fmt.Sprintf("%s/split=%s/w=float32", c.name, sp.name), func(t *testing.T) { resume[float32](t, c.p, s, sp) })
		}
	}
}

// stateRules is one case per rule and pairing, with its state after half
// of its calls, for the tests of refused states.
func stateRules(t testing.TB) []struct {
	name  string
	p     Params
	state []byte
} {
	var out []struct {
		name  string
		p     Params
		state []byte
	}
	seen := map[string]bool{}
	for k, c := range referenceCases(testClock.DT) {
		kind := c.p.Rule()
		switch q := c.p.(type) {
		case *PairParams:
			kind += string(q.Pairing)
		case *TripletParams:
			kind += string(q.Pairing)
		}
		if seen[kind] {
			continue
		}
		seen[kind] = true
		s := newStateSetup(c, uint64(k))
		r := mustRule[float64](t, c.p, testClock, stateNPre, stateNPost)
		apply(r, s.pr, s.evs[:len(s.evs)/2], slices.Clone(s.w0))
		out = append(out, struct {
			name  string
			p     Params
			state []byte
		}{c.name, c.p, r.AppendState(nil)})
	}
	return out
}

// TestStateConformance checks the contract of RestoreState
// (checkpointtest.Run) on the state of every rule and pairing.
func TestStateConformance(t *testing.T) {
	for _, c := range stateRules(t) {
		checkpointtest.Run(t, checkpointtest.Case{
			Name:  c.name,
			State: c.state,
			New: func(tb testing.TB) checkpoint.Stater {
				return mustRule[float64](tb, c.p, testClock, stateNPre, stateNPost)
			},
		})
	}
}

// TestStateMismatch restores states into rules of another kind, sizes,
// resolution, time constant, pairing or version: each is refused with a
// message naming the difference. A different amplitude is accepted: it
// does not enter the traces.
func TestStateMismatch(t *testing.T) {
	pair := DefaultPair()
	nearest := pair
	nearest.Pairing = NearestSpike
	slowPair := pair
	slowPair.TauMinus = 40
	strongPair := pair
	strongPair.APlus = 0.05
	trip := DefaultTriplet()
	tripY := trip
	tripY.TauY = 125
	hom := DefaultHomeostatic()
	homHom := hom
	homHom.TauHom = 20e3
	dt005 := snnsim.Clock{DT: 0.05}
	cases := []struct {
		name     string
		from, to Params
		nPost    int          // target neurons of the receiving rule
		clock    snnsim.Clock // of the receiving rule
		substr   string       // "": accepted
	}{
		{"pair/sizes", &pair, &pair, 5, testClock, "stdp: RestoreState: pair state for 6 source and 4 target neurons, this rule has 6 and 5"},
		{"pair/resolution", &pair, &pair, 4, dt005, "pair state at resolution 0.1 ms, this rule has 0.05 ms"},
		{"pair/tau", &pair, &slowPair, 4, testClock, "pair state with tau_minus = 20 ms, this rule has 40 ms"},
		{"pair/pairing", &pair, &nearest, 4, testClock, "pair state with pairing all_to_all, this rule has nearest_spike"},
		{"pair/into_triplet", &pair, &trip, 4, testClock, `state of a "stdp/pair", this is a "stdp/triplet"`},
		{"triplet/tau_y", &trip, &tripY, 4, testClock, "triplet state with tau_y = 114 ms, this rule has 125 ms"},
		{"triplet_homeostatic/tau_hom", &hom, &homHom, 4, testClock, "triplet_homeostatic state with tau_hom = 10000 ms, this rule has 20000 ms"},
		{"triplet_homeostatic/into_pair", &hom, &pair, 4, testClock, `state of a "stdp/triplet_homeostatic", this is a "stdp/pair"`},
		{"pair/amplitude", &pair, &strongPair, 4, testClock, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			state := mustRule[float32](t, c.from, testClock, stateNPre, stateNPost).AppendState(nil)
			r := mustRule[float32](t, c.to, c.clock, stateNPre, c.nPost)
			if c.substr == "" {
				if _, err := r.RestoreState(state); err != nil {
					t.Fatalf("err = %v, want nil", err)
				}
				return
			}
			if err := checkpointtest.Refuse(t, r, state, checkpoint.ErrMismatch); !strings.Contains(err.Error(), c.substr) {
				t.Fatalf("err = %v, want one containing %q", err, c.substr)
			}
		})
	}
}

// TestStateInvalidPayload restores frames with a valid checksum but
// inconsistent contents, as a writer bug would produce.
func TestStateInvalidPayload(t *testing.T) {
	pair := DefaultPair()
	hom := DefaultHomeostatic()
	// Offsets in a version-1 payload of a 6 × 4 pair rule: the ident is 2
	// counts, dt, 2 taus and the pairing byte (41 bytes); each trace is
	// last, after, before (24 bytes).
	const identPair = 5*8 + 1
	cases := []struct {
		name string
		p    Params
		mod  func(payload []byte) []byte
	}{
		{"rule=pair/case=negative_tick", &pair, func(b []byte) []byte {
			binary.LittleEndian.PutUint64(b[identPair:], math.MaxUint64)
			return b
		}},
		{"rule=pair/case=tick_never", &pair, func(b []byte) []byte {
			binary.LittleEndian.PutUint64(b[identPair:], uint64(snnsim.Never))
			return b
		}},
		{"rule=pair/case=nan_after", &pair, func(b []byte) []byte {
			binary.LittleEndian.PutUint64(b[identPair+8:], math.Float64bits(math.NaN()))
			return b
		}},
		{"rule=pair/case=negative_before", &pair, func(b []byte) []byte {
			binary.LittleEndian.PutUint64(b[identPair+16:], math.Float64bits(-1))
			return b
		}},
		{"rule=pair/case=pairing_byte", &pair, func(b []byte) []byte { b[identPair-1] = 2; return b }},
		{"rule=pair/case=missing_trace", &pair, func(b []byte) []byte { return b[:len(b)-24] }},
		{"rule=triplet_homeostatic/case=inf_zhom", &hom, func(b []byte) []byte {
			// after z⁺ of 6 sources, the first target's last, z⁻ after, z^h after
			at := 7*8 + 1 + stateNPre*24 + 16
			binary.LittleEndian.PutUint64(b[at:], math.Float64bits(math.Inf(1)))
			return b
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := mustRule[float64](t, c.p, testClock, stateNPre, stateNPost)
			state := r.AppendState(nil)
			payload := c.mod(slices.Clone(checkpointtest.Payload(state)))
			checkpointtest.Refuse(t, r, checkpointtest.Frame(tagOf(c.p.Rule()), stateVersion, payload), checkpoint.ErrCorrupt)
		})
	}
}

// lastTick returns the latest tick of any trace of r, from which calls may
// continue after a restore.
func lastTick(r any) snnsim.Time {
	var arrays []*traces1
	var last snnsim.Time
	switch q := r.(type) {
	case *Pair[float32]:
		arrays = []*traces1{&q.pre, &q.post}
	case *Triplet[float32]:
		arrays = []*traces1{&q.r1, &q.r2, &q.o1, &q.o2}
	case *Homeostatic[float32]:
		arrays = []*traces1{&q.pre, &q.slow}
		for _, l := range q.post.last {
			last = max(last, l)
		}
	case *P11[float32]:
		arrays = []*traces1{&q.pre, &q.slow}
		for _, l := range q.post.last {
			last = max(last, l)
		}
	case *ISTDP[float32]:
		arrays = []*traces1{&q.pre, &q.post}
		if q.global {
			arrays = append(arrays, &q.pop)
		}
	}
	for _, ts := range arrays {
		for _, h := range ts.hot {
			last = max(last, h.last)
		}
	}
	return last
}

// FuzzRestoreState restores arbitrary bytes into a fresh rule of every
// kind (3 sources, 2 targets), both as they are and wrapped in a valid
// frame of the rule's tag (so that the payload checks are reached past the
// checksum). It must never panic; a state it accepts must encode back to
// the same bytes, and Pre and Post must then run at the latest restored
// tick and after it.
func FuzzRestoreState(f *testing.F) {
	nearest := DefaultPair()
	nearest.Pairing, nearest.MuMinus, nearest.MuPlus = NearestSpike, 1, 1
	p11 := DefaultP11()
	p11.Beta = 0 // the fuzzed rule has no reference weights
	params := []Params{ptr(DefaultPair()), &nearest, ptr(DefaultTriplet()), ptr(DefaultHomeostatic()), &p11,
		ptr(DefaultGlobalISTDP()), ptr(DefaultVogels())}
	const nPre, nPost = 3, 2
	pr := newProj(nPre, nPost, 1, nil)
	rng := rand.New(rand.NewPCG(23, 29))
	for _, p := range params {
		r := mustRule[float32](f, p, testClock, nPre, nPost)
		for k := range 20 {
			tk := snnsim.Time(k * 37)
			r.TracePre(tk, int32(rng.IntN(nPre)))
			r.TracePost(tk+snnsim.Time(rng.IntN(3)), int32(rng.IntN(nPost)))
		}
		state := r.AppendState(nil)
		f.Add(state)
		f.Add(checkpointtest.Payload(state))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, p := range params {
			r := mustRule[float32](t, p, testClock, nPre, nPost)
			for _, in := range [][]byte{data, checkpointtest.Frame(tagOf(p.Rule()), stateVersion, data)} {
				if !checkpointtest.Restore(t, r, in) {
					continue
				}
				w := []float32{0.5, 0.5, 0.5, 0.5, 0.5, 0.5}
				for _, tk := range []snnsim.Time{lastTick(r), lastTick(r) + 1} {
					if tk < 0 {
						continue // lastTick + 1 overflowed
					}
					apply(r, pr, []event{{tk, false, 0}, {tk, true, 1}, {tk, false, 2}}, w)
				}
			}
		}
	})
}

func ptr[T any](v T) *T { return &v }
