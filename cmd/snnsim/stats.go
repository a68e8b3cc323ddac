package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"

	"github.com/snnsim/snnsim/analysis"
	"github.com/snnsim/snnsim/spikelog"
)

// statsJSON is the output of snnsim stats --json. NaN (not computable)
// becomes null.
type statsJSON struct {
	Log         string            `json:"log"`
	FromMs      float64           `json:"from_ms"`
	ToMs        float64           `json:"to_ms"`
	End         string            `json:"end"`
	Populations []popStatsJSON    `json:"populations"`
	Series      []seriesStatsJSON `json:"series"`
}

type popStatsJSON struct {
	Name      string   `json:"name"`
	Size      int      `json:"size"`
	Recorded  bool     `json:"recorded"`
	Spikes    int64    `json:"spikes"`
	Active    int      `json:"active"`
	RateHz    *float64 `json:"rate_hz"`
	CV        *float64 `json:"isi_cv"`
	CVNeurons int      `json:"isi_cv_neurons"`
	Fano      *float64 `json:"fano"`
	Sync      *float64 `json:"synchrony_chi"`
}

type seriesStatsJSON struct {
	Name    string    `json:"name"`
	What    string    `json:"what"`
	Unit    string    `json:"unit"`
	Of      string    `json:"of"`
	Samples int64     `json:"samples"`
	Mean    *float64  `json:"mean"`
	SD      *float64  `json:"sd"`
	Min     *float64  `json:"min"`
	Max     *float64  `json:"max"`
	First   *distJSON `json:"first,omitempty"`
	Last    *distJSON `json:"last,omitempty"`
}

type distJSON struct {
	TMs    float64  `json:"t_ms"`
	N      int      `json:"n"`
	Mean   *float64 `json:"mean"`
	SD     *float64 `json:"sd"`
	Q05    *float64 `json:"q05"`
	Median *float64 `json:"median"`
	Q95    *float64 `json:"q95"`
}

