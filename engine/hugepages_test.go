package engine

import "testing"

// TestHugeFloat32s checks the weight allocator: zeroed, writable over its
// whole length, for a small array (Go heap) and a large one (mapped).
func TestHugeFloat32s(t *testing.T) {
	for _, n := range []int{10, 3 << 20} {
		s, free := hugeFloat32s(n)
		if len(s) != n {
			t.Fatalf("n = %d: len %d", n, len(s))
		}
		for _, i := range []int{0, n / 2, n - 1} {
			if s[i] != 0 {
				t.Errorf("n = %d: s[%d] = %g, want 0", n, i, s[i])
			}
			s[i] = float32(i)
		}
		if s[n-1] != float32(n-1) {
			t.Errorf("n = %d: write lost", n)
		}
		free()
	}
}
