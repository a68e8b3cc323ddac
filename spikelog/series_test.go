package spikelog

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/snnsim/snnsim"
)

// TestRoundTripSeries writes streams with every record kind under several
// options and reads everything back: spikes exactly, samples bit for bit,
// declarations as declared, totals in Stats.
func TestRoundTripSeries(t *testing.T) {
	for _, tc := range []struct {
		name  string
		ticks int
		wide  int // width of the weight series; wider than BlockSize/8 splits samples
	}{
		{"narrow", 400, 3},
		{"wide-1000", 200, 1000},
		{"wide-20000", 120, 20000}, // 160 kB per sample: split even at 64 KiB blocks
	} {
		for _, o := range []struct {
			name string
			o    Options
		}{
			{"default", Options{FlushInterval: -1}},
			{"block=1", Options{BlockSize: 1, FlushInterval: -1}},
			{"block=500", Options{BlockSize: 500, FlushInterval: -1}},
			{"level=1", Options{Level: 1, FlushInterval: -1}},
			{"flush=1ms", Options{FlushInterval: time.Millisecond}},
		} {
			t.Run(fmt.Sprintf("stream=%s/opts=%s", tc.name, o.name), func(t *testing.T) {
				ev := sampledEvents(3, tc.ticks, tc.wide)
				data := writeLog(t, testHeader(), o.o, ev, false)
				p, err, serr := readBoth(data)
				if err != nil || serr != nil {
					t.Fatal(err, serr)
				}
				if !slices.Equal(p.spikes, flatten(eventRecords(ev))) {
					t.Errorf("spikes differ: got %d", len(p.spikes))
				}
				want := writtenSamples(ev)
				if !sameSamples(p.samples, want) {
					t.Errorf("samples differ: got %d, want %d", len(p.samples), len(want))
				}
				r, _ := NewReader(bytes.NewReader(data))
				st, err := r.Stats()
				if err != nil || !st.Complete {
					t.Fatal(err)
				}
				var decls []Series
				for _, e := range ev {
					if e.decl != nil {
						decls = append(decls, *e.decl)
					}
				}
				if len(st.Series) != len(decls) {
					t.Fatalf("%d series, want %d", len(st.Series), len(decls))
				}
				counts := map[int]int64{}
				for _, s := range want {
					counts[s.Series]++
				}
				for i, d := range decls {
					got := st.Series[i]
					if !reflect.DeepEqual(got.Series, d) {
						t.Errorf("series %d:\n got %+v\nwant %+v", i, got.Series, d)
					}
					if got.Samples != counts[i] {
						t.Errorf("series %d: %d samples, want %d", i, got.Samples, counts[i])
					}
				}
			})
		}
	}
}

// TestSampleFilter checks selection by series name and time window against
// a plain filter over everything written.
func TestSampleFilter(t *testing.T) {
	ev := sampledEvents(4, 600, 300)
	data := writeLog(t, testHeader(), Options{BlockSize: 1000, FlushInterval: -1}, ev, false)
	all := writtenSamples(ev)
	names := []string{"v/E", "rate/I", "weight/E_to_E"}
	for _, f := range []SampleFilter{
		{},
		{Series: []string{"v/E"}},
		{Series: []string{"rate/I", "weight/E_to_E"}},
		{From: 100, To: 300},
		{Series: []string{"weight/E_to_E"}, From: 110, To: 111},
		{From: 590},
		{Series: []string{"no such series"}},
	} {
		t.Run(fmt.Sprintf("filter=%v", f), func(t *testing.T) {
			var want []Sample
			for _, s := range all {
				if (f.Series == nil || slices.Contains(f.Series, names[s.Series])) && s.T >= f.From && (f.To == 0 || s.T < f.To) {
					want = append(want, s)
				}
			}
			r, _ := NewReader(bytes.NewReader(data))
			var got []Sample
			for s := range r.Samples(f) {
				s.Values = slices.Clone(s.Values)
				got = append(got, s)
			}
			if r.Err() != nil || !sameSamples(got, want) {
				t.Fatalf("got %d samples (err %v), want %d", len(got), r.Err(), len(want))
			}
		})
	}
}

