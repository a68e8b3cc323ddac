package source

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
)

func init() {
	models.Register("poisson", func() Params { p := DefaultPoisson(); return &p })
}

var (
	_ Params     = Poisson{}
	_ Source     = (*poissonSource)(nil)
	_ RateSetter = (*poissonSource)(nil)
)

// Validate checks the parameters: rates finite and >= 0, start finite and
// >= 0, stop after start (or +Inf), times finite, >= 0 and strictly
// increasing, and one rate per time.
func (p Poisson) Validate() error {
	c := checkParams("poisson", p)
	c.NonNegative("rate", p.Rate)
	c.NonNegative("start", p.Start)
	checkStop(c, p.Stop, p.Start)
	if len(p.Rates) != len(p.Times) {
		c.Failf("rates", nil, "has %d entries and times has %d: give one rate per change time", len(p.Rates), len(p.Times))
	}
	for k := 0; k < len(p.Times) && c.OK(); k++ {
		key := fmt.Sprintf("times[%d]", k)
		c.NonNegative(key, p.Times[k])
		if k > 0 && !(p.Times[k] > p.Times[k-1]) {
			c.Failf(key, p.Times[k], "must be after times[%d] = %g ms: list the change times in increasing order", k-1, p.Times[k-1])
		}
		c.NonNegative(fmt.Sprintf("rates[%d]", k), p.Rates[k])
	}
	return c.Err()
}

// New returns n independent Poisson generators on the clock's grid, drawing
// from rng. It validates p first. Start, stop and the change times are
// rounded to the nearest tick; two change times that round to the same tick
// are an error.
func (p Poisson) New(n int, clock snnsim.Clock, rng *rand.Rand) (Source, error) {
	const m = "poisson"
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := checkNew(m, n, clock); err != nil {
		return nil, err
	}
	if rng == nil {
		return nil, fmt.Errorf("source: poisson: no random stream: New needs rng")
	}
	start, err := tickOf(m, "start", p.Start, clock)
	if err != nil {
		return nil, err
	}
	stop, err := stopTick(m, p.Stop, clock)
	if err != nil {
		return nil, err
	}
	times := make([]snnsim.Time, len(p.Times))
	for k, ms := range p.Times {
		if times[k], err = tickOf(m, fmt.Sprintf("times[%d]", k), ms, clock); err != nil {
			return nil, err
		}
		if k > 0 && times[k] == times[k-1] {
			return nil, bad(m, fmt.Sprintf("times[%d]", k), ms, "ms", fmt.Sprintf("falls on the same tick as times[%d] = %g ms at resolution %g ms: space the changes at least one tick apart", k-1, p.Times[k-1], clock.DT))
		}
	}
	s := &poissonSource{
		n:    n,
		dt:   clock.DT,
		segs: segments(p.Rate, p.Rates, times, start, stop, clock.DT),
		rng:  rng,
		heap: make([]poissonEntry, 0, n),
	}
	for i := range n {
		if t, seg := s.draw(0, 0); t != snnsim.Never {
			s.heap = append(s.heap, poissonEntry{t: t, m: int32(i), seg: int32(seg)})
		}
	}
	for i := len(s.heap)/2 - 1; i >= 0; i-- {
		s.down(i)
	}
	return s, nil
}

// segment is a piece of the rate schedule in ticks: from tick from up to the
// next segment's from, every member spikes in each tick with probability
// 1 - exp(-lam).
type segment struct {
	from snnsim.Time
	lam  float64 // rate·dt: the expected spikes per tick of the continuous process (0: silent)
}

// segments turns the schedule into pieces of constant rate that cover every
// tick from 0 on: silent before start and from stop on, base before times[0],
// rates[k] from times[k]. Adjacent pieces of equal rate are merged.
func segments(base float64, rates []float64, times []snnsim.Time, start, stop snnsim.Time, dt float64) []segment {
	rateAt := func(t snnsim.Time) float64 {
		if t < start || t >= stop {
			return 0
		}
		// k = number of change times at or before t
		k := sort.Search(len(times), func(i int) bool { return times[i] > t })
		if k == 0 {
			return base
		}
		return rates[k-1]
	}
	bps := append([]snnsim.Time{0, start}, times...)
	if stop != snnsim.Never {
		bps = append(bps, stop)
	}
	slices.Sort(bps)
	bps = slices.Compact(bps)
	var segs []segment
	for _, b := range bps {
		lam := rateAt(b) * dt / 1000
		if len(segs) > 0 && segs[len(segs)-1].lam == lam {
			continue
		}
		segs = append(segs, segment{from: b, lam: lam})
	}
	return segs
}

