package scenario

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/consolidation"
	"github.com/snnsim/snnsim/neuron"
	"github.com/snnsim/snnsim/source"
	"github.com/snnsim/snnsim/stdp"
)

// Scenario is a decoded and validated scenario file: what the file says,
// with every quantity converted to its canonical unit, and no random choice
// made yet. [Scenario.Compile] draws the network from Seed. A program may
// change the fields (the CLI overrides Seed and Duration) before compiling;
// Compile validates again.
type Scenario struct {
	Name       string  // [simulation] name; default: the file name without extension
	File       string  // path the scenario was read from, "" when decoded from memory
	Text       string  // the scenario file's text (without the overrides; see RecordedText)
	Seed       uint64  // master seed of every random stream
	Duration   float64 // run length [ms]
	Resolution float64 // tick length [ms]
	nameGiven  bool    // Name comes from [simulation] name (checked), not from the file name

	Populations []*PopulationSpec // in declaration order
	Projections []*ProjectionSpec
	Stimuli     []*StimulusSpec
	Records     []*RecordSpec
	// Groups are the named sets of neurons ([[group]]) that stimuli refer
	// to by name.
	Groups []*GroupSpec
	Guards []*GuardSpec
	// Neuromodulators and Drugs set the levels that consolidation models
	// read (see netlist.Modulation).
	Neuromodulators []*NeuromodulatorSpec
	Drugs           []*DrugSpec
	// Phases are the [[phase]] tables: named stretches of the run, some
	// with spiking off.
	Phases []*PhaseSpec

	// Sequence is the [sequence] table, or nil. Decoding has appended its
	// groups, stimuli and phases to Groups, Stimuli and Phases, after the
	// file's own.
	Sequence *SequenceSpec

	// MemoryCurves is the [memory_curves] experiment, or nil for a network
	// scenario. A scenario with one has no populations and no duration;
	// Compile gives it an empty network.
	MemoryCurves *MemoryCurvesSpec

	// Overrides are the command-line overrides applied to the file's text
	// ("KEY=VALUE", in the order applied; see DecodeOverrides); nil for
	// none.
	Overrides []string

	loc *locator // key positions in Text; nil when not decoded from text

	resolved groupSet // Groups resolved by the last validation (with Seed)
}

// PopulationSpec is a [[population]] table.
type PopulationSpec struct {
	Name   string
	Size   int
	Model  string        // a neuron.Lookup or source.Lookup name
	Neuron neuron.Params // parameters of a neuron population, nil for a source
	Source source.Params // parameters of a source population, nil for neurons
	InitV  *Dist         // initial membrane potential [mV]; nil: the model's v_rest

	written map[string]any // the params table as written, for error messages
}

// ProjectionSpec is a [[projection]] table.
type ProjectionSpec struct {
	Name     string // default "<from>_to_<to>"
	From, To string // population names
	Receptor neuron.Receptor
	Connect  Connect
	Weight   *Dist // magnitude in the canonical unit of Weight.Dim; nil when a pairs file gives weights
	Delay    *Dist // [ms]; nil when a pairs file gives delays

	Plasticity      stdp.Params // the plasticity rule, or nil for static synapses
	PlasticityStart float64     // time from which the rule changes weights [ms]; traces run from 0

	// Consolidation is the consolidation model of the synapses (from
	// consolidation.Lookup, parameters set), or nil for none. It may be
	// given with or without Plasticity. Every projection onto one target
	// population that has one must have the same model and parameters.
	Consolidation consolidation.Params

	// STP is the short-term plasticity of the source neurons on this
	// projection (the stp table), or nil for none.
	STP *stdp.STP

	consWritten map[string]any // the consolidation table as written, for error messages
}

// Rule names a connectivity rule.
type Rule string

// The connectivity rules.
const (
	AllToAll         Rule = "all_to_all"            // every source to every target
	OneToOne         Rule = "one_to_one"            // source i to target i; equal sizes
	FixedProbability Rule = "fixed_probability"     // each pair independently with probability P
	FixedIndegree    Rule = "fixed_indegree"        // each target from K sources drawn at random
	FixedOutdegree   Rule = "fixed_outdegree"       // each source to K targets drawn at random
	PairsRule        Rule = "pairs"                 // the pairs listed in a CSV, adjacency or Matrix Market file
	DiscFieldsRule   Rule = "disc_receptive_fields" // each target from the inputs within a disc on a grid
)

var rules = []string{string(AllToAll), string(OneToOne), string(FixedProbability), string(FixedIndegree), string(FixedOutdegree), string(PairsRule), string(DiscFieldsRule)}

