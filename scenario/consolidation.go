package scenario

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/consolidation"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/stdp"
)

// consolidationModels is where the decoder finds consolidation models:
// package consolidation's registry (tests add models of their own).
var consolidationModels = struct {
	lookup func(string) (consolidation.Params, bool)
	names  func() []string
}{consolidation.Lookup, consolidation.Models}

// InhibitorLevel is the level name of a [[drug]] of kind
// "protein_synthesis_inhibitor": 1 while the drug is applied, 0 otherwise.
const InhibitorLevel = "inhibitor"

// drugKinds lists the kinds of [[drug]] tables and the level each sets.
var drugKinds = map[string]string{"protein_synthesis_inhibitor": InhibitorLevel}

// NeuromodulatorSpec is a [[neuromodulator]] table: the time course of one
// level that the consolidation model of a population reads. Exactly one of
// Windows and Schedule is set.
type NeuromodulatorSpec struct {
	Population string       // a neuron population
	Name       string       // a level name in the model's Params.Modulators()
	Level      float64      // Windows: the level inside the windows (default 1); 0 outside
	Windows    [][2]float64 // [start, stop) [ms], in time order and disjoint; nil with a Schedule
	Schedule   []LevelStep  // piecewise constant; nil with Windows
}

// LevelStep is one step of a neuromodulator schedule: from At on, the
// level is Level.
type LevelStep struct {
	At    float64 // [ms]
	Level float64
}

// DrugSpec is a [[drug]] table: a drug applied to a population from Start
// to Stop. The only kind, "protein_synthesis_inhibitor", sets the level
// InhibitorLevel to 1 while it is applied.
type DrugSpec struct {
	Kind       string  // "protein_synthesis_inhibitor"
	Population string  // a neuron population
	Start      float64 // [ms]
	Stop       float64 // [ms]; +Inf when the drug is never washed out
}

// consolidation decodes a projection's consolidation table:
//
//	consolidation = { model = "tag_trigger_consolidation", theta_p = 60 }
//
// model names a model of package consolidation; the other keys are its
// parameters (Validate is the checker's, as for a population's params).
func (d *decoder) consolidation(t *table) (consolidation.Params, map[string]any) {
	name, ok := t.str("model", true)
	if !ok {
		t.ignore()
		return nil, nil
	}
	p, found := consolidationModels.lookup(name)
	if !found {
		known := consolidationModels.names()
		list := strings.Join(known, ", ")
		if len(known) == 0 {
			list = "none is registered"
		}
		d.errorf(t.path("model"), "unknown consolidation model %q%s (known: %s)", name, didYouMean(name, known), list)
		t.ignore()
		return nil, nil
	}
	if t.has("preset") || len(consolidation.Presets(name)) > 0 { // "preset" is a key only of models with presets
		if preset, ok := t.str("preset", false); ok {
			d.consolidationPreset(t, p, name, preset)
		}
	}
	d.params(t, p, name)
	return p, t.m
}

// consolidationPreset applies the named preset to the parameters p of the
// consolidation model name, before the table's keys override it.
func (d *decoder) consolidationPreset(t *table, p consolidation.Params, name, preset string) {
	ps, ok := p.(consolidation.Presetter)
	known := consolidation.Presets(name)
	if !ok || len(known) == 0 {
		d.errorf(t.path("preset"), "the consolidation model %s has no presets", name)
		return
	}
	if err := ps.ApplyPreset(preset); err != nil {
		if errors.Is(err, consolidation.ErrUnknownPreset) {
			d.errorf(t.path("preset"), "unknown preset %q for model %s%s (known: %s)", preset, name, didYouMean(preset, known), strings.Join(known, ", "))
		} else {
			d.add(t.path("preset"), err)
		}
	}
}

