package engine

import (
	"fmt"
	"math"
	"slices"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/consolidation"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/spikelog"
)

// SampleFunc receives the samples of one series: the values at tick t, one
// per sampled neuron (or one for a population rate). The engine calls it
// after tick t has been simulated, in increasing tick order; values is valid
// only during the call. An error stops the run and is returned by Run.
type SampleFunc func(t snnsim.Time, values []float64) error

// Probe describes sampled state of one population.
//
// A "v" probe samples the membrane potential [mV] of Neurons at ticks
// Start, Start+Interval, ... < Stop of each window: the value at tick t is
// the potential after tick t has been simulated (phase 7, after the sinks),
// computed exactly also for neurons at rest, which the engine does not step.
//
// A "rate" probe samples the population rate [Hz] in bins of Interval
// ticks from the start of each window: the value at tick t is the number of
// the population's spikes in ticks [t, t+Interval), divided by its size and
// the bin's length in seconds. A bin that the end of a window cuts short
// covers the ticks up to the end and is divided by its actual length; it is
// delivered after its last tick, so a bin that the end of the run cuts short
// is never delivered.
//
// Sample ticks are events: the engine's jump over quiet periods stops at
// them, and they cost nothing in between. The memory used is one slice of
// values per probe, whatever the length of the run.
//
// A "weights" probe samples the current weights of the chosen Synapses of
// projection Projection (indices into its forward arrays; nil: every
// synapse, the full weight matrix), in the target model's internal weight
// unit, like a "v" probe; Population is ignored.
type Probe struct {
	What       netlist.RecordKind // netlist.RecordV, netlist.RecordRate or netlist.RecordWeights
	Population int                // index into the network's populations
	Neurons    []int              // "v": members, strictly increasing; nil: every member
	Interval   snnsim.Time        // sampling interval or bin [ticks], >= 1
	Windows    []netlist.Window   // increasing and disjoint; nil: the whole run
	Projection int                // "weights": index into the network's projections
	Synapses   []int              // "weights": synapse indices, strictly increasing; nil: every synapse
}

// sampler is an attached Probe and its position.
type sampler struct {
	Probe
	f           SampleFunc
	vals        []float64
	size        float64              // population size, for rates
	window      int                  // index in Windows of the current window
	next        snnsim.Time          // the next sample tick, or the start of the open rate bin
	open        bool                 // rate: the snapshot for the bin starting at next is taken
	countBefore int64                // rate: the population's spike count before tick next
	read        func(vals []float64) // consolidation state and weight records: fills vals (record.go)
	width       int                  // read probes: the number of values, filled into the probe set's shared scratch
}

// probeSet holds the probes of an engine. next is the earliest tick after
// which some probe acts; the run loop tests it after every stepped tick.
type probeSet struct {
	probes  []*sampler
	next    snnsim.Time
	scratch []float64 // the values of read probes: they fire one at a time and a SampleFunc keeps no values
}

// values returns the shared scratch for n values.
func (ps *probeSet) values(n int) []float64 {
	if cap(ps.scratch) < n {
		ps.scratch = make([]float64, n)
	}
	return ps.scratch[:n]
}

