package consolidation

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
	"github.com/snnsim/snnsim/internal/registry"
)

// Params describes a model: a value struct of parameters whose TOML keys are
// given by `toml` tags and whose canonical units are given by `unit` tags
// (the convention of packages neuron and stdp: "1 h" is decoded to 3.6e6
// [ms]). The pointer types of this package's parameter structs implement it.
//
// A scenario decoder obtains the defaults from [Lookup], sets the keys the
// scenario gives, and calls Validate; [New] builds the model.
type Params interface {
	// Model returns the model's name as written in scenarios
	// ("tag_trigger_consolidation").
	Model() string
	// Validate checks every parameter and returns a *snnsim.ParamError
	// naming the first invalid one (by its TOML key), its value and the
	// constraint.
	Validate() error
	// Modulators lists the neuromodulator and drug level names the model
	// reads (see [Leveled]); nil when it reads none.
	Modulators() []string
	// Vars lists the per-synapse variable names of the model
	// ([Inspector]).
	Vars() []string
}

// Layout is what a model is bound to: the synapses of one or more
// projections onto one target population, concatenated in projection order.
// Synapse s (0 <= s < len(Target)) runs from presynaptic neuron Source[s]
// (an index into the concatenated source populations, 0 <= Source[s] <
// NPre) to target neuron Target[s] (0 <= Target[s] < NPost). Unit[s] is the
// compiled weight of synapse s: the weight that an efficacy of 1 transmits
// (models say how their efficacy is defined).
//
// Per-neuron shared state (protein, neuromodulator levels, tag counts)
// belongs to the target neurons, so all projections onto a population that
// use the same model share one Model.
type Layout struct {
	Clock  snnsim.Clock
	NPre   int
	NPost  int
	Source []int32
	Target []int32
	Unit   []float32
	// Projections holds the first synapse of each projection and, last, the
	// number of synapses (len = projections + 1); nil means one projection.
	// Models that initialise a fraction of synapses (a baseline of
	// consolidated synapses) do so per projection.
	Projections []snnsim.SynapseID
	// Seed derives every random stream of the model; per-synapse streams
	// derive from Seed and the synapse index (see [Streams]), so results do
	// not depend on the order in which synapses are processed.
	Seed uint64
}

// Validate checks the layout's sizes and indices.
func (l *Layout) Validate() error {
	if !(l.Clock.DT > 0) {
		return fmt.Errorf("consolidation: layout: resolution %g ms must be > 0", l.Clock.DT)
	}
	if len(l.Source) != len(l.Target) || len(l.Unit) != len(l.Target) {
		return fmt.Errorf("consolidation: layout: %d sources, %d targets and %d units differ", len(l.Source), len(l.Target), len(l.Unit))
	}
	for s := range l.Target {
		if l.Source[s] < 0 || int(l.Source[s]) >= l.NPre {
			return fmt.Errorf("consolidation: layout: synapse %d: source %d out of range [0, %d)", s, l.Source[s], l.NPre)
		}
		if l.Target[s] < 0 || int(l.Target[s]) >= l.NPost {
			return fmt.Errorf("consolidation: layout: synapse %d: target %d out of range [0, %d)", s, l.Target[s], l.NPost)
		}
	}
	return nil
}

// Model is a consolidation model bound to a [Layout]: it owns the
// per-synapse internal variables and the per-neuron shared variables,
// evolves its state over time, reacts to spikes and defines the efficacy
// that spike transmission uses. Model is the small core every model has;
// what only some models do is in the optional interfaces [RuleDriven],
// [Leveled], [Inspector], [NeuronInspector], [VoltageInduced] and
// [Stater], which the engine discovers once, when it binds the model.
//
// Contract (for the engine, which calls these from one goroutine, in tick
// order; t never decreases):
//
//   - Bind hands the model the array that spike delivery reads (len =
//     Len(), the number of synapses). The model writes every synapse's
//     transmitted weight into it at once, and from then on writes w[s]
//     whenever the efficacy of s changes. Nothing else writes w.
//   - At the start of every tick t that the engine processes, and whenever
//     Next() <= t, the engine calls Advance(t) first: the model does all its
//     internal work due at ticks <= t (slow-clock steps, scheduled tag
//     decays, protein switches). The engine jumps over quiet periods to
//     Next(), so a model with nothing to do returns snnsim.Never and costs
//     nothing. The cost of a quiet period must not depend on the number of
//     synapses at rest.
//   - Pre(t, i, lo, hi) is called when presynaptic neuron i's spike arrives
//     (emission + axonal delay) at synapses lo..hi-1, after a plasticity
//     rule's presynaptic pass on them (see [RuleDriven]) and before the spike
//     is delivered, so a model may refresh w[lo:hi] there (one whose
//     efficacy decays continuously, Benna–Fusi, brings it up to date only
//     then: the spike transmits the efficacy at its arrival). A source whose
//     synapses have different delays gets one Pre call per arrival tick.
//     Post(t, j) is called when target j spikes at t, after the neuron
//     update. Models whose induction is built in (voltage-based tags,
//     Ziegler's spike-triggered rule) act on them; others may ignore them.
type Model interface {
	// Name returns the model name, as Params.Model.
	Name() string
	// Len returns the number of synapses.
	Len() int
	// Bind sets the delivery array and fills it.
	Bind(w []float32)
	// Advance does the internal work due at ticks <= t.
	Advance(t snnsim.Time)
	// Next returns the earliest tick with internal work, or snnsim.Never.
	Next() snnsim.Time
	// Pre handles the arrival of presynaptic neuron i's spike at synapses
	// lo..hi-1 at tick t.
	Pre(t snnsim.Time, i int32, lo, hi snnsim.SynapseID)
	// Post handles target j's spike at tick t.
	Post(t snnsim.Time, j int32)
}

