//go:build !amd64 || purego

package source

import "math/rand/v2"

// Without the amd64 assembly the OU currents are advanced in Go.
var useAVX512 = false

func ouStepAVX512(x *float64, pcg *rand.PCG, idx *int64, bl *uint64, n int, m, a, s float64, zk *float64) int {
	panic("source: no assembly kernel")
}

func ouSlowAVX512(x *float64, pcg *rand.PCG, idx *int64, bl *uint64, cnt int, m, a, s float64, zk *float64, first, second *uint64, fail *uint8) {
	panic("source: no assembly kernel")
}

var zigKernel = new([1][1]float64)
