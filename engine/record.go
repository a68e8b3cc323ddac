package engine

import (
	"fmt"
	"slices"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/netlist"
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
type Probe struct {
	What       netlist.RecordKind // netlist.RecordV or netlist.RecordRate
	Population int                // index into the network's populations
	Neurons    []int              // "v": members, strictly increasing; nil: every member
	Interval   snnsim.Time        // sampling interval or bin [ticks], >= 1
	Windows    []netlist.Window   // increasing and disjoint; nil: the whole run
}

// sampler is an attached Probe and its position.
type sampler struct {
	Probe
	f      SampleFunc
	vals   []float64
	size   float64 // population size, for rates
	wi     int     // current window
	t      snnsim.Time
	open   bool  // rate: the snapshot for the bin starting at t is taken
	count0 int64 // rate: the population's spike count before tick t
}

// probeSet holds the probes of an engine. next is the earliest tick after
// which some probe acts; the run loop tests it after every stepped tick.
type probeSet struct {
	probes []*sampler
	next   snnsim.Time
}

// AttachProbe adds a probe whose samples go to f. Samples start at the
// first tick of the probe's grid at or after Now (sample ticks and bins
// already past are skipped), so attach probes before the first Run to
// sample from tick 0.
func (e *Engine) AttachProbe(p Probe, f SampleFunc) error {
	if f == nil {
		return fmt.Errorf("engine: AttachProbe: nil SampleFunc")
	}
	if p.Population < 0 || p.Population >= len(e.pops) {
		return fmt.Errorf("engine: AttachProbe: population index %d out of range [0, %d)", p.Population, len(e.pops))
	}
	pop := &e.pops[p.Population]
	s := &sampler{Probe: p, f: f}
	s.Neurons = slices.Clone(p.Neurons)
	s.Windows = slices.Clone(p.Windows)
	switch p.What {
	case netlist.RecordV:
		if pop.neu == nil {
			return fmt.Errorf("engine: AttachProbe: %q is a source population: it has no membrane potential", pop.name)
		}
		n := pop.neu.Len()
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
	for ; s.wi < len(s.Windows); s.wi++ {
		w := s.Windows[s.wi]
		t := w.Start
		if now > t {
			t += (now - t + s.Interval - 1) / s.Interval * s.Interval
		}
		if t < w.Stop && t >= w.Start { // t >= Start: no overflow
			s.t = t
			break
		}
	}
	s.open = s.What == netlist.RecordRate && s.t == now
	s.count0 = count
}

// due returns the tick after which s acts next, or Never.
func (s *sampler) due() snnsim.Time {
	if s.wi >= len(s.Windows) {
		return snnsim.Never
	}
	if s.What == netlist.RecordV {
		return s.t
	}
	if !s.open {
		return s.t - 1 // take the spike count before the bin
	}
	end := s.Windows[s.wi].Stop
	if s.t <= end-s.Interval {
		end = s.t + s.Interval
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
	w := s.Windows[s.wi]
	if s.What == netlist.RecordV {
		neu := e.pops[s.Population].neu
		for k, i := range s.Neurons {
			s.vals[k] = neu.V(i, t)
		}
		if s.t += s.Interval; s.t >= w.Stop || s.t < t {
			s.seek(t+1, count)
		}
		return s.f(t, s.vals)
	}
	if !s.open {
		s.open, s.count0 = true, count
		return nil
	}
	start := s.t
	s.vals[0] = float64(count-s.count0) / (s.size * e.net.Clock.Seconds(t+1-start))
	s.count0, s.t = count, t+1
	if s.t >= w.Stop {
		s.seek(t+1, count) // the next window; open at once if it starts at t+1
	}
	return s.f(start, s.vals)
}

// Series describes one sampled series that AttachRecords sets up.
type Series struct {
	Name       string             // unique among the run's series: "v/E", "rate/I"; "v/E#2" for a second v record of E
	What       netlist.RecordKind // netlist.RecordV or netlist.RecordRate
	Unit       string             // "mV" or "Hz"
	Population int                // index into the network's populations
	Indices    []int              // members sampled ("v"); nil for a rate
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
	for _, r := range records {
		if !r.What.Sampled() {
			continue
		}
		if declare == nil {
			return fmt.Errorf("engine: AttachRecords: the records hold samples but declare is nil")
		}
		for _, p := range r.Populations {
			if p < 0 || p >= len(e.pops) {
				return fmt.Errorf("engine: AttachRecords: population index %d out of range", p)
			}
			pr := Probe{What: r.What, Population: p, Interval: r.Interval, Windows: r.Windows}
			se := Series{What: r.What, Unit: r.What.Unit(), Population: p, Interval: r.Interval}
			if r.What == netlist.RecordV {
				pr.Neurons = r.Neurons
				if pr.Neurons == nil && e.pops[p].neu != nil {
					pr.Neurons = make([]int, e.pops[p].neu.Len())
					for i := range pr.Neurons {
						pr.Neurons[i] = i
					}
				}
				se.Indices = slices.Clone(pr.Neurons)
			}
			base := string(r.What) + "/" + e.pops[p].name
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