func num(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

// cmdStats prints spike statistics per population and summaries of the
// sampled series.
func cmdStats(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("stats", "LOG|RUN-DIR [flags]",
		"Per population: mean rate, ISI coefficient of variation (neurons with at least 4 intervals), Fano\n"+
			"factor of spike counts, and Golomb's synchrony measure chi (1: all fire together; about 1/sqrt(N):\n"+
			"independent). Per sampled series: mean, SD and range of the values, and the distribution of the\n"+
			"first and last sample (for weights: the weight distribution over time). See go doc ./analysis.", stderr)
	from := fs.String("from", "", `start of the window, e.g. "1 s" (default: 0)`)
	to := fs.String("to", "", `end of the window (default: the end of the run)`)
	fano := fs.String("fano-window", "100 ms", "counting window of the Fano factor")
	sync := fs.String("sync-bin", "5 ms", "bin of the synchrony measure")
	asJSON := fs.Bool("json", false, "print JSON instead of tables")
	path, code, ok := parseArgs(fs, args)
	if !ok {
		return code
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "snnsim stats: %v\n", err)
		return 1
	}
	lg, err := openIntact("stats", path, "the statistics", stderr)
	if err != nil {
		return fail(err)
	}
	defer lg.Close()
	r, err := spikelog.Open(lg.Path)
	if err != nil {
		return fail(err)
	}
	defer r.Close()
	clock := r.Header().Clock()
	var o analysis.SpikeStatsOptions
	for _, f := range []struct {
		name, v string
		dst     *int64
	}{{"from", *from, (*int64)(&o.From)}, {"to", *to, (*int64)(&o.To)}, {"fano-window", *fano, (*int64)(&o.FanoWindow)}, {"sync-bin", *sync, (*int64)(&o.SyncBin)}} {
		t, err := ticksFlag(f.name, f.v, clock)
		if err != nil {
			return fail(err)
		}
		*f.dst = int64(t)
	}
	if o.To != 0 && o.To <= o.From {
		return fail(fmt.Errorf("--to must be after --from"))
	}
	pops, span, err := analysis.SpikeStats(r, o)
	if err != nil {
		return fail(err)
	}
	rs, err := spikelog.Open(lg.Path)
	if err != nil {
		return fail(err)
	}
	defer rs.Close()
	series, err := analysis.SummarizeSeries(rs, spikelog.SampleFilter{From: o.From, To: o.To})
	if err != nil {
		return fail(err)
	}
	if *asJSON {
		out := statsJSON{Log: path, FromMs: clock.Ms(span.From), ToMs: clock.Ms(span.To), End: span.End}
		for _, p := range pops {
			out.Populations = append(out.Populations, popStatsJSON{p.Name, p.Size, p.Recorded, p.Spikes, p.Active, num(p.Rate), num(p.CV), p.CVNeurons, num(p.Fano), num(p.Sync)})
		}
		for _, s := range series {
			sj := seriesStatsJSON{Name: s.Name, What: s.What, Unit: s.Unit, Of: s.Population + s.Projection, Samples: s.Samples,
				Mean: num(s.Mean), SD: num(s.SD), Min: num(s.Min), Max: num(s.Max)}
			if s.Samples > 0 {
				d := func(d analysis.Distribution) *distJSON {
					return &distJSON{clock.Ms(d.T), d.N, num(d.Mean), num(d.SD), num(d.Q05), num(d.Median), num(d.Q95)}
				}
				sj.First, sj.Last = d(s.First), d(s.Last)
			}
			out.Series = append(out.Series, sj)
		}
		b, _ := json.MarshalIndent(out, "", "  ")
		fmt.Fprintf(stdout, "%s\n", b)
		return lg.exitCode()
	}
	fmt.Fprintf(stdout, "%s: %s to %s (%s; end from the %s)\n", path, fmtMs(clock.Ms(span.From)), fmtMs(clock.Ms(span.To)), fmtMs(clock.Ms(span.Ticks())), span.End)
	fmt.Fprintf(stdout, "\n%-12s %8s %10s %8s %10s %8s %7s %8s %8s\n", "population", "size", "spikes", "active", "rate [Hz]", "ISI CV", "(n)", "Fano", "chi")
	for _, p := range pops {
		if !p.Recorded {
			fmt.Fprintf(stdout, "%-12s %8d   (spikes not recorded)\n", p.Name, p.Size)
			continue
		}
		fmt.Fprintf(stdout, "%-12s %8d %10d %8d %10s %8s %7d %8s %8s\n", p.Name, p.Size, p.Spikes, p.Active, f4(p.Rate), f4(p.CV), p.CVNeurons, f4(p.Fano), f4(p.Sync))
	}
	fmt.Fprintf(stdout, "(Fano in %s windows, chi in %s bins; - : not computable)\n", fmtMs(clock.Ms(o.FanoWindow)), fmtMs(clock.Ms(o.SyncBin)))
	if len(series) > 0 {
		fmt.Fprintf(stdout, "\n%-18s %-8s %8s %11s %11s %11s %11s\n", "series", "unit", "samples", "mean", "sd", "min", "max")
		for _, s := range series {
			fmt.Fprintf(stdout, "%-18s %-8s %8d %11s %11s %11s %11s\n", s.Name, orDash(s.Unit), s.Samples, f4(s.Mean), f4(s.SD), f4(s.Min), f4(s.Max))
		}
		for _, s := range series {
			if s.Projection == "" || s.Samples == 0 {
				continue
			}
			fmt.Fprintf(stdout, "\n%s distribution over time (%s):\n", s.Name, orDash(s.Unit))
			for _, d := range []analysis.Distribution{s.First, s.Last} {
				fmt.Fprintf(stdout, "  t = %-10s n %d  mean %s  sd %s  5%% %s  median %s  95%% %s\n", fmtMs(clock.Ms(d.T)), d.N, f4(d.Mean), f4(d.SD), f4(d.Q05), f4(d.Median), f4(d.Q95))
			}
		}
	}
	return lg.exitCode()
}

// f4 formats a statistic with four significant digits, "-" for NaN.
func f4(x float64) string {
	if math.IsNaN(x) {
		return "-"
	}
	return fmt.Sprintf("%.4g", x)
}
