package analysis

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/spikelog"
)

// LearnRecall is the readout of a memory experiment in the manner of
// Luboeinski & Tetzlaff (2021): an assembly of the excitatory population
// learns, consolidates, and is recalled from a cued part of it.
type LearnRecall struct {
	Population string      // the excitatory population ("" : the first)
	Assembly   []int       // members of the assembly
	Cue        []int       // members cued at recall (nil: the first half of Assembly)
	Learn      snnsim.Time // centre of the learning readout window [ticks]
	Recall     snnsim.Time // centre of the recall readout window [ticks]
	Width      snnsim.Time // width of both readout windows [ticks]
}

// LearnRecallMeasures are the recall measures of one run: the
// recall-window rates of the groups, Q, and MI with the entropies of the
// learning-window (HL) and recall-window (HR) rates [bits].
type LearnRecallMeasures struct {
	PatternCompletion
	MI, HL, HR float64
}

// Measures computes the recall measures of the log at path, and returns
// the excitatory population and its recall groups.
func (lr LearnRecall) Measures(path string) (LearnRecallMeasures, spikelog.Population, RecallGroups, error) {
	var m LearnRecallMeasures
	r, err := spikelog.Open(path)
	if err != nil {
		return m, spikelog.Population{}, RecallGroups{}, err
	}
	defer r.Close()
	h := r.Header()
	name := lr.Population
	if name == "" && len(h.Populations) > 0 {
		name = h.Populations[0].Name
	}
	pop, ok := h.Population(name)
	if !ok || pop.NotRecorded {
		return m, pop, RecallGroups{}, fmt.Errorf("no recorded spikes of population %q in the log", name)
	}
	cue := lr.Cue
	if cue == nil {
		cue = lr.Assembly[:len(lr.Assembly)/2]
	}
	g, err := NewRecallGroups(pop.Size, lr.Assembly, cue)
	if err != nil {
		return m, pop, g, err
	}
	wl, wr := CentredWindow(lr.Learn, lr.Width), CentredWindow(lr.Recall, lr.Width)
	if wl.From < 0 {
		return m, pop, g, fmt.Errorf("the learning window starts before 0")
	}
	counts, err := WindowCounts(r, pop.First, pop.Size, []Span{wl, wr})
	if err != nil {
		return m, pop, g, err
	}
	m.PatternCompletion = Completion(Rates(counts[1], h.Clock().Seconds(lr.Width)), g)
	// Equal counts are equal rates (one width), so the entropies of the
	// counts are those of the rates.
	m.MI, m.HL, m.HR, err = MutualInformation(counts[0], counts[1])
	return m, pop, g, err
}

// brokenScale maps time [s] onto an axis of three segments, each drawn
// linearly in its share of the axis: seconds around learning, the
// consolidation between (seconds or hours), seconds around recall.
type brokenScale struct {
	edges  [4]float64 // segment boundaries [s]
	shares [3]float64 // fractions of the axis, summing to 1
}

// Normalize implements plot.Normalizer; min and max are ignored (the
// axis spans the segments).
func (b brokenScale) Normalize(_, _, x float64) float64 {
	start := 0.0
	for k := range 3 {
		lo, hi := b.edges[k], b.edges[k+1]
		if x <= hi || k == 2 {
			return start + b.shares[k]*(x-lo)/(hi-lo)
		}
		start += b.shares[k]
	}
	return 1
}

// brokenTicks labels each segment in its own unit, leaving out ticks
// close to the breaks.
type brokenTicks struct{ b brokenScale }

