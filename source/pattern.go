package source

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
)

func init() {
	models.Register("pattern", func() Params { p := DefaultPattern(); return &p })
}

var (
	_ Params            = Pattern{}
	_ Source            = (*patternSource)(nil)
	_ Switcher          = (*patternSource)(nil)
	_ checkpoint.Stater = (*patternSource)(nil)
)

// PatternPhase holds the parameters of a pattern source from one time on:
// the top-level keys of a pattern source's params, and each table of its
// phases list.
//
//	name              default  unit  meaning
//	at                0        ms    when these parameters take effect (top level: silent before)
//	background        5 Hz     Hz    rate of every member at all times, >= 0
//	rate              25 Hz    Hz    extra rate of each member of the pattern that is on, >= 0
//	file              ""             an Auryn .pat file, read by the scenario into patterns and gammas
//	patterns          []             the patterns: lists of member indices (0 <= index < n), no repeats
//	gammas            []             per pattern, per member intensity >= 0; empty: 1 for every member
//	binary            true           members get rate regardless of gamma (Auryn's binary_patterns)
//	first             10 s     ms    from at to the first onset, >= 0
//	on                1 s      ms    mean presentation length, >= 0
//	off               2 s      ms    mean pause between presentations, >= 0
//	random_intervals  true           on ~ Normal(on, on/3) clipped at 0, off ~ Exp(mean off);
//	                                 false: exactly on and off
//	probabilities     []             relative frequency of each pattern, >= 0, not all 0; empty: uniform
type PatternPhase struct {
	At              float64     `toml:"at" unit:"ms"`         // start of the phase [ms]
	Background      float64     `toml:"background" unit:"Hz"` // rate of every member [Hz]
	Rate            float64     `toml:"rate" unit:"Hz"`       // extra rate of the pattern's members [Hz]
	File            string      `toml:"file"`                 // the .pat file the patterns came from
	Patterns        [][]int     `toml:"patterns"`             // member indices of each pattern
	Gammas          [][]float64 `toml:"gammas"`               // intensity of each member, or empty for all 1
	Binary          bool        `toml:"binary"`               // ignore Gammas
	First           float64     `toml:"first" unit:"ms"`      // from At to the first onset [ms]
	On              float64     `toml:"on" unit:"ms"`         // mean presentation [ms]
	Off             float64     `toml:"off" unit:"ms"`        // mean pause [ms]
	RandomIntervals bool        `toml:"random_intervals"`     // draw on and off lengths
	Probabilities   []float64   `toml:"probabilities"`        // relative frequency of each pattern
}

// Pattern is a population of Poisson sources on which patterns are
// presented at random intervals: the StimulusGroup of Auryn (Zenke &
// Gerstner 2014, Front. Neuroinform. 8:76) as Zenke, Agnes & Gerstner (2015,
// Nat. Commun. 6:6922) drive their network with it, 4096 inputs on a 64×64
// grid showing one of four shapes at a time.
//
// Every member fires as a Poisson process at background, at all times. While
// pattern k is on, each of its members fires at background + rate (binary)
// or background + rate·gamma, the stimulus adding to the background as in
// Auryn's background_during_stimulus mode. On the tick grid a member fires
// in a tick with probability 1 - exp(-r·dt), as a Poisson source does, r
// being the rate in force at that tick; a rate change redraws the pending
// spikes of the members whose rate changed (the process is memoryless, so
// this is exact).
//
// The schedule restarts at the start of every phase (at): nothing is on
// until at + first (Auryn's set_next_action_time, 10 s in the authors'
// scripts); then presentations and pauses alternate. At each onset one
// pattern is drawn with the given probabilities (uniform by default; with
// replacement, so a pattern can follow itself), and the presentation lasts
// Normal(on, on/3) clipped at 0; a pause lasts Exp(mean off). Lengths are
// rounded to the nearest tick; a length of 0 ticks switches twice in one
// tick. A pattern on when the next phase starts is switched off there. The
// top level is the first phase; each table of phases is a later one, with
// at strictly increasing; keys it leaves out keep the previous phase's
// values (the scenario decoder copies them), so
//
//	phases = [{ at = "1200 s", on = "0.2 s", off = "5 s" },
//	          { at = "1800 s", file = "shapes_cues.pat", rate = "50 Hz" }]
//
// is the authors' protocol of learning, shorter presentations, then cues.
// The network keeps its state across phases: they are parameters of one run.
//
// Two random streams: the spikes are drawn from the source's stream, the
// schedule (onsets, lengths, choices) from a second stream seeded from it
// when the source is built, so the schedule depends on the seed and the
// schedule's parameters only, not on the rates.
//
// Every onset and offset is reported through [Switcher], and the engine
// writes it to the log as a mark, so that measures of recall find the
// presentations in the log alone. Checked by TestPatternRates,
// TestPatternSchedule, TestPatternStateResume.
type Pattern struct {
	PatternPhase
	Phases []PatternPhase `toml:"phases"` // later phases
}

