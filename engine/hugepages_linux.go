package engine

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// hugeFloat32s returns a zeroed slice of n float32 in memory mapped for it
// alone and advised to be backed by transparent huge pages (madvise
// MADV_HUGEPAGE). The postsynaptic plasticity pass reads and writes a large
// weight array at random; with 2 MiB pages most of its TLB misses go away
// (BenchmarkB3 measures the gain). The memory is outside
// Go's heap: free must be called, once, when nothing refers to the slice
// any more. Arrays under 8 MiB, and any failure of the mapping, fall back to
// make (and a free that does nothing).
func hugeFloat32s(n int) (s []float32, free func()) {
	const huge = 2 << 20
	size := n * 4
	if size < 4*huge {
		return make([]float32, n), func() {}
	}
	mem, err := unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
	if err != nil {
		return make([]float32, n), func() {}
	}
	unix.Madvise(mem, unix.MADV_HUGEPAGE) // advice: an error changes nothing
	return unsafe.Slice((*float32)(unsafe.Pointer(&mem[0])), n), func() { unix.Munmap(mem) }
}
