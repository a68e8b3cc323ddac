//go:build !linux

package hugepage

// Advise does nothing: huge page advice is given on Linux only.
func Advise[T any](s []T) {}
