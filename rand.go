package snnsim

import (
	"hash/fnv"
	"math/rand/v2"
)

// StreamSeed derives the two 64-bit PCG seeds of the random stream called
// name from the scenario seed. Streams are named by stable strings such as
// "connect/E_to_I" or "poisson/P", so that adding a population or projection
// does not change the streams of the others.
func StreamSeed(seed uint64, name string) (uint64, uint64) {
	h := fnv.New64a()
	h.Write([]byte(name))
	a := splitmix(seed ^ h.Sum64())
	b := splitmix(a ^ 0x9e3779b97f4a7c15)
	return a, b
}

// NewRand returns the random stream called name, derived from seed. It is
// rand.New(NewPCG(seed, name)).
func NewRand(seed uint64, name string) *rand.Rand {
	return rand.New(NewPCG(seed, name))
}

// NewPCG returns the generator of the random stream called name, derived
// from seed: rand.New(NewPCG(seed, name)) draws exactly what
// NewRand(seed, name) draws.
//
// Use it where a stream must be checkpointed: hand rand.New(pcg) to its
// user and keep pcg. A *rand.Rand of math/rand/v2 holds no state besides its
// source, so pcg.MarshalBinary saves the stream's complete state and
// pcg.UnmarshalBinary, on the generator of a freshly built stream, resumes
// it bit for bit.
func NewPCG(seed uint64, name string) *rand.PCG {
	a, b := StreamSeed(seed, name)
	return rand.NewPCG(a, b)
}

// splitmix is the SplitMix64 finaliser, used to spread seed bits.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
