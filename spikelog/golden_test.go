package spikelog

import (
	"errors"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/snnsim/snnsim"
)

// goldenEvents is a small fixed stream: hand-picked edge cases (tick 0,
// ID 0, IDs across the 8-bit plane boundary, the last ID of the table, a
// long quiet gap) followed by 40 ticks of random spikes, with marks. The
// random part uses integer draws only, so it is the same on every platform.
func goldenEvents() []event {
	recs := []record{
		{0, []snnsim.NeuronID{0}},
		{1, []snnsim.NeuronID{255, 256, 511, 512}},
		{2, []snnsim.NeuronID{3199, 3200, 3999}},
		{10_000_000, []snnsim.NeuronID{42}}, // 1000 s later at 0.1 ms
	}
	rng := rand.New(rand.NewPCG(9, 9))
	for t := snnsim.Time(10_000_001); t < 10_000_041; t++ {
		k := rng.IntN(6) // 0 to 5 spikes; ticks without spikes are skipped
		if k == 0 {
			continue
		}
		set := map[snnsim.NeuronID]bool{}
		for len(set) < k {
			set[snnsim.NeuronID(rng.IntN(4000))] = true
		}
		recs = append(recs, record{t, slices.Sorted(maps.Keys(set))})
	}
	ms := []Mark{{0, "run start"}, {10_000_000, "stimulus: tetanus 100 Hz"}, {10_000_041, "run end"}}
	ev := []event{{mark: &ms[0]}}
	for i := range recs {
		if i == 3 {
			ev = append(ev, event{mark: &ms[1]})
		}
		ev = append(ev, event{rec: &recs[i]})
	}
	return append(ev, event{mark: &ms[2]})
}

// goldenSeriesEvents is a small fixed stream with every record kind:
// spikes, marks, a membrane potential series with special values, a
// population rate and a weight series split over blocks.
func goldenSeriesEvents() []event { return sampledEvents(21, 60, 40) }

// goldenCases are the golden streams: each has a decoded dump and a frozen
// log. A frozen log was written once by this package and is never
// regenerated: it checks that today's reader still decodes yesterday's
// bytes (small-v1.snnslog predates series). -update creates a frozen log
// only if it is missing.
var goldenCases = []struct {
	name   string
	events func() []event
	opts   Options
	dump   string // decoded dump
	frozen string // frozen log
}{
	{"spikes", goldenEvents, Options{BlockSize: 128, FlushInterval: -1}, "testdata/small.golden", "testdata/small-v1.snnslog"},
	{"series", goldenSeriesEvents, Options{BlockSize: 128, FlushInterval: -1}, "testdata/small-series.golden", "testdata/small-series-v1.snnslog"},
}

// TestGolden checks the decoded dump of each golden stream, written now,
// against its golden file. Run with -update to rewrite it after an
// intended change; on a mismatch the dump is saved beside it as .got.
func TestGolden(t *testing.T) {
	for _, gc := range goldenCases {
		t.Run("stream="+gc.name, func(t *testing.T) {
			data := writeLog(t, testHeader(), gc.opts, gc.events(), false)
			got := dump(t, data)
			if *update {
				if err := os.WriteFile(gc.dump, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				if _, err := os.Stat(gc.frozen); errors.Is(err, fs.ErrNotExist) {
					if err := os.WriteFile(gc.frozen, data, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			compareGolden(t, gc.dump, got)
		})
	}
}

// TestFrozen decodes log files written by earlier builds and checks them
// against the same golden dumps.
func TestFrozen(t *testing.T) {
	for _, gc := range goldenCases {
		t.Run("stream="+gc.name, func(t *testing.T) {
			data, err := os.ReadFile(gc.frozen)
			if err != nil {
				t.Fatal(err)
			}
			compareGolden(t, gc.dump, dump(t, data))
		})
	}
}

func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		gotPath := path + ".got"
		os.WriteFile(gotPath, []byte(got), 0o644)
		t.Errorf("decoded dump differs from %s; see %s (diff them; run -update if the change is intended)", path, gotPath)
	}
}
