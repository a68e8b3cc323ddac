package main

import (
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/snnsim/snnsim"
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

// cmdInspect prints what a log holds.
func cmdInspect(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("inspect", "LOG|RUN-DIR [--scenario]",
		"Prints a log's header, its block counts by kind, its series, marks and time span, and whether it is\ncomplete, incomplete (the writer stopped before closing it) or damaged (then up to which byte it is intact).\nExit code 0 for a complete or incomplete log, 1 for a damaged one.", stderr)
	showText := fs.Bool("scenario", false, "print the full scenario text stored in the log")
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
	fmt.Fprintln(stdout, "populations")
	for _, p := range h.Populations {
		fmt.Fprintf(stdout, "  %-12s %-6s %8d   ids [%d, %d)\n", p.Name, p.Kind, p.Size, p.First, p.End())
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
		for _, m := range st.Marks {
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
