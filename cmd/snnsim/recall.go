package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"

	"gonum.org/v1/plot/vg"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/analysis"
	"github.com/snnsim/snnsim/spikelog"
)

// recallJSON is the output of snnsim recall --json. NaN becomes null.
type recallJSON struct {
	Log        string     `json:"log"`
	Population string     `json:"population"`
	Neurons    int        `json:"neurons"`
	LearnMs    [2]float64 `json:"learn_window_ms"`
	RecallMs   [2]float64 `json:"recall_window_ms"`
	Assembly   int        `json:"assembly"`
	Cued       int        `json:"cued"`
	NuAS       *float64   `json:"nu_as_hz"`
	NuANS      *float64   `json:"nu_ans_hz"`
	NuCtrl     *float64   `json:"nu_ctrl_hz"`
	NuInh      *float64   `json:"nu_inh_hz,omitempty"` // with --inhibitory
	Q          *float64   `json:"q"`
	QErr       *float64   `json:"q_err"`
	MI         *float64   `json:"mi_bits"`
	HL         *float64   `json:"h_learn_bits"`
	HR         *float64   `json:"h_recall_bits"`
}

// cmdRecall prints the memory-recall measures of Luboeinski & Tetzlaff
// (2021): the rates of cued, uncued and control neurons in the recall
// window, the pattern-completion coefficient Q, and the mutual information
// between the rate vectors of the learning and the recall window.
func cmdRecall(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("recall", "LOG|RUN-DIR --learn T --recall T [--assembly A..B|GROUP] [--cue ...] [flags] | LOG|RUN-DIR of a [sequence] | --batch SWEEP-DIR|RUN-DIR... [flags]",
		"Memory recall of a cell assembly (Luboeinski & Tetzlaff 2021, Commun. Biol. 4:275). Counts the spikes of each\n"+
			"neuron of the population in two windows of the given width, centred on --learn and --recall (half-open,\n"+
			"as the authors' analysis), and prints the mean recall-window rates of the cued assembly neurons (as),\n"+
			"the uncued ones (ans) and all others (ctrl), Q = (nu_ans - nu_ctrl)/nu_as with its within-trial error,\n"+
			"and MI = H(L) + H(R) - H(L,R) in bits between the two rate vectors (unbinned: equal rates are one value).\n"+
			"The authors' readout: --learn '11 s' --recall '20.1 s' (recall at 20 s), width 0.5 s.\n"+
			"The assembly and the cue default to the groups \"core\" and \"cue\" that the scenario's [[group]] tables\n"+
			"define (the log header lists them); the flags override them, with indices or a group's name.\n"+
			"A run of a scenario with a [sequence] table, given without --learn, --recall, --assembly and --cue, is read out\n"+
			"per assembly and cue: each assembly's learning window (centred on its last learning pulse's onset) against\n"+
			"each of its recall windows (centred on its cue's end), with its age and the number of assemblies learned after it.", stderr)
	popName := fs.String("population", "", "the excitatory population (default: the assembly group's, else the first population)")
	inhName := fs.String("inhibitory", "", "also print nu_inh, the mean recall-window rate of this population (e.g. I)")
	assembly := fs.String("assembly", "", `assembly neurons, indices in the population ("0..149" or "0,3,7..9") or a group of the log (default: the group "core")`)
	cue := fs.String("cue", "", `cued neurons, indices or a group of the log (default: the group "cue", else the first half of the assembly)`)
	learn := fs.String("learn", "", `centre of the learning window, e.g. "11 s"`)
	recall := fs.String("recall", "", `centre of the recall window, e.g. "20.1 s"`)
	width := fs.String("width", "0.5 s", "width of both windows")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	batch := fs.Bool("batch", false, "summarize a batch of trials: the arguments are sweep directories (their done points; the label\n"+
		"columns assembly, cue, learn, recall, width, population, inhibitory of a point override the flags) or run\n"+
		"directories; prints per group mean ± s.d. and the 95% CI of nu_as, nu_ans, nu_ctrl, nu_inh, Q, MI and H(L),\n"+
		"next to Luboeinski & Tetzlaff's 50-trial batch when the readout is theirs (11 s and 20.1 s or 28810.1 s). A point that a\n"+
		"[[guard]] stopped on runaway activity after its readout windows is measured like any run; one stopped before their end\n"+
		"is not; each group says how many of its runs ran away after the readout and how many before its end")
	csvOut := fs.String("csv", "", "with --batch: also write each run's measures to this CSV file")
	figure := fs.String("figure", "", "also draw the learn – consolidate – recall figure into this file (.png, .svg or .pdf); the log needs split records of h and w (and protein).\n"+
		"With --batch of [sequence] runs: the continual-learning figure, A1's Q and MI and the newest assembly's Q against\n"+
		"the number of assemblies learned after A1, mean ± 95% CI over the runs, one curve per value of --by, and, when a [[guard]]\n"+
		"stopped some runs on runaway activity, the fraction of runs that ran away")
	by := fs.String("by", "", "with --batch: the sweep's label column whose values are the curves of the continual-learning summary and figure,\n"+
		"or several, comma-separated, whose values together name a curve (default: its first label column)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *batch {
		if fs.NArg() == 0 {
			usageError(fs, argCount("one or more SWEEP-DIR or RUN-DIR", fs.Args()))
			return 2
		}
		if *asJSON {
			return valueError(fs, "--json is for one run, not with --batch (use --csv)")
		}
		return recallBatch(fs.Args(), batchReadout{population: *popName, inhibitory: *inhName, assembly: *assembly, cue: *cue,
			learn: *learn, recall: *recall, width: *width}, *csvOut, *figure, *by, stdout, stderr)
	}
	if *csvOut != "" || *by != "" {
		return valueError(fs, "--csv and --by are for --batch")
	}
	if fs.NArg() != 1 {
		usageError(fs, argCount("one LOG or RUN-DIR", fs.Args()))
		return 2
	}
	path, err := analysis.LogPath(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "snnsim recall: %v\n", err)
		return 1
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "snnsim recall: %v\n", err)
		return 1
	}
	// Without --learn and --recall, a run of a [sequence] is read out
	// per assembly.
	perAssembly := *learn == "" && *recall == "" && *assembly == "" && *cue == ""
	if !perAssembly {
		for _, f := range []struct{ name, v string }{{"learn", *learn}, {"recall", *recall}} {
			if f.v == "" {
				usageError(fs, fmt.Sprintf("--%s is required (or give none of --learn, --recall, --assembly, --cue to read out each assembly of a [sequence] run)", f.name))
				return 2
			}
		}
	}
	lg, err := openIntact("recall", path, "the recall measures", stderr)
	if err != nil {
		return fail(err)
	}
	defer lg.Close()
	r, err := spikelog.Open(lg.Path)
	if err != nil {
		return fail(err)
	}
	defer r.Close()
	h := r.Header()
	clock := h.Clock()
	if perAssembly {
		sc, err := recordedSequence(h)
		if err != nil {
			return fail(err)
		}
		if sc == nil {
			usageError(fs, "--learn and --recall are required: the log's scenario has no [sequence] to read out per assembly")
			return 2
		}
		if *figure != "" || *inhName != "" || *popName != "" {
			return valueError(fs, "--figure, --inhibitory and --population are for one assembly (--learn, --recall), not for the per-assembly readout of a [sequence]")
		}
		tw, err := ticksFlag("width", *width, clock)
		if err != nil {
			return fail(err)
		}
		if tw <= 0 {
			return fail(fmt.Errorf("--width %s: must be longer than one step", *width))
		}
		rs, err := measureSequence(lg.Path, h, sc, tw, math.Inf(1))
		if err != nil {
			return fail(err)
		}
		printSequence(stdout, path, sc, clock.Ms(tw), rs, *asJSON)
		return lg.exitCode()
	}
	if *assembly == "" {
		if _, ok := h.Group(defaultAssembly); !ok {
			return fail(fmt.Errorf("--assembly: the log has no group %q (%s): give the assembly's indices, e.g. --assembly 0..149", defaultAssembly, groupList(h)))
		}
		*assembly = defaultAssembly
	}
	name := *popName
	if g, ok := h.Group(*assembly); ok && name == "" {
		name = g.Population
	}
	if name == "" && len(h.Populations) > 0 {
		name = h.Populations[0].Name
	}
	pop, err := recordedPopulation(h, name)
	if err != nil {
		return fail(fmt.Errorf("--population: %w", err))
	}
	asm, err := membersOf(h, "assembly", *assembly, pop)
	if err != nil {
		return fail(err)
	}
	cued := asm[:len(asm)/2]
	if _, ok := h.Group(defaultCue); ok && *cue == "" {
		*cue = defaultCue
	}
	if *cue != "" {
		if cued, err = membersOf(h, "cue", *cue, pop); err != nil {
			return fail(err)
		}
	}
	if _, err := analysis.NewRecallGroups(pop.Size, asm, cued); err != nil {
		return fail(fmt.Errorf("--assembly/--cue: %w", err))
	}
	var tl, tr, tw snnsim.Time
	for _, f := range []struct {
		name, v string
		dst     *snnsim.Time
	}{{"learn", *learn, &tl}, {"recall", *recall, &tr}, {"width", *width, &tw}} {
		if *f.dst, err = ticksFlag(f.name, f.v, clock); err != nil {
			return fail(err)
		}
	}
	if tw <= 0 {
		return fail(fmt.Errorf("--width %s: must be longer than one step", *width))
	}
	wl, wr := analysis.CentredWindow(tl, tw), analysis.CentredWindow(tr, tw)
	if wl.From < 0 || wr.From < 0 {
		return fail(fmt.Errorf("--learn/--recall: a window starts before 0 s; centre it at least half the width (%s) after 0", fmtMs(clock.Ms(tw/2))))
	}
	lr := analysis.LearnRecall{Population: pop.Name, Assembly: asm, Cue: cued, Learn: tl, Recall: tr, Width: tw}
	m, _, _, err := lr.Measures(lg.Path)
	if err != nil {
		return fail(err)
	}
	pc, mi, hl, hr := m.PatternCompletion, m.MI, m.HL, m.HR
	var nuInh *float64
	inhSize := 0
	if *inhName != "" {
		v, n, err := populationRate(lg.Path, *inhName, wr)
		inhSize = n
		if err != nil {
			return fail(fmt.Errorf("--inhibitory: %w", err))
		}
		nuInh = &v
	}
	if *figure != "" {
		p, err := analysis.LearnRecallPlot(lg.Path, lr)
		if err != nil {
			return fail(fmt.Errorf("--figure: %w", err))
		}
		if err := p.Save(*figure, 20*vg.Centimeter, 18*vg.Centimeter, 100); err != nil {
			return fail(fmt.Errorf("--figure: %w", err))
		}
	}
	if *asJSON {
		out := recallJSON{Log: path, Population: pop.Name, Neurons: pop.Size,
			LearnMs: [2]float64{clock.Ms(wl.From), clock.Ms(wl.To)}, RecallMs: [2]float64{clock.Ms(wr.From), clock.Ms(wr.To)},
			Assembly: len(asm), Cued: len(cued), NuAS: num(pc.AS.Mean), NuANS: num(pc.ANS.Mean), NuCtrl: num(pc.Ctrl.Mean), NuInh: nuInh,
			Q: num(pc.Q), QErr: num(pc.QErr), MI: num(mi), HL: num(hl), HR: num(hr)}
		b, _ := json.MarshalIndent(out, "", "  ")
		fmt.Fprintf(stdout, "%s\n", b)
		return lg.exitCode()
	}
	fmt.Fprintf(stdout, "%s: population %s (%d neurons), assembly %d%s, cued %d%s\n", path, pop.Name, pop.Size, len(asm), groupNote(h, *assembly), len(cued), groupNote(h, *cue))
	fmt.Fprintf(stdout, "learning window [%s, %s), recall window [%s, %s)\n\n", fmtMs(clock.Ms(wl.From)), fmtMs(clock.Ms(wl.To)), fmtMs(clock.Ms(wr.From)), fmtMs(clock.Ms(wr.To)))
	fmt.Fprintf(stdout, "%-6s %8s %12s %10s\n", "group", "neurons", "rate [Hz]", "sd [Hz]")
	for _, g := range []struct {
		name string
		m    analysis.GroupMean
	}{{"as", pc.AS}, {"ans", pc.ANS}, {"ctrl", pc.Ctrl}} {
		fmt.Fprintf(stdout, "%-6s %8d %12s %10s\n", g.name, g.m.N, f4(g.m.Mean), f4(g.m.SD))
	}
	if nuInh != nil {
		fmt.Fprintf(stdout, "%-6s %8d %12s   (population %s)\n", "inh", inhSize, f4(*nuInh), *inhName)
	}
	fmt.Fprintf(stdout, "\nQ  = %s ± %s\nMI = %s bits   H(L) = %s bits   H(R) = %s bits\n", f4(pc.Q), f4(pc.QErr), f4(mi), f4(hl), f4(hr))
	return lg.exitCode()
}

