package netlist

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/snnsim/snnsim"
)

// RecordKind names what a [[record]] table records.
type RecordKind string

// The record kinds. Spikes are recorded as they happen; the others are
// sampled at regular ticks. Synaptic state ("weights", "synapses") will be
// kinds of the same Record, naming projections instead of populations.
const (
	RecordSpikes RecordKind = "spikes" // spikes of the populations
	RecordV      RecordKind = "v"      // membrane potential of chosen neurons [mV]
	RecordRate   RecordKind = "rate"   // population rate [Hz], per sampling bin
	// RecordWeights samples the weights of chosen synapses of one projection
	// (all of them: the full weight matrix), in the target model's internal
	// weight unit.
	RecordWeights RecordKind = "weights"
)

var recordKinds = []string{string(RecordSpikes), string(RecordV), string(RecordRate), string(RecordWeights)}

// Sampled reports whether k is recorded at a sampling interval (as opposed
// to as it happens, like spikes).
func (k RecordKind) Sampled() bool { return k == RecordV || k == RecordRate || k == RecordWeights }

// Unit returns the unit of the values a sampled kind records.
func (k RecordKind) Unit() string {
	switch k {
	case RecordV:
		return "mV"
	case RecordRate:
		return "Hz"
	}
	return ""
}

// RecordSpec is a [[record]] table as written, in canonical units.
type RecordSpec struct {
	What        string       // "spikes", "v" or "rate"
	Populations []string     // nil: every population ("v": every neuron population)
	Neurons     []int        // "v": members sampled in each population; nil: every member
	Sample      float64      // "v", "rate": sampling interval [ms]; 0 when not given
	Windows     [][2]float64 // recording windows [start, stop) [ms]; nil: the whole run
	Projection  string       // "weights": the projection's name
	Synapses    []int        // "weights": synapse indices (forward CSR order); nil: every synapse
}

// Window is a half-open range of ticks [Start, Stop).
type Window struct {
	Start, Stop snnsim.Time
}

// Contains reports whether tick t lies in the window.
func (w Window) Contains(t snnsim.Time) bool { return t >= w.Start && t < w.Stop }

// Record says what the run writes to its log: one [[record]] table, with
// populations resolved to indices and times in ticks.
type Record struct {
	What        RecordKind
	Populations []int // population indices, in the order written; every population when the scenario names none ("v": every neuron population)
	// Neurons lists the members sampled in each population ("v"),
	// increasing; nil for every member.
	Neurons []int
	// Interval is the sampling interval [ticks] of "v" and "rate"; 0 for
	// spikes. A "v" sample at tick t is the membrane potential after tick t;
	// a "rate" sample at tick t counts the spikes of ticks [t, t+Interval).
	Interval snnsim.Time
	// Windows are the ticks recorded, increasing and disjoint; nil for the
	// whole run. Samples fall at Start, Start+Interval, ... < Stop of each
	// window.
	Windows []Window
	// Projection is the projection index of a "weights" record, whose
	// Populations is nil.
	Projection int
	// Synapses are the synapse indices of a "weights" record, increasing,
	// into the projection's forward arrays; nil for every synapse.
	Synapses []int
}

// InWindows reports whether tick t is recorded: it lies in one of the
// windows, or there are none.
func (r *Record) InWindows(t snnsim.Time) bool {
	if r.Windows == nil {
		return true
	}
	for _, w := range r.Windows {
		if w.Contains(t) {
			return true
		}
	}
	return false
}

// record decodes a [[record]] table.
func (d *decoder) record(t *table) *RecordSpec {
	r := &RecordSpec{}
	if w, ok := t.str("what", true); ok {
		r.What = w
		switch {
		case slices.Contains(recordKinds, w):
		default:
			d.errorf(t.path("what"), "cannot record %q%s: what may be %s", w, didYouMean(w, recordKinds), orList(recordKinds))
		}
	}
	if v, ok := t.strs("populations"); ok {
		r.Populations = v
	}
	if v, ok := t.ints("neurons"); ok {
		r.Neurons = v
	}
	if v, ok := t.quantity("sample", snnsim.TimeDim, false); ok {
		r.Sample = v
	}
	if v, ok := t.get("window", false); ok {
		r.Windows = d.windows(t.path("window"), v)
	}
	if r.What == string(RecordWeights) {
		r.Projection, _ = t.str("projection", true)
		if v, ok := t.ints("synapses"); ok {
			r.Synapses = v
		}
	}
	t.done()
	return r
}

