package engine

import (
	"sync"
	"testing"
	"time"
)

// TestGateBudget checks the spin budget's rule after waits that slept:
// shortRun short waits in a row raise the budget to twice the last one's
// length (a spin that long would have caught the partner without a
// wake-up), a long one halves it and restarts the count, within
// [spinMin, spinMax]; from the smallest budget shortRun short waits bring
// it back, so that sleeping does not feed on itself.
func TestGateBudget(t *testing.T) {
	us := int64(time.Microsecond)
	if spinMax != 500*us || spinMin != 2*us || shortRun != 4 {
		t.Fatalf("the cases assume a budget within [2, 500] µs raised after 4 short waits, not [%d, %d] ns after %d", spinMin, spinMax, shortRun)
	}
	cases := []struct {
		name   string
		budget int64
		waits  []int64 // slept waits, in order [ns]
		want   int64
	}{
		{"short waits from the floor", spinMin, []int64{10 * us, 12 * us, 9 * us, 10 * us}, 20 * us},
		{"too few short waits", spinMin, []int64{10 * us, 12 * us, 9 * us}, spinMin},
		{"short waits cut by a long one", spinMin, []int64{10 * us, 12 * us, 900 * us, 9 * us, 10 * us, 10 * us}, spinMin},
		{"short waits under the budget", 40 * us, []int64{10 * us, 10 * us, 10 * us, 10 * us}, 40 * us},
		{"short waits near the ceiling", 300 * us, []int64{450 * us, 450 * us, 450 * us, 450 * us}, spinMax},
		{"long wait", 400 * us, []int64{5000 * us}, 200 * us},
		{"long waits", 400 * us, []int64{5000 * us, spinMax, 1000 * us}, 50 * us},
		{"long wait at the floor", spinMin, []int64{5000 * us}, spinMin},
		{"long wait from 3 µs", 3 * us, []int64{spinMax}, spinMin},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := (&fence{}).newGate(2)
			g.budget.Store(c.budget)
			for _, w := range c.waits {
				g.adapt(w)
			}
			if got := g.budget.Load(); got != c.want {
				t.Errorf("budget %d ns after slept waits of %v ns: %d ns, want %d", c.budget, c.waits, got, c.want)
			}
		})
	}
}

// TestGateBarrier runs goroutines through many rounds of a barrier on one
// gate, as the workers' exchange does, spinning and not (sleeping on the
// futex at once), and checks that no wake-up is lost (every round ends)
// and that no waiter leaves a round early.
func TestGateBarrier(t *testing.T) {
	const parties, rounds = 3, 3000
	for _, spin := range []bool{true, false} {
		g := (&fence{}).newGate(parties)
		g.spin = spin
		var early sync.Map
		var wg sync.WaitGroup
		done := make(chan struct{})
		for p := 0; p < parties; p++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for r := int64(1); r <= rounds; r++ {
					g.add(1)
					g.wait(r * parties)
					if v := g.v.Load(); v < r*parties {
						early.Store(r, v)
					}
				}
			}()
		}
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(60 * time.Second):
			t.Fatalf("spin %v: the barrier hung at %d of %d arrivals", spin, g.v.Load(), parties*rounds)
		}
		early.Range(func(r, v any) bool {
			t.Errorf("spin %v: a waiter left round %v at %v arrivals", spin, r, v)
			return true
		})
	}
}
