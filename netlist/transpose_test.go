package netlist

import (
	"math/rand/v2"
	"testing"
)

// TestTranspose checks the reverse index against a brute-force scan of the
// forward arrays on a random projection.
func TestTranspose(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const nFrom, nTo = 50, 40
	p := &Projection{RowStart: make([]int64, nFrom+1)}
	for i := 0; i < nFrom; i++ {
		for j := 0; j < nTo; j++ {
			for rng.Float64() < 0.2 { // multapses allowed
				p.Target = append(p.Target, int32(j))
			}
		}
		p.RowStart[i+1] = int64(len(p.Target))
	}
	tr := p.Transpose(nTo)
	for j := 0; j < nTo; j++ {
		var want [][2]int32
		for i := 0; i < nFrom; i++ {
			for k := p.RowStart[i]; k < p.RowStart[i+1]; k++ {
				if p.Target[k] == int32(j) {
					want = append(want, [2]int32{int32(k), int32(i)})
				}
			}
		}
		lo, hi := tr.ColStart[j], tr.ColStart[j+1]
		if int(hi-lo) != len(want) {
			t.Fatalf("target %d: %d incoming, want %d", j, hi-lo, len(want))
		}
		for m, w := range want {
			if tr.ColSyn[lo+int64(m)] != w[0] || tr.ColSrc[lo+int64(m)] != w[1] {
				t.Fatalf("target %d entry %d: (%d, %d), want %v", j, m, tr.ColSyn[lo+int64(m)], tr.ColSrc[lo+int64(m)], w)
			}
		}
	}
}