// Ticks implements plot.Ticker.
func (bt brokenTicks) Ticks(_, _ float64) []plot.Tick {
	var out []plot.Tick
	for k := range 3 {
		lo, hi := bt.b.edges[k], bt.b.edges[k+1]
		unit, f := 1.0, "%s"
		if k == 1 && hi-lo > 2*3600 {
			unit, f = 3600, "%s h"
		}
		// At most 4 labelled ticks per segment (1, 2 or 5 times a power
		// of ten apart), 4 minor ticks between.
		a, z := lo/unit, hi/unit
		base := math.Pow(10, math.Floor(math.Log10(z-a))-1)
		step := 100 * base
		for _, m := range []float64{1, 2, 5, 10, 20, 50} {
			if (z-a)/(m*base) <= 4 {
				step = m * base
				break
			}
		}
		margin := 0.08 * (z - a)
		minor := step / 5
		for j := math.Ceil(a / minor); j*minor <= z; j++ {
			v := j * minor
			if v < a+margin || v > z-margin {
				continue
			}
			t := plot.Tick{Value: v * unit}
			if math.Abs(math.Remainder(v, step)) < minor/2 {
				t.Label = fmt.Sprintf(f, strconv.FormatFloat(math.Round(v/minor)*minor, 'g', 6, 64))
			}
			out = append(out, t)
		}
	}
	return out
}