// DefaultPattern returns the defaults of the table above: the background
// and stimulus rates and the 1 s / 2 s schedule of the first phase of
// Zenke et al. (2015), with no patterns.
func DefaultPattern() Pattern {
	return Pattern{PatternPhase: PatternPhase{
		Background: 5, Rate: 25, Binary: true, First: 10e3, On: 1e3, Off: 2e3, RandomIntervals: true,
	}}
}

// Model returns "pattern".
func (Pattern) Model() string { return "pattern" }

// AllPhases returns the top-level phase followed by the phases list.
func (p Pattern) AllPhases() []PatternPhase {
	return append([]PatternPhase{p.PatternPhase}, p.Phases...)
}

// Validate checks every phase: times finite and >= 0, at strictly
// increasing, rates finite and >= 0, gammas of the patterns' shapes,
// members >= 0 and not repeated within a pattern, one probability per
// pattern, and a schedule that moves on (on or off > 0).
func (p Pattern) Validate() error {
	c := checkParams("pattern", p)
	for k, ph := range p.AllPhases() {
		key := func(name string) string {
			if k == 0 {
				return name
			}
			return fmt.Sprintf("phases[%d].%s", k-1, name)
		}
		c.NonNegative(key("at"), ph.At)
		if k > 0 && c.OK() {
			prev := p.AllPhases()[k-1].At
			if !(ph.At > prev) {
				c.Failf(key("at"), ph.At, "must be after the previous phase's at = %g ms: list the phases in time order", prev)
			}
		}
		c.NonNegative(key("background"), ph.Background)
		c.NonNegative(key("rate"), ph.Rate)
		c.NonNegative(key("first"), ph.First)
		c.NonNegative(key("on"), ph.On)
		c.NonNegative(key("off"), ph.Off)
		if len(ph.Patterns) > 0 && ph.On == 0 && ph.Off == 0 && c.OK() {
			c.Failf(key("on"), ph.On, "and off are both 0: the schedule would switch forever in one tick; give on or off a length")
		}
		for i, pat := range ph.Patterns {
			seen := make(map[int]bool, len(pat))
			for j, m := range pat {
				if m < 0 || m > math.MaxInt32 {
					c.Failf(fmt.Sprintf("%s[%d][%d]", key("patterns"), i, j), m, "must be a member index >= 0")
				} else if seen[m] {
					c.Failf(fmt.Sprintf("%s[%d][%d]", key("patterns"), i, j), m, "repeats a member of pattern %d: list each member once", i)
				}
				seen[m] = true
			}
		}
		if len(ph.Gammas) > 0 {
			if len(ph.Gammas) != len(ph.Patterns) {
				c.Failf(key("gammas"), nil, "has %d patterns and patterns has %d: give one list of gammas per pattern, or none", len(ph.Gammas), len(ph.Patterns))
			}
			for i := 0; i < len(ph.Gammas) && c.OK(); i++ {
				if len(ph.Gammas[i]) != len(ph.Patterns[i]) {
					c.Failf(fmt.Sprintf("%s[%d]", key("gammas"), i), nil, "has %d entries and pattern %d has %d members: give one gamma per member", len(ph.Gammas[i]), i, len(ph.Patterns[i]))
				}
				for j, g := range ph.Gammas[i] {
					c.NonNegative(fmt.Sprintf("%s[%d][%d]", key("gammas"), i, j), g)
				}
			}
		}
		if len(ph.Probabilities) > 0 {
			if len(ph.Probabilities) != len(ph.Patterns) {
				c.Failf(key("probabilities"), nil, "has %d entries and patterns has %d: give one per pattern, or none for uniform", len(ph.Probabilities), len(ph.Patterns))
			}
			sum := 0.0
			for i, q := range ph.Probabilities {
				c.NonNegative(fmt.Sprintf("%s[%d]", key("probabilities"), i), q)
				sum += q
			}
			if c.OK() && !(sum > 0 && !math.IsInf(sum, 0)) {
				c.Failf(key("probabilities"), nil, "sum to %g: at least one must be > 0", sum)
			}
		}
	}
	return c.Err()
}

