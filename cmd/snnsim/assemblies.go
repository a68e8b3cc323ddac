package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot/vg"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/analysis"
	"github.com/snnsim/snnsim/source"
	"github.com/snnsim/snnsim/spikelog"
)

// assembliesJSON is the output of snnsim assemblies --json. NaN becomes null.
type assembliesJSON struct {
	Log        string         `json:"log"`
	Population string         `json:"population"`
	Neurons    int            `json:"neurons"`
	Source     string         `json:"source"`
	Derived    *derivedJSON   `json:"derived,omitempty"` // absent with --assemblies
	Assemblies []assemblyJSON `json:"assemblies"`
	Projection string         `json:"projection,omitempty"`
	WeightsMs  *float64       `json:"weights_ms,omitempty"`  // time of the weight sample used
	BlockMeans [][]*float64   `json:"block_means,omitempty"` // pre group, post group; the last group is the rest
	Contrast   *contrastJSON  `json:"contrast,omitempty"`
	// Delay activity: the assemblies' response to the presentations of
	// --delay-phase (the stimuli themselves, 0.2 s in Zenke et al.'s
	// second phase) and in the --delay after each.
	DelayActivity *recallSetJSON `json:"delay_activity,omitempty"`
	Recall        *recallSetJSON `json:"recall,omitempty"`
	Plots         []string       `json:"plots,omitempty"`
}

type contrastJSON struct {
	WithinMin   *float64 `json:"within_min"`
	WithinMean  *float64 `json:"within_mean"`
	BetweenMax  *float64 `json:"between_max"`
	BetweenMean *float64 `json:"between_mean"`
	Rest        *float64 `json:"rest"`
}

type derivedJSON struct {
	Phase       int        `json:"phase"`
	OnsetsMs    [2]float64 `json:"onsets_ms"`
	WindowMs    float64    `json:"window_ms"`
	MinOnMs     float64    `json:"min_on_ms"`
	ThresholdHz float64    `json:"threshold_hz"`
}

type assemblyJSON struct {
	Name          string `json:"name"`
	Presentations int    `json:"presentations,omitempty"`
	Neurons       []int  `json:"neurons"`
}

type recallSetJSON struct {
	Phase   int               `json:"phase"`
	DelayMs float64           `json:"delay_ms"`
	Classes []recallClassJSON `json:"classes"`
	Cues    []cueJSON         `json:"cues"`
}

type recallClassJSON struct {
	Class      string     `json:"class"`
	N          int        `json:"n"`
	HitsEvoked int        `json:"hits_evoked"`
	HitsDelay  int        `json:"hits_delay"`
	EvokedHz   []*float64 `json:"evoked_hz"`
	DelayHz    []*float64 `json:"delay_hz"`
	// Own assembly minus the best other, averaged over the cues [Hz];
	// null for novel cues.
	SelEvokedHz *float64 `json:"selectivity_evoked_hz"`
	SelDelayHz  *float64 `json:"selectivity_delay_hz"`
}

type cueJSON struct {
	OnMs       float64    `json:"on_ms"`
	OffMs      float64    `json:"off_ms"`
	Cue        int        `json:"cue"`
	Class      string     `json:"class"`
	BestEvoked string     `json:"best_evoked"`
	BestDelay  string     `json:"best_delay"`
	DelayHz    []*float64 `json:"delay_hz"`
}

