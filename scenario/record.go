package scenario

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/netlist"
)

var recordKinds = []string{string(netlist.RecordSpikes), string(netlist.RecordV), string(netlist.RecordRate), string(netlist.RecordWeights),
	string(netlist.RecordSynapses), string(netlist.RecordPathway), string(netlist.RecordNeuronState)}

// DefaultStateInterval is the sampling interval [ms] of a "synapses",
// "pathway" or "neuron_state" record without an interval key: 1 min.
const DefaultStateInterval = 60e3

// RecordSpec is a [[record]] table as written, in canonical units.
type RecordSpec struct {
	What        string   // a netlist.RecordKind: "spikes", "v", "rate", "weights", "synapses", "pathway", "neuron_state"
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
	// Group names a [[group]] whose members a "v" or "neuron_state"
	// record samples, instead of Populations (Population) and Neurons;
	// validation fills those in from it.
	Group     string
	fromGroup bool // Neurons and the population were filled in from Group
	// Variables are the variables of a "synapses", "pathway" or
	// "neuron_state" record, as written; nil: the default (see netlist.Record).
	Variables []string
	// Final asks for one more sample after the run's last tick (key
	// final = true), so that the state at the end of the run is in the log
	// whatever the sampling interval.
	Final bool
	// Split divides the statistics of a "pathway" or "neuron_state" record
	// by named sets of neurons (key split), as written; nil: no split.
	Split []SplitSet
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
	if netlist.RecordKind(r.What).State() {
		d.stateRecord(t, r)
		t.done()
		return r
	}
	if v, ok := t.strs("populations"); ok {
		r.Populations = v
	}
	if v, ok := d.neuronList(t, "neurons"); ok {
		r.Neurons = v
	}
	if v, ok := t.str("group", false); ok {
		r.Group = v
	}
	if v, ok := t.quantity("sample", snnsim.TimeDim, false); ok {
		r.Sample, r.sampleGiven = v, true
	}
	if v, ok := t.get("window", false); ok {
		r.Windows = d.windows(t.path("window"), v)
	}
	if v, ok := t.boolean("final"); ok {
		r.Final = v
	}
	if r.What == string(netlist.RecordWeights) {
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
	kind := netlist.RecordKind(r.What)
	if !slices.Contains(recordKinds, r.What) {
		c.errorf(key+".what", "cannot record %q: what may be %s", r.What, orList(recordKinds))
	}
	if r.Group != "" && !c.recordGroup(key, kind, r) {
		return
	}
	if kind == netlist.RecordWeights {
		c.weightsRecord(key, r)
	}
	if kind.State() {
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
		if kind == netlist.RecordV {
			p, ok = c.neuronRef(pkey, name, "a population whose membrane potential is recorded")
		} else {
			p, ok = c.ref(pkey, name)
		}
		if ok {
			sizes = append(sizes, c.s.Populations[p].Size)
		}
	}
	if r.Populations == nil && kind == netlist.RecordV {
		for p, k := range c.kind {
			if k == kindNeuron {
				sizes = append(sizes, c.s.Populations[p].Size)
			}
		}
	}
	// Neurons: "v" only, inside every population, each once.
	if r.Neurons != nil && kind != netlist.RecordV && slices.Contains(recordKinds, r.What) {
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
	case r.Sample != 0 && kind == netlist.RecordSpikes:
		c.errorf(key+".sample", "spikes are recorded as they happen: remove sample, or record \"rate\"")
	}
	switch {
	case r.Final && kind == netlist.RecordSpikes:
		c.errorf(key+".final", "spikes are recorded as they happen, up to the end of the run: remove final")
	case r.Final && kind == netlist.RecordRate:
		c.errorf(key+".final", "a rate is counted over whole bins and the last bin ends with the run: remove final, or choose a sample that divides the duration")
	}
	// Windows: on the grid, start >= 0, stop > start, increasing, disjoint.
	c.windowList(key+".window", r.Windows)
}

// compile turns a validated [[record]] table into a netlist.Record. The synapses of
// a "synapses" record with sample = n are drawn by Compile.
func (r *RecordSpec) compile(net *netlist.Network, index map[string]int, clock snnsim.Clock) *netlist.Record {
	cr := &netlist.Record{What: netlist.RecordKind(r.What), Final: r.Final}
	if cr.What.State() {
		return r.compileState(cr, net, index, clock)
	}
	if cr.What == netlist.RecordWeights {
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
			cr.Windows = append(cr.Windows, netlist.Window{Start: a, Stop: b})
		}
		return cr
	}
	for _, name := range r.Populations {
		cr.Populations = append(cr.Populations, index[name])
	}
	if r.Populations == nil {
		for i, p := range net.Populations {
			if cr.What != netlist.RecordV || p.Neuron != nil {
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
		cr.Windows = append(cr.Windows, netlist.Window{Start: a, Stop: b})
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
//	pathway       projection, variables, interval, window, split
//	neuron_state  population, neurons, variables, interval, window, split
func (d *decoder) stateRecord(t *table, r *RecordSpec) {
	kind := netlist.RecordKind(r.What)
	switch kind {
	case netlist.RecordSynapses, netlist.RecordPathway:
		r.Projection, _ = t.str("projection", true)
	case netlist.RecordNeuronState:
		if v, ok := t.str("group", false); ok {
			r.Group = v
		}
		r.Population, _ = t.str("population", r.Group == "")
		if v, ok := d.neuronList(t, "neurons"); ok {
			r.Neurons = v
		}
	}
	if kind == netlist.RecordSynapses {
		if v, ok := t.ints("synapses"); ok {
			r.Synapses = v
		}
	}
	if kind != netlist.RecordSynapses {
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
	if v, ok := t.boolean("final"); ok {
		r.Final = v
	}
	switch {
	case kind != netlist.RecordSynapses:
		if v, ok := t.get("split", false); ok {
			r.Split = d.decodeSplit(t.path("split"), v)
		}
	case t.has("split"):
		t.get("split", false)
		d.errorf(t.path("split"), "a synapses record has no split: record what = \"pathway\" for statistics by neuron set")
	}
}

// stateRecord validates a "synapses", "pathway" or "neuron_state" record
// and fills in the default interval.
func (c *checker) stateRecord(key string, r *RecordSpec) {
	kind := netlist.RecordKind(r.What)
	if r.Populations != nil {
		c.errorf(key+".populations", "a %s record has no populations", kind)
	}
	switch kind {
	case netlist.RecordSynapses, netlist.RecordPathway:
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
		if kind == netlist.RecordPathway {
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
	case netlist.RecordNeuronState:
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
	if r.Split != nil {
		c.split(key, r)
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

// split checks the split key of a pathway record (of a projection within
// one population) or a neuron_state record (without neurons): the sets
// must fit the population and be disjoint.
func (c *checker) split(key string, r *RecordSpec) {
	skey := key + ".split"
	var pop string
	switch netlist.RecordKind(r.What) {
	case netlist.RecordPathway:
		p := c.projectionRef(key+".projection", r.Projection)
		if p == nil {
			return
		}
		if p.From != p.To {
			c.errorf(skey, "projection %s runs from %s to %s: split needs a projection within one population, whose sets name both ends", p.Name, p.From, p.To)
			return
		}
		pop = p.From
	case netlist.RecordNeuronState:
		if r.Neurons != nil {
			c.errorf(skey, "split and neurons exclude each other: the sets choose the neurons")
			return
		}
		pop = r.Population
	default:
		return
	}
	i, ok := c.index[pop]
	if !ok || c.s.Populations[i] == nil {
		return
	}
	resolveSplit(r.Split, c.s.Populations[i].Size, func(name, format string, args ...any) {
		c.errorf(joinKey(skey, name), format, args...)
	})
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
func (r *RecordSpec) compileState(cr *netlist.Record, net *netlist.Network, index map[string]int, clock snnsim.Clock) *netlist.Record {
	switch cr.What {
	case netlist.RecordSynapses, netlist.RecordPathway:
		for k, p := range net.Projections {
			if p.Name == r.Projection {
				cr.Projection = k
			}
		}
		if r.Synapses != nil {
			cr.Synapses = slices.Sorted(slices.Values(r.Synapses))
		}
		cr.Variables = slices.Clone(r.Variables)
		if r.Split != nil {
			from := net.Projections[cr.Projection].From
			cr.Split = resolveSplit(r.Split, net.Populations[from].Size, func(string, string, ...any) {})
		}
		if cr.Variables == nil {
			if c := net.Projections[cr.Projection].Consolidation; c != nil {
				cr.Variables = slices.Clone(c.Vars())
			} else {
				cr.Variables = []string{"weight"}
			}
		}
	case netlist.RecordNeuronState:
		cr.Populations = []int{index[r.Population]}
		if r.Neurons != nil {
			cr.Neurons = slices.Sorted(slices.Values(r.Neurons))
		}
		cr.Variables = slices.Clone(r.Variables)
		if r.Split != nil {
			cr.Split = resolveSplit(r.Split, net.Populations[index[r.Population]].Size, func(string, string, ...any) {})
		}
	}
	interval := r.Sample
	if interval == 0 {
		interval = DefaultStateInterval
	}
	cr.Interval, _ = clock.Ticks(interval)
	for _, w := range r.Windows {
		a, _ := clock.Ticks(w[0])
		b, _ := clock.Ticks(w[1])
		cr.Windows = append(cr.Windows, netlist.Window{Start: a, Stop: b})
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

// recordGroup fills in the population and the neurons of a record that
// names a group (sorted: records sample members in increasing order).
func (c *checker) recordGroup(key string, kind netlist.RecordKind, r *RecordSpec) bool {
	g, found := c.s.resolved.find(r.Group)
	switch {
	case !found && slices.Contains(c.s.groupNames(), r.Group):
		return false // the group's own error is reported
	case !found:
		c.errorf(key+".group", "no group %q%s", r.Group, didYouMean(r.Group, c.s.groupNames()))
		return false
	case kind != netlist.RecordV && kind != netlist.RecordNeuronState:
		c.errorf(key+".group", "a group chooses the neurons of a \"v\" or \"neuron_state\" record, not of a %q record", r.What)
		return false
	case r.Neurons != nil && !r.fromGroup:
		c.errorf(key+".neurons", "a record takes neurons or a group, not both")
		return false
	}
	pop := c.s.Populations[g.Population].Name
	if kind == netlist.RecordV {
		if r.Populations != nil && !slices.Equal(r.Populations, []string{pop}) {
			c.errorf(key+".populations", "%v, but group %q is of population %q", r.Populations, r.Group, pop)
			return false
		}
		r.Populations = []string{pop}
	} else {
		if r.Population != "" && r.Population != pop {
			c.errorf(key+".population", "%q, but group %q is of population %q", r.Population, r.Group, pop)
			return false
		}
		r.Population = pop
	}
	r.Neurons, r.fromGroup = slices.Sorted(slices.Values(g.Neurons)), true
	return true
}
