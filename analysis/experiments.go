package analysis

import (
	"encoding/csv"
	"errors"
	"fmt"
	"image/color"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/spikelog"
	"github.com/snnsim/snnsim/stdp"
)

// MemoryCurvesName is the file in which a [memory_curves] run writes its
// curves (columns model, t, snr, se, exact).
const MemoryCurvesName = "memory_curves.csv"

// ExperimentPlots returns the figures of the shipped experiment scenarios,
// recognised by the scenario name in the log's header; none for others.
//
//	lif_fi_curve             "fi_curve": measured rates against the current, over the analytic f–I curve
//	stdp_window              "stdp_window": weight change per pairing against Δt, over the analytic window
//	sjostrom_frequency       "sjostrom_frequency": relative weight change against the pairing rate, with the data
//	song_abbott_competition  "song_abbott_weights": the weight distribution over time
//	zenke_reference_weight   "zenke_reference_weight": w and the reference weight w̃ of each synapse
//	lt2021_*                 "learn_recall": learn – consolidate – recall (LearnRecallPlot), when the log has
//	                         split records and the scenario a readout (ScenarioReadout)
func ExperimentPlots(path string, o PlotOptions) ([]NamedPlot, error) {
	r, err := spikelog.Open(path)
	if err != nil {
		return nil, err
	}
	h := r.Header()
	r.Close()
	var f func(string, spikelog.Header) (NamedPlot, error)
	switch h.Scenario {
	case "lif_fi_curve":
		f = FICurvePlot
	case "stdp_window":
		f = STDPWindowPlot
	case "sjostrom_frequency":
		f = SjostromPlot
	case "song_abbott_competition":
		f = SongAbbottPlot
	case "zenke_reference_weight":
		f = ZenkePlot
	default:
		lr, ok := ScenarioReadout(h)
		if !ok || !strings.HasPrefix(h.Scenario, "lt2021_") {
			return nil, nil
		}
		p, err := LearnRecallPlot(path, lr)
		if errors.Is(err, errNothing) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s figure: %w", h.Scenario, err)
		}
		return []NamedPlot{p}, nil
	}
	p, err := f(path, h)
	if err != nil {
		return nil, fmt.Errorf("%s figure: %w", h.Scenario, err)
	}
	return []NamedPlot{p}, nil
}