// TestSpikesIterator checks the range-over-func spike iterator and
// PopulationFilter, including an early break.
func TestSpikesIterator(t *testing.T) {
	recs := cubaStream(5, 3000)
	data := writeLog(t, testHeader(), Options{BlockSize: 4096, FlushInterval: -1}, spikeEvents(recs), false)
	r, _ := NewReader(bytes.NewReader(data))
	f, err := r.Header().PopulationFilter("I", 1000, 2000)
	if err != nil {
		t.Fatal(err)
	}
	var got []Spike
	for s := range r.Spikes(f) {
		got = append(got, s)
	}
	var want []Spike
	for _, s := range flatten(recs) {
		if s.T >= 1000 && s.T < 2000 && s.ID >= 3200 {
			want = append(want, s)
		}
	}
	if r.Err() != nil || !slices.Equal(got, want) || len(want) == 0 {
		t.Fatalf("got %d spikes (err %v), want %d", len(got), r.Err(), len(want))
	}
	r, _ = NewReader(bytes.NewReader(data))
	n := 0
	for range r.Spikes(Filter{}) {
		if n++; n == 10 {
			break
		}
	}
	if n != 10 {
		t.Errorf("break after 10: n = %d", n)
	}
	if _, err := r.Header().PopulationFilter("X", 0, 0); err == nil || !strings.Contains(err.Error(), `no population "X"`) {
		t.Errorf("PopulationFilter(X): %v", err)
	}
}

