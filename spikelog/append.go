package spikelog

import (
	"fmt"
	"io"
	"os"
)

// Append reopens the log at path to continue it at byte offset off, which
// must be the log's size right after a Flush ([Writer.Size]), as a
// checkpoint records it: the blocks before off are read and checked, the
// file is cut at off (dropping whatever a run that went on past the
// checkpoint wrote after it), and the returned Writer carries on as the
// original would have: the same header, the series already declared (their
// IDs unchanged), the last spike and sample ticks, and the totals of the end
// block. opts should equal the original's so that blocks are cut alike.
func Append(path string, off int64, opts Options) (*Writer, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("spikelog: %w", err)
	}
	w, err := appendTo(f, off, opts)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("spikelog: continuing %s at byte %d: %w", path, off, err)
	}
	w.closer = f
	return w, nil
}

func appendTo(f *os.File, off int64, opts Options) (*Writer, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if off > fi.Size() {
		return nil, fmt.Errorf("the file has only %d bytes", fi.Size())
	}
	r, err := NewReader(io.NewSectionReader(f, 0, off))
	if err != nil {
		return nil, err
	}
	r.widthsOnly = true // a weights series has an index per synapse, which the writer does not need
	st, err := r.Stats()
	if err != nil {
		return nil, err
	}
	switch {
	case st.Size != off:
		return nil, fmt.Errorf("byte %d is not the end of a block (the intact blocks end at byte %d)", off, st.Size)
	case st.Complete:
		return nil, fmt.Errorf("the log was closed before byte %d: there is nothing to continue", off)
	}
	if err := f.Truncate(off); err != nil {
		return nil, err
	}
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return nil, err
	}
	w, e, err := newWriter(f, r.Header(), opts, off)
	if err != nil {
		return nil, err
	}
	for i, ss := range st.Series {
		s := &seriesState{width: r.series[i].width, last: -1}
		s.cols = min(s.width, max(1, w.blockSize/8))
		if ss.Samples > 0 {
			s.last, s.started = ss.Last, true
		}
		w.names[ss.Name] = len(w.series)
		w.series = append(w.series, s)
	}
	if st.Spikes > 0 {
		w.last, w.started = st.Last, true
	}
	for k, n := range st.Blocks {
		if k != KindEnd {
			e.blocks += n
		}
	}
	e.records, e.spikes, e.marks = st.Records, st.Spikes, int64(len(st.Marks))
	e.series, e.samples = int64(len(st.Series)), st.Rows
	go w.run(e)
	return w, nil
}

// SeriesID returns the ID of the series called name that the log holds
// (declared by this Writer or, for a Writer from Append, before it), so that
// a continued run samples into the series it declared before.
func (w *Writer) SeriesID(name string) (int, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	id, ok := w.names[name]
	return id, ok
}
