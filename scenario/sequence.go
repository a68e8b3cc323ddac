package scenario

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/snnsim/snnsim"
)

// SequenceSpec is the [sequence] table: a sequential-memory protocol that
// learns n cell assemblies A1 … An of one population one after another
// and then cues each from a part of its neurons (Luboeinski & Tetzlaff
// 2022 learn several overlapping assemblies in one network; see the
// package doc, Sequences). Decoding expands it into ordinary groups,
// stimuli and fast-forward phases, named after Name, which the rest of
// the scenario may refer to.
type SequenceSpec struct {
	Name       string  // prefix of the generated names: groups A1 … An, cues A1_cue …
	Population string  // the population the assemblies are drawn from
	N          int     // number of assemblies
	Size       int     // neurons per assembly
	Overlap    float64 // fraction of each assembly's neurons shared with earlier ones, in [0, 1)
	Layout     string  // "chain" or "random"
	First      int     // chain: the first member of A1

	Learn    float64 // onset of A1's first learning pulse [ms]
	Interval float64 // from one assembly's learning onset to the next one's [ms]
	Pulses   int     // learning pulses per assembly
	Every    float64 // onset to onset of consecutive learning pulses [ms]

	// The pulse: an ou_current of this mean, s.d. and correlation time
	// [pA, pA, ms] lasting Width [ms], for learning and for the cues.
	Mean, Sigma, Tau, Width float64

	Recall      []float64 // onsets of the recall blocks [ms]
	Spacing     float64   // within a block, from one cue's onset to the next one's [ms]
	CueFraction float64   // the part of each assembly that a cue stimulates, in (0, 1]
	CuePick     string    // "random" or "first" (see GroupSpec.Pick)
	FastForward bool      // fast-forward between the spiking stretches
	After       float64   // spiking kept after each stretch's last pulse ends [ms]
	Before      float64   // spiking resumed before each stretch's first pulse [ms]
	// TaskBoundary is the time from the end of an assembly's last learning
	// pulse to the end of its task [ms] (see Sequences in the package
	// doc); TaskLevel is set when the sequence made the level "task".
	TaskBoundary float64
	TaskLevel    bool
	firstGroup   int // index in Scenario.Groups of A1
	firstStim    int // index in Scenario.Stimuli of the first generated stimulus
	firstPhase   int // index in Scenario.Phases of the first generated phase
	firstMod     int // index in Scenario.Neuromodulators of the generated level
}

// TaskLevelName is the level that marks task boundaries ("task"), which
// a [sequence] makes for a consolidation model that reads it.
const TaskLevelName = "task"

// defaultTaskBoundary is the end of an assembly's task after the end of its
// last learning pulse without fast_forward: the margin of spiking that
// Luboeinski & Tetzlaff (2021) keep after learning.
const defaultTaskBoundary = 10250.0

// Sequence layouts.
const (
	LayoutChain  = "chain"  // consecutive blocks of the population; consecutive assemblies share round(overlap·size) neurons
	LayoutRandom = "random" // each assembly: round(overlap·size) neurons drawn from the earlier assemblies, the rest from neurons in none
)

var sequenceLayouts = []string{LayoutChain, LayoutRandom}

// maxSequenceStimuli bounds the stimuli a [sequence] generates.
const maxSequenceStimuli = 1 << 20

// SequenceAssembly is one assembly of a sequence and its readout times:
// the centres of the windows in which the recall measures of Luboeinski &
// Tetzlaff (2021) compare its learning and its recall.
type SequenceAssembly struct {
	Name    string    // the assembly's group
	Cue     string    // its cue's group
	Index   int       // 1 for A1
	Learn   float64   // centre of the learning window: onset of the last learning pulse [ms]
	Recalls []float64 // centres of its recall windows: end of each of its cue pulses [ms]
}

// SequenceReadout lists the assemblies of the scenario's [sequence] with
// their learning and recall times, in order; nil without one.
func (s *Scenario) SequenceReadout() []SequenceAssembly {
	q := s.Sequence
	if q == nil {
		return nil
	}
	var out []SequenceAssembly
	for i := range q.N {
		a := SequenceAssembly{Name: q.assembly(i), Cue: q.assembly(i) + "_cue", Index: i + 1,
			Learn: q.learnOnset(i) + float64(q.Pulses-1)*q.Every}
		for _, c := range q.cues() {
			if c.i == i {
				a.Recalls = append(a.Recalls, c.at+q.Width)
			}
		}
		out = append(out, a)
	}
	return out
}

