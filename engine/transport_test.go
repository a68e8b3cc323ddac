package engine

import (
	"sync"
	"testing"
	"time"
)

// TestGateBudget checks the spin budget's rule after a wait that slept:
// a short wait raises the budget to twice its length (a spin that long
// would have caught the partner without a wake-up), a long one halves it,
// within [spinMin, spinMax]; from the smallest budget one short wait
// brings it back, so that sleeping does not feed on itself.
func TestGateBudget(t *testing.T) {
	us := int64(time.Microsecond)
	if spinMax != 50*us || spinMin != 2*us {
		t.Fatalf("the cases assume a budget within [2, 50] µs, not [%d, %d] ns", spinMin, spinMax)
	}
	cases := []struct {
		name      string
		budget, w int64
		want      int64
	}{
		{"short wait from the floor", spinMin, 10 * us, 20 * us},
		{"short wait under the budget", 40 * us, 10 * us, 40 * us},
		{"short wait near the ceiling", 30 * us, 45 * us, spinMax},
		{"long wait", 40 * us, 5000 * us, 20 * us},
		{"long wait at the floor", spinMin, 5000 * us, spinMin},
		{"long wait from 3 µs", 3 * us, spinMax, spinMin},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := (&fence{}).newGate(2)
			g.budget.Store(c.budget)
			g.adapt(c.w)
			if got := g.budget.Load(); got != c.want {
				t.Errorf("budget %d ns after a wait of %d ns: %d ns, want %d", c.budget, c.w, got, c.want)
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
