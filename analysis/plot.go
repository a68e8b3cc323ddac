package analysis

import (
	"fmt"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/spikelog"
)

// PlotOptions selects what the plots show. Zero fields take the defaults.
type PlotOptions struct {
	From, To  snnsim.Time // window [ticks]; To == 0: to the end of the run
	Bin       snnsim.Time // rate bin when rates are computed from spikes [ticks]; 0: about 1/500 of the span
	MaxTraces int         // trajectories drawn per series; 0: 8
	MaxSpikes int         // raster: spikes drawn at most (the window is cut after them); 0: 200 000
}

// NamedPlot is a plot and a short name for its file ("raster", "rate",
// "v_E", ...).
type NamedPlot struct {
	Name string
	Plot *plot.Plot
}

// timeAxis returns the factor from ms to the axis unit and its label, for
// a span of the given length.
func timeAxis(spanMs float64) (float64, string) {
	switch {
	case spanMs < 1000:
		return 1, "time [ms]"
	case spanMs < 2*3600e3:
		return 1e-3, "time [s]"
	}
	return 1 / 3600e3, "time [h]"
}

func title(h spikelog.Header, what string) string {
	if h.Scenario == "" {
		return what
	}
	return fmt.Sprintf("%s — %s", what, h.Scenario)
}

