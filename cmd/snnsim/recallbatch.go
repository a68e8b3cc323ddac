package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
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
	"github.com/snnsim/snnsim/spikelog"
	"github.com/snnsim/snnsim/sweep"
)

// batchReadout is the readout of the runs of a batch as the flags give
// it; a sweep point's label columns assembly, cue, learn, recall, width,
// population and inhibitory override it for that point.
type batchReadout struct {
	population, inhibitory, assembly, cue, learn, recall, width string
}

// batchLabels are the label columns of a sweep that set a point's readout.
var batchLabels = []string{"population", "inhibitory", "assembly", "cue", "learn", "recall", "width"}

// batchRun is one run of a batch: its directory, its group (its
// scenario, readout and the scenario keys its sweep point sets) and its
// measures by analysis.RecallMeasureNames.
type batchRun struct {
	dir, group string
	nCA        int
	protocol   string // "10 s", "8 h" or "" (another readout)
	values     map[string]float64
	// A run of a [sequence]: the assembly (1 for A1) and the number of
	// assemblies, the later ones at its first cue, and the figure's curve.
	seqIndex, seqN, later int
	curve                 string
	seed                  uint64
	// ranAway: a [[guard]] stopped the run on runaway activity after
	// this readout's windows had closed; it is measured like any run.
	ranAway bool
}

// errBeforeReadout is returned by measure for a run that stopped before
// the end of its readout windows: its log does not hold them, so it is
// not measured.
var errBeforeReadout = errors.New("the run stopped before the end of its readout windows")

// withLabels returns the readout with the point's label values.
func (b batchReadout) withLabels(p *sweep.Point) batchReadout {
	for _, q := range p.Params {
		if !q.Label {
			continue
		}
		switch q.Key {
		case "population":
			b.population = q.Value
		case "inhibitory":
			b.inhibitory = q.Value
		case "assembly":
			b.assembly = q.Value
		case "cue":
			b.cue = q.Value
		case "learn":
			b.learn = q.Value
		case "recall":
			b.recall = q.Value
		case "width":
			b.width = q.Value
		}
	}
	return b
}

// batchGroup returns the scenario keys that a sweep point sets (its
// values other than labels and the seed), which split a batch into groups.
func batchGroup(p *sweep.Point) string {
	var parts []string
	for _, q := range p.Params {
		if !q.Label {
			parts = append(parts, q.Key+"="+q.Value)
		}
	}
	return strings.Join(parts, ", ")
}

