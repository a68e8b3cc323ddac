package analysis

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/spikelog"
)

// DefaultFigures returns every default figure of a run: path is a log, or
// a run directory holding a log (LogName) or the memory-curve table of a
// [memory_curves] scenario (MemoryCurvesName). The figures are chosen from
// what the log holds, so that each answers its scenario's question:
//
//   - "raster": the recorded spikes, a band and a name per population
//     (RasterPlot);
//   - "rate": the rates of the recorded populations (RatePlot);
//   - "capture_<pop>": the pathways onto one population overlaid, mean ±
//     s.d., with its per-neuron state (protein, tags) on a second panel
//     sharing the time axis (CapturePlots);
//   - "v_<pop>", "weights_<proj>", ...: trajectories of the other sampled
//     series, a threshold line on v (StatePlots);
//   - "hist_<series>": distributions at the first and last sample on
//     shared bin edges (HistogramPlots);
//   - the figures of the shipped experiments, recognised by scenario name
//     (ExperimentPlots): the f–I curve, the STDP window, Sjöström's
//     frequency dependence, the Song–Abbott weights over time, the Zenke
//     reference weight, the memory curves, learn – consolidate – recall.
func DefaultFigures(path string, o PlotOptions) ([]NamedPlot, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		mc := filepath.Join(path, MemoryCurvesName)
		if _, err := os.Stat(filepath.Join(path, LogName)); errors.Is(err, os.ErrNotExist) {
			if _, err := os.Stat(mc); err == nil {
				p, err := MemoryCurvesPlot(mc)
				if err != nil {
					return nil, err
				}
				return []NamedPlot{p}, nil
			}
		}
	}
	path, err := LogPath(path)
	if err != nil {
		return nil, err
	}
	var out []NamedPlot
	ex, err := ExperimentPlots(path, o)
	if err != nil {
		return nil, err
	}
	out = append(out, ex...)
	r, err := RasterPlot(path, o)
	if err != nil && !errors.Is(err, errNothing) {
		return nil, err
	}
	if err == nil {
		out = append(out, r)
	}
	rate, err := RatePlot(path, o)
	if err != nil && !errors.Is(err, errNothing) {
		return nil, err
	}
	if err == nil {
		out = append(out, rate)
	}
	for _, f := range []func(string, PlotOptions) ([]NamedPlot, error){CapturePlots, StatePlots, HistogramPlots} {
		ps, err := f(path, o)
		if err != nil {
			return nil, err
		}
		out = append(out, ps...)
	}
	return out, nil
}

// errNothing says that a log holds nothing for a figure.
var errNothing = errors.New("nothing to draw")

// spanTicks returns the window [from, to) of o in a log whose run ends at
// end.
func spanTicks(o PlotOptions, end snnsim.Time) (snnsim.Time, snnsim.Time) {
	to := o.To
	if to == 0 || to > end {
		to = end
	}
	return o.From, to
}