// Connect is a projection's connect table.
type Connect struct {
	Rule      Rule
	P         float64 // fixed_probability: connection probability, 0 <= P <= 1
	K         int     // fixed_indegree, fixed_outdegree: synapses per target or source
	Autapses  bool    // allow a neuron to connect to itself (when from == to)
	Multapses bool    // fixed_indegree/outdegree: allow repeated pairs
	File      string  // pairs: the CSV file as written (relative to the scenario)
	Pairs     *Pairs  // pairs: the file's contents
	// disc_receptive_fields: the input grid (Width·Height sources), the
	// disc's radius in pixels; P is the probability of each pixel within it.
	Width, Height int
	Radius        float64
}

// Pairs is the contents of a pairs CSV file.
type Pairs struct {
	Path      string           // the file as opened
	Format    string           // "csv", "adjacency" or "mtx"
	Source    []int32          // index in the from population, per pair
	Target    []int32          // index in the to population, per pair
	Weight    []float64        // per pair in the canonical unit of WeightDim; nil without a weight column
	WeightDim snnsim.Dimension // dimension of the weight column
	Delay     []float64        // per pair [ms]; nil without a delay column
}

// StimulusSpec is a [[stimulus]] table.
type StimulusSpec struct {
	Name       string  // optional, unique among the stimuli; keys its random streams and --set stimulus.NAME
	Kind       string  // "current_step" or "ou_current"
	Population string  // a neuron population; with Group, the group's (it may be left out)
	Neurons    []int   // members affected; nil for all (or the group's)
	Group      string  // a [[group]] whose members are affected, instead of Neurons
	Amplitude  float64 // [pA] (current_step)
	Start      float64 // [ms]
	Stop       float64 // [ms]; +Inf when the stimulus never ends
	// ou_current: an Ornstein–Uhlenbeck current per neuron with
	// stationary mean Mean and s.d. Sigma [pA] and correlation time Tau
	// [ms], set to Init [pA] (default: Mean) at Start.
	Mean, Sigma, Tau, Init float64
}

// Load reads and decodes the scenario file at path. See [Decode].
func Load(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, ErrorList{{File: path, Err: err}}
	}
	return Decode(path, data)
}

// Decode decodes and validates a scenario. file names it in errors and
// locates the files it refers to (relative paths are relative to file's
// directory); data is its text. On failure the error is an [ErrorList] that
// holds every problem found, each with its file, line and key.
func Decode(file string, data []byte) (*Scenario, error) {
	return decode(file, data, nil)
}

// decode is Decode with the command-line overrides sets (see
// DecodeOverrides).
func decode(file string, data []byte, sets []string) (*Scenario, error) {
	text := string(data)
	var raw map[string]any
	if _, err := toml.Decode(text, &raw); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, ErrorList{{File: file, Line: pe.Position.Line, Key: pe.LastKey, Err: syntaxError{pe}}}
		}
		return nil, ErrorList{{File: file, Err: err}}
	}
	if raw == nil {
		raw = map[string]any{}
	}
	loc := locate(text)
	if len(sets) > 0 {
		paths, errs := applyOverrides(file, raw, sets)
		if len(errs) > 0 {
			return nil, errs
		}
		loc.sets = paths
	}
	d := &decoder{file: file, loc: loc}
	s := &Scenario{File: file, Text: text, loc: d.loc}
	if len(sets) > 0 {
		s.Overrides = slices.Clone(sets)
	}
	d.scenario(s, raw)
	errs := d.errs
	for _, e := range s.validate() {
		if !related(e, errs) {
			errs = append(errs, e)
		}
	}
	if len(errs) > 0 {
		errs.sort(file)
		return nil, errs
	}
	return s, nil
}

// related reports whether errs already holds an error on e's key, on a key
// inside it or on a key that contains it, so that validation does not repeat
// a problem that decoding found (a bad value decodes as missing).
func related(e *ParseError, errs ErrorList) bool {
	for _, f := range errs {
		if within(e.Key, f.Key) || within(f.Key, e.Key) {
			return true
		}
	}
	return false
}

// within reports whether key is outer or a key inside it.
func within(key, outer string) bool {
	if outer == "" {
		return false
	}
	if key == outer {
		return true
	}
	return strings.HasPrefix(key, outer) && (key[len(outer)] == '.' || key[len(outer)] == '[')
}