// New returns the source for n members. It validates p first and checks
// the members against n; times are rounded to the nearest tick, and two
// phases that start on the same tick are an error.
func (p Pattern) New(n int, clock snnsim.Clock, rng *rand.Rand) (Source, error) {
	const m = "pattern"
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := checkNew(m, n, clock); err != nil {
		return nil, err
	}
	if rng == nil {
		return nil, fmt.Errorf("source: pattern: no random stream: New needs rng")
	}
	s := &patternSource{n: n, dt: clock.DT, rng: rng, phase: -1, active: -1, next: snnsim.Never}
	lam := func(hz float64) float64 { return hz * clock.DT / 1000 }
	for k, ph := range p.AllPhases() {
		prefix := ""
		if k > 0 {
			prefix = fmt.Sprintf("phases[%d].", k-1)
		}
		at, err := tickOf(m, prefix+"at", ph.At, clock)
		if err != nil {
			return nil, err
		}
		if k > 0 && at == s.phases[k-1].at {
			return nil, bad(m, prefix+"at", ph.At, "ms", fmt.Sprintf("falls on the same tick as the previous phase at resolution %g ms", clock.DT))
		}
		first, err := tickOf(m, prefix+"first", ph.First, clock)
		if err != nil {
			return nil, err
		}
		c := compiledPhase{at: at, first: first, bg: lam(ph.Background), on: ph.On / clock.DT, off: ph.Off / clock.DT, random: ph.RandomIntervals}
		for i, pat := range ph.Patterns {
			cp := compiledPattern{members: make([]int32, len(pat)), extra: make([]float64, len(pat))}
			for j, mem := range pat {
				if mem >= n {
					return nil, bad(m, fmt.Sprintf("%spatterns[%d][%d]", prefix, i, j), mem, "", fmt.Sprintf("is not a member: the population has %d (0..%d)", n, n-1))
				}
				cp.members[j] = int32(mem)
				g := 1.0
				if !ph.Binary && len(ph.Gammas) > 0 {
					g = ph.Gammas[i][j]
				}
				cp.extra[j] = lam(ph.Rate * g)
			}
			c.patterns = append(c.patterns, cp)
		}
		if len(ph.Probabilities) > 0 {
			sum := 0.0
			for _, q := range ph.Probabilities {
				sum += q
			}
			acc := 0.0
			for _, q := range ph.Probabilities {
				acc += q / sum
				c.cum = append(c.cum, acc)
			}
		}
		s.phases = append(s.phases, c)
	}
	s.sched = rand.NewPCG(rng.Uint64(), rng.Uint64())
	s.order = rand.New(s.sched)
	s.pend = make([]snnsim.Time, n)
	s.lam = make([]float64, n)
	for i := range s.pend {
		s.pend[i] = snnsim.Never
	}
	s.heap = make([]patternEntry, 0, n)
	s.next = s.phases[0].at // Fire enters the first phase there
	return s, nil
}

// compiledPhase is a phase on the tick grid.
type compiledPhase struct {
	at, first snnsim.Time
	bg        float64 // background rate·dt
	on, off   float64 // mean lengths [ticks]
	random    bool
	patterns  []compiledPattern
	cum       []float64 // cumulative probabilities; nil: uniform
}

// compiledPattern is a pattern's members and each one's extra rate·dt.
type compiledPattern struct {
	members []int32
	extra   []float64
}

// patternEntry is a member's pending spike; the heap orders by (t, m).
type patternEntry struct {
	t snnsim.Time
	m int32
}