// TestSeriesRejects checks that invalid Declare and Sample calls return an
// error naming the problem, write nothing and leave the Writer usable.
func TestSeriesRejects(t *testing.T) {
	good := Series{Name: "v/E", What: "v", Unit: "mV", Population: "E", Indices: []int{1, 2}}
	with := func(f func(s *Series)) Series { s := good; f(&s); return s }
	for _, tc := range []struct {
		name string
		call func(w *Writer) error
		want string
	}{
		{"case=no-name", func(w *Writer) error { _, err := w.Declare(with(func(s *Series) { s.Name = "" })); return err }, "Series.Name is empty"},
		{"case=no-what", func(w *Writer) error { _, err := w.Declare(with(func(s *Series) { s.What = "" })); return err }, "Series.What is empty"},
		{"case=both-targets", func(w *Writer) error {
			_, err := w.Declare(with(func(s *Series) { s.Projection = "E_to_E" }))
			return err
		}, "exactly one of Series.Population and Series.Projection"},
		{"case=no-target", func(w *Writer) error { _, err := w.Declare(with(func(s *Series) { s.Population = "" })); return err }, "exactly one"},
		{"case=unknown-population", func(w *Writer) error { _, err := w.Declare(with(func(s *Series) { s.Population = "X" })); return err }, `population "X" is not in the header`},
		{"case=index-past-population", func(w *Writer) error {
			_, err := w.Declare(with(func(s *Series) { s.Indices = []int{3199, 3200} }))
			return err
		}, "index 3200 is past the end of population \"E\" (size 3200)"},
		{"case=indices-not-increasing", func(w *Writer) error {
			_, err := w.Declare(with(func(s *Series) { s.Indices = []int{2, 2} }))
			return err
		}, "Indices[1] = 2"},
		{"case=negative-index", func(w *Writer) error {
			_, err := w.Declare(with(func(s *Series) { s.Indices = []int{-1} }))
			return err
		}, "Indices[0] = -1"},
		{"case=negative-interval", func(w *Writer) error { _, err := w.Declare(with(func(s *Series) { s.Interval = -1 })); return err }, "Interval = -1"},
		{"case=bad-utf8", func(w *Writer) error { _, err := w.Declare(with(func(s *Series) { s.Unit = "\xff" })); return err }, "Series.Unit must be valid UTF-8"},
		{"case=duplicate-name", func(w *Writer) error { _, err := w.Declare(with(func(s *Series) { s.What = "x" })); return err }, "declared already (ID 0)"},
		{"case=unknown-series", func(w *Writer) error { return w.Sample(1, 5, []float64{1, 2}) }, "unknown series ID"},
		{"case=negative-series", func(w *Writer) error { return w.Sample(-1, 5, []float64{1, 2}) }, "unknown series ID"},
		{"case=wrong-width", func(w *Writer) error { return w.Sample(0, 5, []float64{1}) }, "1 values, the series has width 2"},
		{"case=same-tick", func(w *Writer) error { return w.Sample(0, 3, []float64{1, 2}) }, "increase from sample to sample (the last had tick 3)"},
		{"case=negative-tick", func(w *Writer) error { return w.Sample(0, -1, []float64{1, 2}) }, "ticks must be >= 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			w, err := NewWriter(&buf, testHeader(), Options{FlushInterval: -1})
			if err != nil {
				t.Fatal(err)
			}
			id, err := w.Declare(good)
			if err != nil || id != 0 {
				t.Fatal(id, err)
			}
			if err := w.Sample(0, 3, []float64{-70, -71}); err != nil {
				t.Fatal(err)
			}
			err = tc.call(w)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "spikelog: ") {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
			if err := w.Sample(0, 4, []float64{-72, -73}); err != nil {
				t.Fatalf("Writer unusable after a rejected call: %v", err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			r, _ := NewReader(&buf)
			got, err := readSamples(r)
			want := []Sample{{0, 3, []float64{-70, -71}}, {0, 4, []float64{-72, -73}}}
			if err != nil || !sameSamples(got, want) || len(r.Series()) != 1 {
				t.Errorf("log holds %v and %d series (err %v), want %v", got, len(r.Series()), err, want)
			}
		})
	}
	// A header without a population table accepts any population name.
	h := testHeader()
	h.Populations = nil
	w, _ := NewWriter(io.Discard, h, Options{})
	if _, err := w.Declare(with(func(s *Series) { s.Population = "anything"; s.Indices = []int{1 << 30} })); err != nil {
		t.Errorf("no table: %v", err)
	}
	w.Close()
	if _, err := w.Declare(good); !errors.Is(err, ErrClosed) {
		t.Errorf("Declare after Close: %v", err)
	}
	if err := w.Sample(0, 9, []float64{1, 2}); !errors.Is(err, ErrClosed) {
		t.Errorf("Sample after Close: %v", err)
	}
}

// seriesPrefix returns a closed-less log prefix with one declared series
// (ID 0, "v/E", two indices) and one sample of it at tick 10, and the
// offset where the next block goes.
func seriesPrefix(t *testing.T) []byte {
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, testHeader(), Options{FlushInterval: -1})
	w.Declare(Series{Name: "v/E", What: "v", Unit: "mV", Population: "E", Indices: []int{0, 1}})
	w.Sample(0, 10, []float64{1, 2})
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return bytes.Clone(buf.Bytes())
}

// samplesPayload builds a samples block payload by hand.
func samplesPayload(series, n, col0, ncols int, ticks []uint64, planes int) []byte {
	var tb []byte
	for _, d := range ticks {
		tb = binary.AppendUvarint(tb, d)
	}
	p := []byte{}
	for _, v := range []int{series, n, col0, ncols, len(tb)} {
		p = binary.AppendUvarint(p, uint64(v))
	}
	return append(append(p, tb...), make([]byte, planes)...)
}

func declPayload(id int, json string, rest ...byte) []byte {
	p := binary.AppendUvarint(nil, uint64(id))
	p = binary.AppendUvarint(p, uint64(len(json)))
	return append(append(p, json...), rest...)
}