// RasterPlot draws the recorded spikes in the window: time on x, one row
// per neuron, the populations in bands of alternating shade named on the y
// axis (populations whose spikes were not recorded are left out). Past the
// spike budget (MaxSpikes) it shows the leading part of the window that
// holds about the budget, a round length, and the title says how much of
// the run it shows. The spikes are drawn as pixels of an image, so that the
// cost of drawing, and the size of an SVG, do not grow with their number.
// It returns an error wrapping errNothing when no population's spikes were
// recorded.
func RasterPlot(path string, o PlotOptions) (NamedPlot, error) {
	if o.MaxSpikes <= 0 {
		o.MaxSpikes = 50_000
	}
	r, err := spikelog.Open(path)
	if err != nil {
		return NamedPlot{}, err
	}
	defer r.Close()
	h := r.Header()
	clock := h.Clock()
	// Pass 1: the spikes per population in the window, and the run's end.
	counts := make([]int64, len(h.Populations))
	var total int64
	last := snnsim.Time(-1)
	p := 0
	for s := range r.Spikes(spikelog.Filter{From: o.From, To: o.To}) {
		last = s.T
		if s.ID < h.Populations[p].First || s.ID >= h.Populations[p].End() {
			if p = findPop(h.Populations, s.ID); p < 0 {
				p = 0
				continue
			}
		}
		counts[p]++
		total++
	}
	if err := r.Err(); err != nil && damage(err) == nil {
		return NamedPlot{}, err
	}
	end, _ := runEnd(r, last)
	from, to := spanTicks(o, end)
	var rows []int // populations drawn
	for i, pp := range h.Populations {
		if !pp.NotRecorded && pp.Size > 0 {
			rows = append(rows, i)
		}
	}
	if len(rows) == 0 {
		return NamedPlot{}, fmt.Errorf("raster: %w", errNothing)
	}
	fullTo := to
	cut := ""
	if total > int64(o.MaxSpikes) && to > from {
		// Window: a round length holding about the budget at the mean rate.
		want := clock.Ms(to-from) * float64(o.MaxSpikes) / float64(total)
		length := roundDown(want)
		if t, err := clock.Ticks(length); err == nil && t >= 1 && from+t < to {
			to = from + t
		}
		cut = fmt.Sprintf("%s of %s", fmtSpan(clock.Ms(to-from)), fmtSpan(clock.Ms(fullTo-from)))
	}
	// Pass 2: the spikes of the window.
	rs, err := spikelog.Open(path)
	if err != nil {
		return NamedPlot{}, err
	}
	defer rs.Close()
	var spikes []rasterSpike
	rowOf := make([]int, len(h.Populations)) // first row of each population
	n := 0
	for i := range h.Populations {
		rowOf[i] = n
		if slices.Contains(rows, i) {
			n += h.Populations[i].Size
		}
	}
	scale, xl := timeAxis(clock.Ms(to - from))
	p = 0
	for s := range rs.Spikes(spikelog.Filter{From: from, To: to}) {
		if s.ID < h.Populations[p].First || s.ID >= h.Populations[p].End() {
			if p = findPop(h.Populations, s.ID); p < 0 {
				p = 0
				continue
			}
		}
		if h.Populations[p].NotRecorded {
			continue
		}
		spikes = append(spikes, rasterSpike{x: clock.Ms(s.T) * scale, row: int32(rowOf[p] + int(s.ID-h.Populations[p].First)), pop: int16(p)})
	}
	if err := rs.Err(); err != nil && damage(err) == nil {
		return NamedPlot{}, err
	}
	t := fmt.Sprintf("Spike raster: %d spikes", len(spikes))
	if cut != "" {
		t = fmt.Sprintf("Spike raster, first %s (%d of %d spikes; budget %d)", cut, len(spikes), total, o.MaxSpikes)
	}
	pl := newPlot(title(h, t), xl, "")
	pl.X.Min, pl.X.Max = clock.Ms(from)*scale, clock.Ms(to)*scale
	pl.Y.Min, pl.Y.Max = 0, float64(n)
	cols := colours(len(rows))
	colOf := map[int16]color.Color{}
	var ticks []plot.Tick
	for k, i := range rows {
		colOf[int16(i)] = cols[k]
		pp := h.Populations[i]
		lo, hi := float64(rowOf[i]), float64(rowOf[i]+pp.Size)
		ticks = append(ticks, plot.Tick{Value: (lo + hi) / 2, Label: pp.Name}, plot.Tick{Value: lo}, plot.Tick{Value: hi})
		if k%2 == 1 {
			band, err := plotter.NewPolygon(plotter.XYs{{X: pl.X.Min, Y: lo}, {X: pl.X.Max, Y: lo}, {X: pl.X.Max, Y: hi}, {X: pl.X.Min, Y: hi}})
			if err != nil {
				return NamedPlot{}, err
			}
			band.Color = color.Gray{235}
			band.LineStyle.Width = 0
			pl.Add(band)
		}
	}
	pl.Y.Tick.Marker = plot.ConstantTicks(ticks)
	pl.Y.Label.Text = "population"
	pl.Add(&rasterImage{spikes: spikes, colour: colOf, rows: n})
	data := map[string]plotter.XYs{}
	return NamedPlot{Name: "raster", Plot: pl, Data: data}, nil
}