// LearnRecallPlot draws the classic "learn – consolidate – recall" figure
// of one run (Luboeinski & Tetzlaff 2021, Fig. 2 and 3) from its split
// records (a scenario's [[record]] with split, the sets of the assembly
// and the rest, in that order) and its spikes:
//
//   - top: the mean early weight h (solid) and late weight z·h0 (dashed,
//     w − h of the records of w = h + h0·z) of the synapses core→core,
//     core→ctrl, ctrl→core and ctrl→ctrl, one colour each, and the total
//     weight w = h + h0·z of core→core (thick grey);
//   - middle: the mean protein amount p inside and outside the assembly,
//     with ± one s.d.;
//   - bottom: the rates of the cued (as), uncued (ans) assembly neurons and
//     the control neurons (ctrl) in bins, the learning and recall readout
//     windows shaded.
//
// The time axis is broken into three segments: seconds around the
// learning window, the consolidation between (in hours when it is longer
// than 2 h) and seconds around the recall window. The title gives Q and
// MI. Data holds the curves: "h core->core", "zh0 core->core", "w
// core->core", "p core", "rate as", ...
func LearnRecallPlot(path string, lr LearnRecall) (NamedPlot, error) {
	path, err := LogPath(path)
	if err != nil {
		return NamedPlot{}, err
	}
	m, pop, groups, err := lr.Measures(path)
	if err != nil {
		return NamedPlot{}, err
	}
	parts, err := ReadSplit(path)
	if err != nil {
		return NamedPlot{}, err
	}
	var syn, neu []SplitPart
	for _, p := range parts {
		switch {
		case p.Kind == "pathway" && (p.Var == "h" || p.Var == "w"):
			syn = append(syn, p)
		case p.Kind == "neuron_state" && p.Var == "protein" && p.Owner == pop.Name:
			neu = append(neu, p)
		}
	}
	if len(syn) == 0 {
		return NamedPlot{}, fmt.Errorf("learn-recall figure: %w: the log has no split pathway record of h and w (record what = \"pathway\" with variables [\"h\", \"w\"] and split = { core = ..., ctrl = \"rest\" })", errNothing)
	}
	r, err := spikelog.Open(path)
	if err != nil {
		return NamedPlot{}, err
	}
	h := r.Header()
	r.Close()
	clock := h.Clock()
	sec := func(t snnsim.Time) float64 { return clock.Ms(t) / 1000 }
	// The segments: 1.5 s before the learning window's centre to 1 s
	// after; the recall window's centre 0.6 s before to 0.9 s after.
	lc, rc := sec(lr.Learn), sec(lr.Recall)
	if rc-lc < 3 {
		return NamedPlot{}, fmt.Errorf("learn-recall figure: the recall window (%g s) must come at least 3 s after the learning window (%g s)", rc, lc)
	}
	b := brokenScale{edges: [4]float64{math.Max(0, lc-1.5), lc + 1, rc - 0.6, rc + 0.9}, shares: [3]float64{0.35, 0.3, 0.35}}
	inAxis := func(x float64) bool { return x >= b.edges[0] && x <= b.edges[3] }
	xlabel := "time [s]"
	if b.edges[2]-b.edges[1] > 2*3600 {
		xlabel = "time [s]; consolidation [h]"
	}
	data := map[string]plotter.XYs{}
	newPanel := func(y string) *plot.Plot {
		pl := newPlot("", xlabel, y)
		pl.X.Scale = b
		pl.X.Tick.Marker = brokenTicks{b}
		pl.X.Min, pl.X.Max = b.edges[0], b.edges[3]
		pl.Legend.TextStyle.Font.Size = vg.Points(8)
		return pl
	}
	breaks := func(pl *plot.Plot) error {
		for _, x := range []float64{b.edges[1], b.edges[2]} {
			if err := addLine(pl, plotter.XYs{{X: x, Y: pl.Y.Min}, {X: x, Y: pl.Y.Max}}, color.Gray{150}, 0.8, true, ""); err != nil {
				return err
			}
		}
		return nil
	}
	// Weights.
	top := newPanel("h, z·h0 [mV]")
	pairs := []string{}
	for _, p := range syn {
		if p.Var == "h" {
			pairs = append(pairs, p.Name())
		}
	}
	cols := colours(len(pairs))
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, name := range pairs {
		ph, pw := FindSplit(syn, "pathway", "", name, "h"), FindSplit(syn, "pathway", "", name, "w")
		var xh, xz, xw plotter.XYs
		for k, t := range ph.T {
			x := sec(t)
			if !inAxis(x) {
				continue
			}
			xh = append(xh, plotter.XY{X: x, Y: ph.Mean[k]})
			if pw != nil && k < len(pw.T) && pw.T[k] == t {
				xz = append(xz, plotter.XY{X: x, Y: pw.Mean[k] - ph.Mean[k]})
				xw = append(xw, plotter.XY{X: x, Y: pw.Mean[k]})
			}
		}
		for _, s := range [][]plotter.XY{xh, xz} {
			for _, p := range s {
				lo, hi = min(lo, p.Y), max(hi, p.Y)
			}
		}
		if i == 0 && len(xw) > 0 {
			for _, p := range xw {
				hi = max(hi, p.Y)
			}
			if err := addLine(top, xw, color.Gray{60}, 3, false, "w "+name); err != nil {
				return NamedPlot{}, err
			}
			data["w "+name] = xw
		}
		if err := addLine(top, xh, cols[i], 1.5, false, name); err != nil {
			return NamedPlot{}, err
		}
		data["h "+name] = xh
		if len(xz) > 0 {
			if err := addLine(top, xz, cols[i], 1.2, true, ""); err != nil {
				return NamedPlot{}, err
			}
			data["zh0 "+name] = xz
		}
	}
	if len(pairs) > 0 {
		if err := addLine(top, plotter.XYs{{X: b.edges[0], Y: math.NaN()}}, color.Gray{60}, 1.2, true, "z·h0 (dashed)"); err != nil {
			return NamedPlot{}, err
		}
	}
	if lo <= hi {
		top.Y.Min, top.Y.Max = math.Min(0, lo), hi+0.05*(hi-math.Min(0, lo))
	}
	// Protein.
	var panels []*plot.Plot
	if len(neu) > 0 {
		mid := newPanel("protein p")
		pc := colours(len(neu))
		phi := 0.0
		for i, p := range neu {
			var x, y, l, u []float64
			for k, t := range p.T {
				if s := sec(t); inAxis(s) {
					x, y = append(x, s), append(y, p.Mean[k])
					l, u = append(l, p.Mean[k]-p.SD[k]), append(u, p.Mean[k]+p.SD[k])
					phi = max(phi, p.Mean[k]+p.SD[k])
				}
			}
			if err := addBand(mid, x, l, u, pc[i]); err != nil {
				return NamedPlot{}, err
			}
			xy := make(plotter.XYs, len(x))
			for k := range x {
				xy[k] = plotter.XY{X: x[k], Y: y[k]}
			}
			if err := addLine(mid, xy, pc[i], 1.5, false, "p "+p.Name()); err != nil {
				return NamedPlot{}, err
			}
			data["p "+p.Name()] = xy
		}
		mid.Y.Min, mid.Y.Max = 0, math.Max(phi*1.05, 1e-6)
		panels = append(panels, mid)
	}
	// Rates of as, ans and ctrl in bins: 25 ms in the outer segments, a
	// fiftieth of the middle one (at least 0.5 s) between.
	rates := newPanel(fmt.Sprintf("rate of %s [Hz]", pop.Name))
	// Bin edges in ticks, so that a spike's bin does not depend on
	// rounding.
	var edgeT [4]snnsim.Time
	for k, x := range b.edges {
		if edgeT[k], err = clock.Ticks(math.Round(x*1e6) / 1e3); err != nil {
			return NamedPlot{}, err
		}
	}
	var bins []snnsim.Time
	for seg, width := range []float64{25, math.Max(500, (b.edges[2]-b.edges[1])*1000/50), 25} {
		w, err := clock.Ticks(width)
		if err != nil {
			w = max(1, snnsim.Time(math.Round(width/clock.DT)))
		}
		for t := edgeT[seg]; t < edgeT[seg+1]; t += w {
			bins = append(bins, t)
		}
	}
	bins = append(bins, edgeT[3])
	binEdges := make([]float64, len(bins))
	for k, t := range bins {
		binEdges[k] = sec(t)
	}
	role := make([]int8, pop.Size) // 0 ctrl, 1 ans, 2 as
	for _, i := range groups.Unstimulated {
		role[i] = 1
	}
	for _, i := range groups.Stimulated {
		role[i] = 2
	}
	size := [3]float64{float64(len(groups.Control)), float64(len(groups.Unstimulated)), float64(len(groups.Stimulated))}
	counts := [3][]float64{make([]float64, len(bins)-1), make([]float64, len(bins)-1), make([]float64, len(bins)-1)}
	rs, err := spikelog.Open(path)
	if err != nil {
		return NamedPlot{}, err
	}
	defer rs.Close()
	k := 0
	for s := range rs.Spikes(spikelog.Filter{From: bins[0], To: bins[len(bins)-1], Lo: pop.First, Hi: pop.End()}) {
		for k+1 < len(bins)-1 && s.T >= bins[k+1] {
			k++
		}
		counts[role[s.ID-pop.First]][k]++
	}
	if err := rs.Err(); err != nil && damage(err) == nil {
		return NamedPlot{}, err
	}
	rc3 := colours(3)
	rmax := 0.0
	for g, name := range []string{"ctrl", "ans", "as"} {
		if size[g] == 0 {
			continue
		}
		var xy plotter.XYs
		for k := range counts[g] {
			rate := counts[g][k] / size[g] / clock.Seconds(bins[k+1]-bins[k])
			xy = append(xy, plotter.XY{X: binEdges[k], Y: rate}, plotter.XY{X: binEdges[k+1], Y: rate})
			rmax = max(rmax, rate)
		}
		if err := addLine(rates, xy, rc3[2-g], 1.2, false, name); err != nil {
			return NamedPlot{}, err
		}
		data["rate "+name] = xy
	}
	rates.Y.Min, rates.Y.Max = 0, math.Max(rmax*1.05, 1)
	for _, w := range []struct {
		c    snnsim.Time
		name string
	}{{lr.Learn, "learning window"}, {lr.Recall, "recall window"}} {
		sp := CentredWindow(w.c, lr.Width)
		x0, x1 := sec(sp.From), sec(sp.To)
		if err := addBand(rates, []float64{x0, x1}, []float64{0, 0}, []float64{rates.Y.Max, rates.Y.Max}, color.Gray{100}); err != nil {
			return NamedPlot{}, err
		}
		data[w.name] = plotter.XYs{{X: x0, Y: 0}, {X: x1, Y: 0}}
	}
	panels = append(panels, rates)
	for _, pl := range append([]*plot.Plot{top}, panels...) {
		if err := breaks(pl); err != nil {
			return NamedPlot{}, err
		}
	}
	t := fmt.Sprintf("Learn – consolidate – recall: Q = %s, MI = %s bits", fmtG(m.Q), fmtG(m.MI))
	top.Title.Text = title(h, t)
	np := NamedPlot{Name: "learn_recall", Plot: top, Data: data}
	np.Lower = panels[0]
	np.More = panels[1:]
	data["Q, MI"] = plotter.XYs{{X: m.Q, Y: m.MI}}
	return np, nil
}

