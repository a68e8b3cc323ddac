package analysis

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/spikelog"
)

// AssemblyRates bins the spikes of r (one pass) over [0, to) in bins of
// the given width and returns the bins' centres [s], the rate [Hz] of each
// neuron population of the log (by name; sources are left out) and the
// mean rate of each assembly (members: indices into pop) per bin. A last
// bin cut short by to is divided by its actual length.
func AssemblyRates(r *spikelog.Reader, pop spikelog.Population, members [][]int, bin, to snnsim.Time) (centres []float64, pops map[string][]float64, asm [][]float64, err error) {
	if bin <= 0 || to <= 0 {
		return nil, nil, nil, fmt.Errorf("assembly rates: bin %d and end %d ticks: both must be > 0", bin, to)
	}
	h := r.Header()
	clock := h.Clock()
	nb := int((to + bin - 1) / bin)
	owner := groupsOf(pop.Size, members)
	counts := make([][]float64, len(h.Populations))
	for i, p := range h.Populations {
		if p.Kind == spikelog.Neuron && !p.NotRecorded {
			counts[i] = make([]float64, nb)
		}
	}
	asm = make([][]float64, len(members))
	for a := range asm {
		asm[a] = make([]float64, nb)
	}
	for s := range r.Spikes(spikelog.Filter{To: to}) {
		b := int(s.T / bin)
		if pi := findPop(h.Populations, s.ID); pi >= 0 && counts[pi] != nil {
			counts[pi][b]++
		}
		if i := int(s.ID - pop.First); i >= 0 && i < pop.Size {
			for _, a := range owner[i] {
				if a < len(members) {
					asm[a][b]++
				}
			}
		}
	}
	if err := r.Err(); err != nil {
		return nil, nil, nil, err
	}
	width := func(b int) float64 {
		hi := min(snnsim.Time(b+1)*bin, to)
		return clock.Seconds(hi - snnsim.Time(b)*bin)
	}
	centres = make([]float64, nb)
	for b := range nb {
		lo := snnsim.Time(b) * bin
		centres[b] = clock.Seconds(lo) + width(b)/2
	}
	pops = map[string][]float64{}
	for i, c := range counts {
		if c == nil {
			continue
		}
		for b := range c {
			c[b] /= float64(h.Populations[i].Size) * width(b)
		}
		pops[h.Populations[i].Name] = c
	}
	for a, m := range members {
		for b := range asm[a] {
			asm[a][b] = perNeuron(asm[a][b], len(m), width(b))
		}
	}
	return centres, pops, asm, nil
}

// AssemblyFigureInput holds what AssemblyFigures draws. Names[k] names
// assembly k (default "A<k>").
type AssemblyFigureInput struct {
	Title   string
	Names   []string
	Size    int     // neurons of the population the assemblies are in
	Members [][]int // assemblies, indices into the population

	// The recurrent weights (global IDs pre and post, first: the
	// population's first ID) for the sorted weight matrix; nil: no panel.
	Pre, Post, W []float64
	First        snnsim.NeuronID

	// Rates over time: bin centres [s], population rates and assembly
	// rates [Hz] (AssemblyRates); nil: no panel.
	Times    []float64
	PopRates map[string][]float64
	AsmRates [][]float64

	// Recall per cue class (SummarizeRecall); nil: no panel. ClassNames
	// maps a class to its label (default the assembly's name, "novel"
	// for -1).
	Recall     []RecallSummary
	ClassNames map[int]string
}

func (in AssemblyFigureInput) name(a int) string {
	if a < len(in.Names) && in.Names[a] != "" {
		return in.Names[a]
	}
	if a == len(in.Members) {
		return "rest"
	}
	return fmt.Sprintf("A%d", a)
}

