package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/consolidation"
	"github.com/snnsim/snnsim/runner"
	"github.com/snnsim/snnsim/scenario"
)

// maxLifetime bounds the search for the exact lifetime [memories].
const maxLifetime = 1 << 40

// MemoryCurvesSummary is the summary.json of a memory-curve scenario: the
// fields of [Summary] (those about spikes, ticks and simulated time are
// zero, and populations is empty) followed by the experiment and its
// results.
type MemoryCurvesSummary struct {
	Summary
	Kind     string               `json:"kind"` // "memory_curves"
	CSV      string               `json:"csv"`  // the curves' file in the run directory
	Synapses int                  `json:"synapses"`
	Trials   int                  `json:"trials"`
	Start    string               `json:"start"` // "equilibrium" or "model"
	BurnIn   int                  `json:"burn_in"`
	Memories []int                `json:"memories"` // the ages t, as in every model's arrays
	Models   []MemoryCurveSummary `json:"models"`   // in scenario order; those run
}

// MemoryCurveSummary is one model's memory curve in the summary. The
// arrays are indexed like Memories; a value that is not finite (a z-score
// with a zero standard error) is null.
type MemoryCurveSummary struct {
	Name     string      `json:"name"`
	Model    string      `json:"model"`
	Seed     uint64      `json:"seed"`      // the experiment's seed (stream memory_curves/<name>)
	SNR      []jsonFloat `json:"snr"`       // mean over trials of the SNR
	SE       []jsonFloat `json:"se"`        // its standard error
	Exact    []jsonFloat `json:"exact"`     // the exact SNR
	Z        []jsonFloat `json:"z"`         // (snr − exact)/se
	NullMean []jsonFloat `json:"null_mean"` // the null pattern's mean overlap/s.d. (expected 0)
	NullSD   []jsonFloat `json:"null_sd"`   // and its s.d. over trials (expected 1)
	// LifetimeMC is the first measured t with SNR < 1, or null when the
	// SNR stays above 1 at every measured t.
	LifetimeMC *int `json:"lifetime_mc"`
	// LifetimeExact is the first integer t with exact SNR < 1, or null
	// when there is no exact curve or none below 2^40 memories.
	LifetimeExact *int    `json:"lifetime_exact"`
	WallS         float64 `json:"wall_s"`
}

// jsonFloat is a float64 that JSON encodes as null when it is not finite.
type jsonFloat float64

// MarshalJSON writes the number, or null for NaN and ±Inf.
func (f jsonFloat) MarshalJSON() ([]byte, error) {
	x := float64(f)
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(x)
}

func jsonFloats(x []float64) []jsonFloat {
	out := make([]jsonFloat, len(x))
	for i, v := range x {
		out[i] = jsonFloat(v)
	}
	return out
}

// memoryCurvesFlags refuses the flags that do not apply to a
// [memory_curves] scenario.
func memoryCurvesFlags(path string, o runOptions) error {
	for _, f := range []struct{ flag, v string }{{"--duration", o.duration}, {"--checkpoint-every", o.every}, {"--stop-at", o.until}} {
		if f.v != "" {
			return fmt.Errorf("%s: %s does not apply to a [memory_curves] scenario, whose time is counted in memories (set memory_curves.memories instead)", path, f.flag)
		}
	}
	return nil
}

