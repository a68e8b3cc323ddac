// Package consolidation owns the internal state of plastic synapses beyond
// their weight: tags, protein pools, late-phase weights, metaplastic
// states and chains of slow variables. A model receives plasticity signals
// (a rule's weight change dw, from package stdp) and time, evolves its
// state, and defines the efficacy that spike transmission uses. It never
// sees spikes except through Pre and Post, and never writes logs.
//
// # Models
//
// Models are named in scenarios and looked up with [Lookup]; [Models] lists
// them. Each model's file registers its defaults in the package's model
// table, and Validate returns a [*snnsim.ParamError]. Each Params type
// documents its parameter table and each model type its equations,
// citation and the tests that check it against a
// reference. Among them:
//
//   - trivial: a plain synapse, weight = state.
//   - tag_trigger_consolidation, ziegler_2015, zenke_2015: synaptic
//     tagging-and-capture and consolidation models on slow clocks.
//   - binary ([Binary], Amit & Fusi 1994), cascade ([Cascade], Fusi, Drew
//     & Abbott 2005) and benna_fusi ([BennaFusi], Benna & Fusi 2016):
//     memory-curve synapses driven by potentiation and depression events,
//     with no work between events.
//   - luboeinski_tetzlaff_2021 ([LT2021Params]): the network STC synapse of
//     Luboeinski & Tetzlaff (2021), calcium-driven and event-driven, with
//     exact Ornstein–Uhlenbeck steps of the noisy early weight.
//   - metaplastic_laborieux_2021 ([MetaplasticParams], Laborieux et al.
//     2021) and importance_si ([ImportanceParams], synaptic intelligence,
//     Zenke, Poole & Ganguli 2017): intelligent synapses for continual
//     learning, a hidden weight whose updates towards zero are attenuated,
//     and a per-synapse importance consolidated at task boundaries with an
//     anchored relaxation. Each Params doc separates the published
//     equations from this project's spiking translation.
//
// # Contract
//
// [Model] is the small core every model has and states what the engine
// calls and when: the synapse count and delivery array (Len, Bind), the
// schedule of internal work (Advance, Next) and spike events (Pre, Post).
// Everything else is an optional capability, an interface of its own that
// a user (the engine, once, when it binds the model) discovers by a type
// assertion:
//
//   - [RuleDriven]: a plasticity rule drives the model. The rule works in
//     place on the model's rule buffer (RuleWeights), and the model takes
//     its changes once per rule pass (Changed): no per-synapse
//     call crosses an interface, and there is no copy of the weights.
//   - [Leveled]: the model reads neuromodulator or drug levels (SetLevel).
//   - [Inspector] and [NeuronInspector]: per-synapse and per-neuron
//     variables can be read and set, for recording and embedding.
//   - [VoltageInduced]: induction reads the postsynaptic potential.
//   - [Stater]: the state can be saved and restored for checkpoints.
//   - [Referenced]: the model keeps a reference weight per synapse that a
//     plasticity rule reads in place (zenke_2015's w̃, read by the
//     heterosynaptic term of package stdp's P11 rule).
//   - [LazyDelivery]: the delivery array lags the model's state between a
//     synapse's events (a decaying or relaxing efficacy brought up to date
//     at arrivals), so reads of weights for a user ask the model for the
//     weight of its current state (CurrentWeight).
//
// Every model of this package is RuleDriven, an Inspector and a Stater;
// tag_trigger_consolidation and ziegler_2015 are also Leveled and
// NeuronInspectors, tag_trigger_consolidation is VoltageInduced, and
// zenke_2015 is Referenced and Leveled (its level "consolidation" pauses
// w̃); importance_si is Leveled (a change of its level "task" is a task
// boundary); luboeinski_tetzlaff_2021 and benna_fusi are LazyDelivery.
//
// Parameters with named sets implement [Presetter]; [Presets] lists a
// model's names (zenke_2015: "sim_rc_p11", the configuration of Zenke,
// Agnes & Gerstner's own simulation).
//
// [Layout] is what a model is bound to; [Streams] gives each synapse a
// random stream that does not depend on processing order. States are saved
// and restored as checkpoint frames tagged "consolidation/<model>"; a
// refused state wraps [checkpoint.ErrCorrupt], [checkpoint.ErrMismatch] or
// [checkpoint.ErrVersion].
//
// # Memory curves
//
// [MarkovChain] (Lahiri & Ganguli 2013), [BennaFusiImpulse] and
// [BennaFusiSNR] are exact memory-curve oracles; [MemoryCurve] and
// [MemoryCurveConfig] run the Monte-Carlo memory-curve experiment (Fusi,
// Drew & Abbott 2005; Benna & Fusi 2016) through a model's public interface.
package consolidation
