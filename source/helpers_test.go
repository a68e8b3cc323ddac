package source

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/snnsim/snnsim"
)

// dt01 is the default resolution of 0.1 ms (root doc.go).
var dt01 = snnsim.Clock{DT: 0.1}

// firing is one Fire call that returned spikes.
type firing struct {
	t       snnsim.Time
	members []int32
}

func (f firing) String() string { return fmt.Sprintf("%d:%v", f.t, f.members) }

// seeded returns a PCG stream for a test; seeds are arbitrary but fixed.
func seeded(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }

// mustNew builds a source or fails the test.
func mustNew(t testing.TB, p Params, n int, clock snnsim.Clock, rng *rand.Rand) Source {
	t.Helper()
	s, err := p.New(n, clock, rng)
	if err != nil {
		t.Fatalf("%s.New: %v", p.Model(), err)
	}
	if s.Len() != n {
		t.Fatalf("%s: Len() = %d, want %d", p.Model(), s.Len(), n)
	}
	return s
}

// jump drives s as the engine does when it is idle: Next, then Fire at that
// tick, up to (not including) tick until. It checks that the ticks increase
// and that every Fire's members are strictly increasing and in range.
func jump(t testing.TB, s Source, until snnsim.Time) []firing {
	t.Helper()
	var out []firing
	var buf []int32
	last := snnsim.Time(-1)
	for {
		next := s.Next()
		if next >= until {
			return out
		}
		if next <= last {
			t.Fatalf("Next() = %d after a spike at %d: ticks must increase", next, last)
		}
		buf = s.Fire(next, buf[:0])
		last = next
		if len(buf) == 0 && isSwitcher(s) {
			continue // a schedule change without a spike
		}
		checkMembers(t, next, buf, s.Len())
		out = append(out, firing{next, slices.Clone(buf)})
	}
}

// stepEvery calls Fire at every tick from 0 to until-1, whether or not a
// spike is due, as an engine stepping every tick may.
func stepEvery(t testing.TB, s Source, until snnsim.Time) []firing {
	t.Helper()
	var out []firing
	var buf []int32
	for tick := snnsim.Time(0); tick < until; tick++ {
		buf = s.Fire(tick, buf[:0])
		if len(buf) > 0 {
			checkMembers(t, tick, buf, s.Len())
			out = append(out, firing{tick, slices.Clone(buf)})
		}
		if s.Next() <= tick {
			t.Fatalf("after Fire(%d), Next() = %d: the source did not move past t", tick, s.Next())
		}
	}
	return out
}

// isSwitcher reports whether s has a stimulus schedule, whose changes are
// ticks of Next without a spike.
func isSwitcher(s Source) bool {
	_, ok := s.(Switcher)
	return ok
}

func checkMembers(t testing.TB, tick snnsim.Time, m []int32, n int) {
	t.Helper()
	if len(m) == 0 {
		t.Fatalf("Fire(%d) at Next() returned no member", tick)
	}
	for i, x := range m {
		if x < 0 || int(x) >= n || (i > 0 && x <= m[i-1]) {
			t.Fatalf("Fire(%d) = %v: members must be in 0..%d and strictly increasing", tick, m, n-1)
		}
	}
}

// ticksOf returns the firing ticks.
func ticksOf(f []firing) []snnsim.Time {
	ts := make([]snnsim.Time, len(f))
	for i := range f {
		ts[i] = f[i].t
	}
	return ts
}

func equalFirings(a, b []firing) bool {
	return slices.EqualFunc(a, b, func(x, y firing) bool { return x.t == y.t && slices.Equal(x.members, y.members) })
}
