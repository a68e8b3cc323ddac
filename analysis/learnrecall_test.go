package analysis

import (
	"math"
	"slices"
	"testing"
)

// The broken time axis of the learn – consolidate – recall figure of the
// 8-h protocol: seconds around learning (35 % of the axis), 8 h of
// consolidation labelled in hours (30 %), seconds around recall (35 %),
// continuous and increasing across the breaks.
func TestBrokenAxis(t *testing.T) {
	b := brokenScale{edges: [4]float64{9.5, 12, 28809.5, 28811}, shares: [3]float64{0.35, 0.3, 0.35}}
	for _, c := range []struct{ x, want float64 }{{9.5, 0}, {12, 0.35}, {14404.75 + 6, 0.5}, {28809.5, 0.65}, {28811, 1}} {
		if got := b.Normalize(0, 0, c.x); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("Normalize(%g) = %g, want %g", c.x, got, c.want)
		}
	}
	prev := math.Inf(-1)
	for x := 9.5; x <= 28811; x += 0.37 {
		if y := b.Normalize(0, 0, x); y < prev {
			t.Fatalf("Normalize decreases at %g s", x)
		} else {
			prev = y
		}
	}
	var labels []string
	for _, tk := range (brokenTicks{b}).Ticks(0, 0) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	want := []string{"10", "11", "2 h", "4 h", "6 h", "28810", "28810.5"}
	if !slices.Equal(labels, want) {
		t.Errorf("tick labels %q, want %q", labels, want)
	}
}
