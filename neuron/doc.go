// Package neuron holds the point-neuron models of snnsim: populations of
// neurons of one model whose state is stored as arrays and advanced by the
// engine tick by tick, or over any gap at once.
//
// # Models
//
//	name                 synapses                      integration
//	lif_delta            delta (V jumps by w)          exact propagator
//	lif_exp_current      exponential currents          exact propagator
//	lif_exp_cond         exponential conductances      exponential Euler, mid-tick conductances
//	lif_cond_ampa_nmda   AMPA, NMDA, GABA conductances forward Euler, as Auryn's IFGroup (Zenke et al. 2013)
//	adex                 exponential conductances      1 ms forward Euler (Clopath et al. 2008)
//	aif_cond_ampa_nmda   as lif_cond_ampa_nmda, plus   forward Euler, as Auryn's AIF2Group (Zenke, Agnes &
//	                     adaptation conductances       Gerstner 2015)
//
// The leaky integrate-and-fire models use the benchmark values of Brette et
// al. (2007) as defaults. Each model is one file: its parameter struct with a
// table of keys, defaults, units and constraints in its doc comment, its
// equations, and its population. A scenario names a model by the string its
// Params.Model returns.
//
// Each model's file registers its defaults in the package's model table
// ([Lookup], [Models]), so adding a model touches no other file. What the
// engine needs to know of a model it asks its [Params]: the constant bias
// current (Bias), the internal unit of weights (WeightScale, WeightUnit).
// Validate returns a [*snnsim.ParamError]. TestRegistry holds every
// registered model to these.
//
// # Contract
//
// A [Population] is driven by the engine: [Population.Deliver] adds synaptic
// input for the next tick, [Population.Update] advances the active neurons
// and reports those that fire, and a neuron leaves the active set as soon as
// a bound shows that it cannot fire without new input, so that a network at
// rest costs nothing. The linear models are advanced by exact propagators
// over any number of ticks, so the result does not depend on how often a
// neuron is visited; the nonlinear ones step every tick while active.
// Refractoriness follows Auryn (see [Population]).
//
// Every population saves and restores its complete state for checkpoints,
// so that a resumed run continues bit for bit.
//
// # Speed
//
// On amd64 the dense loops have AVX2+FMA versions that advance four neurons
// per instruction; they compute the same formulas as the Go loops and differ
// from them only by rounding (build with -tags purego to use the Go loops).
package neuron
