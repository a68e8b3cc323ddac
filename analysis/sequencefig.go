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
			var q, mi, nq []float64
			for _, r := range rs {
				q, mi, nq = append(q, r.Q), append(mi, r.MI), append(nq, r.NewestQ)
			}
			p := SequencePoint{Later: k, N: len(rs), DQ: math.NaN(), DQHalf: math.NaN()}
			p.Q, p.QHalf = half(q)
			p.MI, p.MIHalf = half(mi)
			p.NewQ, p.NewQHalf = half(nq)
			var dq []float64
			for _, r := range rs {
				for _, b := range by[name][0] {
					if b.Seed == r.Seed {
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
// newest assembly's Q (bottom, plasticity against stability), one curve
// per model, mean ± 95 % CI over seeds. Data holds the means by
// "<curve> Q", "<curve> MI" and "<curve> newest Q".
func SequencePlot(title string, runs []SequenceRun) (NamedPlot, error) {
	if len(runs) == 0 {
		return NamedPlot{}, fmt.Errorf("continual-learning figure: %w: no run of a [sequence]", errNothing)
	}
	names, curves := SequenceCurves(runs)
	top := newPlot(title, "", "Q of A1")
	mid := newPlot("", "", "MI of A1 [bits]")
	low := newPlot("", "assemblies learned after A1 (n − 1)", "Q of the newest")
	out := NamedPlot{Name: "sequence", Plot: top, Lower: mid, More: []*plot.Plot{low}, Data: map[string]plotter.XYs{}}
	// The x values are counts: one labelled tick at each.
	var ticks []plot.Tick
	for _, name := range names {
		for _, p := range curves[name] {
			if !slices.ContainsFunc(ticks, func(t plot.Tick) bool { return t.Value == float64(p.Later) }) {
				ticks = append(ticks, plot.Tick{Value: float64(p.Later), Label: strconv.Itoa(p.Later)})
			}
		}
	}
	for _, pl := range []*plot.Plot{top, mid, low} {
		pl.X.Tick.Marker = plot.ConstantTicks(slices.Clone(ticks)) // each its own: upper panels drop their labels
		pl.X.Min, pl.X.Max = -0.3, 0.3
	}
	cols := colours(len(names))
	shapes := []draw.GlyphDrawer{draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.PlusGlyph{}, draw.CrossGlyph{}, draw.RingGlyph{}}
	for i, name := range names {
		ps := curves[name]
		for _, panel := range []struct {
			pl    *plot.Plot
			key   string
			value func(SequencePoint) (float64, float64)
		}{
			{top, " Q", func(p SequencePoint) (float64, float64) { return p.Q, p.QHalf }},
			{mid, " MI", func(p SequencePoint) (float64, float64) { return p.MI, p.MIHalf }},
			{low, " newest Q", func(p SequencePoint) (float64, float64) { return p.NewQ, p.NewQHalf }},
		} {
			xy := make(plotter.XYs, len(ps))
			errs := make([]float64, len(ps))
			for k, p := range ps {
				m, h := panel.value(p)
				xy[k] = plotter.XY{X: float64(p.Later), Y: m}
				errs[k] = h
				if math.IsNaN(h) {
					errs[k] = 0 // one run: no interval
				}
			}
			out.Data[name+panel.key] = xy
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