// neuromodulator decodes a [[neuromodulator]] table.
func (d *decoder) neuromodulator(t *table) *NeuromodulatorSpec {
	n := &NeuromodulatorSpec{Level: 1}
	n.Population, _ = t.str("population", true)
	n.Name, _ = t.str("name", true)
	hasW, hasS := t.has("windows"), t.has("schedule")
	switch {
	case hasW && hasS:
		d.errorf(t.path("schedule"), "give windows or schedule, not both")
	case !hasW && !hasS:
		d.errorf(t.key, `give the level's time course: windows = [["start", "stop"], ...] or schedule = [{ at = "...", level = x }, ...]`)
	}
	if v, ok := t.get("windows", false); ok && !hasS {
		n.Windows = d.windows(t.path("windows"), v)
	}
	if v, ok := t.quantity("level", snnsim.Dimensionless, false); ok {
		if !hasW {
			d.errorf(t.path("level"), "level is the level inside windows; a schedule gives each step's level")
		}
		n.Level = v
	}
	if hasS && !hasW {
		steps := t.tables("schedule", false)
		if len(steps) == 0 && !t.quiet {
			if _, isArr := t.m["schedule"].([]any); isArr {
				d.errorf(t.path("schedule"), "the schedule is empty: give at least one step { at = \"...\", level = x }")
			}
		}
		for _, st := range steps {
			var ls LevelStep
			ls.At, _ = st.quantity("at", snnsim.TimeDim, true)
			ls.Level, _ = st.quantity("level", snnsim.Dimensionless, true)
			st.done()
			n.Schedule = append(n.Schedule, ls)
		}
	} else {
		t.get("schedule", false)
	}
	t.done()
	return n
}

// drug decodes a [[drug]] table.
func (d *decoder) drug(t *table) *DrugSpec {
	g := &DrugSpec{Stop: math.Inf(1)}
	if k, ok := t.str("kind", true); ok {
		g.Kind = k
		if _, known := drugKinds[k]; !known {
			kinds := slices.Sorted(maps.Keys(drugKinds))
			d.errorf(t.path("kind"), "unknown drug kind %q%s: the only kind is %s", k, didYouMean(k, kinds), quoteList(kinds))
		}
	}
	g.Population, _ = t.str("population", true)
	g.Start, _ = t.quantity("start", snnsim.TimeDim, true)
	if v, ok := t.quantity("stop", snnsim.TimeDim, false); ok {
		g.Stop = v
	}
	t.done()
	return g
}

// consolidationParams checks a projection's consolidation model: its
// parameters (Validate, attributed to the key it names).
func (c *checker) consolidationParams(key string, p *ProjectionSpec) {
	c.referenceRule(key, p)
	if p.Consolidation == nil {
		return
	}
	c.modelParams(key+".consolidation", p.consWritten, p.Consolidation.Validate())
	if at, ok := p.Consolidation.(consolidation.ArrivalTimed); ok {
		want := at.TransmissionDelay()
		if p.Delay == nil || p.Delay.Kind != Const || math.Abs(p.Delay.A-want) > 1e-9*math.Max(1, want) {
			c.errorf(key+".delay", "%s assumes every spike of the projection arrives %g ms after it is emitted (its parameter delay): give the projection that fixed delay, or set consolidation.delay to the projection's",
				p.Consolidation.Model(), want)
		}
	}
}

// sharedConsolidation checks that all projections onto one population
// with consolidation name the same model with the same parameters, since
// they share the model's per-neuron state, and returns the model of each
// target population that has one.
func (c *checker) sharedConsolidation() map[string]consolidation.Params {
	first := map[string]int{} // target population -> projection index
	models := map[string]consolidation.Params{}
	for i, p := range c.s.Projections {
		if p == nil || p.Consolidation == nil || p.To == "" {
			continue
		}
		j, seen := first[p.To]
		if !seen {
			first[p.To] = i
			models[p.To] = p.Consolidation
			continue
		}
		q := c.s.Projections[j]
		key := indexKey("projection", i) + ".consolidation"
		why := "(they share the model's per-neuron state, such as protein)"
		if a, b := p.Consolidation.Model(), q.Consolidation.Model(); a != b {
			c.errorf(key, "model %s differs from the model %s of projection[%d] (%s) onto %s: all projections onto one population must use the same consolidation model with identical parameters %s",
				a, b, j, q.Name, p.To, why)
			continue
		}
		if diff := paramDiff(p.Consolidation, q.Consolidation); diff != "" {
			c.errorf(key, "%s: the parameters differ from those of projection[%d] (%s) onto %s (%s): all projections onto one population must use the same consolidation model with identical parameters %s",
				p.Consolidation.Model(), j, q.Name, p.To, diff, why)
		}
	}
	return models
}

