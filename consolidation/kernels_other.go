//go:build !amd64 || purego

package consolidation

// Without the amd64 assembly the pre- and postsynaptic passes run in Go.

var useAVX2 = false

type postConst struct {
	a, b       float64
	wMin, wMax float64
	cap        float64
	bMask      uint64
}

func postUpdateAVX(ws *float64, syn, src *int32, n int, off int64, zp *float64, k *postConst) int {
	panic("consolidation: no assembly kernels")
}

type preConst struct {
	c, delta float64
	wMin     float64
	cap      float64
}

func preUpdateAVX(ws *float64, tgt *int32, n int, q *float64, k *preConst, dst *float32) int {
	panic("consolidation: no assembly kernels")
}

func prefetchPairs(ws *float64, syn *int32, n int, off int64) {}
