package hugepage

import (
	"math"
	"testing"
)

// TestAdviseKeepsValues checks that the advice leaves every value as it
// was, for arrays below, at and above the size it acts on, aligned or not.
func TestAdviseKeepsValues(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int // float64 values
		skip int // values cut from the front, to misalign the start
	}{
		{"empty", 0, 0},
		{"small", 1000, 0},
		{"threshold", minBytes / 8, 0},
		{"large", 3 * minBytes / 8, 0},
		{"large misaligned", 3*minBytes/8 + 3, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := make([]float64, tc.n)
			for i := range s {
				s[i] = math.Sqrt(float64(i))
			}
			s = s[tc.skip:]
			Advise(s)
			for i, v := range s {
				if want := math.Sqrt(float64(i + tc.skip)); v != want {
					t.Fatalf("s[%d] = %g after Advise, want %g", i, v, want)
				}
			}
		})
	}
}
