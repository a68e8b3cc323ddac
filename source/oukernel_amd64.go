//go:build amd64 && !purego

package source

import (
	"math/rand/v2"

	"golang.org/x/sys/cpu"
)

// useAVX512 reports whether the one-step update of an OU current runs in
// the AVX-512 kernel of oukernel_amd64.s (eight neurons per instruction):
// the CPU and OS support AVX-512F and DQ (x/sys/cpu checks that the OS
// saves the ZMM and opmask registers), and math/rand/v2's PCG keeps its
// state as the two words (hi, lo) that the kernel reads (pcgLayoutOK) and
// steps as the kernel does (kernelDrawsPCG).
// Tests switch it off to compare with the Go loop.
var useAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ && pcgLayoutOK() && kernelDrawsPCG()

// kernelDrawsPCG checks once that the kernel's generator step is
// math/rand/v2's: eight generators must give the outputs and states of
// PCG.Uint64.
func kernelDrawsPCG() bool {
	var g, h [8]rand.PCG
	for i := range g {
		g[i] = *rand.NewPCG(uint64(i)*0x9e3779b97f4a7c15, ^uint64(i))
		h[i] = g[i]
	}
	var x [8]float64
	var first [8]uint64
	var fail [1]uint8
	ouStepAVX512(&x[0], &g[0], &first[0], &fail[0], 8, 0, 1, 0, &zig.x[0], &zig.ratio[0])
	for i := range h {
		if h[i].Uint64() != first[i] || h[i] != g[i] {
			return false
		}
	}
	return true
}

// ouStepAVX512 advances n neurons (n a multiple of 8) of an OU current by
// one step. For each neuron j it draws the next 64-bit output b of pcg[j]
// (advancing the generator), stores it in first[j] and applies zigFast to
// it; where zigFast accepts, x[j] becomes m + (x[j]−m)·a + s·deviate, with
// the same roundings as the Go loop (no fused multiply-add). Bit l of
// fail[j/8] is set for the neurons j = 8(j/8)+l that zigFast refused: their
// x is unchanged and normalSlow(&pcg[j], first[j]) must finish the draw.
// zx and zr are the ziggurat's x and ratio tables.
//
//go:noescape
func ouStepAVX512(x *float64, pcg *rand.PCG, first *uint64, fail *uint8, n int, m, a, s float64, zx, zr *float64)