// poissonEntry is a member's pending spike. The heap orders entries by (t, m).
type poissonEntry struct {
	t   snnsim.Time // tick of the member's next spike
	m   int32       // member index
	seg int32       // index of the segment that contains t
}

// poissonSource keeps every member's next spike in a binary min-heap.
type poissonSource struct {
	n    int
	dt   float64 // tick [ms]
	segs []segment
	rng  *rand.Rand
	heap []poissonEntry
}

func (s *poissonSource) Len() int { return s.n }

func (s *poissonSource) Next() snnsim.Time {
	if len(s.heap) == 0 {
		return snnsim.Never
	}
	return s.heap[0].t
}

// Fire pops every member due at t. Entries leave the heap in (t, m) order,
// so the members come out sorted; each redraw lies after t.
func (s *poissonSource) Fire(t snnsim.Time, fired []int32) []int32 {
	if len(s.heap) == 0 || s.heap[0].t > t {
		return fired
	}
	if s.heap[0].t < t {
		fireLate("poisson", t, s.heap[0].t)
	}
	for len(s.heap) > 0 && s.heap[0].t == t {
		e := &s.heap[0]
		fired = append(fired, e.m)
		nt, seg := s.draw(t+1, int(e.seg))
		if nt == snnsim.Never {
			last := len(s.heap) - 1
			s.heap[0] = s.heap[last]
			s.heap = s.heap[:last]
		} else {
			e.t, e.seg = nt, int32(seg)
		}
		s.down(0)
	}
	return fired
}

// draw returns the first tick >= from at which a member spikes, and the
// segment that contains it, starting the search in segment seg (which must
// not begin after from).
//
// Within a segment of rate r, the number of silent ticks before the spike is
// geometric with success probability p = 1 - exp(-r·dt):
//
//	G = floor(E / (r·dt)),  E ~ Exp(1),  P(G >= k) = exp(-k·r·dt) = (1-p)^k
//
// which is ceil(log U / log(1-p)) - 1 with E = -log U, written so that
// neither 1-p (p -> 0) nor log(1-p) (p -> 1) is formed: for tiny rates G is
// simply large, for r·dt >> 1 it is 0 and the member fires every tick. When
// the draw passes the segment's end, the member is silent up to that end and,
// the process being memoryless, a new draw starts there with the next rate.
func (s *poissonSource) draw(from snnsim.Time, seg int) (snnsim.Time, int) {
	segs := s.segs
	for {
		for seg+1 < len(segs) && segs[seg+1].from <= from {
			seg++
		}
		end := snnsim.Never
		if seg+1 < len(segs) {
			end = segs[seg+1].from
		}
		if lam := segs[seg].lam; lam > 0 {
			// g < float64(end-from) implies from+g < end: no overflow.
			if g := math.Floor(s.rng.ExpFloat64() / lam); g < float64(end-from) {
				return from + snnsim.Time(g), seg
			}
		}
		if end == snnsim.Never {
			return snnsim.Never, seg
		}
		from = end
	}
}

// down restores the heap order below i.
func (s *poissonSource) down(i int) {
	h := s.heap
	n := len(h)
	if i >= n {
		return
	}
	e := h[i]
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if r := c + 1; r < n && less(h[r], h[c]) {
			c = r
		}
		if !less(h[c], e) {
			break
		}
		h[i] = h[c]
		i = c
	}
	h[i] = e
}

// SetRate replaces the schedule from tick t on with the constant rate
// [Hz], and redraws every member's next spike from t: the process being
// memoryless, this is exact. See [RateSetter].
func (s *poissonSource) SetRate(t snnsim.Time, rate float64) error {
	if !(rate >= 0) || math.IsInf(rate, 0) {
		return fmt.Errorf("source: poisson: SetRate(%g Hz): the rate must be finite and >= 0", rate)
	}
	if len(s.heap) > 0 && s.heap[0].t < t {
		return fmt.Errorf("source: poisson: SetRate at tick %d: a spike at tick %d has not been fired yet", t, s.heap[0].t)
	}
	k := sort.Search(len(s.segs), func(i int) bool { return s.segs[i].from > t }) // segments starting after t go
	s.segs = append(s.segs[:k:k], segment{from: t, lam: rate * s.dt / 1000})
	s.heap = s.heap[:0]
	for i := range s.n {
		if nt, seg := s.draw(t, len(s.segs)-1); nt != snnsim.Never {
			s.heap = append(s.heap, poissonEntry{t: nt, m: int32(i), seg: int32(seg)})
		}
	}
	for i := len(s.heap)/2 - 1; i >= 0; i-- {
		s.down(i)
	}
	return nil
}

