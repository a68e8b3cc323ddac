package analysis

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/spikelog"
)

// train is the spike ticks of one neuron.
type train []snnsim.Time

// logOf writes a log of the given trains (population "A" holds the first
// nA, "B" the rest) with optional marks, and returns it.
func logOf(tb testing.TB, dt float64, nA int, trains []train, marks ...spikelog.Mark) []byte {
	tb.Helper()
	h := spikelog.Header{Program: "test", DT: dt, Scenario: "test", Populations: []spikelog.Population{
		{Name: "A", First: 0, Size: nA, Kind: spikelog.Neuron},
		{Name: "B", First: snnsim.NeuronID(nA), Size: len(trains) - nA, Kind: spikelog.Neuron},
	}}
	var buf bytes.Buffer
	w, err := spikelog.NewWriter(&buf, h, spikelog.Options{FlushInterval: -1})
	if err != nil {
		tb.Fatal(err)
	}
	// Merge the trains into ticks.
	type ev struct {
		t  snnsim.Time
		id snnsim.NeuronID
	}
	var all []ev
	for i, tr := range trains {
		for _, t := range tr {
			all = append(all, ev{t, snnsim.NeuronID(i)})
		}
	}
	slices.SortFunc(all, func(a, b ev) int {
		if a.t != b.t {
			return int(a.t - b.t)
		}
		return int(a.id - b.id)
	})
	var ids []snnsim.NeuronID
	for k, e := range all {
		ids = append(ids, e.id)
		if k+1 == len(all) || all[k+1].t != e.t {
			if err := w.Spikes(e.t, ids); err != nil {
				tb.Fatal(err)
			}
			ids = ids[:0]
		}
	}
	for _, m := range marks {
		w.Mark(m.T, m.Text)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// renewal draws a renewal train on the tick grid over [0, end): intervals
// from draw (in ticks, rounded, at least 1), the first from a random phase.
func renewal(rng *rand.Rand, end snnsim.Time, draw func() float64) train {
	var tr train
	t := snnsim.Time(rng.Float64() * draw())
	for t < end {
		tr = append(tr, t)
		t += max(1, snnsim.Time(math.Round(draw())))
	}
	return tr
}

func gamma(rng *rand.Rand, k int, mean float64) float64 {
	s := 0.0
	for range k {
		s += rng.ExpFloat64()
	}
	return s * mean / float64(k)
}

func reader(tb testing.TB, data []byte) *spikelog.Reader {
	tb.Helper()
	r, err := spikelog.NewReader(bytes.NewReader(data))
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// TestSpikeStatsKnownProcesses checks every statistic against the values
// that theory gives for processes drawn here (not against this code):
//
//   - Bernoulli trials per tick with p = rate·dt (a Poisson process on the
//     grid): geometric intervals, CV = √(1−p); counts in a window are
//     binomial, Fano = 1−p; independent neurons give χ ≈ 1/√N (Golomb
//     2007).
//   - A gamma renewal process of shape k: CV = 1/√k; the Fano factor tends
//     to CV² = 1/k for windows much longer than the mean interval (Cox,
//     Renewal Theory, 1962).
//   - A regular train with period dividing the window: CV = 0, Fano = 0.
//   - Neurons all firing at the same ticks: χ = 1 exactly.
func TestSpikeStatsKnownProcesses(t *testing.T) {
	const dt = 0.1
	end := snnsim.Time(2_000_000) // 200 s
	for _, tc := range []struct {
		name      string
		n         int
		trains    func(rng *rand.Rand) []train
		rate      float64 // expected rate of A [Hz]
		cv, fano  float64
		sync      float64
		tolRate   float64
		tolCV     float64
		tolFano   float64
		tolSync   float64
		fanoWinMs float64
	}{
		{"bernoulli-20Hz", 100, func(rng *rand.Rand) []train {
			p := 20 * dt / 1000
			out := make([]train, 100)
			for i := range out {
				out[i] = renewal(rng, end, func() float64 { return math.Floor(math.Log(1-rng.Float64())/math.Log1p(-p)) + 1 })
			}
			return out
		}, 20, math.Sqrt(1 - 0.002), 1 - 0.002, 0.1, 0.2, 0.02, 0.04, 0.02, 100},
		{"gamma4-10Hz", 100, func(rng *rand.Rand) []train {
			out := make([]train, 100)
			for i := range out {
				out[i] = renewal(rng, end, func() float64 { return gamma(rng, 4, 1000) })
			}
			return out
		}, 10, 0.5, 0.25, math.NaN(), 0.2, 0.02, 0.05, 0, 10000},
		{"regular-20Hz", 50, func(rng *rand.Rand) []train {
			out := make([]train, 50)
			for i := range out {
				for t := snnsim.Time(rng.IntN(500)); t < end; t += 500 {
					out[i] = append(out[i], t)
				}
			}
			return out
		}, 20, 0, 0, math.NaN(), 1e-9, 1e-12, 1e-12, 0, 100},
		{"synchronous", 40, func(rng *rand.Rand) []train {
			tr := renewal(rng, end, func() float64 { return rng.ExpFloat64() * 1000 })
			out := make([]train, 40)
			for i := range out {
				out[i] = tr
			}
			return out
		}, math.NaN(), math.NaN(), math.NaN(), 1, 0, 0, 0, 1e-12, 100},
	} {
		t.Run("process="+tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(11, 7))
			trains := tc.trains(rng)
			data := logOf(t, dt, tc.n, append(trains, train{}), spikelog.Mark{T: end, Text: RunEndMark})
			st, span, err := SpikeStats(reader(t, data), SpikeStatsOptions{FanoWindow: snnsim.Time(tc.fanoWinMs / dt)})
			if err != nil {
				t.Fatal(err)
			}
			if span.From != 0 || span.To != end || span.End != "run end mark" {
				t.Errorf("span %+v", span)
			}
			a := st[0]
			var n int64
			for _, tr := range trains {
				n += int64(len(tr))
			}
			if a.Spikes != n || a.Size != tc.n || st[1].Size != 1 || st[1].Spikes != 0 {
				t.Errorf("counts: %+v", st)
			}
			if want := float64(n) / float64(tc.n) / 200; math.Abs(a.Rate-want) > 1e-12*want {
				t.Errorf("rate %v, want spikes/(N·T) = %v", a.Rate, want)
			}
			check := func(what string, got, want, tol float64) {
				t.Helper()
				if !math.IsNaN(want) && tol >= 0 && !(math.Abs(got-want) <= tol) {
					t.Errorf("%s = %.4f, want %.4f ± %g", what, got, want, tol)
				}
			}
			check("rate", a.Rate, tc.rate, tc.tolRate)
			check("CV", a.CV, tc.cv, tc.tolCV)
			check("Fano", a.Fano, tc.fano, tc.tolFano)
			if tc.tolSync > 0 || tc.name == "synchronous" {
				check("χ", a.Sync, tc.sync, tc.tolSync)
			}
			if !math.IsNaN(st[1].CV) || !math.IsNaN(st[1].Fano) || !math.IsNaN(st[1].Sync) {
				t.Errorf("a silent population gives %+v, want NaNs", st[1])
			}
			t.Logf("rate %.3f Hz, CV %.4f (%d neurons), Fano %.4f, χ %.4f", a.Rate, a.CV, a.CVNeurons, a.Fano, a.Sync)
		})
	}
}

// TestSpikeStatsSpan checks the window options and how the end of the run
// is found, on hand-made trains.
func TestSpikeStatsSpan(t *testing.T) {
	trains := []train{{10, 20, 30, 40, 50, 60}, {15, 25}, {35}}
	for _, tc := range []struct {
		name  string
		marks []spikelog.Mark
		o     SpikeStatsOptions
		span  Span
		spk   int64
	}{
		{"end-mark", []spikelog.Mark{{T: 0, Text: RunStartMark}, {T: 1000, Text: RunEndMark}}, SpikeStatsOptions{}, Span{0, 1000, "run end mark"}, 8},
		{"no-mark", nil, SpikeStatsOptions{}, Span{0, 61, "last record"}, 8},
		{"window", nil, SpikeStatsOptions{From: 20, To: 40}, Span{20, 40, "option"}, 3},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			data := logOf(t, 0.1, 2, trains, tc.marks...)
			st, span, err := SpikeStats(reader(t, data), tc.o)
			if err != nil {
				t.Fatal(err)
			}
			if span != tc.span || st[0].Spikes != tc.spk {
				t.Errorf("span %+v with %d spikes, want %+v with %d", span, st[0].Spikes, tc.span, tc.spk)
			}
			want := float64(tc.spk) / 2 / (float64(tc.span.To-tc.span.From) * 1e-4)
			if math.Abs(st[0].Rate-want) > 1e-9 {
				t.Errorf("rate %v, want %v", st[0].Rate, want)
			}
		})
	}
}

