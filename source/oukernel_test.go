package source

import (
	"math"
	"testing"

	"github.com/snnsim/snnsim"
)

// TestOUKernelIsGoLoop: the AVX-512 step (where the CPU has it) gives the
// values and leaves the generators of the Go loop, bit for bit, at every
// step, for population sizes below, at and off a multiple of the kernel's
// eight lanes, across windows that restart the process and jumps of
// several ticks (the Go loop's) in between. 2003 neurons over 2000 steps
// take about 110,000 draws through the ziggurat's slow path.
func TestOUKernelIsGoLoop(t *testing.T) {
	if !useAVX512 {
		t.Skip("no AVX-512 kernel on this machine or build")
	}
	for _, n := range []int{1, 7, 8, 9, 64, 2003} {
		w := []OUWindow{{0, 900}, {900, 1500}, {1600, 2200}}
		a, _ := NewOUCurrent(n, ltBackground, 0.2, w, 3, "bg/E")
		b, _ := NewOUCurrent(n, ltBackground, 0.2, w, 3, "bg/E")
		for tk := snnsim.Time(1); tk <= 2200; tk++ {
			if tk%700 == 0 {
				tk += 3 // a jump: the Go loop in both
			}
			a.Advance(tk)
			useAVX512 = false
			b.Advance(tk)
			useAVX512 = true
			for i := range n {
				if math.Float64bits(a.Current(i)) != math.Float64bits(b.Current(i)) {
					t.Fatalf("%d neurons, tick %d, neuron %d: kernel %v, Go loop %v", n, tk, i, a.Current(i), b.Current(i))
				}
			}
		}
		for i := range n {
			if a.pcg[i] != b.pcg[i] {
				t.Fatalf("%d neurons: generator %d differs after the run", n, i)
			}
		}
	}
}
