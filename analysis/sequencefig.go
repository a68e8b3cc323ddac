package analysis

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"
)

// SequenceRun is what one run of a sequential-memory protocol contributes
// to the continual-learning figure: the recall measures of its first
// assembly A1 and of its newest one An, with the number of assemblies
// learned after A1 (n − 1), and the curve (synapse model) it belongs to.
type SequenceRun struct {
	Curve   string
	Seed    uint64  // the run's seed: runs of one curve and seed pair up
	Later   int     // assemblies learned after A1 before its cue
	Q, MI   float64 // A1's pattern completion and mutual information [bits]
	NewestQ float64 // the newest assembly's Q (A1's when Later is 0)
	// Runaway marks a run that a [[guard]] stopped on runaway activity
	// before its end, so that a model whose network runs away shows as
	// such rather than as missing runs. The measures of the recalls that
	// came before the stop count as any others; those it cut off are NaN
	// (Q and MI of A1 when it stopped before A1's cue, NewestQ when before
	// the newest assembly's).
	Runaway bool
}

// SequencePoint is one point of a curve of the continual-learning figure:
// mean and 95 % confidence half-width (Student's t) over the runs with
// this number of later assemblies.
type SequencePoint struct {
	Later          int
	N              int
	Q, QHalf       float64
	MI, MIHalf     float64
	NewQ, NewQHalf float64
	// DQ is the mean change of A1's Q against the run of the same curve
	// and seed with no later assembly, over the DN seeds that have both
	// (paired: such runs share the network and A1's learning), with its
	// half-width; NaN without pairs.
	DQ, DQHalf float64
	DN         int
	// Runs is the number of runs of the point, N of them with A1 measured
	// (the means of Q, MI and of the newest Q are over the runs that have
	// each), and Runaway the number stopped on runaway activity.
	Runs, Runaway int
}

// RunawayFraction returns the fraction of the point's runs that ran away.
func (p SequencePoint) RunawayFraction() float64 {
	return float64(p.Runaway) / float64(p.Runs)
}

// SequenceCurves groups runs by curve and by Later, in the order the
// curves first appear and by increasing Later.
func SequenceCurves(runs []SequenceRun) (names []string, curves map[string][]SequencePoint) {
	curves = map[string][]SequencePoint{}
	by := map[string]map[int][]SequenceRun{}
	for _, r := range runs {
		if by[r.Curve] == nil {
			by[r.Curve] = map[int][]SequenceRun{}
			names = append(names, r.Curve)
		}
		by[r.Curve][r.Later] = append(by[r.Curve][r.Later], r)
	}
	half := func(x []float64) (float64, float64) {
		mean, _, lo, hi := SampleCI(x)
		return mean, (hi - lo) / 2
	}
	for _, name := range names {
		var laters []int
		for k := range by[name] {
			laters = append(laters, k)
		}
		slices.Sort(laters)
		for _, k := range laters {
			rs := by[name][k]
			runaway := 0
			var q, mi, nq []float64
			for _, r := range rs {
				if r.Runaway {
					runaway++
				}
				if !math.IsNaN(r.Q) {
					q = append(q, r.Q)
				}
				if !math.IsNaN(r.MI) {
					mi = append(mi, r.MI)
				}
				if !math.IsNaN(r.NewestQ) {
					nq = append(nq, r.NewestQ)
				}
			}
			p := SequencePoint{Later: k, N: len(q), Runs: len(rs), Runaway: runaway, DQ: math.NaN(), DQHalf: math.NaN()}
			p.Q, p.QHalf = half(q)
			p.MI, p.MIHalf = half(mi)
			p.NewQ, p.NewQHalf = half(nq)
			var dq []float64
			for _, r := range rs {
				if math.IsNaN(r.Q) {
					continue
				}
				for _, b := range by[name][0] {
					if b.Seed == r.Seed && !math.IsNaN(b.Q) {
						dq = append(dq, r.Q-b.Q)
						break
					}
				}
			}
			if len(dq) > 0 {
				p.DN = len(dq)
				p.DQ, p.DQHalf = half(dq)
			}
			curves[name] = append(curves[name], p)
		}
	}
	return names, curves
}