// RuleDriven is implemented by models that a plasticity rule (package
// stdp) drives: the model turns the rule's weight change dw of a synapse
// into a state change (an added charge, a potentiation or depression
// event, a tag). A rule's bounds clip its changes, so they should leave
// room around the rule weight (event models use only the sign).
//
// The rule works in place on the model's rule buffer, RuleWeights: a
// float32 array (len = Len()) that holds, for every synapse s, the weight
// the rule sees, rounded to float32 (the model's own variable for models
// whose weight is their state, a fixed weight for event models). After a
// rule pass over a group of synapses (one source's, one target's) the
// engine calls Changed once for the group; the model compares each entry
// with its rule weight, passes a difference dw = new − old (in float64) to
// Signal, and restores the entry to its rule weight. No call per synapse
// crosses the interface.
//
// The buffer holds the rule weights whenever the engine runs a rule: the
// model keeps it up to date when its own dynamics change a rule weight
// (built-in induction, slow-clock steps, Set, RestoreState). The caller
// brings the model to t (Advance(t)) before the rule pass at t, so that no
// internal work runs between the rule's pass and Changed.
type RuleDriven interface {
	// Signal passes one change dw of synapse s at tick t, computed
	// outside the buffer (a memory-curve experiment's ±1 events, tests).
	Signal(t snnsim.Time, s snnsim.SynapseID, dw float64)
	// RuleWeights returns the rule buffer, allocating and filling it on the
	// first call; later calls return the same array.
	RuleWeights() []float32
	// Changed takes the rule's changes of synapses off+syn[k] at tick t:
	// a source's synapses off, off+1, … with syn = 0, 1, …, or a target's
	// through a transposed index.
	Changed(t snnsim.Time, off snnsim.SynapseID, syn []int32)
}

// Leveled is implemented by models that read neuromodulator or drug
// levels. SetLevel(t, name, level) sets a level for all target neurons
// from tick t on ("dopamine", "inhibitor"); it returns an error for a name
// not in Modulators or an invalid level.
type Leveled interface {
	// Modulators lists the level names SetLevel accepts, as
	// Params.Modulators.
	Modulators() []string
	// SetLevel sets a neuromodulator or drug level from tick t on.
	SetLevel(t snnsim.Time, name string, level float64) error
}

// Inspector gives access to the per-synapse variables, for recording and
// embedding. Variables are reported as of the latest tick given to the
// model (by Advance, Pre, Post or a signal); slow variables change only at
// slow-clock steps.
type Inspector interface {
	// Vars lists the per-synapse variable names, as Params.Vars; the first
	// is the efficacy.
	Vars() []string
	// Get returns per-synapse variable v (an index into Vars) of synapse s.
	Get(v int, s snnsim.SynapseID) float64
	// Set sets per-synapse variable v of synapse s at tick t (for embedding
	// and tests) and updates the delivered weight. It returns an error for
	// a value outside the variable's range or a read-only variable.
	Set(t snnsim.Time, v int, s snnsim.SynapseID, x float64) error
}

// NeuronInspector is implemented by models with per-neuron variables
// (protein, tag counts), read as [Inspector] reads the synapses'.
type NeuronInspector interface {
	// NeuronVars lists the per-neuron variable names.
	NeuronVars() []string
	// NeuronGet returns per-neuron variable v of target j.
	NeuronGet(v int, j int32) float64
}

// VoltageInduced is implemented by models whose induction reads the
// postsynaptic membrane potential (Clopath et al. 2008). The engine calls
// Voltage after the target population's update at every tick it steps, with
// v(j) the potential of target j [mV] after the update (after a reset for
// neurons in fired) and fired the targets that spiked at t.
type VoltageInduced interface {
	Voltage(t snnsim.Time, v func(j int32) float64, fired []int32)
}