// paramDiff describes the first parameter in which a and b (of one model)
// differ, or returns "" when they are equal.
func paramDiff(a, b any) string {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	if va.Kind() == reflect.Pointer {
		va, vb = va.Elem(), vb.Elem()
	}
	if va.Type() != vb.Type() {
		return "of another type"
	}
	if va.Kind() == reflect.Struct {
		if fields, err := paramFields(va.Type()); err == nil {
			for _, f := range fields {
				x, y := va.FieldByIndex(f.index).Interface(), vb.FieldByIndex(f.index).Interface()
				if !reflect.DeepEqual(x, y) {
					unit := ""
					if f.unit && f.dim != snnsim.Dimensionless {
						unit = " " + f.dim.Unit()
					}
					return fmt.Sprintf("%s = %v%s here, %v%s there", f.key, x, unit, y, unit)
				}
			}
		}
	}
	if !reflect.DeepEqual(va.Interface(), vb.Interface()) {
		return "an unexported setting differs"
	}
	return ""
}

// modulators checks the [[neuromodulator]] and [[drug]] tables against the
// consolidation models of the populations.
func (c *checker) modulators(models map[string]consolidation.Params) {
	type level struct{ pop, name string }
	owner := map[level]string{} // the key of the table that sets a level first
	var drugs = map[string][]int{}
	// accepts checks that the population's model reads the level name and
	// reports it at key otherwise.
	accepts := func(key, pop, name, what string) bool {
		m, ok := models[pop]
		if !ok {
			c.errorf(key, "no projection onto %s has consolidation, so no %s acts there: give a projection onto %s a consolidation table", pop, what, pop)
			return false
		}
		names := m.Modulators()
		if slices.Contains(names, name) {
			return true
		}
		accepted := "none: the model reads no level"
		if len(names) > 0 {
			accepted = quoteList(names)
		}
		c.errorf(key, "the consolidation model %s of the projections onto %s reads no level %q%s; names accepted there: %s", m.Model(), pop, name, didYouMean(name, names), accepted)
		return false
	}
	for i, n := range c.s.Neuromodulators {
		key := indexKey("neuromodulator", i)
		if n == nil {
			c.errorf(key, "missing")
			continue
		}
		_, popOK := c.neuronRef(key+".population", n.Population, "the population of a neuromodulator")
		switch {
		case n.Name == "":
			c.errorf(key+".name", "required key is missing")
		case popOK && accepts(key+".name", n.Population, n.Name, "neuromodulator"):
			l := level{n.Population, n.Name}
			if prev, dup := owner[l]; dup {
				c.errorf(key+".name", "%s already sets %s of %s: give all its windows or steps in one table", prev, n.Name, n.Population)
			} else {
				owner[l] = key
			}
		}
		switch {
		case n.Windows != nil && n.Schedule != nil:
			c.errorf(key+".schedule", "give windows or schedule, not both")
		case n.Windows == nil && n.Schedule == nil:
			c.errorf(key, `give the level's time course: windows = [["start", "stop"], ...] or schedule = [{ at = "...", level = x }, ...]`)
		}
		if n.Windows != nil {
			c.windowList(key+".windows", n.Windows)
			if !finite(n.Level) {
				c.errorf(key+".level", "%g: must be finite", n.Level)
			}
		}
		prev := math.Inf(-1)
		for k, st := range n.Schedule {
			skey := indexKey(key+".schedule", k)
			switch {
			case !c.grid(skey+".at", st.At):
			case st.At < 0:
				c.errorf(skey+".at", "%g ms: must be >= 0", st.At)
			case !(st.At > prev):
				c.errorf(skey+".at", "%g ms: must be after the step before it (%g ms): give the steps in time order", st.At, prev)
			}
			prev = st.At
			if !finite(st.Level) {
				c.errorf(skey+".level", "%g: must be finite", st.Level)
			}
		}
	}
	for i, g := range c.s.Drugs {
		key := indexKey("drug", i)
		if g == nil {
			c.errorf(key, "missing")
			continue
		}
		name, known := drugKinds[g.Kind]
		if !known {
			kinds := slices.Sorted(maps.Keys(drugKinds))
			c.errorf(key+".kind", "unknown drug kind %q: the only kind is %s", g.Kind, quoteList(kinds))
		}
		_, popOK := c.neuronRef(key+".population", g.Population, "the population a drug is applied to")
		if known && popOK && accepts(key+".kind", g.Population, name, "drug") {
			if prev, set := owner[level{g.Population, name}]; set {
				c.errorf(key+".kind", "%s already sets the level %q of %s that this drug sets", prev, name, g.Population)
			}
			drugs[g.Population] = append(drugs[g.Population], i)
		}
		startOK := c.grid(key+".start", g.Start)
		if startOK && g.Start < 0 {
			c.errorf(key+".start", "%g ms: must be >= 0", g.Start)
			startOK = false
		}
		if !math.IsInf(g.Stop, 1) && c.grid(key+".stop", g.Stop) && startOK && !(g.Stop > g.Start) {
			c.errorf(key+".stop", "%g ms: must be after start (%g ms)", g.Stop, g.Start)
		}
	}
	// Applications of one drug to one population must not overlap: the
	// end of one would end the other.
	for _, idx := range drugs {
		sorted := slices.Clone(idx)
		slices.SortStableFunc(sorted, func(a, b int) int {
			return cmpFloat(c.s.Drugs[a].Start, c.s.Drugs[b].Start)
		})
		for k := 1; k < len(sorted); k++ {
			a, b := c.s.Drugs[sorted[k-1]], c.s.Drugs[sorted[k]]
			if b.Start < a.Stop {
				later := max(sorted[k-1], sorted[k])
				other := min(sorted[k-1], sorted[k])
				c.errorf(indexKey("drug", later)+".start", "drug[%d] (%s) is applied to %s during this one: applications of one drug to a population must not overlap",
					other, c.s.Drugs[other].Kind, b.Population)
			}
		}
	}
}