// patternSource keeps every member's pending spike (pend, Never for none)
// and a min-heap of them, rebuilt whenever rates change.
type patternSource struct {
	n      int
	dt     float64
	phases []compiledPhase
	rng    *rand.Rand // spikes
	sched  *rand.PCG  // schedule, saved with the state
	order  *rand.Rand // draws from sched

	phase  int         // index of the phase in force, -1 before the first
	active int         // pattern on, -1 for none
	next   snnsim.Time // next schedule action (a switch or a phase start)
	pend   []snnsim.Time
	lam    []float64 // rate·dt of each member now
	extra  []float64 // scratch for rates, all 0 between calls
	heap   []patternEntry

	switches []Switch // made by the last Fire, not yet taken
}

func (s *patternSource) Len() int { return s.n }

func (s *patternSource) Next() snnsim.Time {
	if len(s.heap) > 0 && s.heap[0].t < s.next {
		return s.heap[0].t
	}
	return s.next
}

// Fire applies the schedule actions due at t, then pops every member due
// at t in (t, m) order, drawing its next spike.
func (s *patternSource) Fire(t snnsim.Time, fired []int32) []int32 {
	next := s.Next()
	if next > t {
		return fired
	}
	if next < t {
		fireLate("pattern", t, next)
	}
	if s.next == t {
		s.act(t)
	}
	for len(s.heap) > 0 && s.heap[0].t == t {
		e := &s.heap[0]
		fired = append(fired, e.m)
		nt := s.draw(t+1, s.lam[e.m])
		s.pend[e.m] = nt
		if nt == snnsim.Never {
			last := len(s.heap) - 1
			s.heap[0] = s.heap[last]
			s.heap = s.heap[:last]
		} else {
			e.t = nt
		}
		s.down(0)
	}
	return fired
}

// draw returns the first tick >= from at which a member of rate·dt lam
// spikes: from + floor(E/lam), E ~ Exp(1) (see poissonSource.draw).
func (s *patternSource) draw(from snnsim.Time, lam float64) snnsim.Time {
	if !(lam > 0) {
		return snnsim.Never
	}
	g := math.Floor(s.rng.ExpFloat64() / lam)
	if g >= float64(snnsim.Never-from) {
		return snnsim.Never
	}
	return from + snnsim.Time(g)
}

// act applies every schedule action due at t, then redraws the members
// whose rate changed, in increasing member order.
func (s *patternSource) act(t snnsim.Time) {
	for s.next == t {
		if s.phase+1 < len(s.phases) && s.phases[s.phase+1].at == t {
			if s.active >= 0 {
				s.switches = append(s.switches, Switch{T: t, Phase: s.phase, Pattern: s.active, On: false})
				s.active = -1
			}
			s.phase++
			s.switches = append(s.switches, Switch{T: t, Phase: s.phase, Pattern: -1})
			s.next = s.after(t, s.phases[s.phase].first)
		} else {
			ph := &s.phases[s.phase]
			if s.active >= 0 {
				s.switches = append(s.switches, Switch{T: t, Phase: s.phase, Pattern: s.active, On: false})
				s.active = -1
				d := ph.off
				if ph.random {
					d = s.order.ExpFloat64() * ph.off
				}
				s.next = s.after(t, snnsim.Time(math.Round(d)))
			} else {
				s.active = s.choose(ph)
				s.switches = append(s.switches, Switch{T: t, Phase: s.phase, Pattern: s.active, On: true})
				d := ph.on
				if ph.random {
					d = max(0, ph.on+ph.on/3*s.order.NormFloat64())
				}
				s.next = s.after(t, snnsim.Time(math.Round(d)))
			}
		}
		if len(s.phases[s.phase].patterns) == 0 {
			s.next = s.nextPhase()
		}
	}
	s.rates(t)
}

// after returns t + d, or the next phase's start if that comes first.
func (s *patternSource) after(t, d snnsim.Time) snnsim.Time {
	at := t + d
	if at < t { // overflow
		at = snnsim.Never
	}
	return min(at, s.nextPhase())
}

// nextPhase returns the start of the phase after the current one, or Never.
func (s *patternSource) nextPhase() snnsim.Time {
	if s.phase+1 < len(s.phases) {
		return s.phases[s.phase+1].at
	}
	return snnsim.Never
}

