package spikelog

import (
	"fmt"
	"iter"
	"math"
	"slices"

	"github.com/snnsim/snnsim"
)

// SampleFilter selects samples by series and time window. The zero
// SampleFilter selects every sample of every series.
type SampleFilter struct {
	Series   []string    // series names; nil: every series
	From, To snnsim.Time // ticks [From, To); To == 0: no upper bound
}

// seriesRead is what a Reader keeps per declared series.
type seriesRead struct {
	Series
	width    int
	selected bool // by the sample filter
	started  bool
	first    snnsim.Time
	last     snnsim.Time // tick of the last sample begun
	done     snnsim.Time // tick of the last complete sample
	samples  int64       // complete samples
	partial  []float64   // a wide sample being joined; nil when none
	filled   int         // columns of partial filled so far
}

// SetSampleFilter makes NextSample return only the samples that f
// selects. Like SetFilter, it applies from the next block read, so call it
// before the first NextSample.
func (r *Reader) SetSampleFilter(f SampleFilter) {
	r.sfilter = f
	for _, s := range r.series {
		s.selected = r.selects(s.Name)
	}
}

func (r *Reader) selects(name string) bool {
	return r.sfilter.Series == nil || slices.Contains(r.sfilter.Series, name)
}

// Series returns the series declared in the blocks read so far, in
// declaration order (index = Series.ID). A log declares each series before
// its first sample, so every Sample's series is known by the time it is
// returned. Each call copies every declaration with its Indices (one per
// synapse for a weights series); SeriesOf gives one without a copy.
func (r *Reader) Series() []Series {
	out := make([]Series, len(r.series))
	for i, s := range r.series {
		out[i] = s.Series
		out[i].Indices = slices.Clone(s.Indices)
	}
	return out
}

// SeriesOf returns the declaration of series id, such as a Sample's
// Series, without copying it: its Indices are the Reader's own, which the
// caller must not change. It is the call to make per sample, where
// Series would copy the indices of every weights series each time.
func (r *Reader) SeriesOf(id int) Series {
	return r.series[id].Series
}

// NextSample advances to the next sample that the sample filter selects
// and reports whether there is one. Samples of one series come in tick
// order; samples of different series come in the order their blocks were
// written, which interleaves series by block, not by tick. Spike blocks are
// checked and counted but not decoded. Errors are reported as for Next.
func (r *Reader) NextSample() bool {
	r.spos++
	if r.spos < len(r.smpT) {
		return true
	}
	r.smpT, r.spos = r.smpT[:0], 0
	for r.step(modeSamples) {
		if len(r.smpT) > 0 {
			return true
		}
	}
	return false
}

// Sample returns the sample that the last successful NextSample advanced
// to. Its Values belong to the Reader and are overwritten by the next call
// of NextSample: copy them to keep them.
func (r *Reader) Sample() Sample {
	if r.spos >= len(r.smpT) {
		return Sample{}
	}
	k := r.spos * r.smpW
	return Sample{Series: r.smpID, T: r.smpT[r.spos], Values: r.smp[k : k+r.smpW : k+r.smpW]}
}

// Spikes returns an iterator over the spikes that f selects, for use in a
// range loop; it sets the filter and calls Next. After the loop, Err tells
// whether the log was read to its end. [Header.PopulationFilter] builds the
// filter of one population.
func (r *Reader) Spikes(f Filter) iter.Seq[Spike] {
	return func(yield func(Spike) bool) {
		r.SetFilter(f)
		for r.Next() {
			if !yield(r.Spike()) {
				return
			}
		}
	}
}

// Samples returns an iterator over the samples that f selects, for use in
// a range loop; it sets the sample filter and calls NextSample. Each
// Sample's Values are valid only until the loop body returns. After the
// loop, Err tells whether the log was read to its end.
func (r *Reader) Samples(f SampleFilter) iter.Seq[Sample] {
	return func(yield func(Sample) bool) {
		r.SetSampleFilter(f)
		for r.NextSample() {
			if !yield(r.Sample()) {
				return
			}
		}
	}
}

// PopulationFilter returns the Filter that selects the spikes of the
// population called name in ticks [from, to) (to == 0: no upper bound).
func (h Header) PopulationFilter(name string, from, to snnsim.Time) (Filter, error) {
	p, ok := h.Population(name)
	if !ok {
		names := make([]string, len(h.Populations))
		for i, p := range h.Populations {
			names[i] = p.Name
		}
		return Filter{}, fmt.Errorf("spikelog: no population %q in the log; it has %q", name, names)
	}
	if p.Size == 0 { // an empty range that Filter's "0: no bound" cannot express
		return Filter{From: 1, To: 1}, nil
	}
	return Filter{From: from, To: to, Lo: p.First, Hi: p.End()}, nil
}