// fmtG formats a measure with four significant digits.
func fmtG(x float64) string {
	return strings.TrimSuffix(strconv.FormatFloat(x, 'g', 4, 64), ".")
}

// ScenarioReadout infers the readout of a memory experiment from the
// scenario text of a log's header, for the default figures: the assembly
// is the first set (by smallest member) of a split pathway record that is
// not "rest"; the learning window is centred 1 s after the first stimulus
// that has a start (the third 0.1-s pulse of the authors' TRIPLET
// protocol, Luboeinski & Tetzlaff 2021), the recall window 0.1 s after the
// start of the last one, both 0.5 s wide; the cue is the last stimulus's
// neurons when it lists some inside the assembly, else the first half of
// the assembly. ok is false when the scenario does not describe such an
// experiment.
func ScenarioReadout(h spikelog.Header) (lr LearnRecall, ok bool) {
	sc := scenarioTable(h)
	if sc == nil {
		return lr, false
	}
	clock := h.Clock()
	ticks := func(ms float64) (snnsim.Time, bool) {
		t, err := clock.Ticks(ms)
		return t, err == nil && isFinite(ms)
	}
	for _, rec := range tables(sc, "record") {
		split, _ := rec["split"].(map[string]any)
		if rec["what"] != "pathway" || split == nil {
			continue
		}
		proj := named(sc, "projection", fmt.Sprint(rec["projection"]))
		popName, _ := proj["from"].(string)
		pop, found := h.Population(popName)
		if !found {
			continue
		}
		for _, v := range split {
			var members []int
			switch x := v.(type) {
			case string:
				if x == "rest" {
					continue
				}
				m, err := snnsim.ParseIndexSet(x, pop.Size)
				if err != nil {
					continue
				}
				members = m
			case []any:
				for _, e := range x {
					if i, isInt := e.(int64); isInt && i >= 0 && int(i) < pop.Size {
						members = append(members, int(i))
					}
				}
			}
			if len(members) > 0 && (lr.Assembly == nil || slices.Min(members) < slices.Min(lr.Assembly)) {
				lr.Assembly = members
			}
		}
		lr.Population = popName
		break
	}
	if lr.Assembly == nil {
		return lr, false
	}
	slices.Sort(lr.Assembly)
	var starts []float64
	var last map[string]any
	for _, st := range tables(sc, "stimulus") {
		if v, has := st["start"]; has {
			if ms := quantityIn(v, snnsim.TimeDim); isFinite(ms) {
				starts = append(starts, ms)
				last = st
			}
		}
	}
	if len(starts) < 2 {
		return lr, false
	}
	var okL, okR, okW bool
	lr.Learn, okL = ticks(starts[0] + 1000)
	lr.Recall, okR = ticks(starts[len(starts)-1] + 100)
	lr.Width, okW = ticks(500)
	if !okL || !okR || !okW {
		return lr, false
	}
	if ns, isList := last["neurons"].([]any); isList {
		var cue []int
		for _, e := range ns {
			if i, isInt := e.(int64); isInt && slices.Contains(lr.Assembly, int(i)) {
				cue = append(cue, int(i))
			}
		}
		if len(cue) == len(ns) && len(cue) < len(lr.Assembly) {
			lr.Cue = cue
		}
	}
	return lr, true
}
