// Package netlist owns the network description: it decodes scenario files
// (TOML), validates them, and compiles them with the scenario's seed into a
// [Network], the arrays the engine runs. It holds no run-time state; the
// neuron and source models are package neuron's and package source's, and
// running is the engine's business.
//
// # Use
//
//	s, err := netlist.Load("scenarios/cuba.toml") // decode and validate
//	if err != nil {
//		// err is a netlist.ErrorList: every problem, one a line,
//		// "file:line: key: message", sorted by line.
//	}
//	s.Seed = 7              // optional overrides before compiling
//	net, err := s.Compile() // draw connectivity, weights, delays, initial V
//
// # Errors
//
// [Decode] reports every problem it finds in one pass, not just the first:
// TOML syntax (which stops decoding), unknown keys (with a suggestion when a
// known key is close), missing keys, wrong types, unknown units and units of
// the wrong dimension, model parameters that the model's Validate rejects,
// references to undefined populations, duplicate names, rules that cannot be
// satisfied, delays shorter than the resolution and times off the tick grid.
// Each is a [*ParseError] with the file, the line and the key path, such as
//
//	scenarios/x.toml:12: population[1].params.tau_m: "-20 ms": must be > 0
//
// Key paths index arrays of tables from 0: population[1] is the second
// [[population]] table of the file.
//
// # Scenario format
//
// A complete scenario, annotated. Quantities are strings with a unit
// ("20 ms", "-70 mV", "200 pA", "4 nS", "200 pF", "5 Hz"; see the root
// package for the units accepted); a quantity of the wrong dimension is an
// error. Plain numbers are for dimensionless values.
//
//	[simulation]
//	name       = "cuba"      # optional; default: the file name without extension
//	duration   = "10 s"      # required, > 0, a whole number of ticks
//	resolution = "0.1 ms"    # the tick; default "0.1 ms"
//	seed       = 42          # master seed, an integer >= 0; default 1
//
//	# Populations take consecutive global neuron IDs in the order written.
//	[[population]]
//	name   = "E"                   # required, unique; letters, digits, '_', '-', '.'
//	size   = 3200                  # required, >= 1
//	model  = "lif_exp_current"     # a neuron model (lif_delta, lif_exp_current,
//	                               # lif_exp_cond, lif_cond_ampa_nmda) or a source (poisson,
//	                               # spike_times, regular, tetanus, burst, external)
//	params = { tau_m = "20 ms", v_rest = "-49 mV", v_threshold = "-50 mV",
//	           v_reset = "-60 mV", t_ref = "5 ms", tau_exc = "5 ms", tau_inh = "10 ms" }
//	                               # the model's parameters (see its doc); keys left
//	                               # out keep the model's defaults
//	init   = { v = { uniform = ["-60 mV", "-50 mV"] } }
//	                               # neurons only; initial membrane potential:
//	                               #   v = "-60 mV"                        every neuron
//	                               #   v = { uniform = [low, high] }       uniform on [low, high)
//	                               #   v = { normal = [mean, sd], clip = [low, high] }
//	                               # clip (optional, uniform or normal) clamps each
//	                               # value into [low, high]. Without init: v_rest.
//
//	[[population]]
//	name   = "I"
//	size   = 800
//	model  = "lif_exp_current"
//	params = { v_rest = "-49 mV", v_threshold = "-50 mV", v_reset = "-60 mV" }
//
//	[[population]]
//	name   = "S1"                  # a stimulation pathway: 100 fibres firing together
//	size   = 100
//	model  = "tetanus"
//	params = { trains = 3, pulses = 100, rate = "100 Hz", interval = "10 min", start = "1 s" }
//
//	[[projection]]
//	name     = "E_to_I"            # optional; default "<from>_to_<to>"; unique
//	from     = "E"                 # any population
//	to       = "I"                 # a neuron population
//	receptor = "exc"               # required: "exc" or "inh"
//	connect  = { rule = "fixed_probability", p = 0.02 }
//	weight   = "1.62 mV"           # required; see Weights
//	delay    = "0.8 ms"            # required; see Delays
//
//	[[projection]]
//	from     = "I"
//	to       = "E"
//	receptor = "inh"
//	connect  = { rule = "fixed_indegree", k = 20 }
//	weight   = { normal = ["9 mV", "1 mV"] }
//	delay    = { uniform = ["0.8 ms", "2 ms"] }
//
//	[[projection]]
//	from     = "S1"
//	to       = "E"
//	receptor = "exc"
//	connect  = { rule = "pairs", file = "s1_pairs.csv" }
//	weight   = "0.5 mV"
//	delay    = "1 ms"
//	plasticity = { rule = "triplet", preset = "visual_cortex_all_to_all_minimal",
//	               w_min = 0, w_max = 2, start = "1 s" }   # see Plasticity
//
//	[[stimulus]]
//	kind       = "current_step"    # the only kind
//	population = "E"               # a neuron population
//	neurons    = [0, 3]            # optional: members affected; default all
//	amplitude  = "200 pA"          # bias current during the step
//	start      = "1 s"             # optional, default 0; on the tick grid
//	stop       = "2 s"             # optional, default never; after start. Then the
//	                               # bias returns to the model's i_bias.
//
//	[[record]]
//	what        = "spikes"         # spikes, as they happen
//	populations = ["E", "I"]       # optional; default every population
//	window      = ["0 s", "2 s"]   # optional; see Recording
//
//	[[record]]
//	what        = "v"              # membrane potential [mV] of chosen neurons
//	populations = ["E"]            # neuron populations; default every neuron population
//	neurons     = [0, 1, 2]        # optional: members sampled in each population; default all
//	sample      = "1 ms"           # required: sampling interval, on the tick grid
//	window      = [["0 s", "1 s"], ["9 s", "10 s"]]
//
//	[[record]]
//	what        = "rate"           # population rate [Hz] per sampling bin
//	populations = ["E", "I"]       # optional; default every population
//	sample      = "10 ms"          # required: the bin
//
//	[[record]]
//	what        = "weights"        # weights of a projection's synapses
//	projection  = "S1_to_E"        # required
//	synapses    = [0, 1]           # optional: synapse indices (CSR order); default all: the weight matrix
//	sample      = "1 s"            # required
//
// # Recording
//
// Each [[record]] table adds to what the run's log holds; several tables may
// name the same population. what is one of:
//
//	what     keys                                  records
//	spikes   populations, window                   every spike of the populations
//	v        populations, neurons, sample, window  V of each listed neuron after each sample tick
//	rate     populations, sample, window           spikes per neuron and second over each bin
//	weights  projection, synapses, sample, window  the weights after each sample tick
//
// A v sample at tick t is the membrane potential after tick t has been
// simulated (exact also for neurons at rest, which the engine does not
// step). A rate sample at tick t covers the ticks [t, t + sample). A
// weights record writes the series "weights/<projection>", in the target
// model's internal weight unit (mV for lif_delta and lif_exp_current,
// multiples of g_L for conductance models), plus two series sampled once,
// ".../pre" and ".../post", holding each recorded synapse's source and
// target global neuron IDs, so the weight matrix can be rebuilt from the log
// alone. Consolidation variables will be further kinds of the same table.
//
// window limits recording to [start, stop): one pair, or a list of pairs in
// time order without overlap. Times are on the tick grid, start >= 0. Samples
// fall at start, start + sample, ... before stop in each window (from 0
// without a window); a rate bin cut short by stop covers the ticks up to stop
// and is divided by its actual length; a bin that the end of the run cuts
// short is not written.
//
// # Plasticity
//
// A projection's plasticity table names a rule of package stdp and its
// parameters:
//
//	key     meaning
//	rule    "pair", "triplet" or "triplet_homeostatic" (required)
//	preset  a published parameter set of the rule, applied first (optional;
//	        e.g. "song_abbott_2000", "visual_cortex_all_to_all_minimal", "zenke_2013")
//	start   time from which weights change (optional, default 0); before it
//	        the traces run but weights stay (priming)
//	...     the rule's parameters (go doc ./stdp), overriding the preset;
//	        amplitudes and the bounds w_min, w_max are plain numbers in the
//	        target model's internal weight unit
//
// The rule sees a presynaptic spike when it arrives at the synapse (after the
// axonal delay) and a postsynaptic spike when it is emitted (no dendritic
// delay). Presynaptic traces are kept per source neuron, so every synapse of
// one source in a plastic projection must have the same delay.
//
// # Guards
//
// A [[guard]] table stops a runaway run, after Auryn's RateChecker: when
// the population's mean rate over a bin of window exceeds max_rate, the run
// stops with an error (engine.ErrRunaway) and a log intact up to there.
//
//	[[guard]]
//	population = "E"
//	max_rate   = "60 Hz"
//	window     = "1 s"     # optional, default 1 s
//
// # Connectivity rules
//
// The connect table holds rule and that rule's keys; any other key is an
// error.
//
//	rule                keys                          synapses
//	all_to_all          autapses                      every source to every target
//	one_to_one          autapses                      source i to target i; equal sizes
//	fixed_probability   p, autapses                   each ordered pair independently with probability p
//	fixed_indegree      k, autapses, multapses        each target from exactly k sources
//	fixed_outdegree     k, autapses, multapses        each source to exactly k targets
//	pairs               file                          the pairs listed in a CSV file
//
// autapses (a synapse from a neuron onto itself, only possible when from ==
// to) and multapses (the same pair more than once) default to false. Without
// multapses, fixed_indegree/outdegree draw k distinct partners, so k may not
// exceed the other population's size (less one when autapses are excluded).
//
// A pairs file (its path relative to the scenario file) is a CSV file with a
// header row. The columns "source" and "target" are required and hold member
// indices from 0; a "weight [unit]" column (e.g. "weight [mV]", or "weight"
// for a dimensionless weight) and a "delay [unit]" column may give each
// pair's weight and delay, in which case the projection must not have that
// key. Lines starting with # are comments.
//
//	source,target,weight [mV]
//	0,5,0.5
//	0,7,1.25
//
// # Weights
//
// A weight is a magnitude, >= 0: the receptor gives its sign. It is written
// as a quantity, { uniform = [low, high] } or { normal = [mean, sd] }, each
// with an optional clip = [low, high]. Values drawn from a normal
// distribution are clipped at 0 (negative values become 0). The accepted
// dimensions depend on the target model ([neuron.Params.WeightScale]): a
// voltage jump (mV) or a current (pA) for lif_exp_current, a voltage for
// lif_delta, a conductance (nS) or a multiple of g_L (a plain number) for
// lif_exp_cond and lif_cond_ampa_nmda. The network stores weights in the
// model's internal unit.
//
// # Delays
//
// A delay is a time, in the same forms as a weight. Each delay is rounded to
// the nearest tick. A fixed delay, the lower bound of a uniform delay and
// every delay in a pairs file must be at least one tick (the resolution);
// values drawn from a normal distribution are clipped below at one tick. The
// network stores one constant delay when all delays are equal.
//
// # Reproducibility
//
// [Scenario.Compile] draws every random choice from a stream named after what
// it draws (init/<population>, connect/<projection>, weight/<projection>,
// delay/<projection>), so that a population or projection added to a
// scenario does not change the others' arrays, and the same scenario and
// seed always give identical networks.
package netlist