// cmdAssemblies derives the cell assemblies of a pattern-stimulation run
// and measures their recall from cues (Zenke, Agnes & Gerstner 2015).
func cmdAssemblies(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("assemblies", "LOG|RUN-DIR [flags]",
		"Cell assemblies and their recall (Zenke, Agnes & Gerstner 2015, Nat. Commun. 6:6922) in a run driven by a\n"+
			"pattern source. Derives each pattern's assembly as the authors do: the neurons whose mean rate in the\n"+
			"--window after the onsets of the pattern (presentations of at least --min-on, onsets in [--from, --to) of\n"+
			"--derive-phase; default the last 400 s of it) exceeds --threshold; or reads them from --assemblies (an\n"+
			"Auryn .pat file, such as --write makes). Then prints the mean weights between assemblies (--projection)\n"+
			"and, for the cues of --cue-phase (default the last phase when the log has several), which assembly is\n"+
			"most active during each cue and in the --delay after it, hits counted per cue class (--classes), with the\n"+
			"selectivity (the cued assembly's rate minus the best other's). The same table for the presentations of\n"+
			"--delay-phase (default the phase before the cues when it is not --derive-phase: the 0.2 s stimuli of the\n"+
			"authors' second phase) shows the delay activity. Draws the weight matrix sorted by assembly, the\n"+
			"population and assembly rates, and the recall per class.", stderr)
	popName := fs.String("population", "", "the population the assemblies are in (default: the first neuron population)")
	srcName := fs.String("source", "", "the pattern source (default: the one whose switches the log holds)")
	derivePhase := fs.Int("derive-phase", 0, "phase whose presentations define the assemblies")
	from := fs.String("from", "", "first onset used (default: 400 s before the end of --derive-phase)")
	to := fs.String("to", "", "onsets used are before this (default: the end of --derive-phase)")
	window := fs.String("window", "0.5 s", "spikes counted from each onset for this long")
	minOn := fs.String("min-on", "0.5 s", "presentations shorter than this are left out")
	threshold := fs.String("threshold", "10 Hz", "a neuron belongs to an assembly above this mean rate")
	asmFile := fs.String("assemblies", "", "read the assemblies from this .pat file (indices in the population) instead of deriving them")
	write := fs.String("write", "", "write the assemblies to this .pat file (gamma = the neuron's rate [Hz])")
	names := fs.String("names", "", "names of the assemblies, comma-separated (e.g. circle,square,cross,triangle)")
	cuePhase := fs.Int("cue-phase", -1, "phase whose presentations are the cues (default: the last phase, when there are several)")
	delay := fs.String("delay", "1 s", "delay window after each cue's offset (cut at the next cue)")
	delayPhase := fs.String("delay-phase", "auto", `phase whose presentations show the delay activity: a phase number, "none", or "auto" (the phase before --cue-phase unless it is --derive-phase)`)
	classes := fs.String("classes", "", `assembly each cue should recall, per cue pattern: "0,0,1,1,-" ("-": a novel cue); default: cue k recalls assembly k`)
	proj := fs.String("projection", "", "projection whose final weights give the block means and the matrix (default: the first whose weights are recorded within the population)")
	weightsAt := fs.String("weights-at", "", "use the weights sampled last at or before this time (e.g. the end of a phase) instead of the final ones")
	bin := fs.String("bin", "1 s", "bin of the rates over time")
	plots := fs.String("plots", "", `directory for the figures (default: plots/ beside the log; "none": no figures)`)
	format := fs.String("format", "png", "figure format: "+strings.Join(analysis.Formats, ", "))
	asJSON := fs.Bool("json", false, "print JSON instead of tables")
	path, code, ok := parseArgs(fs, args)
	if !ok {
		return code
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "snnsim assemblies: %v\n", err)
		return 1
	}
	if !slices.Contains(analysis.Formats, *format) {
		return fail(fmt.Errorf("--format %q: the formats are %s", *format, strings.Join(analysis.Formats, ", ")))
	}
	lg, err := openIntact("assemblies", path, "the measures", stderr)
	if err != nil {
		return fail(err)
	}
	defer lg.Close()
	open := func() (*spikelog.Reader, error) { return spikelog.Open(lg.Path) }
	r, err := open()
	if err != nil {
		return fail(err)
	}
	h := r.Header()
	st, err := r.Stats()
	r.Close()
	if err != nil {
		return fail(err)
	}
	clock := h.Clock()
	end := st.Last + 1
	for _, m := range st.Marks {
		if m.Text == spikelog.RunEndMark {
			end = m.T
		}
	}
	// The population and the source.
	name := *popName
	if name == "" {
		for _, p := range h.Populations {
			if p.Kind == spikelog.Neuron {
				name = p.Name
				break
			}
		}
	}
	pop, err := recordedPopulation(h, name)
	if err != nil {
		return fail(fmt.Errorf("--population: %w", err))
	}
	src := *srcName
	if src == "" {
		seen := map[string]bool{}
		for _, m := range st.Marks {
			if _, s, _, ok := spikelog.ParsePatternMark(m.Text); ok && !seen[s] {
				seen[s] = true
				src = s
			}
		}
		if len(seen) > 1 {
			return fail(fmt.Errorf("the log holds the switches of %d pattern sources: choose one with --source", len(seen)))
		}
	}
	pres := analysis.Presentations(st.Marks, src)
	switch {
	case src == "":
		return fail(fmt.Errorf("no pattern presentations in the log: the run needs a population of model \"pattern\""))
	case len(pres) == 0 && *asmFile == "":
		return fail(fmt.Errorf("--source %s: no presentations of that source in the log", src))
	}
	phaseStart, nPhases := phaseStarts(st.Marks, src)
	phaseEnd := func(k int) snnsim.Time {
		if k+1 < len(phaseStart) && phaseStart[k+1] >= 0 {
			return phaseStart[k+1]
		}
		return end
	}
	patternsIn := func(k int) int {
		n := 0
		for _, p := range pres {
			if p.Phase == k {
				n = max(n, p.Pattern+1)
			}
		}
		return n
	}
	var asmNames []string
	if *names != "" {
		asmNames = strings.Split(*names, ",")
	}
	out := assembliesJSON{Log: path, Population: pop.Name, Neurons: pop.Size, Source: src}

	// The cue and delay phases, the windows and the bins: checked here, as
	// every flag is, before the passes over the log, which take a while on
	// a long run.
	k := *cuePhase
	if k < 0 && nPhases > 1 {
		k = nPhases - 1
	}
	dt, err := ticksFlag("delay", *delay, clock)
	if err != nil {
		return fail(err)
	}
	if dt <= 0 {
		return fail(fmt.Errorf("--delay %s: must be longer than one step", *delay))
	}
	dp := -1
	switch *delayPhase {
	case "none":
	case "auto":
		if k-1 >= 0 && (*asmFile != "" || k-1 != *derivePhase) {
			dp = k - 1
		}
	default:
		if dp, err = strconv.Atoi(*delayPhase); err != nil || dp < 0 {
			return fail(fmt.Errorf("--delay-phase %q: want a phase number, \"none\" or \"auto\"", *delayPhase))
		}
	}
	var bt snnsim.Time
	if *plots != "none" {
		if bt, err = ticksFlag("bin", *bin, clock); err != nil {
			return fail(err)
		}
		if bt <= 0 {
			return fail(fmt.Errorf("--bin %s: must be longer than one step", *bin))
		}
	}
	// checkCues checks the cue and delay phases against nAsm assemblies.
	checkCues := func(nAsm int) error {
		for _, c := range []struct {
			flag    string
			phase   int
			classes string
		}{{"--cue-phase", k, *classes}, {"--delay-phase", dp, ""}} {
			if c.phase < 0 {
				continue
			}
			if c.phase >= nPhases {
				return fmt.Errorf("%s %d: the log has phases 0..%d of %s", c.flag, c.phase, nPhases-1, src)
			}
			if _, err := parseClasses(c.classes, patternsIn(c.phase), nAsm); err != nil {
				return fmt.Errorf("%s %d: %w", c.flag, c.phase, err)
			}
		}
		return nil
	}

	// The assemblies.
	var members [][]int
	var derived *analysis.Assemblies
	if *asmFile != "" {
		f, err := os.Open(*asmFile)
		if err != nil {
			return fail(fmt.Errorf("--assemblies: %w", err))
		}
		pats, _, err := source.ReadPatterns(f)
		f.Close()
		if err != nil {
			return fail(fmt.Errorf("--assemblies %s: %w", *asmFile, err))
		}
		for k, p := range pats {
			for _, i := range p {
				if i >= pop.Size {
					return fail(fmt.Errorf("--assemblies %s: assembly %d has neuron %d, but %s has %d (0..%d)", *asmFile, k, i, pop.Name, pop.Size, pop.Size-1))
				}
			}
		}
		if err := checkCues(len(pats)); err != nil {
			return fail(err)
		}
		members = pats
	} else {
		derive := *derivePhase
		if derive < 0 || derive >= nPhases {
			return fail(fmt.Errorf("--derive-phase %d: the log has phases 0..%d of %s", derive, nPhases-1, src))
		}
		var o analysis.AssemblyOptions
		o.Phase = derive
		for _, f := range []struct {
			name, v string
			dst     *snnsim.Time
		}{{"from", *from, &o.From}, {"to", *to, &o.To}, {"window", *window, &o.Window}, {"min-on", *minOn, &o.MinOn}} {
			if *f.dst, err = ticksFlag(f.name, f.v, clock); err != nil {
				return fail(err)
			}
		}
		if *to == "" {
			o.To = phaseEnd(derive)
		}
		if *from == "" {
			o.From = max(phaseStart[derive], o.To-snnsim.Time(400*clock.TicksPerSecond()))
		}
		if o.Window <= 0 {
			return fail(fmt.Errorf("--window %s: must be longer than one step", *window))
		}
		if o.Threshold, err = snnsim.ParseIn(*threshold, snnsim.Frequency); err != nil {
			return fail(fmt.Errorf("--threshold: %w", err))
		}
		n := patternsIn(derive)
		if n == 0 {
			return fail(fmt.Errorf("--derive-phase %d: no presentation in that phase", derive))
		}
		if err := checkCues(n); err != nil {
			return fail(err)
		}
		r, err := open()
		if err != nil {
			return fail(err)
		}
		derived, err = analysis.DeriveAssemblies(r, pop, pres, n, o)
		r.Close()
		if err != nil {
			return fail(err)
		}
		members = derived.Members
		out.Derived = &derivedJSON{Phase: derive, OnsetsMs: [2]float64{clock.Ms(o.From), clock.Ms(o.To)}, WindowMs: clock.Ms(o.Window), MinOnMs: clock.Ms(o.MinOn), ThresholdHz: o.Threshold}
	}
	asmName := func(a int) string {
		if a < 0 {
			return "-"
		}
		if a < len(asmNames) && asmNames[a] != "" {
			return asmNames[a]
		}
		if a == len(members) {
			return "rest"
		}
		return strconv.Itoa(a)
	}
	for a, m := range members {
		aj := assemblyJSON{Name: asmName(a), Neurons: m}
		if derived != nil {
			aj.Presentations = derived.Presentations[a]
		}
		out.Assemblies = append(out.Assemblies, aj)
	}
	if *write != "" {
		var gammas [][]float64
		if derived != nil {
			for a, m := range members {
				g := make([]float64, len(m))
				for j, i := range m {
					g[j] = derived.Rates[a][i]
				}
				gammas = append(gammas, g)
			}
		}
		var b strings.Builder
		if err := source.WritePatterns(&b, members, gammas); err != nil {
			return fail(err)
		}
		if err := os.WriteFile(*write, []byte(b.String()), 0o644); err != nil {
			return fail(fmt.Errorf("--write: %w", err))
		}
	}

	// Block means of the weights.
	var pre, post, w []float64
	var wTick snnsim.Time
	at := snnsim.Time(-1)
	if *weightsAt != "" {
		if at, err = ticksFlag("weights-at", *weightsAt, clock); err != nil {
			return fail(err)
		}
	}
	if *proj == "" {
		projs, err := analysis.WeightProjections(lg.Path)
		if err != nil {
			return fail(err)
		}
		for _, p := range projs {
			if a, b, c, tk, err := analysis.WeightsAt(lg.Path, p, at); err == nil && within(a, pop) && within(b, pop) {
				*proj, pre, post, w, wTick = p, a, b, c, tk
				break
			}
		}
	} else if pre, post, w, wTick, err = analysis.WeightsAt(lg.Path, *proj, at); err != nil {
		return fail(fmt.Errorf("--projection %s: %w", *proj, err))
	}
	if w == nil {
		fmt.Fprintf(stderr, "snnsim assemblies: note: the log has no final weights of a projection within %s: no block means and no weight matrix (record them with a [[record]] what = \"weights\", final = true)\n", pop.Name)
	} else {
		bm, err := analysis.BlockMeans(pre, post, w, pop.First, pop.Size, members)
		if err != nil {
			return fail(err)
		}
		out.Projection = *proj
		out.WeightsMs = num(clock.Ms(wTick))
		c, err := analysis.Contrast(bm)
		if err != nil {
			return fail(err)
		}
		out.Contrast = &contrastJSON{WithinMin: num(c.WithinMin), WithinMean: num(c.WithinMean), BetweenMax: num(c.BetweenMax), BetweenMean: num(c.BetweenMean), Rest: num(c.Rest)}
		for _, row := range bm {
			var jr []*float64
			for _, v := range row {
				jr = append(jr, num(v))
			}
			out.BlockMeans = append(out.BlockMeans, jr)
		}
	}

	// Recall and delay activity.
	// measure scores the presentations of phase ph, whose patterns recall
	// the assemblies the class list cls gives (both checked by checkCues).
	measure := func(ph int, cls string) (*recallSetJSON, []analysis.RecallSummary, error) {
		classOf, err := parseClasses(cls, patternsIn(ph), len(members))
		if err != nil {
			return nil, nil, err
		}
		var cues []analysis.Presentation
		for _, p := range pres {
			if p.Phase == ph {
				cues = append(cues, p)
			}
		}
		r, err := open()
		if err != nil {
			return nil, nil, err
		}
		resp, err := analysis.CueRecall(r, pop, members, cues, dt)
		r.Close()
		if err != nil {
			return nil, nil, err
		}
		summary, err := analysis.SummarizeRecall(resp, classOf, len(members))
		if err != nil {
			return nil, nil, err
		}
		rs := &recallSetJSON{Phase: ph, DelayMs: clock.Ms(dt)}
		for _, s := range summary {
			rs.Classes = append(rs.Classes, recallClassJSON{Class: asmName(s.Class), N: s.N, HitsEvoked: s.HitsEvoked, HitsDelay: s.HitsDelay,
				EvokedHz: nums(s.Evoked), DelayHz: nums(s.Delay), SelEvokedHz: num(s.SelEvoked), SelDelayHz: num(s.SelDelay)})
		}
		for _, c := range resp {
			rs.Cues = append(rs.Cues, cueJSON{OnMs: clock.Ms(c.On), OffMs: clock.Ms(c.Off), Cue: c.Pattern, Class: asmName(classOf[c.Pattern]),
				BestEvoked: asmName(c.BestEvoked), BestDelay: asmName(c.BestDelay), DelayHz: nums(c.Delay)})
		}
		return rs, summary, nil
	}
	var summary []analysis.RecallSummary
	if k >= 0 {
		if out.Recall, summary, err = measure(k, *classes); err != nil {
			return fail(fmt.Errorf("--cue-phase %d: %w", k, err))
		}
	}
	if dp >= 0 {
		// The stimuli of the delay phase are the patterns themselves:
		// pattern k should recall assembly k.
		if out.DelayActivity, _, err = measure(dp, ""); err != nil {
			return fail(fmt.Errorf("--delay-phase %d: %w", dp, err))
		}
	}

	// Figures.
	if *plots != "none" {
		dir := *plots
		if dir == "" {
			dir = filepath.Join(filepath.Dir(path), "plots")
		}
		r, err := open()
		if err != nil {
			return fail(err)
		}
		times, pops, asmRates, err := analysis.AssemblyRates(r, pop, members, bt, max(end, 1))
		r.Close()
		if err != nil {
			return fail(err)
		}
		in := analysis.AssemblyFigureInput{Title: h.Scenario, Size: pop.Size, Members: members, Pre: pre, Post: post, W: w, First: pop.First,
			Times: times, PopRates: pops, AsmRates: asmRates, Recall: summary}
		for a := range members {
			in.Names = append(in.Names, asmName(a))
		}
		figs, err := analysis.AssemblyFigures(in)
		if err != nil {
			return fail(err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fail(err)
		}
		for _, f := range figs {
			file := filepath.Join(dir, f.Name+"."+*format)
			if err := f.Save(file, 16*vg.Centimeter, 10*vg.Centimeter, 150); err != nil {
				return fail(err)
			}
			out.Plots = append(out.Plots, file)
		}
	}

	if *asJSON {
		b, _ := json.MarshalIndent(out, "", "  ")
		fmt.Fprintf(stdout, "%s\n", b)
		return lg.exitCode()
	}
	fmt.Fprintf(stdout, "%s: population %s (%d neurons), pattern source %s\n", path, pop.Name, pop.Size, src)
	if d := out.Derived; d != nil {
		fmt.Fprintf(stdout, "assemblies of phase %d: onsets in [%s, %s), %s after onset, presentations of at least %s, above %g Hz\n",
			d.Phase, fmtMs(d.OnsetsMs[0]), fmtMs(d.OnsetsMs[1]), fmtMs(d.WindowMs), fmtMs(d.MinOnMs), d.ThresholdHz)
	} else {
		fmt.Fprintf(stdout, "assemblies from %s\n", *asmFile)
	}
	fmt.Fprintf(stdout, "\n%-10s %14s %8s\n", "assembly", "presentations", "neurons")
	for _, a := range out.Assemblies {
		fmt.Fprintf(stdout, "%-10s %14d %8d\n", a.Name, a.Presentations, len(a.Neurons))
	}
	if out.BlockMeans != nil {
		fmt.Fprintf(stdout, "\nmean weight of %s at t = %s, pre (rows) → post (columns)\n%-10s", out.Projection, fmtMs(deref(out.WeightsMs)), "")
		for b := range out.BlockMeans {
			fmt.Fprintf(stdout, " %9s", asmName(b))
		}
		fmt.Fprintln(stdout)
		for a, row := range out.BlockMeans {
			fmt.Fprintf(stdout, "%-10s", asmName(a))
			for _, v := range row {
				fmt.Fprintf(stdout, " %9s", f4(deref(v)))
			}
			fmt.Fprintln(stdout)
		}
	}
	if c := out.Contrast; c != nil {
		fmt.Fprintf(stdout, "within assemblies: min %s, mean %s; between: max %s, mean %s; rest → rest %s\n",
			f4(deref(c.WithinMin)), f4(deref(c.WithinMean)), f4(deref(c.BetweenMax)), f4(deref(c.BetweenMean)), f4(deref(c.Rest)))
	}
	if rs := out.DelayActivity; rs != nil {
		fmt.Fprintf(stdout, "\ndelay activity in phase %d: assembly rates [Hz] during each presentation and in the %s after it\n", rs.Phase, fmtMs(rs.DelayMs))
		printRecall(stdout, rs, "pattern")
	}
	if rs := out.Recall; rs != nil {
		fmt.Fprintf(stdout, "\nrecall in phase %d: assembly rates [Hz] during the cue and in the %s after it\n", rs.Phase, fmtMs(rs.DelayMs))
		printRecall(stdout, rs, "class")
	}
	for _, p := range out.Plots {
		fmt.Fprintf(stdout, "wrote %s\n", p)
	}
	return lg.exitCode()
}

