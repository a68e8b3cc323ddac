package scenario

import (
	"math"
	"slices"
	"strings"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/consolidation"
)

// MemoryCurvesSpec is a [memory_curves] table with its
// [[memory_curves.model]] tables: a memory-curve experiment (Fusi, Drew &
// Abbott 2005; Benna & Fusi 2016)
// run on consolidation models directly, without neurons. Each model's
// experiment is [consolidation.MemoryCurveConfig] with the settings below;
// [MemoryCurvesSpec.Config] builds it.
type MemoryCurvesSpec struct {
	Synapses int                       // N, synapses per trial, >= 2
	Memories []int                     // the ages t at which to measure, >= 0, strictly ascending
	Trials   int                       // independent trials per model, >= 2
	Start    consolidation.MemoryStart // "equilibrium" (default) or "model"
	BurnIn   int                       // random memories stored before memory 0, >= 0

	Models []*MemoryCurveModel // in file order, at least one
}

// MemoryCurveModel is one [[memory_curves.model]] table: a consolidation
// model with a memory-curve setup (binary, cascade, benna_fusi) and its
// parameters.
type MemoryCurveModel struct {
	Name   string               // unique; default (filled in by validation) the model name
	Model  string               // a consolidation.Lookup name
	Params consolidation.Params // the model's parameters, keys left out at their defaults

	written map[string]any // the params table as written, for error messages
}

// memoryCurveStarts maps the start key's values to MemoryCurveConfig's.
var memoryCurveStarts = map[string]consolidation.MemoryStart{
	"equilibrium": consolidation.StartEquilibrium,
	"model":       consolidation.StartModel,
}

// networkTables are the top-level tables of a network scenario, which a
// memory-curve scenario does not have.
var networkTables = []string{"population", "projection", "stimulus", "record", "guard", "neuromodulator", "drug", "phase"}

// Config returns the experiment of model i (an index into Models) for the
// scenario seed: the spec's settings and a seed drawn from the stream
// "memory_curves/<name>", so that adding, removing or reordering models
// changes no other model's curve.
func (m *MemoryCurvesSpec) Config(seed uint64, i int) consolidation.MemoryCurveConfig {
	return consolidation.MemoryCurveConfig{
		N:      m.Synapses,
		Times:  append([]int(nil), m.Memories...),
		Trials: m.Trials,
		Seed:   snnsim.NewRand(seed, "memory_curves/"+m.Models[i].Name).Uint64(),
		Start:  m.Start,
		BurnIn: m.BurnIn,
	}
}

// memoryCurves decodes the [memory_curves] table of a memory-curve
// scenario and refuses the keys that belong to network scenarios. It always
// sets s.MemoryCurves, so that validation checks the scenario as a
// memory-curve scenario even when the table is broken.
func (d *decoder) memoryCurves(s *Scenario, root *table) {
	m := &MemoryCurvesSpec{}
	s.MemoryCurves = m
	for _, name := range networkTables {
		if root.has(name) {
			root.get(name, false)
			d.errorf(name, "a scenario with [memory_curves] has no [[%s]] tables: the experiment drives the synapse models directly, without neurons; move the network to a scenario of its own", name)
		}
	}
	if sim, ok := root.m["simulation"].(map[string]any); ok {
		for _, k := range []string{"duration", "resolution"} {
			if _, has := sim[k]; has {
				d.errorf(joinKey("simulation", k), "a scenario with [memory_curves] has no %s: its time is counted in memories (memory_curves.memories); remove this key", k)
			}
		}
	}
	t, ok := root.sub("memory_curves", true)
	if !ok {
		return
	}
	if n, ok := t.integer("synapses", true); ok {
		m.Synapses = clampInt(n)
	}
	if v, ok := t.ints("memories"); ok {
		m.Memories = v
	} else if !t.has("memories") {
		d.errorf(t.path("memories"), "required key is missing: give the ages t to measure at, e.g. memories = [0, 10, 100]")
	}
	if n, ok := t.integer("trials", true); ok {
		m.Trials = clampInt(n)
	}
	if v, ok := t.str("start", false); ok {
		st, known := memoryCurveStarts[v]
		if !known {
			d.errorf(t.path("start"), "unknown start %q%s: use \"equilibrium\" (a draw from the stationary distribution) or \"model\" (the state the model is built with)",
				v, didYouMean(v, []string{"equilibrium", "model"}))
		}
		m.Start = st
	}
	if n, ok := t.integer("burn_in", false); ok {
		m.BurnIn = clampInt(n)
	}
	for _, mt := range t.tables("model", false) {
		m.Models = append(m.Models, d.memoryCurveModel(mt))
	}
	t.done()
}

// clampInt converts n to an int within the int32 range, saturating, so
// that validation reports an out-of-range value as too large or too small.
func clampInt(n int64) int {
	return int(max(min(n, math.MaxInt32), math.MinInt32))
}

