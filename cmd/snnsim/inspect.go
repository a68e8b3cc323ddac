package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/analysis"
	"github.com/snnsim/snnsim/spikelog"
)

// ticksFlag converts a time flag such as "1.5 s" to ticks of clock; ""
// gives 0.
func ticksFlag(name, v string, clock snnsim.Clock) (snnsim.Time, error) {
	if v == "" {
		return 0, nil
	}
	ms, err := snnsim.ParseIn(v, snnsim.TimeDim)
	if err != nil {
		return 0, fmt.Errorf("--%s: %w", name, err)
	}
	if ms < 0 {
		return 0, fmt.Errorf("--%s %q: must be >= 0", name, v)
	}
	t, err := clock.Ticks(ms)
	if err != nil {
		return 0, fmt.Errorf("--%s: %w (the log's resolution is %g ms)", name, err, clock.DT)
	}
	return t, nil
}

// fmtMs formats a time in ms readably.
func fmtMs(ms float64) string { return fmtSim(ms / 1000) }

// A log with more than maxMarksShown marks shows its first headMarks and
// last tailMarks unless --marks: a pattern source writes two marks per
// presentation, thousands in a long run.
const (
	maxMarksShown = 60
	headMarks     = 40
	tailMarks     = 10
)

// cmdInspect prints what a log holds.
func cmdInspect(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("inspect", "LOG|RUN-DIR [--scenario] [--marks]",
		"Prints a log's header, its block counts by kind, its series, marks and time span, and whether it is\ncomplete, incomplete (the writer stopped before closing it) or damaged (then up to which byte it is intact).\nExit code 0 for a complete or incomplete log, 1 for a damaged one.", stderr)
	showText := fs.Bool("scenario", false, "print the full scenario text stored in the log")
	allMarks := fs.Bool("marks", false, fmt.Sprintf("list every mark (by default a log with more than %d, such as the switches of a pattern source, shows the first %d and the last %d)", maxMarksShown, headMarks, tailMarks))
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() == 1 {
		if mc, ok := memoryCurvesRun(fs.Arg(0)); ok {
			if err := inspectMemoryCurves(mc, stdout); err != nil {
				fmt.Fprintf(stderr, "snnsim inspect: %v\n", err)
				return 1
			}
			return 0
		}
	}
	path, code, ok := parseArgs(fs, args)
	if !ok {
		return code
	}
	r, err := spikelog.Open(path)
	if err != nil {
		fmt.Fprintf(stderr, "snnsim inspect: %s: %v\n", path, err)
		return 1
	}
	defer r.Close()
	st, readErr := r.Stats()
	h := r.Header()
	clock := h.Clock()
	size := int64(-1)
	if fi, err := os.Stat(path); err == nil {
		size = fi.Size()
	}
	fmt.Fprintf(stdout, "log          %s (%d bytes)\n", path, size)
	fmt.Fprintf(stdout, "format       version %d, written by %s\n", r.Version(), orDash(h.Program))
	fmt.Fprintf(stdout, "scenario     %s (%s), seed %d, resolution %g ms\n", orDash(h.Scenario), orDash(h.File), h.Seed, h.DT)
	if p := h.Parent; p != nil {
		fmt.Fprintf(stdout, "branched     from %s at %s (tick %d), checkpoint SHA-256 %s\n", p.Checkpoint, fmtMs(clock.Ms(p.Tick)), p.Tick, p.SHA256)
	}
	fmt.Fprintln(stdout, "populations")
	for _, p := range h.Populations {
		fmt.Fprintf(stdout, "  %-12s %-6s %8d   ids [%d, %d)\n", p.Name, p.Kind, p.Size, p.First, p.End())
	}
	if len(h.Groups) > 0 {
		fmt.Fprintln(stdout, "groups")
		for _, g := range h.Groups {
			fmt.Fprintf(stdout, "  %-12s %-12s %6d neurons  %s\n", g.Name, g.Population, len(g.Neurons), indexRanges(g.Neurons))
		}
	}
	var kinds []string
	for _, k := range slices.Sorted(maps.Keys(st.Blocks)) {
		kinds = append(kinds, fmt.Sprintf("%v %d", k, st.Blocks[k]))
	}
	fmt.Fprintf(stdout, "blocks       %s\n", strings.Join(kinds, ", "))
	if st.Spikes > 0 {
		fmt.Fprintf(stdout, "spikes       %d in %d records, ticks %d to %d (%s to %s)\n", st.Spikes, st.Records, st.First, st.Last, fmtMs(clock.Ms(st.First)), fmtMs(clock.Ms(st.Last)))
	} else {
		fmt.Fprintln(stdout, "spikes       none")
	}
	if len(st.Series) > 0 {
		fmt.Fprintf(stdout, "series       %d, %d sample rows\n", len(st.Series), st.Rows)
		for _, s := range st.Series {
			owner := s.Population + s.Projection
			idx := "the whole " + map[bool]string{true: "population", false: "projection"}[s.Population != ""]
			if s.Indices != nil {
				idx = fmt.Sprintf("%d indices", len(s.Indices))
			}
			every := ""
			if s.Interval > 0 {
				every = ", every " + fmtMs(clock.Ms(s.Interval))
			}
			span := ""
			if s.Samples > 0 {
				span = fmt.Sprintf(", %s to %s", fmtMs(clock.Ms(s.First)), fmtMs(clock.Ms(s.Last)))
			}
			unit := ""
			if s.Unit != "" {
				unit = " [" + s.Unit + "]"
			}
			fmt.Fprintf(stdout, "  %-16s %s%s of %s, %s%s: %d samples%s\n", s.Name, s.What, unit, owner, idx, every, s.Samples, span)
		}
	}
	if len(st.Marks) > 0 {
		fmt.Fprintln(stdout, "marks")
		for k, m := range st.Marks {
			if n := len(st.Marks); !*allMarks && n > maxMarksShown && k >= headMarks && k < n-tailMarks {
				if k == headMarks {
					fmt.Fprintf(stdout, "  ... %d more marks (--marks lists them all)\n", n-headMarks-tailMarks)
				}
				continue
			}
			fmt.Fprintf(stdout, "  %-12s %s\n", fmtMs(clock.Ms(m.T)), m.Text)
		}
	}
	perSpike := ""
	if st.Spikes > 0 {
		perSpike = fmt.Sprintf(", %.2f bytes/spike", float64(st.Size)/float64(st.Spikes))
	}
	fmt.Fprintf(stdout, "size         %d bytes read, %d bytes of block payload before compression%s\n", st.Size, st.RawBytes, perSpike)
	if *showText {
		fmt.Fprintf(stdout, "scenario text\n%s", h.Text)
		if !strings.HasSuffix(h.Text, "\n") {
			fmt.Fprintln(stdout)
		}
	}
	switch {
	case readErr != nil:
		fmt.Fprintf(stdout, "status       damaged: %v\n", readErr)
		return 1
	case st.Complete:
		fmt.Fprintln(stdout, "status       complete (closed by the writer)")
	default:
		fmt.Fprintf(stdout, "status       incomplete: the writer stopped before closing the log (still running, killed or crashed); every block up to byte %d is intact and was read\n", st.Size)
	}
	return 0
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// memoryCurvesRun returns the memory-curve table of path when path is the
// directory of a [memory_curves] run: one with the table and no log.
func memoryCurvesRun(path string) (string, bool) {
	fi, err := os.Stat(path)
	if err != nil || !fi.IsDir() {
		return "", false
	}
	if _, err := os.Stat(filepath.Join(path, analysis.LogName)); err == nil {
		return "", false
	}
	mc := filepath.Join(path, analysis.MemoryCurvesName)
	if _, err := os.Stat(mc); err != nil {
		return "", false
	}
	return mc, true
}

// inspectMemoryCurves prints, for each model of a memory-curve table, its
// number of points, the range of t, the SNR at t = 1 (Monte Carlo ± s.e.
// and exact) and the lifetime: the last t at which the SNR is still at
// least 1, as the Monte-Carlo estimate and the exact curve give it.
func inspectMemoryCurves(path string, w io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if len(rows) < 1 || !slices.Equal(rows[0], []string{"model", "t", "snr", "se", "exact"}) {
		return fmt.Errorf("%s: want the columns model, t, snr, se, exact", path)
	}
	type summary struct {
		points            int
		tmin, tmax        float64
		snr1, se1, exact1 float64
		lifeMC, lifeExact float64
	}
	var order []string
	sums := map[string]*summary{}
	for i, r := range rows[1:] {
		var v [4]float64
		for k := range v {
			x, err := strconv.ParseFloat(r[k+1], 64)
			if err != nil {
				return fmt.Errorf("%s:%d: column %s: %w", path, i+2, rows[0][k+1], err)
			}
			v[k] = x
		}
		s := sums[r[0]]
		if s == nil {
			s = &summary{tmin: v[0], tmax: v[0], snr1: math.NaN(), se1: math.NaN(), exact1: math.NaN(), lifeMC: math.NaN(), lifeExact: math.NaN()}
			sums[r[0]] = s
			order = append(order, r[0])
		}
		s.points++
		s.tmin, s.tmax = min(s.tmin, v[0]), max(s.tmax, v[0])
		if v[0] == 1 {
			s.snr1, s.se1, s.exact1 = v[1], v[2], v[3]
		}
		if v[1] >= 1 {
			s.lifeMC = v[0]
		}
		if v[3] >= 1 {
			s.lifeExact = v[0]
		}
	}
	fmt.Fprintf(w, "memory curves  %s (%d models)\n", path, len(order))
	fmt.Fprintf(w, "%-22s %6s %14s %22s %22s\n", "model", "points", "t", "SNR at t = 1 (exact)", "last t with SNR >= 1")
	for _, name := range order {
		s := sums[name]
		fmt.Fprintf(w, "%-22s %6d %14s %22s %22s\n", name, s.points, fmt.Sprintf("%g..%g", s.tmin, s.tmax),
			fmt.Sprintf("%.3g ± %.2g (%.3g)", s.snr1, s.se1, s.exact1), fmt.Sprintf("%g (exact %g)", s.lifeMC, s.lifeExact))
	}
	return nil
}

// indexRanges writes indices compactly: "0..149" or "3, 7..9, 12", the
// first 8 runs followed by "...".
func indexRanges(idx []int) string {
	var parts []string
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && idx[j+1] == idx[j]+1 {
			j++
		}
		if len(parts) == 8 {
			parts = append(parts, "...")
			break
		}
		if j > i {
			parts = append(parts, strconv.Itoa(idx[i])+".."+strconv.Itoa(idx[j]))
		} else {
			parts = append(parts, strconv.Itoa(idx[i]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}
