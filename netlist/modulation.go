package netlist

import "github.com/snnsim/snnsim"

// Modulation is one change of a level that a population's consolidation
// model reads (the model's SetLevel): from tick At on, level Name of every
// neuron of population Population is Level. Before its first change a
// level is the model's default. [Network.Modulations] holds them sorted by
// At; changes at the same tick keep their declaration order, and the last
// one holds.
type Modulation struct {
	Population int // population index
	Name       string
	At         snnsim.Time
	Level      float64
}
