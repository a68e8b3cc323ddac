package snnsim

// SynapseID indexes a synapse: within its projection, the position in the
// projection's forward arrays (rows by presynaptic neuron, in row order);
// within a consolidation model, the position among the synapses the model
// serves (its projections' synapses laid end to end). Public APIs of
// packages stdp, consolidation and engine take synapse indices as
// SynapseIDs. It is an alias of int64, not a distinct type, so that the
// hot loops, which keep 32-bit offsets within a row and widen them, pay no
// conversion, and so that model code written against int64 keeps
// satisfying the interfaces.
type SynapseID = int64
