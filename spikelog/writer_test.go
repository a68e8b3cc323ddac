package spikelog

import (
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/snnsim/snnsim"
)

func ids(v ...snnsim.NeuronID) []snnsim.NeuronID { return v }

// TestWriterRejects checks that invalid calls return an error naming the
// problem, record nothing, and leave the Writer usable.
func TestWriterRejects(t *testing.T) {
	for _, tc := range []struct {
		name string
		call func(w *Writer) error
		want string
	}{
		{"case=negative-tick", func(w *Writer) error { return w.Spikes(-1, ids(1)) }, "ticks must be >= 0"},
		{"case=same-tick", func(w *Writer) error { return w.Spikes(10, ids(1)) }, "increase from call to call"},
		{"case=earlier-tick", func(w *Writer) error { return w.Spikes(9, ids(1)) }, "increase from call to call"},
		{"case=negative-id", func(w *Writer) error { return w.Spikes(11, ids(-1, 2)) }, "ids[0] = -1"},
		{"case=repeated-id", func(w *Writer) error { return w.Spikes(11, ids(1, 5, 5)) }, "ids[2] = 5 follows 5"},
		{"case=decreasing-id", func(w *Writer) error { return w.Spikes(11, ids(1, 5, 4)) }, "strictly increasing"},
		{"case=id-past-table", func(w *Writer) error { return w.Spikes(11, ids(3999, 4000)) }, "past the population table"},
		{"case=split-bad-id", func(w *Writer) error {
			big := make([]snnsim.NeuronID, maxRecordSpikes+2) // all zero: not increasing
			return w.Spikes(11, big)
		}, "strictly increasing"},
		{"case=negative-mark", func(w *Writer) error { return w.Mark(-5, "x") }, "must be >= 0"},
		{"case=long-mark", func(w *Writer) error { return w.Mark(1, strings.Repeat("x", MaxMarkLen+1)) }, "at most 4096"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			w, err := NewWriter(&buf, testHeader(), Options{FlushInterval: -1})
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Spikes(10, ids(0, 7)); err != nil {
				t.Fatal(err)
			}
			err = tc.call(w)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "spikelog: ") {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
			if err := w.Spikes(12, ids(3)); err != nil {
				t.Fatalf("Writer unusable after a rejected call: %v", err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			r, _ := NewReader(&buf)
			got, err := readAll(r)
			if want := []Spike{{10, 0}, {10, 7}, {12, 3}}; err != nil || !slices.Equal(got, want) {
				t.Errorf("log holds %v (err %v), want %v", got, err, want)
			}
		})
	}
}

func TestNewWriterRejects(t *testing.T) {
	bad := func(f func(h *Header)) Header { h := testHeader(); f(&h); return h }
	for _, tc := range []struct {
		name string
		h    Header
		o    Options
		want string
	}{
		{"case=dt-zero", bad(func(h *Header) { h.DT = 0 }), Options{}, "Header.DT = 0 ms"},
		{"case=dt-nan", bad(func(h *Header) { h.DT = math.NaN() }), Options{}, "Header.DT = NaN"},
		{"case=dt-inf", bad(func(h *Header) { h.DT = math.Inf(1) }), Options{}, "Header.DT = +Inf"},
		{"case=bad-utf8", bad(func(h *Header) { h.Text = "\xff" }), Options{}, "Header.Text is not valid UTF-8"},
		{"case=bad-kind", bad(func(h *Header) { h.Populations[1].Kind = "glia" }), Options{}, `Kind = "glia"`},
		{"case=negative-size", bad(func(h *Header) { h.Populations[0].Size = -1 }), Options{}, "must lie in [0, 2^31)"},
		{"case=block-size", testHeader(), Options{BlockSize: 2 << 20}, "Options.BlockSize = 2097152"},
		{"case=negative-block-size", testHeader(), Options{BlockSize: -1}, "Options.BlockSize = -1"},
		{"case=level", testHeader(), Options{Level: 23}, "Options.Level = 23"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			_, err := NewWriter(&buf, tc.h, tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("NewWriter: err = %v, want one containing %q", err, tc.want)
			}
			if buf.Len() != 0 {
				t.Errorf("NewWriter wrote %d bytes despite the error", buf.Len())
			}
			path := filepath.Join(t.TempDir(), "x.snnslog")
			if _, err := Create(path, tc.h, tc.o); err == nil {
				t.Fatal("Create: no error")
			}
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("Create made a file despite the error (stat: %v)", err)
			}
		})
	}
}

func TestClosed(t *testing.T) {
	w, err := NewWriter(io.Discard, testHeader(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"Spikes":       w.Spikes(1, ids(1)),
		"Spikes-empty": w.Spikes(1, nil),
		"Mark":         w.Mark(1, "x"),
		"Flush":        w.Flush(),
		"Close":        w.Close(),
	} {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close: %v, want ErrClosed", name, err)
		}
	}
}

// failWriter accepts n bytes, then fails.
type failWriter struct {
	n   int
	err error
}

func (f *failWriter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		k := f.n
		f.n = 0
		return k, f.err
	}
	f.n -= len(p)
	return len(p), nil
}

