package hugepage

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// Advise asks that the whole huge pages inside the memory of s be backed by
// huge pages: madvise MADV_COLLAPSE (Linux 6.1 and later) replaces the
// pages in place at once, whatever the system's transparent huge page
// mode short of "never". Unlike MADV_HUGEPAGE it leaves no mark on the
// address range, so that memory which Go's heap reuses for other objects
// after s is freed does not fault in whole huge pages. s may live in Go's
// heap and should be written already (the collapse acts on the pages in
// place). Arrays under 8 MiB are left alone, and errors (an older kernel,
// huge pages switched off) are ignored: the advice changes speed, never
// the contents.
func Advise[T any](s []T) {
	if len(s) == 0 {
		return
	}
	var zero T
	n := uintptr(len(s)) * unsafe.Sizeof(zero)
	if n < minBytes {
		return
	}
	p := uintptr(unsafe.Pointer(&s[0]))
	lo := (p + Size - 1) &^ (Size - 1)
	hi := (p + n) &^ (Size - 1)
	if hi <= lo {
		return
	}
	mem := unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(&s[0]), lo-p)), hi-lo)
	_ = unix.Madvise(mem, unix.MADV_COLLAPSE) // advice: an error changes nothing
}