// runMemoryCurves runs a [memory_curves] scenario: for each model the
// Monte-Carlo memory curve and the exact one, printed as a table and
// written to memory_curves.csv and summary.json in the run directory.
// SIGINT or SIGTERM stops it after the model being run, with the files
// written for the models done (summary completed = false, exit code 130).
// The run directory dir is claimed by the caller.
func runMemoryCurves(ctx context.Context, path string, sc *scenario.Scenario, o runOptions, dir string, stdout, stderr io.Writer) (int, error) {
	spec := sc.MemoryCurves
	quiet := o.progress == "none"
	last := spec.Memories[len(spec.Memories)-1]
	fmt.Fprintf(stderr, "snnsim: %s: memory curves of %d models, %d synapses, %d trials, t up to %d, seed %d -> %s\n",
		path, len(spec.Models), spec.Synapses, spec.Trials, last, sc.Seed, dir)

	sum := MemoryCurvesSummary{
		Summary: Summary{Scenario: sc.Name, File: sc.File, Seed: sc.Seed, Version: snnsim.BuildVersion(),
			Populations: []PopulationSummary{}},
		Kind: "memory_curves", CSV: MemoryCurvesCSV, Synapses: spec.Synapses, Trials: spec.Trials,
		Start: startName(spec.Start), BurnIn: spec.BurnIn, Memories: spec.Memories,
	}
	start := time.Now()
	var results []consolidation.MemoryCurveResult
	interrupted := false
	for i, m := range spec.Models {
		if ctx.Err() != nil {
			interrupted = true
			break
		}
		cfg := spec.Config(sc.Seed, i)
		t0 := time.Now()
		res, err := cfg.Run(m.Params)
		if err != nil {
			return 1, fmt.Errorf("%s: memory_curves.model[%d] (%s): %w", path, i, m.Name, err)
		}
		life, found, err := exactLifetime(m.Params, spec.Synapses)
		if err != nil {
			return 1, fmt.Errorf("%s: memory_curves.model[%d] (%s): exact lifetime: %w", path, i, m.Name, err)
		}
		wall := time.Since(t0).Seconds()
		if !quiet {
			fmt.Fprintf(stderr, "snnsim: %s: %d trials × %d synapses × %d memories in %.2f s\n",
				m.Name, spec.Trials, spec.Synapses, spec.BurnIn+last+1, wall)
		}
		ms := MemoryCurveSummary{Name: m.Name, Model: m.Params.Model(), Seed: cfg.Seed,
			SNR: jsonFloats(res.SNR), SE: jsonFloats(res.SE), Exact: jsonFloats(res.Exact), Z: jsonFloats(zScores(res)),
			NullMean: jsonFloats(res.NullMean), NullSD: jsonFloats(res.NullSD), WallS: wall}
		if t, ok := mcLifetime(res); ok {
			ms.LifetimeMC = &t
		}
		if found {
			ms.LifetimeExact = &life
		}
		sum.Models = append(sum.Models, ms)
		results = append(results, res)
		printMemoryCurve(stdout, m, res, ms)
	}
	sum.WallS = time.Since(start).Seconds()
	sum.Completed = !interrupted
	csvPath, sumPath := filepath.Join(dir, MemoryCurvesCSV), filepath.Join(dir, SummaryName)
	if err := errors.Join(writeMemoryCurvesCSV(csvPath, spec, results), runner.WriteSummary(sumPath, sum)); err != nil {
		return 1, err
	}
	if interrupted {
		fmt.Fprintf(stderr, "snnsim: interrupted after %d of %d models; %s and %s hold those\n", len(results), len(spec.Models), csvPath, sumPath)
		return 130, nil
	}
	fmt.Fprintf(stdout, "ran %d models in %.3f s wall\nwrote %s and %s\n", len(results), sum.WallS, csvPath, sumPath)
	return 0, nil
}

// startName names a MemoryStart as the scenario key start does.
func startName(s consolidation.MemoryStart) string {
	if s == consolidation.StartModel {
		return "model"
	}
	return "equilibrium"
}

// zScores returns (SNR − exact)/s.e. at each t.
func zScores(r consolidation.MemoryCurveResult) []float64 {
	z := make([]float64, len(r.Times))
	for i := range z {
		z[i] = (r.SNR[i] - r.Exact[i]) / r.SE[i]
	}
	return z
}

// mcLifetime returns the first measured t at which the Monte-Carlo SNR is
// below 1.
func mcLifetime(r consolidation.MemoryCurveResult) (int, bool) {
	for i, t := range r.Times {
		if r.SNR[i] < 1 {
			return t, true
		}
	}
	return 0, false
}