// The groups that recall reads from the log header when --assembly and
// --cue are not given.
const (
	defaultAssembly = "core"
	defaultCue      = "cue"
)

// membersOf resolves the value of --assembly or --cue: a group of the log
// header (of population pop) or indices.
func membersOf(h spikelog.Header, flag, v string, pop spikelog.Population) ([]int, error) {
	if g, ok := h.Group(v); ok {
		if g.Population != pop.Name {
			return nil, fmt.Errorf("--%s %s: the group is of population %s, not %s", flag, v, g.Population, pop.Name)
		}
		return g.Neurons, nil
	}
	out, err := indexSet(flag, v, pop.Size)
	if err != nil && len(h.Groups) > 0 {
		err = fmt.Errorf("%w; or name a group of the log (%s)", err, groupList(h))
	}
	return out, err
}

// groupNote says " (group NAME)" when v names a group of the log.
func groupNote(h spikelog.Header, v string) string {
	if _, ok := h.Group(v); ok {
		return " (group " + v + ")"
	}
	return ""
}

// groupList names the groups of a log header for a message.
func groupList(h spikelog.Header) string {
	if len(h.Groups) == 0 {
		return "it has no groups"
	}
	names := make([]string, len(h.Groups))
	for i, g := range h.Groups {
		names[i] = fmt.Sprintf("%s: %d of %s", g.Name, len(g.Neurons), g.Population)
	}
	return "it has " + strings.Join(names, ", ")
}