// AttachProbe adds a probe whose samples go to f. Samples start at the
// first tick of the probe's grid at or after Now (sample ticks and bins
// already past are skipped), so attach probes before the first Run to
// sample from tick 0.
func (e *Engine) AttachProbe(p Probe, f SampleFunc) error {
	if f == nil {
		return fmt.Errorf("engine: AttachProbe: nil SampleFunc")
	}
	if p.What == netlist.RecordWeights {
		if p.Projection < 0 || p.Projection >= len(e.projs) {
			return fmt.Errorf("engine: AttachProbe: projection index %d out of range [0, %d)", p.Projection, len(e.projs))
		}
		p.Population = e.projs[p.Projection].To // for error messages
	}
	if p.Population < 0 || p.Population >= len(e.pops) {
		return fmt.Errorf("engine: AttachProbe: population index %d out of range [0, %d)", p.Population, len(e.pops))
	}
	pop := &e.pops[p.Population]
	s := &sampler{Probe: p, f: f}
	s.Neurons = slices.Clone(p.Neurons)
	s.Windows = slices.Clone(p.Windows)
	s.Synapses = slices.Clone(p.Synapses)
	switch p.What {
	case netlist.RecordWeights:
		n := e.projs[p.Projection].Len()
		if s.Synapses == nil {
			s.Synapses = make([]int, n)
			for k := range s.Synapses {
				s.Synapses[k] = k
			}
		}
		for k, i := range s.Synapses {
			if i < 0 || i >= n || (k > 0 && i <= s.Synapses[k-1]) {
				return fmt.Errorf("engine: AttachProbe: weights of %q: Synapses[%d] = %d: indices must be strictly increasing in [0, %d)", e.projs[p.Projection].Name, k, i, n)
			}
		}
		s.vals = make([]float64, len(s.Synapses))
	case netlist.RecordV:
		if pop.neurons == nil {
			return fmt.Errorf("engine: AttachProbe: %q is a source population: it has no membrane potential", pop.name)
		}
		n := pop.neurons.Len()
		if s.Neurons == nil {
			s.Neurons = make([]int, n)
			for i := range s.Neurons {
				s.Neurons[i] = i
			}
		}
		for k, i := range s.Neurons {
			if i < 0 || i >= n || (k > 0 && i <= s.Neurons[k-1]) {
				return fmt.Errorf("engine: AttachProbe: v of %q: Neurons[%d] = %d: members must be strictly increasing in [0, %d)", pop.name, k, i, n)
			}
		}
		s.vals = make([]float64, len(s.Neurons))
	case netlist.RecordRate:
		if p.Neurons != nil {
			return fmt.Errorf("engine: AttachProbe: rate of %q: a rate probe takes no Neurons", pop.name)
		}
		s.size = float64(e.net.Populations[p.Population].Size)
		s.vals = make([]float64, 1)
	default:
		return fmt.Errorf("engine: AttachProbe: cannot sample %q: What must be %q or %q", p.What, netlist.RecordV, netlist.RecordRate)
	}
	if p.Interval < 1 {
		return fmt.Errorf("engine: AttachProbe: %s of %q: Interval = %d ticks: must be >= 1", p.What, pop.name, p.Interval)
	}
	if s.Windows == nil {
		s.Windows = []netlist.Window{{Start: 0, Stop: snnsim.Never}}
	}
	for k, w := range s.Windows {
		if w.Start < 0 || w.Stop <= w.Start || (k > 0 && w.Start < s.Windows[k-1].Stop) {
			return fmt.Errorf("engine: AttachProbe: %s of %q: window %d [%d, %d): windows must be non-empty, start at >= 0, increase and not overlap", p.What, pop.name, k, w.Start, w.Stop)
		}
	}
	s.seek(e.now, e.stats.Spikes[p.Population])
	if e.rec == nil {
		e.rec = &probeSet{next: snnsim.Never}
	}
	e.rec.probes = append(e.rec.probes, s)
	e.rec.next = min(e.rec.next, s.due())
	return nil
}

// seek moves s to the first sample tick or bin at or after now, when every
// tick before now is done and count is the population's spike count.
func (s *sampler) seek(now snnsim.Time, count int64) {
	for ; s.window < len(s.Windows); s.window++ {
		w := s.Windows[s.window]
		t := w.Start
		if now > t {
			t += (now - t + s.Interval - 1) / s.Interval * s.Interval
		}
		if t < w.Stop && t >= w.Start { // t >= Start: no overflow
			s.next = t
			break
		}
	}
	s.open = s.What == netlist.RecordRate && s.next == now
	s.countBefore = count
}

// due returns the tick after which s acts next, or Never.
func (s *sampler) due() snnsim.Time {
	if s.window >= len(s.Windows) {
		return snnsim.Never
	}
	if s.What != netlist.RecordRate {
		return s.next
	}
	if !s.open {
		return s.next - 1 // take the spike count before the bin
	}
	end := s.Windows[s.window].Stop
	if s.next <= end-s.Interval {
		end = s.next + s.Interval
	}
	return end - 1
}