// measure computes the recall measures of the run in dir, which ran up
// to until [ms] (+Inf for a run that reached its end). A run whose
// learning or recall window ends after until is not measured: measure
// returns it with its group and seed and errBeforeReadout.
func (b batchReadout) measure(dir string, until float64) (batchRun, error) {
	run := batchRun{dir: dir, values: map[string]float64{}}
	path, err := analysis.LogPath(dir)
	if err != nil {
		return run, err
	}
	r, err := spikelog.Open(path)
	if err != nil {
		return run, err
	}
	h := r.Header()
	r.Close()
	clock := h.Clock()
	name := b.population
	asmSel, cueSel := b.assembly, b.cue
	if asmSel == "" {
		if _, ok := h.Group(defaultAssembly); !ok {
			return run, fmt.Errorf("assembly: the log has no group %q (%s): give the assembly's indices", defaultAssembly, groupList(h))
		}
		asmSel = defaultAssembly
	}
	if _, ok := h.Group(defaultCue); ok && cueSel == "" {
		cueSel = defaultCue
	}
	if g, ok := h.Group(asmSel); ok && name == "" {
		name = g.Population
	}
	if name == "" && len(h.Populations) > 0 {
		name = h.Populations[0].Name
	}
	pop, err := recordedPopulation(h, name)
	if err != nil {
		return run, fmt.Errorf("population: %w", err)
	}
	lr := analysis.LearnRecall{Population: pop.Name}
	if lr.Assembly, err = membersOf(h, "assembly", asmSel, pop); err != nil {
		return run, err
	}
	if cueSel != "" {
		if lr.Cue, err = membersOf(h, "cue", cueSel, pop); err != nil {
			return run, err
		}
	}
	for _, f := range []struct {
		name, v string
		dst     *snnsim.Time
	}{{"learn", b.learn, &lr.Learn}, {"recall", b.recall, &lr.Recall}, {"width", b.width, &lr.Width}} {
		if *f.dst, err = ticksFlag(f.name, f.v, clock); err != nil {
			return run, err
		}
	}
	run.nCA, run.seed = len(lr.Assembly), h.Seed
	// Runs of one scenario with one readout form a group, whichever sweep
	// or directory they come from.
	run.group = fmt.Sprintf("%s, assembly %d, recall window at %g s", h.Scenario, run.nCA, clock.Ms(lr.Recall)/1000)
	// The authors' two protocols read out at 11 s and at 20.1 s (10 s
	// after learning) or 28810.1 s (8 h after).
	near := func(t snnsim.Time, s float64) bool { return math.Abs(clock.Ms(t)-s*1000) < 1 }
	if near(lr.Learn, 11) && near(lr.Width, 0.5) {
		switch {
		case near(lr.Recall, 20.1):
			run.protocol = "10 s"
		case near(lr.Recall, 28810.1):
			run.protocol = "8 h"
		}
	}
	// The windows are half-open: a run that stopped at tick n holds the
	// ticks before n, so a window ending at n is whole.
	end := max(analysis.CentredWindow(lr.Learn, lr.Width).To, analysis.CentredWindow(lr.Recall, lr.Width).To)
	if clock.Ms(end) > until+clock.DT/2 {
		return run, errBeforeReadout
	}
	m, _, _, err := lr.Measures(path)
	if err != nil {
		return run, err
	}
	run.values["nu_as"], run.values["nu_ans"], run.values["nu_ctrl"] = m.AS.Mean, m.ANS.Mean, m.Ctrl.Mean
	run.values["Q"], run.values["MI"], run.values["H_L"] = m.Q, m.MI, m.HL
	run.values["nu_inh"] = math.NaN()
	inh := b.inhibitory
	if _, has := h.Population("I"); inh == "" && has {
		inh = "I"
	}
	if inh != "" {
		v, _, err := populationRate(path, inh, analysis.CentredWindow(lr.Recall, lr.Width))
		if err != nil {
			return run, fmt.Errorf("inhibitory: %w", err)
		}
		run.values["nu_inh"] = v
	}
	return run, nil
}

// measureAll measures the run in dir: every cue of every assembly when
// its scenario has a [sequence] and the readout names no assembly, cue or
// window (one batchRun each, grouped by assembly and cue; those whose
// recall window ends after until [ms], where a stopped run ends, left
// out), else as measure.
func (b batchReadout) measureAll(dir string, until float64) ([]batchRun, error) {
	if b.assembly != "" || b.cue != "" || b.learn != "" || b.recall != "" {
		r, err := b.measure(dir, until)
		return []batchRun{r}, err
	}
	path, err := analysis.LogPath(dir)
	if err != nil {
		return nil, err
	}
	r, err := spikelog.Open(path)
	if err != nil {
		return nil, err
	}
	h := r.Header()
	r.Close()
	sc, err := recordedSequence(h)
	if err != nil {
		return nil, err
	}
	if sc == nil {
		r, err := b.measure(dir, until)
		return []batchRun{r}, err
	}
	width := b.width
	if width == "" {
		width = "0.5 s"
	}
	tw, err := ticksFlag("width", width, h.Clock())
	if err != nil {
		return nil, err
	}
	rs, err := measureSequence(path, h, sc, tw, until)
	if err != nil {
		return nil, err
	}
	out := make([]batchRun, 0, len(rs))
	for _, x := range rs {
		run := batchRun{dir: dir, nCA: x.Neurons, values: map[string]float64{
			"nu_as": x.m.AS.Mean, "nu_ans": x.m.ANS.Mean, "nu_ctrl": x.m.Ctrl.Mean, "Q": x.m.Q, "MI": x.m.MI, "H_L": x.m.HL, "nu_inh": math.NaN()}}
		run.group = fmt.Sprintf("%s, %s recalled at %g s (age %s, %d later)", h.Scenario, x.Assembly, x.RecallMs/1000, fmtMs(x.AgeS*1000), x.Later)
		run.seqIndex, run.seqN, run.later, run.seed = x.Index, sc.Sequence.N, x.Later, h.Seed
		out = append(out, run)
	}
	return out, nil
}

