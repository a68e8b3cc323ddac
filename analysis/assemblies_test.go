package analysis

import (
	"bytes"
	"math"
	"slices"
	"testing"

	"gonum.org/v1/plot/vg"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/spikelog"
)

// plantedLog writes a log at 0.1 ms of a population E of 40 neurons and a
// pattern source "in" with planted responses. Phase 0 presents patterns
// 0, 1, 2 in turn (12 presentations of 1 s, onsets 1 s + 2k s); during the
// first 0.5 s after an onset the members of the pattern's assembly
// (0..9, 10..19, 15..24) fire every 50 ms (20 Hz) and every other neuron
// twice (4 Hz). A 0.3 s presentation of pattern 0 at 25 s, during which
// every neuron fires at 100 Hz, must be left out as too short. Phase 1
// presents 6 cues of 0.2 s (onsets 30 s + 5k s); the cue of class c (cues
// 0, 1: 0; 2, 3: 1; 4: 2; 5: novel) makes assembly c fire at 50 Hz during
// the cue and at 10 Hz in the second after it.
func plantedLog(t *testing.T) *bytes.Buffer {
	t.Helper()
	h := spikelog.Header{Program: "test", DT: 0.1, Seed: 1, Scenario: "planted", Populations: []spikelog.Population{
		{Name: "E", First: 0, Size: 40, Kind: spikelog.Neuron},
		{Name: "in", First: 40, Size: 8, Kind: spikelog.Source},
	}}
	var buf bytes.Buffer
	w, err := spikelog.NewWriter(&buf, h, spikelog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	spikes := map[snnsim.Time][]snnsim.NeuronID{}
	fire := func(tick snnsim.Time, ids ...int) {
		for _, i := range ids {
			if !slices.Contains(spikes[tick], snnsim.NeuronID(i)) {
				spikes[tick] = append(spikes[tick], snnsim.NeuronID(i))
			}
		}
	}
	members := [][]int{span(0, 10), span(10, 20), span(15, 25)}
	mark := func(tick snnsim.Time, kind string, k int) {
		if err := w.Mark(tick, spikelog.PatternMark(kind, "in", k)); err != nil {
			t.Fatal(err)
		}
	}
	mark(0, spikelog.PatternPhase, 0)
	for k := range 12 {
		on := snnsim.Time(10000 + 20000*k)
		p := k % 3
		mark(on, spikelog.PatternOn, p)
		mark(on+10000, spikelog.PatternOff, p)
		for i := range 40 {
			if slices.Contains(members[p], i) {
				for j := range 10 {
					fire(on+snnsim.Time(500*j), i)
				}
			} else {
				fire(on+250, i)
				fire(on+2750, i)
			}
		}
	}
	mark(250000, spikelog.PatternOn, 0)
	mark(253000, spikelog.PatternOff, 0)
	for j := range 30 {
		fire(250000+snnsim.Time(100*j), span(0, 40)...)
	}
	mark(300000, spikelog.PatternPhase, 1)
	class := []int{0, 0, 1, 1, 2, -1}
	for k, c := range class {
		on := snnsim.Time(300000 + 50000*k)
		mark(on, spikelog.PatternOn, k)
		mark(on+2000, spikelog.PatternOff, k)
		if c < 0 {
			continue
		}
		for j := range 10 {
			fire(on+snnsim.Time(200*j), members[c]...)
			fire(on+2000+snnsim.Time(50+1000*j), members[c]...)
		}
	}
	ticks := make([]snnsim.Time, 0, len(spikes))
	for tick := range spikes {
		ticks = append(ticks, tick)
	}
	slices.Sort(ticks)
	for _, tick := range ticks {
		ids := spikes[tick]
		slices.Sort(ids)
		if err := w.Spikes(tick, ids); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf
}

func span(lo, hi int) []int {
	var out []int
	for i := lo; i < hi; i++ {
		out = append(out, i)
	}
	return out
}

// plantedReader opens the planted log and returns a reader at its start,
// the presentations and the population E.
func plantedReader(t *testing.T, log *bytes.Buffer) (*spikelog.Reader, []Presentation, spikelog.Population) {
	t.Helper()
	r, err := spikelog.NewReader(bytes.NewReader(log.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	st, err := r.Stats()
	if err != nil {
		t.Fatal(err)
	}
	r, _ = spikelog.NewReader(bytes.NewReader(log.Bytes()))
	e, _ := r.Header().Population("E")
	return r, Presentations(st.Marks, "in"), e
}

// TestDeriveAssembliesPlanted recovers the planted assemblies and their
// rates exactly: 20 Hz for members, 4 Hz for the others, the short
// presentation and the cues left out.
func TestDeriveAssembliesPlanted(t *testing.T) {
	log := plantedLog(t)
	r, pres, e := plantedReader(t, log)
	if len(pres) != 12+1+6 || pres[13].Phase != 1 || pres[0].On != 10000 || pres[0].Off != 20000 {
		t.Fatalf("presentations %+v", pres)
	}
	a, err := DeriveAssemblies(r, e, pres, 3, AssemblyOptions{Phase: 0, Window: 5000, MinOn: 5000, Threshold: 10})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]int{span(0, 10), span(10, 20), span(15, 25)}
	for k := range 3 {
		if !slices.Equal(a.Members[k], want[k]) || a.Presentations[k] != 4 {
			t.Errorf("assembly %d = %v from %d presentations, want %v from 4", k, a.Members[k], a.Presentations[k], want[k])
		}
		for i, rate := range a.Rates[k] {
			w := 4.0
			if slices.Contains(want[k], i) {
				w = 20
			}
			if math.Abs(rate-w) > 1e-12 {
				t.Fatalf("pattern %d, neuron %d: %g Hz, want %g", k, i, rate, w)
			}
		}
	}
	// Onsets from 12 s on only: 13 and 19 s (pattern 0), 15 and 21 s
	// (1), 17 and 23 s (2).
	r, _, _ = plantedReader(t, log)
	a, err = DeriveAssemblies(r, e, pres, 3, AssemblyOptions{Phase: 0, From: 120000, Window: 5000, MinOn: 5000, Threshold: 10})
	if err != nil || !slices.Equal(a.Presentations, []int{2, 2, 2}) {
		t.Errorf("from 12 s: %v presentations (%v), want [2 2 2]", a.Presentations, err)
	}
}

// TestCueRecallPlanted measures the planted recall: the cued class's
// assembly has the highest rate during and after each cue, with the
// planted rates; the overlap of assemblies 1 and 2 shows as half the rate;
// the novel cue recalls nothing.
func TestCueRecallPlanted(t *testing.T) {
	log := plantedLog(t)
	r, pres, e := plantedReader(t, log)
	var cues []Presentation
	for _, p := range pres {
		if p.Phase == 1 {
			cues = append(cues, p)
		}
	}
	members := [][]int{span(0, 10), span(10, 20), span(15, 25)}
	resp, err := CueRecall(r, e, members, cues, 10000)
	if err != nil {
		t.Fatal(err)
	}
	class := []int{0, 0, 1, 1, 2, -1}
	for k, c := range resp {
		want := class[c.Pattern]
		if c.BestEvoked != want || c.BestDelay != want || c.EvokedTicks != 2000 || c.DelayTicks != 10000 {
			t.Errorf("cue %d: best %d/%d over %d/%d ticks, want %d over 2000/10000", k, c.BestEvoked, c.BestDelay, c.EvokedTicks, c.DelayTicks, want)
		}
	}
	wantDelay := map[int][]float64{0: {10, 0, 0}, 1: {0, 10, 5}, 2: {0, 5, 10}, -1: {0, 0, 0}}
	wantEvoked := map[int][]float64{0: {50, 0, 0}, 1: {0, 50, 25}, 2: {0, 25, 50}, -1: {0, 0, 0}}
	sum, err := SummarizeRecall(resp, class, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum) != 4 || sum[0].Class != -1 {
		t.Fatalf("summary %+v: want classes -1, 0, 1, 2", sum)
	}
	for _, s := range sum {
		n := map[int]int{-1: 1, 0: 2, 1: 2, 2: 1}[s.Class]
		hits := n
		if s.Class < 0 {
			hits = 0
		}
		if s.N != n || s.HitsDelay != hits || s.HitsEvoked != hits ||
			!slices.EqualFunc(s.Delay, wantDelay[s.Class], near) || !slices.EqualFunc(s.Evoked, wantEvoked[s.Class], near) {
			t.Errorf("class %d: %+v, want n %d, hits %d, evoked %v, delay %v", s.Class, s, n, hits, wantEvoked[s.Class], wantDelay[s.Class])
		}
	}
	// Selectivity, own minus best other: 10 - 0 and 50 - 0 for class 0;
	// 10 - 5 and 50 - 25 for classes 1 and 2, whose assemblies overlap.
	wantSel := map[int][2]float64{0: {50, 10}, 1: {25, 5}, 2: {25, 5}}
	for _, s := range sum {
		w, ok := wantSel[s.Class]
		if !ok {
			if !math.IsNaN(s.SelEvoked) || !math.IsNaN(s.SelDelay) {
				t.Errorf("novel cues: selectivity %g, %g, want NaN", s.SelEvoked, s.SelDelay)
			}
			continue
		}
		if !near(s.SelEvoked, w[0]) || !near(s.SelDelay, w[1]) {
			t.Errorf("class %d: selectivity evoked %g, delay %g, want %g, %g", s.Class, s.SelEvoked, s.SelDelay, w[0], w[1])
		}
	}
	if _, err := SummarizeRecall(resp, class[:3], 3); err == nil {
		t.Error("cue 5 without a class accepted")
	}
}

// TestSelectivityMixed averages the lead of the cued assembly over
// presentations where it wins and where it loses: during the cues 5 - 2
// and 2 - 6 give -0.5, after them 4 - 1 and 1 - 3 give 0.5; a single
// assembly leads by its own rate.
func TestSelectivityMixed(t *testing.T) {
	resp := []CueResponse{
		{Presentation: Presentation{Pattern: 0}, Evoked: []float64{5, 2, 1}, Delay: []float64{4, 1, 0}},
		{Presentation: Presentation{Pattern: 0}, Evoked: []float64{2, 6, 0}, Delay: []float64{1, 0, 3}},
	}
	sum, err := SummarizeRecall(resp, []int{0}, 3)
	if err != nil || len(sum) != 1 {
		t.Fatalf("summary %+v, %v", sum, err)
	}
	if !near(sum[0].SelEvoked, -0.5) || !near(sum[0].SelDelay, 0.5) {
		t.Errorf("selectivity %g, %g, want -0.5 ((3 - 4)/2), 0.5 ((3 - 2)/2)", sum[0].SelEvoked, sum[0].SelDelay)
	}
	one := []CueResponse{{Presentation: Presentation{Pattern: 0}, Evoked: []float64{7}, Delay: []float64{2}}}
	if s, _ := SummarizeRecall(one, []int{0}, 1); !near(s[0].SelEvoked, 7) || !near(s[0].SelDelay, 2) {
		t.Errorf("one assembly: selectivity %g, %g, want 7, 2", s[0].SelEvoked, s[0].SelDelay)
	}
}

// TestContrast checks the within/between summary of block means on
// matrices whose answers are read off by hand.
func TestContrast(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name string
		bm   [][]float64
		want WeightContrast
		err  bool
	}{
		{"two assemblies", [][]float64{{1, 0.1, 0.3}, {0.05, 0.6, 0.3}, {0.3, 0.3, 0.2}},
			WeightContrast{WithinMin: 0.6, WithinMean: 0.8, BetweenMax: 0.1, BetweenMean: 0.075, Rest: 0.2}, false},
		{"empty block left out", [][]float64{{0.9, nan, 0.1}, {0.2, 0.7, 0.1}, {0.1, 0.1, nan}},
			WeightContrast{WithinMin: 0.7, WithinMean: 0.8, BetweenMax: 0.2, BetweenMean: 0.2, Rest: nan}, false},
		{"one assembly", [][]float64{{0.5, 0.1}, {0.1, 0.1}},
			WeightContrast{WithinMin: 0.5, WithinMean: 0.5, BetweenMax: nan, BetweenMean: nan, Rest: 0.1}, false},
		{"rest only", [][]float64{{0.1}}, WeightContrast{}, true},
		{"ragged", [][]float64{{1, 0.1}, {0.1}}, WeightContrast{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Contrast(tc.bm)
			if (err != nil) != tc.err {
				t.Fatalf("error %v, want error: %v", err, tc.err)
			}
			if tc.err {
				return
			}
			same := func(a, b float64) bool { return near(a, b) || (math.IsNaN(a) && math.IsNaN(b)) }
			if !same(got.WithinMin, tc.want.WithinMin) || !same(got.WithinMean, tc.want.WithinMean) || !same(got.BetweenMax, tc.want.BetweenMax) ||
				!same(got.BetweenMean, tc.want.BetweenMean) || !same(got.Rest, tc.want.Rest) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// TestBlockMeans plants weights 1 within assemblies, 0.1 between them and
// 0.3 onto and from the rest, and reads them back; AssemblyOrder puts each
// assembly's neurons together.
func TestBlockMeans(t *testing.T) {
	members := [][]int{{0, 1, 2}, {3, 4}}
	group := func(i int) int {
		switch {
		case i < 3:
			return 0
		case i < 5:
			return 1
		}
		return 2
	}
	var pre, post, w []float64
	for i := range 8 {
		for j := range 8 {
			if i == j {
				continue
			}
			v := 0.3
			switch gi, gj := group(i), group(j); {
			case gi == gj && gi < 2:
				v = 1
			case gi < 2 && gj < 2:
				v = 0.1
			}
			pre, post, w = append(pre, float64(100+i)), append(post, float64(100+j)), append(w, v)
		}
	}
	bm, err := BlockMeans(pre, post, w, 100, 8, members)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]float64{{1, 0.1, 0.3}, {0.1, 1, 0.3}, {0.3, 0.3, 0.3}}
	for a := range want {
		if !slices.EqualFunc(bm[a], want[a], near) {
			t.Errorf("row %d = %v, want %v", a, bm[a], want[a])
		}
	}
	order, starts := AssemblyOrder(8, [][]int{{4, 3}, {0, 4}})
	if !slices.Equal(order, []int{3, 4, 0, 1, 2, 5, 6, 7}) || !slices.Equal(starts, []int{0, 2, 3, 8}) {
		t.Errorf("order %v starts %v", order, starts)
	}
}

// TestAssemblyFiguresPlanted bins the planted log (the rates in the bin
// [1 s, 1.5 s) are the planted ones: assembly 0 at 20 Hz, E at
// (10·10 + 30·2) spikes / (40 neurons · 0.5 s) = 8 Hz) and draws the three
// figures, whose data are the numbers given.
func TestAssemblyFiguresPlanted(t *testing.T) {
	log := plantedLog(t)
	r, pres, e := plantedReader(t, log)
	members := [][]int{span(0, 10), span(10, 20), span(15, 25)}
	times, pops, asm, err := AssemblyRates(r, e, members, 5000, 600000)
	if err != nil {
		t.Fatal(err)
	}
	if len(times) != 120 || times[2] != 1.25 || !near(asm[0][2], 20) || !near(asm[1][2], 4) || !near(pops["E"][2], 8) {
		t.Fatalf("bin 2 at %g s: assemblies %g, %g Hz, E %g Hz; want 1.25 s, 20, 4, 8", times[2], asm[0][2], asm[1][2], pops["E"][2])
	}
	if _, ok := pops["in"]; ok {
		t.Error("the source's rate is drawn")
	}
	var pre, post, w []float64
	for i := range 40 {
		for j := range 40 {
			v := 0.05
			if i/10 == j/10 && i < 20 {
				v = 0.8
			}
			pre, post, w = append(pre, float64(i)), append(post, float64(j)), append(w, v)
		}
	}
	r, _, _ = plantedReader(t, log)
	var cues []Presentation
	for _, p := range pres {
		if p.Phase == 1 {
			cues = append(cues, p)
		}
	}
	resp, err := CueRecall(r, e, members, cues, 10000)
	if err != nil {
		t.Fatal(err)
	}
	sum, _ := SummarizeRecall(resp, []int{0, 0, 1, 1, 2, -1}, 3)
	figs, err := AssemblyFigures(AssemblyFigureInput{Title: "planted", Names: []string{"circle", "square", "cross"}, Size: 40, Members: members,
		Pre: pre, Post: post, W: w, Times: times, PopRates: pops, AsmRates: asm, Recall: sum})
	if err != nil {
		t.Fatal(err)
	}
	if len(figs) != 3 {
		t.Fatalf("%d figures, want 3", len(figs))
	}
	within := figs[0].Data["block_within"]
	if !near(within[0].Y, 0.8) || !near(within[1].Y, 0.8) || near(within[2].Y, 0.8) {
		t.Errorf("within-assembly means %v, want 0.8, 0.8 and a mix for the overlapping third", within)
	}
	if d := figs[2].Data["delay square"]; len(d) != 4 || !near(d[2].Y, 10) || !near(d[3].Y, 5) {
		t.Errorf("recall data %v: want the square assembly at 10 Hz after square cues, 5 Hz after cross cues", d)
	}
	for _, f := range figs {
		for _, format := range []string{"png", "svg"} {
			var b bytes.Buffer
			if err := f.Render(&b, format, 16*vg.Centimeter, 10*vg.Centimeter, 72); err != nil || b.Len() == 0 {
				t.Errorf("%s as %s: %v", f.Name, format, err)
			}
		}
	}
}

// TestPresentations pairs onsets with offsets per source, keeps the phase,
// leaves an unfinished presentation open (Off = Never) and ignores other
// marks and other sources.
func TestPresentations(t *testing.T) {
	m := func(tick snnsim.Time, kind, pop string, k int) spikelog.Mark {
		return spikelog.Mark{T: tick, Text: spikelog.PatternMark(kind, pop, k)}
	}
	marks := []spikelog.Mark{
		{T: 0, Text: spikelog.RunStartMark},
		m(0, spikelog.PatternPhase, "a", 0), m(0, spikelog.PatternPhase, "b", 0),
		m(10, spikelog.PatternOn, "a", 2), m(12, spikelog.PatternOn, "b", 0), m(20, spikelog.PatternOff, "a", 2),
		m(30, spikelog.PatternPhase, "a", 1), m(35, spikelog.PatternOn, "a", 0), m(35, spikelog.PatternOff, "a", 0),
		m(40, spikelog.PatternOn, "a", 1),
		{T: 50, Text: spikelog.RunEndMark},
	}
	got := Presentations(marks, "a")
	want := []Presentation{{"a", 0, 2, 10, 20}, {"a", 1, 0, 35, 35}, {"a", 1, 1, 40, snnsim.Never}}
	if !slices.Equal(got, want) {
		t.Errorf("a: %+v, want %+v", got, want)
	}
	if all := Presentations(marks, ""); len(all) != 4 || all[1] != (Presentation{"b", 0, 0, 12, snnsim.Never}) {
		t.Errorf("all sources: %+v", all)
	}
}

// TestWeightsAt writes weights of a projection at ticks 0, 100 and 200 and
// reads the sample at or before a tick back, with the IDs sampled once.
func TestWeightsAt(t *testing.T) {
	path, w, done := newLog(t, 2)
	ws, ps, qs := declareWeights(t, w, "E_to_E", []int{0, 1})
	for _, e := range []error{w.Sample(ps, 0, []float64{0, 1}), w.Sample(qs, 0, []float64{1, 0}),
		w.Sample(ws, 0, []float64{0.1, 0.2}), w.Sample(ws, 100, []float64{0.3, 0.4}), w.Sample(ws, 200, []float64{0.5, 0.6})} {
		if e != nil {
			t.Fatal(e)
		}
	}
	done()
	for _, tc := range []struct {
		at, tick snnsim.Time
		w        []float64
	}{{-1, 200, []float64{0.5, 0.6}}, {250, 200, []float64{0.5, 0.6}}, {199, 100, []float64{0.3, 0.4}}, {100, 100, []float64{0.3, 0.4}}, {0, 0, []float64{0.1, 0.2}}} {
		pre, post, got, tick, err := WeightsAt(path, "E_to_E", tc.at)
		if err != nil || tick != tc.tick || !slices.Equal(got, tc.w) || !slices.Equal(pre, []float64{0, 1}) || !slices.Equal(post, []float64{1, 0}) {
			t.Errorf("at %d: tick %d, w %v, pre %v, post %v, %v; want tick %d, w %v", tc.at, tick, got, pre, post, err, tc.tick, tc.w)
		}
	}
	if _, _, _, _, err := WeightsAt(path, "I_to_E", -1); err == nil {
		t.Error("weights of a projection the log does not record")
	}
}
