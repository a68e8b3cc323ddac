package spikelog

import (
	"bytes"
	"errors"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
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

const (
	goldenDump = "testdata/small.golden"
	// frozenLog was written once by this package at format version 1 and
	// is never regenerated: it checks that today's reader still decodes
	// yesterday's bytes. -update creates it only if it is missing.
	frozenLog = "testdata/small-v1.snnslog"
)

// TestGolden checks the decoded dump of the golden stream, written now,
// against testdata/small.golden. Run with -update to rewrite it after an
// intended change; on a mismatch the dump is saved as small.golden.got.
func TestGolden(t *testing.T) {
	data := writeLog(t, testHeader(), Options{BlockSize: 128, FlushInterval: -1}, goldenEvents(), false)
	r, err := NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	got := dump(r)
	if *update {
		if err := os.WriteFile(goldenDump, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(frozenLog); errors.Is(err, fs.ErrNotExist) {
			if err := os.WriteFile(frozenLog, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	compareGolden(t, got)
}

// TestFrozen decodes a log file written by an earlier build and checks it
// against the same golden dump.
func TestFrozen(t *testing.T) {
	r, err := Open(frozenLog)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	compareGolden(t, dump(r))
}

func compareGolden(t *testing.T, got string) {
	t.Helper()
	want, err := os.ReadFile(goldenDump)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		gotPath := filepath.Join("testdata", "small.golden.got")
		os.WriteFile(gotPath, []byte(got), 0o644)
		t.Errorf("decoded dump differs from %s; see %s (diff them; run -update if the change is intended)", goldenDump, gotPath)
	}
}
