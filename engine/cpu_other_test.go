//go:build !linux

package engine

import "time"

// processCPU returns 0: the processor time is measured on Linux only.
func processCPU() time.Duration { return 0 }

// threadCPU returns 0: the processor time is measured on Linux only.
func threadCPU() time.Duration { return 0 }