// windowList checks a list of windows [start, stop): on the grid, start >=
// 0, stop > start, in time order without overlap. A single window is
// reported at key, several at key[k].
func (c *checker) windowList(key string, ws [][2]float64) {
	prevStop := math.Inf(-1)
	for k, w := range ws {
		wkey := key
		if len(ws) > 1 {
			wkey = indexKey(key, k)
		}
		ok := c.grid(wkey, w[0]) && c.grid(wkey, w[1])
		switch {
		case !ok:
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

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// modulations compiles the neuromodulator and drug tables of a validated
// scenario into level changes sorted by tick: the [[neuromodulator]]
// tables first, then the [[drug]] tables, each in file order, and the
// changes of one table in time order, before a stable sort by tick. A
// window [start, stop) gives (start, level) and (stop, 0); a drug gives
// (start, 1) and, unless it is never washed out, (stop, 0).
func modulations(s *Scenario, index map[string]int, clock snnsim.Clock) []netlist.Modulation {
	var out []netlist.Modulation
	add := func(pop, name string, ms, level float64) {
		t, _ := clock.Ticks(ms)
		out = append(out, netlist.Modulation{Population: index[pop], Name: name, At: t, Level: level})
	}
	for _, n := range s.Neuromodulators {
		for _, w := range n.Windows {
			add(n.Population, n.Name, w[0], n.Level)
			add(n.Population, n.Name, w[1], 0)
		}
		for _, st := range n.Schedule {
			add(n.Population, n.Name, st.At, st.Level)
		}
	}
	for _, g := range s.Drugs {
		name := drugKinds[g.Kind]
		add(g.Population, name, g.Start, 1)
		if !math.IsInf(g.Stop, 1) {
			add(g.Population, name, g.Stop, 0)
		}
	}
	slices.SortStableFunc(out, func(a, b netlist.Modulation) int {
		switch {
		case a.At < b.At:
			return -1
		case a.At > b.At:
			return 1
		}
		return 0
	})
	return out
}

// referenceRule checks a projection whose plasticity rule reads reference
// weights (the p11 rule's w̃): its consolidation model must keep them
// (zenke_2015) and must not apply the heterosynaptic term as well.
func (c *checker) referenceRule(key string, p *ProjectionSpec) {
	rp, ok := p.Plasticity.(stdp.ReferenceParams)
	if !ok || !rp.ReadsReference() {
		return
	}
	rule := p.Plasticity.Rule()
	if p.Consolidation == nil {
		c.errorf(key+".plasticity", "the rule %s reads the reference weights w̃ of a consolidation model (its beta > 0): add consolidation = { model = \"zenke_2015\", preset = \"sim_rc_p11\" } to the projection, or set beta = 0", rule)
		return
	}
	keeper, ok := p.Consolidation.(consolidation.ReferenceKeeper)
	switch {
	case !ok:
		c.errorf(key+".consolidation", "the model %s keeps no reference weights, which the rule %s reads (its beta > 0): use the model zenke_2015, or set the rule's beta = 0", p.Consolidation.Model(), rule)
	case keeper.Heterosynaptic():
		c.errorf(key+".consolidation", "the rule %s applies the heterosynaptic term, and the model %s would apply it again: set the model's beta = 0 (its preset \"sim_rc_p11\" does)", rule, p.Consolidation.Model())
	}
}
