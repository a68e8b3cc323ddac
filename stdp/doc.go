// Package stdp holds spike-timing-dependent plasticity rules: pair STDP with
// the weight-dependence family of Gütig et al. (2003) ([Pair]), triplet STDP
// of Pfister & Gerstner (2006) ([Triplet]) and its homeostatic minimal
// variant of Zenke et al. (2013) ([Homeostatic]); the rules of the network
// of Zenke, Agnes & Gerstner (2015): [P11] for excitatory synapses
// (triplet LTP, LTD scaled by a slow rate estimate, transmitter-induced
// and heterosynaptic terms) and the global-factor inhibitory rule
// ([ISTDP], "istdp_global"), with the inhibitory rule of Vogels et al.
// (2011) ("istdp_vogels"); with the per-neuron traces they read, their
// parameters ([Params], [Lookup], [Presets]) and their published parameter
// sets.
//
// A rule that reads a per-synapse reference weight it does not own (P11's
// w̃) is a [ReferenceReader]; the engine hands it the reference weights of
// the projection's consolidation model.
//
// It owns the traces and the weight update, including the weight bounds,
// which are rule parameters applied inside the rule's loop. It does not own
// the weights (the engine stores them, one array per projection, and passes
// slices in), the connectivity (package netlist: forward rows and the
// transposed index), the order of events (package engine) or the recording
// of weights.
//
// # Calling convention
//
// A rule is bound to one projection and called by the engine once per spike
// group (see [Rule]): Pre when a presynaptic spike arrives at the synapses
// of its source, with the source's row of targets and weights; Post when a
// target neuron fires, with its incoming synapses (sources and indices into
// the weight array). The loop over synapses runs in the concrete generic
// type (Pair[float32], ...), so there is no interface call per synapse.
//
// # Traces and the t−ε rule
//
// Traces live per neuron, not per synapse, so a presynaptic spike costs
// O(fan-out) and a postsynaptic spike O(fan-in). Each trace stores its value
// and the tick of its last update and is decayed when read, by a factor
// exp(−n·dt/τ) taken from a table of math.Exp values (bit-identical to the
// closed form) for n up to the longer of 32τ and 2 s (at most 16384 ticks,
// 128 KiB), and from math.Exp beyond. Nothing is done per tick.
//
// The homeostatic rule (the B3 benchmark's) reads its hot traces, z⁺ in
// the potentiation loop and z⁻ (z^h)² in the depression loop, from lazy
// copies instead (so do P11, and the inhibitory rules for z⁺ and z⁻): each neuron's value times e^{(t−t0)/τ} for a common
// epoch t0, which does not change between the neuron's spikes, so a read
// is one multiplication by the tick's common factor e^{−(t−t0)/τ} (8 bytes
// per neuron, no table, no exp). The epoch moves forward every few hundred
// time constants. The values agree with the closed form to a relative
// 2e-13. It also owns its weights ([WeightOwner]): potentiation skips the
// increments that cannot change a float32 weight, which in B3 is about half
// of them, without loading those weights.
//
// Every read is a t−ε read: reading a trace at tick t returns its value
// just before any increment made at t. A trace remembers its value before
// the last increment for this, both for all-to-all traces (+1 per spike)
// and nearest-spike traces (reset to 1). Within tick t each call reads
// first and then increments the spiking neuron's own traces. Consequences:
//
//   - A presynaptic arrival and a postsynaptic spike in the same tick do not
//     pair: for an isolated pair with Δt = 0 pair STDP changes nothing, in
//     both pairing schemes. Triplet terms likewise count only earlier spikes
//     (the "o2(t−ε)" of Pfister & Gerstner).
//   - The engine runs Pre before Post within a tick (deliveries precede
//     neuron updates), but for additive updates that no bound clips the
//     result is the same in the other order (TestSameTickOrder). With weight
//     dependence or clipping the second call sees the weight left by the
//     first, so Pre-then-Post is part of the definition.
//
// # Delays
//
// The rules see the presynaptic spike at ARRIVAL, after the axonal delay d,
// and the postsynaptic spike at emission, without dendritic delay (as
// Auryn, and as the B3 benchmark specifies). For a spike emitted by i at t_i
// and a spike of j at t_j the rule's timing is Δt = t_j − (t_i + d). So a
// post spike exactly one delay after the pre emission is simultaneous with
// the arrival and does not pair (TestAxonalDelay).
//
// Since presynaptic traces are per source neuron and incremented at
// arrival, every synapse of one source in a plastic projection must have the
// same delay, and Pre must be called once per presynaptic spike with all of
// that source's synapses (or TracePre once, if plasticity is off).
//
// # Weights
//
// The weight type is generic ([Weight]): the engine uses float32, tests
// float64. Updates are computed in float64 and rounded once per update.
// Depression clips at w_min, potentiation at w_max (one-sided, as Auryn);
// a weight that starts in [w_min, w_max] stays in it.
//
// # Checkpoints
//
// Every rule implements [checkpoint.Stater] (it is part of [Rule]): AppendState saves
// every trace of every neuron, with the tick of its last update and its
// value before that update's increment, so that t−ε reads after a restore
// (even within the tick of the checkpoint) are those of the original run;
// RestoreState resumes them in a rule built by New from the same
// parameters. The weights are not part of a rule's state: the engine owns
// and saves them. A state of another rule, or of other sizes, resolution,
// time constants or pairing is refused; amplitudes and weight bounds are
// not compared, since they do not enter the traces. A restored rule
// continues exactly as the original would have, bit for bit
// (TestStateResume).
//
// A projection split among the workers of a parallel run has one rule per
// worker, each called only for its own share of the synapses: JoinParts
// joins their states into the state of one rule called for all of them,
// bit for bit, so that a checkpoint does not depend on the number of
// workers (TestJoinParts). The parts of istdp_global are given the whole
// population's spike counts ([PopulationCounter]).
//
// The frames are tagged "stdp/" and the rule ("stdp/pair"). Payload
// version 2: source and target counts, the resolution [ms], the rule's time
// constants [ms] in the order of its parameter table, the pairing (one
// byte, 1 for nearest_spike), then each trace array, neuron by neuron: last
// tick, value after, value before (the homeostatic z⁻, z^h pair: last tick,
// z⁻ and z^h after, z⁻ and z^h before). The homeostatic rule then adds the
// copies its hot loops read: the current tick, the epochs of z⁺ and of z⁻
// (z^h)², the sources and targets whose spikes at the current tick are not
// yet in the copies (count, then uint32 indices), and the copies' values.
// P11 has the homeostatic rule's layout; the inhibitory rules save z⁺ and
// z⁻, istdp_global then its population count (one trace) and, in payload
// version 3, the counts not yet in it (number, then tick and count of
// each), and both then their lazy copies of z⁺ and z⁻ in the same form.
//
// # Units and parameters
//
// Times are float64 ms, rates Hz (the canonical units of package snnsim);
// amplitudes and bounds are plain numbers in the projection's weight unit.
// Parameter structs carry `toml` keys and `unit` tags in the convention of
// package neuron, so a scenario writes tau_plus = "16.8 ms". Lookup gives a
// rule's defaults; a named preset (ApplyPreset) then sets the published
// values, and keys given in the scenario override them:
//
//	plasticity = { rule = "triplet", preset = "visual_cortex_all_to_all_minimal", w_max = 1.0 }
//
// # Tests
//
// A slow reference (reference_test.go) computes every update straight from
// the equations, summing the kernels of all earlier spikes explicitly; the
// fast rules agree with it to 1e-12 on random trains (TestFastMatchesReference).
// TestWindow checks the analytic pair window, TestSjostrom the frequency
// dependence data of Sjöström et al. (2001), TestRateDrift the rate-based
// limit of the minimal triplet rule, TestHomeostaticHandComputed a few
// spikes of the Zenke rule computed by hand. TestP11Reference,
// TestGlobalISTDPReference (each with an independent sum of its own),
// TestP11RateClosedForm, TestGlobalFactor and TestVogelsWindow check the
// rules of 2015 and 2011.
package stdp
