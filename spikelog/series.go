package spikelog

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"unicode/utf8"

	"github.com/snnsim/snnsim"
)

// Series describes a sampled quantity: a float64 value per sampled neuron
// or synapse (or one value for a whole population), taken at increasing
// ticks. Membrane potentials, population rates, synaptic weights and
// consolidation variables are all series; a Series says which, in which
// unit, of which population or projection, and for which members.
//
// A Writer declares a series with [Writer.Declare] before its first
// sample; a Reader collects the declarations as it passes them
// ([Reader.Series]).
type Series struct {
	// ID numbers the series of a log in declaration order, from 0. Declare
	// assigns it; its argument's ID is ignored.
	ID int
	// Name identifies the series in the log, e.g. "v/E" or "weight/S1_to_E";
	// unique within a log, 1 to 1024 bytes of UTF-8.
	Name string
	// What is the quantity sampled, e.g. "v" (membrane potential), "rate"
	// (population rate), "weight", or a consolidation variable's name.
	What string
	// Unit is the unit of the values, e.g. "mV" or "Hz"; "" for a
	// dimensionless quantity.
	Unit string
	// Population names the population whose neurons are sampled (per-neuron
	// state, rates); Projection names the projection whose synapses are
	// sampled. Exactly one is set.
	Population string
	Projection string
	// Interval is the sampling interval [ticks]; 0 when the samples are not
	// regular. It is a description: the ticks of the samples are stored
	// with them.
	Interval snnsim.Time
	// Indices lists the members sampled, strictly increasing: neuron
	// indices within Population (0 is its first member, not a global ID) or
	// synapse indices within Projection. Each sample holds one value per
	// index, in this order. Nil: each sample holds a single value that
	// describes the whole population or projection (a population rate).
	Indices []int
}

// Width returns the number of values in one sample: len(Indices), or 1 for
// a series of the whole population or projection.
func (s Series) Width() int { return max(len(s.Indices), 1) }

// Sample is one sample of a series: the values at tick T.
type Sample struct {
	Series int         // the Series.ID
	T      snnsim.Time // tick
	Values []float64   // one per index of the series, as written (bit for bit)
}

// seriesJSON is the JSON part of a series declaration. Keys are part of the
// format: new keys may be added; readers ignore keys they do not know.
type seriesJSON struct {
	Name       string `json:"name"`
	What       string `json:"what"`
	Unit       string `json:"unit"`
	Population string `json:"population,omitempty"`
	Projection string `json:"projection,omitempty"`
	Interval   int64  `json:"interval"`
}

// validate checks a declaration against the header.
func (s Series) validate(h *Header) error {
	for _, f := range [...]struct{ name, v string }{{"Name", s.Name}, {"What", s.What}, {"Unit", s.Unit}, {"Population", s.Population}, {"Projection", s.Projection}} {
		if !utf8.ValidString(f.v) || len(f.v) > maxSeriesText {
			return fmt.Errorf("spikelog: Declare %q: Series.%s must be valid UTF-8 of at most %d bytes", s.Name, f.name, maxSeriesText)
		}
	}
	switch {
	case s.Name == "":
		return errors.New("spikelog: Declare: Series.Name is empty: every series needs a name")
	case s.What == "":
		return fmt.Errorf("spikelog: Declare %q: Series.What is empty: say what is sampled (\"v\", \"rate\", \"weight\", ...)", s.Name)
	case (s.Population == "") == (s.Projection == ""):
		return fmt.Errorf("spikelog: Declare %q: set exactly one of Series.Population and Series.Projection", s.Name)
	case s.Interval < 0:
		return fmt.Errorf("spikelog: Declare %q: Series.Interval = %d ticks: must be >= 0", s.Name, s.Interval)
	case len(s.Indices) > MaxSeriesWidth:
		return fmt.Errorf("spikelog: Declare %q: %d indices: at most %d", s.Name, len(s.Indices), MaxSeriesWidth)
	}
	prev := -1
	for i, x := range s.Indices {
		if x <= prev {
			return fmt.Errorf("spikelog: Declare %q: Indices[%d] = %d: indices must be >= 0 and strictly increasing", s.Name, i, x)
		}
		prev = x
	}
	if s.Population != "" && len(h.Populations) > 0 {
		p, ok := h.Population(s.Population)
		if !ok {
			return fmt.Errorf("spikelog: Declare %q: population %q is not in the header's population table", s.Name, s.Population)
		}
		if prev >= p.Size {
			return fmt.Errorf("spikelog: Declare %q: index %d is past the end of population %q (size %d)", s.Name, prev, p.Name, p.Size)
		}
	}
	return nil
}

// appendSeries appends the payload of a series declaration (FORMAT.md,
// "Series block").
func appendSeries(dst []byte, s Series) ([]byte, error) {
	js, err := json.Marshal(seriesJSON{s.Name, s.What, s.Unit, s.Population, s.Projection, int64(s.Interval)})
	if err != nil {
		return dst, fmt.Errorf("spikelog: encoding series %q: %w", s.Name, err)
	}
	dst = binary.AppendUvarint(dst, uint64(s.ID))
	dst = binary.AppendUvarint(dst, uint64(len(js)))
	dst = append(dst, js...)
	dst = binary.AppendUvarint(dst, uint64(len(s.Indices)))
	// Runs of consecutive indices: (start − end of the previous run, length − 1).
	var runs []byte
	nruns, end := 0, 0
	for i := 0; i < len(s.Indices); {
		j := i + 1
		for j < len(s.Indices) && s.Indices[j] == s.Indices[j-1]+1 {
			j++
		}
		runs = binary.AppendUvarint(runs, uint64(s.Indices[i]-end))
		runs = binary.AppendUvarint(runs, uint64(j-i-1))
		end = s.Indices[j-1] + 1
		nruns++
		i = j
	}
	dst = binary.AppendUvarint(dst, uint64(nruns))
	return append(dst, runs...), nil
}