// sample runs the probes due after tick t, which has just been simulated.
func (e *Engine) sample(t snnsim.Time) error {
	next := snnsim.Never
	for _, s := range e.rec.probes {
		if s.due() == t {
			if err := s.fire(e, t); err != nil {
				return fmt.Errorf("engine: %s sample of %q at tick %d: %w", s.What, e.pops[s.Population].name, t, err)
			}
		}
		next = min(next, s.due())
	}
	e.rec.next = next
	return nil
}

// fire acts after tick t == s.due().
func (s *sampler) fire(e *Engine, t snnsim.Time) error {
	count := e.stats.Spikes[s.Population]
	w := s.Windows[s.window]
	if s.What == netlist.RecordV || s.What == netlist.RecordWeights || s.read != nil {
		vals := s.vals
		if s.read != nil {
			vals = e.rec.values(s.width)
			s.read(vals)
		} else if s.What == netlist.RecordV {
			neu, vt := e.pops[s.Population].neurons, e.neuronTick(t)
			for k, i := range s.Neurons {
				s.vals[k] = neu.V(i, vt)
			}
		} else {
			e.freshen(s.Projection, t)
			for k, i := range s.Synapses {
				s.vals[k] = float64(e.weightAt(s.Projection, int64(i), t))
			}
		}
		if s.next += s.Interval; s.next >= w.Stop || s.next < t {
			s.seek(t+1, count)
		}
		return s.f(t, vals)
	}
	if !s.open {
		s.open, s.countBefore = true, count
		return nil
	}
	start := s.next
	s.vals[0] = float64(count-s.countBefore) / (s.size * e.net.Clock.Seconds(t+1-start))
	s.countBefore, s.next = count, t+1
	if s.next >= w.Stop {
		s.seek(t+1, count) // the next window; open at once if it starts at t+1
	}
	return s.f(start, s.vals)
}

// Series describes one sampled series that AttachRecords sets up.
type Series struct {
	Name       string             // unique among the run's series: "v/E", "rate/I", "weights/E_to_E"; "v/E#2" for a second v record of E
	Record     netlist.RecordKind // the kind of the record that sets up the series
	What       string             // what is sampled, the log's series kind: spikelog.WhatV, WhatRate, WhatWeights, WhatPre or WhatPost, or a state variable's name (Record synapses, pathway or neuron_state)
	Unit       string             // spikelog.UnitMV, UnitHz, UnitID, a weight unit, or a pathway statistic (spikelog.StatMean, StatSD)
	Population int                // index into the network's populations (weights: the target population)
	Projection int                // weights: index into the network's projections; -1 otherwise
	Indices    []int              // members ("v") or synapses ("weights") sampled; nil for a rate
	Interval   snnsim.Time        // sampling interval or bin [ticks]
}

