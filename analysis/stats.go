package analysis

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/spikelog"
)

// RunStartMark and RunEndMark are the texts of the marks that snnsim run
// writes at the first and after the last simulated tick. The end mark
// tells analyses how long the run was, which the spikes alone do not.
const (
	RunStartMark = spikelog.RunStartMark
	RunEndMark   = spikelog.RunEndMark
)

// Span is the window of ticks [From, To) that a statistic covers, and how
// its end was found.
type Span struct {
	From, To snnsim.Time
	// End says where To comes from: "option" (given by the caller), "run
	// end mark" (the run's end, from the log), or "last record" (the run
	// did not close the log: the tick after the last spike or sample).
	End string
}

// Ticks returns the length of the span in ticks.
func (s Span) Ticks() snnsim.Time { return s.To - s.From }

// SpikeStatsOptions selects the window and the bins of [SpikeStats]. Zero
// fields take the defaults.
type SpikeStatsOptions struct {
	From, To   snnsim.Time // window [From, To) [ticks]; To == 0: to the end of the run
	FanoWindow snnsim.Time // counting window of the Fano factor [ticks]; 0: 100 ms
	SyncBin    snnsim.Time // bin of the synchrony measure [ticks]; 0: 5 ms
	MinISIs    int         // neurons with fewer intervals are left out of the CV; 0: 4
}

// PopulationStats are the spike statistics of one population over a Span.
//
//   - Rate: spikes / (Size · T), T the span's length [s].
//   - CV: for each neuron with at least MinISIs interspike intervals in
//     the span, the sample standard deviation of its intervals over their
//     mean; CV is the mean over those neurons (CVNeurons of them). 1 for a
//     Poisson process, 1/√k for a gamma process of shape k, 0 for a
//     regular train.
//   - Fano: the span is cut into whole windows of FanoWindow (a partial
//     last window is left out); for each neuron that fired in them, the
//     sample variance of its spike counts over their mean; Fano is the
//     mean over those neurons. 1 for a Poisson process; for a renewal
//     process, CV² in long windows.
//   - Sync: the synchrony measure χ of Golomb (2007), Scholarpedia 2:1347,
//     on spike counts in whole bins of SyncBin: χ² = Var_k(m_k) / mean_i
//     Var_k(c_ik), with c_ik the count of neuron i in bin k and m_k the
//     population mean of bin k (population variances over bins). χ is 1
//     when all neurons fire together and about 1/√Size when they fire
//     independently.
//
// A statistic that cannot be computed (no neuron qualifies, fewer than two
// windows) is NaN.
type PopulationStats struct {
	Name      string
	Size      int
	Recorded  bool    // the log holds this population's spikes (spikelog.Population.NotRecorded is false); if not, the rest is zero
	Spikes    int64   // spikes in the span
	Active    int     // neurons that fired in the span
	Rate      float64 // mean rate [Hz]
	CV        float64 // mean ISI coefficient of variation
	CVNeurons int     // neurons in CV
	Fano      float64 // mean Fano factor of spike counts
	Sync      float64 // Golomb's χ
}

// popAcc accumulates the statistics of one population while spikes stream.
type popAcc struct {
	spikes int64
	last   []snnsim.Time // last spike tick per neuron; -1 before the first
	isiN   []int32
	isiM   []float64 // Welford mean and sum of squared deviations of the intervals
	isiM2  []float64
	fano   binAcc
	sync   binAcc
	popBin int64 // sync: current bin of the population count
	popC   float64
	popS   float64 // sum and sum of squares of the population mean count per bin
	popSS  float64
}

// binAcc accumulates per-neuron counts in bins sparsely: a neuron's count
// is added to its sums when it fires in a later bin, so that bins without
// spikes cost nothing.
type binAcc struct {
	width  snnsim.Time
	bin    []int64 // current bin per neuron; -1 before the first spike
	c      []float64
	s, ss  []float64
	nbins  int64 // whole bins in the span
	origin snnsim.Time
}

func newBinAcc(n int, width, origin snnsim.Time, span snnsim.Time) binAcc {
	b := binAcc{width: width, bin: make([]int64, n), c: make([]float64, n), s: make([]float64, n), ss: make([]float64, n), origin: origin}
	for i := range b.bin {
		b.bin[i] = -1
	}
	if span > 0 {
		b.nbins = int64(span / width)
	}
	return b
}

// add counts a spike of neuron i at tick t; it returns the bin.
func (b *binAcc) add(i int, t snnsim.Time) int64 {
	k := int64((t - b.origin) / b.width)
	if b.bin[i] != k {
		b.flush(i)
		b.bin[i] = k
	}
	b.c[i]++
	return k
}

func (b *binAcc) flush(i int) {
	if b.bin[i] >= 0 && (b.nbins <= 0 || b.bin[i] < b.nbins) {
		b.s[i] += b.c[i]
		b.ss[i] += b.c[i] * b.c[i]
	}
	b.c[i] = 0
}

