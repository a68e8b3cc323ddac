package spikelog

import (
	"strconv"
	"strings"
)

// The series vocabulary: the words the simulator writes into a series
// declaration (Series.What, Series.Unit, the families of Series.Name) and
// that readers match. The writer of the series (package engine, through
// the command line or an embedding program) and the readers (package
// analysis, the command line) use these constants, so that the two sides
// cannot drift apart. The format itself accepts any text; these are the
// conventions of the series snnsim writes.

// Series kinds (Series.What) of the series that are not model variables.
// A series of a model's per-synapse or per-neuron variable has the
// variable's name as its kind ("efficacy", "protein", ..., or VarWeight).
const (
	WhatV       = "v"       // membrane potential of neurons, in UnitMV
	WhatRate    = "rate"    // population rate per sampling bin, in UnitHz
	WhatWeights = "weights" // synaptic weights, in the target model's weight unit
	WhatPre     = "pre"     // presynaptic neuron ID of each sampled synapse, in UnitID
	WhatPost    = "post"    // postsynaptic neuron ID of each sampled synapse, in UnitID
)

// VarWeight is the name of the one per-synapse variable of a projection
// without a consolidation model: its weight.
const VarWeight = "weight"

// Units (Series.Unit) of the series that have a fixed unit.
const (
	UnitMV = "mV" // membrane potential
	UnitHz = "Hz" // rate
	UnitID = "id" // global neuron IDs (WhatPre, WhatPost): labels, not quantities
)

// The statistics of a pathway series: a "pathway/<proj>/<var>/<stat>"
// series holds, per sample, one statistic of a variable over every synapse
// of a projection, and its Unit is the statistic's name.
//
// A record split by sets of neurons writes the statistics of each part:
// "pathway/<proj>/<pre>-><post>/<var>/<stat>" over the synapses from set
// <pre> to set <post>, "neuron_state/<pop>/<set>/<var>/<stat>" over the
// neurons of a set, with <stat> one of StatMean, StatSD and StatN (the
// number of synapses or neurons the part holds, so that the statistics of
// the whole follow from those of its parts). Set names are letters, digits
// and _, so the names split unambiguously at "/" and SplitArrow.
const (
	StatMean = "mean" // the mean over the synapses
	StatSD   = "sd"   // the population standard deviation over the synapses
	StatN    = "n"    // the number of synapses (or neurons) of a part of a split record
)

// SplitArrow joins the presynaptic and the postsynaptic set of a part of
// a split pathway record: "core->ctrl".
const SplitArrow = "->"

// Families of series names: a series name starts with its family, the
// kind of the record that wrote it ("v/E", "weights/S_to_E",
// "synapses/S_to_E/efficacy", "pathway/S_to_E/efficacy/mean",
// "neuron_state/E/protein").
const (
	WeightsPrefix     = "weights/"
	SynapsesPrefix    = "synapses/"
	PathwayPrefix     = "pathway/"
	NeuronStatePrefix = "neuron_state/"
)

// Marks of a pattern source's schedule (source.Pattern): one mark per
// switch, written at the tick of the switch, whose text is
//
//	pattern on <population>: <k>       pattern k of the phase in force goes on
//	pattern off <population>: <k>      pattern k goes off
//	pattern phase <population>: <i>    phase i (0 for the top level) starts
//
// Readers (recall and assembly measures) rebuild the presentations from
// them with ParsePatternMark.
const (
	PatternOn    = "pattern on"
	PatternOff   = "pattern off"
	PatternPhase = "pattern phase"
)

// PatternMark returns the text of a pattern schedule mark: kind is
// PatternOn, PatternOff or PatternPhase, pop the source population's name
// and index the pattern (or the phase).
func PatternMark(kind, pop string, index int) string {
	return kind + " " + pop + ": " + strconv.Itoa(index)
}

// ParsePatternMark splits the text of a pattern schedule mark into its
// kind, population and index; ok is false for any other text.
func ParsePatternMark(text string) (kind, pop string, index int, ok bool) {
	for _, k := range []string{PatternOn, PatternOff, PatternPhase} {
		rest, found := strings.CutPrefix(text, k+" ")
		if !found {
			continue
		}
		name, num, found := strings.Cut(rest, ": ")
		if !found || name == "" || strings.ContainsAny(name, " :") {
			return "", "", 0, false
		}
		i, err := strconv.Atoi(num)
		if err != nil || i < 0 {
			return "", "", 0, false
		}
		return k, name, i, true
	}
	return "", "", 0, false
}
