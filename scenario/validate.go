package scenario

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/consolidation"
	"github.com/snnsim/snnsim/neuron"
	"github.com/snnsim/snnsim/source"
)

// maxSynapses bounds the expected number of synapses of one projection.
const maxSynapses = math.MaxInt32

// popKind is what validation knows about a population.
type popKind uint8

const (
	kindUnknown popKind = iota // the model is missing or unknown
	kindNeuron
	kindSource
)

// checker holds the state of one validation pass.
type checker struct {
	s      *Scenario
	errs   ErrorList
	clock  snnsim.Clock
	tickOK bool           // the resolution is valid
	index  map[string]int // population name -> first index
	kind   []popKind
	models map[string]consolidation.Params // target population name -> its consolidation model
}

func (c *checker) errorf(key, format string, args ...any) {
	c.add(key, fmt.Errorf(format, args...))
}

func (c *checker) add(key string, err error) {
	if k, what, ok := c.s.generatedKey(key); ok && k != key {
		key, err = k, fmt.Errorf("%s: %w", what, err)
	}
	c.errs = append(c.errs, c.s.loc.at(c.s.File, key, err))
}

// validate checks the meaning of the scenario (references, sizes, the tick
// grid, model parameters) and fills in defaults (projection names). It is
// run by Decode after decoding and again by Compile.
func (s *Scenario) validate() ErrorList {
	c := &checker{s: s, clock: snnsim.Clock{DT: s.Resolution}, index: map[string]int{}}
	if s.MemoryCurves != nil {
		c.memoryCurves()
		c.errs.sort(s.File)
		return c.errs
	}
	c.simulation()
	c.populations()
	for i, p := range s.Projections {
		c.projection(i, p)
	}
	names := map[string]int{}
	for i, p := range s.Projections {
		if p == nil || p.Name == "" {
			continue
		}
		if j, dup := names[p.Name]; dup {
			c.errorf(indexKey("projection", i)+".name", "duplicate projection name %q (projection[%d] has it too): name one of them", p.Name, j)
		} else {
			names[p.Name] = i
		}
	}
	for i, p := range s.Projections {
		if p != nil {
			c.consolidationParams(indexKey("projection", i), p)
		}
	}
	c.models = c.sharedConsolidation()
	c.modulators(c.models)
	s.resolved = c.groups()
	stimNames := map[string]int{}
	for i, st := range s.Stimuli {
		c.stimulus(i, st)
		if st == nil || st.Name == "" {
			continue
		}
		key := indexKey("stimulus", i) + ".name"
		if err := nameError(st.Name); err != nil {
			c.add(key, err)
		} else if _, err := strconv.Atoi(st.Name); err == nil {
			c.errorf(key, "%q: a stimulus name must not be a number (--set stimulus.N addresses the N-th stimulus)", st.Name)
		} else if j, dup := stimNames[st.Name]; dup {
			c.errorf(key, "duplicate stimulus name %q (stimulus[%d] has it too)", st.Name, j)
		} else {
			stimNames[st.Name] = i
		}
	}
	for i, r := range s.Records {
		c.record(i, r)
	}
	for i, g := range s.Guards {
		c.guard(i, g)
	}
	c.phases()
	c.errs.sort(s.File)
	return c.errs
}

func (c *checker) simulation() {
	s := c.s
	if s.nameGiven {
		if err := nameError(s.Name); err != nil {
			c.add("simulation.name", err)
		}
	}
	if !(s.Resolution > 0) || math.IsInf(s.Resolution, 0) {
		c.errorf("simulation.resolution", "%g ms: must be > 0", s.Resolution)
	} else {
		c.tickOK = true
	}
	switch {
	case !(s.Duration > 0) || math.IsInf(s.Duration, 0):
		c.errorf("simulation.duration", "%g ms: must be > 0", s.Duration)
	case c.tickOK:
		if _, err := c.clock.Ticks(s.Duration); err != nil {
			c.add("simulation.duration", err)
		}
	}
}

