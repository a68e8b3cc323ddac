//go:build !amd64 || purego

package consolidation

// Without the amd64 assembly the postsynaptic pass runs in Go.

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