// spikeTimes returns every recorded spike tick of each global neuron ID.
func spikeTimes(path string) (map[snnsim.NeuronID][]snnsim.Time, error) {
	r, err := spikelog.Open(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	out := map[snnsim.NeuronID][]snnsim.Time{}
	for s := range r.Spikes(spikelog.Filter{}) {
		out[s.ID] = append(out[s.ID], s.T)
	}
	if err := r.Err(); err != nil && damage(err) == nil {
		return nil, err
	}
	return out, nil
}

// LIFRate returns the stationary rate [Hz] of a leaky integrate-and-fire
// neuron driven by a constant current: with R I the steady depolarisation
// [mV], 1/(t_ref + τ_m ln((R I − (v_reset − v_rest)) / (R I − (v_th − v_rest))))
// above rheobase, 0 below (times in ms).
func LIFRate(ri, tauM, tRef, vRest, vTh, vReset float64) float64 {
	if ri <= vTh-vRest {
		return 0
	}
	return 1000 / (tRef + tauM*math.Log((ri-(vReset-vRest))/(ri-(vTh-vRest))))
}

// FICurvePlot draws lif_fi_curve's measured rates (one per neuron: the
// inverse of its mean interspike interval) against the current it
// receives, over the analytic f–I curve (LIFRate). Data: "measured"
// (current [pA], rate [Hz]) and "analytic".
func FICurvePlot(path string, h spikelog.Header) (NamedPlot, error) {
	sc := scenarioTable(h)
	pops := tables(sc, "population")
	if len(pops) != 1 {
		return NamedPlot{}, fmt.Errorf("want one population, found %d", len(pops))
	}
	pop := pops[0]
	name, _ := pop["name"].(string)
	tauM, cM := param(pop, "tau_m", snnsim.TimeDim), param(pop, "c_m", snnsim.Capacitance)
	vRest, vTh := param(pop, "v_rest", snnsim.Voltage), param(pop, "v_threshold", snnsim.Voltage)
	vReset, tRef := param(pop, "v_reset", snnsim.Voltage), param(pop, "t_ref", snnsim.TimeDim)
	for _, v := range []float64{tauM, cM, vRest, vTh, vReset, tRef} {
		if !isFinite(v) {
			return NamedPlot{}, fmt.Errorf("population %s: tau_m, c_m, v_rest, v_threshold, v_reset and t_ref are needed", name)
		}
	}
	rOhm := tauM / cM * 1000 // MΩ: ms / pF = GΩ
	current := map[int]float64{}
	for _, st := range tables(sc, "stimulus") {
		if st["kind"] != "current_step" {
			continue
		}
		ns, _ := st["neurons"].([]any)
		for _, n := range ns {
			if k, ok := n.(int64); ok {
				current[int(k)] += quantityIn(st["amplitude"], snnsim.Current)
			}
		}
	}
	p, ok := h.Population(name)
	if !ok {
		return NamedPlot{}, fmt.Errorf("the log has no population %s", name)
	}
	times, err := spikeTimes(path)
	if err != nil {
		return NamedPlot{}, err
	}
	clock := h.Clock()
	var meas plotter.XYs
	lo, hi := math.Inf(1), 0.0
	for k := range p.Size {
		ts := times[p.First+snnsim.NeuronID(k)]
		i, ok := current[k]
		if !ok || len(ts) < 2 {
			continue
		}
		isi := clock.Ms(ts[len(ts)-1]-ts[0]) / float64(len(ts)-1)
		meas = append(meas, plotter.XY{X: i, Y: 1000 / isi})
		lo, hi = min(lo, i), max(hi, i)
	}
	if len(meas) == 0 {
		return NamedPlot{}, fmt.Errorf("no neuron fired twice")
	}
	slices.SortFunc(meas, func(a, b plotter.XY) int { return int(math.Copysign(1, a.X-b.X)) })
	rheo := (vTh - vRest) / rOhm * 1000 // pA
	var curve plotter.XYs
	for k := range 400 {
		i := rheo + (hi*1.05-rheo)*math.Pow(float64(k)/399, 2)
		curve = append(curve, plotter.XY{X: i, Y: LIFRate(rOhm*i/1000, tauM, tRef, vRest, vTh, vReset)})
	}
	curve = append(plotter.XYs{{X: min(lo, rheo) * 0.9, Y: 0}, {X: rheo, Y: 0}}, curve...)
	pl := newPlot(fmt.Sprintf("f–I curve of a LIF neuron (τ_m = %g ms, R = %g MΩ, t_ref = %g ms)", tauM, rOhm, tRef), "input current [pA]", "rate [Hz]")
	if err := addLine(pl, curve, palette[7], 1, false, "analytic"); err != nil {
		return NamedPlot{}, err
	}
	if err := addPoints(pl, meas, nil, palette[1], draw.CircleGlyph{}, fmt.Sprintf("simulated (dt = %g ms)", h.DT)); err != nil {
		return NamedPlot{}, err
	}
	pl.Y.Min = 0
	return NamedPlot{Name: "fi_curve", Plot: pl, Data: map[string]plotter.XYs{"measured": meas, "analytic": curve}}, nil
}

// plasticProjection returns the first projection whose plasticity rule is
// rule.
func plasticProjection(sc map[string]any, rule string) map[string]any {
	for _, p := range tables(sc, "projection") {
		if pl, ok := p["plasticity"].(map[string]any); ok && pl["rule"] == rule {
			return p
		}
	}
	return nil
}

// pairParams returns the pair rule parameters of a projection's plasticity
// table: its preset with the keys it overrides.
func pairParams(proj map[string]any) (stdp.PairParams, error) {
	pt, _ := proj["plasticity"].(map[string]any)
	p := stdp.DefaultPair()
	if name, ok := pt["preset"].(string); ok {
		if err := p.ApplyPreset(name); err != nil {
			return p, err
		}
	}
	for _, f := range []struct {
		key string
		dim snnsim.Dimension
		dst *float64
	}{{"a_plus", snnsim.Dimensionless, &p.APlus}, {"a_minus", snnsim.Dimensionless, &p.AMinus}, {"tau_plus", snnsim.TimeDim, &p.TauPlus}, {"tau_minus", snnsim.TimeDim, &p.TauMinus}} {
		if v, ok := pt[f.key]; ok {
			*f.dst = quantityIn(v, f.dim)
		}
	}
	return p, nil
}

// PairWindow returns the weight change of one isolated pre/post pairing
// of the additive pair rule at dt = t_post − t_pre [ms]: A+ exp(−dt/τ+)
// for dt > 0, −A− exp(dt/τ−) for dt < 0, 0 at dt = 0 (Song, Miller &
// Abbott 2000).
func PairWindow(p stdp.PairParams, dt float64) float64 {
	switch {
	case dt > 0:
		return p.APlus * math.Exp(-dt/p.TauPlus)
	case dt < 0:
		return -p.AMinus * math.Exp(dt/p.TauMinus)
	}
	return 0
}

// STDPWindowPlot draws stdp_window's weight change per pairing of each
// synapse (final minus initial weight, over the number of presynaptic
// spikes) against its pairing interval Δt = t_post − t_pre, the
// presynaptic spike taken at its arrival (spike time + delay), over the
// analytic window (PairWindow). Data: "simulated" (Δt [ms], Δw) and
// "analytic".
func STDPWindowPlot(path string, h spikelog.Header) (NamedPlot, error) {
	sc := scenarioTable(h)
	proj := plasticProjection(sc, "pair")
	if proj == nil {
		return NamedPlot{}, fmt.Errorf("no projection with a pair rule")
	}
	pp, err := pairParams(proj)
	if err != nil {
		return NamedPlot{}, err
	}
	pname, _ := proj["name"].(string)
	delay := quantityIn(proj["delay"], snnsim.TimeDim)
	wname := spikelog.WeightsPrefix + pname
	d, err := loadLog(path, 0, 0, func(s spikelog.Series) int {
		if s.Name == wname || s.Name == wname+"/"+spikelog.WhatPre || s.Name == wname+"/"+spikelog.WhatPost {
			return s.Width()
		}
		return 0
	})
	if err != nil {
		return NamedPlot{}, err
	}
	w, pre, post := d.series[wname], d.series[wname+"/pre"], d.series[wname+"/post"]
	if w == nil || pre == nil || post == nil || len(w.T) < 2 {
		return NamedPlot{}, fmt.Errorf("the log needs the weights of %s at the start and the end (a weights record with final = true)", pname)
	}
	times, err := spikeTimes(path)
	if err != nil {
		return NamedPlot{}, err
	}
	clock := h.Clock()
	var sim plotter.XYs
	first, last := w.V[0], w.V[len(w.V)-1]
	for j := range first {
		tp, tq := times[snnsim.NeuronID(pre.V[0][j])], times[snnsim.NeuronID(post.V[0][j])]
		if len(tp) == 0 || len(tq) == 0 {
			continue
		}
		dt := clock.Ms(tq[0]-tp[0]) - delay
		sim = append(sim, plotter.XY{X: dt, Y: (last[j] - first[j]) / float64(len(tp))})
	}
	slices.SortFunc(sim, func(a, b plotter.XY) int { return int(math.Copysign(1, a.X-b.X)) })
	lo, hi := sim[0].X, sim[len(sim)-1].X
	var neg, pos plotter.XYs
	for k := range 201 {
		dt := lo + (hi-lo)*float64(k)/200
		if dt < 0 {
			neg = append(neg, plotter.XY{X: dt, Y: PairWindow(pp, dt)})
		} else if dt > 0 {
			pos = append(pos, plotter.XY{X: dt, Y: PairWindow(pp, dt)})
		}
	}
	pl := newPlot(title(h, fmt.Sprintf("Pair STDP window: A+ = %g, A− = %g, τ± = %g/%g ms", pp.APlus, pp.AMinus, pp.TauPlus, pp.TauMinus)), "Δt = t_post − t_pre [ms]", "Δw per pairing")
	if err := addLine(pl, neg, palette[7], 1, false, "analytic"); err != nil {
		return NamedPlot{}, err
	}
	if err := addLine(pl, pos, palette[7], 1, false, ""); err != nil {
		return NamedPlot{}, err
	}
	if err := addPoints(pl, sim, nil, palette[0], draw.CircleGlyph{}, "simulated"); err != nil {
		return NamedPlot{}, err
	}
	ylo, yhi := 0.0, 0.0
	for _, p := range sim {
		ylo, yhi = min(ylo, p.Y), max(yhi, p.Y)
	}
	pl.Y.Min, pl.Y.Max = 1.3*ylo, 1.3*yhi
	return NamedPlot{Name: "stdp_window", Plot: pl, Data: map[string]plotter.XYs{"simulated": sim, "analytic": append(append(plotter.XYs{}, neg...), pos...)}}, nil
}

// SjostromData are the weight changes (mean and s.e.m., relative to the
// initial weight) that Sjöström, Turrigiano & Nelson (2001, Neuron 32:1149,
// Fig. 1) measured in visual cortex layer 5 for pairings at repetition
// rate Rate [Hz], post 10 ms after pre (Plus) or before it (Minus), as
// tabulated by Pfister & Gerstner (2006, J Neurosci 26:9673, Fig. 4),
// against which they fitted the triplet rule.
var SjostromData = []struct {
	Rate                      float64
	Plus, PlusSEM, Minus, SEM float64
}{
	{0.1, -0.04, 0.05, -0.29, 0.08},
	{10, 0.14, 0.10, -0.41, 0.11},
	{20, 0.29, 0.14, -0.34, 0.10},
	{40, 0.53, 0.11, 0.56, 0.32},
	{50, 0.56, 0.26, 0.75, 0.19},
}

// SjostromPlot draws sjostrom_frequency's relative weight change (last
// over first weight, minus 1) of the +10 ms and −10 ms synapses of each
// condition (projections plastic_<c>, synapse 0: +10 ms, 1: −10 ms)
// against the pairing rate (rate of the population pre_<c>), with the
// data of SjostromData. Data: "model +10 ms", "model −10 ms", "data +10
// ms", "data −10 ms" (rate [Hz], Δw/w).
func SjostromPlot(path string, h spikelog.Header) (NamedPlot, error) {
	sc := scenarioTable(h)
	d, err := loadLog(path, 0, 0, func(s spikelog.Series) int {
		if strings.HasPrefix(s.Name, spikelog.WeightsPrefix+"plastic_") && s.Unit != spikelog.UnitID {
			return 2
		}
		return 0
	})
	if err != nil {
		return NamedPlot{}, err
	}
	var plus, minus plotter.XYs
	for _, n := range d.order {
		s := d.series[n]
		c := strings.TrimPrefix(s.Projection, "plastic_")
		rate := param(named(sc, "population", "pre_"+c), "rate", snnsim.Frequency)
		if !isFinite(rate) || len(s.T) < 2 || len(s.V[0]) < 2 {
			continue
		}
		f, l := s.V[0], s.V[len(s.V)-1]
		plus = append(plus, plotter.XY{X: rate, Y: l[0]/f[0] - 1})
		minus = append(minus, plotter.XY{X: rate, Y: l[1]/f[1] - 1})
	}
	if len(plus) == 0 {
		return NamedPlot{}, fmt.Errorf("the log needs the weights of the plastic_<condition> projections at the start and the end (weights records with final = true)")
	}
	byX := func(a, b plotter.XY) int { return int(math.Copysign(1, a.X-b.X)) }
	slices.SortFunc(plus, byX)
	slices.SortFunc(minus, byX)
	var dp, dm plotter.XYs
	var ep, em []float64
	for _, r := range SjostromData {
		dp = append(dp, plotter.XY{X: r.Rate, Y: r.Plus})
		dm = append(dm, plotter.XY{X: r.Rate, Y: r.Minus})
		ep, em = append(ep, r.PlusSEM), append(em, r.SEM)
	}
	pl := newPlot("Frequency dependence of STDP: triplet rule against Sjöström et al. (2001)", "pairing rate ρ [Hz]", "Δw / w")
	zero := plotter.XYs{{X: 0, Y: 0}, {X: 52, Y: 0}}
	if err := addLine(pl, zero, color.Gray{170}, 0.8, true, ""); err != nil {
		return NamedPlot{}, err
	}
	for _, c := range []struct {
		model, data plotter.XYs
		errs        []float64
		col         color.Color
		label       string
	}{{plus, dp, ep, palette[0], "+10 ms"}, {minus, dm, em, palette[1], "−10 ms"}} {
		if err := addPoints(pl, c.data, c.errs, fade(c.col, 0.6), draw.BoxGlyph{}, "data "+c.label); err != nil {
			return NamedPlot{}, err
		}
		if err := addLine(pl, c.model, c.col, 1.5, false, ""); err != nil {
			return NamedPlot{}, err
		}
		if err := addPoints(pl, c.model, nil, c.col, draw.CircleGlyph{}, "model "+c.label); err != nil {
			return NamedPlot{}, err
		}
	}
	pl.X.Min = 0
	return NamedPlot{Name: "sjostrom_frequency", Plot: pl, Data: map[string]plotter.XYs{"model +10 ms": plus, "model −10 ms": minus, "data +10 ms": dp, "data −10 ms": dm}}, nil
}

// SongAbbottPlot draws the distribution of the plastic weights of
// song_abbott_competition (the series of its full weight matrix) at up to
// five times from the first to the last sample, on shared bin edges: the
// uniform start splitting towards the bounds. Data as addHistograms.
func SongAbbottPlot(path string, h spikelog.Header) (NamedPlot, error) {
	d, err := loadLog(path, 0, 0, func(s spikelog.Series) int {
		if s.What == spikelog.WhatWeights && s.Unit != spikelog.UnitID && s.Width() > 100 {
			return s.Width()
		}
		return 0
	})
	if err != nil {
		return NamedPlot{}, err
	}
	if len(d.order) == 0 {
		return NamedPlot{}, fmt.Errorf("the log has no weights series of more than 100 synapses")
	}
	s := d.series[d.order[0]]
	idx := []int{0}
	for _, f := range []float64{0.1, 0.3, 0.6} {
		if k := int(f * float64(len(s.T)-1)); k > idx[len(idx)-1] {
			idx = append(idx, k)
		}
	}
	if k := len(s.T) - 1; k > idx[len(idx)-1] {
		idx = append(idx, k)
	}
	var sets []sampleAt
	for _, k := range idx {
		sets = append(sets, sampleAt{s.V[k], s.T[k]})
	}
	clock := h.Clock()
	pl := newPlot(title(h, fmt.Sprintf("Weights of %s over time (%d synapses)", s.Projection, len(s.V[0]))), "weight ["+s.Unit+"]", "synapses")
	data, err := addHistograms(pl, sets, clock, clock.Ms(s.T[len(s.T)-1]-s.T[0]))
	if err != nil {
		return NamedPlot{}, err
	}
	return NamedPlot{Name: "song_abbott_weights", Plot: pl, Data: data}, nil
}

// ZenkePlot draws, for each synapse of a "synapses" record of a
// zenke_2015 projection, its reference weight w̃ (solid) and its weight w
// (dashed) over time: w̃ relaxing to the well on the side of w (Zenke,
// Agnes & Gerstner 2015). Data: "w̃[<synapse>]", "w[<synapse>]".
func ZenkePlot(path string, h spikelog.Header) (NamedPlot, error) {
	d, err := loadLog(path, 0, 0, func(s spikelog.Series) int {
		if strings.HasPrefix(s.Name, spikelog.SynapsesPrefix) && (s.What == "w" || s.What == "w_ref") {
			return 8
		}
		return 0
	})
	if err != nil {
		return NamedPlot{}, err
	}
	var w, wr *seriesData
	for _, n := range d.order {
		switch d.series[n].What {
		case "w":
			w = d.series[n]
		case "w_ref":
			wr = d.series[n]
		}
	}
	if w == nil || wr == nil {
		return NamedPlot{}, fmt.Errorf("the log needs a synapses record of w and w_ref")
	}
	clock := h.Clock()
	scale, xl := timeAxis(clock.Ms(d.end - wr.T[0]))
	pl := newPlot(title(h, "Reference weight w_ref (solid) and weight w (dashed)"), xl, "weight"+unitSuffix(wr.Unit))
	n := len(wr.V[0])
	cols := colours(n)
	data := map[string]plotter.XYs{}
	for j := range n {
		for _, c := range []struct {
			s      *seriesData
			sym    string
			dashed bool
		}{{wr, "w̃", false}, {w, "w", true}} {
			xy := make(plotter.XYs, len(c.s.T))
			for k := range c.s.T {
				xy[k] = plotter.XY{X: clock.Ms(c.s.T[k]) * scale, Y: c.s.V[k][j]}
			}
			label := fmt.Sprintf("%s[%d]", c.sym, c.s.Indices[j])
			name := ""
			if !c.dashed {
				name = fmt.Sprintf("synapse %d: w = %.3g", c.s.Indices[j], w.V[0][j])
			}
			if err := addLine(pl, xy, cols[j], 1.3, c.dashed, name); err != nil {
				return NamedPlot{}, err
			}
			data[label] = xy
		}
	}
	return NamedPlot{Name: "zenke_reference_weight", Plot: pl, Data: data}, nil
}

func unitSuffix(u string) string {
	if u == "" {
		return ""
	}
	return " [" + u + "]"
}

// mcFloor is the lowest SNR a memory-curve figure shows: far below the
// lifetime's SNR = 1, and a floor for the exact curves' exponential tails.
const mcFloor = 0.01

// MemoryCurvesPlot draws the memory curves of a [memory_curves] run (the
// table at path, MemoryCurvesName): for each model the Monte-Carlo SNR ±
// its standard error against the number t of memories stored after the
// tracked one, over the exact curve, on log–log axes (t ≥ 1), with the
// line SNR = 1 that defines the lifetime. Data: "<model>" (t, SNR) and
// "<model> exact".
func MemoryCurvesPlot(path string) (NamedPlot, error) {
	f, err := os.Open(path)
	if err != nil {
		return NamedPlot{}, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return NamedPlot{}, fmt.Errorf("%s: %w", path, err)
	}
	if len(rows) < 2 || !slices.Equal(rows[0], []string{"model", "t", "snr", "se", "exact"}) {
		return NamedPlot{}, fmt.Errorf("%s: want the columns model, t, snr, se, exact", path)
	}
	type curve struct {
		mc, exact plotter.XYs
		se        []float64
	}
	curves := map[string]*curve{}
	var order []string
	for i, r := range rows[1:] {
		var v [4]float64
		for k := range v {
			x, err := strconv.ParseFloat(r[k+1], 64)
			if err != nil {
				return NamedPlot{}, fmt.Errorf("%s:%d: column %s: %w", path, i+2, rows[0][k+1], err)
			}
			v[k] = x
		}
		if v[0] < 1 {
			continue // t = 0 has no place on a log axis
		}
		c := curves[r[0]]
		if c == nil {
			c = &curve{}
			curves[r[0]] = c
			order = append(order, r[0])
		}
		if !isFinite(v[0]) {
			continue
		}
		if v[1] > 0 && isFinite(v[1]) {
			c.mc = append(c.mc, plotter.XY{X: v[0], Y: v[1]})
			// A lower error bar reaching 0 is cut just above it on a log axis.
			se := v[2]
			if !(se >= 0) || math.IsInf(se, 0) {
				se = 0
			}
			c.se = append(c.se, min(se, v[1]*0.999))
		}
		if v[3] >= mcFloor && isFinite(v[3]) {
			c.exact = append(c.exact, plotter.XY{X: v[0], Y: v[3]})
		}
	}
	pl := newPlot("Memory curves: exact (lines), Monte Carlo ± s.e. (points)", "memories stored after the tracked one, t", "SNR")
	pl.X.Scale, pl.Y.Scale = plot.LogScale{}, plot.LogScale{}
	pl.X.Tick.Marker, pl.Y.Tick.Marker = logTicks{}, logTicks{}
	drawable := false
	for _, c := range curves {
		drawable = drawable || len(c.mc) > 0 || len(c.exact) > 0
	}
	if !drawable {
		return NamedPlot{}, fmt.Errorf("%s: no SNR of at least %g at t >= 1 to draw", path, mcFloor)
	}
	cols := colours(len(order))
	data := map[string]plotter.XYs{}
	xmax := 1.0
	for i, name := range order {
		c := curves[name]
		if len(c.exact) > 0 {
			if err := addLine(pl, c.exact, cols[i], 1, false, ""); err != nil {
				return NamedPlot{}, err
			}
		}
		if len(c.mc) > 0 {
			if err := addPoints(pl, c.mc, c.se, cols[i], draw.CircleGlyph{}, ""); err != nil {
				return NamedPlot{}, err
			}
			xmax = max(xmax, c.mc[len(c.mc)-1].X)
		}
		// One legend entry per model: its line and its marker.
		pl.Legend.Add(name, &plotter.Line{LineStyle: draw.LineStyle{Color: cols[i], Width: vg.Points(1)}},
			&plotter.Scatter{GlyphStyle: draw.GlyphStyle{Color: cols[i], Radius: vg.Points(3), Shape: draw.CircleGlyph{}}})
		data[name], data[name+" exact"] = c.mc, c.exact
	}
	if err := addLine(pl, plotter.XYs{{X: 1, Y: 1}, {X: xmax, Y: 1}}, color.Gray{120}, 0.8, true, "SNR = 1"); err != nil {
		return NamedPlot{}, err
	}
	pl.Y.Min = mcFloor
	pl.Y.Max = max(pl.Y.Max, 2*mcFloor)
	pl.X.Max = max(pl.X.Max, 10)
	return NamedPlot{Name: "memory_curves", Plot: pl, Data: data}, nil
}

// logTicks puts major ticks, labelled, at the powers of ten and minor ticks
// at their multiples 2 to 9.
type logTicks struct{}

// Ticks implements plot.Ticker.
func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(lo > 0) || !(hi > lo) {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	var ticks []plot.Tick
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		p := math.Pow(10, e)
		for m := 1.0; m < 10; m++ {
			v := m * p
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 {
				t.Label = strconv.FormatFloat(v, 'g', -1, 64)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}