func (c *checker) populations() {
	s := c.s
	total := 0
	c.kind = make([]popKind, len(s.Populations))
	for i, p := range s.Populations {
		key := indexKey("population", i)
		if p == nil {
			c.errorf(key, "missing")
			continue
		}
		switch err := nameError(p.Name); {
		case err != nil:
			c.add(key+".name", err)
		default:
			if j, dup := c.index[p.Name]; dup {
				c.errorf(key+".name", "duplicate population name %q (population[%d] has it too)", p.Name, j)
			} else {
				c.index[p.Name] = i
			}
		}
		if p.Size < 1 {
			c.errorf(key+".size", "%d: must be >= 1", p.Size)
		}
		total += max(p.Size, 0)
		switch {
		case p.Neuron != nil && p.Source != nil:
			c.errorf(key+".model", "both neuron and source parameters are set")
		case p.Neuron != nil:
			c.kind[i] = kindNeuron
			c.params(key, p, p.Neuron.Validate())
		case p.Source != nil:
			c.kind[i] = kindSource
			c.params(key, p, p.Source.Validate())
			if pp, ok := p.Source.(*source.Pattern); ok {
				c.patternMembers(key+".params", pp, p.Size)
			}
			if p.InitV != nil {
				c.errorf(key+".init", "%s is a %s source: init applies only to neuron populations", p.Name, p.Source.Model())
			}
		default:
			c.errorf(key+".model", "required key is missing")
		}
		c.sourceLimits(key, p)
		if p.InitV != nil {
			if p.InitV.Dim != snnsim.Voltage {
				c.errorf(key+".init.v", "%s is a %s, but a voltage is needed", p.InitV, p.InitV.Dim)
			} else if err := p.InitV.check(); err != nil {
				c.add(key+".init.v", err)
			}
		}
	}
	if total > math.MaxInt32 {
		c.errorf("population", "%d neurons in all: at most %d are supported", total, math.MaxInt32)
	}
}

// params attributes a population model's Validate error to the parameter
// it names.
func (c *checker) params(key string, p *PopulationSpec, err error) {
	c.modelParams(key+".params", p.written, err)
}

// modelParams attributes a model's Validate error to the parameter it
// names in the table at key (written: the table as written).
func (c *checker) modelParams(key string, written map[string]any, err error) {
	if err != nil {
		c.add(paramAt(key, written, err))
	}
}

// paramAt returns the key path and the error to report for a model's
// Validate error err, a *snnsim.ParamError, on the table at key (written:
// the table as written). A value the scenario writes is shown as written,
// then the constraint, so that the error
//
//	neuron: lif_exp_current.tau_m = -20 ms: must be > 0
//
// of `tau_m = "-0.02 s"` reads `population[0].params.tau_m: "-0.02 s":
// must be > 0`.
func paramAt(key string, written map[string]any, err error) (string, error) {
	var pe *snnsim.ParamError
	if !errors.As(err, &pe) {
		return key, err
	}
	name := pe.BaseKey()
	// An element ("times[2]") or a fault of no single value keeps the
	// model's message, which says which element or what is wrong.
	if v, ok := written[name]; ok && pe.Key == name && pe.Value != nil {
		shown := fmt.Sprint(v)
		if s, ok := v.(string); ok {
			shown = fmt.Sprintf("%q", s)
		}
		err = &paramError{written: shown, constraint: pe.Constraint, err: err}
	}
	if strings.Contains(pe.Key, "].") {
		// A key inside a list of tables ("phases[0].rate"): the element's
		// own line.
		return joinKey(key, pe.Key), err
	}
	return joinKey(key, name), err
}

// ref resolves a population reference; it reports an undefined name.
func (c *checker) ref(key, name string) (int, bool) {
	if name == "" {
		c.errorf(key, "missing or empty: name a population")
		return 0, false
	}
	if i, ok := c.index[name]; ok {
		return i, true
	}
	var names []string
	for _, p := range c.s.Populations {
		if p != nil && p.Name != "" && !slices.Contains(names, p.Name) {
			names = append(names, p.Name)
		}
	}
	c.errorf(key, "undefined population %s%s; populations: %s", shortQuote(name), didYouMean(name, names), shortList(names))
	return 0, false
}

