package netlist

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/snnsim/snnsim"
)

// RecordKind names what a [[record]] table records.
type RecordKind string

// The record kinds. Spikes are recorded as they happen; the others are
// sampled at regular ticks. "weights", "synapses" and "pathway" name a
// projection instead of populations.
const (
	RecordSpikes RecordKind = "spikes" // spikes of the populations
	RecordV      RecordKind = "v"      // membrane potential of chosen neurons [mV]
	RecordRate   RecordKind = "rate"   // population rate [Hz], per sampling bin
	// RecordWeights samples the weights of chosen synapses of one projection
	// (all of them: the full weight matrix), in the target model's internal
	// weight unit.
	RecordWeights RecordKind = "weights"
	// RecordSynapses samples per-synapse variables (Record.Variables) of
	// chosen synapses of one projection: the consolidation model's
	// variables (consolidation.Params.Vars), or "weight" for a projection
	// without consolidation.
	RecordSynapses RecordKind = "synapses"
	// RecordPathway samples, for each variable of Record.Variables (as for
	// RecordSynapses), its mean and standard deviation over all the
	// synapses of one projection.
	RecordPathway RecordKind = "pathway"
	// RecordNeuronState samples per-neuron state variables (Record.Variables,
	// e.g. a consolidation model's protein level; the engine resolves the
	// names) of chosen neurons of one population.
	RecordNeuronState RecordKind = "neuron_state"
)

var recordKinds = []string{string(RecordSpikes), string(RecordV), string(RecordRate), string(RecordWeights),
	string(RecordSynapses), string(RecordPathway), string(RecordNeuronState)}

// DefaultStateInterval is the sampling interval [ms] of a "synapses",
// "pathway" or "neuron_state" record without an interval key: 1 min.
const DefaultStateInterval = 60e3

// Sampled reports whether k is recorded at a sampling interval (as opposed
// to as it happens, like spikes).
func (k RecordKind) Sampled() bool {
	return k == RecordV || k == RecordRate || k == RecordWeights || k.state()
}

// state reports whether k records model state with the keys interval and
// variables ("synapses", "pathway", "neuron_state").
func (k RecordKind) state() bool {
	return k == RecordSynapses || k == RecordPathway || k == RecordNeuronState
}

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
	What        string   // a RecordKind: "spikes", "v", "rate", "weights", "synapses", "pathway", "neuron_state"
	Populations []string // nil: every population ("v": every neuron population)
	Neurons     []int    // "v", "neuron_state": members sampled in each population; nil: every member
	// Sample is the sampling interval [ms]: the key sample of "v", "rate"
	// and "weights", the key interval of "synapses", "pathway" and
	// "neuron_state" (for which 0 means DefaultStateInterval); 0 when not
	// given.
	Sample      float64
	sampleGiven bool         // the key sample is written (0 is then a bad value, not a missing one)
	Windows     [][2]float64 // recording windows [start, stop) [ms]; nil: the whole run
	Projection  string       // "weights", "synapses", "pathway": the projection's name
	Synapses    []int        // "weights", "synapses": synapse indices (forward CSR order); nil: every synapse
	// Count is the number of synapses of a "synapses" record chosen at
	// random (its key sample = n); 0 when not given.
	Count int
	// Population is the population of a "neuron_state" record.
	Population string
	// Variables are the variables of a "synapses", "pathway" or
	// "neuron_state" record, as written; nil: the default (see Record).
	Variables []string
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
	// Interval is the sampling interval [ticks] of every kind but spikes
	// (0 for spikes). A "v" sample at tick t is the membrane potential
	// after tick t; a "rate" sample at tick t counts the spikes of ticks
	// [t, t+Interval); the state kinds sample the state after tick t.
	Interval snnsim.Time
	// Windows are the ticks recorded, increasing and disjoint; nil for the
	// whole run. Samples fall at Start, Start+Interval, ... < Stop of each
	// window.
	Windows []Window
	// Projection is the projection index of a "weights", "synapses" or
	// "pathway" record, whose Populations is nil. A "neuron_state" record
	// has one population in Populations and its members in Neurons.
	Projection int
	// Synapses are the synapse indices of a "weights" or "synapses"
	// record, increasing, into the projection's forward arrays; nil for
	// every synapse. A "synapses" record with sample = n holds the n
	// indices drawn at compile time.
	Synapses []int
	// Variables are the variables sampled by a "synapses", "pathway" or
	// "neuron_state" record, in the order written. For "synapses" and
	// "pathway" they are names from the projection's
	// Consolidation.Vars() (default: all of them, in that order), or
	// ["weight"], the weight array, for a projection without
	// consolidation; a "pathway" record writes, per sample, the mean and
	// the standard deviation of each variable over every synapse. For
	// "neuron_state" they are as written (non-empty strings; the engine
	// checks the names), and nil means every per-neuron variable the
	// engine has for the population.
	Variables []string
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
	if RecordKind(r.What).state() {
		d.stateRecord(t, r)
		t.done()
		return r
	}
	if v, ok := t.strs("populations"); ok {
		r.Populations = v
	}
	if v, ok := t.ints("neurons"); ok {
		r.Neurons = v
	}
	if v, ok := t.quantity("sample", snnsim.TimeDim, false); ok {
		r.Sample, r.sampleGiven = v, true
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
	if kind.state() {
		c.stateRecord(key, r)
		c.windowList(key+".window", r.Windows)
		return
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
	case kind.Sampled() && r.Sample == 0 && r.sampleGiven:
		c.errorf(key+".sample", "0 ms: the sampling interval must be at least one tick (%g ms)", c.s.Resolution)
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
	c.windowList(key+".window", r.Windows)
}

// compile turns a validated [[record]] table into a Record. The synapses of
// a "synapses" record with sample = n are drawn by Compile.
func (r *RecordSpec) compile(net *Network, index map[string]int, clock snnsim.Clock) *Record {
	cr := &Record{What: RecordKind(r.What)}
	if cr.What.state() {
		return r.compileState(cr, net, index, clock)
	}
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
		c.projectionRef(key+".projection", r.Projection)
	}
	c.synapseList(key+".synapses", r.Synapses)
}