// parseSeries decodes a series declaration payload and returns it and its
// width; without keep, the indices are checked but not kept (a Reader
// that needs the widths alone). It checks the layout, not the ID's place
// in the log.
func parseSeries(p []byte, keep bool) (Series, int, error) {
	s, width, err := parseSeriesIdx(p, keep)
	return s, max(width, 1), err
}

func parseSeriesIdx(p []byte, keep bool) (Series, int, error) {
	var s Series
	id, i, ok := uvarint(p, 0)
	if !ok || id > math.MaxInt32 {
		return s, 0, errors.New("series block: bad series ID")
	}
	l, i, ok := uvarint(p, i)
	if !ok || l > uint64(len(p)-i) {
		return s, 0, errors.New("series block: bad JSON length")
	}
	var sj seriesJSON
	if err := json.Unmarshal(p[i:i+int(l)], &sj); err != nil {
		return s, 0, fmt.Errorf("series block: %w", err)
	}
	i += int(l)
	s = Series{ID: int(id), Name: sj.Name, What: sj.What, Unit: sj.Unit, Population: sj.Population, Projection: sj.Projection, Interval: snnsim.Time(sj.Interval)}
	if s.Name == "" || (s.Population == "") == (s.Projection == "") || s.Interval < 0 {
		return s, 0, fmt.Errorf("series block: declaration of %q lacks a name, a population or projection, or has a negative interval", s.Name)
	}
	n, i, ok := uvarint(p, i)
	if !ok || n > MaxSeriesWidth {
		return s, 0, errors.New("series block: bad index count")
	}
	nruns, i, ok := uvarint(p, i)
	if !ok || nruns > n || nruns > uint64(len(p)-i)/2 {
		return s, 0, errors.New("series block: bad run count")
	}
	if n > 0 && keep {
		// The runs are summed first, so that the array is allocated once
		// and only for as many indices as the runs hold (a weights series
		// holds one per synapse).
		if k, ok := runsLen(p[i:], nruns, n); ok {
			s.Indices = make([]int, 0, k)
		}
	}
	end, got := uint64(0), uint64(0)
	for range nruns {
		var gap, l uint64
		if gap, i, ok = uvarint(p, i); !ok || gap > MaxSeriesWidth*64 {
			return s, 0, errors.New("series block: bad index run")
		}
		if l, i, ok = uvarint(p, i); !ok || l >= n-got {
			return s, 0, errors.New("series block: index runs hold more indices than declared")
		}
		start := end + gap
		if start+l > math.MaxInt32*64 {
			return s, 0, errors.New("series block: index out of range")
		}
		for x := start; keep && x <= start+l; x++ {
			s.Indices = append(s.Indices, int(x))
		}
		got += l + 1
		end = start + l + 1
	}
	if got != n || i != len(p) {
		return s, 0, fmt.Errorf("series block: %d indices declared, %d found, %d bytes left over", n, got, len(p)-i)
	}
	return s, int(n), nil
}

// runsLen returns the number of indices that nruns index runs at the
// front of p hold, if they decode and hold fewer than n + 1 (parseSeries
// checks them fully).
func runsLen(p []byte, nruns, n uint64) (uint64, bool) {
	var k uint64
	i := 0
	for range nruns {
		var l uint64
		var ok bool
		if _, i, ok = uvarint(p, i); !ok { // the gap
			return 0, false
		}
		if l, i, ok = uvarint(p, i); !ok || l >= n-k {
			return 0, false
		}
		k += l + 1
	}
	return k, true
}

// Sample block payload (FORMAT.md, "Samples block"): a head of five
// uvarints, the ticks, then eight byte planes of the XOR-coded values.
const samplesHeadMax = 5 * binary.MaxVarintLen64

// xorPlanes writes the values of a sample block as byte planes: plane b
// holds byte b (least significant first) of every coded value, and a value
// is coded as its IEEE 754 bits XOR the bits of the same column in the
// sample before it in the block (the first sample as is). Unchanged values
// become zero bytes, and each plane groups bytes of like statistics, which
// is what zstd compresses well.
func xorPlanes(dst []byte, vals []uint64) []byte {
	n := len(vals)
	dst = slices.Grow(dst, 8*n)[:len(dst)+8*n]
	planes := dst[len(dst)-8*n:]
	for k, v := range vals {
		for b := range 8 {
			planes[b*n+k] = byte(v >> (8 * b))
		}
	}
	return dst
}

// unplane decodes n coded values of ncols columns from planes into out.
func unplane(out []float64, planes []byte, ncols int) {
	n := len(out)
	for k := range n {
		var v uint64
		for b := range 8 {
			v |= uint64(planes[b*n+k]) << (8 * b)
		}
		if k >= ncols {
			v ^= math.Float64bits(out[k-ncols])
		}
		out[k] = math.Float64frombits(v)
	}
}