// LearnedBetween is the number of assemblies of the sequence whose
// learning began after a's and before t [ms]: the later memories learned
// by the time of a recall at t.
func (s *Scenario) LearnedBetween(a SequenceAssembly, t float64) int {
	q := s.Sequence
	k := 0
	for i := a.Index; q != nil && i < q.N; i++ {
		if q.learnOnset(i) < t {
			k++
		}
	}
	return k
}

func (q *SequenceSpec) assembly(i int) string { return q.Name + strconv.Itoa(i+1) }

func (q *SequenceSpec) learnOnset(i int) float64 { return q.Learn + float64(i)*q.Interval }

// learnEnd is the end of assembly i's last learning pulse.
func (q *SequenceSpec) learnEnd(i int) float64 {
	return q.learnOnset(i) + float64(q.Pulses-1)*q.Every + q.Width
}

type cue struct {
	i     int     // assembly
	at    float64 // onset [ms]
	first bool    // the first cue of its block
}

// cues lists the cue pulses in time order: in each recall block, every
// assembly whose learning has ended by the block's onset, A1 first.
func (q *SequenceSpec) cues() []cue {
	var out []cue
	for _, r := range q.Recall {
		k := 0
		for i := range q.N {
			if q.learnEnd(i) <= r {
				out = append(out, cue{i, r + float64(k)*q.Spacing, k == 0})
				k++
			}
		}
	}
	return out
}

func (d *decoder) sequence(t *table, s *Scenario) {
	q := &SequenceSpec{Name: "A", Layout: LayoutChain, Pulses: 1, CueFraction: 0.5, CuePick: PickRandom}
	ok := true
	need := func(v bool) {
		if !v {
			ok = false
		}
	}
	if v, has := t.str("name", false); has {
		q.Name = v
		if err := nameError(v); err != nil {
			d.add(t.path("name"), err)
			ok = false
		}
	}
	var has bool
	q.Population, has = t.str("population", true)
	need(has)
	positive := func(key string, required bool) (int, bool) {
		v, has := t.integer(key, required)
		if has && (v < 1 || v > math.MaxInt32) {
			d.errorf(t.path(key), "%d: must be at least 1", v)
			return 0, false
		}
		return int(v), has
	}
	q.N, has = positive("n", true)
	need(has)
	q.Size, has = positive("size", true)
	need(has)
	if v, has := t.quantity("overlap", snnsim.Dimensionless, false); has {
		if !(v >= 0 && v < 1) {
			d.errorf(t.path("overlap"), "%g: the shared fraction must be in [0, 1)", v)
			ok = false
		}
		q.Overlap = v
	}
	if v, has := t.str("layout", false); has {
		if !slices.Contains(sequenceLayouts, v) {
			d.errorf(t.path("layout"), "unknown layout %q%s: use %q (consecutive blocks of the population) or %q (shared neurons drawn from the earlier assemblies)",
				v, didYouMean(v, sequenceLayouts), LayoutChain, LayoutRandom)
			ok = false
		}
		q.Layout = v
	}
	if v, has := t.integer("first", false); has {
		if v < 0 || v > math.MaxInt32 {
			d.errorf(t.path("first"), "%d: must be a neuron index (>= 0)", v)
			ok = false
		}
		if q.Layout != LayoutChain {
			d.errorf(t.path("first"), "first is the first member of A1 in the chain layout; layout %q draws the members at random", q.Layout)
			ok = false
		}
		q.First = int(v)
	}
	q.Learn, has = t.quantity("learn", snnsim.TimeDim, true)
	need(has)
	if v, has := t.quantity("interval", snnsim.TimeDim, q.N > 1); has {
		q.Interval = v
	} else {
		need(q.N <= 1)
	}
	if v, has := positive("pulses", false); has {
		q.Pulses = v
	}
	if v, has := t.quantity("every", snnsim.TimeDim, q.Pulses > 1); has {
		q.Every = v
	} else {
		need(q.Pulses <= 1)
	}
	if pt, has := t.sub("pulse", true); has {
		var okp bool
		q.Mean, okp = pt.quantity("mean", snnsim.Current, true)
		need(okp)
		q.Sigma, okp = pt.quantity("sigma", snnsim.Current, true)
		need(okp)
		q.Tau, okp = pt.quantity("tau", snnsim.TimeDim, true)
		need(okp)
		q.Width, okp = pt.quantity("width", snnsim.TimeDim, true)
		need(okp)
		pt.done()
	} else {
		ok = false
	}
	if v, has := t.get("recall", false); has {
		q.Recall = d.times(t.path("recall"), v)
		need(q.Recall != nil)
	}
	if v, has := t.quantity("spacing", snnsim.TimeDim, len(q.Recall) > 0 && q.N > 1); has {
		q.Spacing = v
	}
	if v, has := t.quantity("cue_fraction", snnsim.Dimensionless, false); has {
		if !(v > 0 && v <= 1) {
			d.errorf(t.path("cue_fraction"), "%g: must be in (0, 1]", v)
			ok = false
		}
		q.CueFraction = v
	}
	if v, has := t.str("cue_pick", false); has {
		q.CuePick = v
	}
	if ft, has := t.sub("fast_forward", false); has {
		q.FastForward = true
		var okf bool
		q.After, okf = ft.quantity("after", snnsim.TimeDim, true)
		need(okf)
		q.Before, okf = ft.quantity("before", snnsim.TimeDim, true)
		need(okf)
		ft.done()
	}
	q.TaskBoundary = defaultTaskBoundary
	if q.FastForward {
		q.TaskBoundary = q.After
	}
	taskKey := t.path("task_boundary")
	if v, has := t.quantity("task_boundary", snnsim.TimeDim, false); has {
		if !(v >= 0) {
			d.errorf(taskKey, "%s: must be >= 0", fmtTime(v))
			ok = false
		}
		q.TaskBoundary = v
	} else if q.FastForward {
		taskKey = t.path("fast_forward.after")
	} else {
		taskKey = t.key
	}
	t.done()
	// Bounds on what the table generates, so that a typo cannot ask for
	// billions of groups and stimuli.
	if ok && q.N > max(d.maxSize, 1) {
		d.errorf(t.path("n"), "%d assemblies: more than the neurons of the largest population (%d)", q.N, d.maxSize)
		ok = false
	}
	if ok && q.N*(q.Pulses+len(q.Recall)) > maxSequenceStimuli {
		d.errorf(t.path("pulses"), "%d assemblies of %d pulses and %d cues each make more than %d stimuli", q.N, q.Pulses, len(q.Recall), maxSequenceStimuli)
		ok = false
	}
	if !ok || !d.sequenceTimes(t, q) {
		return // nothing generated: the table's own errors say why
	}
	s.Sequence = q
	q.expand(s)
	d.sequenceTasks(taskKey, q, s)
}