// projectionRef resolves a reference to a projection by name; it reports
// an unknown name and returns nil.
func (c *checker) projectionRef(key, name string) *ProjectionSpec {
	var names []string
	for _, p := range c.s.Projections {
		if p != nil {
			if p.Name == name {
				return p
			}
			names = append(names, p.Name)
		}
	}
	c.errorf(key, "no projection is called %q%s", name, didYouMean(name, names))
	return nil
}

// synapseList checks synapse indices: >= 0, each listed once (their range
// is checked when the projection is compiled).
func (c *checker) synapseList(key string, syn []int) {
	dup := map[int]bool{}
	for k, m := range syn {
		skey := indexKey(key, k)
		switch {
		case m < 0:
			c.errorf(skey, "%d: synapse indices are >= 0", m)
		case dup[m]:
			c.errorf(skey, "synapse %d is listed twice", m)
		}
		dup[m] = true
	}
}

// stateRecord decodes the keys of a "synapses", "pathway" or
// "neuron_state" record:
//
//	synapses      projection, synapses | sample = n, variables, interval, window
//	pathway       projection, variables, interval, window
//	neuron_state  population, neurons, variables, interval, window
func (d *decoder) stateRecord(t *table, r *RecordSpec) {
	kind := RecordKind(r.What)
	switch kind {
	case RecordSynapses, RecordPathway:
		r.Projection, _ = t.str("projection", true)
	case RecordNeuronState:
		r.Population, _ = t.str("population", true)
		if v, ok := t.ints("neurons"); ok {
			r.Neurons = v
		}
	}
	if kind == RecordSynapses {
		if v, ok := t.ints("synapses"); ok {
			r.Synapses = v
		}
	}
	if kind != RecordSynapses {
		if t.has("sample") {
			t.get("sample", false)
			d.errorf(t.path("sample"), "a %s record has no sample: its sampling interval is interval = \"1 min\" (the default)", kind)
		}
	} else if v, ok := t.get("sample", false); ok {
		key := t.path("sample")
		n, isInt := v.(int64)
		switch {
		case isInt:
			if n < 1 || n > math.MaxInt32 {
				d.errorf(key, "%d: the number of synapses sampled must be between 1 and %d", n, math.MaxInt32)
			} else {
				r.Count = int(n)
			}
		default:
			if _, isStr := v.(string); isStr {
				d.errorf(key, "must be the number of synapses chosen at random, not %s: the sampling interval of a synapses record is interval = %q", typeName(v), fmt.Sprint(v))
			} else {
				d.errorf(key, "must be the number of synapses chosen at random (an integer), not %s", typeName(v))
			}
		}
	}
	if v, ok := t.strs("variables"); ok {
		if len(v) == 0 {
			d.errorf(t.path("variables"), "is empty: name at least one variable, or leave variables out to record every one")
		} else {
			r.Variables = v
		}
	}
	if v, ok := t.quantity("interval", snnsim.TimeDim, false); ok {
		if v == 0 {
			d.errorf(t.path("interval"), "0 ms: must be > 0")
		} else {
			r.Sample = v
		}
	}
	if v, ok := t.get("window", false); ok {
		r.Windows = d.windows(t.path("window"), v)
	}
}