// printRecall prints the table of a recall set: per class the cues, the
// hits, the selectivity (own minus best other) during and after the cues,
// and the assemblies' rates after them.
func printRecall(w io.Writer, rs *recallSetJSON, first string) {
	fmt.Fprintf(w, "%-10s %4s %12s %12s %10s %10s   %s\n", first, "n", "hits evoked", "hits delay", "sel evoked", "sel delay", "delay rate per assembly")
	for _, c := range rs.Classes {
		var rates []string
		for _, v := range c.DelayHz {
			rates = append(rates, f4(deref(v)))
		}
		he, hd, se, sd := strconv.Itoa(c.HitsEvoked), strconv.Itoa(c.HitsDelay), f4(deref(c.SelEvokedHz)), f4(deref(c.SelDelayHz))
		if c.Class == "-" {
			he, hd, se, sd = "-", "-", "-", "-"
		}
		fmt.Fprintf(w, "%-10s %4d %12s %12s %10s %10s   %s\n", c.Class, c.N, he, hd, se, sd, strings.Join(rates, " "))
	}
}

// phaseStarts returns the tick at which each phase of source src starts
// (-1 when its mark is missing) and the number of phases seen.
func phaseStarts(marks []spikelog.Mark, src string) ([]snnsim.Time, int) {
	var starts []snnsim.Time
	for _, m := range marks {
		kind, s, k, ok := spikelog.ParsePatternMark(m.Text)
		if !ok || s != src || kind != spikelog.PatternPhase {
			continue
		}
		for len(starts) <= k {
			starts = append(starts, -1)
		}
		starts[k] = m.T
	}
	if len(starts) == 0 {
		starts = []snnsim.Time{0}
	}
	if starts[0] < 0 {
		starts[0] = 0
	}
	return starts, len(starts)
}

