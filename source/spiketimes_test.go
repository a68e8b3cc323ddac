package source

import (
	"slices"
	"testing"

	"github.com/snnsim/snnsim"
)

// TestSpikeTimes replays explicit times, unsorted, with and without neurons.
// Expected ticks are the times divided by 0.1 ms, written out by hand.
func TestSpikeTimes(t *testing.T) {
	cases := []struct {
		name string
		p    SpikeTimes
		n    int
		want []firing
	}{
		{
			name: "case=all_members",
			p:    SpikeTimes{Times: []float64{5, 1, 3.3}},
			n:    3,
			want: []firing{{10, []int32{0, 1, 2}}, {33, []int32{0, 1, 2}}, {50, []int32{0, 1, 2}}},
		},
		{
			name: "case=neurons",
			p:    SpikeTimes{Times: []float64{1, 1, 2, 0.5, 2, 2.04}, Neurons: []int{2, 0, 1, 2, 0, 3}},
			n:    4,
			// 2.04 ms rounds to tick 20, with the spikes at 2 ms.
			want: []firing{{5, []int32{2}}, {10, []int32{0, 2}}, {20, []int32{0, 1, 3}}},
		},
		{
			name: "case=empty",
			p:    SpikeTimes{},
			n:    1,
		},
	}
	for _, c := range cases {
		t.Run("model=spike_times/"+c.name, func(t *testing.T) {
			f := jump(t, mustNew(t, c.p, c.n, dt01, nil), snnsim.Never)
			if !equalFirings(f, c.want) {
				t.Errorf("got %v, want %v", f, c.want)
			}
		})
	}
}

// TestSpikeTimesOnGrid: a time on the grid (k·0.1 ms, computed in floating
// point as k*0.1, which is often off by an ulp) stays exactly on tick k.
func TestSpikeTimesOnGrid(t *testing.T) {
	const k = 100000
	times := make([]float64, k)
	want := make([]snnsim.Time, k)
	for i := range times {
		times[i] = float64(k-1-i) * 0.1 // decreasing: New sorts
		want[i] = snnsim.Time(i)
	}
	f := jump(t, mustNew(t, SpikeTimes{Times: times}, 1, dt01, nil), snnsim.Never)
	if got := ticksOf(f); !slices.Equal(got, want) {
		t.Errorf("%d ticks; the times k·0.1 ms did not map to ticks 0..%d", len(got), k-1)
	}
}