// AttachRecords sets up the recording that records describe (usually
// net.Records): the spikes of the "spikes" records, within their windows,
// go to spikes, merged into one call per tick whatever the number of
// records; each population of a sampled record becomes a probe, announced
// first through declare, which returns the function that receives its
// samples (typically a log writer's declaration and sample methods).
// spikes may be nil when no record is of spikes.
func (e *Engine) AttachRecords(records []*netlist.Record, spikes Sink, declare func(Series) (SampleFunc, error)) error {
	// Spikes: the union of the records' populations and windows.
	keep := make([]bool, len(e.pops))
	windows := make([][]netlist.Window, len(e.pops))
	always := make([]bool, len(e.pops))
	any, filtered := false, false
	for _, r := range records {
		if r.What != netlist.RecordSpikes {
			continue
		}
		for _, p := range r.Populations {
			if p < 0 || p >= len(e.pops) {
				return fmt.Errorf("engine: AttachRecords: population index %d out of range", p)
			}
			keep[p], any = true, true
			if r.Windows == nil {
				always[p] = true
			} else {
				windows[p] = append(windows[p], r.Windows...)
				filtered = true
			}
		}
	}
	if any {
		if spikes == nil {
			return fmt.Errorf("engine: AttachRecords: the records hold spikes but the spike sink is nil")
		}
		var pops []int
		for p, k := range keep {
			if k {
				pops = append(pops, p)
			}
		}
		var s Sink = spikes
		if filtered {
			f := &windowSink{next: spikes, windows: windows}
			for p := range e.pops {
				if always[p] {
					f.windows[p] = nil
				} else if !keep[p] {
					f.windows[p] = []netlist.Window{} // never: not attached anyway
				}
				f.first = append(f.first, snnsim.NeuronID(e.pops[p].offset))
			}
			s = f
		}
		if err := e.Attach(s, pops); err != nil {
			return err
		}
	}
	// Samples: one probe per record and population.
	names := map[string]int{}
	var identity []int // 0, 1, 2, …: the indices of whole-matrix weight records, shared by prefix
	for _, r := range records {
		if r.What == netlist.RecordWeights && r.Synapses == nil && r.Projection >= 0 && r.Projection < len(e.projs) {
			identity = slices.Grow(identity, e.projs[r.Projection].Len()-len(identity))
		}
	}
	for _, r := range records {
		if !r.What.Sampled() {
			continue
		}
		if declare == nil {
			return fmt.Errorf("engine: AttachRecords: the records hold samples but declare is nil")
		}
		if r.Final && r.What != netlist.RecordRate && e.net.Duration > 0 {
			fr := *r
			fr.Windows = withFinal(r.Windows, r.Interval, e.net.Duration-1)
			r = &fr
		}
		if r.What == netlist.RecordWeights {
			if err := e.attachWeights(r, names, declare, &identity); err != nil {
				return err
			}
			continue
		}
		if r.What == netlist.RecordSynapses || r.What == netlist.RecordPathway || r.What == netlist.RecordNeuronState {
			if err := e.attachState(r, names, declare); err != nil {
				return err
			}
			continue
		}
		for _, p := range r.Populations {
			if p < 0 || p >= len(e.pops) {
				return fmt.Errorf("engine: AttachRecords: population index %d out of range", p)
			}
			pr := Probe{What: r.What, Population: p, Interval: r.Interval, Windows: r.Windows}
			se := Series{Record: r.What, What: spikelog.WhatRate, Unit: spikelog.UnitHz, Population: p, Projection: -1, Interval: r.Interval}
			if r.What == netlist.RecordV {
				se.What, se.Unit = spikelog.WhatV, spikelog.UnitMV
				pr.Neurons = r.Neurons
				if pr.Neurons == nil && e.pops[p].neurons != nil {
					pr.Neurons = make([]int, e.pops[p].neurons.Len())
					for i := range pr.Neurons {
						pr.Neurons[i] = i
					}
				}
				se.Indices = slices.Clone(pr.Neurons)
			}
			base := se.What + "/" + e.pops[p].name
			se.Name = base
			if names[base]++; names[base] > 1 {
				se.Name = fmt.Sprintf("%s#%d", base, names[base])
			}
			f, err := declare(se)
			if err != nil {
				return fmt.Errorf("engine: AttachRecords: series %q: %w", se.Name, err)
			}
			if err := e.AttachProbe(pr, f); err != nil {
				return err
			}
		}
	}
	return nil
}

// withFinal returns windows (nil: the whole run) changed so that tick
// final is a sample tick of a record sampled every interval ticks: when a
// window's grid already holds final, windows unchanged; else the window
// holding final ends before it, windows after it are dropped (the run never
// reaches them), and the one-tick window [final, final+1) is added. The
// sample ticks before final do not change.
func withFinal(windows []netlist.Window, interval, final snnsim.Time) []netlist.Window {
	ws := windows
	if ws == nil {
		ws = []netlist.Window{{Start: 0, Stop: snnsim.Never}}
	}
	var out []netlist.Window
	for _, w := range ws {
		if w.Start > final {
			break
		}
		if w.Contains(final) {
			if interval > 0 && (final-w.Start)%interval == 0 {
				return windows
			}
			out = append(out, netlist.Window{Start: w.Start, Stop: final})
			break
		}
		out = append(out, w)
	}
	return append(out, netlist.Window{Start: final, Stop: final + 1})
}