// choose draws a pattern index: uniform, or by the cumulative probabilities.
func (s *patternSource) choose(ph *compiledPhase) int {
	if ph.cum == nil {
		return s.order.IntN(len(ph.patterns))
	}
	u := s.order.Float64()
	for i, c := range ph.cum {
		if u < c {
			return i
		}
	}
	// Rounding left the last sum just below 1: the last pattern with a
	// non-zero probability.
	for i := len(ph.cum) - 1; i > 0; i-- {
		if ph.cum[i] > ph.cum[i-1] {
			return i
		}
	}
	return 0
}

// rates sets every member's rate for the state after the actions at t and
// redraws, from t, the pending spike of each member whose rate changed.
func (s *patternSource) rates(t snnsim.Time) {
	ph := &s.phases[s.phase]
	changed := false
	set := func(m int32, lam float64) {
		if lam != s.lam[m] {
			s.lam[m] = lam
			s.pend[m] = -1 // redraw below
			changed = true
		}
	}
	var pat *compiledPattern
	if s.active >= 0 {
		pat = &ph.patterns[s.active]
	}
	// Members of the active pattern get their extra rate; every other
	// member the background. Mark first, then redraw in member order.
	if s.extra == nil {
		s.extra = make([]float64, s.n)
	}
	if pat != nil {
		for j, m := range pat.members {
			s.extra[m] = pat.extra[j]
		}
	}
	for m := range int32(s.n) {
		set(m, ph.bg+s.extra[m])
	}
	if pat != nil {
		for _, m := range pat.members {
			s.extra[m] = 0
		}
	}
	if !changed {
		return
	}
	s.heap = s.heap[:0]
	for m := range int32(s.n) {
		if s.pend[m] == -1 {
			s.pend[m] = s.draw(t, s.lam[m])
		}
		if s.pend[m] != snnsim.Never {
			s.heap = append(s.heap, patternEntry{t: s.pend[m], m: m})
		}
	}
	s.heapify()
}

func (s *patternSource) heapify() {
	for i := len(s.heap)/2 - 1; i >= 0; i-- {
		s.down(i)
	}
}

func lessPattern(a, b patternEntry) bool { return a.t < b.t || (a.t == b.t && a.m < b.m) }

// down restores the heap order below i.
func (s *patternSource) down(i int) {
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
		if r := c + 1; r < n && lessPattern(h[r], h[c]) {
			c = r
		}
		if !lessPattern(h[c], e) {
			break
		}
		h[i] = h[c]
		i = c
	}
	h[i] = e
}

// Switch is a change of a pattern source's schedule at tick T: pattern
// Pattern of phase Phase going on or off, or, with Pattern = -1, phase
// Phase starting.
type Switch struct {
	T       snnsim.Time
	Phase   int
	Pattern int
	On      bool
}

// Switcher is implemented by sources with a stimulus schedule (pattern).
// After each Fire the engine takes the switches that Fire made, in order,
// and writes them to the log as marks.
type Switcher interface {
	// TakeSwitches appends the switches made since the last call to dst
	// and returns it.
	TakeSwitches(dst []Switch) []Switch
}

func (s *patternSource) TakeSwitches(dst []Switch) []Switch {
	dst = append(dst, s.switches...)
	s.switches = s.switches[:0]
	return dst
}

// tagPattern tags the frame of a pattern source's state.
const tagPattern = "source/pattern"

// AppendState appends the schedule's position, its random stream and every
// member's pending spike. See [checkpoint.Stater]; the spike stream is the
// engine's.
//
// Payload (version 1): n, resolution [ms], number of phases, phase, active
// pattern, next action tick, the schedule PCG (its MarshalBinary bytes,
// length first), then per member the pending tick.
func (s *patternSource) AppendState(b []byte) []byte {
	b, start := checkpoint.Begin(b, tagPattern, stateVersion)
	b = checkpoint.PutI64(b, int64(s.n))
	b = checkpoint.PutF64(b, s.dt)
	b = checkpoint.PutI64(b, int64(len(s.phases)))
	b = checkpoint.PutI64(b, int64(s.phase))
	b = checkpoint.PutI64(b, int64(s.active))
	b = checkpoint.PutI64(b, int64(s.next))
	pcg, _ := s.sched.MarshalBinary() // never fails
	b = checkpoint.PutI64(b, int64(len(pcg)))
	b = append(b, pcg...)
	for _, t := range s.pend {
		b = checkpoint.PutI64(b, int64(t))
	}
	return checkpoint.End(b, start)
}

