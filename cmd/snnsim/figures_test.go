package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/snnsim/snnsim/analysis"
	"github.com/snnsim/snnsim/spikelog"
)

// runShipped runs a shipped scenario into a temporary directory and
// returns the run directory.
func runShipped(tb testing.TB, name string, extra ...string) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), name)
	args := append(append([]string{"run", "../../scenarios/" + name + ".toml", "--out", dir, "--progress", "none"}, oneWorker...), extra...)
	var out bytes.Buffer
	if code := run(args, &out, &out); code != 0 {
		tb.Fatalf("snnsim %v: exit %d\n%s", args, code, out.String())
	}
	return dir
}

// figure returns the default figure called name of a run.
func figure(t *testing.T, dir, name string, o analysis.PlotOptions) analysis.NamedPlot {
	t.Helper()
	ps, err := analysis.DefaultFigures(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range ps {
		if p.Name == name {
			// Every figure must also render.
			if err := p.Save(filepath.Join(t.TempDir(), name+".png"), 16*vg.Centimeter, 10*vg.Centimeter, 72); err != nil {
				t.Fatal(err)
			}
			return p
		}
		names = append(names, p.Name)
	}
	t.Fatalf("no figure %q among %v", name, names)
	return analysis.NamedPlot{}
}

// TestFigureFICurve checks the plotted f–I points of lif_fi_curve against
// the analytic rate of the LIF neuron, 1/(t_ref + τ ln((RI − (v_reset −
// v_rest))/(RI − (v_th − v_rest)))) with the scenario's τ = 20 ms, R =
// 100 MΩ, t_ref = 2 ms, v_rest = v_reset = −70 mV, v_th = −50 mV: the
// simulated interspike interval is the analytic one rounded up to the
// 0.1 ms tick grid, so the rate lies in (1/(T + dt), 1/T].
func TestFigureFICurve(t *testing.T) {
	p := figure(t, runShipped(t, "lif_fi_curve"), "fi_curve", analysis.PlotOptions{})
	pts := p.Data["measured"]
	if len(pts) != 12 {
		t.Fatalf("%d points, want one per neuron (12)", len(pts))
	}
	for _, q := range pts {
		ri := 100 * q.X / 1000 // mV: 100 MΩ × I [pA]
		T := 2 + 20*math.Log(ri/(ri-20))
		lo, hi := 1000/(T+0.1), 1000/T
		if !(q.Y > lo-1e-9 && q.Y <= hi+1e-9) {
			t.Errorf("I = %g pA: plotted %.6g Hz, analytic %.6g Hz: outside the tick-grid range (%.6g, %.6g]", q.X, q.Y, hi, lo, hi)
		}
	}
	// The analytic curve passes through the same values.
	for _, q := range p.Data["analytic"] {
		if ri := 100 * q.X / 1000; ri > 20 {
			if want := 1000 / (2 + 20*math.Log(ri/(ri-20))); math.Abs(q.Y-want) > 1e-9*want {
				t.Fatalf("analytic curve at %g pA: %g Hz, want %g Hz", q.X, q.Y, want)
			}
		}
	}
}

// TestFigureSTDPWindow checks the plotted window of stdp_window: 21
// synapses at Δt = −100, −90, ..., 100 ms, each with the weight change per
// pairing of the Song, Miller & Abbott (2000) window, A+ e^{−Δt/τ} = 0.01
// e^{−Δt/20 ms} for Δt > 0 and −A− e^{Δt/τ} = −0.0105 e^{Δt/20 ms} for
// Δt < 0, 0 at Δt = 0 (pairs 1 s apart do not interact).
func TestFigureSTDPWindow(t *testing.T) {
	p := figure(t, runShipped(t, "stdp_window"), "stdp_window", analysis.PlotOptions{})
	pts := p.Data["simulated"]
	if len(pts) != 21 {
		t.Fatalf("%d points, want 21", len(pts))
	}
	for j, q := range pts {
		dt := float64(10*j - 100)
		want := 0.0
		switch {
		case dt > 0:
			want = 0.01 * math.Exp(-dt/20)
		case dt < 0:
			want = -0.0105 * math.Exp(dt/20)
		}
		// Weights are stored in single precision: 60 additions to about 1.
		if math.Abs(q.X-dt) > 1e-9 || math.Abs(q.Y-want) > 60*1.2e-7/60 {
			t.Errorf("point %d: (%g ms, %.9g), want (%g ms, %.9g)", j, q.X, q.Y, dt, want)
		}
	}
}

// TestFigureSjostrom checks that every model point of the frequency
// figure lies within 2 s.e.m. of the data of Sjöström, Turrigiano &
// Nelson (2001) as tabulated by Pfister & Gerstner (2006), the pass
// criterion of the triplet rule.
func TestFigureSjostrom(t *testing.T) {
	p := figure(t, runShipped(t, "sjostrom_frequency"), "sjostrom_frequency", analysis.PlotOptions{})
	data := map[float64][4]float64{ // rate: +10 mean, s.e.m., −10 mean, s.e.m.
		0.1: {-0.04, 0.05, -0.29, 0.08}, 10: {0.14, 0.10, -0.41, 0.11}, 20: {0.29, 0.14, -0.34, 0.10},
		40: {0.53, 0.11, 0.56, 0.32}, 50: {0.56, 0.26, 0.75, 0.19},
	}
	for k, key := range []string{"model +10 ms", "model −10 ms"} {
		pts := p.Data[key]
		if len(pts) != 5 {
			t.Fatalf("%s: %d points, want 5", key, len(pts))
		}
		for _, q := range pts {
			d, ok := data[q.X]
			if !ok {
				t.Fatalf("%s: rate %g Hz is not one of the data's", key, q.X)
			}
			if m, sem := d[2*k], d[2*k+1]; math.Abs(q.Y-m) > 2*sem {
				t.Errorf("%s at %g Hz: Δw/w = %.3f, data %.2f ± %.2f", key, q.X, q.Y, m, sem)
			}
		}
	}
}

// TestFigureCapture checks the tagging-and-capture figure of stc_capture
// against the log read directly: S1 and S2 on the same axes, each the
// change of the pathway's mean efficacy from its first sample in %, the
// time axis in hours; the lower panel's protein is the log's protein over
// its maximum.
func TestFigureCapture(t *testing.T) {
	dir := runShipped(t, "stc_capture")
	p := figure(t, dir, "capture_N", analysis.PlotOptions{})
	if p.Lower == nil || !strings.Contains(p.Plot.X.Label.Text, "[h]") {
		t.Fatalf("want two panels and a time axis in h; lower %v, x label %q", p.Lower != nil, p.Plot.X.Label.Text)
	}
	r, err := spikelog.Open(filepath.Join(dir, LogName))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	logged := map[string][]spikelog.Sample{}
	for s := range r.Samples(spikelog.SampleFilter{}) {
		name := r.Series()[s.Series].Name
		logged[name] = append(logged[name], spikelog.Sample{T: s.T, Values: append([]float64(nil), s.Values...)})
	}
	check := func(key, series string, f func(v, first, max float64) float64) {
		t.Helper()
		got, want := p.Data[key], logged[series]
		if len(got) != len(want) || len(got) != 601 { // every minute and after the last tick
			t.Fatalf("%s: %d points, log %d samples", key, len(got), len(want))
		}
		mx := 0.0
		for _, s := range want {
			mx = max(mx, math.Abs(s.Values[0]))
		}
		for k, s := range want {
			y := f(s.Values[0], want[0].Values[0], mx)
			if x := float64(s.T) / 3600e3; math.Abs(got[k].X-x) > 1e-12 || math.Abs(got[k].Y-y) > 1e-9*math.Max(1, math.Abs(y)) {
				t.Fatalf("%s point %d: (%g, %g), log gives (%g, %g)", key, k, got[k].X, got[k].Y, x, y)
			}
		}
	}
	pct := func(v, first, _ float64) float64 { return 100 * (v/first - 1) }
	check("S1_to_N", "pathway/S1_to_N/efficacy/mean", pct)
	check("S2_to_N", "pathway/S2_to_N/efficacy/mean", pct)
	check("protein", "neuron_state/N/protein", func(v, _, mx float64) float64 { return v / mx })
	// S2 is captured: still potentiated at the end of the run.
	if s2 := p.Data["S2_to_N"]; s2[len(s2)-1].Y < 5 {
		t.Errorf("S2 at the end: %+.1f %%, want captured (>= +5 %%)", s2[len(s2)-1].Y)
	}
}

// TestFigureZenke checks the reference weights plotted for
// zenke_reference_weight against a fine Runge–Kutta solution of τ dw̃/dt =
// (w − w̃) − P w̃ (w_P/2 − w̃)(w_P − w̃) (Zenke et al. 2015; P = 20, w_P =
// 0.5, τ = 20 min) from w̃ = w: the model's forward Euler steps of 1.2 s
// (τ/1000) stay within 1e-3 of it; w = 0.25 sits on the unstable fixed
// point and stays.
func TestFigureZenke(t *testing.T) {
	p := figure(t, runShipped(t, "zenke_reference_weight"), "zenke_reference_weight", analysis.PlotOptions{})
	ws := []float64{0.1, 0.2, 0.24, 0.25, 0.26, 0.3, 0.45}
	f := func(w, x float64) float64 { return ((w - x) - 20*x*(0.25-x)*(0.5-x)) / 1.2e6 }
	for j, w := range ws {
		pts := p.Data[fmt.Sprintf("w̃[%d]", j)]
		if len(pts) < 100 {
			t.Fatalf("synapse %d: %d points", j, len(pts))
		}
		x, tm := w, 0.0
		const h = 100.0 // ms
		for _, q := range pts {
			for target := q.X * 3600e3; tm+h <= target; tm += h {
				k1 := f(w, x)
				k2 := f(w, x+h/2*k1)
				k3 := f(w, x+h/2*k2)
				k4 := f(w, x+h*k3)
				x += h / 6 * (k1 + 2*k2 + 2*k3 + k4)
			}
			if math.Abs(q.Y-x) > 1e-3 {
				t.Fatalf("synapse %d (w = %g) at %.3f h: w̃ = %.5f, Runge–Kutta %.5f", j, w, q.X, q.Y, x)
			}
		}
		end := pts[len(pts)-1]
		if math.Abs(end.X-3) > 1e-6 {
			t.Errorf("synapse %d: last sample at %g h, want the end of the run (3 h)", j, end.X)
		}
	}
}

// TestFigureMemoryCurves checks the memory-curve figure against the
// table the run wrote, and the Monte-Carlo points against the exact curve
// within 5 standard errors.
func TestFigureMemoryCurves(t *testing.T) {
	dir := runShipped(t, "memory_curves", "--set", "memory_curves.synapses=1000", "--set", "memory_curves.trials=8")
	p := figure(t, dir, "memory_curves", analysis.PlotOptions{})
	f, err := os.Open(filepath.Join(dir, analysis.MemoryCurvesName))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, r := range rows[1:] {
		var v [4]float64
		for k := range v {
			v[k], _ = strconv.ParseFloat(r[k+1], 64)
		}
		if v[0] < 1 || v[1] <= 0 {
			continue
		}
		q := p.Data[r[0]][n[r[0]]]
		n[r[0]]++
		if q.X != v[0] || q.Y != v[1] {
			t.Errorf("%s: plotted (%g, %g), table (%g, %g)", r[0], q.X, q.Y, v[0], v[1])
		}
		if math.Abs(v[1]-v[3]) > 5*v[2] {
			t.Errorf("%s at t = %g: SNR %g ± %g, exact %g", r[0], v[0], v[1], v[2], v[3])
		}
	}
	if len(n) != 3 {
		t.Errorf("models plotted: %v, want 3", n)
	}
}

// TestFigureSongAbbott checks the weight-distribution figure: every
// histogram counts the 1000 synapses, the last is the final sample at the
// end of the run (100 s), and the weights have moved to the bounds.
func TestFigureSongAbbott(t *testing.T) {
	p := figure(t, runShipped(t, "song_abbott_competition"), "song_abbott_weights", analysis.PlotOptions{})
	first, last := p.Data["t = 0 s"], p.Data["t = 100 s"]
	if first == nil || last == nil {
		t.Fatalf("histograms %v: want t = 0 s and t = 100 s", keysOf(p.Data))
	}
	edge := func(h plotter.XYs) float64 { // synapses in the outer 10 % of the range
		var n float64
		for k, q := range h {
			if k < 3 || k >= len(h)-3 {
				n += q.Y
			}
		}
		return n
	}
	for name, h := range p.Data {
		var n float64
		for _, q := range h {
			n += q.Y
		}
		if n != 1000 {
			t.Errorf("%s: %g synapses, want 1000", name, n)
		}
	}
	if edge(last) < 1.5*edge(first) {
		t.Errorf("synapses near the bounds: %g at 0 s, %g at 100 s: no competition", edge(first), edge(last))
	}
}

func keysOf[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// BenchmarkCUBARaster draws the raster of a 10 s CUBA run (about 220 000
// spikes) as a PNG, within the default spike budget and with a budget
// above the spike count (every spike drawn), and reports the peak heap.
// Run: go test ./cmd/snnsim -run XXX -bench CUBARaster -benchtime 3x
func BenchmarkCUBARaster(b *testing.B) {
	dir := runShipped(b, "cuba")
	for _, budget := range []int{0, 1 << 30} {
		b.Run(fmt.Sprintf("budget=%d", budget), func(b *testing.B) {
			b.ReportAllocs()
			var peak uint64
			for b.Loop() {
				p, err := analysis.RasterPlot(filepath.Join(dir, LogName), analysis.PlotOptions{MaxSpikes: budget})
				if err != nil {
					b.Fatal(err)
				}
				if err := p.Save(filepath.Join(b.TempDir(), "raster.png"), 16*vg.Centimeter, 10*vg.Centimeter, 150); err != nil {
					b.Fatal(err)
				}
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapSys)
			}
			b.ReportMetric(float64(peak)/1e6, "heap-MB")
		})
	}
}

// TestFigureRasterBudget checks the raster of the 10 s CUBA run (about
// 220 000 spikes) with a budget of 20 000: it shows a round window from
// the start holding about the budget (500 ms), and its title states the
// window and the spikes drawn and in all, which the log confirms.
func TestFigureRasterBudget(t *testing.T) {
	dir := runShipped(t, "cuba")
	p := figure(t, dir, "raster", analysis.PlotOptions{MaxSpikes: 20000})
	r, err := spikelog.Open(filepath.Join(dir, LogName))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var in, all int
	for s := range r.Spikes(spikelog.Filter{}) {
		all++
		if s.T < 5000 { // 500 ms at 0.1 ms
			in++
		}
	}
	want := fmt.Sprintf("first 500 ms of 10 s (%d of %d spikes; budget 20000)", in, all)
	if !strings.Contains(p.Plot.Title.Text, want) || p.Plot.X.Min != 0 || p.Plot.X.Max != 500 {
		t.Errorf("title %q, x from %g to %g; want %q from 0 to 500 ms", p.Plot.Title.Text, p.Plot.X.Min, p.Plot.X.Max, want)
	}
	if in < 8000 || in > 20000 {
		t.Errorf("%d spikes in the window: not about the budget", in)
	}
}