// Parted is implemented by models whose state decomposes by target
// neuron: the state of a target and of the synapses onto it depends only
// on the events of those synapses (arrivals, in the order of their ticks
// and sources), of that target (its spikes, its potential) and on random
// streams keyed by synapse or target, never on a sum or mean over several
// targets. Such a model can run split among the workers of a parallel run
// (package engine): each worker has a model of the whole layout, called
// only for the synapses onto its own targets, and SetPart tells the model
// which targets those are, so that its passes over every target
// (voltage-based induction) skip the others.
type Parted interface {
	// SetPart restricts the model's passes over the targets to targets
	// first .. end−1; it is called once, before any other call but Bind.
	SetPart(first, end int32)
}

// SynapseParted is implemented by Parted models with a pass over every
// synapse that does not depend on the targets' events (zenke_2015's slow
// step of w̃ when every synapse is stepped): given the synapses onto the
// part's targets, the pass visits only those. A worker's model is never
// asked for the state of another worker's synapses (JoinParts takes each
// synapse from the part that owns its target), so stepping them would be
// work that n workers repeat n times, and their lines would crowd the
// caches that the workers' own synapses need.
type SynapseParted interface {
	// SetPartSynapses restricts the model's passes over every synapse to
	// the synapses spans[2k] .. spans[2k+1]−1, for each k: increasing,
	// disjoint ranges, which hold every synapse onto the targets of
	// SetPart. It is called once, after SetPart and before any call but
	// Bind.
	SetPartSynapses(spans []int64)
}

// Referenced is implemented by models that keep a reference weight per
// synapse which a plasticity rule reads: zenke_2015 keeps the consolidated
// weight w̃ that the heterosynaptic term of the P11 rule (package stdp;
// Zenke, Agnes & Gerstner 2015) pulls each weight towards. The engine
// hands the rule its projection's window of ReferenceWeights.
type Referenced interface {
	// ReferenceWeights returns the reference weights of every synapse:
	// that of synapse s is ref[stride·s] (a model may keep other
	// variables between them, so that a synapse's variables share a cache
	// line). ref is the model's own array, which it updates in place and
	// never replaces, so that a rule may keep reading it.
	ReferenceWeights() (ref []float64, stride int)
	// Heterosynaptic reports whether the model applies a heterosynaptic
	// term of its own at postsynaptic spikes; with a rule that applies
	// one too, the term would be applied twice.
	Heterosynaptic() bool
}

// PostUpdater is implemented by [RuleDriven] models that can apply a
// rule's postsynaptic update of the form of the P11 rule (package stdp,
// stdp.PostFactorer; Zenke, Agnes & Gerstner 2015) to their own state in
// one pass, instead of a rule pass over the rule buffer followed by
// Changed: for each synapse s = off+syn[m] from source src[m], with x the
// rule weight of s (float32) and w̃ its reference weight,
//
//	v = x + a·zp[src[m]];  v −= b·(x − w̃) if b ≠ 0;  x' = float32(clip(v, wMin, wMax))
//
// in float64, then the change x' − x taken as Changed takes it. The
// result is that of the rule pass and Changed, bit for bit.
type PostUpdater interface {
	PostUpdate(t snnsim.Time, off snnsim.SynapseID, syn, src []int32, zp []float64, a, b, wMin, wMax float64)
}

// PreUpdater is implemented by [PostUpdater] models that can also apply a
// rule's presynaptic update of the form of the P11 rule (package stdp,
// stdp.PreFactorer) to their own state and hand out the delivered weights
// in the same pass, so that no delivery array needs to be kept: for each
// synapse s = off+k onto target tgt[k], with x the rule weight of s
// (float32),
//
//	x' = float32(max(wMin, x − c·q[tgt[k]] + δ))
//
// in float64, then the change x' − x taken as Changed takes it, and
// dst[k] = the delivered weight of s after the change. The result is that
// of the rule pass, Changed and a delivery array, bit for bit. A model
// used this way is never bound (Model.Bind): whoever delivers its spikes
// reads the weights through PreUpdate and Efficacies.
type PreUpdater interface {
	PreUpdate(t snnsim.Time, off snnsim.SynapseID, tgt []int32, q []float64, c, delta, wMin float64, dst []float32)
	// Efficacies writes the delivered weight of synapse off+k to dst[k]
	// for every k of dst, as the delivery array would hold it.
	Efficacies(dst []float32, off snnsim.SynapseID)
	// Efficacy returns the delivered weight of synapse s.
	Efficacy(s snnsim.SynapseID) float32
}

