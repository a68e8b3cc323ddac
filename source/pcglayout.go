package source

import (
	"math/rand/v2"
	"unsafe"
)

// pcgLayoutOK reports whether a rand.PCG is the pair of words (hi, lo) of
// its 128-bit state, in that order, as the OU kernel reads and writes it:
// NewPCG(seed1, seed2) must leave hi = seed1 and lo = seed2 in memory.
func pcgLayoutOK() bool {
	if unsafe.Sizeof(rand.PCG{}) != 16 {
		return false
	}
	g := rand.NewPCG(0x0123456789abcdef, 0xfedcba9876543210)
	w := (*[2]uint64)(unsafe.Pointer(g))
	return w[0] == 0x0123456789abcdef && w[1] == 0xfedcba9876543210
}
