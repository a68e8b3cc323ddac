package analysis

import (
	"math"
	"testing"
)

// The 95 % interval of a mean uses Student's t: for 1, 2, 3, 4 the mean is
// 2.5, the s.d. √(5/3) = 1.290994 and t_{0.975, 3} = 3.182446, a half-width
// of 2.054260; the authors' Q for 150 neurons after 10 s, 0.0307 ± 0.0140
// over 50 trials, has t_{0.975, 49} = 2.009575 and a half-width of 0.003979.
func TestConfidenceIntervals(t *testing.T) {
	mean, sd, lo, hi := SampleCI([]float64{1, 2, 3, 4})
	if math.Abs(mean-2.5) > 1e-12 || math.Abs(sd-1.290994) > 1e-6 || math.Abs(hi-mean-2.054260) > 1e-6 || math.Abs(mean-lo-2.054260) > 1e-6 {
		t.Errorf("SampleCI(1..4) = %g ± %g, [%g, %g]; want 2.5 ± 1.290994, ±2.054260", mean, sd, lo, hi)
	}
	ref, ok := LT2021Reference(150, "10 s")
	if !ok {
		t.Fatal("no reference for 150 neurons, 10 s")
	}
	q := ref["Q"]
	lo, hi = q.CI()
	if q.Mean != 0.0307 || q.SD != 0.0140 || q.N != 50 || math.Abs(hi-0.0307-0.003979) > 1e-6 || math.Abs(0.0307-lo-0.003979) > 1e-6 {
		t.Errorf("Q reference %+v, CI [%g, %g]; want 0.0307 ± 0.0140 (50), ±0.003979", q, lo, hi)
	}
	for _, p := range []string{"10 s", "8 h"} {
		for _, n := range []int{100, 150, 200, 250} {
			r, ok := LT2021Reference(n, p)
			if !ok || len(r) != len(RecallMeasureNames) {
				t.Errorf("%d neurons, %s: %d measures", n, p, len(r))
			}
		}
	}
	if _, ok := LT2021Reference(150, "1 h"); ok {
		t.Error("a reference for a protocol the authors did not run")
	}
	if _, _, lo, _ := SampleCI([]float64{3}); !math.IsNaN(lo) {
		t.Errorf("one sample: interval from %g, want NaN", lo)
	}
}
