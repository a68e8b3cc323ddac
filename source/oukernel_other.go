//go:build !amd64 || purego

package source

import "math/rand/v2"

// Without the amd64 assembly the OU currents are advanced in Go.
var useAVX512 = false

func ouStepAVX512(x *float64, pcg *rand.PCG, first *uint64, fail *uint8, n int, m, a, s float64, zx, zr *float64) {
	panic("source: no assembly kernel")
}
