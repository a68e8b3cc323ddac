package source

import (
	"slices"
	"testing"

	"github.com/snnsim/snnsim"
)

// TestOUHold holds a current over a million ticks inside its window: it
// keeps its value, draws nothing, and continues as a current that never
// paused (the same values, bit for bit, 50 steps later).
func TestOUHold(t *testing.T) {
	p := OUParams{Mean: 150, Sigma: 500, Tau: 5, Start: 0}
	w := []OUWindow{{From: 10, To: snnsim.Never}}
	a, err := NewOUCurrent(7, p, 0.2, w, 3, "hold")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewOUCurrent(7, p, 0.2, w, 3, "hold")
	a.Advance(100)
	before := slices.Clone(a.Values())
	const d = 1_000_000
	a.Hold(100 + d)
	if a.Tick() != 100+d || !slices.Equal(a.Values(), before) {
		t.Fatalf("held at tick %d with %v, want tick %d with %v", a.Tick(), a.Values(), 100+d, before)
	}
	a.Advance(150 + d)
	b.Advance(150)
	if !slices.Equal(a.Values(), b.Values()) {
		t.Errorf("after the hold: %v, without it %v", a.Values(), b.Values())
	}
}
