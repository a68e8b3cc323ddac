//go:build amd64 && !purego

package neuron

import "golang.org/x/sys/cpu"

// The dense loops of the models have AVX2+FMA versions in kernels_amd64.s
// that advance four neurons per instruction. They compute the same formulas
// as the Go loops (deltaDense, expDense, condDense, ampaNmdaDense, aifDense)
// but fuse
// multiply-adds, and the cond loop evaluates exp(-z) outside the φ
// polynomial's interval by range reduction instead of tables (both within
// 1e-12), so the two differ by rounding; TestKernelsAgree, TestCondStep and
// TestLIFAmpaNmdaReference check that. Each processes n neurons, n a
// multiple of 4, and writes the indices of the neurons whose new potential
// exceeds the threshold to spk, returning their number; the caller finishes
// the tail in Go. Build with -tags purego to use only the Go loops.

// useAVX2 reports whether the CPU and OS support AVX2 and FMA (x/sys/cpu
// checks that the OS saves the YMM registers). Tests switch it off to
// exercise the Go loops.
var useAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func deltaDenseAVX(v, vinf, in *float64, n int, pm, vth float64, spk *int32) int

//go:noescape
func expDenseAVX(v, vinf, ie, ii *float64, n int, k *expProp, vth float64, spk *int32) int

//go:noescape
func condDenseAVX(v, hd, ge, gi, be, bi *float64, n int, k *condConst, vth float64, spk *int32) int

//go:noescape
func ampaNmdaDenseAVX(v, ga, gn, gg, thr, drive, be, bi *float64, n int, k *ampaNmdaConst, vth float64, spk *int32) (nc int, low bool)

//go:noescape
func aifDenseAVX(v, ga, gn, gg, a1, thr, drive, be, bi *float64, n int, k *aifConst, vth float64, spk *int32) (nc int, low bool)

//go:noescape
func expNegAVX(z *[4]float64)

// driveAllAVX sets vinf[i] = vr + rm·bias[i] (a multiplication, then an
// addition: the roundings of the Go loop in setBiasAll) for the n neurons,
// n a multiple of 4, and returns the change in the number of drives below
// th (new ones below minus old ones below).
//
//go:noescape
func driveAllAVX(vinf, bias *float64, n int, vr, rm, th float64) int
