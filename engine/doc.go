// Package engine runs a compiled network (package netlist): the event
// queue, the tick loop with its fixed order of operations, jumps over quiet
// periods, stimuli and the fan-out of spikes to sinks such as a log.
//
// # Time and order of operations
//
// Time advances in integer ticks. Within tick t the engine does, in order:
//
//  0. consolidation clocks: every consolidation model with work due at or
//     before t (a slow-clock step of its synapses not at rest, a scheduled
//     tag decay) does it (consolidation.Model.Advance);
//  1. stimuli: current steps starting or ending at t change neurons' bias;
//     neuromodulator and drug levels changing at t reach the consolidation
//     models onto their population (consolidation.Leveled.SetLevel);
//  2. delivery: every spike whose arrival tick is t (emission tick plus the
//     synapse's delay, at least one tick) first runs the presynaptic side of
//     plasticity on its synapses (stdp.Rule.Pre: depression, trace update),
//     then adds their weights to the targets' inputs
//     (neuron.Population.Deliver), times the spike's release on a
//     projection with short-term plasticity;
//  3. sources: spike sources due at t fire;
//  4. neurons: every active neuron is advanced to t, its input from step 2 is
//     added, and the threshold is tested (neuron.Population.Update); then
//     (4b in Engine.Schedule), for the neurons that fired, the postsynaptic
//     side of every plastic projection onto them (stdp.Rule.Post:
//     potentiation over the transposed index, trace update);
//  5. fan-out: the spikes of steps 3 and 4 are queued for arrival at
//     t + delay, grouped per source neuron and delay, each carrying, on a
//     projection with short-term plasticity (stdp.STP), the release x·u of
//     its source neuron, whose x and u jump here; then (5b) every
//     consolidation model reads the potentials of its target neurons after
//     the update (voltage-based induction) and their spikes of tick t;
//  6. sinks: the spikes of tick t are passed to every attached sink, ordered by
//     global neuron ID;
//  7. probes and guards: sampled state after tick t (record.go), then the
//     rate guards (guard.go).
//
// The initial state is the state at tick 0; neurons are first updated and
// tested at tick 1. [Engine.Schedule] prints this order. A spike emitted at tick s through a
// synapse of delay d changes its target's synaptic variable at tick s+d and
// its membrane from tick s+d+1 on (for delta synapses, at s+d).
//
// # Work only where something changes
//
// Neurons at rest leave their population's active set and are brought up to
// date exactly when input arrives. When no neuron is active, the engine
// jumps straight to the next event: a source spike, a spike arrival, a
// stimulus or level change, a consolidation model's next work, a sample
// tick, the start of a phase without spiking or the end of the run.
// [Stats] counts stepped and skipped ticks so that tests can check the
// jumps are taken.
//
// # Consolidation
//
// A projection with a consolidation model (package consolidation) has its
// transmitted weights owned by the model: all such projections onto one
// population share one model, because per-neuron state (protein, tag
// counts, neuromodulator levels) belongs to the target neurons. A spike's
// arrival reaches the model before its weights are delivered
// (Model.Pre), so models whose efficacy decays between events can refresh
// it. Their delivery array then lags their state between a synapse's
// events, so [Engine.Weights] and weights records read such a model's
// weights from its state at the last completed tick
// (consolidation.LazyDelivery), which moves nothing a spike depends on.
// Models do slow-clock work only for synapses not at rest and tell the
// engine the tick of their next work (Model.Next), so the jump over quiet
// periods also jumps over quiet hours of consolidation.
//
// The engine calls a model through the small core consolidation.Model on
// every event and finds the model's optional capabilities once, when it
// binds the model, by type assertions whose results it keeps: a rule may
// drive it (consolidation.RuleDriven), it may read levels (Leveled), its
// per-synapse and per-neuron variables may be read (Inspector,
// NeuronInspector), its induction may read the potential (VoltageInduced),
// and its state may be checkpointed (Stater). Asking for a capability the
// model lacks is an error naming the model: a plasticity rule on a model
// that takes no signals (when the engine is built), a level, variable or
// record it does not have, a checkpoint of a model without Stater.
//
// With a plasticity rule on the same projection, the rule works in place
// on the projection's window of the model's rule buffer
// (RuleDriven.RuleWeights, the weights the rule sees), and after each rule
// pass (one source's arrival, one target's spike) the model takes the
// changes in one call (Changed): the scenario decides which rule
// feeds which model. A rule that reads reference weights
// (stdp.ReferenceReader, the P11 rule's w̃) gets the projection's window of
// the model's (consolidation.Referenced); New refuses such a rule on a
// projection whose model keeps none, and a rule and a model that would
// both apply the heterosynaptic term. A model that can apply the rule's
// postsynaptic update itself (consolidation.PostUpdater, with a
// stdp.PostFactorer rule: zenke_2015 with P11) does so in one pass over the
// target's synapses instead of the rule pass and Changed, with the same
// result. When it can apply the presynaptic update too
// (consolidation.PreUpdater, with a stdp.PreFactorer rule) and every
// projection of the model has such a rule, the model keeps no delivery
// array: each arrival is one pass over the source's synapses that updates
// the weights and writes the values to deliver into a scratch row, and the
// postsynaptic pass reads and writes only the model's own state (one
// scattered cache line per synapse). [Engine.SynapseState], [Engine.SetSynapseState],
// [Engine.NeuronState] and [Engine.SetLevel] read and change the state
// between runs.
//
// Run can be called repeatedly; the boundaries between calls change nothing:
// Run(1 s) twice gives the same spikes, bit for bit, as Run(2 s).
//
// # Phases without spiking
//
// A phase of mode netlist.PhaseFastForward (the fast-forward consolidation
// of Luboeinski & Tetzlaff 2021) is jumped over, not ticked (phase.go): at
// its start every consolidation model puts its induction to rest
// (consolidation.FastForwarder, found when the model is bound; a phase on
// a model without it is refused) and spikes in flight that would arrive
// inside it are dropped; the models are then advanced without spikes in
// pieces ending at each tick at which a probe samples or a level changes,
// so records inside the phase see the fast-forwarded state; at its end
// the neuron populations are moved later unchanged (neuron.Shifter), OU
// currents hold their values and sources drop the spikes they were due to
// emit. Whether a phase's start and end are done follows from Now()
// alone, so runs split, checkpointed or resumed anywhere in or around a
// phase give the same spikes, samples and state as one run.
//
// # Recording
//
// After the sinks, a 7th phase runs the probes due at tick t (record.go):
// membrane potentials and population rates sampled at regular ticks within
// windows ([Probe], [Engine.AttachProbe]). Sample ticks are events at which
// the jump over quiet periods stops, so sampling a quiet network costs only
// the sample ticks. [Engine.AttachRecords] sets up a scenario's [[record]]
// tables: spikes (merged into one sink call per tick, within their windows)
// and one probe per sampled population, each announced as a [Series].
//
// # Parallel runs
//
// With Config.Workers = n > 1 the network is split among n workers by
// target neuron, as NEST and Auryn do: each worker owns a contiguous range
// of every neuron population (ranges start at multiples of 4, see
// neuron.Part), with its neurons' state, every synapse onto them (weights,
// delays, plastic state) and the postsynaptic traces. The ownership rule:
// a synapse belongs to the worker that owns its target, and all work on it
// runs there, the presynaptic side of plasticity on a spike's arrival
// (depression, the presynaptic trace) as well as the postsynaptic side, so
// no two workers write the same memory. Each worker keeps the presynaptic
// traces of the sources it has synapses from. Worker 0 also fires the
// source populations.
//
// Workers exchange spikes once per communication epoch: the smallest delay
// of the network, D ticks. A spike emitted in the epoch [T, T+D) arrives at
// T+D or later, so each worker simulates the epoch's ticks on its own, then
// the workers exchange the epoch's spikes, and each queues every worker's
// spikes for its own synapses, tick by tick, population by population,
// projection by projection and, within a projection, by source, which is
// the order one worker queues them in. Every target therefore receives its
// inputs in the same order whatever the partition, and sums them in the
// same floating-point order. Random streams are keyed by (seed, entity),
// never by worker. Two choices a neuron population makes for all its
// neurons at once would otherwise depend on the partition (the dense
// vector step when every neuron is active, and the dense input pass when
// many got input; they round differently from the per-neuron path): the
// input count is known to every worker from the exchanged spikes, and
// whether every neuron is active comes from one vote of the workers per
// tick (an AND and an OR of two bits), taken only for populations in which
// some neuron could leave the active set during the epoch. With these
// rules the spikes, weights and every trace are the same, bit for bit, for
// any number of workers; a test compares 1, 2, 3 and 7.
//
// The driver, in the goroutine that calls Run and which is also worker 0,
// plans each epoch: the jump over a quiet period (when no worker has an
// active neuron: to the earliest next event of any worker), the epoch's
// end (D ticks on, earlier at the end of the run or after a probe's tick,
// since probes read the state after their tick), and which populations
// vote. It plans from a summary that every worker publishes with its
// spikes (its active count and, per population, whether every neuron is
// active and none can settle within an epoch), so the workers meet once
// per epoch, at the exchange; only a jump waits for every worker's
// fan-out, since it reads their queues. The driver plans the next epoch as
// soon as every worker has published and starts it at once, so that the
// others go on from their fan-out without waiting, unless the run ends, a
// probe samples or a guard's bin ends in the epoch (they act on the state
// at its end) or a jump could follow. It then passes the spikes to the
// sinks (merging the workers' lists only when a sink is attached), marks,
// guards and probes, tick by tick, as one worker does, before simulating
// its own part of the next epoch: this and the planning
// are the serial part, which the others wait for only at the next
// exchange. A sink's error therefore stops the run at the end of the
// epoch, or of the next one when that had started, not at the tick. Each
// worker keeps its OS thread during Run, and the structures the workers
// write are padded apart, so that no two write the same cache line.
// [Engine.EpochTimes] splits each worker's time into computing, queueing
// the exchanged spikes and waiting, and the driver's serial time.
//
// Everything the workers communicate goes through one small interface, the
// transport: publish the epoch's spikes and summary and wait for every
// worker's, and the per-tick vote. The workers here share memory; a
// waiting worker spins when every worker can have a processor of its own
// (on dedicated cores the others are microseconds away) and then sleeps
// on a futex in its own thread until woken, so that more workers than
// free cores cost little. The spin's time budget follows the waits: a
// wait that slept for longer than a wake-up (the partner's processor was
// taken away) halves it, and one that slept and still ended soon raises
// it to twice that wait, so that once both sides sleep they do not keep
// paying a wake-up at every epoch. A panic in any worker trips a flag
// that every wait watches, so the others leave their waits at once, and
// Run panics in the calling goroutine with the failed worker's message
// and stack; the engine then refuses to run again. Ranks on
// several machines over MPI (an Open MPI layer through cgo behind a build
// tag, the default build staying pure Go) would implement the same
// interface with an allgather of the epoch's spikes and summaries and an
// allreduce of the votes, each rank holding one part and running the same
// planning on the gathered summaries; the partition, the epoch loop and
// the engine would not change.
//
// Short-term plasticity runs on every worker: each keeps the x and u of
// every source neuron of such a projection and takes the release of every
// spike at its fan-out, whether or not it has synapses of the source, so
// the copies stay the same and every delivery carries the release it
// carries on one worker.
//
// A checkpoint does not depend on the number of workers: a run on several
// writes the checkpoint one worker would write at the same tick, byte for
// byte, and Restore splits any checkpoint among any number of workers. To
// write one the driver joins the workers' state into a one-worker engine:
// the neuron states (neuron.JoinParts); the traces of each plasticity rule
// (stdp.JoinParts: a source's presynaptic traces from a worker with
// synapses from it, which sees every arrival of its spikes, a target's
// postsynaptic traces from its owner, and the rules' lazy copies brought
// to the latest tick any worker called its rule at, with the neurons
// pending there in the order of one worker's calls, and istdp_global's
// population count with the counts pending for it from the worker whose
// rule took the most); the x and u of
// short-term plasticity, the same in every worker; and the weights, which
// the workers share; the state of each consolidation model
// (consolidation.JoinParts: every target's and its synapses' state from
// the worker that owns it, a source's from a worker with its synapses,
// the presynaptic work pending in the workers merged into the arrivals
// one model holds, in their order) and its delivery array; the OU
// currents' values and random streams (source.JoinOUParts), at the tick
// after the last one that one worker would have stepped. It rebuilds the
// one-worker queue of spikes in flight
// from the spikes of the last maxDelay ticks, which each worker keeps of
// its own neurons (joined in worker order, they are one worker's), and
// the release each carries on a projection with short-term plasticity,
// which the driver keeps. To
// restore, it restores the checkpoint into a one-worker engine and gives
// every worker its neuron parts, its members of each OU current, and the
// whole projections' rule and short-term state and the whole
// consolidation state, of which each reads only its own synapses' sources
// and targets (consolidation.SplitParts keeps in each only the work
// pending on its own synapses and targets).
//
// Ornstein–Uhlenbeck currents run in the workers, each drawing the
// streams of its own members, keyed by (seed, stimulus, member) as on one
// worker; a population with one votes at every tick on whether it is all
// active, since its bias changes at every tick.
//
// Consolidation models whose state decomposes by target neuron
// (consolidation.Parted: luboeinski_tetzlaff_2021,
// tag_trigger_consolidation and zenke_2015) run in the workers: each has a
// model of the whole layout, called only for the synapses onto its own
// targets, so that a target's per-neuron state (protein, synthesis, the
// sum over its synapses, z⁻) and its synapses' state are computed in its
// worker in the order of one worker; random streams are keyed by synapse.
// zenke_2015 also takes the P11 rule's pre- and postsynaptic updates of
// its worker's synapses in its fused passes, and every worker's model
// steps w̃ at the same slow ticks, of its worker's synapses only
// (consolidation.SynapseParted). Such a model
// must not see a source's spikes at only some of their arrival ticks, so
// every source's synapses share one delay. A model with voltage-based
// induction runs at the ticks one worker steps (a quiet tick jumped over
// is caught up in closed form, which rounds otherwise), so its workers vote
// at every tick on whether one worker would step it. The driver reads the
// consolidation state (records, SynapseState, NeuronState, Weights) from
// the worker that owns the target.
//
// A phase without spiking runs in every worker at once, each doing to its
// own part what one worker does to the whole network (parallel_phase.go):
// its consolidation models stop spiking and are fast-forwarded in the
// pieces one worker makes, its queue drops the arrivals inside the phase,
// and its neurons and OU currents resume after it. No epoch crosses the
// start of such a phase.
//
// The rule istdp_global reads the spike count of its whole target
// population. It counts a spike of tick t at tick t+D, D the projection's
// smallest delay, as the authors' code counts the delayed spike list
// (Zenke, Agnes & Gerstner 2015), on one worker as on several, and the
// engine passes it the counts (stdp.PopulationCounter): on one worker
// those of each tick after it, on several those of every worker's spikes
// of an epoch after its exchange; the epoch is at most D, so each count
// arrives before it is due, and every worker's estimate is the same.
//
// What runs on one worker: other consolidation models (some reduce over a
// population, or pass over every synapse at once), consolidation models
// other than zenke_2015 driven by a plasticity rule, and neuromodulator
// levels; New then builds an engine on one worker and [Engine.Workers]
// says why. Injected
// spikes, inputs and currents, SetWeight, SetSynapseState and SetLevel
// need an engine on one worker: called before the first tick they turn
// the engine into one, after it they return an error.
package engine
