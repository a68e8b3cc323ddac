package sweep

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/snnsim/snnsim"
)

// Curve is one line of a sweep plot: mean and standard error of the mean
// of a metric over the rows (seeds) that share an x value and a group.
type Curve struct {
	Group string // "KEY=VALUE, …" of the grouping columns; "" for one curve
	XUnit string // the unit of X when the x column holds quantities, else ""
	X     []float64
	Mean  []float64
	SEM   []float64 // NaN where only one row has a value
	N     []int
}

// Curves groups the done rows of t by the columns by (default: the label
// columns that vary across rows, or when there are none every column that
// varies but x, y, index, name, seed, status and the metrics) and, within
// a group, by x, and returns mean ± s.e.m. of y.
// Rows whose y is empty or NaN are left out.
func (t *Table) Curves(x, y string, by []string, metrics []string) ([]Curve, error) {
	xi, yi := t.Column(x), t.Column(y)
	for _, c := range []struct {
		flag, name string
		i          int
	}{{"--x", x, xi}, {"--y", y, yi}} {
		if c.i < 0 {
			return nil, fmt.Errorf("%s %s: no such column; the table has %s", c.flag, c.name, strings.Join(t.Columns, ", "))
		}
	}
	st := t.Column("status")
	if by == nil {
		skip := append([]string{x, y, "index", "name", "seed", "status"}, metrics...)
		var labels []string
		for c, name := range t.Columns {
			if slices.Contains(skip, name) {
				continue
			}
			for _, r := range t.Rows {
				if r[c] != t.Rows[0][c] {
					by = append(by, name)
					if isLabel(name) {
						labels = append(labels, name)
					}
					break
				}
			}
		}
		if len(labels) > 0 {
			// Labels of --rows describe the design; the keys they set
			// follow from them and x.
			by = labels
		}
	}
	var byi []int
	for _, b := range by {
		i := t.Column(b)
		if i < 0 {
			return nil, fmt.Errorf("--by %s: no such column; the table has %s", b, strings.Join(t.Columns, ", "))
		}
		byi = append(byi, i)
	}
	// x values are numbers, or quantities of one dimension ("60 min",
	// "1.5 h"), drawn in the unit of the first row's value.
	xunit, xscale, xdim := "", 1.0, snnsim.Dimensionless
	if len(t.Rows) > 0 {
		v := t.Rows[0][xi]
		if _, err := parseFloat(v); err != nil {
			xunit = strings.TrimSpace(strings.TrimLeft(v, "0123456789.+-eE "))
			var err error
			if xscale, xdim, err = snnsim.ParseQuantity("1 " + xunit); err != nil {
				return nil, fmt.Errorf("--x %s: value %q is neither a number nor a quantity (use a numeric column, e.g. a label column of --rows)", x, v)
			}
		}
	}
	xval := func(v string) (float64, error) {
		if xunit == "" {
			f, err := parseFloat(v)
			if err != nil {
				return 0, fmt.Errorf("value %q is not a number", v)
			}
			return f, nil
		}
		q, d, err := snnsim.ParseQuantity(v)
		if err != nil || d != xdim {
			return 0, fmt.Errorf("value %q is not a quantity of the same kind as %q", v, t.Rows[0][xi])
		}
		return q / xscale, nil
	}
	type acc struct{ vals []float64 }
	groups := map[string]map[float64]*acc{}
	var order []string
	for _, r := range t.Rows {
		if st >= 0 && r[st] != string(Done) {
			continue
		}
		xv, err := xval(r[xi])
		if err != nil {
			return nil, fmt.Errorf("--x %s: %w", x, err)
		}
		yv, err := parseFloat(r[yi])
		if err != nil || math.IsNaN(yv) {
			continue
		}
		var g []string
		for k, i := range byi {
			g = append(g, by[k]+"="+r[i])
		}
		key := strings.Join(g, ", ")
		if groups[key] == nil {
			groups[key] = map[float64]*acc{}
			order = append(order, key)
		}
		if groups[key][xv] == nil {
			groups[key][xv] = &acc{}
		}
		groups[key][xv].vals = append(groups[key][xv].vals, yv)
	}
	if len(order) == 0 {
		return nil, fmt.Errorf("no done point has a value of %s", y)
	}
	var cs []Curve
	for _, key := range order {
		c := Curve{Group: key, XUnit: xunit}
		var xs []float64
		for xv := range groups[key] {
			xs = append(xs, xv)
		}
		slices.Sort(xs)
		for _, xv := range xs {
			v := groups[key][xv].vals
			m, sd := meanSD(v)
			c.X = append(c.X, xv)
			c.Mean = append(c.Mean, m)
			c.SEM = append(c.SEM, sd/math.Sqrt(float64(len(v))))
			c.N = append(c.N, len(v))
		}
		cs = append(cs, c)
	}
	return cs, nil
}

// meanSD is the mean and the sample standard deviation (NaN for one value).
func meanSD(v []float64) (float64, float64) {
	m := mean(v)
	if len(v) < 2 {
		return m, math.NaN()
	}
	ss := 0.0
	for _, x := range v {
		ss += (x - m) * (x - m)
	}
	return m, math.Sqrt(ss / float64(len(v)-1))
}

// curveXY adapts a Curve to gonum/plot's XYer and YErrorer.
type curveXY struct{ c *Curve }

func (p curveXY) Len() int                    { return len(p.c.X) }
func (p curveXY) XY(i int) (float64, float64) { return p.c.X[i], p.c.Mean[i] }
func (p curveXY) YError(i int) (float64, float64) {
	e := p.c.SEM[i]
	if math.IsNaN(e) {
		e = 0
	}
	return e, e
}

// Plot draws curves as lines with points and s.e.m. error bars.
func Plot(cs []Curve, xlabel, ylabel, title string) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	p.Add(plotter.NewGrid())
	for i := range cs {
		c := &cs[i]
		l, s, err := plotter.NewLinePoints(curveXY{c})
		if err != nil {
			return nil, err
		}
		col := plotutil.Color(i)
		l.Color, s.Color = col, col
		s.Radius = vg.Points(2.5)
		eb, err := plotter.NewYErrorBars(curveXY{c})
		if err != nil {
			return nil, err
		}
		eb.Color = col
		p.Add(l, s, eb)
		if c.Group != "" {
			p.Legend.Add(c.Group, l, s)
		}
	}
	p.Legend.Top = true
	return p, nil
}
