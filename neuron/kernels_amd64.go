//go:build amd64 && !purego

package neuron

// The dense loops of the models have AVX2+FMA versions in kernels_amd64.s
// that advance four neurons per instruction. They compute the same formulas
// as the Go loops (deltaDense, expDense, condDense, ampaNmdaDense) but fuse
// multiply-adds, and the cond loop evaluates exp(-z) outside the φ
// polynomial's interval by range reduction instead of tables (both within
// 1e-12), so the two differ by rounding; TestKernelsAgree, TestCondStep and
// TestLIFAmpaNmdaReference check that. Each processes n neurons, n a
// multiple of 4, and writes the indices of the neurons whose new potential
// exceeds the threshold to spk, returning their number; the caller finishes
// the tail in Go. Build with -tags purego to use only the Go loops.

// useAVX2 reports whether the CPU and OS support AVX2 and FMA. Tests switch
// it off to exercise the Go loops.
var useAVX2 = hasAVX2FMA()

func hasAVX2FMA() bool {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return false
	}
	_, _, c1, _ := cpuid(1, 0)
	const fma, osxsave, avx = 1 << 12, 1 << 27, 1 << 28
	if c1&fma == 0 || c1&osxsave == 0 || c1&avx == 0 {
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&6 != 6 { // XMM and YMM state enabled by the OS
		return false
	}
	_, b7, _, _ := cpuid(7, 0)
	return b7&(1<<5) != 0 // AVX2
}

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

func xgetbv() (eax, edx uint32)

//go:noescape
func deltaDenseAVX(v, vinf, in *float64, n int, pm, vth float64, spk *int32) int

//go:noescape
func expDenseAVX(v, vinf, ie, ii *float64, n int, k *expProp, vth float64, spk *int32) int

//go:noescape
func condDenseAVX(v, hd, ge, gi, be, bi *float64, n int, k *condConst, vth float64, spk *int32) int

//go:noescape
func ampaNmdaDenseAVX(v, ga, gn, gg, thr, drive, be, bi *float64, n int, k *ampaNmdaConst, vth float64, spk *int32) (nc int, low bool)

//go:noescape
func expNegAVX(z *[4]float64)