// windowSink passes on the spikes of the ticks inside each population's
// windows (nil windows: every tick).
type windowSink struct {
	next    Sink
	windows [][]netlist.Window // per population
	first   []snnsim.NeuronID  // per population: global ID of member 0
	ids     []snnsim.NeuronID
}

// Spikes filters ids, which are increasing, population by population.
func (w *windowSink) Spikes(t snnsim.Time, ids []snnsim.NeuronID) error {
	out := w.ids[:0]
	p := 0
	var in bool
	for k, id := range ids {
		if k == 0 || (p+1 < len(w.first) && id >= w.first[p+1]) {
			for p+1 < len(w.first) && id >= w.first[p+1] {
				p++
			}
			in = w.windows[p] == nil
			for _, win := range w.windows[p] {
				in = in || win.Contains(t)
			}
		}
		if in {
			out = append(out, id)
		}
	}
	w.ids = out
	if len(out) == 0 {
		return nil
	}
	return w.next.Spikes(t, out)
}

// attachWeights sets up a "weights" record: the series "weights/<proj>"
// with the sampled synapses as indices, preceded by two series sampled once
// at the record's first sample tick, "weights/<proj>/pre" and
// "weights/<proj>/post", whose values are the global neuron IDs of each
// sampled synapse's source and target, so that a reader can rebuild the
// weight matrix without the network. The values are made when sampled,
// into the shared scratch: a record of the whole matrix keeps no array of
// its size besides the weights.
//
// identity holds 0, 1, 2, …, grown as needed: the indices of a record of
// every synapse are a prefix of it, so that the records of several
// matrices do not each make their own.
func (e *Engine) attachWeights(r *netlist.Record, names map[string]int, declare func(Series) (SampleFunc, error), identity *[]int) error {
	if r.Projection < 0 || r.Projection >= len(e.projs) {
		return fmt.Errorf("engine: AttachRecords: projection index %d out of range", r.Projection)
	}
	p := &e.projs[r.Projection]
	syn := r.Synapses // nil: every synapse
	n := len(syn)
	indices := syn // for the declarations, which copy them
	for k, i := range syn {
		if i < 0 || i >= p.Len() || (k > 0 && i <= syn[k-1]) {
			return fmt.Errorf("engine: AttachRecords: weights of %q: Synapses[%d] = %d: indices must be strictly increasing in [0, %d)", p.Name, k, i, p.Len())
		}
	}
	if syn == nil {
		n = p.Len()
		for k := len(*identity); k < n; k++ {
			*identity = append(*identity, k)
		}
		indices = (*identity)[:n:n]
	}
	base := spikelog.WeightsPrefix + p.Name
	name := base
	if names[base]++; names[base] > 1 {
		name = fmt.Sprintf("%s#%d", base, names[base])
	}
	fromOff, toOff := float64(e.pops[p.From].offset), float64(e.pops[p.To].offset)
	pre := func(vals []float64) {
		if syn == nil {
			for i := 0; i+1 < len(p.RowStart); i++ {
				for s := p.RowStart[i]; s < p.RowStart[i+1]; s++ {
					vals[s] = fromOff + float64(i)
				}
			}
			return
		}
		for k, s := range syn {
			vals[k] = fromOff + float64(sortSearchRow(p.RowStart, int64(s)))
		}
	}
	post := func(vals []float64) {
		if syn == nil {
			for s, j := range p.Target {
				vals[s] = toOff + float64(j)
			}
			return
		}
		for k, s := range syn {
			vals[k] = toOff + float64(p.Target[s])
		}
	}
	weights := func(vals []float64) { // after the sampled tick
		t := e.readTick()
		e.freshen(r.Projection, t)
		if syn == nil {
			for s := range vals {
				vals[s] = float64(e.weightAt(r.Projection, int64(s), t))
			}
			return
		}
		for k, s := range syn {
			vals[k] = float64(e.weightAt(r.Projection, int64(s), t))
		}
	}
	first := snnsim.Time(0)
	if len(r.Windows) > 0 {
		first = r.Windows[0].Start
	}
	once := []netlist.Window{{Start: first, Stop: first + 1}}
	for _, side := range []struct {
		what string
		ids  func([]float64)
	}{{spikelog.WhatPre, pre}, {spikelog.WhatPost, post}} {
		se := Series{Name: name + "/" + side.what, Record: r.What, What: side.what, Unit: spikelog.UnitID, Population: p.To, Projection: r.Projection, Indices: indices, Interval: 1}
		f, err := declare(se)
		if err != nil {
			return fmt.Errorf("engine: AttachRecords: series %q: %w", se.Name, err)
		}
		if err := e.attachReader(netlist.RecordWeights, p.To, 1, once, n, side.ids, f); err != nil {
			return err
		}
	}
	se := Series{Name: name, Record: r.What, What: spikelog.WhatWeights, Unit: e.net.Populations[p.To].Neuron.WeightUnit(), Population: p.To, Projection: r.Projection, Indices: indices, Interval: r.Interval}
	f, err := declare(se)
	if err != nil {
		return fmt.Errorf("engine: AttachRecords: series %q: %w", se.Name, err)
	}
	return e.attachReader(netlist.RecordWeights, p.To, r.Interval, r.Windows, n, weights, f)
}

