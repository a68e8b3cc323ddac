package spikelog

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/snnsim/snnsim"
)

// readerSeeds are logs of every shape the writer makes, whole and cut.
func readerSeeds(tb testing.TB) [][]byte {
	small, _ := smallLog(tb)
	golden := writeLog(tb, testHeader(), Options{BlockSize: 128, FlushInterval: -1}, goldenEvents(), false)
	open := writeLog(tb, testHeader(), Options{FlushInterval: -1}, spikeEvents(cubaStream(10, 50)), true)
	spikes, _ := spikeLog(tb)
	return [][]byte{small, small[:len(small)-5], golden, open, spikes, []byte(Magic), nil}
}

// FuzzReader feeds arbitrary bytes to the Reader: it must never panic,
// every error must be one of the documented kinds, Stats must agree with
// Next on an intact log, and NextSample must meet the same error as Next.
func FuzzReader(f *testing.F) {
	for _, s := range readerSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data))
		if err != nil {
			checkReadErr(t, err)
			return
		}
		n := 0
		for r.Next() {
			n++
		}
		err = r.Err()
		if err != nil {
			checkReadErr(t, err)
			if r.Complete() {
				t.Fatal("Complete() with an error")
			}
		}
		r2, _ := NewReader(bytes.NewReader(data))
		st, serr := r2.Stats()
		if serr != nil {
			checkReadErr(t, serr)
		}
		if err == nil && (serr != nil || st.Spikes != int64(n) || st.Complete != r.Complete()) {
			t.Fatalf("Next read %d spikes (complete %v), Stats %+v, %v", n, r.Complete(), st, serr)
		}
		r3, _ := NewReader(bytes.NewReader(data))
		r3.SetFilter(Filter{From: 1, To: 1000, Lo: 100, Hi: 3000})
		for r3.Next() {
			if s := r3.Spike(); s.T < 1 || s.T >= 1000 || s.ID < 100 || s.ID >= 3000 {
				t.Fatalf("filter let %v through", s)
			}
		}
		r4, _ := NewReader(bytes.NewReader(data))
		rows := int64(0)
		for r4.NextSample() {
			s := r4.Sample()
			if s.Series < 0 || s.Series >= len(r4.Series()) || len(s.Values) != r4.Series()[s.Series].Width() {
				t.Fatalf("sample %+v does not match its series", s)
			}
			if a, b := r4.SeriesOf(s.Series), r4.Series()[s.Series]; a.Name != b.Name || a.ID != b.ID || !slices.Equal(a.Indices, b.Indices) {
				t.Fatalf("SeriesOf(%d) = %+v, Series()[%d] = %+v", s.Series, a, s.Series, b)
			}
			rows++
		}
		if (r4.Err() == nil) != (err == nil) {
			t.Fatalf("Next err %v, NextSample err %v", err, r4.Err())
		}
		if err == nil {
			var n int64
			for _, s := range st.Series {
				n += s.Samples
			}
			if n != rows {
				t.Fatalf("NextSample read %d samples, Stats counts %d", rows, n)
			}
		}
	})
}

func checkReadErr(t *testing.T, err error) {
	t.Helper()
	var ce *CorruptError
	if !errors.Is(err, ErrMagic) && !errors.Is(err, ErrVersion) && !errors.As(err, &ce) {
		t.Fatalf("undocumented error %T: %v", err, err)
	}
}