// sequenceTasks makes the level "task" of the sequence's population when
// a consolidation model there reads it and the file does not set it
// itself: it steps to i at the end of A_i's task, TaskBoundary after the
// end of A_i's last learning pulse, which must come before A_i+1's
// learning.
func (d *decoder) sequenceTasks(key string, q *SequenceSpec, s *Scenario) {
	q.firstMod = len(s.Neuromodulators)
	reads := false
	for _, p := range s.Projections {
		if p != nil && p.To == q.Population && p.Consolidation != nil && slices.Contains(p.Consolidation.Modulators(), TaskLevelName) {
			reads = true
		}
	}
	for _, n := range s.Neuromodulators {
		if n != nil && n.Population == q.Population && n.Name == TaskLevelName {
			return // the file's own boundaries
		}
	}
	if !reads {
		return
	}
	n := &NeuromodulatorSpec{Population: q.Population, Name: TaskLevelName}
	for i := range q.N {
		at := q.learnEnd(i) + q.TaskBoundary
		if i+1 < q.N && !(at < q.learnOnset(i+1)) {
			d.errorf(key, "%s: the task of %s would end at %s, after the learning of %s begins (%s): a shorter task_boundary, or a longer interval",
				fmtTime(q.TaskBoundary), q.assembly(i), fmtTime(at), q.assembly(i+1), fmtTime(q.learnOnset(i+1)))
			return
		}
		n.Schedule = append(n.Schedule, LevelStep{At: at, Level: float64(i + 1)})
	}
	q.TaskLevel = true
	s.Neuromodulators = append(s.Neuromodulators, n)
}

// times decodes one time or an array of times.
func (d *decoder) times(key string, v any) []float64 {
	list, isList := v.([]any)
	if !isList {
		x, ok := d.quantity(key, v, snnsim.TimeDim)
		if !ok {
			return nil
		}
		return []float64{x}
	}
	if len(list) == 0 {
		d.errorf(key, "empty: give one time or a list of times, e.g. [\"20 s\", \"8 h\"]")
		return nil
	}
	out := make([]float64, 0, len(list))
	for i, e := range list {
		x, ok := d.quantity(key+"["+strconv.Itoa(i)+"]", e, snnsim.TimeDim)
		if !ok {
			return nil
		}
		out = append(out, x)
	}
	return out
}

