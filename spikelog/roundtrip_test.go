package spikelog

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/snnsim/snnsim"
)

func TestRoundTrip(t *testing.T) {
	big := make([]snnsim.NeuronID, 3*maxRecordSpikes+5) // one tick split over four records
	for i := range big {
		big[i] = snnsim.NeuronID(2 * i)
	}
	wide := testHeader()
	wide.Populations = nil // no table: any ID up to MaxInt32
	streams := []struct {
		name string
		h    Header
		recs []record
	}{
		{"empty", testHeader(), nil},
		{"one-spike", testHeader(), []record{{0, []snnsim.NeuronID{0}}}},
		{"cuba-2000-ticks", testHeader(), cubaStream(1, 2000)},
		{"extremes", wide, []record{
			{0, []snnsim.NeuronID{0, 1, 2, math.MaxInt32 - 1, math.MaxInt32}},
			{1, []snnsim.NeuronID{math.MaxInt32}},
			{1 << 40, []snnsim.NeuronID{255, 256, 257, 65535, 65536, 1 << 24}},
			{math.MaxInt64 - 1, []snnsim.NeuronID{7}},
			{math.MaxInt64, []snnsim.NeuronID{0, math.MaxInt32}},
		}},
		{"split-tick", wide, []record{{5, []snnsim.NeuronID{1}}, {6, big}, {7, []snnsim.NeuronID{3}}}},
	}
	options := []struct {
		name string
		o    Options
	}{
		{"default", Options{FlushInterval: -1}},
		{"block=1", Options{BlockSize: 1, FlushInterval: -1}},
		{"block=300", Options{BlockSize: 300, FlushInterval: -1}},
		{"block=1MiB/level=1", Options{BlockSize: 1 << 20, Level: 1, FlushInterval: -1}},
		{"level=19", Options{Level: 19, FlushInterval: -1}},
		{"flush=1ms", Options{FlushInterval: time.Millisecond}},
	}
	for _, s := range streams {
		for _, o := range options {
			t.Run(fmt.Sprintf("stream=%s/opts=%s", s.name, o.name), func(t *testing.T) {
				marks := []Mark{{0, "run start"}, {3, ""}, {1, "out of order is fine"}}
				var ev []event
				ev = append(ev, event{mark: &marks[0]})
				for i := range s.recs {
					ev = append(ev, event{rec: &s.recs[i]})
					if i == len(s.recs)/2 {
						ev = append(ev, event{mark: &marks[1]}, event{mark: &marks[2]})
					}
				}
				if len(s.recs) == 0 {
					ev = append(ev, event{mark: &marks[1]}, event{mark: &marks[2]})
				}
				data := writeLog(t, s.h, o.o, ev, false)
				r, err := NewReader(bytes.NewReader(data))
				if err != nil {
					t.Fatal(err)
				}
				if got := r.Header(); !reflect.DeepEqual(got, s.h) {
					t.Errorf("header:\n got %#v\nwant %#v", got, s.h)
				}
				got, err := readAll(r)
				if err != nil {
					t.Fatal(err)
				}
				if want := flatten(s.recs); !slices.Equal(got, want) {
					t.Fatalf("spikes differ: got %d, want %d", len(got), len(want))
				}
				if !r.Complete() {
					t.Error("Complete() = false after Close")
				}
				if !slices.Equal(r.Marks(), marks) {
					t.Errorf("marks = %v, want %v", r.Marks(), marks)
				}
				st, err := r.Stats()
				if err != nil || st.Spikes != int64(countSpikes(s.recs)) || !st.Complete || st.Size != int64(len(data)) {
					t.Errorf("Stats = %+v, %v", st, err)
				}
			})
		}
	}
}

func TestCreateOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.snnslog")
	recs := cubaStream(2, 500)
	w, err := Create(path, testHeader(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		if err := w.Spikes(rec.T, rec.IDs); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := readAll(r)
	if err != nil || !slices.Equal(got, flatten(recs)) || !r.Complete() {
		t.Fatalf("read %d spikes, err %v, complete %v", len(got), err, r.Complete())
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if r.Next() || !errors.Is(r.Err(), ErrClosed) {
		t.Errorf("after Close: Next true or Err = %v, want ErrClosed", r.Err())
	}
	if _, err := Open(filepath.Join(t.TempDir(), "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open(missing) = %v, want ErrNotExist", err)
	}
}

// TestStats checks the counts against the stream, Stats after partial
// iteration, and that a block of an unknown kind is skipped and counted.
func TestStats(t *testing.T) {
	recs := cubaStream(3, 3000)
	ev := spikeEvents(recs)
	m := Mark{17, "checkpoint"}
	ev = append(ev[:10:10], append([]event{{mark: &m}}, ev[10:]...)...)
	data := writeLog(t, testHeader(), Options{BlockSize: 2048, FlushInterval: -1}, ev, false)

	// A later writer's record kind 7, inserted before the end block, with
	// the end block's block count raised to match.
	starts := blockStarts(t, data)
	endAt := starts[len(starts)-1]
	r0, _ := NewReader(bytes.NewReader(data))
	st0, err := r0.Stats()
	if err != nil {
		t.Fatal(err)
	}
	var blocks int64
	for k, n := range st0.Blocks {
		if k != KindEnd {
			blocks += n
		}
	}
	end := binary.AppendUvarint(nil, uint64(blocks+1)) // the inserted block counts
	for _, v := range []int64{st0.Records, st0.Spikes, int64(len(st0.Marks))} {
		end = binary.AppendUvarint(end, uint64(v))
	}
	end = append(end, 0, 0, 0x2a) // no series, no sample rows, then a field a later version appends: ignored
	ext := slices.Concat(data[:endAt], frameBlock(7, []byte("weights, say")), frameBlock(KindEnd, end))

	for _, tc := range []struct {
		name string
		data []byte
		kind map[Kind]int64
	}{
		{"plain", data, nil},
		{"unknown-kind", ext, map[Kind]int64{7: 1}},
	} {
		t.Run("log="+tc.name, func(t *testing.T) {
			r, err := NewReader(bytes.NewReader(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			for range 100 { // consume part of the first block
				r.Next()
			}
			st, err := r.Stats()
			if err != nil {
				t.Fatal(err)
			}
			want := Stats{
				Records: int64(len(recs)), Spikes: int64(countSpikes(recs)),
				First: recs[0].T, Last: recs[len(recs)-1].T, Marks: []Mark{m},
				Size: int64(len(tc.data)), Complete: true,
			}
			if st.Records != want.Records || st.Spikes != want.Spikes || st.First != want.First ||
				st.Last != want.Last || !slices.Equal(st.Marks, want.Marks) || st.Size != want.Size || !st.Complete {
				t.Errorf("Stats =\n%+v\nwant\n%+v", st, want)
			}
			if st.Blocks[KindMark] != 1 || st.Blocks[KindEnd] != 1 || st.Blocks[KindSpikes] < 2 {
				t.Errorf("Blocks = %v", st.Blocks)
			}
			for k, n := range tc.kind {
				if st.Blocks[k] != n {
					t.Errorf("Blocks[%v] = %d, want %d", k, st.Blocks[k], n)
				}
			}
			// The same log through Next.
			r2, _ := NewReader(bytes.NewReader(tc.data))
			got, err := readAll(r2)
			if err != nil || !slices.Equal(got, flatten(recs)) || !r2.Complete() {
				t.Errorf("Next: %d spikes, err %v, complete %v", len(got), err, r2.Complete())
			}
		})
	}
}

func TestFilter(t *testing.T) {
	recs := cubaStream(4, 4000)
	data := writeLog(t, testHeader(), Options{BlockSize: 4096, FlushInterval: -1}, spikeEvents(recs), false)
	all := flatten(recs)
	h := testHeader()
	inh, _ := h.Population("I")
	for _, f := range []Filter{
		{},
		{From: 1000},
		{To: 1000},
		{From: 1500, To: 2500},
		{From: 1500, To: 1501},
		{From: 5000},
		{Lo: inh.First, Hi: inh.End()},
		{Lo: 10, Hi: 11},
		{From: 100, To: 3000, Lo: 100, Hi: 200},
		{Hi: 1},
	} {
		t.Run(fmt.Sprintf("filter=%+v", f), func(t *testing.T) {
			var want []Spike
			for _, s := range all {
				if s.T >= f.From && (f.To == 0 || s.T < f.To) && s.ID >= f.Lo && (f.Hi == 0 || s.ID < f.Hi) {
					want = append(want, s)
				}
			}
			r, _ := NewReader(bytes.NewReader(data))
			r.SetFilter(f)
			got, err := readAll(r)
			if err != nil || !slices.Equal(got, want) {
				t.Fatalf("got %d spikes (err %v), want %d", len(got), err, len(want))
			}
			// Stats after a filtered pass still covers the whole log.
			st, err := r.Stats()
			if err != nil || st.Spikes != int64(len(all)) || !st.Complete {
				t.Errorf("Stats after filter: %+v, %v", st, err)
			}
		})
	}
}
