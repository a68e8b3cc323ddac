// Package source provides spike sources: populations whose spikes are given
// by a protocol rather than by membrane dynamics. Poisson trains (constant or
// piecewise-constant rate), explicit spike times, regular trains, tetanus
// protocols (trains of pulses), bursts, and the named protocols of synaptic
// tagging and capture experiments (stc_protocol: WTET, STET, WLFS, SLFS),
// and Poisson inputs on which patterns are presented at random intervals
// (pattern, after Auryn's StimulusGroup), whose schedule the engine logs
// through [Switcher].
// It also provides [OUCurrent], not a spike source but an
// Ornstein–Uhlenbeck input current per neuron, switched on in windows.
//
// A source owns no synapses; the engine treats its spikes like any neuron's.
// Every source is event-driven: it reports the tick of its next spike, so
// that the engine can jump over silent periods.
//
// # Times on the grid
//
// Times are given in ms and converted to ticks of the clock by rounding to
// the nearest tick (halves away from zero); a time on the grid stays exactly
// on its tick. A start time is the first tick that may fire; a stop time is
// the first tick that may not. A member fires at most once per tick.
//
// # Determinism
//
// A source's spikes depend only on its parameters, its size, the resolution
// and its random stream, never on how the engine calls it: calling Fire at
// every tick or only at the ticks Next returns gives the same spikes
// (TestPoissonChunking, TestStepEveryTick). Poisson members draw their next
// spike when they fire, in increasing member order.
//
// # Checkpoints
//
// Every source implements [checkpoint.Stater]: AppendState saves what the source has
// consumed of its protocol (Poisson: every member's pending spike and the
// rate schedule, which SetRate may have changed; trains and spike_times:
// the pending pulse or spike), and RestoreState resumes it in a source
// built by New from the same parameters. The random stream is not part of
// a source's state: the engine creates it and saves it (snnsim.NewPCG); a
// source restored from a state and a generator restored from the same
// moment continue exactly as the original would have (TestStateResume).
// The frames are tagged "source/" and the model, payload version 1; each
// model's payload begins with what identifies the source (its size,
// resolution, schedule), which RestoreState compares with the receiver's.
//
// # Errors
//
// Validate and New return errors of the form
//
//	source: poisson.rate = -1 Hz: must be >= 0
//
// naming the scenario key, the value, the constraint and, where it helps,
// what to change (TestValidate). A parameter's error is a
// [*snnsim.ParamError], which errors.As finds. New validates first, then
// checks what needs the population size or the resolution.
//
// Each model's file registers its defaults in the package's model table
// ([Lookup], [Models]).
package source

import (
	"math/rand/v2"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/internal/registry"
)

// Source is a population of n spike generators.
//
// The engine calls Next to learn when the next spike of any member is due,
// and must call Fire at that tick, never skipping a tick Next returned. Fire
// returns the members that spike at t in increasing order and moves the
// source past t. Calls come from one goroutine; slices passed in are not
// retained.
//
// Fire at a tick before Next returns fired unchanged, so an engine may also
// call it at every tick. Fire at a tick after Next would lose the pending
// spikes: that is a bug in the caller, and Fire panics.
type Source interface {
	// Len returns the number of generators.
	Len() int
	// Next returns the earliest tick at which a member spikes or, for a
	// source with a stimulus schedule (pattern), the schedule changes the
	// rates; snnsim.Never when neither will happen. Fire at a tick of a
	// schedule change may return no member. Next is O(1) and changes
	// nothing (in particular it draws no random numbers).
	Next() snnsim.Time
	// Fire appends to fired the members that spike at tick t (t == Next()),
	// in increasing order, and returns it. It does not allocate when fired
	// has room for the members.
	Fire(t snnsim.Time, fired []int32) []int32
}

// RateSetter is implemented by sources whose rate can be changed during a
// run (Poisson). SetRate makes every member fire at rate [Hz] from tick t
// on, replacing the rest of the schedule; t must not be before the last
// tick fired.
type RateSetter interface {
	SetRate(t snnsim.Time, rate float64) error
}

// Params describes a source model: a value struct of parameters with units,
// the TOML keys given by `toml` tags and the canonical unit by `unit` tags
// (see package neuron for the convention).
type Params interface {
	// Model returns the model's name as written in scenarios ("poisson").
	Model() string
	// Validate checks every parameter and returns a *snnsim.ParamError
	// naming the first invalid one, its value and the constraint.
	Validate() error
	// New creates a source of n members. rng is the source's own stream,
	// derived from the scenario seed and the population's name; a
	// deterministic source ignores it.
	New(n int, clock snnsim.Clock, rng *rand.Rand) (Source, error)
}

// models is the table of source models; each model's file registers it.
var models registry.Table[Params]

// Lookup returns the default parameters of the named source model, as a
// pointer that the scenario decoder fills in, and whether the model exists.
func Lookup(model string) (Params, bool) { return models.Lookup(model) }

// Models lists the model names that Lookup knows, sorted.
func Models() []string { return models.Names() }