// TestDamageSeries checks that inconsistent series and samples blocks (with
// valid CRCs, as a buggy or hostile writer would make them) are reported as
// damage at their offset, after the samples before them.
func TestDamageSeries(t *testing.T) {
	base := seriesPrefix(t)
	at := int64(len(base))
	okDecl := `{"name":"w","what":"weight","unit":"","projection":"P","interval":0}`
	part := frameBlock(KindSamples, samplesPayload(0, 1, 0, 1, []uint64{20}, 8)) // half a sample: valid so far
	for _, tc := range []struct {
		name  string
		pre   []byte // intact blocks before the damage
		block []byte
		msg   string
	}{
		{"case=undeclared-series", nil, frameBlock(KindSamples, samplesPayload(1, 1, 0, 1, []uint64{20}, 8)), "series 1 was not declared"},
		{"case=tick-not-after-last", nil, frameBlock(KindSamples, samplesPayload(0, 1, 0, 2, []uint64{10}, 16)), "not after its last sample at tick 10"},
		{"case=ticks-too-short", nil, frameBlock(KindSamples, samplesPayload(0, 2, 0, 2, []uint64{20}, 32)), "bad tick in sample 1"},
		{"case=planes-too-short", nil, frameBlock(KindSamples, samplesPayload(0, 1, 0, 2, []uint64{20}, 15)), "do not fill"},
		{"case=zero-samples", nil, frameBlock(KindSamples, samplesPayload(0, 0, 0, 2, nil, 0)), "do not fit its width"},
		{"case=columns-past-width", nil, frameBlock(KindSamples, samplesPayload(0, 1, 1, 2, []uint64{20}, 16)), "do not fit its width"},
		{"case=part-without-start", nil, frameBlock(KindSamples, samplesPayload(0, 1, 1, 1, []uint64{20}, 8)), "do not continue a sample"},
		{"case=part-with-two-samples", nil, frameBlock(KindSamples, samplesPayload(0, 2, 0, 1, []uint64{20, 0}, 16)), "holds 2 samples, not 1"},
		{"case=part-then-new-sample", part, frameBlock(KindSamples, samplesPayload(0, 1, 0, 1, []uint64{30}, 8)), "before the sample at tick 20 is complete"},
		{"case=part-at-other-tick", part, frameBlock(KindSamples, samplesPayload(0, 1, 1, 1, []uint64{21}, 8)), "columns from 1 at tick 21 do not continue"},
		{"case=series-id-skips", nil, frameBlock(KindSeries, declPayload(5, okDecl, 0, 0)), "series ID 5, but 1 series were declared"},
		{"case=series-duplicate-name", nil, frameBlock(KindSeries, declPayload(1, `{"name":"v/E","what":"v","population":"E"}`, 0, 0)), `"v/E" is declared twice`},
		{"case=series-bad-json", nil, frameBlock(KindSeries, declPayload(1, `{"name":`, 0, 0)), "series block: unexpected end of JSON"},
		{"case=series-no-target", nil, frameBlock(KindSeries, declPayload(1, `{"name":"x","what":"v"}`, 0, 0)), "lacks a name, a population or projection"},
		{"case=series-runs-overflow", nil, frameBlock(KindSeries, declPayload(1, okDecl, 2, 1, 0, 5)), "more indices than declared"},
		{"case=series-runs-short", nil, frameBlock(KindSeries, declPayload(1, okDecl, 3, 1, 0, 1)), "3 indices declared, 2 found"},
		{"case=series-trailing", nil, frameBlock(KindSeries, declPayload(1, okDecl, 0, 0, 9)), "1 bytes left over"},
		{"case=end-series-count", nil, frameBlock(KindEnd, []byte{2, 0, 0, 0, 2, 1}), "end block counts 2 series and 1 sample rows, but the log holds 1 and 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := slices.Concat(base, tc.pre, tc.block)
			got, err, serr := readBoth(data)
			at := at + int64(len(tc.pre))
			for _, e := range []error{err, serr} {
				var ce *CorruptError
				if !errors.As(e, &ce) || ce.Offset != at || !strings.Contains(e.Error(), tc.msg) {
					t.Fatalf("err = %v, want a CorruptError at %d containing %q", e, at, tc.msg)
				}
			}
			if want := []Sample{{0, 10, []float64{1, 2}}}; !sameSamples(got.samples, want) {
				t.Errorf("samples before the damage: %v, want %v", got.samples, want)
			}
		})
	}
}