// scenario decodes the top-level tables.
func (d *decoder) scenario(s *Scenario, raw map[string]any) {
	root := d.table("", raw)
	s.Seed = 1
	s.Resolution = 0.1
	if d.file != "" {
		base := filepath.Base(d.file)
		s.Name = strings.TrimSuffix(base, filepath.Ext(base))
	}
	mc := root.has("memory_curves") // a memory-curve scenario: no network, no duration
	if !root.has("simulation") && !mc {
		d.errorf("simulation", "the scenario has no [simulation] table; it needs at least duration = \"...\"")
	}
	if sim, ok := root.sub("simulation", false); ok {
		if v, ok := sim.str("name", false); ok {
			s.Name, s.nameGiven = v, true
		}
		if v, ok := sim.quantity("duration", snnsim.TimeDim, !mc); ok {
			s.Duration = v
		}
		if v, ok := sim.quantity("resolution", snnsim.TimeDim, false); ok {
			s.Resolution = v
		}
		if v, ok := sim.integer("seed", false); ok {
			if v < 0 {
				d.errorf(sim.path("seed"), "%d: must be a non-negative integer", v)
			} else {
				s.Seed = uint64(v)
			}
		}
		sim.done()
	}
	if mc {
		d.memoryCurves(s, root)
		root.done()
		return
	}
	for _, t := range root.tables("population", true) {
		p := d.population(t)
		s.Populations = append(s.Populations, p)
		d.maxSize = max(d.maxSize, p.Size)
	}
	for _, t := range root.tables("projection", false) {
		s.Projections = append(s.Projections, d.projection(t, s))
	}
	for _, t := range root.tables("group", false) {
		s.Groups = append(s.Groups, d.group(t))
	}
	for _, t := range root.tables("stimulus", false) {
		s.Stimuli = append(s.Stimuli, d.stimulus(t))
	}
	for _, t := range root.tables("record", false) {
		s.Records = append(s.Records, d.record(t))
	}
	for _, t := range root.tables("guard", false) {
		s.Guards = append(s.Guards, d.guard(t))
	}
	for _, t := range root.tables("neuromodulator", false) {
		s.Neuromodulators = append(s.Neuromodulators, d.neuromodulator(t))
	}
	for _, t := range root.tables("drug", false) {
		s.Drugs = append(s.Drugs, d.drug(t))
	}
	for _, t := range root.tables("phase", false) {
		s.Phases = append(s.Phases, d.phase(t))
	}
	if t, ok := root.sub("sequence", false); ok {
		d.sequence(t, s)
	}
	root.done()
}

func (d *decoder) population(t *table) *PopulationSpec {
	p := &PopulationSpec{}
	p.Name, _ = t.str("name", true)
	if n, ok := t.integer("size", true); ok {
		if n < 1 || n > math.MaxInt32 {
			d.errorf(t.path("size"), "%d: must be between 1 and %d", n, math.MaxInt32)
		} else {
			p.Size = int(n)
		}
	}
	model, ok := t.str("model", true)
	p.Model = model
	if ok {
		if np, ok := neuron.Lookup(model); ok {
			p.Neuron = np
		} else if sp, ok := source.Lookup(model); ok {
			p.Source = sp
		} else {
			all := append(neuron.Models(), source.Models()...)
			d.errorf(t.path("model"), "unknown model %q%s; neuron models: %s; sources: %s",
				model, didYouMean(model, all), strings.Join(neuron.Models(), ", "), strings.Join(source.Models(), ", "))
		}
	}
	if pt, ok := t.sub("params", false); ok {
		switch {
		case p.Neuron != nil:
			p.written = pt.m
			d.params(pt, p.Neuron, p.Model)
		case p.Source != nil:
			p.written = pt.m
			d.params(pt, p.Source, p.Model)
			if pp, ok := p.Source.(*source.Pattern); ok {
				d.patternFiles(pt, pp)
			}
		default:
			pt.ignore() // the model is unknown, so are its parameters
		}
	}
	if it, ok := t.sub("init", false); ok {
		p.InitV = it.dist("v", snnsim.Voltage, false, false)
		it.done()
	}
	t.done()
	return p
}

func (d *decoder) projection(t *table, s *Scenario) *ProjectionSpec {
	p := &ProjectionSpec{}
	p.Name, _ = t.str("name", false)
	p.From, _ = t.str("from", true)
	p.To, _ = t.str("to", true)
	if r, ok := t.str("receptor", true); ok {
		switch r {
		case "exc":
			p.Receptor = neuron.Exc
		case "inh":
			p.Receptor = neuron.Inh
		default:
			d.errorf(t.path("receptor"), "unknown receptor %q%s: use \"exc\" or \"inh\"", r, didYouMean(r, []string{"exc", "inh"}))
		}
	}
	var pairs *Pairs
	if c, ok := t.sub("connect", true); ok {
		p.Connect = d.connect(c, s, p)
		pairs = p.Connect.Pairs
	}
	// With a pairs file, weight and delay are required unless the file has
	// a column for them (or could not be read).
	isPairs := p.Connect.Rule == PairsRule
	w := t.dist("weight", 0, true, !isPairs || (pairs != nil && pairs.Weight == nil))
	if pairs == nil || pairs.Weight == nil {
		p.Weight = w
	}
	dl := t.dist("delay", snnsim.TimeDim, false, !isPairs || (pairs != nil && pairs.Delay == nil))
	if pairs == nil || pairs.Delay == nil {
		p.Delay = dl
	}
	if pt, ok := t.sub("plasticity", false); ok {
		p.Plasticity, p.PlasticityStart = d.plasticity(pt)
	}
	if ct, ok := t.sub("consolidation", false); ok {
		p.Consolidation, p.consWritten = d.consolidation(ct)
	}
	if st, ok := t.sub("stp", false); ok {
		p.STP = d.stp(st)
	}
	if pairs != nil {
		// Both a column and a key: say which one wins rather than guess.
		if pairs.Weight != nil && t.has("weight") {
			d.errorf(t.path("weight"), "the pairs file %s has a weight column: remove this key or the column", p.Connect.File)
		}
		if pairs.Delay != nil && t.has("delay") {
			d.errorf(t.path("delay"), "the pairs file %s has a delay column: remove this key or the column", p.Connect.File)
		}
	}
	t.done()
	return p
}