// RestoreState restores a state written by AppendState of a pattern source
// with the same size, resolution and number of phases. See
// [checkpoint.Stater].
func (s *patternSource) RestoreState(b []byte) ([]byte, error) {
	payload, rest, err := codec.Open(b, tagPattern, stateVersion)
	if err != nil {
		return nil, err
	}
	d := checkpoint.Decoder{B: payload, C: &codec}
	n, dt, np := d.I64(), d.F64(), d.I64()
	if d.Short {
		return nil, d.Done(tagPattern)
	}
	if n != int64(s.n) {
		return nil, codec.Mismatchf("pattern state for %d members, this source has %d", n, s.n)
	}
	if math.Float64bits(dt) != math.Float64bits(s.dt) {
		return nil, codec.Mismatchf("pattern state at resolution %g ms, this source has %g ms", dt, s.dt)
	}
	if np != int64(len(s.phases)) {
		return nil, codec.Mismatchf("pattern state for %d phases, this source has %d", np, len(s.phases))
	}
	phase, active, next := d.I64(), d.I64(), snnsim.Time(d.I64())
	lp := d.I64()
	if d.Short {
		return nil, d.Done(tagPattern)
	}
	if phase < -1 || phase >= np {
		return nil, codec.Corruptf("pattern state in phase %d of %d", phase, np)
	}
	npat := 0
	if phase >= 0 {
		npat = len(s.phases[phase].patterns)
	}
	if active < -1 || active >= int64(npat) || (phase < 0 && active != -1) {
		return nil, codec.Corruptf("pattern state with pattern %d on in phase %d", active, phase)
	}
	// The next action must be one act can take: the first phase's start
	// before it, the next phase's start in a phase without patterns, and
	// never past the next phase's start.
	limit := snnsim.Never
	if int(phase)+1 < len(s.phases) {
		limit = s.phases[phase+1].at
	}
	switch {
	case phase < 0 && next != s.phases[0].at:
		return nil, codec.Corruptf("pattern state before the first phase with its next action at tick %d, not %d", next, s.phases[0].at)
	case phase >= 0 && npat == 0 && next != limit:
		return nil, codec.Corruptf("pattern state in phase %d (no patterns) with its next action at tick %d, not %d", phase, next, limit)
	case phase >= 0 && (next > limit || next < 0):
		return nil, codec.Corruptf("pattern state with its next action at tick %d, after the next phase (tick %d)", next, limit)
	}
	if lp < 0 || lp > 64 || int64(len(d.B)) < lp {
		return nil, codec.Corruptf("pattern state: schedule stream of %d bytes", lp)
	}
	sched := new(rand.PCG)
	if err := sched.UnmarshalBinary(d.B[:lp]); err != nil {
		return nil, codec.Corruptf("pattern state: schedule stream: %v", err)
	}
	d.B = d.B[lp:]
	pend := make([]snnsim.Time, s.n)
	for i := range pend {
		pend[i] = snnsim.Time(d.I64())
		if !d.Short && pend[i] < 0 {
			return nil, codec.Corruptf("pattern state: member %d pending at tick %d", i, pend[i])
		}
	}
	if err := d.Done(tagPattern); err != nil {
		return nil, err
	}
	s.phase, s.active, s.next, s.pend = int(phase), int(active), next, pend
	s.sched = sched
	s.order = rand.New(sched)
	s.switches = s.switches[:0]
	// The rates follow from the phase and the active pattern.
	for i := range s.lam {
		s.lam[i] = 0
	}
	if s.phase >= 0 {
		ph := &s.phases[s.phase]
		for i := range s.lam {
			s.lam[i] = ph.bg
		}
		if s.active >= 0 {
			pat := &ph.patterns[s.active]
			for j, m := range pat.members {
				s.lam[m] += pat.extra[j]
			}
		}
	}
	s.heap = s.heap[:0]
	for m, t := range s.pend {
		if t != snnsim.Never {
			s.heap = append(s.heap, patternEntry{t: t, m: int32(m)})
		}
	}
	s.heapify()
	return rest, nil
}