// sequenceTimes checks that the pulses of the sequence fit: they do not
// overlap, the recall blocks do not overlap the learning, and a stretch
// with spiking off has room between the stretches.
func (d *decoder) sequenceTimes(t *table, q *SequenceSpec) bool {
	learnLen := float64(q.Pulses-1)*q.Every + q.Width
	switch {
	case !(q.Width > 0):
		d.errorf(t.path("pulse.width"), "%s: must be > 0", fmtTime(q.Width))
		return false
	case !(q.Learn > 0):
		d.errorf(t.path("learn"), "%s: must be > 0 (tick 0 is the initial state)", fmtTime(q.Learn))
		return false
	case q.Pulses > 1 && !(q.Every >= q.Width):
		d.errorf(t.path("every"), "%s: shorter than a pulse (pulse.width = %s): the learning pulses would overlap", fmtTime(q.Every), fmtTime(q.Width))
		return false
	case q.N > 1 && !(q.Interval > learnLen):
		d.errorf(t.path("interval"), "%s: an assembly's learning lasts %s (pulses, every, pulse.width): the next one must start after it", fmtTime(q.Interval), fmtTime(learnLen))
		return false
	}
	for b, r := range q.Recall {
		key := t.path("recall")
		if len(q.Recall) > 1 {
			key += "[" + strconv.Itoa(b) + "]"
		}
		if b > 0 && !(r > q.Recall[b-1]) {
			d.errorf(key, "%s: the recall blocks must be in increasing order", fmtTime(r))
			return false
		}
		k := 0
		for i := range q.N {
			if q.learnEnd(i) <= r {
				k++
			} else if q.learnOnset(i) < r+float64(max(k-1, 0))*q.Spacing+q.Width {
				d.errorf(key, "%s: the block of cues [%s, %s) overlaps the learning of %s [%s, %s)", fmtTime(r), fmtTime(r),
					fmtTime(r+float64(max(k-1, 0))*q.Spacing+q.Width), q.assembly(i), fmtTime(q.learnOnset(i)), fmtTime(q.learnEnd(i)))
				return false
			}
		}
		if k == 0 {
			d.errorf(key, "%s: before the end of the learning of %s (%s): no assembly to cue", fmtTime(r), q.assembly(0), fmtTime(q.learnEnd(0)))
			return false
		}
		if k > 1 && !(q.Spacing >= q.Width) {
			d.errorf(t.path("spacing"), "%s: shorter than a pulse (pulse.width = %s): the cues would overlap", fmtTime(q.Spacing), fmtTime(q.Width))
			return false
		}
		if b+1 < len(q.Recall) && q.Recall[b+1] < r+float64(k-1)*q.Spacing+q.Width {
			d.errorf(key, "the block of cues from %s lasts until %s, after the next block's onset %s", fmtTime(r), fmtTime(r+float64(k-1)*q.Spacing+q.Width), fmtTime(q.Recall[b+1]))
			return false
		}
	}
	if q.FastForward && (q.After < 0 || q.Before < 0) {
		d.errorf(t.path("fast_forward"), "after and before must be >= 0")
		return false
	}
	return true
}

// stretch is a part of the run with spiking on: a learning or a block of
// cues.
type stretch struct{ from, to float64 }

// expand appends the sequence's groups, stimuli and phases to s.
func (q *SequenceSpec) expand(s *Scenario) {
	q.firstGroup = len(s.Groups)
	for i := range q.N {
		s.Groups = append(s.Groups, &GroupSpec{Name: q.assembly(i), Population: q.Population, seq: q, seqIndex: i})
	}
	for i := range q.N {
		s.Groups = append(s.Groups, &GroupSpec{Name: q.assembly(i) + "_cue", Of: q.assembly(i), Fraction: q.CueFraction, Pick: q.CuePick,
			written: []string{"of", "fraction", "pick"}, seq: q, seqIndex: -1})
	}
	q.firstStim = len(s.Stimuli)
	pulse := func(name, group string, at float64) *StimulusSpec {
		return &StimulusSpec{Name: name, Kind: "ou_current", Group: group, Start: at, Stop: at + q.Width,
			Mean: q.Mean, Sigma: q.Sigma, Tau: q.Tau, Init: q.Mean}
	}
	var spans []stretch
	for i := range q.N {
		for k := range q.Pulses {
			at := q.learnOnset(i) + float64(k)*q.Every
			s.Stimuli = append(s.Stimuli, pulse(q.assembly(i)+"_learn"+strconv.Itoa(k+1), q.assembly(i), at))
		}
		spans = append(spans, stretch{q.learnOnset(i), q.learnEnd(i)})
	}
	// A block of cues is one stretch: the network keeps spiking from one
	// cue to the next, so that each recall window is fully simulated.
	seen := map[int]int{}
	for _, c := range q.cues() {
		seen[c.i]++
		name := q.assembly(c.i) + "_recall"
		if len(q.Recall) > 1 {
			name += strconv.Itoa(seen[c.i])
		}
		s.Stimuli = append(s.Stimuli, pulse(name, q.assembly(c.i)+"_cue", c.at))
		if c.first {
			spans = append(spans, stretch{c.at, c.at})
		}
		spans[len(spans)-1].to = c.at + q.Width
	}
	q.firstPhase = len(s.Phases)
	if !q.FastForward {
		return
	}
	slices.SortFunc(spans, func(a, b stretch) int { return cmpFloat(a.from, b.from) })
	// Merge stretches that the spiking margins join.
	var merged []stretch
	for _, sp := range spans {
		if n := len(merged); n > 0 && sp.from-q.Before <= merged[n-1].to+q.After {
			merged[n-1].to = max(merged[n-1].to, sp.to)
			continue
		}
		merged = append(merged, sp)
	}
	for k := 1; k < len(merged); k++ {
		from, to := merged[k-1].to+q.After, merged[k].from-q.Before
		if to > from {
			s.Phases = append(s.Phases, &PhaseSpec{Name: q.Name + "_ff" + strconv.Itoa(k), Start: from, Stop: to, Mode: "fast_forward"})
		}
	}
}