// fuzzEvents turns bytes into a valid call sequence. Each op byte with the
// top bit clear is a Spikes call: the tick advances by 1 to 8 (op 0x7f
// jumps 2^40 ticks), and op&15 IDs follow, each gap taken from the next byte
// squared so that gaps cross the 8-bit plane boundary. An op with the top
// two bits 10 is a Mark whose text is the next op&63 bytes. An op with the
// top bits 11 is a Sample of series op&3 (declared before the first
// sample: width 1, 3, 37 and 300, the last with gaps) at the current tick,
// whose values are built from the next byte.
func fuzzEvents(data []byte) []event {
	var ev []event
	decls := []Series{
		{ID: 0, Name: "rate", What: "rate", Unit: "Hz", Population: "p"},
		{ID: 1, Name: "v", What: "v", Unit: "mV", Population: "p", Indices: []int{0, 5, 6}},
		{ID: 2, Name: "w", What: "weight", Projection: "q", Indices: wideIndices(37)},
		{ID: 3, Name: "u", What: "u", Projection: "q", Indices: wideIndices(300)},
	}
	for k := range decls {
		ev = append(ev, event{decl: &decls[k]})
	}
	last := []snnsim.Time{-1, -1, -1, -1}
	t, i := snnsim.Time(-1), 0
	next := func() byte {
		if i < len(data) {
			i++
			return data[i-1]
		}
		return 0
	}
	for i < len(data) {
		op := next()
		if op&0xc0 == 0xc0 {
			id := int(op & 3)
			st := max(t, last[id]+1)
			last[id] = st
			x := next()
			v := make([]float64, decls[id].Width())
			for j := range v {
				switch x % 4 {
				case 0:
					v[j] = float64(x)
				case 1:
					v[j] = float64(j) * float64(x) / 7
				case 2:
					v[j] = math.Float64frombits(uint64(x)<<56 | uint64(j)) // NaNs and subnormals too
				default:
					v[j] = -float64(int(x) * j)
				}
			}
			ev = append(ev, event{smp: &Sample{id, st, v}})
			continue
		}
		if op&0x80 != 0 {
			n := min(int(op&63), len(data)-i)
			ev = append(ev, event{mark: &Mark{max(t, 0), string(data[i : i+n])}})
			i += n
			continue
		}
		t += 1 + snnsim.Time(op>>4&7)
		if op == 0x7f {
			t += 1 << 40
		}
		var ids []snnsim.NeuronID
		id := int64(-1)
		for range op & 15 {
			g := int64(next())
			id += 1 + g*g
			ids = append(ids, snnsim.NeuronID(id))
		}
		if len(ids) > 0 {
			ev = append(ev, event{rec: &record{t, ids}})
		}
	}
	return ev
}

// FuzzWriteRead writes a call sequence derived from the input with varied
// block sizes and levels and checks that it reads back exactly. Levels
// above 6 are left out: their encoder tables (20-50 MB) would make each run
// slow; TestRoundTrip covers them.
func FuzzWriteRead(f *testing.F) {
	f.Add([]byte{0x13, 1, 2, 3, 0x85, 'h', 'e', 'l', 'l', 'o', 0x7f, 0x0f, 255, 255, 255, 0, 0, 0}, uint16(7), uint8(1))
	f.Add([]byte("spikes and marks: any bytes make a valid stream"), uint16(100), uint8(2))
	f.Add(bytes.Repeat([]byte{0x03, 200, 1, 90}, 500), uint16(0), uint8(0))
	f.Add([]byte{0x11, 5, 0xc0, 3, 0xc1, 4, 0xc2, 1, 0xc3, 2, 0x21, 9, 0xc3, 7, 0xc2, 6, 0x85, 'm', 'a', 'r', 'k', '!'}, uint16(40), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, blockSize uint16, level uint8) {
		ev := fuzzEvents(data)
		h := testHeader()
		h.Populations = nil // IDs up to 2^31-1
		opts := Options{BlockSize: 1 + int(blockSize)%4096, Level: []int{1, 3}[level%2], FlushInterval: -1}
		log := writeLog(t, h, opts, ev, false)
		var spikes []Spike
		var marks []Mark
		for _, e := range ev {
			if e.rec != nil {
				spikes = append(spikes, flatten([]record{*e.rec})...)
			} else if e.mark != nil {
				marks = append(marks, *e.mark)
			}
		}
		r, err := NewReader(bytes.NewReader(log))
		if err != nil {
			t.Fatal(err)
		}
		got, err := readAll(r)
		if err != nil || !slices.Equal(got, spikes) || !slices.Equal(r.Marks(), marks) || !r.Complete() {
			t.Fatalf("read %d spikes, %d marks (err %v, complete %v); wrote %d, %d", len(got), len(r.Marks()), err, r.Complete(), len(spikes), len(marks))
		}
		rs, _ := NewReader(bytes.NewReader(log))
		smp, err := readSamples(rs)
		if want := writtenSamples(ev); err != nil || !sameSamples(smp, want) {
			t.Fatalf("read %d samples (err %v); wrote %d", len(smp), err, len(want))
		}
	})
}