func TestBinnedRates(t *testing.T) {
	// A: 2 neurons; B: 1. Ticks of 1 ms; bins of 10 ms; the run ends at 25 ms.
	data := logOf(t, 1, 2, []train{{0, 5, 12}, {9}, {24}}, spikelog.Mark{T: 25, Text: RunEndMark})
	starts, rates, span, err := BinnedRates(reader(t, data), 0, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	// A: 3 spikes in [0,10) over 2 neurons and 10 ms = 150 Hz; 1 in [10,20) = 50 Hz;
	// B: 1 spike in [20,25): 5 ms = 200 Hz.
	if !slices.Equal(starts, []snnsim.Time{0, 10, 20}) || !slices.Equal(rates[0], []float64{150, 50, 0}) || !slices.Equal(rates[1], []float64{0, 0, 200}) || span.To != 25 {
		t.Errorf("starts %v rates %v span %+v", starts, rates, span)
	}
}

func TestSummarizeSeries(t *testing.T) {
	h := spikelog.Header{DT: 0.1, Populations: []spikelog.Population{{Name: "A", Size: 200, Kind: spikelog.Neuron}}}
	var buf bytes.Buffer
	w, _ := spikelog.NewWriter(&buf, h, spikelog.Options{})
	idx := make([]int, 101)
	for i := range idx {
		idx[i] = i
	}
	wid, _ := w.Declare(spikelog.Series{Name: "weight/P", What: "weight", Projection: "P", Indices: idx})
	rid, _ := w.Declare(spikelog.Series{Name: "rate/A", What: "rate", Unit: "Hz", Population: "A"})
	w.Declare(spikelog.Series{Name: "empty", What: "v", Population: "A", Indices: []int{1}})
	v := make([]float64, 101)
	for k := range 3 {
		for i := range v {
			v[i] = float64(i+1) + float64(k) // 1..101, then 2..102, 3..103
		}
		v[100] = math.NaN() // left out
		w.Sample(wid, snnsim.Time(k*10), v)
		w.Sample(rid, snnsim.Time(k*10), []float64{float64(k)})
	}
	w.Close()
	sum, err := SummarizeSeries(reader(t, buf.Bytes()), spikelog.SampleFilter{})
	if err != nil {
		t.Fatal(err)
	}
	ws := sum[0]
	// Values 1..100 at k = 0: mean 50.5, median 50.5, min 1, max 100; the
	// quartile and 95th percentile as numpy.percentile(range(1, 101), [25, 95])
	// gives them: 25.75 and 95.05.
	if ws.Samples != 3 || ws.Values != 300 || ws.First.N != 100 || ws.First.Mean != 50.5 || ws.First.Median != 50.5 ||
		ws.First.Min != 1 || ws.First.Max != 100 || ws.First.Q25 != 25.75 || ws.First.Q95 != 95.05 || ws.Last.T != 20 || ws.Last.Mean != 52.5 ||
		ws.Min != 1 || ws.Max != 102 || math.Abs(ws.Mean-51.5) > 1e-12 {
		t.Errorf("weight summary %+v", ws)
	}
	// SD of 1..100 = sqrt(100·101/12) = 29.011; over all three samples slightly more.
	if math.Abs(ws.First.SD-math.Sqrt(100*101/12.0)) > 1e-9 {
		t.Errorf("first SD %v", ws.First.SD)
	}
	if r := sum[1]; r.Mean != 1 || r.SD != 1 || r.Samples != 3 {
		t.Errorf("rate summary %+v", r)
	}
	if e := sum[2]; e.Samples != 0 || !math.IsNaN(e.Mean) {
		t.Errorf("empty series %+v", e)
	}
	only, _ := SummarizeSeries(reader(t, buf.Bytes()), spikelog.SampleFilter{Series: []string{"rate/A"}})
	if len(only) != 1 || only[0].Name != "rate/A" {
		t.Errorf("filtered: %+v", only)
	}
}
