package neuron

import (
	"fmt"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/internal/registry"
)

// Receptor selects which synaptic input of a neuron a weight goes to.
type Receptor uint8

// The receptors of the LIF models.
const (
	Exc Receptor = iota // excitatory input
	Inh                 // inhibitory input (weights are positive; the model gives the sign)
)

// String returns "exc" or "inh".
func (r Receptor) String() string {
	switch r {
	case Exc:
		return "exc"
	case Inh:
		return "inh"
	}
	return fmt.Sprintf("Receptor(%d)", int(r))
}

// Population is a group of neurons of one model, with its state stored as
// structure of arrays. Index i runs over 0..Len()-1.
//
// State is defined at integer ticks; a new population is at rest at tick 0
// (V = v_rest, no synaptic current or conductance, not refractory), so the
// first Update is at tick 1 or later. The engine drives a population once per
// tick t, in this order:
//
//  1. Deliver, any number of times: synaptic input arriving at tick t. A
//     neuron at rest is woken; it is brought up to tick t-1 exactly when
//     Update runs.
//  2. Update, once: every active neuron is advanced to tick t (from t-1, or from
//     its last update for a neuron just woken), the input delivered at t is
//     added (a voltage jump for delta synapses, a jump of the synaptic current
//     or conductance otherwise), and the threshold is tested on V(t). Neurons
//     that fire are reset, made refractory and appended to fired.
//
// Update must be called at every tick while Active() > 0 and at every tick
// with deliveries; ticks may be skipped only when Active() == 0. Tick numbers
// passed to Update must increase (it panics otherwise).
//
// A neuron leaves the active set as soon as a bound shows that, without new
// input, it cannot reach threshold: it is past its refractory clamp, its
// resting drive is below threshold, and (model by model) its potential plus
// the largest response its synaptic state can still produce stays below
// threshold. It then costs nothing until input or a SetBias/SetV arrives,
// and is brought up to date by the exact propagator of its linear
// subthreshold dynamics (see the model types), so skipping it cannot change
// a spike. SetAlwaysActive turns the shortcut off for comparison.
//
// Refractoriness follows Auryn: after a spike at tick s, V is held at
// v_reset for ticks s+1..s+R, R = clock.CeilTicks(t_ref), and integration
// resumes from v_reset at s+R, so the shortest interspike interval is R+1
// ticks (5.1 ms for 5 ms at 0.1 ms). Synaptic currents and conductances
// keep decaying and receiving input meanwhile; delta input is discarded.
//
// Methods are called from one goroutine. Slices passed in are not retained.
// Every population of this package also implements [checkpoint.Stater], which saves
// and restores its complete state for checkpoints.
type Population interface {
	// Len returns the number of neurons.
	Len() int
	// Deliver adds weights[k] to input r of neuron targets[k] at tick t. The
	// weights are in the model's internal unit (see Params.WeightScale).
	// Targets may come in any order and repeat; t is the tick of the next
	// Update, which integrates the input.
	Deliver(t snnsim.Time, r Receptor, targets []int32, weights []float32)
	// Update advances the active neurons to tick t, adds the input delivered at
	// t, tests the threshold, and returns fired with the indices of neurons that
	// spike at t appended in increasing order.
	Update(t snnsim.Time, fired []int32) []int32
	// Active returns the number of neurons that Update will advance at the next tick.
	Active() int
	// SetBias sets the constant input current of neuron i to bias [pA] from
	// tick t on: V(t) is computed with the old bias, V(t+1) with the new one.
	// It takes effect at once if Update(t) has run, else at the end of
	// Update(t) (or at tick t during the next Update, if the caller skipped
	// tick t because nothing was active). It wakes the neuron.
	SetBias(t snnsim.Time, i int, bias float64)
	// SetV sets the membrane potential of neuron i at tick t [mV], after that
	// tick's update, and ends its refractory period; the timing is that of
	// SetBias. It is used for the initial state at t = 0. It wakes the neuron.
	SetV(t snnsim.Time, i int, v float64)
	// V returns the membrane potential of neuron i at tick t [mV], t at or after
	// its last update, without the input or SetBias/SetV still pending for a
	// later Update. It does not change the state.
	V(i int, t snnsim.Time) float64
	// SetAlwaysActive disables the active-set shortcut: every neuron is
	// advanced every tick. Results agree with the shortcut within rounding.
	SetAlwaysActive(on bool)
}

// Part is implemented by every population of this package. It lets a
// population be one contiguous part of a larger one whose neurons are
// split among workers, with every neuron computed bit for bit as in the
// whole population: the choices a population makes for all its neurons at
// once (the dense loop, when every neuron is active; adding the input
// buffers densely, when many targets got input) round differently from
// the per-neuron path, so a part takes them from the whole population,
// which its caller reports with PartTick before each Update. A part's
// first neuron must be a multiple of 4 of the whole population (the vector
// loops take the neurons four at a time, the last n mod 4 one by one).
type Part interface {
	// SetPart makes the population the part of a population of total
	// neurons that starts at neuron first (a multiple of 4). Deliver then
	// takes the whole population's indices.
	SetPart(total, first int)
	// PartTick says, before the next Update, whether every neuron of the
	// whole population is active for it and how many input targets (with
	// repeats, as passed to Deliver) the whole population got for it.
	PartTick(allActive bool, inputs int)
	// Settling reports whether some neuron could leave the active set in
	// the next ticks Updates (false only when none can).
	Settling(ticks snnsim.Time) bool
}

// Shifter is implemented by populations whose state can be moved later in
// time unchanged, for a phase in which spiking is off (the fast-forward of
// Luboeinski & Tetzlaff 2021): after Shift(d) at a tick boundary, the
// population at tick t + d is what it was at tick t (potentials, synaptic
// variables, pending bias changes, the remaining refractory time), and it
// continues from there. Every population of this package implements it.
type Shifter interface {
	// Shift moves the state d >= 0 ticks later.
	Shift(d snnsim.Time)
}

// Params describes a neuron model: a value struct of parameters with units,
// the TOML keys given by `toml` tags and the canonical unit by `unit` tags.
type Params interface {
	// Model returns the model's name as written in scenarios ("lif_exp_current").
	Model() string
	// Validate checks every parameter and returns a *snnsim.ParamError
	// naming the first invalid one, its value and the constraint.
	Validate() error
	// Bias returns the constant input current i_bias [pA], the bias that
	// stimuli add to and SetBias replaces.
	Bias() float64
	// Refractory returns the absolute refractory period t_ref [ms].
	Refractory() float64
	// WeightUnit names the model's internal weight unit, the unit of
	// weights after WeightScale ("mV" for a voltage jump or R·I, "g_L" for
	// a multiple of the leak conductance); recorded weights carry it.
	WeightUnit() string
	// WeightScale returns the factor that converts a weight given in a unit of
	// dimension d for receptor r into the model's internal unit, or an error
	// if the model does not accept that dimension.
	WeightScale(r Receptor, d snnsim.Dimension) (float64, error)
	// New creates a population of n neurons at rest for the given clock.
	New(n int, clock snnsim.Clock) (Population, error)
}

// models is the table of neuron models; each model's file registers it.
var models registry.Table[Params]

// Lookup returns the default parameters of the named model, as a pointer that
// the scenario decoder fills in, and whether the model exists.
func Lookup(model string) (Params, bool) { return models.Lookup(model) }

// Models lists the model names that Lookup knows, sorted.
func Models() []string { return models.Names() }