// TestFuzzSeedFiles writes the reader seeds to testdata/fuzz/FuzzReader
// with -update, so that plain go test runs them and fuzzing starts from them.
func TestFuzzSeedFiles(t *testing.T) {
	if !*update {
		t.Skip("writes seed files only with -update")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzReader")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, s := range readerSeeds(t)[:5] {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", s)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%d", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// FuzzBlockPayload frames arbitrary payloads as blocks with valid CRCs, so
// that the payload parsers (series declarations, samples, spikes, marks,
// the end block) see what FuzzReader's mutations rarely get past the CRC.
// The blocks follow a valid prefix that declares two series, one of width
// 3 and one split over blocks. Reading must not panic, must report damage
// as a *CorruptError, and NextSample and Stats must agree on where the log
// is damaged (Next, which also decodes spike IDs, may find it earlier).
func FuzzBlockPayload(f *testing.F) {
	f.Add(uint8(KindSamples), samplesPayload(0, 1, 0, 3, []uint64{20}, 24), uint8(KindSeries), declPayload(2, `{"name":"x","what":"w","projection":"p"}`, 3, 1, 4, 2))
	f.Add(uint8(KindSamples), samplesPayload(1, 1, 0, 2, []uint64{30}, 16), uint8(KindSamples), samplesPayload(1, 1, 2, 3, []uint64{30}, 24))
	f.Add(uint8(KindSpikes), []byte{2, 3, 2, 2, 5, 0, 1, 2, 9, 8, 7, 0, 0, 0}, uint8(KindEnd), []byte{5, 2, 3, 0, 2, 2})
	f.Add(uint8(KindMark), []byte{1, 2, 'h', 'i'}, uint8(KindSeries), declPayload(2, `{"name":"y","what":"v","population":"E","interval":3}`, 0, 0))
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, testHeader(), Options{BlockSize: 16, FlushInterval: -1})
	w.Declare(Series{Name: "v/E", What: "v", Unit: "mV", Population: "E", Indices: []int{0, 1, 2}})
	w.Declare(Series{Name: "w", What: "weight", Projection: "p", Indices: []int{0, 1, 2, 3, 4}})
	w.Sample(0, 10, []float64{1, 2, 3})
	w.Sample(1, 10, []float64{1, 2, 3, 4, 5})
	w.Flush()
	prefix := bytes.Clone(buf.Bytes())
	w.Close()
	f.Fuzz(func(t *testing.T, k1 uint8, p1 []byte, k2 uint8, p2 []byte) {
		data := slices.Concat(prefix, frameBlock(Kind(k1), p1), frameBlock(Kind(k2), p2))
		got, err, serr := readBoth(data)
		r, _ := NewReader(bytes.NewReader(data))
		st, sterr := r.Stats()
		for _, e := range []error{err, serr, sterr} {
			if e != nil {
				checkReadErr(t, e)
			}
		}
		var ce1, ce2, ce3 *CorruptError
		errors.As(err, &ce1)
		errors.As(serr, &ce2)
		errors.As(sterr, &ce3)
		off := func(c *CorruptError) int64 {
			if c == nil {
				return -1
			}
			return c.Offset
		}
		// NextSample and Stats check the same; Next also checks the spike
		// ID planes, so it may find damage earlier, never later.
		if off(ce2) != off(ce3) || (ce2 != nil && (ce1 == nil || ce1.Offset > ce2.Offset)) {
			t.Fatalf("damage offsets differ: Next %v, NextSample %v, Stats %v", err, serr, sterr)
		}
		var n int64
		for _, s := range st.Series {
			n += s.Samples
		}
		if n != int64(len(got.samples)) || (err == nil && st.Spikes != int64(len(got.spikes))) {
			t.Fatalf("Stats counts %d samples and %d spikes; the iterators read %d and %d", n, st.Spikes, len(got.samples), len(got.spikes))
		}
	})
}
