package spikelog

import (
	"bytes"
	"errors"
	"fmt"
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
	return [][]byte{small, small[:len(small)-5], golden, open, []byte(Magic), nil}
}

// FuzzReader feeds arbitrary bytes to the Reader: it must never panic,
// every error must be one of the documented kinds, and Stats must agree
// with Next on an intact log.
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
// bit set is a Mark whose text is the next op&63 bytes.
func fuzzEvents(data []byte) []event {
	var ev []event
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
			} else {
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
	for i, s := range readerSeeds(t)[:4] {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", s)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%d", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