// SpikeStats computes the statistics of every population of the log
// r reads (see [PopulationStats]) over the window of o, in one pass over
// the spikes (r's filter is set), and returns them in header order with
// the span they cover. Memory is a few numbers per neuron.
func SpikeStats(r *spikelog.Reader, o SpikeStatsOptions) ([]PopulationStats, Span, error) {
	h := r.Header()
	clock := h.Clock()
	if o.FanoWindow <= 0 {
		o.FanoWindow = max(1, snnsim.Time(math.Round(100/h.DT)))
	}
	if o.SyncBin <= 0 {
		o.SyncBin = max(1, snnsim.Time(math.Round(5/h.DT)))
	}
	if o.MinISIs <= 0 {
		o.MinISIs = 4
	}
	span := Span{From: o.From, To: o.To, End: "option"}
	accs := make([]*popAcc, len(h.Populations))
	for k, p := range h.Populations {
		a := &popAcc{last: make([]snnsim.Time, p.Size), isiN: make([]int32, p.Size), isiM: make([]float64, p.Size), isiM2: make([]float64, p.Size), popBin: -1}
		for i := range a.last {
			a.last[i] = -1
		}
		// The span is not known yet when To == 0: bins are counted at the end.
		a.fano = newBinAcc(p.Size, o.FanoWindow, o.From, o.To-o.From)
		a.sync = newBinAcc(p.Size, o.SyncBin, o.From, o.To-o.From)
		accs[k] = a
	}
	var lastTick snnsim.Time = -1
	p := 0
	for s := range r.Spikes(spikelog.Filter{From: o.From, To: o.To}) {
		lastTick = s.T
		if p >= len(accs) || s.ID < h.Populations[p].First || s.ID >= h.Populations[p].End() {
			p = findPop(h.Populations, s.ID)
			if p < 0 {
				p = 0
				continue
			}
		}
		a, i := accs[p], int(s.ID-h.Populations[p].First)
		a.spikes++
		if l := a.last[i]; l >= 0 {
			x := float64(s.T - l)
			a.isiN[i]++
			d := x - a.isiM[i]
			a.isiM[i] += d / float64(a.isiN[i])
			a.isiM2[i] += d * (x - a.isiM[i])
		}
		a.last[i] = s.T
		a.fano.add(i, s.T)
		if k := a.sync.add(i, s.T); k != a.popBin {
			a.flushPop()
			a.popBin = k
		}
		a.popC++
	}
	if err := r.Err(); err != nil {
		return nil, span, err
	}
	if o.To == 0 {
		span.To, span.End = runEnd(r, lastTick)
	}
	if span.To < span.From {
		span.To = span.From
	}
	T := clock.Seconds(span.Ticks())
	out := make([]PopulationStats, len(h.Populations))
	for k, pp := range h.Populations {
		a := accs[k]
		ps := PopulationStats{Name: pp.Name, Size: pp.Size, Recorded: !pp.NotRecorded, Spikes: a.spikes, Rate: math.NaN(), CV: math.NaN(), Fano: math.NaN(), Sync: math.NaN()}
		if pp.NotRecorded {
			out[k] = ps
			continue
		}
		if T > 0 && pp.Size > 0 {
			ps.Rate = float64(a.spikes) / float64(pp.Size) / T
		}
		var cvs []float64
		for i := range a.last {
			if a.last[i] >= 0 {
				ps.Active++
			}
			if int(a.isiN[i]) >= o.MinISIs && a.isiM[i] > 0 {
				cvs = append(cvs, math.Sqrt(a.isiM2[i]/float64(a.isiN[i]-1))/a.isiM[i])
			}
		}
		if len(cvs) > 0 {
			ps.CV, ps.CVNeurons = stat.Mean(cvs, nil), len(cvs)
		}
		ps.Fano = a.fanoFactor(span)
		ps.Sync = a.chi(span)
		out[k] = ps
	}
	return out, span, nil
}

// flushPop adds the population count of the current sync bin to its sums.
func (a *popAcc) flushPop() {
	if a.popBin >= 0 && (a.sync.nbins <= 0 || a.popBin < a.sync.nbins) {
		m := a.popC / float64(len(a.last))
		a.popS += m
		a.popSS += m * m
	}
	a.popC = 0
}

func (a *popAcc) fanoFactor(span Span) float64 {
	f := &a.fano
	f.nbins = int64(span.Ticks() / f.width)
	if f.nbins < 2 {
		return math.NaN()
	}
	K := float64(f.nbins)
	var fs []float64
	for i := range f.bin {
		f.flush(i)
		if f.s[i] == 0 {
			continue
		}
		mean := f.s[i] / K
		v := (f.ss[i] - f.s[i]*f.s[i]/K) / (K - 1)
		fs = append(fs, max(v, 0)/mean)
	}
	if len(fs) == 0 {
		return math.NaN()
	}
	return stat.Mean(fs, nil)
}

func (a *popAcc) chi(span Span) float64 {
	b := &a.sync
	b.nbins = int64(span.Ticks() / b.width)
	if b.nbins < 2 || len(b.bin) == 0 {
		return math.NaN()
	}
	K := float64(b.nbins)
	a.flushPop()
	var meanVar float64
	for i := range b.bin {
		b.flush(i)
		m := b.s[i] / K
		meanVar += max(b.ss[i]/K-m*m, 0)
	}
	meanVar /= float64(len(b.bin))
	m := a.popS / K
	popVar := max(a.popSS/K-m*m, 0)
	if meanVar == 0 {
		return math.NaN()
	}
	return math.Sqrt(popVar / meanVar)
}

// findPop returns the index of the population holding id, or -1.
func findPop(pops []spikelog.Population, id snnsim.NeuronID) int {
	i, _ := slices.BinarySearchFunc(pops, id, func(p spikelog.Population, id snnsim.NeuronID) int {
		switch {
		case id < p.First:
			return 1
		case id >= p.End():
			return -1
		}
		return 0
	})
	if i < len(pops) && id >= pops[i].First && id < pops[i].End() {
		return i
	}
	return -1
}

// runEnd returns the end of the run: the tick of the run end mark among
// the marks r has read, or the tick after last.
func runEnd(r *spikelog.Reader, last snnsim.Time) (snnsim.Time, string) {
	for _, m := range slices.Backward(r.Marks()) {
		if m.Text == RunEndMark {
			return m.T, "run end mark"
		}
	}
	return last + 1, "last record"
}