// TestWriteError checks that an error of the underlying writer, met on the
// encoder goroutine, comes back from a later call and from Close.
func TestWriteError(t *testing.T) {
	disk := errors.New("disk full")
	fw := &failWriter{n: 500, err: disk}
	w, err := NewWriter(fw, testHeader(), Options{BlockSize: 64, FlushInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	var got error
	for _, r := range cubaStream(5, 2000) {
		if got = w.Spikes(r.T, r.IDs); got != nil {
			break
		}
	}
	if !errors.Is(got, disk) {
		// The goroutine may not have failed yet; Flush waits for it.
		got = w.Flush()
	}
	if !errors.Is(got, disk) || !strings.Contains(got.Error(), "writing spikes block at byte") {
		t.Fatalf("after the disk filled: %v", got)
	}
	if err := w.Mark(1e6, "x"); !errors.Is(err, disk) {
		t.Errorf("Mark: %v, want the write error", err)
	}
	if err := w.Close(); !errors.Is(err, disk) {
		t.Errorf("Close: %v, want the write error", err)
	}
	// The header is rejected at once.
	if _, err := NewWriter(&failWriter{n: 3, err: disk}, testHeader(), Options{}); !errors.Is(err, disk) {
		t.Errorf("NewWriter on a failing writer: %v", err)
	}
}

// TestFlushInterval checks that a block reaches the file FlushInterval
// after it started, with no further call.
func TestFlushInterval(t *testing.T) {
	path := filepath.Join(t.TempDir(), "live.snnslog")
	w, err := Create(path, testHeader(), Options{FlushInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Spikes(3, ids(1, 2)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second) // generous: a loaded CI machine
	for {
		r, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := readAll(r)
		r.Close()
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) { // a block being written may be seen in part
			t.Fatal(err)
		}
		if len(got) > 0 {
			if want := []Spike{{3, 1}, {3, 2}}; !slices.Equal(got, want) || r.Complete() {
				t.Fatalf("read %v (complete %v), want %v, incomplete", got, r.Complete(), want)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no block on disk 5 s after a 20 ms flush interval")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestFlushIntervalOrder makes the encoder steal many blocks while the
// caller keeps writing, and checks that blocks keep the order of calls.
func TestFlushIntervalOrder(t *testing.T) {
	recs := cubaStream(6, 3000)
	var buf bytes.Buffer
	w, err := NewWriter(&buf, testHeader(), Options{BlockSize: 512, FlushInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range recs {
		if err := w.Spikes(r.T, r.IDs); err != nil {
			t.Fatal(err)
		}
		if i%100 == 0 {
			time.Sleep(300 * time.Microsecond)
		}
		if i%997 == 0 {
			if err := w.Mark(r.T, "m"); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, _ := NewReader(&buf)
	got, err := readAll(r)
	if err != nil || !slices.Equal(got, flatten(recs)) || !r.Complete() {
		t.Fatalf("got %d spikes (err %v), want %d", len(got), err, countSpikes(recs))
	}
}

func TestFlush(t *testing.T) {
	var mu sync.Mutex
	var buf bytes.Buffer
	w, err := NewWriter(lockedWriter{&mu, &buf}, testHeader(), Options{FlushInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	snapshot := func() []Spike {
		mu.Lock()
		data := bytes.Clone(buf.Bytes())
		mu.Unlock()
		r, err := NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		got, err := readAll(r)
		if err != nil || r.Complete() {
			t.Fatalf("err %v, complete %v", err, r.Complete())
		}
		return got
	}
	w.Spikes(1, ids(5))
	if got := snapshot(); len(got) != 0 {
		t.Fatalf("before Flush: %v on disk, want nothing (no flush interval)", got)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil { // nothing pending
		t.Fatal(err)
	}
	if got := snapshot(); !slices.Equal(got, []Spike{{1, 5}}) {
		t.Fatalf("after Flush: %v", got)
	}
	w.Close()
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestSpikesAllocs checks that Spikes does not allocate once the block
// buffers have grown.
func TestSpikesAllocs(t *testing.T) {
	recs := cubaStream(7, 20000)
	w, err := NewWriter(io.Discard, testHeader(), Options{FlushInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	i := 0
	next := func() {
		r := recs[i%len(recs)]
		if err := w.Spikes(r.T+snnsim.Time(i/len(recs)*20000), r.IDs); err != nil {
			t.Fatal(err)
		}
		i++
	}
	for range 3 * len(recs) { // warm up: every block buffer in circulation grows
		next()
	}
	if n := testing.AllocsPerRun(len(recs), next); n != 0 {
		t.Errorf("Spikes allocates %v times per call", n)
	}
}

// BenchmarkSpikes measures the caller's side of Writer.Spikes alone: the
// encoder goroutine is replaced by one that recycles blocks at once, so the
// number is what the engine's sink phase pays per spike when compression
// keeps up (BenchmarkWriter includes compression).
//
//	go test -run '^$' -bench Spikes -count 1 ./spikelog/
func BenchmarkSpikes(b *testing.B) {
	recs := benchStream()
	w := &Writer{limit: 4000, blockSize: defaultBlockSize, cur: newBlock(),
		work: make(chan msg, queueLen), free: make(chan *block, queueLen+2)}
	go func() {
		for m := range w.work {
			m.b.reset()
			w.free <- m.b
		}
	}()
	defer close(w.work)
	b.ReportAllocs()
	n, off := 0, snnsim.Time(0)
	for b.Loop() {
		for _, r := range recs {
			if err := w.Spikes(r.T+off, r.IDs); err != nil {
				b.Fatal(err)
			}
		}
		off += benchTicks
		n += countSpikes(recs)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/spike")
}
