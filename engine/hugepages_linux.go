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

// reserveBytes returns an empty slice with room for n bytes in memory
// mapped for it alone, of which only the pages written become resident:
// a buffer that append fills to a length not known beforehand takes the
// memory of its length and never a copy, where a slice of Go's heap grown
// by append would hold old and new arrays at once on each growth. Appending
// past n moves it to Go's heap as append does. free must be called, once,
// when nothing refers to the slice any more. Any failure of the mapping
// falls back to an empty slice of Go's heap (and a free that does nothing).
func reserveBytes(n int) (s []byte, free func()) {
	if n <= 0 {
		return nil, func() {}
	}
	mem, err := unix.Mmap(-1, 0, n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON|unix.MAP_NORESERVE)
	if err != nil {
		return nil, func() {}
	}
	return mem[:0], func() { unix.Munmap(mem) }
}