func less(a, b poissonEntry) bool {
	return a.t < b.t || (a.t == b.t && a.m < b.m)
}

// AppendState appends the schedule (which SetRate may have changed) and
// every member's pending spike. See [checkpoint.Stater]; the random stream is not
// included.
//
// Payload (version 1): n, resolution [ms], the segments (count, then from
// and rate·dt of each), the heap (count, then tick, member and segment of
// each entry, in heap order).
func (s *poissonSource) AppendState(b []byte) []byte {
	b, start := checkpoint.Begin(b, tagPoisson, stateVersion)
	b = checkpoint.PutI64(b, int64(s.n))
	b = checkpoint.PutF64(b, s.dt)
	b = checkpoint.PutI64(b, int64(len(s.segs)))
	for _, g := range s.segs {
		b = checkpoint.PutI64(b, int64(g.from))
		b = checkpoint.PutF64(b, g.lam)
	}
	b = checkpoint.PutI64(b, int64(len(s.heap)))
	for _, e := range s.heap {
		b = checkpoint.PutI64(b, int64(e.t))
		b = checkpoint.PutU32(b, uint32(e.m))
		b = checkpoint.PutU32(b, uint32(e.seg))
	}
	return checkpoint.End(b, start)
}

// RestoreState restores a state written by AppendState of a Poisson source
// of the same size and resolution. See [checkpoint.Stater].
func (s *poissonSource) RestoreState(b []byte) ([]byte, error) {
	payload, rest, err := codec.Open(b, tagPoisson, stateVersion)
	if err != nil {
		return nil, err
	}
	d := checkpoint.Decoder{B: payload, C: &codec}
	n, dt := d.I64(), d.F64()
	if d.Short {
		return nil, d.Done(tagPoisson)
	}
	if n != int64(s.n) {
		return nil, codec.Mismatchf("poisson state for %d members, this source has %d", n, s.n)
	}
	if math.Float64bits(dt) != math.Float64bits(s.dt) {
		return nil, codec.Mismatchf("poisson state at resolution %g ms, this source has %g ms", dt, s.dt)
	}
	ns, _ := d.Count(16)
	segs := make([]segment, ns)
	for k := range segs {
		segs[k] = segment{from: snnsim.Time(d.I64()), lam: d.F64()}
		if g := segs[k]; !(g.lam >= 0) || math.IsInf(g.lam, 0) || (k > 0 && g.from < segs[k-1].from) {
			return nil, codec.Corruptf("poisson segment %d (from tick %d, rate·dt %g) breaks the schedule", k, g.from, g.lam)
		}
	}
	if !d.Short && ns == 0 {
		return nil, codec.Corruptf("poisson state has no rate segment")
	}
	nh, _ := d.Count(16)
	if nh > s.n {
		return nil, codec.Corruptf("poisson state has %d pending spikes for %d members", nh, s.n)
	}
	heap := make([]poissonEntry, nh, s.n)
	seen := make([]bool, s.n)
	for k := range heap {
		e := poissonEntry{t: snnsim.Time(d.I64()), m: int32(d.U32()), seg: int32(d.U32())}
		if d.Short {
			break
		}
		if e.m < 0 || int(e.m) >= s.n || seen[e.m] {
			return nil, codec.Corruptf("poisson pending spike %d: member %d is out of range or repeated", k, e.m)
		}
		seen[e.m] = true
		end := snnsim.Never
		if e.seg >= 0 && int(e.seg)+1 < ns {
			end = segs[e.seg+1].from
		}
		if e.seg < 0 || int(e.seg) >= ns || e.t < 0 || e.t < segs[e.seg].from || e.t >= end {
			return nil, codec.Corruptf("poisson pending spike %d: tick %d is not in segment %d", k, e.t, e.seg)
		}
		if k > 0 && less(e, heap[(k-1)/2]) {
			return nil, codec.Corruptf("poisson pending spike %d breaks the heap order", k)
		}
		heap[k] = e
	}
	if err := d.Done(tagPoisson); err != nil {
		return nil, err
	}
	s.segs, s.heap = segs, heap
	return rest, nil
}