// memoryCurveModel decodes a [[memory_curves.model]] table.
func (d *decoder) memoryCurveModel(t *table) *MemoryCurveModel {
	mm := &MemoryCurveModel{}
	name, hasName := t.str("name", false)
	model, ok := t.str("model", true)
	mm.Model = model
	if ok {
		if p, found := consolidationModels.lookup(model); found {
			mm.Params = p
		} else {
			known := memoryCurveModelNames()
			d.errorf(t.path("model"), "unknown consolidation model %q%s; models with a memory curve: %s",
				model, didYouMean(model, known), strings.Join(known, ", "))
		}
	}
	if hasName {
		mm.Name = name
	}
	if pt, ok := t.sub("params", false); ok {
		if mm.Params != nil {
			mm.written = pt.m
			d.params(pt, mm.Params, model)
		} else {
			pt.ignore() // the model is unknown, so are its parameters
		}
	}
	t.done()
	return mm
}

// memoryCurveModelNames lists the registered consolidation models that
// have a memory-curve setup.
func memoryCurveModelNames() []string {
	var out []string
	for _, n := range consolidationModels.names() {
		if p, ok := consolidationModels.lookup(n); ok && probeMemoryCurve(p) == nil {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		out = []string{"none is registered"}
	}
	return out
}

// probeMemoryCurve runs the smallest memory-curve experiment on p (valid
// parameters), which fails when the model has no memory-curve setup or its
// oracle cannot be built.
func probeMemoryCurve(p consolidation.Params) error {
	_, err := consolidation.MemoryCurveConfig{N: 2, Times: []int{0}, Trials: 1}.Run(p)
	return err
}

// memoryCurves checks a memory-curve scenario: no network, no duration,
// the experiment's settings, and each model's name and parameters.
func (c *checker) memoryCurves() {
	s, m := c.s, c.s.MemoryCurves
	for _, k := range networkTables {
		n := map[string]int{"population": len(s.Populations), "projection": len(s.Projections), "stimulus": len(s.Stimuli),
			"record": len(s.Records), "guard": len(s.Guards), "neuromodulator": len(s.Neuromodulators), "drug": len(s.Drugs),
			"phase": len(s.Phases)}[k]
		if n > 0 {
			c.errorf(k, "a scenario with [memory_curves] has no [[%s]] tables: the experiment drives the synapse models directly, without neurons", k)
		}
	}
	if s.Duration != 0 {
		c.errorf("simulation.duration", "a scenario with [memory_curves] has no duration: its time is counted in memories (memory_curves.memories)")
	}
	const key = "memory_curves"
	if m.Synapses < 2 {
		c.errorf(key+".synapses", "%d: must be >= 2", m.Synapses)
	}
	if m.Trials < 2 {
		c.errorf(key+".trials", "%d: must be >= 2 (a standard error needs two trials)", m.Trials)
	}
	if m.BurnIn < 0 {
		c.errorf(key+".burn_in", "%d: must be >= 0", m.BurnIn)
	}
	if m.Start != consolidation.StartEquilibrium && m.Start != consolidation.StartModel {
		c.errorf(key+".start", "unknown start %d", m.Start)
	}
	if len(m.Memories) == 0 {
		c.errorf(key+".memories", "is empty: give the ages t to measure at, e.g. memories = [0, 10, 100]")
	}
	for i, t := range m.Memories {
		switch {
		case t < 0:
			c.errorf(indexKey(key+".memories", i), "%d: must be >= 0 (t is the number of memories stored after the tracked one)", t)
		case i > 0 && t <= m.Memories[i-1]:
			c.errorf(indexKey(key+".memories", i), "%d: must be greater than the age before it (%d): give the ages in increasing order, each once", t, m.Memories[i-1])
		}
	}
	if len(m.Models) == 0 {
		c.errorf(key+".model", "the experiment has no [[memory_curves.model]] table; it needs at least one")
	}
	names := map[string]int{}
	for i, mm := range m.Models {
		mkey := indexKey(key+".model", i)
		if mm == nil {
			c.errorf(mkey, "missing")
			continue
		}
		if mm.Name == "" && mm.Params != nil {
			mm.Name = mm.Params.Model()
		}
		switch {
		case mm.Name == "":
			// no model either: reported below
		case nameError(mm.Name) != nil:
			c.add(mkey+".name", nameError(mm.Name))
		default:
			if j, dup := names[mm.Name]; dup {
				c.errorf(mkey+".name", "duplicate model name %q (memory_curves.model[%d] has it too): name one of them", mm.Name, j)
			} else {
				names[mm.Name] = i
			}
		}
		if mm.Params == nil {
			c.errorf(mkey+".model", "required key is missing")
			continue
		}
		if mm.Model != "" && mm.Model != mm.Params.Model() {
			c.errorf(mkey+".model", "%q, but the parameters are those of %s", mm.Model, mm.Params.Model())
			continue
		}
		if err := mm.Params.Validate(); err != nil {
			c.modelParams(mkey+".params", mm.written, err)
			continue
		}
		if err := probeMemoryCurve(mm.Params); err != nil {
			if known := memoryCurveModelNames(); !slices.Contains(known, mm.Params.Model()) {
				c.errorf(mkey+".model", "%s has no memory-curve setup; models with one: %s", mm.Params.Model(), strings.Join(known, ", "))
			} else {
				c.add(mkey+".model", err)
			}
		}
	}
}
