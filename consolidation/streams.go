package consolidation

import (
	"math"

	"github.com/snnsim/snnsim"
)

// Streams gives every synapse its own random stream, so that the numbers a
// synapse draws do not depend on the order in which synapses are processed
// or on how many other synapses draw. Draw k of synapse s is
// SplitMix64(seed + golden·(s·2^32 + k)) style counter hashing: the stream is
// a pure function of (seed, s, k), and the state to checkpoint is the
// per-synapse draw count.
type Streams struct {
	seed uint64
	n    []uint64 // draws made per synapse
}

// NewStreams returns streams for n synapses derived from seed.
func NewStreams(seed uint64, n int) Streams {
	return Streams{seed: seed, n: make([]uint64, n)}
}

const golden = 0x9e3779b97f4a7c15

func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Uint64 returns synapse s's next 64 random bits.
func (r *Streams) Uint64(s snnsim.SynapseID) uint64 {
	k := r.n[s]
	r.n[s]++
	return mix64(mix64(r.seed^(uint64(s)*golden)) + (k+1)*golden)
}

// Float64 returns synapse s's next uniform number in [0, 1).
func (r *Streams) Float64(s snnsim.SynapseID) float64 {
	return float64(r.Uint64(s)>>11) * 0x1p-53
}

// Exp returns synapse s's next exponential number with mean 1.
func (r *Streams) Exp(s snnsim.SynapseID) float64 {
	return -math.Log1p(-r.Float64(s))
}

// Norm returns synapse s's next standard normal number (Box–Muller, one
// value per two uniforms).
func (r *Streams) Norm(s snnsim.SynapseID) float64 {
	u1 := 1 - r.Float64(s) // (0, 1]
	u2 := r.Float64(s)
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}

// SetDraws sets synapse s's stream to draw k: its next number is the one it
// would draw after k draws. Models that tie draws to time (a noise draw per
// slow-clock step) use it so that a synapse skipped for a while, or
// processed in another order, draws what it would have drawn.
func (r *Streams) SetDraws(s snnsim.SynapseID, k uint64) { r.n[s] = k }

// Counts returns the per-synapse draw counts (the streams' state); the
// slice is the Streams' own.
func (r *Streams) Counts() []uint64 { return r.n }