// neuronRef resolves a reference that must name a neuron population.
func (c *checker) neuronRef(key, name, role string) (int, bool) {
	i, ok := c.ref(key, name)
	if !ok {
		return 0, false
	}
	switch c.kind[i] {
	case kindSource:
		c.errorf(key, "%q is a %s source: %s must be a neuron population", name, c.s.Populations[i].Source.Model(), role)
		return 0, false
	case kindUnknown:
		return 0, false
	}
	return i, true
}

func (c *checker) projection(i int, p *ProjectionSpec) {
	key := indexKey("projection", i)
	if p == nil {
		c.errorf(key, "missing")
		return
	}
	from, fromOK := c.ref(key+".from", p.From)
	to, toOK := c.neuronRef(key+".to", p.To, "the target of a projection")
	if p.Name == "" && p.From != "" && p.To != "" {
		p.Name = p.From + "_to_" + p.To
	} else if p.Name != "" {
		if err := nameError(p.Name); err != nil {
			c.add(key+".name", err)
		}
	}
	if p.Receptor > neuron.Inh {
		c.errorf(key+".receptor", "unknown receptor %v", p.Receptor)
	}
	var nFrom, nTo int
	sizesOK := fromOK && toOK && c.s.Populations[from].Size > 0 && c.s.Populations[to].Size > 0
	if sizesOK {
		nFrom, nTo = c.s.Populations[from].Size, c.s.Populations[to].Size
	}
	self := fromOK && toOK && from == to
	cn := &p.Connect
	ckey := key + ".connect"
	expected := 0.0 // expected number of synapses
	switch cn.Rule {
	case "":
		c.errorf(ckey+".rule", "required key is missing")
	case AllToAll:
		expected = float64(nFrom) * float64(nTo)
	case OneToOne:
		if sizesOK && nFrom != nTo {
			c.errorf(ckey+".rule", "one_to_one needs populations of equal size, but %s has %d and %s has %d", p.From, nFrom, p.To, nTo)
		}
		if self && !cn.Autapses {
			c.errorf(ckey+".rule", "one_to_one from %s onto itself makes only autapses: set autapses = true", p.From)
		}
		expected = float64(nFrom)
	case FixedProbability:
		if !(cn.P >= 0 && cn.P <= 1) {
			c.errorf(ckey+".p", "%g: a probability must be between 0 and 1", cn.P)
		}
		expected = float64(nFrom) * float64(nTo) * cn.P
	case FixedIndegree, FixedOutdegree:
		pool, per, side := nFrom, nTo, "sources in "+p.From
		if cn.Rule == FixedOutdegree {
			pool, per, side = nTo, nFrom, "targets in "+p.To
		}
		if self && !cn.Autapses {
			pool--
		}
		switch {
		case cn.K < 0:
			c.errorf(ckey+".k", "%d: must be >= 0", cn.K)
		case sizesOK && !cn.Multapses && cn.K > pool:
			c.errorf(ckey+".k", "%d: without multapses k can be at most the %d available %s", cn.K, pool, side)
		case sizesOK && cn.K > 0 && pool < 1:
			c.errorf(ckey+".k", "%d: there are no available %s (autapses are off)", cn.K, side)
		}
		expected = float64(per) * float64(max(cn.K, 0))
	case DiscFieldsRule:
		switch {
		case cn.Width < 1:
			c.errorf(ckey+".width", "%d: must be >= 1", cn.Width)
		case cn.Height < 1:
			c.errorf(ckey+".height", "%d: must be >= 1", cn.Height)
		case sizesOK && int64(cn.Width)*int64(cn.Height) != int64(nFrom):
			c.errorf(ckey+".width", "a %d×%d grid has %d inputs, but %s has %d members: width × height must be its size", cn.Width, cn.Height, cn.Width*cn.Height, p.From, nFrom)
		}
		if !(cn.Radius >= 0) || math.IsInf(cn.Radius, 0) {
			c.errorf(ckey+".radius", "%g: must be a finite number of pixels >= 0", cn.Radius)
		}
		if !(cn.P >= 0 && cn.P <= 1) {
			c.errorf(ckey+".p", "%g: a probability must be between 0 and 1", cn.P)
		}
		expected = expectedSynapses(p, float64(nFrom), float64(nTo))
	case PairsRule:
		c.pairs(ckey+".file", p, nFrom, nTo, sizesOK)
		if cn.Pairs != nil {
			expected = float64(len(cn.Pairs.Source))
		}
	default:
		c.errorf(ckey+".rule", "unknown rule %q%s; rules: %s", cn.Rule, didYouMean(string(cn.Rule), rules), strings.Join(rules, ", "))
	}
	if sizesOK && expected > maxSynapses {
		c.errorf(ckey, "about %.3g synapses expected: at most %d per projection are supported", expected, maxSynapses)
	}
	pairs := cn.Pairs
	if cn.Rule != PairsRule {
		pairs = nil
	}
	// Weight.
	switch {
	case p.Weight == nil && (pairs == nil || pairs.Weight == nil):
		if cn.Rule != PairsRule || pairs != nil {
			c.errorf(key+".weight", "required key is missing")
		}
	case p.Weight != nil:
		if err := p.Weight.check(); err != nil {
			c.add(key+".weight", err)
		} else if p.Weight.Kind != Normal && p.Weight.min() < 0 {
			c.errorf(key+".weight", "%s: a weight must be >= 0 (it is a magnitude; receptor = \"inh\" makes it inhibitory)", p.Weight)
		}
		if toOK {
			if _, err := c.s.Populations[to].Neuron.WeightScale(p.Receptor, p.Weight.Dim); err != nil {
				c.add(key+".weight", err)
			}
		}
	default:
		if toOK {
			if _, err := c.s.Populations[to].Neuron.WeightScale(p.Receptor, pairs.WeightDim); err != nil {
				if pairs.Format == "mtx" {
					c.add(key+".connect.scale", fmt.Errorf("the weights of %s: %w", p.Connect.File, err))
				} else {
					c.add(key+".connect.file", fmt.Errorf("weight column: %w", err))
				}
			}
		}
	}
	// Delay.
	switch {
	case p.Delay == nil && (pairs == nil || pairs.Delay == nil):
		if cn.Rule != PairsRule || pairs != nil {
			c.errorf(key+".delay", "required key is missing")
		}
	case p.Delay != nil:
		dkey := key + ".delay"
		if p.Delay.Dim != snnsim.TimeDim {
			c.errorf(dkey, "%s is a %s, but a delay is a time", p.Delay, p.Delay.Dim)
		} else if err := p.Delay.check(); err != nil {
			c.add(dkey, err)
		} else if c.tickOK && p.Delay.Kind != Normal && p.Delay.min() < c.s.Resolution*(1-1e-9) {
			c.errorf(dkey, "%s: a delay must be at least the resolution (%g ms)", p.Delay, c.s.Resolution)
		}
	}
}

