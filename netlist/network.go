// Package netlist is the compiled network that the engine runs: populations
// of neurons or spike sources with consecutive global IDs, projections stored
// as compressed sparse rows (ordered by delay, then target, within a row),
// the transposed index that plasticity reads, stimuli, guards, records and
// neuromodulator schedules. Every quantity is in its canonical unit or in
// ticks, and every random choice has been drawn: a [Network] holds no
// run-time state.
//
// A Network comes from a scenario file (package scenario compiles one) or
// from code. The connectivity builders ([AllToAll], [OneToOne],
// [FixedProbability], [FixedIndegree], [FixedOutdegree], [ExplicitPairs])
// draw a projection's rows from a random stream; [SortRowsByDelay] puts
// rows in the order the engine delivers them, and [Network.Check] verifies
// what the engine takes on trust. The scenario compiler uses
// the same builders with the stream snnsim.NewRand(seed,
// "connect/<projection>"), so a network built in code with that stream has
// the synapses of the equivalent scenario.
package netlist

import (
	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/consolidation"
	"github.com/snnsim/snnsim/neuron"
	"github.com/snnsim/snnsim/source"
	"github.com/snnsim/snnsim/stdp"
)

// Network is a compiled scenario: every random choice (connectivity,
// weights, delays, initial state) has been drawn from the scenario seed, and
// every quantity is in its canonical unit or in ticks. It is the engine's
// input and holds no run-time state; the engine never changes it.
type Network struct {
	Name string // scenario name (default: file name without extension)
	File string // scenario file path, "" when built in code
	// Text is the scenario text as recorded in log headers: the file's
	// text, followed by a comment block listing Overrides when there are
	// any (see package scenario, Scenario.RecordedText).
	Text      string
	Overrides []string     // command-line overrides applied to the file ("KEY=VALUE"), nil for none
	Clock     snnsim.Clock // resolution
	Seed      uint64       // master seed
	Duration  snnsim.Time  // run length [ticks]

	Populations []*Population
	Projections []*Projection
	Stimuli     []*Stimulus
	Guards      []*Guard
	Records     []*Record
	// Modulations are the neuromodulator and drug level changes for the
	// consolidation models, sorted by tick (see Modulation).
	Modulations []Modulation
	// Phases are named stretches of the run, some with spiking off (see
	// Phase), in time order without overlap.
	Phases []*Phase
	// Groups are named sets of neurons (a scenario's [[group]] tables),
	// kept for the log header; the stimuli that use one hold its members.
	Groups []Group
}

// Group is a named set of members of one population.
type Group struct {
	Name       string
	Population int   // population index
	Neurons    []int // member indices, in the order defined
}

// Population is a group of neurons of one model, or a group of spike sources.
// Exactly one of Neuron and Source is set.
type Population struct {
	Name   string
	Size   int
	Offset int // global ID of member 0; populations occupy consecutive ranges in declaration order

	Neuron neuron.Params // model parameters for a neuron population
	Source source.Params // parameters for a source population
	InitV  []float64     // initial membrane potential per neuron [mV]; nil: v_rest
}

// Projection is the synapses from one population to another, stored as
// compressed sparse rows by source neuron (structure of arrays). The
// synapses of source i are the indices RowStart[i] .. RowStart[i+1]-1;
// within a row they are ordered by delay, then by target.
type Projection struct {
	Name     string
	From, To int // population indices
	Receptor neuron.Receptor

	RowStart []int64 // len From.Size+1
	Target   []int32 // target index within the To population
	// Weight holds per-synapse weights in the target model's internal unit
	// (neuron.Params.WeightScale). It is nil when every synapse has the
	// weight ConstWeight: the scenario compiler does that for a static projection
	// (without plasticity or consolidation) with a constant weight, which
	// saves 4 bytes a synapse. Use WeightAt or Weights to read either form.
	Weight      []float32
	ConstWeight float32
	// Delay holds per-synapse delays in ticks (>= 1). It is nil when every
	// synapse has the delay ConstDelay, which saves the array for the common case.
	Delay      []int32
	ConstDelay snnsim.Time

	// Plasticity is the rule that changes the weights, or nil for static
	// synapses. Its weight parameters are in the same internal unit as
	// Weight. A plastic projection has one delay per source neuron.
	Plasticity stdp.Params
	// PlasticityStart is the tick from which the rule changes weights; its
	// traces run from tick 0 (priming with plasticity off).
	PlasticityStart snnsim.Time

	// Consolidation is the consolidation model of the synapses (its
	// parameters, for consolidation.New), or nil for none; with
	// Plasticity, the rule's weight changes are the model's signals
	// (consolidation.RuleDriven). Every projection onto one population that has one
	// has the same model and parameters: they are bound to one
	// consolidation.Model over their concatenated synapses, which shares
	// the per-neuron state (protein, levels).
	Consolidation consolidation.Params

	// STP is the short-term plasticity of the projection, or nil for
	// none: each spike of a source neuron releases a fraction r of its
	// resources (stdp.STP) and every synapse of its row delivers w·r.
	// Plasticity and consolidation see the weights unscaled.
	STP *stdp.STP
}

// Len returns the number of synapses.
func (p *Projection) Len() int { return len(p.Target) }

// WeightAt returns the weight of synapse k.
func (p *Projection) WeightAt(k int64) float32 {
	if p.Weight == nil {
		return p.ConstWeight
	}
	return p.Weight[k]
}

// Weights returns the weights of all synapses: Weight itself, or a new
// array filled with ConstWeight.
func (p *Projection) Weights() []float32 {
	if p.Weight != nil {
		return p.Weight
	}
	w := make([]float32, p.Len())
	for k := range w {
		w[k] = p.ConstWeight
	}
	return w
}

// DelayOf returns the delay of synapse k in ticks.
func (p *Projection) DelayOf(k int64) snnsim.Time {
	if p.Delay == nil {
		return p.ConstDelay
	}
	return snnsim.Time(p.Delay[k])
}

// Stimulus is an input applied to neurons from outside the network.
type Stimulus struct {
	Name       string      // "" or a name unique among the stimuli, which keys its random streams
	Kind       string      // "current_step" or "ou_current"
	Population int         // target population index
	Neurons    []int       // members affected; nil for all
	Amplitude  float64     // bias current during the step [pA] (current_step)
	Start      snnsim.Time // onset tick
	Stop       snnsim.Time // end tick (snnsim.Never for none); the bias returns to the model's i_bias
	// An ou_current is an Ornstein–Uhlenbeck current, independent per
	// neuron, with stationary mean Mean and s.d. Sigma [pA], correlation
	// time Tau [ms], set to Init [pA] at Start (see source.OUCurrent).
	Mean, Sigma, Tau, Init float64
}

// Guard stops a run whose population fires too fast (a runaway network),
// after Auryn's RateChecker: the population's mean rate over each bin of
// Window ticks must not exceed MaxRate.
type Guard struct {
	Population int         // population index
	MaxRate    float64     // [Hz]
	Window     snnsim.Time // bin [ticks], >= 1
}
