// Package source provides spike sources: populations whose spikes are given
// by a protocol rather than by membrane dynamics. Poisson trains (constant or
// piecewise-constant rate), explicit spike times, regular trains, tetanus
// protocols (trains of pulses) and bursts.
//
// A source owns no synapses; the engine treats its spikes like any neuron's.
// Every source is event-driven: it reports the tick of its next spike, so
// that the engine can jump over silent periods.
package source

import (
	"math/rand/v2"
	"sort"

	"github.com/snnsim/snnsim"
)

// Source is a population of n spike generators.
//
// The engine calls Next to learn when the next spike of any member is due,
// and Fire exactly at that tick (never earlier, never skipping a tick Next
// returned). Fire returns the members that spike at t in increasing order and
// moves the source past t. Calls come from one goroutine; slices passed in
// are not retained.
type Source interface {
	// Len returns the number of generators.
	Len() int
	// Next returns the earliest tick at which a member spikes, or snnsim.Never.
	Next() snnsim.Time
	// Fire appends to fired the members that spike at tick t (t == Next()) and
	// returns it.
	Fire(t snnsim.Time, fired []int32) []int32
}

// Params describes a source model: a value struct of parameters with units,
// the TOML keys given by `toml` tags and the canonical unit by `unit` tags
// (see package neuron for the convention).
type Params interface {
	// Model returns the model's name as written in scenarios ("poisson").
	Model() string
	// Validate checks every parameter and returns an error naming the first
	// invalid one, its value and the constraint.
	Validate() error
	// New creates a source of n members. rng is the source's own stream,
	// derived from the scenario seed and the population's name; a
	// deterministic source ignores it.
	New(n int, clock snnsim.Clock, rng *rand.Rand) (Source, error)
}

// Lookup returns the default parameters of the named source model, as a
// pointer that the scenario decoder fills in, and whether the model exists.
func Lookup(model string) (Params, bool) {
	switch model {
	case "poisson":
		p := DefaultPoisson()
		return &p, true
	case "spike_times":
		p := DefaultSpikeTimes()
		return &p, true
	case "regular":
		p := DefaultRegular()
		return &p, true
	case "tetanus":
		p := DefaultTetanus()
		return &p, true
	case "burst":
		p := DefaultBurst()
		return &p, true
	}
	return nil, false
}

// Models lists the model names that Lookup knows, sorted.
func Models() []string {
	m := []string{"poisson", "spike_times", "regular", "tetanus", "burst"}
	sort.Strings(m)
	return m
}