// SequencePlot draws the continual-learning figure: against the number of
// assemblies learned after A1, A1's Q (top), its MI (middle) and the
// newest assembly's Q (plasticity against stability), one curve per model,
// mean ± 95 % CI over the runs that were measured; when some runs ran
// away, a bottom panel gives the fraction of runs per point that did (a
// point all of whose runs ran away has no mean to draw). The curves are
// drawn side by side around each count so that their error bars do not
// hide each other. Data holds the means by "<curve> Q", "<curve> MI" and
// "<curve> newest Q" and the fractions by "<curve> runaway", at the
// counts themselves.
func SequencePlot(title string, runs []SequenceRun) (NamedPlot, error) {
	if len(runs) == 0 {
		return NamedPlot{}, fmt.Errorf("continual-learning figure: %w: no run of a [sequence]", errNothing)
	}
	names, curves := SequenceCurves(runs)
	anyRunaway := false
	for _, name := range names {
		for _, p := range curves[name] {
			anyRunaway = anyRunaway || p.Runaway > 0
		}
	}
	xLabel := "assemblies learned after A1 (n − 1)"
	top := newPlot(title, "", "Q of A1")
	mid := newPlot("", "", "MI of A1 [bits]")
	low := newPlot("", xLabel, "Q of the newest")
	panels := []*plot.Plot{top, mid, low}
	out := NamedPlot{Name: "sequence", Plot: top, Lower: mid, More: []*plot.Plot{low}, Data: map[string]plotter.XYs{}}
	var run *plot.Plot
	if anyRunaway {
		low.X.Label.Text = ""
		run = newPlot("", xLabel, "runs that ran away")
		run.Y.Min, run.Y.Max = 0, 1
		panels = append(panels, run)
		out.More = append(out.More, run)
	}
	// The x values are counts: one labelled tick at each.
	var ticks []plot.Tick
	for _, name := range names {
		for _, p := range curves[name] {
			if !slices.ContainsFunc(ticks, func(t plot.Tick) bool { return t.Value == float64(p.Later) }) {
				ticks = append(ticks, plot.Tick{Value: float64(p.Later), Label: strconv.Itoa(p.Later)})
			}
		}
	}
	for _, pl := range panels {
		pl.X.Tick.Marker = plot.ConstantTicks(slices.Clone(ticks)) // each its own: upper panels drop their labels
		pl.X.Min, pl.X.Max = -0.4, 0.4
	}
	cols := colours(len(names))
	shapes := []draw.GlyphDrawer{draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.PlusGlyph{}, draw.CrossGlyph{}, draw.RingGlyph{}}
	// side by side: curve i of k is shifted by (i − (k−1)/2)·dodge
	const dodge = 0.08
	for i, name := range names {
		ps := curves[name]
		shift := (float64(i) - float64(len(names)-1)/2) * dodge
		type panel struct {
			pl    *plot.Plot
			key   string
			value func(SequencePoint) (float64, float64)
		}
		list := []panel{
			{top, " Q", func(p SequencePoint) (float64, float64) { return p.Q, p.QHalf }},
			{mid, " MI", func(p SequencePoint) (float64, float64) { return p.MI, p.MIHalf }},
			{low, " newest Q", func(p SequencePoint) (float64, float64) { return p.NewQ, p.NewQHalf }},
		}
		if run != nil {
			list = append(list, panel{run, " runaway", func(p SequencePoint) (float64, float64) { return p.RunawayFraction(), math.NaN() }})
		}
		for _, panel := range list {
			data := make(plotter.XYs, len(ps))
			var xy plotter.XYs // the drawn points: shifted, and only those with a mean
			var errs []float64
			for k, p := range ps {
				m, h := panel.value(p)
				data[k] = plotter.XY{X: float64(p.Later), Y: m}
				if math.IsNaN(m) {
					continue // every run of the point ran away
				}
				if math.IsNaN(h) {
					h = 0 // one run: no interval
				}
				xy = append(xy, plotter.XY{X: float64(p.Later) + shift, Y: m})
				errs = append(errs, h)
			}
			out.Data[name+panel.key] = data
			if len(xy) == 0 {
				continue
			}
			legend := ""
			if panel.pl == top {
				legend = name
			}
			if err := addLine(panel.pl, xy, cols[i], 1, false, ""); err != nil {
				return out, err
			}
			if err := addPoints(panel.pl, xy, errs, cols[i], shapes[i%len(shapes)], legend); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}