// members draws the neurons of assembly i (chain: a block; random: from
// the stream group/<name>) given the population size n.
func (q *SequenceSpec) members(seed uint64, i, n int) ([]int, error) {
	shared := int(math.Round(q.Overlap * float64(q.Size)))
	if q.Layout == LayoutChain {
		stride := q.Size - shared
		last := q.First + (q.N-1)*stride + q.Size - 1
		if last >= n {
			return nil, fmt.Errorf("%d assemblies of %d neurons sharing %d with the previous one, from neuron %d, end at neuron %d: %s has %d (0..%d); fewer, smaller or more overlapping assemblies",
				q.N, q.Size, shared, q.First, last, q.Population, n, n-1)
		}
		out := make([]int, q.Size)
		for k := range out {
			out[k] = q.First + i*stride + k
		}
		return out, nil
	}
	if need := q.Size + (q.N-1)*(q.Size-shared); need > n {
		return nil, fmt.Errorf("%d assemblies of %d neurons, each sharing %d with the earlier ones, need %d distinct neurons: %s has %d", q.N, q.Size, shared, need, q.Population, n)
	}
	used := map[int]bool{}
	var usedList []int
	var cur []int
	for j := 0; j <= i; j++ {
		r := snnsim.NewRand(seed, "group/"+q.assembly(j))
		var free []int
		for m := range n {
			if !used[m] {
				free = append(free, m)
			}
		}
		k := shared
		if j == 0 {
			k = 0
		}
		cur = cur[:0]
		for _, x := range r.Perm(len(usedList))[:k] {
			cur = append(cur, usedList[x])
		}
		for _, x := range r.Perm(len(free))[:q.Size-k] {
			cur = append(cur, free[x])
		}
		for _, m := range cur {
			if !used[m] {
				used[m] = true
				usedList = append(usedList, m)
			}
		}
		slices.Sort(usedList)
	}
	out := slices.Clone(cur)
	slices.Sort(out)
	return out, nil
}

// generatedKey maps the key of a generated group, stimulus or phase to
// the [sequence] table, with what it is, for an error message; ok is
// false for a key of the file's own tables.
func (s *Scenario) generatedKey(key string) (string, string, bool) {
	q := s.Sequence
	if q == nil {
		return key, "", false
	}
	for _, g := range []struct {
		prefix string
		first  int
		names  func(int) string
	}{
		{"group", q.firstGroup, func(i int) string { return s.Groups[i].Name }},
		{"stimulus", q.firstStim, func(i int) string { return s.Stimuli[i].Name }},
		{"phase", q.firstPhase, func(i int) string { return s.Phases[i].Name }},
		{"neuromodulator", q.firstMod, func(i int) string { return s.Neuromodulators[i].Name }},
	} {
		if !strings.HasPrefix(key, g.prefix+"[") {
			continue
		}
		end := strings.IndexByte(key, ']')
		i, err := strconv.Atoi(key[len(g.prefix)+1 : end])
		if err != nil || i < g.first {
			return key, "", false
		}
		return "sequence", fmt.Sprintf("the %s %q that [sequence] makes", g.prefix, g.names(i)), true
	}
	return key, "", false
}
