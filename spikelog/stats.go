package spikelog

import (
	"slices"

	"github.com/snnsim/snnsim"
)

// Stats summarizes a log for the inspect command.
type Stats struct {
	Blocks   map[Kind]int64 // blocks read, by kind (unknown kinds and the end block included)
	Records  int64          // spike records; a tick split across two blocks counts twice
	Spikes   int64          // spikes
	First    snnsim.Time    // earliest spike tick; valid when Spikes > 0
	Last     snnsim.Time    // latest spike tick; valid when Spikes > 0
	Marks    []Mark         // marks in file order
	Series   []SeriesStats  // declared series, in declaration order
	Rows     int64          // sample rows; a sample split over blocks counts once per block
	RawBytes int64          // block payloads before compression [bytes]
	Size     int64          // bytes read: the header and every intact block [bytes]
	Complete bool           // the end block was read: the writer was closed
}

// SeriesStats summarizes one series.
type SeriesStats struct {
	Series
	Samples int64       // complete samples
	First   snnsim.Time // tick of the first sample; valid when Samples > 0
	Last    snnsim.Time // tick of the last sample; valid when Samples > 0
}

// Stats reads the rest of the log, counting spikes and samples without
// decoding spike IDs or values (so faster than Next), and returns totals over
// every block the Reader has read, including those already consumed by
// Next. On damage it returns the totals of the intact blocks before it with
// the *CorruptError. A log without the end block gives Complete == false
// and no error. The Series' Indices are shared with the Reader: the caller
// must not change them.
func (r *Reader) Stats() (Stats, error) {
	for r.step(modeCount) {
	}
	s := Stats{
		Blocks:   make(map[Kind]int64),
		Records:  r.records,
		Spikes:   r.nspikes,
		First:    r.first,
		Last:     r.last,
		Marks:    slices.Clone(r.marks),
		Series:   make([]SeriesStats, len(r.series)),
		Rows:     r.rows,
		RawBytes: r.rawBytes,
		Size:     r.off,
		Complete: r.complete,
	}
	for i, sr := range r.series {
		// The indices are the Reader's own, which it never changes: a
		// weights series has one per synapse, too many to copy.
		s.Series[i] = SeriesStats{Series: sr.Series, Samples: sr.samples, First: sr.first, Last: sr.done}
	}
	for k, n := range r.kinds {
		if n > 0 {
			s.Blocks[Kind(k)] = n
		}
	}
	return s, r.err
}