// windows decodes window = ["start", "stop"] or window = [[start, stop], ...].
func (d *decoder) windows(key string, v any) [][2]float64 {
	arr, ok := v.([]any)
	if !ok || len(arr) == 0 {
		d.errorf(key, `must be ["start", "stop"] or a list of such pairs, not %s`, typeName(v))
		return nil
	}
	if _, nested := arr[0].([]any); !nested {
		a, b, _, ok := d.pair(key, v, snnsim.TimeDim, false, `["start", "stop"]`)
		if !ok {
			return nil
		}
		return [][2]float64{{a, b}}
	}
	var out [][2]float64
	for i, e := range arr {
		a, b, _, ok := d.pair(indexKey(key, i), e, snnsim.TimeDim, false, `["start", "stop"]`)
		if !ok {
			return nil
		}
		out = append(out, [2]float64{a, b})
	}
	return out
}

// orList formats names as `"a", "b" or "c"`.
func orList(s []string) string {
	q := make([]string, len(s))
	for i, x := range s {
		q[i] = fmt.Sprintf("%q", x)
	}
	if len(q) < 2 {
		return strings.Join(q, "")
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

// record validates a [[record]] table.
func (c *checker) record(i int, r *RecordSpec) {
	key := indexKey("record", i)
	if r == nil {
		c.errorf(key, "missing")
		return
	}
	kind := RecordKind(r.What)
	if !slices.Contains(recordKinds, r.What) {
		c.errorf(key+".what", "cannot record %q: what may be %s", r.What, orList(recordKinds))
	}
	if kind == RecordWeights {
		c.weightsRecord(key, r)
	}
	// Populations, and the sizes that neuron indices must fit.
	seen := map[string]bool{}
	var sizes []int
	for k, name := range r.Populations {
		pkey := indexKey(key+".populations", k)
		if seen[name] {
			c.errorf(pkey, "population %q is listed twice", name)
			continue
		}
		seen[name] = true
		var p int
		var ok bool
		if kind == RecordV {
			p, ok = c.neuronRef(pkey, name, "a population whose membrane potential is recorded")
		} else {
			p, ok = c.ref(pkey, name)
		}
		if ok {
			sizes = append(sizes, c.s.Populations[p].Size)
		}
	}
	if r.Populations == nil && kind == RecordV {
		for p, k := range c.kind {
			if k == kindNeuron {
				sizes = append(sizes, c.s.Populations[p].Size)
			}
		}
	}
	// Neurons: "v" only, inside every population, each once.
	if r.Neurons != nil && kind != RecordV && slices.Contains(recordKinds, r.What) {
		c.errorf(key+".neurons", "neurons applies only to what = \"v\"; %s records whole populations", r.What)
	} else if len(sizes) > 0 {
		smallest := slices.Min(sizes)
		dup := map[int]bool{}
		for k, m := range r.Neurons {
			nkey := indexKey(key+".neurons", k)
			switch {
			case m < 0 || m >= smallest:
				c.errorf(nkey, "%d is out of range: the smallest population recorded has %d members (0..%d)", m, smallest, smallest-1)
			case dup[m]:
				c.errorf(nkey, "neuron %d is listed twice", m)
			}
			dup[m] = true
		}
	}
	// Sampling interval: required for sampled kinds, on the grid.
	switch {
	case kind.Sampled() && r.Sample == 0:
		c.errorf(key+".sample", "required key is missing: give the sampling interval, e.g. sample = \"1 ms\"")
	case kind.Sampled():
		if !(r.Sample > 0) {
			c.errorf(key+".sample", "%g ms: must be > 0", r.Sample)
		} else if c.grid(key+".sample", r.Sample) {
			if n, _ := c.clock.Ticks(r.Sample); n < 1 {
				c.errorf(key+".sample", "%g ms: must be at least one tick (%g ms)", r.Sample, c.s.Resolution)
			}
		}
	case r.Sample != 0 && kind == RecordSpikes:
		c.errorf(key+".sample", "spikes are recorded as they happen: remove sample, or record \"rate\"")
	}
	// Windows: on the grid, start >= 0, stop > start, increasing, disjoint.
	prevStop := math.Inf(-1)
	for k, w := range r.Windows {
		wkey := key + ".window"
		if len(r.Windows) > 1 {
			wkey = indexKey(wkey, k)
		}
		startOK := c.grid(wkey, w[0]) && c.grid(wkey, w[1])
		switch {
		case !startOK:
		case w[0] < 0:
			c.errorf(wkey, "starts at %g ms: must be >= 0", w[0])
		case !(w[1] > w[0]):
			c.errorf(wkey, "[%g ms, %g ms]: stop must be after start", w[0], w[1])
		case w[0] < prevStop:
			c.errorf(wkey, "starts at %g ms, before the window before it ends (%g ms): give windows in time order, without overlap", w[0], prevStop)
		}
		prevStop = w[1]
	}
}

// compile turns a validated [[record]] table into a Record.
func (r *RecordSpec) compile(net *Network, index map[string]int, clock snnsim.Clock) *Record {
	cr := &Record{What: RecordKind(r.What)}
	if cr.What == RecordWeights {
		for k, p := range net.Projections {
			if p.Name == r.Projection {
				cr.Projection = k
			}
		}
		if r.Synapses != nil {
			cr.Synapses = slices.Sorted(slices.Values(r.Synapses))
		}
		cr.Interval, _ = clock.Ticks(r.Sample)
		for _, w := range r.Windows {
			a, _ := clock.Ticks(w[0])
			b, _ := clock.Ticks(w[1])
			cr.Windows = append(cr.Windows, Window{a, b})
		}
		return cr
	}
	for _, name := range r.Populations {
		cr.Populations = append(cr.Populations, index[name])
	}
	if r.Populations == nil {
		for i, p := range net.Populations {
			if cr.What != RecordV || p.Neuron != nil {
				cr.Populations = append(cr.Populations, i)
			}
		}
	}
	if r.Neurons != nil {
		cr.Neurons = slices.Sorted(slices.Values(r.Neurons))
	}
	if cr.What.Sampled() {
		cr.Interval, _ = clock.Ticks(r.Sample)
	}
	for _, w := range r.Windows {
		a, _ := clock.Ticks(w[0])
		b, _ := clock.Ticks(w[1])
		cr.Windows = append(cr.Windows, Window{a, b})
	}
	return cr
}

// weightsRecord checks the keys of a "weights" record: a projection that
// exists, no populations or neurons, synapse indices listed once each (their
// range is checked when the projection is compiled).
func (c *checker) weightsRecord(key string, r *RecordSpec) {
	if r.Populations != nil {
		c.errorf(key+".populations", "a weights record names a projection, not populations: use projection = \"name\"")
	}
	if r.Neurons != nil {
		c.errorf(key+".neurons", "a weights record chooses synapses, not neurons: use synapses = [indices]")
	}
	if r.Projection != "" {
		found := false
		var names []string
		for _, p := range c.s.Projections {
			if p != nil {
				names = append(names, p.Name)
				found = found || p.Name == r.Projection
			}
		}
		if !found {
			c.errorf(key+".projection", "no projection is called %q%s", r.Projection, didYouMean(r.Projection, names))
		}
	}
	dup := map[int]bool{}
	for k, m := range r.Synapses {
		skey := indexKey(key+".synapses", k)
		switch {
		case m < 0:
			c.errorf(skey, "%d: synapse indices are >= 0", m)
		case dup[m]:
			c.errorf(skey, "synapse %d is listed twice", m)
		}
		dup[m] = true
	}
}