// pairs checks a pairs file's contents against the populations.
func (c *checker) pairs(key string, p *ProjectionSpec, nFrom, nTo int, sizesOK bool) {
	pr := p.Connect.Pairs
	if pr == nil {
		c.errorf(key, "required key is missing")
		return
	}
	name := p.Connect.File
	if len(pr.Source) != len(pr.Target) || (pr.Weight != nil && len(pr.Weight) != len(pr.Source)) || (pr.Delay != nil && len(pr.Delay) != len(pr.Source)) {
		c.errorf(key, "%s: the columns have different lengths", name)
		return
	}
	for k := range pr.Source {
		s, t := pr.Source[k], pr.Target[k]
		if sizesOK && (s < 0 || int(s) >= nFrom || t < 0 || int(t) >= nTo) {
			c.errorf(key, "%s: pair %d (%d, %d) is out of range: %s has %d members and %s has %d",
				name, k, s, t, p.From, nFrom, p.To, nTo)
			return
		}
		if pr.Weight != nil && !(pr.Weight[k] >= 0) {
			c.errorf(key, "%s: pair %d: weight %g must be >= 0", name, k, pr.Weight[k])
			return
		}
		if pr.Delay != nil && c.tickOK && !(pr.Delay[k] >= c.s.Resolution*(1-1e-9)) {
			c.errorf(key, "%s: pair %d: delay %g ms is shorter than the resolution (%g ms)", name, k, pr.Delay[k], c.s.Resolution)
			return
		}
	}
}