// RasterPlot draws the spikes of the log at path in the window as a raster:
// one dot per spike, time on x, global neuron ID on y, a colour and a
// legend entry per population. Past MaxSpikes spikes the window is cut and
// the title says so.
func RasterPlot(path string, o PlotOptions) (*plot.Plot, error) {
	if o.MaxSpikes <= 0 {
		o.MaxSpikes = 200_000
	}
	r, err := spikelog.Open(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	h := r.Header()
	pts := make([]plotter.XYs, len(h.Populations))
	n := 0
	cut := snnsim.Time(-1)
	var last snnsim.Time = -1
	p := 0
	for s := range r.Spikes(spikelog.Filter{From: o.From, To: o.To}) {
		if n >= o.MaxSpikes && s.T != last {
			cut = s.T
			break
		}
		last = s.T
		if s.ID < h.Populations[p].First || s.ID >= h.Populations[p].End() {
			if p = findPop(h.Populations, s.ID); p < 0 {
				p = 0
				continue
			}
		}
		pts[p] = append(pts[p], plotter.XY{X: h.Clock().Ms(s.T), Y: float64(s.ID)})
		n++
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	to := o.To
	if cut >= 0 {
		to = cut
	} else if to == 0 {
		to, _ = runEnd(r, last)
	}
	scale, xl := timeAxis(h.Clock().Ms(to - o.From))
	pl := plot.New()
	pl.Title.Text = title(h, "Spike raster")
	if cut >= 0 {
		pl.Title.Text += fmt.Sprintf(" (first %d spikes)", n)
	}
	pl.X.Label.Text = xl
	pl.Y.Label.Text = "neuron (global ID)"
	pl.X.Min, pl.X.Max = h.Clock().Ms(o.From)*scale, h.Clock().Ms(to)*scale
	pl.Legend.Top = true
	for i, xy := range pts {
		if len(xy) == 0 {
			continue
		}
		for k := range xy {
			xy[k].X *= scale
		}
		sc, err := plotter.NewScatter(xy)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: plotutil.Color(i), Radius: vg.Points(0.8), Shape: draw.CircleGlyph{}}
		pl.Add(sc)
		// The legend shows a larger dot than the raster's.
		pl.Legend.Add(h.Populations[i].Name, &plotter.Scatter{GlyphStyle: draw.GlyphStyle{Color: plotutil.Color(i), Radius: vg.Points(3), Shape: draw.CircleGlyph{}}})
	}
	if n == 0 {
		pl.Title.Text += " (no spikes in the window)"
	}
	headroom(pl, nonEmpty(pts))
	return pl, nil
}

// RatePlot draws population rates over time, one line per population: the
// log's rate series when it has any, else rates computed from the spikes in
// bins of o.Bin.
func RatePlot(path string, o PlotOptions) (*plot.Plot, error) {
	r, err := spikelog.Open(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	h := r.Header()
	clock := h.Clock()
	st, err := r.Stats()
	if err != nil && damage(err) == nil {
		return nil, err
	}
	var rateSeries []string
	for _, s := range st.Series {
		if s.What == "rate" && s.Samples > 0 {
			rateSeries = append(rateSeries, s.Name)
		}
	}
	pl := plot.New()
	pl.Y.Label.Text = "rate [Hz]"
	pl.Legend.Top = true
	var lines []plotter.XYs
	var names []string
	var spanMs float64
	if len(rateSeries) > 0 {
		rs, err := spikelog.Open(path)
		if err != nil {
			return nil, err
		}
		defer rs.Close()
		idx := map[int]int{}
		first, last := snnsim.Never, snnsim.Time(0)
		for s := range rs.Samples(spikelog.SampleFilter{Series: rateSeries, From: o.From, To: o.To}) {
			k, ok := idx[s.Series]
			if !ok {
				k = len(lines)
				idx[s.Series] = k
				lines = append(lines, nil)
				se := rs.Series()[s.Series]
				names = append(names, se.Population+se.Projection)
			}
			lines[k] = append(lines[k], plotter.XY{X: clock.Ms(s.T), Y: s.Values[0]})
			first, last = min(first, s.T), max(last, s.T)
		}
		if err := rs.Err(); err != nil && damage(err) == nil {
			return nil, err
		}
		spanMs = clock.Ms(last - first)
		pl.Title.Text = title(h, "Population rates (sampled)")
		for _, s := range rs.Series() {
			if s.Name == rateSeries[0] && s.Interval > 0 {
				pl.Title.Text = title(h, fmt.Sprintf("Population rates (%g ms bins)", clock.Ms(s.Interval)))
			}
		}
	} else {
		bin := o.Bin
		to := o.To
		if to == 0 {
			to = st.Last + 1
			for _, m := range st.Marks {
				if m.Text == RunEndMark {
					to = m.T
				}
			}
		}
		if bin <= 0 {
			bin = niceBin(clock, to-o.From)
		}
		rb, err := spikelog.Open(path)
		if err != nil {
			return nil, err
		}
		defer rb.Close()
		starts, rates, span, err := BinnedRates(rb, o.From, to, bin)
		if err != nil && damage(err) == nil {
			return nil, err
		}
		for i, p := range h.Populations {
			xy := make(plotter.XYs, len(starts))
			for k, t := range starts {
				xy[k] = plotter.XY{X: clock.Ms(t), Y: rates[i][k]}
			}
			lines = append(lines, xy)
			names = append(names, p.Name)
		}
		spanMs = clock.Ms(span.Ticks())
		pl.Title.Text = title(h, fmt.Sprintf("Population rates (%g ms bins)", clock.Ms(bin)))
	}
	scale, xl := timeAxis(spanMs)
	pl.X.Label.Text = xl
	for i, xy := range lines {
		for k := range xy {
			xy[k].X *= scale
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return nil, err
		}
		l.Color = plotutil.Color(i)
		l.Width = vg.Points(1)
		pl.Add(l)
		pl.Legend.Add(names[i], l)
	}
	headroom(pl, len(lines))
	return pl, nil
}

// headroom raises the top of the y axis so that the legend, drawn at the
// top right, does not hide data (about 6 % of the height per entry), and
// sets readable ticks on both axes.
func headroom(pl *plot.Plot, entries int) {
	frac := min(0.05+0.065*float64(entries), 0.6)
	if r := pl.Y.Max - pl.Y.Min; r > 0 {
		pl.Y.Max += frac * r / (1 - frac)
	} else {
		pl.Y.Max++
	}
	pl.X.Tick.Marker = niceTicks{}
	pl.Y.Tick.Marker = niceTicks{}
}

// niceTicks puts major ticks at multiples of 1, 2 or 5 times a power of
// ten, 4 to 10 of them, labelled in the shortest form ("0.5", not "0.50"),
// with four minor ticks between.
type niceTicks struct{}

// Ticks implements plot.Ticker.
func (niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(hi-lo, 0) {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	var step float64
	for e := math.Floor(math.Log10(hi-lo)) - 2; ; e++ {
		for _, m := range []float64{1, 2, 5} {
			if step = m * math.Pow(10, e); (hi-lo)/step <= 10 {
				goto found
			}
		}
	}
found:
	var ticks []plot.Tick
	minor := step / 5
	for k := math.Ceil(lo / minor); k*minor <= hi; k++ {
		v := k * minor
		t := plot.Tick{Value: v}
		if math.Abs(math.Remainder(v, step)) < minor/2 {
			t.Label = strconv.FormatFloat(math.Round(v/minor)*minor, 'f', -1, 64)
			if f, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64); err == nil {
				t.Label = strconv.FormatFloat(f, 'f', -1, 64)
			}
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// niceBin returns a bin of 1, 2 or 5 times a power of ten ms, at least one
// tick, giving about 500 bins over span.
func niceBin(clock snnsim.Clock, span snnsim.Time) snnsim.Time {
	want := clock.Ms(span) / 500
	for e := -3; e <= 9; e++ {
		for _, m := range []float64{1, 2, 5} {
			b := m * math.Pow10(e)
			if b >= want {
				if t, err := clock.Ticks(b); err == nil && t >= 1 {
					return t
				}
			}
		}
	}
	return max(1, span/500)
}

// StatePlots draws, for each series other than rates, the trajectories of
// its first MaxTraces indices over the window: membrane potentials,
// weights, consolidation variables. One plot per series, named after it
// (SeriesFileName).
func StatePlots(path string, o PlotOptions) ([]NamedPlot, error) {
	if o.MaxTraces <= 0 {
		o.MaxTraces = 8
	}
	r, err := spikelog.Open(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	h := r.Header()
	clock := h.Clock()
	type tr struct {
		lines []plotter.XYs
	}
	trs := map[int]*tr{}
	var order []int
	first, last := snnsim.Never, snnsim.Time(0)
	for s := range r.Samples(spikelog.SampleFilter{From: o.From, To: o.To}) {
		se := r.Series()[s.Series]
		if se.What == "rate" || se.Unit == "id" { // rates have their own plot; "id" series label synapses
			continue
		}
		t := trs[s.Series]
		if t == nil {
			t = &tr{lines: make([]plotter.XYs, min(o.MaxTraces, len(s.Values)))}
			trs[s.Series] = t
			order = append(order, s.Series)
		}
		for j := range t.lines {
			t.lines[j] = append(t.lines[j], plotter.XY{X: clock.Ms(s.T), Y: s.Values[j]})
		}
		first, last = min(first, s.T), max(last, s.T)
	}
	if err := r.Err(); err != nil && damage(err) == nil {
		return nil, err
	}
	series := r.Series()
	scale, xl := timeAxis(clock.Ms(last - first))
	var out []NamedPlot
	for _, id := range order {
		se := series[id]
		pl := plot.New()
		owner := se.Population + se.Projection
		pl.Title.Text = title(h, fmt.Sprintf("%s of %s", se.What, owner))
		if n := se.Width(); n > len(trs[id].lines) {
			pl.Title.Text += fmt.Sprintf(" (%d of %d traces)", len(trs[id].lines), n)
		}
		pl.X.Label.Text = xl
		pl.Y.Label.Text = se.What
		if se.Unit != "" {
			pl.Y.Label.Text += " [" + se.Unit + "]"
		}
		pl.Legend.Top = true
		for j, xy := range trs[id].lines {
			for k := range xy {
				xy[k].X *= scale
			}
			l, err := plotter.NewLine(finite(xy))
			if err != nil {
				return nil, err
			}
			l.Color = plotutil.Color(j)
			l.Width = vg.Points(1)
			pl.Add(l)
			label := owner
			if se.Indices != nil {
				label = fmt.Sprintf("%s[%d]", owner, se.Indices[j])
			}
			pl.Legend.Add(label, l)
		}
		headroom(pl, len(trs[id].lines))
		out = append(out, NamedPlot{SeriesFileName(se), pl})
	}
	return out, nil
}

// finite drops points with a NaN or infinite value, which plotter rejects.
func finite(xy plotter.XYs) plotter.XYs {
	out := xy[:0:0]
	for _, p := range xy {
		if !math.IsNaN(p.Y) && !math.IsInf(p.Y, 0) {
			out = append(out, p)
		}
	}
	return out
}

// HistogramPlots draws, for each series of a projection (weights and
// consolidation variables), the histograms of its values at its first and
// last sample in the window, overlaid: how the weight distribution changed.
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
		if se := r.Series()[s.Series]; se.Projection == "" || se.Unit == "id" {
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
		pl := plot.New()
		pl.Title.Text = title(h, fmt.Sprintf("%s distribution of %s", se.What, se.Projection))
		pl.X.Label.Text = se.What
		if se.Unit != "" {
			pl.X.Label.Text += " [" + se.Unit + "]"
		}
		pl.Y.Label.Text = "synapses"
		pl.Legend.Top = true
		for k, c := range []struct {
			v []float64
			t snnsim.Time
		}{{f.first, f.firstT}, {f.last, f.lastT}} {
			if k == 1 && f.lastT == f.firstT {
				break
			}
			var vals plotter.Values
			for _, x := range c.v {
				if !math.IsNaN(x) && !math.IsInf(x, 0) {
					vals = append(vals, x)
				}
			}
			if len(vals) == 0 {
				continue
			}
			hist, err := plotter.NewHist(vals, 30)
			if err != nil {
				return nil, err
			}
			col := plotutil.Color(k)
			r, g, b, _ := col.RGBA()
			hist.LineStyle.Color = col
			hist.FillColor = translucent{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8)}
			pl.Add(hist)
			sc, xl := timeAxis(clock.Ms(f.lastT - f.firstT))
			unit := xl[len("time [") : len(xl)-1]
			pl.Legend.Add(fmt.Sprintf("t = %.4g %s", clock.Ms(c.t)*sc, unit), hist)
		}
		headroom(pl, 2)
		out = append(out, NamedPlot{"hist_" + SeriesFileName(se), pl})
	}
	return out, nil
}

// translucent is a colour at 40 % opacity (premultiplied), so that two
// overlaid histograms both show.
type translucent struct{ r, g, b uint8 }

// RGBA implements color.Color.
func (c translucent) RGBA() (r, g, b, a uint32) {
	const alpha = 0.4
	return uint32(float64(c.r)*alpha) * 0x101, uint32(float64(c.g)*alpha) * 0x101, uint32(float64(c.b)*alpha) * 0x101, uint32(alpha*0xff) * 0x101
}

func nonEmpty(pts []plotter.XYs) int {
	n := 0
	for _, p := range pts {
		if len(p) > 0 {
			n++
		}
	}
	return n
}
