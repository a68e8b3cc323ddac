package consolidation

import (
	"fmt"
	"math"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
)

// This file holds what the memory-curve models (binary, cascade,
// benna_fusi) share: parameter checks, the state codec and the pieces of
// the Model interface that none of them uses.

// markovVersion is the payload version that the memory-curve models'
// AppendState writes and RestoreState reads.
const markovVersion = 1

// markovTag is the frame tag of a model: "consolidation/" and its name.
func markovTag(model string) string { return "consolidation/" + model }

// checkEfficacies requires finite w_low < w_high.
func checkEfficacies(c *snnsim.ParamCheck, lo, hi float64) {
	c.Finite("w_low", lo)
	c.Finite("w_high", hi)
	if !(lo < hi) {
		c.Failf("w_high", hi, "must be above w_low = %g", lo)
	}
}

// Initial states of the two-efficacy Markov models (the "init" key).
const (
	initEquilibrium = "equilibrium" // each synapse drawn from the f± = ½ stationary distribution
	initLow         = "low"         // every synapse weak (cascade: at depth 1)
	initHigh        = "high"        // every synapse strong (cascade: at depth 1)
)

// markovBadVar is the Set error for a variable index out of range.
func markovBadVar(model string, v int, vars []string) error {
	return fmt.Errorf("consolidation: %s: variable index %d out of range [0, %d)", model, v, len(vars))
}

// markovBadSynapse is the Set error for a synapse index out of range.
func markovBadSynapse(model string, s int64, n int) error {
	return fmt.Errorf("consolidation: %s: synapse %d out of range [0, %d)", model, s, n)
}

// markovIdent is what identifies a memory-curve model's state: the number
// of synapses, the seed of the random streams, and model-specific integers
// and floats (depth; number of variables, chain constants, resolution). A
// state is restored only into a model with the same ident.
type markovIdent struct {
	model  string
	n      int
	seed   uint64
	ikeys  []string
	ints   []int64
	fkeys  []string
	floats []float64
}

func (id *markovIdent) append(b []byte) []byte {
	b = checkpoint.PutI64(b, int64(id.n))
	b = checkpoint.PutI64(b, int64(id.seed))
	for _, v := range id.ints {
		b = checkpoint.PutI64(b, v)
	}
	for _, v := range id.floats {
		b = checkpoint.PutF64(b, v)
	}
	return b
}

// open reads the frame at the front of b, checks its ident against id and
// returns a decoder positioned after the ident and the bytes after the
// frame.
func (id *markovIdent) open(b []byte) (*checkpoint.Decoder, []byte, error) {
	tag := markovTag(id.model)
	payload, rest, err := stateCodec.Open(b, tag, markovVersion)
	if err != nil {
		return nil, nil, err
	}
	d := &checkpoint.Decoder{B: payload, C: &stateCodec}
	n, seed := d.I64(), uint64(d.I64())
	ints := make([]int64, len(id.ints))
	for k := range ints {
		ints[k] = d.I64()
	}
	floats := make([]float64, len(id.floats))
	for k := range floats {
		floats[k] = d.F64()
	}
	if d.Short {
		return nil, nil, d.Done(tag)
	}
	if n != int64(id.n) {
		return nil, nil, stateCodec.Mismatchf("%s state of %d synapses, this model has %d", id.model, n, id.n)
	}
	if seed != id.seed {
		return nil, nil, stateCodec.Mismatchf("%s state with seed %d, this model has seed %d", id.model, seed, id.seed)
	}
	for k, v := range ints {
		if v != id.ints[k] {
			return nil, nil, stateCodec.Mismatchf("%s state with %s = %d, this model has %d", id.model, id.ikeys[k], v, id.ints[k])
		}
	}
	for k, v := range floats {
		if math.Float64bits(v) != math.Float64bits(id.floats[k]) {
			return nil, nil, stateCodec.Mismatchf("%s state with %s = %g, this model has %g", id.model, id.fkeys[k], v, id.floats[k])
		}
	}
	return d, rest, nil
}

// markovAppendCounts appends the per-synapse draw counts of r.
func markovAppendCounts(b []byte, r *Streams) []byte {
	for _, c := range r.Counts() {
		b = checkpoint.PutI64(b, int64(c))
	}
	return b
}

// markovReadCounts reads n draw counts (any value is valid: a count only says
// where the synapse's stream resumes).
func markovReadCounts(d *checkpoint.Decoder, n int) []uint64 {
	if len(d.B) < 8*n {
		d.Short = true
		return nil
	}
	out := make([]uint64, n)
	for s := range out {
		out[s] = uint64(d.I64())
	}
	return out
}

// readMarkovTick reads a tick that must lie in [0, limit].
func readMarkovTick(d *checkpoint.Decoder, limit snnsim.Time) (snnsim.Time, bool) {
	t := snnsim.Time(d.I64())
	return t, t >= 0 && t <= limit
}

// beginMarkov starts a frame for model; endMarkov closes it.
func beginMarkov(b []byte, model string) ([]byte, int) {
	return checkpoint.Begin(b, markovTag(model), markovVersion)
}

func endMarkov(b []byte, start int) []byte { return checkpoint.End(b, start) }
