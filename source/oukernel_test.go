package source

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/snnsim/snnsim"
)

// TestOUKernelIsGoLoop: the AVX-512 step (where the CPU has it: the fast
// pass, the pass over the refused draws and the Go code finishing the
// rest) gives the values and leaves the generators of the Go loop, bit for
// bit, at every step, for population sizes below, at and off a multiple
// of the kernel's eight lanes, across windows that restart the process and
// jumps of several ticks (the Go loop's) in between. The draws of the 2003
// neurons over 2000 steps take every path of the ziggurat many times
// (countPaths checks it): the tail, wedge points the squeeze decides and
// ones it leaves to math.Exp, and refused fresh draws after a rejection.
func TestOUKernelIsGoLoop(t *testing.T) {
	if !useAVX512 {
		t.Skip("no AVX-512 kernel on this machine or build")
	}
	for _, n := range []int{1, 7, 8, 9, 64, 2003} {
		w := []OUWindow{{0, 900}, {900, 1500}, {1600, 2200}}
		a, _ := NewOUCurrent(n, ltBackground, 0.2, w, 3, "bg/E")
		b, _ := NewOUCurrent(n, ltBackground, 0.2, w, 3, "bg/E")
		if n == 2003 {
			c := countPaths(a.pcg, 2200)
			t.Logf("paths of the draws: %+v", c)
			for _, p := range []struct {
				name string
				got  int
			}{{"tail", c.tail}, {"squeeze", c.squeeze}, {"math.Exp", c.exp}, {"redraw", c.redraw}, {"second redraw", c.redraw2}} {
				if p.got < 10 {
					t.Fatalf("%d neurons: only %d draws take the path %q", n, p.got, p.name)
				}
			}
		}
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

// paths counts the draws of a run by the paths of the ziggurat they take.
type paths struct{ tail, squeeze, exp, redraw, redraw2 int }

// countPaths draws steps normal deviates from copies of the generators g
// and counts their paths: the tail, wedge points decided by the squeeze or
// by math.Exp, and the draws after one rejected wedge point, and after
// two, that the fast path refuses again.
func countPaths(g []rand.PCG, steps int) paths {
	var c paths
	for i := range g {
		h := g[i]
		for range steps {
			for rej := 0; ; rej++ {
				b := h.Uint64()
				if _, ok := zigFast(b); ok {
					break
				}
				if rej == 1 {
					c.redraw++
				} else if rej == 2 {
					c.redraw2++
				}
				k := b & zigMask
				if k == 0 {
					c.tail++
					normalSlow(&h, b)
					break
				}
				x := (float64(b>>zigShift)*zigScale - 1) * zig.x[k]
				b2 := h.Uint64()
				y := zig.f[k] + float64(float64(b2>>zigShift)*zigUnit*(zig.f[k+1]-zig.f[k]))
				if q := zig.sq[k]; q.kind != 0 && squeezeDecides(q, math.Abs(x), y) {
					c.squeeze++
				} else {
					c.exp++
				}
				if wedgeAt(k, x, b2) {
					break
				}
			}
		}
	}
	return c
}

// squeezeDecides reports whether the lines of q decide the point (a, y)
// of a wedge, a = |x|, without math.Exp.
func squeezeDecides(q squeeze, a, y float64) bool {
	if q.kind == 1 {
		return y >= q.c0+q.c1*a+squeezeEps || y < q.t0+q.t1*a-squeezeEps
	}
	return y < q.c0+q.c1*a-squeezeEps || y >= q.t0+q.t1*a+squeezeEps
}