// recallBatch measures every run of the directories (a sweep directory:
// its done points; else a run directory or log) and prints, per group,
// mean ± s.d. and the 95 % confidence interval of each measure next to
// the authors' batch when the readout is theirs, with a verdict. A point
// that a [[guard]] stopped on runaway activity is measured up to the
// stop: a [sequence] run at the cues before it, another run when its log
// holds its readout windows whole (else it is left out, and each group
// counts both kinds).
func recallBatch(dirs []string, b batchReadout, csvFile, figure, by string, stdout, stderr io.Writer) int {
	var runs []batchRun
	runaways := map[string]analysis.SequenceRun{} // sequence runs a [[guard]] stopped, by directory
	// Runs without a [sequence] that a [[guard]] stopped: after their
	// readout (measured, in runs) and before its end (not measured), by
	// group.
	after, before := 0, map[string][]batchRun{}
	var groups []string
	skipped := 0
	addGroup := func(g string) {
		if !slices.Contains(groups, g) {
			groups = append(groups, g)
		}
	}
	add := func(r batchRun) {
		runs = append(runs, r)
		addGroup(r.group)
	}
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, sweep.ManifestName)); err == nil {
			s, err := sweep.Open(d)
			if err != nil {
				fmt.Fprintf(stderr, "snnsim recall: %v\n", err)
				return 1
			}
			for i := range s.Manifest.Points {
				p := &s.Manifest.Points[i]
				dir := s.PointDir(i)
				st, _ := sweep.PointStatus(dir)
				until, stopped := math.Inf(1), false
				if st == sweep.StoppedByGuard {
					r, end, ok, err := runawaySequence(dir, curveLabel(p, by))
					if err == nil && !ok {
						// No [sequence]: one readout, measured when
						// the run stopped after its windows.
						end, err = stoppedAt(dir)
					}
					if err != nil {
						fmt.Fprintf(stderr, "snnsim recall: %s: %v\n", dir, err)
						return 1
					}
					if ok {
						runaways[dir] = r
					}
					until, stopped = end, true
					st = sweep.Done // measured up to the stop
				}
				if st != sweep.Done {
					skipped++
					continue
				}
				rs, err := b.withLabels(p).measureAll(dir, until)
				if len(rs) == 1 && errors.Is(err, errBeforeReadout) {
					r := rs[0]
					if g := batchGroup(p); g != "" {
						r.group += ", " + g
					}
					before[r.group] = append(before[r.group], r)
					addGroup(r.group)
					continue
				}
				if err != nil {
					fmt.Fprintf(stderr, "snnsim recall: %s: %v\n", dir, err)
					return 1
				}
				for _, r := range rs {
					if g := batchGroup(p); g != "" {
						r.group += ", " + g
					}
					r.curve = curveLabel(p, by)
					r.ranAway = stopped
					if stopped && r.seqN == 0 {
						after++
					}
					add(r)
				}
			}
			continue
		}
		rs, err := b.measureAll(d, math.Inf(1))
		if err != nil {
			fmt.Fprintf(stderr, "snnsim recall: %s: %v\n", d, err)
			return 1
		}
		for _, r := range rs {
			add(r)
		}
	}
	if len(runs) == 0 && len(runaways) == 0 && len(before) == 0 {
		fmt.Fprintf(stderr, "snnsim recall: --batch: no finished run in %s (%d not done)\n", strings.Join(dirs, ", "), skipped)
		return 1
	}
	if skipped > 0 {
		fmt.Fprintf(stdout, "(%d points not done are left out)\n", skipped)
	}
	if len(runaways) > 0 {
		fmt.Fprintf(stdout, "(%d runs of a [sequence] were stopped by a [[guard]] on runaway activity: their recalls before the stop are\nmeasured, and they count as runaways below)\n", len(runaways))
	}
	nBefore := 0
	for _, rs := range before {
		nBefore += len(rs)
	}
	plainStops := after+nBefore > 0
	if plainStops {
		fmt.Fprintf(stdout, "(%d runs were stopped by a [[guard]] on runaway activity: %d after their readout windows, measured up to the stop\n"+
			"like any run; %d before the end of the readout, which are not measured; each group counts its own below)\n", after+nBefore, after, nBefore)
	}
	f4 := func(x float64) string { return strconv.FormatFloat(x, 'f', 4, 64) }
	for _, g := range groups {
		var in, ran []batchRun
		for _, r := range runs {
			if r.group == g {
				in = append(in, r)
				if r.ranAway {
					ran = append(ran, r)
				}
			}
		}
		early := before[g]
		head := in
		if len(head) == 0 {
			head = early
		}
		nCA, protocol := head[0].nCA, head[0].protocol
		for _, r := range head {
			if r.nCA != nCA || r.protocol != protocol {
				protocol = ""
			}
		}
		ref, hasRef := analysis.LT2021Reference(nCA, protocol)
		fmt.Fprintf(stdout, "\n%s: %d runs", g, len(in))
		if protocol != "" {
			fmt.Fprintf(stdout, ", the %s protocol", protocol)
		}
		fmt.Fprintln(stdout)
		if plainStops {
			fmt.Fprintf(stdout, "ran away after the readout: %d of the %d runs%s; ran away before the end of the readout: %d more%s, not measured\n",
				len(ran), len(in), seedList(ran), len(early), seedList(early))
		}
		if len(in) == 0 {
			continue
		}
		fmt.Fprintf(stdout, "%-8s %22s %22s", "measure", "mean ± s.d.", "95% CI of the mean")
		if hasRef {
			fmt.Fprintf(stdout, " %22s %22s  %s", "authors (50 trials)", "authors' 95% CI", "verdict")
		}
		fmt.Fprintln(stdout)
		for _, name := range analysis.RecallMeasureNames {
			var x []float64
			for _, r := range in {
				if v := r.values[name]; !math.IsNaN(v) {
					x = append(x, v)
				}
			}
			if len(x) == 0 {
				continue
			}
			mean, sd, lo, hi := analysis.SampleCI(x)
			fmt.Fprintf(stdout, "%-8s %22s %22s", name, f4(mean)+" ± "+f4(sd), "["+f4(lo)+", "+f4(hi)+"]")
			if rv, ok := ref[name]; hasRef && ok {
				rlo, rhi := rv.CI()
				verdict := "inside the authors' 95% CI"
				switch {
				case mean >= rlo && mean <= rhi:
				case hi < rlo || lo > rhi:
					verdict = "OUTSIDE: the 95% CIs are disjoint"
				default:
					verdict = "outside the authors' 95% CI; the CIs overlap"
				}
				fmt.Fprintf(stdout, " %22s %22s  %s", f4(rv.Mean)+" ± "+f4(rv.SD), "["+f4(rlo)+", "+f4(rhi)+"]", verdict)
			}
			fmt.Fprintln(stdout)
		}
	}
	if seq := sequenceRuns(runs, runaways); len(seq) > 0 {
		printSequenceCurves(stdout, seq)
		if figure != "" {
			p, err := analysis.SequencePlot("Continual learning: recall of the first assembly and of the newest", seq)
			if err == nil {
				height := 20 * vg.Centimeter
				if len(p.More) > 1 {
					height = 25 * vg.Centimeter // the runaway panel
				}
				err = p.Save(figure, 16*vg.Centimeter, height, 100)
			}
			if err != nil {
				fmt.Fprintf(stderr, "snnsim recall: --figure: %v\n", err)
				return 1
			}
		}
	} else if figure != "" {
		fmt.Fprintf(stderr, "snnsim recall: --figure: with --batch, the figure is that of runs of a [sequence]; these have none\n")
		return 1
	}
	if csvFile != "" {
		f, err := os.Create(csvFile)
		if err != nil {
			fmt.Fprintf(stderr, "snnsim recall: --csv: %v\n", err)
			return 1
		}
		w := csv.NewWriter(f)
		w.Write(append(append([]string{"run", "group", "assembly", "protocol"}, analysis.RecallMeasureNames...), "ran_away_after_readout"))
		for _, r := range runs {
			row := []string{r.dir, r.group, strconv.Itoa(r.nCA), r.protocol}
			for _, n := range analysis.RecallMeasureNames {
				row = append(row, strconv.FormatFloat(r.values[n], 'g', -1, 64))
			}
			w.Write(append(row, strconv.FormatBool(r.ranAway)))
		}
		w.Flush()
		if err := errors.Join(w.Error(), f.Close()); err != nil {
			fmt.Fprintf(stderr, "snnsim recall: --csv: %v\n", err)
			return 1
		}
	}
	return 0
}

