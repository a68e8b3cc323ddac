package source

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
)

func init() {
	models.Register("spike_times", func() Params { p := DefaultSpikeTimes(); return &p })
}

var (
	_ Params = SpikeTimes{}
	_ Source = (*spikeTimesSource)(nil)
)

// Validate checks the parameters: times finite and >= 0, and neurons either
// empty or one non-negative member index per time. Indices are checked
// against the population size in New.
func (p SpikeTimes) Validate() error {
	c := checkParams("spike_times", p)
	for k, t := range p.Times {
		c.NonNegative(fmt.Sprintf("times[%d]", k), t)
	}
	if len(p.Neurons) > 0 && len(p.Neurons) != len(p.Times) {
		c.Failf("neurons", nil, "has %d entries and times has %d: give one member per spike time, or leave neurons out so that every member fires at every time", len(p.Neurons), len(p.Times))
	}
	for k, i := range p.Neurons {
		if i < 0 {
			c.Fail(fmt.Sprintf("neurons[%d]", k), i, "must be >= 0 (a member index)")
		}
	}
	return c.Err()
}

// New returns a source that fires at the given times, each rounded to the
// nearest tick (a time on the grid stays on its tick). The times need not be
// sorted. It validates p first, and rejects a member index >= n.
//
// A member fires at most once per tick, so two spikes of the same member
// (or, without neurons, any two times) that fall on the same tick are an
// error naming both, rather than being merged silently. rng is not used.
func (p SpikeTimes) New(n int, clock snnsim.Clock, _ *rand.Rand) (Source, error) {
	const m = "spike_times"
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := checkNew(m, n, clock); err != nil {
		return nil, err
	}
	type spike struct {
		t snnsim.Time
		m int32 // member, or -1 for all
		k int   // index in p.Times
	}
	spikes := make([]spike, len(p.Times))
	for k, ms := range p.Times {
		t, err := tickOf(m, fmt.Sprintf("times[%d]", k), ms, clock)
		if err != nil {
			return nil, err
		}
		spikes[k] = spike{t: t, m: -1, k: k}
		if len(p.Neurons) > 0 {
			i := p.Neurons[k]
			if i >= n {
				return nil, bad(m, fmt.Sprintf("neurons[%d]", k), i, "", fmt.Sprintf("must be < %d, the population size (members are numbered from 0)", n))
			}
			spikes[k].m = int32(i)
		}
	}
	slices.SortFunc(spikes, func(a, b spike) int {
		return cmp.Or(cmp.Compare(a.t, b.t), cmp.Compare(a.m, b.m), cmp.Compare(a.k, b.k))
	})
	s := &spikeTimesSource{n: n, ticks: make([]snnsim.Time, len(spikes))}
	if len(p.Neurons) > 0 {
		s.members = make([]int32, len(spikes))
	} else {
		s.all = allMembers(n)
	}
	for x, sp := range spikes {
		if x > 0 && sp.t == spikes[x-1].t && sp.m == spikes[x-1].m {
			a, b := min(sp.k, spikes[x-1].k), max(sp.k, spikes[x-1].k)
			who := "every member"
			if sp.m >= 0 {
				who = fmt.Sprintf("member %d", sp.m)
			}
			return nil, bad(m, fmt.Sprintf("times[%d]", b), p.Times[b], "ms", fmt.Sprintf("falls on the same tick (%d at resolution %g ms) as times[%d] = %g ms for %s: a member fires at most once per tick; remove one of them", sp.t, clock.DT, a, p.Times[a], who))
		}
		s.ticks[x] = sp.t
		if s.members != nil {
			s.members[x] = sp.m
		}
	}
	return s, nil
}

// spikeTimesSource replays a sorted list of (tick, member) spikes, or of
// ticks at which every member fires.
type spikeTimesSource struct {
	n       int
	ticks   []snnsim.Time // sorted by (tick, member)
	members []int32       // member per spike; nil when every member fires at each tick
	all     []int32       // 0..n-1 when members is nil
	i       int           // index of the pending spike
}

func (s *spikeTimesSource) Len() int { return s.n }

func (s *spikeTimesSource) Next() snnsim.Time {
	if s.i == len(s.ticks) {
		return snnsim.Never
	}
	return s.ticks[s.i]
}

func (s *spikeTimesSource) Fire(t snnsim.Time, fired []int32) []int32 {
	next := s.Next()
	if t < next {
		return fired
	}
	if t > next {
		fireLate("spike_times", t, next)
	}
	if s.members == nil {
		s.i++
		return append(fired, s.all...)
	}
	for s.i < len(s.ticks) && s.ticks[s.i] == t {
		fired = append(fired, s.members[s.i])
		s.i++
	}
	return fired
}

// AppendState appends the size, the number of spikes and a hash of the
// spike list (to recognise it), and the index of the pending spike. See
// [checkpoint.Stater].
//
// Payload (version 1): n, number of spikes, FNV-1a 64 hash of the
// (tick, member) list, index of the pending spike.
func (s *spikeTimesSource) AppendState(b []byte) []byte {
	b, start := checkpoint.Begin(b, tagSpikeTimes, stateVersion)
	b = checkpoint.PutI64(b, int64(s.n))
	b = checkpoint.PutI64(b, int64(len(s.ticks)))
	b = binary.LittleEndian.AppendUint64(b, s.listHash())
	b = checkpoint.PutI64(b, int64(s.i))
	return checkpoint.End(b, start)
}

// RestoreState restores a state written by AppendState of a source of the
// same size and spike list. See [checkpoint.Stater].
func (s *spikeTimesSource) RestoreState(b []byte) ([]byte, error) {
	payload, rest, err := codec.Open(b, tagSpikeTimes, stateVersion)
	if err != nil {
		return nil, err
	}
	d := checkpoint.Decoder{B: payload, C: &codec}
	n, count, hash, i := d.I64(), d.I64(), uint64(d.I64()), d.I64()
	if err := d.Done(tagSpikeTimes); err != nil {
		return nil, err
	}
	if n != int64(s.n) {
		return nil, codec.Mismatchf("spike_times state for %d members, this source has %d", n, s.n)
	}
	if count != int64(len(s.ticks)) || hash != s.listHash() {
		return nil, codec.Mismatchf("spike_times state of a list of %d spikes (hash %016x), this source has %d (hash %016x)", count, hash, len(s.ticks), s.listHash())
	}
	if i < 0 || i > count || (s.members != nil && i > 0 && i < count && s.ticks[i] == s.ticks[i-1]) {
		return nil, codec.Corruptf("spike_times state at spike %d of %d, not the first spike of a tick", i, count)
	}
	s.i = int(i)
	return rest, nil
}

// listHash is the FNV-1a 64 hash of the spike list: each tick as 8 and,
// with members, each member as 4 little-endian bytes.
func (s *spikeTimesSource) listHash() uint64 {
	h := fnv.New64a()
	var buf [12]byte
	for x, t := range s.ticks {
		binary.LittleEndian.PutUint64(buf[:], uint64(t))
		p := buf[:8]
		if s.members != nil {
			binary.LittleEndian.PutUint32(buf[8:], uint32(s.members[x]))
			p = buf[:]
		}
		h.Write(p)
	}
	return h.Sum64()
}
