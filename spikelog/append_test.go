package spikelog

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// applyEvents sends events to w.
func applyEvents(tb testing.TB, w *Writer, events []event) {
	tb.Helper()
	for _, e := range events {
		var err error
		switch {
		case e.rec != nil:
			err = w.Spikes(e.rec.T, e.rec.IDs)
		case e.mark != nil:
			err = w.Mark(e.mark.T, e.mark.Text)
		case e.decl != nil:
			_, err = w.Declare(*e.decl)
		default:
			err = w.Sample(e.smp.Series, e.smp.T, e.smp.Values)
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
}

// TestAppend writes a log with spikes, marks and three series, flushing
// halfway (as a checkpoint does) and noting the size; then it damages the
// file after that point (a run that went on past the checkpoint and was
// killed), continues it with Append from the noted size, and checks that the
// result is byte-identical to the log written in one go with the same flush,
// and reads back completely.
func TestAppend(t *testing.T) {
	ev := sampledEvents(3, 4000, 700)
	half := len(ev) / 2
	opts := Options{FlushInterval: -1, BlockSize: 4 << 10}
	dir := t.TempDir()

	// One go, with a flush halfway.
	one := filepath.Join(dir, "one")
	w, err := Create(one, testHeader(), opts)
	if err != nil {
		t.Fatal(err)
	}
	applyEvents(t, w, ev[:half])
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	applyEvents(t, w, ev[half:])
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	// Checkpointed: flush, note the size, go on a little, stop without Close.
	two := filepath.Join(dir, "two")
	w, err = Create(two, testHeader(), opts)
	if err != nil {
		t.Fatal(err)
	}
	applyEvents(t, w, ev[:half])
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	off := w.Size()
	applyEvents(t, w, ev[half:half+200])
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f, _ := os.OpenFile(two, os.O_WRONLY|os.O_APPEND, 0)
	f.Write([]byte("torn block"))
	f.Close()

	w, err = Append(two, off, opts)
	if err != nil {
		t.Fatal(err)
	}
	applyEvents(t, w, ev[half:])
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(one)
	b, _ := os.ReadFile(two)
	if !bytes.Equal(a, b) {
		t.Errorf("continued log differs from the log written in one go (%d and %d bytes)", len(b), len(a))
	}
	r, err := NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	st, err := r.Stats()
	if err != nil || !st.Complete {
		t.Errorf("continued log: complete %v, err %v", st.Complete, err)
	}

	// Bad offsets are refused with an error, not a panic.
	for _, bad := range []int64{off - 1, off + 1, int64(len(b)), int64(len(b)) + 10, 3} {
		if w, err := Append(two, bad, opts); err == nil {
			w.Close()
			t.Errorf("Append at byte %d of a %d-byte log accepted", bad, len(b))
		}
	}
}

// TestSuspend stops a Writer with Suspend halfway: the file holds every
// event so far without an end block, Append continues it at Size, and the
// result is the log written in one go with a flush at that point.
func TestSuspend(t *testing.T) {
	ev := sampledEvents(2, 3000, 500)
	half := len(ev) / 2
	opts := Options{FlushInterval: -1, BlockSize: 4 << 10}
	dir := t.TempDir()
	one := filepath.Join(dir, "one")
	w, err := Create(one, testHeader(), opts)
	if err != nil {
		t.Fatal(err)
	}
	applyEvents(t, w, ev[:half])
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	applyEvents(t, w, ev[half:])
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	two := filepath.Join(dir, "two")
	if w, err = Create(two, testHeader(), opts); err != nil {
		t.Fatal(err)
	}
	applyEvents(t, w, ev[:half])
	if err := w.Suspend(); err != nil {
		t.Fatal(err)
	}
	off := w.Size()
	if err := w.Close(); err != ErrClosed {
		t.Errorf("Close after Suspend: %v, want ErrClosed", err)
	}
	if fi, _ := os.Stat(two); fi.Size() != off {
		t.Errorf("suspended file has %d bytes, Size says %d", fi.Size(), off)
	}
	r, err := Open(two)
	if err != nil {
		t.Fatal(err)
	}
	st, err := r.Stats()
	r.Close()
	if err != nil || st.Complete || st.Size != off {
		t.Errorf("suspended log: err %v, complete %v, size %d of %d", err, st.Complete, st.Size, off)
	}
	if w, err = Append(two, off, opts); err != nil {
		t.Fatal(err)
	}
	applyEvents(t, w, ev[half:])
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(one)
	b, _ := os.ReadFile(two)
	if !bytes.Equal(a, b) {
		t.Errorf("suspended and continued log differs from the one written in one go (%d and %d bytes)", len(b), len(a))
	}
}

// TestAppendWideSeries continues a log that declares a series of a
// million indices (a weights record has one per synapse) and checks that
// Append allocates far less than those indices would take as ints: the
// Writer needs the series' widths, not their indices. The continued log
// takes samples of the full width.
func TestAppendWideSeries(t *testing.T) {
	const width = 1 << 20
	path := filepath.Join(t.TempDir(), "log")
	opts := Options{FlushInterval: -1}
	w, err := Create(path, testHeader(), opts)
	if err != nil {
		t.Fatal(err)
	}
	idx := make([]int, width)
	for i := range idx {
		idx[i] = i
	}
	if _, err := w.Declare(Series{Name: "weights/wide", What: "weights", Unit: "g_L", Projection: "p", Indices: idx}); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	off := w.Size()
	w.Suspend()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	w, err = Append(path, off, opts)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	asInts := uint64(8 * width) // the declared indices read back as ints
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > asInts/8 {
		t.Errorf("Append of a log with a series of %d indices allocated %d bytes, want at most 1/8 of the %d they take as ints", width, alloc, asInts)
	}
	id, ok := w.SeriesID("weights/wide")
	if !ok {
		t.Fatal("the continued log lost its series")
	}
	if err := w.Sample(id, 5, make([]float64, width)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	st, err := r.Stats()
	if err != nil || !st.Complete || len(st.Series) != 1 || len(st.Series[0].Indices) != width || st.Series[0].Samples != 1 {
		t.Fatalf("continued log: err %v, complete %v, %d series", err, st.Complete, len(st.Series))
	}
}