// sortSearchRow returns the source row that holds synapse k.
func sortSearchRow(rowStart []int64, k int64) int {
	lo, hi := 0, len(rowStart)-1 // rowStart[lo] <= k < rowStart[hi]
	for hi-lo > 1 {
		m := (lo + hi) / 2
		if rowStart[m] <= k {
			lo = m
		} else {
			hi = m
		}
	}
	return lo
}

// attachState sets up a consolidation state record, one series per
// variable:
//
//   - "synapses": "synapses/<proj>/<var>", the variable of each sampled
//     synapse (Indices: synapse indices of the projection);
//   - "pathway": "pathway/<proj>/<var>/mean" and ".../sd", the mean and the
//     standard deviation of the variable over all the projection's
//     synapses (one value each);
//   - "neuron_state": "neuron_state/<pop>/<var>", the per-neuron variable
//     (such as "protein") of each sampled neuron.
//
// A pathway or neuron_state record with Split writes the statistics of its
// parts instead (attachSplit).
//
// For a projection without a consolidation model the only variable is
// "weight". Values are the state after the sample tick.
func (e *Engine) attachState(r *netlist.Record, names map[string]int, declare func(Series) (SampleFunc, error)) error {
	unique := func(base string) string {
		if names[base]++; names[base] > 1 {
			return fmt.Sprintf("%s#%d", base, names[base])
		}
		return base
	}
	add := func(se Series, pop, n int, read func([]float64)) error {
		se.Interval = r.Interval
		f, err := declare(se)
		if err != nil {
			return fmt.Errorf("engine: AttachRecords: series %q: %w", se.Name, err)
		}
		return e.attachReader(r.What, pop, r.Interval, r.Windows, n, read, f)
	}
	if len(r.Split) > 0 {
		if r.What == netlist.RecordSynapses {
			return fmt.Errorf("engine: synapses record: split applies to pathway and neuron_state records")
		}
		return e.attachSplit(r, unique, add)
	}
	if r.What == netlist.RecordNeuronState {
		if len(r.Populations) != 1 || r.Populations[0] < 0 || r.Populations[0] >= len(e.pops) {
			return fmt.Errorf("engine: AttachRecords: neuron_state: one population expected")
		}
		pi := r.Populations[0]
		pop := &e.pops[pi]
		neurons := r.Neurons
		if neurons == nil && pop.neurons != nil {
			neurons = make([]int, pop.neurons.Len())
			for i := range neurons {
				neurons[i] = i
			}
		}
		vars := r.Variables
		if vars == nil {
			vars = e.neuronVars(pi)
		}
		for _, name := range vars {
			get, at, err := e.neuronVar(pi, name)
			if err != nil {
				return err
			}
			se := Series{Name: unique(spikelog.NeuronStatePrefix + pop.name + "/" + name), Record: r.What, What: name, Population: pi, Projection: -1, Indices: slices.Clone(neurons)}
			if err := add(se, pi, len(neurons), func(vals []float64) {
				at()
				for k, i := range neurons {
					vals[k] = get(int32(i))
				}
			}); err != nil {
				return err
			}
		}
		return nil
	}
	if r.Projection < 0 || r.Projection >= len(e.projs) {
		return fmt.Errorf("engine: AttachRecords: projection index %d out of range", r.Projection)
	}
	p := &e.projs[r.Projection]
	cvars := e.synVars(r.Projection)
	vars := r.Variables
	if vars == nil {
		if cvars != nil {
			vars = cvars
		} else {
			vars = []string{spikelog.VarWeight}
		}
	}
	syn := r.Synapses
	if syn == nil && r.What == netlist.RecordSynapses {
		syn = make([]int, p.Len())
		for k := range syn {
			syn[k] = k
		}
	}
	for _, name := range vars {
		var get func(s int) float64
		at := func() {} // brings the model to the sampled tick
		switch g, a := e.synVar(r.Projection, name); {
		case g != nil:
			get, at = g, a
		case cvars == nil && name == spikelog.VarWeight:
			get = func(s int) float64 { return float64(p.weightAt(int64(s), e.readTick())) } // no model: the delivery array
		default:
			known := []string{spikelog.VarWeight}
			if cvars != nil {
				known = cvars
			}
			return fmt.Errorf("engine: %s record of %q: no variable %q (known: %v)", r.What, p.Name, name, known)
		}
		if r.What == netlist.RecordSynapses {
			se := Series{Name: unique(spikelog.SynapsesPrefix + p.Name + "/" + name), Record: r.What, What: name, Population: p.To, Projection: r.Projection, Indices: slices.Clone(syn)}
			if err := add(se, p.To, len(syn), func(vals []float64) {
				at()
				for k, s := range syn {
					vals[k] = get(s)
				}
			}); err != nil {
				return err
			}
			continue
		}
		// pathway: mean and standard deviation (Welford, population s.d.)
		var mean, sd float64
		stats := func() {
			at()
			mean, sd = 0, 0
			var m2 float64
			n := p.Len() // every synapse
			for s := range n {
				x := get(s)
				d := x - mean
				mean += d / float64(s+1)
				m2 += d * (x - mean)
			}
			if n > 0 {
				sd = math.Sqrt(m2 / float64(n))
			}
		}
		for _, part := range []string{spikelog.StatMean, spikelog.StatSD} {
			se := Series{Name: unique(spikelog.PathwayPrefix + p.Name + "/" + name + "/" + part), Record: r.What, What: name, Unit: part, Population: p.To, Projection: r.Projection}
			isMean := part == spikelog.StatMean
			if err := add(se, p.To, 1, func(vals []float64) {
				if isMean {
					stats()
					vals[0] = mean
				} else {
					vals[0] = sd // computed by the mean series just before, at the same tick
				}
			}); err != nil {
				return err
			}
		}
	}
	return nil
}

// sampleAt brings a model whose variables change between its events
// (consolidation.Continuous) to the sampled tick t before it is read.
func sampleAt(m consolidation.Model, t snnsim.Time) {
	if _, ok := m.(consolidation.Continuous); ok {
		m.Advance(max(t, 0))
	}
}

// attachReader adds a probe of kind what whose values read fills.
func (e *Engine) attachReader(what netlist.RecordKind, pop int, interval snnsim.Time, windows []netlist.Window, n int, read func([]float64), f SampleFunc) error {
	if interval < 1 {
		return fmt.Errorf("engine: %s record: interval %d ticks: must be >= 1", what, interval)
	}
	s := &sampler{Probe: Probe{What: what, Population: pop, Interval: interval, Windows: slices.Clone(windows)}, f: f, read: read, width: n}
	if s.Windows == nil {
		s.Windows = []netlist.Window{{Start: 0, Stop: snnsim.Never}}
	}
	s.seek(e.now, e.stats.Spikes[pop])
	if e.rec == nil {
		e.rec = &probeSet{next: snnsim.Never}
	}
	e.rec.probes = append(e.rec.probes, s)
	e.rec.next = min(e.rec.next, s.due())
	return nil
}