// AssemblyFigures draws the figures of an assembly experiment (Zenke,
// Agnes & Gerstner 2015): "assembly_weights", the weight matrix with the
// neurons sorted by assembly, averaged over cells of at most 128×128
// (Data "block_within": assembly, mean weight within it; "block_between":
// assembly, largest mean weight onto another assembly);
// "assembly_rates", the population rates above and the assemblies' rates
// below (Data by name); "recall", per cue class the assemblies' mean rates
// in the delay window (Data "delay <assembly>": class index, rate), its
// title giving the hits.
func AssemblyFigures(in AssemblyFigureInput) ([]NamedPlot, error) {
	var out []NamedPlot
	if in.W != nil {
		p, err := weightMatrixPlot(in)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if in.Times != nil {
		p, err := assemblyRatesPlot(in)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if in.Recall != nil {
		p, err := recallPlot(in)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// grid is a matrix of cell values for plotter.HeatMap; row 0 at the top.
type grid struct {
	n        int
	v        []float64
	min, max float64
}

func (g grid) Dims() (int, int)       { return g.n, g.n }
func (g grid) Z(c, r int) float64     { return g.v[(g.n-1-r)*g.n+c] }
func (g grid) X(c int) float64        { return float64(c) }
func (g grid) Y(r int) float64        { return float64(r) }
func (g grid) Min() float64           { return g.min }
func (g grid) Max() float64           { return g.max }
func (g grid) cell(pre, post int) int { return pre*g.n + post }

func weightMatrixPlot(in AssemblyFigureInput) (NamedPlot, error) {
	order, starts := AssemblyOrder(in.Size, in.Members)
	rank := make([]int, in.Size)
	for k, i := range order {
		rank[i] = k
	}
	n := min(in.Size, 128)
	cellOf := func(k int) int { return k * n / in.Size }
	sum, cnt := make([]float64, n*n), make([]float64, n*n)
	g := grid{n: n, v: sum}
	for k := range in.W {
		i, j := int(in.Pre[k])-int(in.First), int(in.Post[k])-int(in.First)
		if i < 0 || i >= in.Size || j < 0 || j >= in.Size {
			continue
		}
		c := g.cell(cellOf(rank[i]), cellOf(rank[j]))
		sum[c] += in.W[k]
		cnt[c]++
	}
	g.min, g.max = math.Inf(1), math.Inf(-1)
	for c := range sum {
		if cnt[c] > 0 {
			sum[c] /= cnt[c]
			g.min, g.max = min(g.min, sum[c]), max(g.max, sum[c])
		}
	}
	if g.max < g.min {
		return NamedPlot{}, fmt.Errorf("the weight matrix has no synapse between neurons of the population")
	}
	if g.max == g.min {
		g.max = g.min + 1
	}
	cm := moreland.ExtendedBlackBody()
	cm.SetMin(g.min)
	cm.SetMax(g.max)
	hm := plotter.NewHeatMap(g, cm.Palette(255))
	hm.Min, hm.Max = g.min, g.max
	hm.Rasterized = true // one image: no seams between cells
	// Cells without synapses (the diagonal of small matrices) take the
	// lowest colour.
	for c := range sum {
		if cnt[c] == 0 {
			sum[c] = g.min
		}
	}
	title := "weights sorted by assembly"
	if in.Title != "" {
		title = in.Title + " — " + title
	}
	pl := newPlot(fmt.Sprintf("%s: mean per cell, %.3g (dark) to %.3g (light)", title, g.min, g.max), "postsynaptic neuron (sorted by assembly)", "presynaptic neuron (sorted by assembly)")
	pl.Add(hm)
	// Group boundaries as lines, in cell units.
	for _, s := range starts[1 : len(starts)-1] {
		x := float64(s*n) / float64(in.Size)
		for _, xy := range []plotter.XYs{{{X: x - 0.5, Y: -0.5}, {X: x - 0.5, Y: float64(n) - 0.5}}, {{X: -0.5, Y: float64(n) - x - 0.5}, {X: float64(n) - 0.5, Y: float64(n) - x - 0.5}}} {
			if err := addLine(pl, xy, palette[5], 0.5, true, ""); err != nil {
				return NamedPlot{}, err
			}
		}
	}
	pl.X.Tick.Marker, pl.Y.Tick.Marker = plot.ConstantTicks(nil), plot.ConstantTicks(nil)
	bm, err := BlockMeans(in.Pre, in.Post, in.W, in.First, in.Size, in.Members)
	if err != nil {
		return NamedPlot{}, err
	}
	var within, between plotter.XYs
	for a := range in.Members {
		within = append(within, plotter.XY{X: float64(a), Y: bm[a][a]})
		best := math.NaN()
		for b := range in.Members {
			if b != a && (math.IsNaN(best) || bm[a][b] > best) {
				best = bm[a][b]
			}
		}
		between = append(between, plotter.XY{X: float64(a), Y: best})
	}
	return NamedPlot{Name: "assembly_weights", Plot: pl, Data: map[string]plotter.XYs{"block_within": within, "block_between": between}}, nil
}

func assemblyRatesPlot(in AssemblyFigureInput) (NamedPlot, error) {
	data := map[string]plotter.XYs{}
	upper := newPlot(in.Title+" — population and assembly rates", "time [s]", "population rate [Hz]")
	names := make([]string, 0, len(in.PopRates))
	for name := range in.PopRates {
		names = append(names, name)
	}
	slices.Sort(names)
	cs := colours(max(len(names), len(in.AsmRates)))
	for k, name := range names {
		xy := make(plotter.XYs, len(in.Times))
		for b, t := range in.Times {
			xy[b] = plotter.XY{X: t, Y: in.PopRates[name][b]}
		}
		data[name] = xy
		if err := addLine(upper, xy, cs[k], 1, false, name); err != nil {
			return NamedPlot{}, err
		}
	}
	lower := newPlot("", "time [s]", "assembly rate [Hz]")
	for a, rates := range in.AsmRates {
		xy := make(plotter.XYs, len(in.Times))
		for b, t := range in.Times {
			xy[b] = plotter.XY{X: t, Y: rates[b]}
		}
		data[in.name(a)] = xy
		if err := addLine(lower, xy, cs[a], 1, false, in.name(a)); err != nil {
			return NamedPlot{}, err
		}
	}
	return NamedPlot{Name: "assembly_rates", Plot: upper, Lower: lower, Data: data}, nil
}

func recallPlot(in AssemblyFigureInput) (NamedPlot, error) {
	label := func(c int) string {
		if s, ok := in.ClassNames[c]; ok {
			return s
		}
		if c < 0 {
			return "novel"
		}
		return in.name(c)
	}
	var hits []string
	var ticks []plot.Tick
	for k, s := range in.Recall {
		ticks = append(ticks, plot.Tick{Value: float64(k), Label: label(s.Class)})
		if s.Class >= 0 {
			hits = append(hits, fmt.Sprintf("%s %d/%d", label(s.Class), s.HitsDelay, s.N))
		}
	}
	pl := newPlot(fmt.Sprintf("%s — recall: most active in the delay window: %s", in.Title, strings.Join(hits, ", ")), "cue class", "assembly rate after the cue [Hz]")
	pl.X.Tick.Marker = plot.ConstantTicks(ticks)
	data := map[string]plotter.XYs{}
	n := len(in.Members)
	cs := colours(n)
	w := vg.Points(min(40/float64(max(n, 1)), 10))
	for a := range n {
		vals := make(plotter.Values, len(in.Recall))
		xy := make(plotter.XYs, len(in.Recall))
		for k, s := range in.Recall {
			vals[k] = s.Delay[a]
			if math.IsNaN(vals[k]) {
				vals[k] = 0
			}
			xy[k] = plotter.XY{X: float64(k), Y: s.Delay[a]}
		}
		bc, err := plotter.NewBarChart(vals, w)
		if err != nil {
			return NamedPlot{}, err
		}
		bc.Color = cs[a]
		bc.LineStyle.Width = 0
		bc.Offset = w * vg.Length(float64(a)-float64(n-1)/2)
		pl.Add(bc)
		pl.Legend.Add(in.name(a), bc)
		data["delay "+in.name(a)] = xy
	}
	return NamedPlot{Name: "recall", Plot: pl, Data: data}, nil
}