// parseClasses reads --classes: one entry per cue pattern (n of them), an
// assembly index below nAsm or "-". Empty: cue k recalls assembly k, which
// needs n <= nAsm.
func parseClasses(s string, n, nAsm int) ([]int, error) {
	if s == "" {
		if n > nAsm {
			return nil, fmt.Errorf("--classes: the cue phase has %d cue patterns and there are %d assemblies: say which assembly each cue should recall, e.g. --classes 0,0,1,1,-", n, nAsm)
		}
		out := make([]int, n)
		for k := range out {
			out[k] = k
		}
		return out, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) < n {
		return nil, fmt.Errorf("--classes: %d entries for %d cue patterns: give one per cue pattern", len(parts), n)
	}
	out := make([]int, len(parts))
	for k, p := range parts {
		p = strings.TrimSpace(p)
		if p == "-" {
			out[k] = -1
			continue
		}
		a, err := strconv.Atoi(p)
		if err != nil || a < 0 || a >= nAsm {
			return nil, fmt.Errorf("--classes: entry %d %q: want an assembly index 0..%d or - for a novel cue", k, p, nAsm-1)
		}
		out[k] = a
	}
	return out, nil
}

// within reports whether every global ID in ids is in the population.
func within(ids []float64, p spikelog.Population) bool {
	for _, v := range ids {
		if int(v) < int(p.First) || int(v) >= int(p.First)+p.Size {
			return false
		}
	}
	return len(ids) > 0
}

func nums(x []float64) []*float64 {
	out := make([]*float64, len(x))
	for i, v := range x {
		out[i] = num(v)
	}
	return out
}

func deref(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}
