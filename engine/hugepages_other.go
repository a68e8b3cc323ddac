//go:build !linux

package engine

// hugeFloat32s returns make([]float32, n) and a free that does nothing.
func hugeFloat32s(n int) ([]float32, func()) { return make([]float32, n), func() {} }

// reserveBytes returns an empty slice, which append grows in Go's heap,
// and a free that does nothing.
func reserveBytes(n int) ([]byte, func()) { return nil, func() {} }