// LazyDelivery is implemented by models whose delivery array lags their
// state: the model writes a synapse's transmitted weight when one of its
// events needs it (an arrival, a visit of the synapse), while the
// variables the weight derives from move in between. The early weight of
// luboeinski_tetzlaff_2021 relaxes and its late weight captures protein
// between arrivals (Luboeinski & Tetzlaff 2021); the chain of Benna–Fusi
// decays (Benna & Fusi 2016). A spike transmits the weight of its arrival,
// which the model computes then (Model.Pre), so the delivery array serves
// spike delivery alone; whoever shows weights to a user (records, an
// embedding API) reads them here.
//
// CurrentWeight reports the weight that synapse s transmits given the
// model's state at tick t, as [Inspector] reports that state (the
// conditional mean where a variable is noisy), rounded to float32 as the
// delivery array holds it. It changes nothing. The caller brings the
// model to t first (Advance(t)); t is not before the latest tick given to
// the model.
type LazyDelivery interface {
	CurrentWeight(s snnsim.SynapseID, t snnsim.Time) float32
}

// ReferenceKeeper is implemented by the parameters of models that are
// [Referenced], so that a projection can be checked before its model is
// built.
type ReferenceKeeper interface {
	// Heterosynaptic reports whether a model built from these parameters
	// applies a heterosynaptic term of its own (Referenced.Heterosynaptic).
	Heterosynaptic() bool
}

// Presetter is implemented by the parameters of models with named
// parameter sets ([Presets]).
type Presetter interface {
	// ApplyPreset sets the parameters to the named set; an unknown name
	// gives an error that wraps ErrUnknownPreset and lists the known ones.
	ApplyPreset(name string) error
}

// ErrUnknownPreset is wrapped by the error for a preset name a model does
// not know.
var ErrUnknownPreset = errors.New("consolidation: unknown preset")

// presetLister is implemented by the Params of models with presets.
type presetLister interface {
	Presetter
	presetNames() []string
}

// Presets lists the preset names of the named model, sorted (nil for a
// model without presets or an unknown model).
func Presets(model string) []string {
	p, ok := Lookup(model)
	if !ok {
		return nil
	}
	l, ok := p.(presetLister)
	if !ok {
		return nil
	}
	names := slices.Clone(l.presetNames())
	slices.Sort(names)
	return names
}

// unknownPreset is the error for a preset name the model does not know.
func unknownPreset(model, name string) error {
	return fmt.Errorf("%w %q for model %s: use one of %s", ErrUnknownPreset, name, model, strings.Join(Presets(model), ", "))
}

// models is the table of models; each model's file registers it.
var models registry.Table[Params]

// Stater is implemented by models whose state goes into checkpoints:
// AppendState and RestoreState save and restore the whole state (not the
// parameters) as one checkpoint frame; a refused state leaves the model
// unchanged.
type Stater = checkpoint.Stater

// synapseModel is what every model of this package implements;
// fullModel adds the per-neuron variables and levels of the models that
// have them.
type (
	synapseModel interface {
		Model
		RuleDriven
		Inspector
		Stater
	}
	fullModel interface {
		synapseModel
		NeuronInspector
		Leveled
	}
)

var (
	_ synapseModel    = (*trivial)(nil)
	_ synapseModel    = (*zenke)(nil)
	_ Referenced      = (*zenke)(nil)
	_ PostUpdater     = (*zenke)(nil)
	_ PreUpdater      = (*zenke)(nil)
	_ Parted          = (*zenke)(nil)
	_ SynapseParted   = (*zenke)(nil)
	_ Leveled         = (*zenke)(nil)
	_ presetLister    = (*ZenkeParams)(nil)
	_ ReferenceKeeper = ZenkeParams{}
	_ synapseModel    = (*Binary)(nil)
	_ synapseModel    = (*Cascade)(nil)
	_ synapseModel    = (*BennaFusi)(nil)
	_ LazyDelivery    = (*BennaFusi)(nil)
	_ LazyDelivery    = (*lt21)(nil)
	_ fullModel       = (*ziegler)(nil)
	_ fullModel       = (*TTC)(nil)
	_ synapseModel    = (*metaplastic)(nil)
	_ synapseModel    = (*importance)(nil)
	_ Leveled         = (*importance)(nil)
	_ VoltageInduced  = (*TTC)(nil)
)

// Lookup returns the default parameters of the named model, as a pointer
// that a scenario decoder fills in, and whether the model exists.
func Lookup(name string) (Params, bool) { return models.Lookup(name) }

// Models lists the model names that Lookup knows, sorted.
func Models() []string { return models.Names() }

// builder is implemented by every Params type of this package.
type builder interface {
	build(l Layout) (Model, error)
}

// New validates p and l and returns the model bound to l.
func New(p Params, l Layout) (Model, error) {
	if p == nil {
		return nil, errors.New("consolidation: New: nil parameters")
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := l.Validate(); err != nil {
		return nil, err
	}
	b, ok := p.(builder)
	if !ok {
		return nil, fmt.Errorf("consolidation: parameters of type %T are not a model of this package", p)
	}
	return b.build(l)
}
