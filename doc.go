// Package snnsim holds the vocabulary shared by every package of the snnsim
// spiking neural network simulator: integer simulation time, neuron and
// synapse identifiers, physical quantities with units, and seeded random
// streams. It imports nothing from the module; every other package may import it.
//
// # Time
//
// Simulation time is a [Time]: an int64 count of ticks of the scenario's
// resolution (default 0.1 ms). Spike times lie on this grid, which keeps
// ordering and equality exact. Continuous durations (time constants) are
// float64 milliseconds and only meet the grid inside the maths.
//
// # Units
//
// Quantities are float64 in one canonical unit per dimension:
//
//	dimension     canonical unit   also accepted
//	time          ms               s, us, min, h, d
//	voltage       mV               V, uV
//	current       pA               fA, nA, uA
//	conductance   nS               pS, uS, mS, S
//	capacitance   pF               fF, nF, uF
//	resistance    MOhm             Ohm, kOhm, GOhm
//	frequency     Hz               mHz, kHz
//
// Scenario files write quantities as strings with units ("20 ms", "-70 mV");
// [ParseQuantity] converts them and reports a dimension mismatch as an error.
//
// # Parameter errors
//
// The Validate methods of every model (packages neuron, source, stdp,
// consolidation) return a [*ParamError]: the model, the TOML key, the value
// in its canonical unit and the constraint, so that a caller finds the key
// with errors.As rather than in the message. Models build it with one
// [ParamCheck], which takes each key's unit from the `unit` tag of the
// parameter struct.
//
// # Following one spike
//
// A spike is emitted by a neuron model (package neuron) or a source (package
// source) during the engine's tick (package engine, file engine/tick.go). The
// engine looks up the spiking neuron's outgoing synapses in the compiled
// network (package netlist, compressed sparse rows grouped by delay) and puts
// one delivery per delay group into a ring buffer slot at t + delay
// (engine/queue.go); on a projection with short-term plasticity (stdp.STP)
// the delivery carries the fraction the spike releases. When that tick
// comes, the delivery adds each synapse's weight (times that fraction) to
// its target's input (neuron.Population.Deliver); the target's
// update in the same tick integrates it and tests the threshold. The spike
// itself goes to the log (package spikelog) through the engine's sinks.
//
// # Packages
//
// The packages form layers, and each imports only packages of lower layers,
// so the models know nothing of networks, the network nothing of scenario
// files or of running, and the engine nothing of scenario files:
//
//	layer 7  cmd/snnsim
//	layer 6  sweep
//	layer 5  runner report
//	layer 4  scenario engine
//	layer 3  netlist analysis
//	layer 2  neuron source stdp consolidation spikelog checkpoint/checkpointtest
//	layer 1  checkpoint internal/paramtest
//	layer 0  snnsim internal/hugepage internal/registry internal/textdist
//
// The imports between them, as go list reports them (test files aside; the
// test TestImportGraph checks both tables against the code):
//
//	cmd/snnsim                -> analysis consolidation engine internal/textdist netlist report runner scenario snnsim source spikelog sweep
//	sweep                     -> analysis engine runner scenario snnsim spikelog
//	runner                    -> checkpoint engine netlist scenario snnsim spikelog
//	report                    -> analysis snnsim spikelog
//	scenario                  -> consolidation internal/textdist netlist neuron snnsim source stdp
//	engine                    -> checkpoint consolidation netlist neuron snnsim source spikelog stdp
//	netlist                   -> consolidation neuron snnsim source stdp
//	analysis                  -> snnsim spikelog stdp
//	neuron                    -> checkpoint internal/registry snnsim
//	source                    -> checkpoint internal/registry snnsim
//	stdp                      -> checkpoint internal/registry snnsim
//	consolidation             -> checkpoint internal/hugepage internal/registry snnsim
//	spikelog                  -> snnsim
//	checkpoint/checkpointtest -> checkpoint
//	checkpoint                -> snnsim
//	internal/paramtest        -> snnsim
//	snnsim                    ->
//	internal/hugepage         ->
//	internal/registry         ->
//	internal/textdist         ->
package snnsim