// PatternFileError is a defect of a pattern file, located by its line
// (1-based) and, when it concerns one field, its column (1-based byte
// offset in the line; 0 for the whole line).
type PatternFileError struct {
	Line, Column int
	Msg          string
}

func (e *PatternFileError) Error() string {
	if e.Column > 0 {
		return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
}

// maxPatternLine bounds a line of a pattern file; Auryn's reader takes 255
// bytes, so a longer line is not one Auryn wrote.
const maxPatternLine = 1 << 16

// ReadPatterns reads a pattern file in Auryn's format (the format of
// StimulusGroup::load_patterns, Zenke & Gerstner 2014): patterns separated
// by one or more blank lines; lines starting with # are comments (they do
// not end a pattern); every other line is "index [gamma]", a member index
// >= 0 and an optional intensity >= 0 (default 1), separated by blanks.
// It returns each pattern's members in file order and their gammas. A line
// that is not of that form, or an index repeated within a pattern, is
// refused with a [*PatternFileError] naming the line and column.
func ReadPatterns(r io.Reader) (patterns [][]int, gammas [][]float64, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxPatternLine)
	var cur []int
	var curG []float64
	seen := map[int]int{} // member -> line, in the current pattern
	flush := func() {
		if len(cur) > 0 {
			patterns = append(patterns, cur)
			gammas = append(gammas, curG)
			cur, curG = nil, nil
			clear(seen)
		}
	}
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSuffix(sc.Text(), "\r")
		trimmed := strings.TrimLeft(text, " \t")
		switch {
		case trimmed == "":
			flush()
			continue
		case strings.HasPrefix(text, "#"):
			continue
		}
		fields, cols := splitFields(text)
		if len(fields) > 2 {
			return nil, nil, &PatternFileError{Line: line, Column: cols[2], Msg: fmt.Sprintf("%q: a line holds an index and an optional gamma, nothing more", fields[2])}
		}
		idx, perr := strconv.ParseInt(fields[0], 10, 32)
		if perr != nil || idx < 0 {
			return nil, nil, &PatternFileError{Line: line, Column: cols[0], Msg: fmt.Sprintf("%q is not a member index: it must be an integer >= 0", fields[0])}
		}
		g := 1.0
		if len(fields) == 2 {
			g, perr = strconv.ParseFloat(fields[1], 64)
			if perr != nil || !(g >= 0) || math.IsInf(g, 0) {
				return nil, nil, &PatternFileError{Line: line, Column: cols[1], Msg: fmt.Sprintf("%q is not a gamma: it must be a finite number >= 0", fields[1])}
			}
		}
		if prev, ok := seen[int(idx)]; ok {
			return nil, nil, &PatternFileError{Line: line, Column: cols[0], Msg: fmt.Sprintf("member %d is already in this pattern (line %d)", idx, prev)}
		}
		seen[int(idx)] = line
		cur = append(cur, int(idx))
		curG = append(curG, g)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, nil, &PatternFileError{Line: line + 1, Msg: fmt.Sprintf("line longer than %d bytes", maxPatternLine)}
		}
		return nil, nil, fmt.Errorf("line %d: %w", line+1, err)
	}
	flush()
	return patterns, gammas, nil
}

// splitFields splits a line at blanks and tabs and returns the fields with
// their 1-based columns.
func splitFields(s string) (fields []string, cols []int) {
	i := 0
	for i < len(s) {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		j := i
		for j < len(s) && s[j] != ' ' && s[j] != '\t' {
			j++
		}
		if j > i {
			fields = append(fields, s[i:j])
			cols = append(cols, i+1)
		}
		i = j
	}
	return fields, cols
}

// WritePatterns writes patterns in Auryn's format, one member a line
// ("index" or, with gammas, "index gamma"), patterns separated by a blank
// line. gammas may be nil.
func WritePatterns(w io.Writer, patterns [][]int, gammas [][]float64) error {
	bw := bufio.NewWriter(w)
	for i, pat := range patterns {
		if i > 0 {
			bw.WriteString("\n")
		}
		for j, m := range pat {
			if gammas != nil {
				fmt.Fprintf(bw, "%d %s\n", m, strconv.FormatFloat(gammas[i][j], 'g', -1, 64))
			} else {
				fmt.Fprintf(bw, "%d\n", m)
			}
		}
	}
	return bw.Flush()
}