// exactLifetime returns the first integer t at which the exact SNR of n
// synapses, √n·curve(t), is below 1. It checks every t up to 2^14 (early
// curves need not decrease: the cascade's SNR rises from t = 1 to 2), then
// doubles t until the SNR is below 1 and bisects, the late curve being
// decreasing. found is false without an exact curve or when the SNR stays
// at or above 1 up to maxLifetime.
func exactLifetime(p consolidation.Params, n int) (t int, found bool, err error) {
	curve, ok := consolidation.ExactMemoryCurve(p)
	if !ok {
		return 0, false, nil
	}
	scale := math.Sqrt(float64(n))
	const scan, chunk = 1 << 14, 1 << 10
	ts := make([]int, chunk)
	for from := 0; from < scan; from += chunk {
		for i := range ts {
			ts[i] = from + i
		}
		v, err := curve(ts)
		if err != nil {
			return 0, false, err
		}
		for i, x := range v {
			if scale*x < 1 {
				return ts[i], true, nil
			}
		}
	}
	below := func(t int) (bool, error) {
		v, err := curve([]int{t})
		if err != nil {
			return false, err
		}
		return scale*v[0] < 1, nil
	}
	lo, hi := scan-1, 2*scan // SNR(lo) >= 1
	for {
		b, err := below(hi)
		if err != nil {
			return 0, false, err
		}
		if b {
			break
		}
		if hi >= maxLifetime {
			return 0, false, nil
		}
		lo, hi = hi, 2*hi
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		b, err := below(mid)
		if err != nil {
			return 0, false, err
		}
		if b {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi, true, nil
}

// printMemoryCurve prints one model's table and lifetimes.
func printMemoryCurve(w io.Writer, m *scenario.MemoryCurveModel, r consolidation.MemoryCurveResult, s MemoryCurveSummary) {
	fmt.Fprintf(w, "%s (%s): N = %d synapses, %d trials\n", m.Name, r.Model, r.N, r.Trials)
	fmt.Fprintf(w, "%8s  %8s   %-6s  %10s  %6s\n", "t", "SNR", "s.e.", "exact", "z")
	for i, t := range r.Times {
		fmt.Fprintf(w, "%8d  %8.3f ± %-6.3f  %10s  %6.2f\n", t, r.SNR[i], r.SE[i], fmtExact(r.Exact[i]), float64(s.Z[i]))
	}
	mc, ex := "none measured", "none"
	if s.LifetimeMC != nil {
		mc = "t = " + strconv.Itoa(*s.LifetimeMC)
		if i := indexOf(r.Times, *s.LifetimeMC); i > 0 {
			mc += fmt.Sprintf(" (between %d and %d)", r.Times[i-1], r.Times[i])
		}
	}
	if s.LifetimeExact != nil {
		ex = "t = " + strconv.Itoa(*s.LifetimeExact)
	}
	fmt.Fprintf(w, "lifetime (first t with SNR < 1): Monte Carlo %s; exact %s\n\n", mc, ex)
}

// fmtExact formats an exact SNR with three decimals, or in exponent form
// when it is too small for them.
func fmtExact(x float64) string {
	if x != 0 && math.Abs(x) < 0.01 {
		return strconv.FormatFloat(x, 'e', 2, 64)
	}
	return strconv.FormatFloat(x, 'f', 3, 64)
}

func indexOf(x []int, v int) int {
	for i, y := range x {
		if y == v {
			return i
		}
	}
	return -1
}

// writeMemoryCurvesCSV writes the curves, one row per model and t, with
// the columns model, t, snr, se, exact.
func writeMemoryCurvesCSV(path string, spec *scenario.MemoryCurvesSpec, results []consolidation.MemoryCurveResult) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	num := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	w.Write([]string{"model", "t", "snr", "se", "exact"})
	for k, r := range results {
		for i, t := range r.Times {
			w.Write([]string{spec.Models[k].Name, strconv.Itoa(t), num(r.SNR[i]), num(r.SE[i]), num(r.Exact[i])})
		}
	}
	w.Flush()
	return errors.Join(w.Error(), f.Close())
}