// indexSet parses a neuron selector ("A..B" inclusive, "i", and
// comma-separated lists of them; snnsim.ParseIndexSet) into indices
// below n, in the order given.
func indexSet(flag, s string, n int) ([]int, error) {
	out, err := snnsim.ParseIndexSet(s, n)
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", flag, err)
	}
	return out, nil
}

// recordedPopulation returns the population called name, or an error
// that lists the log's populations or says that its spikes were not
// recorded.
func recordedPopulation(h spikelog.Header, name string) (spikelog.Population, error) {
	p, ok := h.Population(name)
	if !ok {
		names := make([]string, len(h.Populations))
		for i, q := range h.Populations {
			names[i] = q.Name
		}
		return p, fmt.Errorf("no population %q in the log (it has %s)", name, strings.Join(names, ", "))
	}
	if p.NotRecorded {
		return p, fmt.Errorf("the spikes of %s were not recorded", name)
	}
	return p, nil
}

// populationRate returns the mean rate [Hz] of the named population of the
// log at path over the window w (analysis.SpikeStats), and its size.
func populationRate(path string, name string, w analysis.Span) (float64, int, error) {
	r, err := spikelog.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer r.Close()
	p, err := recordedPopulation(r.Header(), name)
	if err != nil {
		return 0, 0, err
	}
	stats, _, err := analysis.SpikeStats(r, analysis.SpikeStatsOptions{From: w.From, To: w.To})
	if err != nil {
		return 0, 0, err
	}
	for _, ps := range stats {
		if ps.Name == name {
			return ps.Rate, p.Size, nil
		}
	}
	return 0, 0, fmt.Errorf("no statistics for %s", name)
}
