//go:build amd64 && !purego

package source

import (
	"math"
	"math/rand/v2"

	"golang.org/x/sys/cpu"
)

// useAVX512 reports whether the one-step update of an OU current runs in
// the AVX-512 kernel of oukernel_amd64.s (eight neurons per instruction):
// the CPU and OS support AVX-512F and DQ (x/sys/cpu checks that the OS
// saves the ZMM and opmask registers), and math/rand/v2's PCG keeps its
// state as the two words (hi, lo) that the kernel reads (pcgLayoutOK) and
// steps as the kernel does (kernelMatchesGo).
// Tests switch it off to compare with the Go loop.
var useAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ && pcgLayoutOK() && kernelMatchesGo()

// zigKernel holds the ziggurat's tables in the layout the kernel reads:
// rows of zigLayers+1 values, x, ratio and f, then the squeeze of every
// wedge as a reject line (y >= rej0 + rej1·|x| + ε rejects) and an accept
// line (y < acc0 + acc1·|x| − ε accepts): for a convex layer the chord and
// the tangent, for a concave one the tangent and the chord, as
// ziggurat.wedge tests them; a layer without bounds has lines at +∞ and
// −∞ that decide nothing. The last row holds ε and 2⁻⁵³.
var zigKernel = newZigKernel(zig)

const (
	kX = iota
	kRatio
	kF
	kRej0
	kRej1
	kAcc0
	kAcc1
	kConst
	kRows
)

// newZigKernel lays out the tables of z for the kernels.
func newZigKernel(z *ziggurat) *[kRows][zigLayers + 1]float64 {
	k := new([kRows][zigLayers + 1]float64)
	k[kX] = z.x
	copy(k[kRatio][:], z.ratio[:])
	k[kF] = z.f
	for i, q := range z.sq {
		switch q.kind {
		case 1:
			k[kRej0][i], k[kRej1][i], k[kAcc0][i], k[kAcc1][i] = q.c0, q.c1, q.t0, q.t1
		case -1:
			k[kRej0][i], k[kRej1][i], k[kAcc0][i], k[kAcc1][i] = q.t0, q.t1, q.c0, q.c1
		default:
			k[kRej0][i], k[kAcc0][i] = math.Inf(1), math.Inf(-1)
		}
	}
	k[kConst][0], k[kConst][1] = squeezeEps, zigUnit
	return k
}

// kernelMatchesGo checks once that the kernels draw as the Go loop does:
// sixteen generators stepped 200 times (a few of whose draws take the
// tail, the wedge and fresh draws) must give the values and the generator
// states of normal and PCG.Uint64.
func kernelMatchesGo() bool {
	const n = 16
	var x, y [n]float64
	var g, h [n]rand.PCG
	var buf kernelBufs
	for i := range g {
		g[i] = *rand.NewPCG(uint64(i)*0x9e3779b97f4a7c15, ^uint64(i))
		h[i] = g[i]
	}
	for range 200 {
		buf.step(x[:], g[:], 0, 0.5, 1)
		for i := range y {
			y[i] = ouStep(y[i], 0, 0.5, 1, normal(&h[i]))
		}
		if x != y || g != h {
			return false
		}
	}
	return true
}

// ouStepAVX512 advances n neurons (n a multiple of 8) of an OU current by
// one step where the ziggurat's fast path accepts the draw: for each
// neuron j it draws the next 64-bit output b of pcg[j] (advancing the
// generator), stores it in bl[j] and, where zigFast accepts it, sets x[j]
// to m + (x[j]−m)·a + s·deviate, with the same roundings as the Go loop
// (no fused multiply-add). It appends each other neuron j to idx (room
// for n+8 values) and returns their number; x[j] is then unchanged. zk is
// zigKernel.
//
//go:noescape
func ouStepAVX512(x *float64, pcg *rand.PCG, idx *int64, bl *uint64, n int, m, a, s float64, zk *float64) int

// ouSlowAVX512 goes on with the cnt neurons j = idx[k] whose draws bl[j]
// ouStepAVX512 refused, eight at a time, as normalSlow does: the wedge
// test with its squeeze and, after a rejection, fresh draws. Where a
// neuron's deviate is found, x[j] gets its update. Where the draw needs
// the Go code (the tail, or a wedge point that the squeeze leaves
// undecided), bit l of fail[k/8] is set for k = 8(k/8)+l, x[j] is
// unchanged, first[k] holds the last draw b (for an undecided wedge point
// second[k] its height draw) and the generator stands after them:
// normalFinish completes the draw.
//
//go:noescape
func ouSlowAVX512(x *float64, pcg *rand.PCG, idx *int64, bl *uint64, cnt int, m, a, s float64, zk *float64, first, second *uint64, fail *uint8)
