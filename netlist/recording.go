package netlist

import "github.com/snnsim/snnsim"

// RecordKind names what a [Record] records (the key what of a scenario's
// [[record]] table).
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

// Sampled reports whether k is recorded at a sampling interval (as opposed
// to as it happens, like spikes).
func (k RecordKind) Sampled() bool {
	return k == RecordV || k == RecordRate || k == RecordWeights || k.State()
}

// State reports whether k samples model state by name, the variables of
// Record.Variables ("synapses", "pathway", "neuron_state").
func (k RecordKind) State() bool {
	return k == RecordSynapses || k == RecordPathway || k == RecordNeuronState
}

// Window is a half-open range of ticks [Start, Stop).
type Window struct {
	Start, Stop snnsim.Time
}

// Contains reports whether tick t lies in the window.
func (w Window) Contains(t snnsim.Time) bool { return t >= w.Start && t < w.Stop }

// Record says what the run writes to its log (a scenario's [[record]]
// table, compiled): populations and projections are indices, times are
// ticks.
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
	// Final adds a sample after the last tick of the run (tick
	// Network.Duration−1), whether or not the windows and the interval
	// reach it, so that the log holds the state at the end of the run.
	// Sampled kinds other than "rate" only.
	Final bool
	// Split divides the statistics of a "pathway" or "neuron_state"
	// record by sets of neurons, disjoint and not empty: a "pathway"
	// record (of a projection within one population) writes the mean, the
	// standard deviation and the count of each variable over the synapses
	// from each set to each set (every ordered pair of sets, the first set
	// outermost), a "neuron_state" record over the neurons of each set,
	// instead of the values of the whole. Neurons in no set are left out.
	// Nil: no split.
	Split []NeuronSet
}

// NeuronSet is a named set of members of one population: the assembly of
// a memory experiment, its complement, a cue.
type NeuronSet struct {
	Name    string // letters, digits and _; unique within a record
	Members []int  // member indices, strictly increasing
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
