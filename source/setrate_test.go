package source

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/snnsim/snnsim"
)

// TestPoissonSetRate changes a Poisson source's rate at run time, 5 Hz to
// 50 Hz at 2 s and to 0 at 4 s, and checks the count in each piece against
// the grid rate (1−e^{−r dt})/dt within 3 standard errors (the count is
// binomial over n·ticks trials), and that nothing fires after the rate 0.
func TestPoissonSetRate(t *testing.T) {
	clock := snnsim.Clock{DT: 0.1}
	p := DefaultPoisson()
	p.Rate = 5
	src, err := p.New(1000, clock, rand.New(rand.NewPCG(4, 5)))
	if err != nil {
		t.Fatal(err)
	}
	rs := src.(RateSetter)
	counts := make([]int, 3)
	piece := 0
	for tk := snnsim.Time(0); tk < 60000; tk++ {
		switch tk {
		case 20000:
			if err := rs.SetRate(tk, 50); err != nil {
				t.Fatal(err)
			}
			piece = 1
		case 40000:
			if err := rs.SetRate(tk, 0); err != nil {
				t.Fatal(err)
			}
			piece = 2
		}
		if src.Next() == tk {
			counts[piece] += len(src.Fire(tk, nil))
		}
	}
	for k, rate := range []float64{5, 50} {
		pr := 1 - math.Exp(-rate*clock.DT/1000)
		trials := 1000 * 20000.0
		mean, se := trials*pr, math.Sqrt(trials*pr*(1-pr))
		if math.Abs(float64(counts[k])-mean) > 3*se {
			t.Errorf("piece %d (%g Hz): %d spikes, want %.0f ± %.0f", k, rate, counts[k], mean, 3*se)
		}
	}
	if counts[2] != 0 || src.Next() != snnsim.Never {
		t.Errorf("%d spikes after the rate was set to 0 (next %d)", counts[2], src.Next())
	}
	if err := rs.SetRate(100, 5); err != nil {
		t.Errorf("SetRate on a silent source: %v", err)
	}
	if err := rs.SetRate(100, -1); err == nil {
		t.Errorf("SetRate(-1 Hz) accepted")
	}
}