// curveLabel is the value of the label column by of a sweep point (by
// "": its first label column), which names the point's curve in the
// continual-learning figure; by may list several columns, "model,variant",
// whose values together name the curve. "" when the point has none of them.
func curveLabel(p *sweep.Point, by string) string {
	var parts []string
	for _, col := range strings.Split(by, ",") {
		col = strings.TrimSpace(col)
		for _, q := range p.Params {
			if q.Label && (col == "" || q.Key == col) && !slices.Contains(batchLabels, q.Key) {
				parts = append(parts, q.Key+"="+q.Value)
				break
			}
		}
	}
	return strings.Join(parts, ", ")
}

// sequenceRuns returns, per run directory of a [sequence], A1's Q and
// MI at its first cue and the newest assembly's Q, for the
// continual-learning summary and figure. runaway holds the runs a
// [[guard]] stopped, by directory: each is one entry, with the measures
// of the recalls that came before the stop (NaN for the others).
func sequenceRuns(runs []batchRun, runaway map[string]analysis.SequenceRun) []analysis.SequenceRun {
	first := map[string]*analysis.SequenceRun{}
	var order []string
	for _, r := range runs {
		if r.seqIndex != 1 {
			continue
		}
		if _, seen := first[r.dir]; seen {
			continue // a later cue of A1
		}
		curve := r.curve
		if curve == "" {
			curve = "all runs"
		}
		_, ran := runaway[r.dir]
		first[r.dir] = &analysis.SequenceRun{Curve: curve, Seed: r.seed, Later: r.later, Q: r.values["Q"], MI: r.values["MI"], NewestQ: math.NaN(), Runaway: ran}
		order = append(order, r.dir)
	}
	for _, r := range runs {
		if a := first[r.dir]; a != nil && r.seqIndex == r.seqN && math.IsNaN(a.NewestQ) {
			a.NewestQ = r.values["Q"]
		}
	}
	// runs stopped before A1's cue: no measure
	var stopped []string
	for d := range runaway {
		if first[d] == nil {
			stopped = append(stopped, d)
		}
	}
	slices.Sort(stopped)
	for _, d := range stopped {
		r := runaway[d]
		first[d] = &r
		order = append(order, d)
	}
	out := make([]analysis.SequenceRun, 0, len(order))
	for _, d := range order {
		out = append(out, *first[d])
	}
	return out
}