// stateRecord validates a "synapses", "pathway" or "neuron_state" record
// and fills in the default interval.
func (c *checker) stateRecord(key string, r *RecordSpec) {
	kind := RecordKind(r.What)
	if r.Populations != nil {
		c.errorf(key+".populations", "a %s record has no populations", kind)
	}
	switch kind {
	case RecordSynapses, RecordPathway:
		if r.Neurons != nil {
			c.errorf(key+".neurons", "a %s record samples synapses, not neurons", kind)
		}
		if r.Population != "" {
			c.errorf(key+".population", "a %s record names a projection, not a population: use projection = \"name\"", kind)
		}
		var p *ProjectionSpec
		if r.Projection == "" {
			c.errorf(key+".projection", "required key is missing")
		} else {
			p = c.projectionRef(key+".projection", r.Projection)
		}
		if kind == RecordPathway {
			if r.Synapses != nil || r.Count != 0 {
				c.errorf(key+".synapses", "a pathway record covers every synapse of the projection: record what = \"synapses\" to choose some")
			}
		} else {
			c.synapseList(key+".synapses", r.Synapses)
			switch {
			case r.Count < 0:
				c.errorf(key+".sample", "%d: the number of synapses sampled must be >= 1", r.Count)
			case r.Count > 0 && r.Synapses != nil:
				c.errorf(key+".sample", "give synapses = [indices] or sample = n, not both")
			}
		}
		if p != nil {
			valid := synapseVars(p)
			owner := "a projection without consolidation has only the variable \"weight\""
			if p.Consolidation != nil {
				owner = "the variables of " + p.Consolidation.Model() + " are " + quoteList(valid)
			}
			seen := map[string]bool{}
			for k, v := range r.Variables {
				vkey := indexKey(key+".variables", k)
				switch {
				case !slices.Contains(valid, v):
					c.errorf(vkey, "projection %s has no variable %q%s: %s", p.Name, v, didYouMean(v, valid), owner)
				case seen[v]:
					c.errorf(vkey, "variable %q is listed twice", v)
				}
				seen[v] = true
			}
		}
	case RecordNeuronState:
		if r.Projection != "" || r.Synapses != nil || r.Count != 0 {
			c.errorf(key+".projection", "a neuron_state record names a population, not a projection")
		}
		if pop, ok := c.neuronRef(key+".population", r.Population, "the population of a neuron_state record"); ok {
			n := c.s.Populations[pop].Size
			dup := map[int]bool{}
			for k, m := range r.Neurons {
				nkey := indexKey(key+".neurons", k)
				switch {
				case m < 0 || m >= n:
					c.errorf(nkey, "%d is out of range: %s has %d members (0..%d)", m, r.Population, n, n-1)
				case dup[m]:
					c.errorf(nkey, "neuron %d is listed twice", m)
				}
				dup[m] = true
			}
		}
		seen := map[string]bool{}
		for k, v := range r.Variables {
			vkey := indexKey(key+".variables", k)
			switch {
			case strings.TrimSpace(v) == "":
				c.errorf(vkey, "a variable name must not be empty")
			case seen[v]:
				c.errorf(vkey, "variable %q is listed twice", v)
			}
			seen[v] = true
		}
	}
	// Sampling interval: default 1 min, on the grid, at least one tick.
	if r.Sample == 0 {
		r.Sample = DefaultStateInterval
	}
	ikey := key + ".interval"
	if !(r.Sample > 0) || math.IsInf(r.Sample, 0) {
		c.errorf(ikey, "%g ms: must be > 0", r.Sample)
	} else if c.grid(ikey, r.Sample) {
		if n, _ := c.clock.Ticks(r.Sample); n < 1 {
			c.errorf(ikey, "%g ms: must be at least one tick (%g ms)", r.Sample, c.s.Resolution)
		}
	}
}

// synapseVars returns the per-synapse variables of a projection: its
// consolidation model's, or "weight".
func synapseVars(p *ProjectionSpec) []string {
	if p.Consolidation != nil {
		return p.Consolidation.Vars()
	}
	return []string{"weight"}
}

// compileState compiles a validated "synapses", "pathway" or
// "neuron_state" record.
func (r *RecordSpec) compileState(cr *Record, net *Network, index map[string]int, clock snnsim.Clock) *Record {
	switch cr.What {
	case RecordSynapses, RecordPathway:
		for k, p := range net.Projections {
			if p.Name == r.Projection {
				cr.Projection = k
			}
		}
		if r.Synapses != nil {
			cr.Synapses = slices.Sorted(slices.Values(r.Synapses))
		}
		cr.Variables = slices.Clone(r.Variables)
		if cr.Variables == nil {
			if c := net.Projections[cr.Projection].Consolidation; c != nil {
				cr.Variables = slices.Clone(c.Vars())
			} else {
				cr.Variables = []string{"weight"}
			}
		}
	case RecordNeuronState:
		cr.Populations = []int{index[r.Population]}
		if r.Neurons != nil {
			cr.Neurons = slices.Sorted(slices.Values(r.Neurons))
		}
		cr.Variables = slices.Clone(r.Variables)
	}
	interval := r.Sample
	if interval == 0 {
		interval = DefaultStateInterval
	}
	cr.Interval, _ = clock.Ticks(interval)
	for _, w := range r.Windows {
		a, _ := clock.Ticks(w[0])
		b, _ := clock.Ticks(w[1])
		cr.Windows = append(cr.Windows, Window{a, b})
	}
	return cr
}

// drawSynapses chooses n distinct indices from [0, total) with Floyd's
// algorithm and returns them increasing.
func drawSynapses(r *rand.Rand, n, total int) []int {
	chosen := make(map[int]bool, n)
	out := make([]int, 0, n)
	for j := total - n; j < total; j++ {
		t := r.IntN(j + 1)
		if chosen[t] {
			t = j
		}
		chosen[t] = true
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}
