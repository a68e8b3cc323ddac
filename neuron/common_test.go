package neuron

import (
	"testing"
	"unsafe"
)

// TestArena checks the memory layout of the per-neuron arrays: disjoint,
// of length n, and (for arrays of at least 4 KiB) starting at different
// offsets within a 4 KiB page, so that the loops over them do not alias in
// the cache (4K aliasing of page-aligned arrays).
func TestArena(t *testing.T) {
	for _, n := range []int{0, 1, 5, 511, 512, 4000, 4096, 20000} {
		a := arena(7, n)
		seen := map[uintptr]bool{}
		for j, s := range a {
			if len(s) != n || cap(s) != n {
				t.Fatalf("n=%d: array %d has len %d cap %d", n, j, len(s), cap(s))
			}
			if n == 0 {
				continue
			}
			for i := range s {
				s[i] = float64(j) // overlapping arrays would overwrite each other
			}
			if n >= 512 {
				off := uintptr(unsafe.Pointer(&s[0])) % 4096
				if seen[off] {
					t.Errorf("n=%d: array %d starts at page offset %d like another", n, j, off)
				}
				seen[off] = true
			}
		}
		for j, s := range a {
			for i := range s {
				if s[i] != float64(j) {
					t.Fatalf("n=%d: arrays %d and another overlap", n, j)
				}
			}
		}
	}
}
