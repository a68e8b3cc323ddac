// Package scenario is the TOML front end of snnsim: it decodes scenario
// files, applies command-line overrides (--set), validates every key with
// its file and line, and compiles a scenario with its seed into a
// [netlist.Network], the arrays the engine runs. This comment is the
// scenario file manual. A program that builds its network in code needs
// only package netlist and its connectivity builders.
//
// # Use
//
//	s, err := scenario.Load("scenarios/cuba.toml") // decode and validate
//	if err != nil {
//		// err is a scenario.ErrorList: every problem, one a line,
//		// "file:line: key: message", sorted by line.
//	}
//	s.Seed = 7              // optional overrides before compiling
//	net, err := s.Compile() // draw connectivity, weights, delays, initial V
//
// or, with command-line overrides of scenario keys (see Overrides):
//
//	s, err := scenario.LoadOverrides("scenarios/stc.toml", []string{"population.S2.params.start=3 h"})
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
//	model  = "lif_exp_current"     # a neuron model (lif_delta, lif_exp_current, lif_exp_cond,
//	                               # lif_cond_ampa_nmda, aif_cond_ampa_nmda, adex) or a source (poisson,
//	                               # spike_times, regular, tetanus, burst, stc_protocol, pattern,
//	                               # external; see Pattern stimuli for pattern)
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
//	[[population]]
//	name   = "S2"                  # a second pathway, stimulated by a named protocol:
//	size   = 100                   # "WTET", "STET", "WLFS", "SLFS" or "none" (go doc ./source Protocol)
//	model  = "stc_protocol"
//	params = { protocol = "WTET", start = "2 s" }
//
//	[[projection]]
//	name     = "E_to_I"            # optional; default "<from>_to_<to>"; unique
//	from     = "E"                 # any population
//	to       = "I"                 # a neuron population
//	receptor = "exc"               # required: "exc" or "inh"
//	connect  = { rule = "fixed_probability", p = 0.02 }
//	weight   = "1.62 mV"           # required; see Weights
//	delay    = "0.8 ms"            # required; see Delays
//	stp      = { U = 0.2, tau_d = "150 ms", tau_f = "600 ms" }
//	                               # optional; see Short-term plasticity
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
//	consolidation = { model = "tag_trigger_consolidation", induction = "signal", theta_p = 40 }
//	                               # optional; see Consolidation
//
//	[[projection]]
//	from     = "S2"
//	to       = "E"
//	receptor = "exc"
//	connect  = { rule = "all_to_all" }
//	weight   = "0.5 mV"
//	delay    = "1 ms"
//	plasticity    = { rule = "triplet", preset = "visual_cortex_all_to_all_minimal", w_min = 0, w_max = 2 }
//	consolidation = { model = "tag_trigger_consolidation", induction = "signal", theta_p = 40 }
//	                               # the same model and parameters as every other
//	                               # projection onto E with consolidation
//
//	[[drug]]                       # see Neuromodulators and drugs
//	kind       = "protein_synthesis_inhibitor"   # anisomycin: blocks protein synthesis
//	population = "E"               # of a population with consolidation
//	start      = "5 s"
//	stop       = "8 s"             # optional, default never
//
//	[[phase]]                      # a named stretch of the run; see Phases
//	name  = "late"                 # required, unique (--set phase.late.mode=...)
//	start = "8 s"                  # required, > 0, before the end of the run
//	stop  = "10 s"                 # required, after start, at most the duration
//	mode  = "spiking"              # optional: "spiking" (default), or "fast_forward"
//	                               # (spiking off; needs models that can, not
//	                               # tag_trigger_consolidation)
//
//	[[group]]                      # a named set of neurons; see Groups
//	name       = "core"            # required, unique
//	population = "E"
//	neurons    = "0..149"          # indices and ranges ("0, 3, 7..9") or a list [0, 3]
//
//	[[group]]
//	name     = "cue"
//	of       = "core"              # a part of a group defined above
//	fraction = 0.5                 # or count = 75; the part's size, rounded
//	pick     = "random"            # or "first" (the default): which members
//
//	[[stimulus]]
//	name       = "recall"          # optional, unique, not a number: keys the stimulus's
//	                               # random streams, --set stimulus.recall.start=...,
//	                               # and its match when branching from a checkpoint
//	kind       = "current_step"    # or "ou_current" (below)
//	population = "E"               # a neuron population
//	neurons    = [0, 3]            # optional: members affected ("0..3" as in a group);
//	                               # default all. Or group = "cue" instead of
//	                               # population and neurons.
//	amplitude  = "200 pA"          # bias current during the step
//	start      = "1 s"             # optional, default 0; on the tick grid
//	stop       = "2 s"             # optional, default never; after start. Then the
//	                               # bias returns to the model's i_bias.
//
//	[[stimulus]]                   # an Ornstein–Uhlenbeck current, independent per
//	kind       = "ou_current"      # neuron, updated exactly each step
//	population = "E"               # (Luboeinski & Tetzlaff 2021 background and cues)
//	neurons    = [0, 3]            # optional: members affected; default all
//	mean       = "0.15 nA"         # stationary mean
//	sigma      = "0.5 nA"          # stationary standard deviation
//	tau        = "5 ms"            # correlation time
//	init       = "0 pA"            # optional: value at start; default the mean
//	start      = "1 s"             # optional, default 0; on the tick grid
//	stop       = "2 s"             # optional, default never. Random streams:
//	                               # "ou/<population>/<name or stimulus index>/<j>"
//	                               # for the j-th member affected.
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
//	                               # (or group = "core" instead of populations and neurons)
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
//	final       = true             # optional: one more sample after the run's last tick
//
//	[[record]]
//	what        = "synapses"       # per-synapse consolidation variables
//	projection  = "S2_to_E"        # required
//	sample      = 10               # optional: 10 synapses chosen at random (or synapses = [indices]);
//	                               # default all
//	variables   = ["efficacy", "z"]  # optional; default every variable of the model
//	interval    = "1 min"          # optional, default 1 min
//
//	[[record]]
//	what        = "pathway"        # mean and s.d. over all synapses of a projection
//	projection  = "S1_to_E"
//	variables   = ["efficacy"]     # optional; default every variable of the model
//
//	[[record]]
//	what        = "neuron_state"   # per-neuron state (protein, tag counts, ...)
//	population  = "E"
//	neurons     = [0]              # optional; default all
//	variables   = ["protein"]      # optional; the engine checks the names
//	interval    = "10 s"           # optional, default 1 min
//
// # Pattern stimuli
//
// A population of model "pattern" is a set of Poisson inputs on which
// patterns are presented at random intervals, as by Auryn's StimulusGroup
// in Zenke, Agnes & Gerstner (2015): every member fires at background; while
// a pattern is on, its members fire at background + rate. The params table
// holds the first phase; each [[population.params.phases]] table (or an
// inline phases = [{...}, ...]) starts a later one at its at, and keys it
// leaves out keep the values of the phase before it. The network's state
// carries over: phases are parameters of one run.
//
//	[[population]]
//	name  = "input"
//	size  = 4096
//	model = "pattern"
//
//	[population.params]
//	background = "5 Hz"          # every member, at all times
//	rate       = "25 Hz"         # added on the members of the pattern that is on
//	file       = "shapes.pat"    # an Auryn pattern file (relative to the scenario), or
//	                             # patterns = [[0, 1, 2], [7, 8]] (member indices)
//	first      = "10 s"          # from the phase's start to its first onset
//	on         = "1 s"           # mean presentation, drawn Normal(on, on/3) clipped at 0
//	off        = "2 s"           # mean pause, drawn Exponential(mean off)
//	# random_intervals = false   # exactly on and off instead
//	# probabilities = [1, 1, 2]  # relative frequency of each pattern; default uniform
//	# binary = false             # rate·gamma per member (the file's gammas, or
//	                             # gammas = [[1, 0.5, 0.5], [1, 1]]); default true: gamma ignored
//
//	[[population.params.phases]]
//	at  = "1200 s"               # phases in time order
//	on  = "0.2 s"
//	off = "5 s"
//
//	[[population.params.phases]]
//	at   = "1800 s"
//	file = "shapes_cues.pat"     # new patterns: recall cues
//	rate = "50 Hz"
//
// A pattern file holds patterns separated by blank lines, one member a line
// ("index" or "index gamma"), lines starting with # being comments
// (go doc ./source ReadPatterns); its errors name the file and line. The
// scenario reads the files when it is decoded, so the compiled network holds
// the patterns. At the start of a phase a pattern still on is switched off
// and nothing is on until at + first; a member index must be below the
// population's size. The schedule has its own random stream, seeded from
// the population's, so it depends on the seed and the schedule's keys, not
// on the rates. Every onset and offset is written to the log as a mark,
// "pattern on input: 2", "pattern off input: 2", and each phase's start as
// "pattern phase input: 1" (spikelog.ParsePatternMark), from which the
// analysis commands rebuild the presentations. Overrides reach a phase by
// its index: --set "population.input.params.phases.1.rate=50 Hz". A pattern
// source's phases are its own parameters, not [[phase]] tables (see
// Phases); inside a fast_forward [[phase]] the source drops its spikes but
// its schedule runs on, and the switches it made there are written when
// spiking resumes, each at its own tick.
//
// # Groups
//
// A [[group]] table names a set of neurons of one population, so that a
// scenario states an assembly or a cue once and its stimuli use it by name
// (group = "core"); the log header lists every group with its members, and
// snnsim recall finds the assembly ("core") and the cue ("cue") there. A
// group lists its neurons (population and neurons), or is a part of a
// group defined above it (of, with fraction or count, and pick): "first"
// takes the parent's first members in its order, "random" draws them
// without replacement from the stream group/<name> and lists them in
// increasing order, so the draw depends on the seed and the group's name
// only. fraction·size is rounded to the nearest integer, as the authors
// of the recall protocol compute p_r·N_CA (Luboeinski & Tetzlaff 2021). An
// override changes a group and every stimulus that uses it:
//
//	--set group.core.neurons=0..249          an assembly of 250, its cue 125
//	--set group.cue.pick=first
//
// # Branching from a checkpoint
//
// [Scenario.BranchDiffs] tells whether a scenario may continue a run of
// another from a checkpoint (snnsim run --from): the network and every
// stimulus that started before the checkpoint's time must be the same, as
// decoded; stimuli are matched by name, or by position when they have
// none, and those that start later may differ, as may the records and the
// duration. Stimuli are compared by the
// neurons they reach, so a changed group counts where it is used.
//
// # Recording
//
// Each [[record]] table adds to what the run's log holds; several tables may
// name the same population. what is one of:
//
//	what          keys                                                records
//	spikes        populations, window                                 every spike of the populations
//	v             populations, neurons, sample, window, final         V of each listed neuron after each sample tick
//	rate          populations, sample, window                         spikes per neuron and second over each bin
//	weights       projection, synapses, sample, window, final         the weights after each sample tick
//	synapses      projection, synapses | sample, variables, interval, window, final
//	                                                                  per-synapse variables of chosen synapses
//	pathway       projection, variables, interval, window, final, split
//	                                                                  mean and s.d. of each variable over the projection
//	neuron_state  population, neurons, variables, interval, window, final, split
//	                                                                  per-neuron state variables of chosen neurons
//
// A v sample at tick t is the membrane potential after tick t has been
// simulated (exact also for neurons at rest, which the engine does not
// step). A rate sample at tick t covers the ticks [t, t + sample). A
// weights record writes the series "weights/<projection>", in the target
// model's internal weight unit (neuron.Params.WeightUnit: mV for
// lif_delta, lif_exp_current and adex, multiples of g_L for the conductance
// models), plus two series sampled once,
// ".../pre" and ".../post", holding each recorded synapse's source and
// target global neuron IDs, so the weight matrix can be rebuilt from the log
// alone.
//
// The state records (synapses, pathway, neuron_state) sample every
// interval (a time on the tick grid, default "1 min"; note that their
// sampling interval is interval, not sample). A synapses record takes
// either synapses = [indices] (CSR order, each once, checked against the
// projection's size when it is compiled) or sample = n, n synapses drawn
// without replacement from the stream sample/<projection> (so records of
// one projection with the same n choose the same synapses), or neither
// for every synapse. Its variables, and a pathway record's, are names from
// the projection's consolidation model (Vars; e.g. "efficacy", "h", "l",
// "z" for tag_trigger_consolidation), default all, each listed once; a
// projection without consolidation has the one variable "weight". A
// pathway record writes, at each sample, the mean and the standard
// deviation of each variable over all the projection's synapses. A
// neuron_state record names one neuron population, optional members and
// optional variables (non-empty strings; the engine checks the names and
// records every per-neuron variable it has when variables is left out).
//
// split divides a pathway or neuron_state record by named sets of neurons,
// as a memory experiment compares an assembly with the rest of the network:
//
//	[[record]]
//	what       = "pathway"
//	projection = "E_to_E"          # within one population
//	variables  = ["h", "z", "w"]
//	interval   = "1 s"
//	split      = { core = "0..149", ctrl = "rest" }
//
//	[[record]]
//	what       = "neuron_state"
//	population = "E"
//	variables  = ["protein"]
//	interval   = "1 s"
//	split      = { core = "0..149", ctrl = "rest" }
//
// Each set is the name of a [[group]] of the population (its members, so
// that --set group.core.neurons=0..249 moves the split with the group), a
// selector string — an index "7", an inclusive range "0..149" or a
// comma-separated list of them, "0,3,7..9" — a list of indices, or
// "rest": every member in no other set. Set names are
// letters, digits and _; the sets must be disjoint and not empty; neurons
// in no set are left out. A split pathway record, of a projection within
// one population, writes for each variable and each ordered pair of sets
// (pre, post) the mean, the standard deviation and the number of the
// synapses from set pre to set post, "pathway/<projection>/<pre>-><post>/
// <variable>/mean", ".../sd" and ".../n"; a split neuron_state record the
// same over the neurons of each set, "neuron_state/<population>/<set>/
// <variable>/mean", ".../sd", ".../n". The sets are ordered by their
// smallest member, and so are the series. They replace the record's
// values of the whole: record the projection again without split to have
// both (the whole follows from the parts when the sets cover every neuron,
// as with "rest"). A split neuron_state record takes no neurons key.
//
// final = true (every sampled kind but rate) adds one sample after the last
// tick of the run, inside a window or not, unless the interval already
// places one there: weights every 10 s of a 100 s run are sampled at 0, 10,
// ..., 90 s and, with final, after the tick that ends at 100 s.
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
//	rule    "pair", "triplet", "triplet_homeostatic", "p11", "istdp_global"
//	        or "istdp_vogels" (required)
//	preset  a published parameter set of the rule, applied first (optional;
//	        e.g. "song_abbott_2000", "visual_cortex_all_to_all_minimal", "zenke_2013",
//	        "zenke_2015", "zenke_2015_unstable_control", "vogels_2011")
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
// The rules of the network of Zenke, Agnes & Gerstner (2015), with the
// authors' values as defaults (go doc ./stdp P11Params, GlobalISTDPParams,
// VogelsParams):
//
//	rule          keys
//	p11           a_plus, a_minus, tau_plus, tau_minus, tau_slow, tau_hom, kappa,
//	              rate_init, delta, beta, w_min, w_max: triplet LTP, LTD scaled by
//	              the square of a slow rate estimate, δ per presynaptic spike and
//	              the heterosynaptic term −β (w − w̃)(z⁻)³
//	istdp_global  eta, kappa, tau_h, tau_plus, tau_minus, xi, zeta, w_min, w_max:
//	              symmetric inhibitory STDP whose sign and size follow the target
//	              population's rate against kappa (the authors' I→E rule; the rate
//	              counts each spike one projection delay late, as their code does)
//	istdp_vogels  eta, kappa, tau, w_min, w_max: Vogels et al. (2011)
//
// With beta > 0, p11 reads w̃ from the projection's consolidation model,
// which must be zenke_2015 with its own beta = 0 (the preset "sim_rc_p11"),
// so that the term is applied once; the preset "zenke_2015_unstable_control"
// (beta = delta = 0) is the authors' control without these terms:
//
//	plasticity    = { rule = "p11" }
//	consolidation = { model = "zenke_2015", preset = "sim_rc_p11" }
//
// # Short-term plasticity
//
// A projection's stp table gives its source neurons presynaptic
// short-term plasticity (Tsodyks & Markram 1997; go doc ./stdp STP): each
// source neuron has resources x and a utilisation u on this projection,
// and each of its spikes releases r = x·u (the values just before the
// spike), after which x ← x(1 - u) and u ← u + U(1 - u); between spikes x
// recovers to 1 with tau_d and u relaxes to U with tau_f, exactly. Every
// synapse of the spike's row delivers w·r; the spike carries r through its
// delay. Plasticity and consolidation read and change w itself, and
// recorded weights are w. A projection without the table delivers w.
//
//	key    meaning
//	U      utilisation at rest and facilitation jump, in (0, 1] (required)
//	tau_d  recovery time of the resources, > 0 (required)
//	tau_f  relaxation time of the utilisation, > 0 (required)
//	x0     resources at t = 0, in [0, 1] (optional, default 1)
//	u0     utilisation at t = 0, in [0, 1] (optional, default U)
//
// Release uses u before the jump, as in Zenke, Agnes & Gerstner (2015): the
// first spike after a pause releases U (0.2 w for U = 0.2). Two projections
// from the same population keep separate x and u.
//
//	stp = { U = 0.2, tau_d = "150 ms", tau_f = "600 ms" }              # E→E, input→E
//	stp = { U = 0.2, tau_d = "150 ms", tau_f = "600 ms", u0 = 0.01 }   # E→I
//
// # Consolidation
//
// A projection's consolidation table names a model of package
// consolidation and its parameters (go doc ./consolidation; keys left out
// keep the model's defaults):
//
//	consolidation = { model = "tag_trigger_consolidation", theta_p = 40, tau_h = "1 h" }
//
// A model with named parameter sets takes preset (go doc ./consolidation
// Presets), applied before the other keys: zenke_2015 has "sim_rc_p11", the
// authors' configuration (P = 17.07, w̃ starting in the lower well, beta = 0
// for the p11 rule):
//
//	consolidation = { model = "zenke_2015", preset = "sim_rc_p11", tau_cons = "20 min" }
//
// A projection may have consolidation with or without plasticity; with
// both, the rule's weight changes are the model's signals. The model
// keeps per-neuron state of the target population (protein, tag counts,
// neuromodulator levels), so every projection onto one population that
// has consolidation must name the same model with identical parameters;
// the second one that does not is an error at its consolidation key.
//
// # Neuromodulators and drugs
//
// A [[neuromodulator]] table gives the time course of one level that the
// consolidation model of a population reads (Params.Modulators, e.g.
// "dopamine"); name must be one of them, and some projection onto the
// population must have consolidation. The level is either 0 outside
// windows and level inside them:
//
//	[[neuromodulator]]
//	population = "E"
//	name       = "dopamine"
//	windows    = [["31 min", "32 min"], ["91 min", "92 min"]]  # [start, stop), in time
//	level      = 1                                             # order, disjoint; default 1
//
// or piecewise constant, level from each at on (ats strictly increasing):
//
//	[[neuromodulator]]
//	population = "E"
//	name       = "dopamine"
//	schedule   = [{ at = "30 min", level = 0.5 }, { at = "40 min", level = 0 }]
//
// Before its first change a level is the model's default. One table sets
// one level of one population.
//
// zenke_2015 reads the level "consolidation", a switch: 1 (the default)
// consolidates, 0 pauses w̃ (the authors' consolidation_active):
//
//	[[neuromodulator]]
//	population = "E"
//	name       = "consolidation"
//	schedule   = [{ at = "40 min", level = 0 }]
//
// importance_si (synaptic intelligence, Zenke, Poole & Ganguli 2017) reads
// the level "task": every change of its value (initially 0) is a task
// boundary, at which each synapse's importance Ω grows by its path
// integral ω/(Δ² + xi) and its anchor w* moves to its weight; between
// boundaries the weight relaxes towards w* at the rate 2·c·Ω/tau. Number
// the tasks:
//
//	consolidation = { model = "importance_si", c = 0.1, tau = "1 s" }
//
//	[[neuromodulator]]
//	population = "E"
//	name       = "task"
//	schedule   = [{ at = "10 s", level = 1 }, { at = "20 s", level = 2 }]
//
// luboeinski_tetzlaff_2021 takes a late phase, the key late (go doc
// ./consolidation LT2021Params): "stc" (tagging and capture, the default),
// "none" (the early phase alone, as alpha = 0), "metaplastic" (a hidden
// weight driven by the early phase's changes, attenuated towards zero by
// 1 − tanh²(meta_m·|W_h|)), "importance" (an importance-weighted weight
// anchored at each task boundary, si_c, si_tau, si_xi; it reads the level
// "task", which a [sequence] table makes) or "benna_fusi" (a chain fed by
// the early weight, bf_variables, bf_ratio, bf_g12, bf_time_unit,
// bf_feed):
//
//	consolidation = { model = "luboeinski_tetzlaff_2021", late = "metaplastic", meta_m = 0.5 }
//
// metaplastic_laborieux_2021 (Laborieux et al. 2021) reads no level: the
// rule drives a hidden weight w_h whose changes towards 0 are scaled by
// 1 − tanh²(m·|w_h|), and the synapse transmits its compiled weight while
// w_h > 0 (output = "binary") or that weight times max(w_h, 0) (output =
// "hidden"). The rule's bounds clip w_h, so give them room below 0:
//
//	plasticity    = { rule = "pair", w_min = -1, w_max = 1 }
//	consolidation = { model = "metaplastic_laborieux_2021", m = 1.3, w_h_init = 0.1 }
//
// A [[drug]] table applies a drug to a population. The only kind,
// "protein_synthesis_inhibitor" (anisomycin), sets the level "inhibitor"
// to 1 from start (required) to stop (optional; default: never washed
// out), which the model must read; applications to one population must not
// overlap.
//
//	[[drug]]
//	kind       = "protein_synthesis_inhibitor"
//	population = "E"
//	start      = "20 min"
//	stop       = "2 h"
//
// Times are on the tick grid and >= 0. The network holds the changes, of
// both kinds of table, as [netlist.Network.Modulations].
//
// # Phases
//
// A [[phase]] table names a stretch [start, stop) of the run and says how
// it runs. mode = "spiking" (the default) is the normal simulation: the
// phase is only a name. mode = "fast_forward" switches spiking off, as the
// fast-forward consolidation of the simulator of Luboeinski & Tetzlaff
// (2021): at start every consolidation model sets its calcium (its
// induction) to 0 and drops the effects of spikes still pending, and the
// spikes in flight that would arrive inside the phase are lost; inside it
// no neuron is updated (membrane potentials, synaptic currents,
// Ornstein–Uhlenbeck currents and refractory clocks keep their values),
// no spike is emitted, sources drop the spikes they were due to emit, and
// no stimulus acts; only the consolidation models advance, without
// spikes and without their noise (for luboeinski_tetzlaff_2021: the
// relaxation of h towards h0, the protein with its switch-off and the late
// weight z, in closed form). At stop the neurons resume from the state
// they had before the phase. The engine jumps over the phase: it costs
// the consolidation models' closed forms and the records due inside it,
// which see the fast-forwarded state (a v sample inside it reads the
// frozen potential). Checkpoints inside a phase, and runs split or resumed
// anywhere, give the same result as one run.
//
// The same scenario runs with spiking kept on by overriding the mode,
// --set phase.consolidation.mode=spiking, which measures what the
// fast-forward assumption costs. Phases must not overlap, must start after
// tick 0 (the initial state) and end by the end of the run. A
// fast_forward phase needs every consolidation model of the network to
// support it (consolidation.CanFastForward; the error lists the models
// that do), and no stimulus may start or stop inside it (its neurons are
// frozen); neuromodulator and drug changes inside it reach the models at
// their times. The network holds the phases as [netlist.Network.Phases].
//
// # Sequences
//
// A [sequence] table is a sequential-memory protocol, the continual-
// learning experiment of Luboeinski & Tetzlaff (2022), who learn several
// overlapping cell assemblies in one network: n assemblies A1 … An of one
// population are learned one after another, each by a train of pulses,
// and then cued, each from a part of its neurons, in blocks at chosen
// times. It is written once and expands, when the file is decoded, into
// ordinary tables that the rest of the scenario (records, --set, branching)
// sees like its own:
//
//	[sequence]
//	name         = "A"            # optional, default "A": the names below
//	population   = "E"            # required
//	n            = 10             # required: assemblies A1 … A10
//	size         = 150            # required: neurons per assembly
//	overlap      = 0.1            # optional, in [0, 1), default 0
//	layout       = "chain"        # optional: "chain" (default) or "random"
//	first        = 0              # optional, chain only: A1's first neuron
//	learn        = "10 s"         # required: onset of A1's first pulse
//	interval     = "30 min"       # required for n > 1: A_i's onset to A_i+1's
//	pulses       = 3              # optional, default 1: pulses per assembly
//	every        = "0.5 s"        # required for pulses > 1: onset to onset
//	pulse        = { mean = "1050.18635 nA", sigma = "210.03727 nA", tau = "5 ms", width = "0.1 s" }
//	recall       = "28810 s"      # optional: a block onset, or a list ["60 s", "8 h"]
//	spacing      = "3 s"          # required with recall and n > 1: cue onset to cue onset
//	cue_fraction = 0.5            # optional, default 0.5: the cued part p_r
//	cue_pick     = "random"       # optional, default "random", or "first"
//	fast_forward = { after = "10.25 s", before = "0.4 ms" }  # optional
//	task_boundary = "10.25 s"     # optional: see the level "task" below
//
// The expansion, after the file's own tables (so --set group.N and
// stimulus.N keep their meaning):
//   - groups A1 … An of size neurons each. layout = "chain": consecutive
//     blocks of the population, A_i = first + (i−1)·s … first + (i−1)·s +
//     size − 1 with stride s = size − round(overlap·size), so consecutive
//     assemblies share round(overlap·size) neurons and A_i, A_i+k share
//     max(0, size − k·s). layout = "random": A_1 is size neurons drawn at
//     random; A_i (i > 1) takes round(overlap·size) neurons drawn from the
//     union of A_1 … A_i−1 and the rest from the neurons in none of them,
//     so every new memory reuses that many neurons already in use; each
//     A_i from the stream group/A_i of the seed, in increasing order;
//   - groups A1_cue … An_cue: a group of = "A_i", fraction = cue_fraction,
//     pick = cue_pick (see Groups);
//   - ou_current stimuli A_i_learn1 … A_i_learnP on A_i, the k-th at
//     learn + (i−1)·interval + (k−1)·every, each lasting pulse.width with
//     the pulse's mean, sigma and tau (init = mean);
//   - per block at time R, in assembly order A1 first, a cue stimulus
//     A_i_recall (A_i_recallB for the B-th block when there are several)
//     on A_i_cue at R + (j−1)·spacing for the j-th assembly whose learning
//     has ended by R (assemblies learned later are not cued in that block);
//   - with fast_forward, fast_forward phases A_ff1, A_ff2, … (see Phases)
//     between the stretches of spiking: a stretch is one assembly's
//     learning or one block of cues; spiking continues for the time
//     fast_forward.after past a stretch's last pulse and resumes
//     fast_forward.before ahead of the next stretch's first pulse
//     (Luboeinski & Tetzlaff 2021 keep 10.25 s and
//     resume 2 steps before, with 0.2-ms steps: after = "10.25 s", before =
//     "0.4 ms"); stretches closer than that spike throughout;
//   - when a consolidation model of the population reads the level "task"
//     (luboeinski_tetzlaff_2021 with late = "importance", importance_si)
//     and the file sets no such level there, a [[neuromodulator]] "task"
//     that steps to i at the end of A_i's task, task_boundary after the
//     end of A_i's last learning pulse (default fast_forward.after, so the
//     task ends where spiking stops; without fast_forward 10.25 s), which
//     must come before A_i+1's learning.
//
// One assembly with the authors' times is their 8h-recall protocol
// (lt2021_8h_recall.toml). The readout windows of
// 'snnsim recall RUN' (per assembly, without --learn and --recall) are
// centred on the onset of each assembly's last learning pulse and on the
// end of each of its cues, as the authors' 11 s and 28810.1 s. Decoding
// checks that pulses do not overlap (every >= width, interval longer than
// one assembly's learning, spacing >= width), that a block of cues does not
// overlap a learning and ends before the next block, that every block
// cues at least one assembly, and that the assemblies fit the population;
// a problem in a generated table (a name that clashes with the file's own,
// a stimulus of the file starting inside a generated phase) is reported at
// the [sequence] table's line, naming the generated table.
//
// # Memory curves
//
// A scenario with a [memory_curves] table is a memory-curve experiment
// (Fusi, Drew & Abbott 2005; Benna & Fusi 2016) instead of a network: consolidation models with a
// memory-curve setup (binary, cascade, benna_fusi) receive streams of
// random memories directly, without neurons, and their Monte-Carlo memory
// curve is compared with the exact one (go doc ./consolidation
// MemoryCurveConfig). snnsim run prints and writes the curves.
//
//	[simulation]
//	name = "memory_curves"         # optional, as for a network
//	seed = 1                       # optional, as for a network
//	                               # no duration, no resolution: time is counted in memories
//
//	[memory_curves]
//	synapses = 10000               # required: N, synapses per trial, >= 2
//	memories = [0, 1, 10, 100]     # required: the ages t at which to measure (memories
//	                               # stored after the tracked one), >= 0, increasing
//	trials   = 20                  # required: independent trials per model, >= 2
//	start    = "equilibrium"       # optional: the synapses' start, "equilibrium" (a draw from
//	                               # the stationary distribution, the default) or "model"
//	                               # (the state the model is built with, e.g. its init parameter)
//	burn_in  = 0                   # optional: random memories stored before the tracked one
//
//	[[memory_curves.model]]        # at least one
//	name   = "binary_q0.1"         # optional, default the model; unique; letters, digits, '_', '-', '.'
//	model  = "binary"              # required: a consolidation model with a memory curve
//	params = { q = 0.1 }           # optional: its parameters (keys left out keep the defaults)
//
// Such a scenario has no [[population]], [[projection]], [[stimulus]],
// [[record]], [[guard]], [[neuromodulator]], [[drug]] or [[phase]] tables and no
// duration or resolution: each is an error at its key, as are parameters
// that the model's Validate rejects and models without a memory-curve
// setup. [Scenario.MemoryCurves] holds the table; Compile gives the
// scenario an empty network. Each model's experiment draws its seed from
// the stream memory_curves/<name> ([MemoryCurvesSpec.Config]), so adding
// or reordering models changes no other model's curve. Overrides reach the
// tables as elsewhere, a model by its name value or its index (a model
// without a name only by its index): --set memory_curves.trials=50,
// --set "memory_curves.model.'binary_q0.1'.params.q=0.05".
//
// # Overrides
//
// [DecodeOverrides] and [LoadOverrides] (the command line's snnsim run
// --set KEY=VALUE) set scenario keys without editing the file. KEY is a
// dotted path; an element of an array of tables ([[population]],
// [[projection]], [[record]], ...) is chosen by its name value (a
// projection also by its default name "<from>_to_<to>") or by its index
// from 0; a part holding a dot is quoted ("population.'S.1'.size"):
//
//	simulation.seed=7
//	population.S2.params.start=3 h
//	projection.S1_to_E.consolidation.theta_p=50
//	record.2.window=["0 s", "1 h"]
//
// VALUE is read as a TOML value if it is one ("3 h" in quotes, 7, true,
// [1, 2], { rule = "pair" }), else as a string (3 h). The overrides are
// applied in order to the decoded TOML tree before anything is checked, so
// every check applies to them; an error on a value an override wrote
// reads "file: --set KEY: key: message" instead of "file:line: ...". The
// parent of KEY must exist (an override may add a key to a table, not an
// element to an array of tables): otherwise the error names KEY. The
// scenario keeps the overrides (Scenario.Overrides), and the compiled
// network's Text, which logs record, is the file's text followed by a
// comment block "# --set KEY=VALUE" ([Scenario.RecordedText]).
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
//	pairs               file, format, from_first,     the pairs listed in a CSV file, the block
//	                    to_first, scale               of an adjacency matrix (format = "adjacency")
//	                                                  or a Matrix Market file (format = "mtx")
//	disc_receptive_fields  width, height, radius, p  each target from the inputs of a grid within
//	                                                  a disc around a random centre
//
// autapses (a synapse from a neuron onto itself, only possible when from ==
// to) and multapses (the same pair more than once) default to false. Without
// multapses, fixed_indegree/outdegree draw k distinct partners, so k may not
// exceed the other population's size (less one when autapses are excluded).
// The rules are netlist's builders ([netlist.AllToAll],
// [netlist.FixedProbability], ...), drawn from the stream connect/<projection>.
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
// With format = "adjacency" the file is the connectivity matrix of the
// simulator of Luboeinski & Tetzlaff (2021): N lines of N entries 0 or 1,
// entry n of line m being 1 for a synapse from neuron m onto neuron n, the
// neurons numbered across the whole network ([netlist.ReadAdjacency]). A
// projection takes the block of rows from_first..from_first+size(from)−1
// and columns to_first..to_first+size(to)−1; both default to the
// populations' first indices with the populations numbered in declaration
// order, so a scenario that declares E and then I reads the authors' file
// as it is. Weight and delay are keys of the projection.
//
// With format = "mtx" the file is a Matrix Market coordinate matrix
// (go doc ./netlist ReadMatrixMarket): size(from) rows, size(to) columns,
// 1-based "i j value" lines, the format Auryn reads and writes connections
// in. A real or integer matrix gives the weights, value × scale: scale is
// a plain number (default 1) or a quantity whose unit the weights take
// ("0.5 mV"), and the projection must not have a weight key; a pattern
// matrix lists synapses only, and the projection's weight key gives their
// weights. Errors in the file name its line and column.
//
//	connect = { rule = "pairs", format = "mtx", file = "rf_discs.mtx", scale = 0.5 }
//
// disc_receptive_fields connects a grid of inputs, width × height =
// size(from), member k at column k mod width and row k div width, to the
// targets as Zenke, Agnes & Gerstner (2015) connect their 64×64 input
// grid: each target gets a centre drawn uniformly in [0, width-1] ×
// [0, height-1] and every input within radius (in pixels, Euclidean,
// inclusive, no wrap-around) of it, each kept with probability p (default
// 1) ([netlist.DiscReceptiveFields]).
//
//	connect = { rule = "disc_receptive_fields", width = 64, height = 64, radius = 8 }
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
// delay/<projection>, sample/<projection>, group/<group>), so that a population or projection added to a
// scenario does not change the others' arrays, and the same scenario and
// seed always give identical networks.
package scenario
