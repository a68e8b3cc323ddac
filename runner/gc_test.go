package runner

import (
	"runtime/debug"
	"testing"
)

// TestGCPercent: the collector target lets the live heap grow by the
// headroom, within [minGCPercent, 100].
func TestGCPercent(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		live, headroom uint64
		want           int
	}{
		{0, 4 * mib, 100},           // nothing measured: Go's default
		{2 * mib, 4 * mib, 100},     // a small network: never above the default
		{40 * mib, 4 * mib, 10},     // 4 of 40
		{53 * mib, 4 * mib, 8},      // 4 of 53, rounded up
		{400 * mib, 4 * mib, 5},     // 1% would collect too often: the floor
		{100 * mib, 100 * mib, 100}, // the whole live heap: the default
	} {
		if got := gcPercent(c.live, c.headroom); got != c.want {
			t.Errorf("gcPercent(%d MiB, %d MiB) = %d, want %d", c.live/mib, c.headroom/mib, got, c.want)
		}
	}
}

// TestSettle: settle sets the collector target from the live heap and its
// restore puts the previous one back; without a headroom, or with the
// collector off, the target is left alone.
func TestSettle(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	restore := settle(4 << 20)
	want := gcPercent(liveHeap(), 4<<20)
	if got := debug.SetGCPercent(want); got != want || got < minGCPercent || got > 100 {
		t.Errorf("after settle: target %d, want %d in [%d, 100]", got, want, minGCPercent)
	}
	restore()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("after restore: target %d, want the previous 100", got)
	}
	settle(0)()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("settle(0) changed the target to %d", got)
	}
	debug.SetGCPercent(-1)
	r := settle(4 << 20)
	if got := debug.SetGCPercent(-1); got != -1 {
		t.Errorf("with the collector off, settle set the target to %d", got)
	}
	r()
	if got := debug.SetGCPercent(100); got != -1 {
		t.Errorf("with the collector off, restore set the target to %d", got)
	}
}