func (d *decoder) connect(t *table, s *Scenario, p *ProjectionSpec) Connect {
	var c Connect
	rule, ok := t.str("rule", true)
	if !ok {
		t.ignore()
		return c
	}
	c.Rule = Rule(rule)
	switch c.Rule {
	case AllToAll, OneToOne:
		c.Autapses, _ = t.boolean("autapses")
	case FixedProbability:
		if v, ok := t.quantity("p", snnsim.Dimensionless, true); ok {
			if !(v >= 0 && v <= 1) {
				d.errorf(t.path("p"), "%g: a probability must be between 0 and 1", v)
			}
			c.P = v
		}
		c.Autapses, _ = t.boolean("autapses")
	case FixedIndegree, FixedOutdegree:
		if v, ok := t.integer("k", true); ok {
			if v < 0 || v > math.MaxInt32 {
				d.errorf(t.path("k"), "%d: must be between 0 and %d", v, math.MaxInt32)
			} else {
				c.K = int(v)
			}
		}
		c.Autapses, _ = t.boolean("autapses")
		c.Multapses, _ = t.boolean("multapses")
	case DiscFieldsRule:
		if v, ok := t.integer("width", true); ok {
			c.Width = int(min(max(v, -1), math.MaxInt32))
		}
		if v, ok := t.integer("height", true); ok {
			c.Height = int(min(max(v, -1), math.MaxInt32))
		}
		c.Radius, _ = t.quantity("radius", snnsim.Dimensionless, true)
		c.P = 1
		if v, ok := t.quantity("p", snnsim.Dimensionless, false); ok {
			c.P = v
		}
	case PairsRule:
		if f, ok := t.str("file", true); ok {
			c.File = f
			if pairs, adj := d.adjacencyConnect(t, s, p, f); adj {
				c.Pairs = pairs
			} else {
				c.Pairs = d.pairs(t.path("file"), f, s, p)
			}
		}
	default:
		d.errorf(t.path("rule"), "unknown rule %q%s; rules: %s", rule, didYouMean(rule, rules), strings.Join(rules, ", "))
		t.ignore()
		return c
	}
	t.doneFor("rule " + rule)
	return c
}

// stimulusKinds are the kinds of a [[stimulus]] table.
var stimulusKinds = []string{"current_step", "ou_current"}

func (d *decoder) stimulus(t *table) *StimulusSpec {
	st := &StimulusSpec{Stop: math.Inf(1)}
	if n, ok := t.str("name", false); ok {
		st.Name = n
	}
	if k, ok := t.str("kind", true); ok {
		st.Kind = k
		if k != "current_step" && k != "ou_current" {
			d.errorf(t.path("kind"), "unknown stimulus kind %q%s: the kinds are \"current_step\" and \"ou_current\"", k, didYouMean(k, stimulusKinds))
			t.ignore()
		}
	}
	if g, ok := t.str("group", false); ok {
		st.Group = g
	}
	st.Population, _ = t.str("population", st.Group == "")
	if st.Kind == "ou_current" {
		st.Mean, _ = t.quantity("mean", snnsim.Current, true)
		st.Sigma, _ = t.quantity("sigma", snnsim.Current, true)
		st.Tau, _ = t.quantity("tau", snnsim.TimeDim, true)
		st.Init = st.Mean
		if v, ok := t.quantity("init", snnsim.Current, false); ok {
			st.Init = v
		}
	} else {
		st.Amplitude, _ = t.quantity("amplitude", snnsim.Current, true)
	}
	st.Start, _ = t.quantity("start", snnsim.TimeDim, false)
	if v, ok := t.quantity("stop", snnsim.TimeDim, false); ok {
		st.Stop = v
	}
	if v, ok := d.neuronList(t, "neurons"); ok {
		st.Neurons = v
	}
	t.done()
	return st
}