// seriesBlock decodes a series declaration.
func (r *Reader) seriesBlock(start int64, p []byte) error {
	s, width, err := parseSeries(p, !r.widthsOnly)
	if err != nil {
		return corruptf(start, "%v", err)
	}
	if s.ID != len(r.series) {
		return corruptf(start, "series block: series ID %d, but %d series were declared before it", s.ID, len(r.series))
	}
	for _, o := range r.series {
		if o.Name == s.Name {
			return corruptf(start, "series block: series %q is declared twice", s.Name)
		}
	}
	r.series = append(r.series, &seriesRead{Series: s, width: width, selected: r.selects(s.Name)})
	return nil
}

// samplesBlock checks a samples block against its series, counts it and,
// when decode is set and the filter selects it, decodes its values into
// r.smp.
func (r *Reader) samplesBlock(start int64, p []byte, decode bool) error {
	var head [5]uint64 // series, samples, first column, columns, ticks length
	i := 0
	for k := range head {
		var ok bool
		if head[k], i, ok = uvarint(p, i); !ok {
			return corruptf(start, "samples block: bad head")
		}
	}
	id, n, col0, ncols, tl := head[0], head[1], head[2], head[3], head[4]
	if id >= uint64(len(r.series)) {
		return corruptf(start, "samples block: series %d was not declared before it", id)
	}
	s := r.series[id]
	w := uint64(s.width)
	rest := uint64(len(p) - i)
	switch {
	case n == 0 || ncols == 0 || col0 >= w || ncols > w-col0:
		return corruptf(start, "samples block of series %q: %d samples of columns [%d, %d+%d) do not fit its width %d", s.Name, n, col0, col0, ncols, w)
	case ncols < w && n != 1:
		return corruptf(start, "samples block of series %q: a part of a wide sample holds %d samples, not 1", s.Name, n)
	case tl > rest || n > (rest-tl)/8/ncols || (rest-tl) != 8*n*ncols:
		return corruptf(start, "samples block of series %q: %d samples of %d values and %d tick bytes do not fill %d bytes", s.Name, n, ncols, tl, rest)
	}
	ticks := p[i : i+int(tl)]
	planes := p[i+int(tl):]
	// Ticks: increasing, and after the series' last sample.
	t0 := len(r.smpT)
	tick := int64(-1)
	ti := 0
	for k := uint64(0); k < n; k++ {
		d, next, ok := uvarint(ticks, ti)
		if !ok || d > uint64(math.MaxInt64-1-tick) {
			return corruptf(start, "samples block of series %q: bad tick in sample %d", s.Name, k)
		}
		ti = next
		tick += int64(d) + 1
		r.smpT = append(r.smpT, snnsim.Time(tick))
	}
	ts := r.smpT[t0:]
	r.smpT = r.smpT[:t0]
	if ti != len(ticks) {
		return corruptf(start, "samples block of series %q: %d bytes left over after the ticks", s.Name, len(ticks)-ti)
	}
	first := ts[0]
	switch {
	case col0 == 0 && s.partial != nil:
		return corruptf(start, "samples block of series %q: a sample starts at tick %d before the sample at tick %d is complete", s.Name, first, s.last)
	case col0 == 0 && s.started && first <= s.last:
		return corruptf(start, "samples block of series %q starts at tick %d, not after its last sample at tick %d", s.Name, first, s.last)
	case col0 > 0 && (s.partial == nil || first != s.last || col0 != uint64(s.filled)):
		return corruptf(start, "samples block of series %q: columns from %d at tick %d do not continue a sample", s.Name, col0, first)
	}
	r.rows += int64(n)
	if !s.started {
		s.first = first
	}
	s.started = true
	s.last = ts[len(ts)-1]

	in := func(t snnsim.Time) bool {
		return t >= r.sfilter.From && (r.sfilter.To == 0 || t < r.sfilter.To)
	}
	want := decode && s.selected
	if ncols == w { // whole samples
		s.samples += int64(n)
		s.done = s.last
		if !want || s.last < r.sfilter.From || (r.sfilter.To != 0 && first >= r.sfilter.To) {
			return nil
		}
		r.smp = slices.Grow(r.smp[:0], int(n*w))[:n*w]
		unplane(r.smp, planes, int(w))
		r.smpID, r.smpW = int(id), int(w)
		// Keep the samples inside the window.
		k := 0
		for j, t := range ts {
			if in(t) {
				copy(r.smp[k*int(w):(k+1)*int(w)], r.smp[j*int(w):(j+1)*int(w)])
				r.smpT = append(r.smpT, t)
				k++
			}
		}
		return nil
	}
	// A part of a wide sample.
	if col0 == 0 {
		s.partial = make([]float64, 0, min(w, 1<<16)) // grows with the parts that arrive
		s.filled = 0
	}
	if want && in(first) {
		s.partial = slices.Grow(s.partial, int(ncols))[:s.filled+int(ncols)]
		unplane(s.partial[s.filled:], planes, int(ncols))
	}
	s.filled += int(ncols)
	if uint64(s.filled) < w {
		return nil
	}
	s.samples++
	s.done = first
	if want && in(first) && len(s.partial) == int(w) {
		r.smp = append(r.smp[:0], s.partial...)
		r.smpT = append(r.smpT, first)
		r.smpID, r.smpW = int(id), int(w)
	}
	s.partial, s.filled = nil, 0
	return nil
}
