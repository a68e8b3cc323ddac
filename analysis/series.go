package analysis

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/spikelog"
)

// Distribution summarizes the values of one sample of a series: for a
// weight series, the weight distribution at tick T. NaN values are left
// out; N counts the others. SD is the sample standard deviation; the
// quantiles interpolate as NumPy's default does.
type Distribution struct {
	T                     snnsim.Time
	N                     int
	Mean, SD              float64
	Min, Q05, Q25, Median float64
	Q75, Q95, Max         float64
}

// SeriesSummary summarizes a series over the samples read: the mean,
// standard deviation and range of all its values (over indices and time),
// and the distribution of the values of its first and its last sample.
type SeriesSummary struct {
	spikelog.Series
	Samples     int64
	Values      int64 // values summarized (NaN left out)
	Mean, SD    float64
	Min, Max    float64
	First, Last Distribution
}

// SummarizeSeries reads the samples that f selects and summarizes each
// series, in declaration order. Memory is two samples per series.
func SummarizeSeries(r *spikelog.Reader, f spikelog.SampleFilter) ([]SeriesSummary, error) {
	type acc struct {
		n        int64
		mean, m2 float64
		min, max float64
		samples  int64
		first    Distribution
		last     []float64
		lastT    snnsim.Time
	}
	var accs []*acc
	for s := range r.Samples(f) {
		for len(accs) <= s.Series {
			accs = append(accs, &acc{min: math.Inf(1), max: math.Inf(-1)})
		}
		a := accs[s.Series]
		if a.samples == 0 {
			a.first = distribution(s.T, s.Values)
		}
		a.samples++
		a.last = append(a.last[:0], s.Values...)
		a.lastT = s.T
		for _, v := range s.Values {
			if math.IsNaN(v) {
				continue
			}
			a.n++
			d := v - a.mean
			a.mean += d / float64(a.n)
			a.m2 += d * (v - a.mean)
			a.min, a.max = min(a.min, v), max(a.max, v)
		}
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	series := r.Series()
	out := make([]SeriesSummary, 0, len(series))
	for i, s := range series {
		if f.Series != nil && !slices.Contains(f.Series, s.Name) {
			continue
		}
		ss := SeriesSummary{Series: s, Mean: math.NaN(), SD: math.NaN(), Min: math.NaN(), Max: math.NaN()}
		if i < len(accs) && accs[i].samples > 0 {
			a := accs[i]
			ss.Samples, ss.Values, ss.First = a.samples, a.n, a.first
			ss.Last = distribution(a.lastT, a.last)
			if a.n > 0 {
				ss.Mean, ss.Min, ss.Max = a.mean, a.min, a.max
			}
			if a.n > 1 {
				ss.SD = math.Sqrt(a.m2 / float64(a.n-1))
			}
		}
		out = append(out, ss)
	}
	return out, nil
}

// distribution summarizes the values of one sample.
func distribution(t snnsim.Time, values []float64) Distribution {
	x := make([]float64, 0, len(values))
	for _, v := range values {
		if !math.IsNaN(v) {
			x = append(x, v)
		}
	}
	d := Distribution{T: t, N: len(x)}
	if len(x) == 0 {
		nan := math.NaN()
		d.Mean, d.SD, d.Min, d.Q05, d.Q25, d.Median, d.Q75, d.Q95, d.Max = nan, nan, nan, nan, nan, nan, nan, nan, nan
		return d
	}
	slices.Sort(x)
	d.Mean, d.SD = stat.MeanStdDev(x, nil)
	if len(x) == 1 {
		d.SD = 0
	}
	q := func(p float64) float64 { return quantile(x, p) }
	d.Min, d.Q05, d.Q25, d.Median, d.Q75, d.Q95, d.Max = x[0], q(0.05), q(0.25), q(0.5), q(0.75), q(0.95), x[len(x)-1]
	return d
}

// BinnedRates counts the spikes of every population in bins of bin ticks
// from from on, up to to (0: the end of the run), and returns the bins'
// start ticks and, per population in header order, the rate in each bin
// [Hz]. A last bin cut short by the end is divided by its actual length.
// Memory grows with the number of bins: choose bin for the span.
func BinnedRates(r *spikelog.Reader, from, to, bin snnsim.Time) ([]snnsim.Time, [][]float64, Span, error) {
	h := r.Header()
	counts := make([][]float64, len(h.Populations))
	var lastTick snnsim.Time = -1
	p := 0
	for s := range r.Spikes(spikelog.Filter{From: from, To: to}) {
		lastTick = s.T
		if s.ID < h.Populations[p].First || s.ID >= h.Populations[p].End() {
			if p = findPop(h.Populations, s.ID); p < 0 {
				p = 0
				continue
			}
		}
		k := int((s.T - from) / bin)
		for len(counts[p]) <= k {
			counts[p] = append(counts[p], 0)
		}
		counts[p][k]++
	}
	span := Span{From: from, To: to, End: "option"}
	if err := r.Err(); err != nil {
		return nil, nil, span, err
	}
	if to == 0 {
		span.To, span.End = runEnd(r, lastTick)
	}
	n := int((span.Ticks() + bin - 1) / bin)
	starts := make([]snnsim.Time, n)
	for k := range starts {
		starts[k] = from + snnsim.Time(k)*bin
	}
	clock := h.Clock()
	for i, pp := range h.Populations {
		c := counts[i]
		rates := make([]float64, n)
		for k := range rates {
			if k < len(c) && pp.Size > 0 {
				width := min(bin, span.To-starts[k])
				rates[k] = c[k] / float64(pp.Size) / clock.Seconds(width)
			}
		}
		counts[i] = rates
	}
	return starts, counts, span, nil
}

// quantile returns the p-quantile of sorted x by linear interpolation
// between order statistics: x[h] with h = (n−1)·p interpolated (Hyndman and
// Fan's definition 7, the default of NumPy and R, so that the numbers agree
// with what Python users compute from the export).
func quantile(x []float64, p float64) float64 {
	h := float64(len(x)-1) * p
	lo := int(math.Floor(h))
	if lo+1 >= len(x) {
		return x[len(x)-1]
	}
	return x[lo] + (h-float64(lo))*(x[lo+1]-x[lo])
}