// printSequenceCurves prints the continual-learning summary: per curve
// and number of later assemblies, A1's Q, its change paired by seed
// against the runs with none, its MI and the newest assembly's Q, each
// mean ± 95% CI half-width.
func printSequenceCurves(w io.Writer, runs []analysis.SequenceRun) {
	names, curves := analysis.SequenceCurves(runs)
	pm := func(m, h float64) string {
		return strconv.FormatFloat(m, 'f', 4, 64) + " ± " + strconv.FormatFloat(h, 'f', 4, 64)
	}
	fmt.Fprintf(w, "\nA1 against the number of assemblies learned after it (mean ± 95%% CI half-width over the runs measured; dQ paired\nby seed with the runs of no later assembly; runaway: runs stopped by a [[guard]], measured up to the stop)\n")
	fmt.Fprintf(w, "%-20s %6s %5s %20s %20s %6s %20s %20s %8s\n", "curve", "later", "runs", "Q of A1", "dQ of A1", "pairs", "MI of A1 [bits]", "Q of the newest", "runaway")
	for _, name := range names {
		for _, p := range curves[name] {
			fmt.Fprintf(w, "%-20s %6d %5d %20s %20s %6d %20s %20s %8s\n", name, p.Later, p.N, pm(p.Q, p.QHalf), pm(p.DQ, p.DQHalf), p.DN, pm(p.MI, p.MIHalf), pm(p.NewQ, p.NewQHalf),
				strconv.Itoa(p.Runaway)+"/"+strconv.Itoa(p.Runs))
		}
	}
}