func (c *checker) stimulus(i int, st *StimulusSpec) {
	key := indexKey("stimulus", i)
	if st == nil {
		c.errorf(key, "missing")
		return
	}
	if st.Kind != "current_step" && st.Kind != "ou_current" {
		c.errorf(key+".kind", "unknown stimulus kind %q: the kinds are \"current_step\" and \"ou_current\"", st.Kind)
	}
	if st.Kind == "ou_current" {
		for _, q := range []struct {
			k string
			v float64
		}{{"mean", st.Mean}, {"sigma", st.Sigma}, {"init", st.Init}} {
			if math.IsNaN(q.v) || math.IsInf(q.v, 0) {
				c.errorf(key+"."+q.k, "%g pA: must be finite", q.v)
			}
		}
		if st.Sigma < 0 {
			c.errorf(key+".sigma", "%g pA: must be >= 0", st.Sigma)
		}
		if !(st.Tau > 0) || math.IsInf(st.Tau, 0) {
			c.errorf(key+".tau", "%g ms: must be > 0 and finite", st.Tau)
		}
	}
	what := "the population of a current step"
	if st.Kind == "ou_current" {
		what = "the population of an OU current"
	}
	if st.Group != "" {
		g, found := c.s.resolved.find(st.Group)
		switch {
		case !found && slices.Contains(c.s.groupNames(), st.Group):
			return // the group's own error is reported
		case !found:
			c.errorf(key+".group", "no group %q%s", st.Group, didYouMean(st.Group, c.s.groupNames()))
			return
		case st.Neurons != nil:
			c.errorf(key+".neurons", "a stimulus takes neurons or a group, not both")
			return
		case st.Population == "":
			st.Population = c.s.Populations[g.Population].Name
		case st.Population != c.s.Populations[g.Population].Name:
			c.errorf(key+".population", "%q, but group %q is of population %q", st.Population, st.Group, c.s.Populations[g.Population].Name)
			return
		}
	}
	pop, ok := c.neuronRef(key+".population", st.Population, what)
	if ok {
		n := c.s.Populations[pop].Size
		for k, m := range st.Neurons {
			if m < 0 || m >= n {
				c.errorf(indexKey(key+".neurons", k), "%d is out of range: %s has %d members (0..%d)", m, st.Population, n, n-1)
			}
		}
	}
	if math.IsNaN(st.Amplitude) || math.IsInf(st.Amplitude, 0) {
		c.errorf(key+".amplitude", "%g pA: must be finite", st.Amplitude)
	}
	startOK := c.grid(key+".start", st.Start)
	if startOK && st.Start < 0 {
		c.errorf(key+".start", "%g ms: must be >= 0", st.Start)
	}
	if !math.IsInf(st.Stop, 1) && c.grid(key+".stop", st.Stop) && startOK && !(st.Stop > st.Start) {
		c.errorf(key+".stop", "%g ms: must be after start (%g ms)", st.Stop, st.Start)
	}
}

// grid checks that a time lies on the tick grid.
func (c *checker) grid(key string, ms float64) bool {
	if !c.tickOK {
		return false
	}
	if _, err := c.clock.Ticks(ms); err != nil {
		c.add(key, err)
		return false
	}
	return true
}