type rasterSpike struct {
	x   float64
	row int32
	pop int16
}

// rasterImage draws spikes as pixels of an image the size of the data
// area, at the resolution of a PNG canvas (150 dpi in vector formats): one
// dot per spike, rows of neurons from the bottom.
type rasterImage struct {
	spikes []rasterSpike
	colour map[int16]color.Color
	rows   int
}

// Plot implements plot.Plotter.
func (ri *rasterImage) Plot(c draw.Canvas, plt *plot.Plot) {
	dpi := 150.0
	if pc, ok := c.Canvas.(vgimg.PngCanvas); ok {
		dpi = pc.DPI()
	}
	w := int(math.Ceil(float64(c.Max.X-c.Min.X) / float64(vg.Inch) * dpi))
	h := int(math.Ceil(float64(c.Max.Y-c.Min.Y) / float64(vg.Inch) * dpi))
	if w < 1 || h < 1 {
		return
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	dot := 1
	if ri.rows > 0 && h/ri.rows >= 3 {
		dot = min(h/ri.rows-1, 3) // few neurons: rows of visible dots
	}
	xmin, xmax := plt.X.Min, plt.X.Max
	for _, s := range ri.spikes {
		px := int((s.x - xmin) / (xmax - xmin) * float64(w))
		py := h - 1 - int((float64(s.row)+0.5)/float64(ri.rows)*float64(h))
		col := ri.colour[s.pop]
		for dx := 0; dx < dot; dx++ {
			for dy := 0; dy < dot; dy++ {
				x, y := px+dx-dot/2, py+dy-dot/2
				if x >= 0 && x < w && y >= 0 && y < h {
					img.Set(x, y, col)
				}
			}
		}
	}
	c.DrawImage(c.Rectangle, img)
}

// roundDown returns the largest 1, 2 or 5 times a power of ten at most x.
func roundDown(x float64) float64 {
	e := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{5, 2, 1} {
		if m*e <= x {
			return m * e
		}
	}
	return e
}

// fmtSpan formats a length in ms in the unit that suits it.
func fmtSpan(ms float64) string {
	switch {
	case ms < 1000:
		return fmt.Sprintf("%g ms", ms)
	case ms < 2*3600e3:
		return fmt.Sprintf("%g s", ms/1000)
	}
	return fmt.Sprintf("%.3g h", ms/3600e3)
}

// RatePlot draws the rates of the recorded populations over time, one line
// per population: the log's rate series when it has any, else rates
// computed from the spikes in bins of o.Bin. Populations whose spikes were
// not recorded are left out (not drawn as silent). It returns an error
// wrapping errNothing when there is nothing to draw.
func RatePlot(path string, o PlotOptions) (NamedPlot, error) {
	d, err := loadLog(path, o.From, o.To, func(s spikelog.Series) int {
		if s.What == spikelog.WhatRate {
			return 1
		}
		return 0
	})
	if err != nil {
		return NamedPlot{}, err
	}
	h, clock := d.h, d.h.Clock()
	from, to := spanTicks(o, d.end)
	var names []string
	var lines []plotter.XYs
	var t string
	if len(d.order) > 0 {
		for _, n := range d.order {
			s := d.series[n]
			xy := make(plotter.XYs, len(s.T))
			for k := range s.T {
				xy[k] = plotter.XY{X: clock.Ms(s.T[k]), Y: s.V[k][0]}
			}
			names = append(names, s.Population)
			lines = append(lines, xy)
			t = fmt.Sprintf("Population rates (%g ms bins)", clock.Ms(s.Interval))
		}
	} else {
		bin := o.Bin
		if bin <= 0 {
			bin = niceBin(clock, to-from)
		}
		rb, err := spikelog.Open(path)
		if err != nil {
			return NamedPlot{}, err
		}
		defer rb.Close()
		starts, rates, _, err := BinnedRates(rb, from, to, bin)
		if err != nil && damage(err) == nil {
			return NamedPlot{}, err
		}
		for i, p := range h.Populations {
			if p.NotRecorded {
				continue
			}
			xy := make(plotter.XYs, len(starts))
			for k, st := range starts {
				xy[k] = plotter.XY{X: clock.Ms(st), Y: rates[i][k]}
			}
			lines = append(lines, xy)
			names = append(names, p.Name)
		}
		t = fmt.Sprintf("Population rates (%g ms bins)", clock.Ms(bin))
	}
	if len(lines) == 0 {
		return NamedPlot{}, fmt.Errorf("rate: %w", errNothing)
	}
	scale, xl := timeAxis(clock.Ms(to - from))
	pl := newPlot(title(h, t), xl, "rate [Hz]")
	cols := colours(len(lines))
	data := map[string]plotter.XYs{}
	for i, xy := range lines {
		for k := range xy {
			xy[k].X *= scale
		}
		if err := addLine(pl, xy, cols[i], 1, false, names[i]); err != nil {
			return NamedPlot{}, err
		}
		data[names[i]] = xy
	}
	pl.Y.Min = 0
	return NamedPlot{Name: "rate", Plot: pl, Data: data}, nil
}

// pathwayParts splits a pathway series name "pathway/<proj>/<var>/<stat>".
func pathwayParts(name string) (proj, v, stat string, ok bool) {
	rest, ok := strings.CutPrefix(name, spikelog.PathwayPrefix)
	f := strings.Split(rest, "/")
	if !ok || len(f) != 3 {
		return "", "", "", false
	}
	return f[0], f[1], f[2], true
}

// CapturePlots draws, for each population that pathway records converge
// on, the classic tagging-and-capture figure: the change of each
// pathway's mean efficacy (or weight) from its first sample, in %, with a
// band of ± one s.d. over its synapses, all pathways onto the population
// on one axes; and, when the population's neuron state is recorded
// (protein, tag counts), a second panel with each variable divided by its
// maximum over the run, sharing the time axis. Data holds the curves by
// projection name ("S1_to_N") and state variable.
func CapturePlots(path string, o PlotOptions) ([]NamedPlot, error) {
	d, err := loadLog(path, o.From, o.To, func(s spikelog.Series) int {
		if strings.HasPrefix(s.Name, spikelog.PathwayPrefix) || strings.HasPrefix(s.Name, spikelog.NeuronStatePrefix) {
			return 1
		}
		return 0
	})
	if err != nil {
		return nil, err
	}
	clock := d.h.Clock()
	sc := scenarioTable(d.h)
	// The variable drawn per projection: efficacy, else weight, else the first.
	type pathway struct {
		proj, v  string
		mean, sd *seriesData
	}
	byTarget := map[string][]*pathway{}
	var targets []string
	vars := map[string][]string{}
	for _, n := range d.order {
		if proj, v, stat, ok := pathwayParts(n); ok && stat == spikelog.StatMean {
			vars[proj] = append(vars[proj], v)
			_ = d.series[n]
		}
	}
	for _, n := range d.order {
		proj, v, stat, ok := pathwayParts(n)
		if !ok || stat != spikelog.StatMean {
			continue
		}
		want := vars[proj][0]
		for _, c := range []string{"efficacy", spikelog.VarWeight} {
			if slices.Contains(vars[proj], c) {
				want = c
				break
			}
		}
		if v != want {
			continue
		}
		s := d.series[n]
		tgt, _ := named(sc, "projection", proj)["to"].(string)
		if _, ok := byTarget[tgt]; !ok {
			targets = append(targets, tgt)
		}
		byTarget[tgt] = append(byTarget[tgt], &pathway{proj: proj, v: v, mean: s, sd: d.series[spikelog.PathwayPrefix+proj+"/"+v+"/"+spikelog.StatSD]})
	}
	var out []NamedPlot
	for _, tgt := range targets {
		ps := byTarget[tgt]
		first, last := snnsim.Never, snnsim.Time(0)
		for _, p := range ps {
			first, last = min(first, p.mean.T[0]), max(last, p.mean.T[len(p.mean.T)-1])
		}
		scale, xl := timeAxis(clock.Ms(max(last, d.end) - first))
		v := ps[0].v
		pl := newPlot(title(d.h, fmt.Sprintf("Pathways onto %s, mean ± s.d.", tgtName(tgt))), xl, fmt.Sprintf("Δ %s [%% of t = 0]", v))
		cols := colours(len(ps))
		data := map[string]plotter.XYs{}
		for i, p := range ps {
			base := p.mean.V[0][0]
			x := make([]float64, len(p.mean.T))
			y := make([]float64, len(x))
			xy := make(plotter.XYs, len(x))
			for k := range x {
				x[k] = clock.Ms(p.mean.T[k]) * scale
				y[k] = 100 * (p.mean.V[k][0]/base - 1)
				xy[k] = plotter.XY{X: x[k], Y: y[k]}
			}
			if p.sd != nil && len(p.sd.T) == len(x) {
				lo, hi := make([]float64, len(x)), make([]float64, len(x))
				for k := range x {
					sd := 100 * p.sd.V[k][0] / base
					lo[k], hi[k] = y[k]-sd, y[k]+sd
				}
				if err := addBand(pl, x, lo, hi, cols[i]); err != nil {
					return nil, err
				}
			}
			if err := addLine(pl, xy, cols[i], 1.5, false, p.proj); err != nil {
				return nil, err
			}
			data[p.proj] = xy
		}
		np := NamedPlot{Name: "capture_" + fileName(tgt), Plot: pl, Data: data}
		// The lower panel: the target's per-neuron state.
		var state []*seriesData
		for _, n := range d.order {
			if s := d.series[n]; strings.HasPrefix(n, spikelog.NeuronStatePrefix) && !hasSplit(n) && s.Population == tgt {
				state = append(state, s)
			}
		}
		if len(state) > 0 {
			lower := newPlot("", xl, "fraction of maximum")
			sc := colours(len(ps) + len(state))[len(ps):]
			for i, s := range state {
				mx := 0.0
				for _, v := range s.V {
					mx = max(mx, math.Abs(v[0]))
				}
				xy := make(plotter.XYs, len(s.T))
				for k := range s.T {
					y := s.V[k][0]
					if mx > 0 {
						y /= mx
					}
					xy[k] = plotter.XY{X: clock.Ms(s.T[k]) * scale, Y: y}
				}
				name := fmt.Sprintf("%s (max %.3g)", s.What, mx)
				if len(s.Indices) > 0 && s.Width() > 1 {
					name = fmt.Sprintf("%s[%d] (max %.3g)", s.What, s.Indices[0], mx)
				}
				if err := addLine(lower, xy, sc[i], 1.2, i > 0, name); err != nil {
					return nil, err
				}
				data[s.What] = xy
			}
			lower.X.Min, lower.X.Max = pl.X.Min, pl.X.Max
			lower.Y.Min, lower.Y.Max = 0, 1.05
			lower.Y.Tick.Marker = plot.ConstantTicks([]plot.Tick{{Value: 0, Label: "0"}, {Value: 0.5, Label: "0.5"}, {Value: 1, Label: "1"}})
			np.Lower = lower
		}
		out = append(out, np)
	}
	return out, nil
}

func tgtName(p string) string {
	if p == "" {
		return "the target"
	}
	return p
}

// fileName makes s safe as part of a file name.
func fileName(s string) string {
	return SeriesFileName(spikelog.Series{Name: s})
}

// StatePlots draws the trajectories of the sampled series that no other
// default figure shows (membrane potentials, weights, per-synapse
// variables): at most MaxTraces indices per series (default 3 for v, 8
// for the others), each its own colour. Without an end of the window
// (To), a v figure shows the first 250 ms of the samples (the title says
// so), with a dashed line at the population's threshold when the scenario
// gives one.
func StatePlots(path string, o PlotOptions) ([]NamedPlot, error) {
	traces := func(what string) int {
		switch {
		case o.MaxTraces > 0:
			return o.MaxTraces
		case what == spikelog.WhatV:
			return 3 // overlaid membrane potentials cross at every spike
		}
		return 8
	}
	d, err := loadLog(path, o.From, o.To, func(s spikelog.Series) int {
		if s.What == spikelog.WhatRate || s.Unit == spikelog.UnitID || strings.HasPrefix(s.Name, spikelog.PathwayPrefix) || strings.HasPrefix(s.Name, spikelog.NeuronStatePrefix) {
			return 0
		}
		return traces(s.What)
	})
	if err != nil {
		return nil, err
	}
	clock := d.h.Clock()
	sc := scenarioTable(d.h)
	var out []NamedPlot
	for _, n := range d.order {
		s := d.series[n]
		if len(s.T) < 3 { // a start and an end value are not a trajectory
			continue
		}
		k0, k1 := 0, len(s.T)
		window := ""
		const vSpan = 250.0 // ms: spikes and subthreshold waves both visible
		if s.What == spikelog.WhatV && o.To == 0 && clock.Ms(s.T[len(s.T)-1]-s.T[0]) > vSpan {
			lim := s.T[0] + snnsim.Time(math.Round(vSpan/clock.DT))
			k1, _ = slices.BinarySearch(s.T, lim)
			window = fmt.Sprintf(", first %s of %s", fmtSpan(vSpan), fmtSpan(clock.Ms(d.end-s.T[0])))
		}
		ts := s.T[k0:k1]
		scale, xl := timeAxis(clock.Ms(ts[len(ts)-1] - ts[0]))
		owner := s.Population + s.Projection
		width := len(s.V[0])
		t := fmt.Sprintf("%s of %s%s", s.What, owner, window)
		if w := s.Width(); w > width {
			t += fmt.Sprintf(" (%d of %d traces)", width, w)
		}
		yl := s.What
		if s.Unit != "" {
			yl += " [" + s.Unit + "]"
		}
		pl := newPlot(title(d.h, t), xl, yl)
		cols := colours(width)
		data := map[string]plotter.XYs{}
		for j := range width {
			xy := make(plotter.XYs, len(ts))
			for k := range ts {
				xy[k] = plotter.XY{X: clock.Ms(ts[k]) * scale, Y: s.V[k0+k][j]}
			}
			label := owner
			if s.Indices != nil {
				label = fmt.Sprintf("%s[%d]", owner, s.Indices[j])
			}
			if err := addLine(pl, xy, cols[j], 1, false, label); err != nil {
				return nil, err
			}
			data[label] = xy
		}
		if s.What == spikelog.WhatV {
			if th := param(named(sc, "population", s.Population), "v_threshold", snnsim.Voltage); isFinite(th) {
				xy := plotter.XYs{{X: clock.Ms(ts[0]) * scale, Y: th}, {X: clock.Ms(ts[len(ts)-1]) * scale, Y: th}}
				if err := addLine(pl, xy, color.Gray{100}, 1, true, fmt.Sprintf("threshold %g mV", th)); err != nil {
					return nil, err
				}
				data["threshold"] = xy
			}
		}
		out = append(out, NamedPlot{Name: SeriesFileName(s.Series), Plot: pl, Data: data})
	}
	return out, nil
}

// HistogramPlots draws, for each series of a projection sampled over at
// least ten synapses (weights, per-synapse variables), the distribution of
// its values at its first and at its last sample in the window, overlaid
// on the same bin edges (30 bins over the range of both). Data holds the
// bin centres and counts ("first", "last").
func HistogramPlots(path string, o PlotOptions) ([]NamedPlot, error) {
	r, err := spikelog.Open(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	h := r.Header()
	clock := h.Clock()
	type fl struct {
		first, last   []float64
		firstT, lastT snnsim.Time
	}
	m := map[int]*fl{}
	var order []int
	for s := range r.Samples(spikelog.SampleFilter{From: o.From, To: o.To}) {
		if se := r.SeriesOf(s.Series); se.Projection == "" || se.Unit == spikelog.UnitID || len(s.Values) < 10 {
			continue
		}
		f := m[s.Series]
		if f == nil {
			f = &fl{first: append([]float64(nil), s.Values...), firstT: s.T}
			m[s.Series] = f
			order = append(order, s.Series)
		}
		f.last, f.lastT = append(f.last[:0], s.Values...), s.T
	}
	if err := r.Err(); err != nil && damage(err) == nil {
		return nil, err
	}
	series := r.Series()
	var out []NamedPlot
	for _, id := range order {
		se, f := series[id], m[id]
		xl := se.What
		if se.Unit != "" {
			xl += " [" + se.Unit + "]"
		}
		pl := newPlot(title(h, fmt.Sprintf("%s distribution of %s", se.What, se.Projection)), xl, "synapses")
		sets := []sampleAt{{f.first, f.firstT}}
		if f.lastT != f.firstT {
			sets = append(sets, sampleAt{f.last, f.lastT})
		}
		data, err := addHistograms(pl, sets, clock, clock.Ms(f.lastT-f.firstT))
		if err != nil {
			return nil, err
		}
		out = append(out, NamedPlot{Name: "hist_" + SeriesFileName(se), Plot: pl, Data: data})
	}
	return out, nil
}

type sampleAt struct {
	v []float64
	t snnsim.Time
}

// addHistograms draws step histograms of sets on 30 shared bins spanning
// all their finite values, one colour per set, labelled by time; Data keys
// are "t = <time>" (bin centre, count).
func addHistograms(pl *plot.Plot, sets []sampleAt, clock snnsim.Clock, spanMs float64) (map[string]plotter.XYs, error) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range sets {
		for _, x := range s.v {
			if isFinite(x) {
				lo, hi = min(lo, x), max(hi, x)
			}
		}
	}
	data := map[string]plotter.XYs{}
	if lo > hi {
		return data, nil
	}
	if lo == hi {
		lo, hi = lo-0.5, hi+0.5
	}
	const bins = 30
	width := (hi - lo) / bins
	sc, xl := timeAxis(spanMs)
	unit := xl[len("time [") : len(xl)-1]
	cols := colours(len(sets))
	for i, s := range sets {
		counts := make([]float64, bins)
		for _, x := range s.v {
			if isFinite(x) {
				counts[min(int((x-lo)/width), bins-1)]++
			}
		}
		var step, centres plotter.XYs
		for b, c := range counts {
			x0 := lo + float64(b)*width
			step = append(step, plotter.XY{X: x0, Y: c}, plotter.XY{X: x0 + width, Y: c})
			centres = append(centres, plotter.XY{X: x0 + width/2, Y: c})
		}
		step = append(plotter.XYs{{X: lo, Y: 0}}, append(step, plotter.XY{X: hi, Y: 0})...)
		name := fmt.Sprintf("t = %.4g %s", clock.Ms(s.t)*sc, unit)
		x, y0, y1 := make([]float64, 0, len(step)), make([]float64, len(step)), make([]float64, len(step))
		for k, p := range step {
			x = append(x, p.X)
			y1[k] = p.Y
		}
		if len(sets) <= 2 { // more fills overlaid would hide one another
			if err := addBand(pl, x, y0, y1, cols[i]); err != nil {
				return nil, err
			}
		}
		if err := addLine(pl, step, cols[i], 1.2, false, name); err != nil {
			return nil, err
		}
		data[name] = centres
	}
	pl.Y.Min = 0
	return data, nil
}