// runawaySequence returns the entry of the continual-learning summary of a
// sweep point in dir that a [[guard]] stopped, with no measure: its
// curve, seed and the number of assemblies its scenario learns after A1
// before A1's first cue; and the time [ms] at which it stopped. ok is
// false when the run's scenario has no [sequence] (the point is then left
// out as any failed one).
func runawaySequence(dir, curve string) (r analysis.SequenceRun, end float64, ok bool, err error) {
	path, err := analysis.LogPath(dir)
	if err != nil {
		return r, 0, false, err
	}
	lr, err := spikelog.Open(path)
	if err != nil {
		return r, 0, false, err
	}
	h := lr.Header()
	lr.Close()
	sc, err := recordedSequence(h)
	if err != nil || sc == nil {
		return r, 0, false, err
	}
	as := sc.SequenceReadout()
	if len(as) == 0 || len(as[0].Recalls) == 0 {
		return r, 0, false, nil
	}
	end, err = stoppedAt(dir)
	if err != nil {
		return r, 0, false, err
	}
	if curve == "" {
		curve = "all runs"
	}
	onset := as[0].Recalls[0] - sc.Sequence.Width
	nan := math.NaN()
	r = analysis.SequenceRun{Curve: curve, Seed: h.Seed, Later: sc.LearnedBetween(as[0], onset), Runaway: true, Q: nan, MI: nan, NewestQ: nan}
	return r, end, true, nil
}

// stoppedAt returns the time [ms] at which a [[guard]] stopped the run in
// dir, from its summary.
func stoppedAt(dir string) (float64, error) {
	path := filepath.Join(dir, SummaryName)
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	var sum struct {
		SimulatedS *float64 `json:"simulated_s"`
	}
	if err := json.Unmarshal(b, &sum); err != nil || sum.SimulatedS == nil {
		return 0, fmt.Errorf("%s: no simulated_s, the time at which the guard stopped the run (%v)", path, err)
	}
	return *sum.SimulatedS * 1000, nil
}

// seedList names the seeds of runs for a line of the batch summary:
// " (seeds 19, 21)", or "" for none.
func seedList(runs []batchRun) string {
	if len(runs) == 0 {
		return ""
	}
	seeds := make([]string, len(runs))
	for i, r := range runs {
		seeds[i] = strconv.FormatUint(r.seed, 10)
	}
	word := "seeds"
	if len(runs) == 1 {
		word = "seed"
	}
	return " (" + word + " " + strings.Join(seeds, ", ") + ")"
}
