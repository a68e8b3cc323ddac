//go:build amd64 && !purego

package consolidation

import "golang.org/x/sys/cpu"

// The pre- and postsynaptic passes of zenke_2015 under a P11-form rule
// (PreUpdate, PostUpdate) have AVX2 versions in kernels_amd64.s that
// update four synapses per instruction. It does the Go loop's float64 operations one by one, in
// the same order and without fused multiply-adds, and takes each of the
// Go loop's branches as a lane mask (ordered comparisons where Go's
// comparison is false for NaN), so that the two give the same weights bit
// for bit (TestZenkePostKernel). Build with -tags purego to use only the
// Go loop.

// useAVX2 reports whether the CPU and OS support AVX2 (x/sys/cpu checks
// that the OS saves the YMM registers). Tests switch it off to exercise
// the Go loop.
var useAVX2 = cpu.X86.HasAVX2

// postConst holds the constants of postUpdateAVX, in the order the
// assembly reads them.
type postConst struct {
	a, b       float64 // the rule's factors
	wMin, wMax float64 // the rule's bounds
	cap        float64 // the model's w_max (the clip of w)
	bMask      uint64  // all ones when b ≠ 0 (the heterosynaptic term applies), else 0
}

// postUpdateAVX applies PostUpdate's update to the n synapses off+syn[m]
// (n a multiple of 4) of ws, whose w and w̃ are ws[2s] and ws[2s+1], with
// sources src[m] indexing zp, and returns a non-zero value when some w
// changed. Every index must be in range: the assembly does not check.
//
//go:noescape
func postUpdateAVX(ws *float64, syn, src *int32, n int, off int64, zp *float64, k *postConst) int

// preConst holds the constants of preUpdateAVX, in the order the
// assembly reads them.
type preConst struct {
	c, delta float64 // the rule's factor of q and its δ
	wMin     float64 // the rule's lower bound
	cap      float64 // the model's w_max (the clip of w)
}

// preUpdateAVX applies PreUpdate's update to the n synapses k (n a
// multiple of 4) of ws, whose w and w̃ are ws[2k] and ws[2k+1], onto the
// targets tgt[k] indexing q, writes their delivered weights to dst[k] and
// returns a non-zero value when some w changed. Every index must be in
// range: the assembly does not check.
//
//go:noescape
func preUpdateAVX(ws *float64, tgt *int32, n int, q *float64, k *preConst, dst *float32) int

// prefetchPairs asks for the cache lines of ws[2s] of the n synapses
// s = off+syn[m] and returns without waiting for them.
//
//go:noescape
func prefetchPairs(ws *float64, syn *int32, n int, off int64)