// TestSampleAllocs checks that Sample does not allocate once the block
// buffers have grown.
func TestSampleAllocs(t *testing.T) {
	w, err := NewWriter(io.Discard, testHeader(), Options{FlushInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	id, _ := w.Declare(Series{Name: "v", What: "v", Unit: "mV", Population: "E", Indices: []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}})
	v := make([]float64, 10)
	tick := snnsim.Time(0)
	next := func() {
		v[tick%10] = float64(tick)
		if err := w.Sample(id, tick, v); err != nil {
			t.Fatal(err)
		}
		tick++
	}
	for range 20000 {
		next()
	}
	if n := testing.AllocsPerRun(5000, next); n != 0 {
		t.Errorf("Sample allocates %v times per call", n)
	}
}

// TestSeriesCompression checks the XOR and byte-plane coding on the values
// it is for: a membrane potential at rest (constant) costs almost nothing
// and a slowly changing weight little, while NaN payloads survive.
func TestSeriesCompression(t *testing.T) {
	for _, tc := range []struct {
		name  string
		value func(k, j int) float64
		maxB  float64 // bytes per value, upper bound
	}{
		{"constant", func(k, j int) float64 { return -65 }, 0.05},
		{"slow-weights", func(k, j int) float64 { return 0.5 + float64(j%7)/64 + float64(k/100)/1024 }, 0.3},
		{"nan-payloads", func(k, j int) float64 { return math.Float64frombits(0x7ff8000000000000 | uint64(j)) }, 0.3},
	} {
		t.Run("values="+tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			w, _ := NewWriter(&buf, testHeader(), Options{FlushInterval: -1})
			idx := make([]int, 100)
			for i := range idx {
				idx[i] = i
			}
			id, _ := w.Declare(Series{Name: "s", What: "weight", Projection: "P", Indices: idx})
			var want []Sample
			v := make([]float64, 100)
			for k := range 2000 {
				for j := range v {
					v[j] = tc.value(k, j)
				}
				w.Sample(id, snnsim.Time(k), v)
				want = append(want, Sample{id, snnsim.Time(k), slices.Clone(v)})
			}
			w.Close()
			size := buf.Len()
			r, _ := NewReader(&buf)
			got, err := readSamples(r)
			if err != nil || !sameSamples(got, want) {
				t.Fatalf("read back %d samples, err %v", len(got), err)
			}
			if b := float64(size) / 200000; b > tc.maxB {
				t.Errorf("%.3f bytes per value, want <= %g", b, tc.maxB)
			} else {
				t.Logf("%.4f bytes per value", b)
			}
		})
	}
}

// TestFlushIntervalSeries checks that an open samples block reaches the
// file FlushInterval after its first sample, with no further call, as
// spike blocks do: a quiet run that only samples still leaves a readable
// log.
func TestFlushIntervalSeries(t *testing.T) {
	path := filepath.Join(t.TempDir(), "live.snnslog")
	w, err := Create(path, testHeader(), Options{FlushInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	id, _ := w.Declare(Series{Name: "v", What: "v", Unit: "mV", Population: "E", Indices: []int{7}})
	if err := w.Sample(id, 5, []float64{-61.5}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second) // generous: a loaded CI machine
	for {
		r, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := readSamples(r)
		r.Close()
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) { // a block being written may be seen in part
			t.Fatal(err)
		}
		if len(got) > 0 {
			if want := []Sample{{0, 5, []float64{-61.5}}}; !sameSamples(got, want) {
				t.Fatalf("read %v, want %v", got, want)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no sample on disk 5 s after a 20 ms flush interval")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
