package consolidation

import "github.com/snnsim/snnsim"

// FastForwarder is implemented by models that can run with spiking off:
// the fast-forward ("FF") consolidation of the simulator of Luboeinski &
// Tetzlaff (2021), in which after learning only the deterministic
// relaxation of the early phase, the protein and the late phase advance,
// without spikes, background input or stochastic plasticity. The engine
// discovers it when it binds the model and uses it for a phase without
// spiking (netlist.PhaseFastForward); a phase on a model without it is
// refused.
//
// Contract: StopSpiking(t) is called once, when the phase begins at tick
// t (the model has seen every event before t, none at or after it): the
// model does its work due before t, then sets every induction variable
// to rest at t (calcium to 0) and drops the effects of spikes still
// pending (a presynaptic calcium jump due after t). FastForward(t) then
// advances every synapse and neuron, with no spike, to tick t (t never
// decreases; the engine calls it in pieces, up to each record and
// checkpoint tick), so that Get and NeuronGet read the state at t. The
// pieces do not change the result: FastForward(a) then FastForward(b)
// equals FastForward(b). After the phase, spikes resume with Pre, Post
// and Advance as usual.
type FastForwarder interface {
	// StopSpiking puts every induction variable to rest at tick t.
	StopSpiking(t snnsim.Time)
	// FastForward advances the model with no spike to tick t.
	FastForward(t snnsim.Time)
}

// fastForwarding is implemented by the parameters of models that
// implement [FastForwarder].
type fastForwarding interface {
	fastForwards()
}

// CanFastForward reports whether the models that p builds implement
// [FastForwarder], so that a scenario can refuse a phase without spiking
// before any network is built.
func CanFastForward(p Params) bool {
	_, ok := p.(fastForwarding)
	return ok
}
