package analysis

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/spikelog"
)

// This file holds the measures of cell assemblies that form under repeated
// stimulation and of their recall from cues, after Zenke, Agnes & Gerstner
// (2015, Nat. Commun. 6:6922). Their code ships the recipe that derives
// the assemblies (bootstrap.sh: a spike-triggered average over the 0.5 s
// after each onset of a pattern late in the first phase, neurons above
// 10 Hz) but no recall statistic; CueRecall is the measure its protocol
// implies: after a cue of shape k, assembly k should be the most active in
// the second after the cue ends.

// Presentation is one presentation of a pattern by a pattern source, as
// its marks in a log give it: pattern Pattern of phase Phase, on from tick
// On up to tick Off (snnsim.Never when the log ends before the offset).
type Presentation struct {
	Source         string
	Phase, Pattern int
	On, Off        snnsim.Time
}

// Presentations rebuilds the presentations of the pattern source named
// source from the marks of a log (spikelog.ParsePatternMark), in the order
// of their onsets; source "" takes every pattern source. A presentation
// whose offset is not in the log has Off = snnsim.Never.
func Presentations(marks []spikelog.Mark, source string) []Presentation {
	var out []Presentation
	open := map[string]int{} // source -> index in out of its presentation on
	phase := map[string]int{}
	for _, m := range marks {
		kind, pop, k, ok := spikelog.ParsePatternMark(m.Text)
		if !ok || (source != "" && pop != source) {
			continue
		}
		switch kind {
		case spikelog.PatternPhase:
			phase[pop] = k
		case spikelog.PatternOn:
			open[pop] = len(out)
			out = append(out, Presentation{Source: pop, Phase: phase[pop], Pattern: k, On: m.T, Off: snnsim.Never})
		case spikelog.PatternOff:
			if i, ok := open[pop]; ok && out[i].Pattern == k {
				out[i].Off = m.T
				delete(open, pop)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Presentation) int { return cmpTime(a.On, b.On) })
	return out
}

func cmpTime(a, b snnsim.Time) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// AssemblyOptions select the presentations that define the assemblies and
// the response that counts (the recipe of Zenke et al. 2015: the last 400 s
// of the first phase, presentations of at least 0.5 s, spikes in the 0.5 s
// after onset, neurons above 10 Hz).
type AssemblyOptions struct {
	Phase     int         // presentations of this phase only; -1: any
	From, To  snnsim.Time // onsets in [From, To); To <= 0: no upper limit
	Window    snnsim.Time // spikes counted in [onset, onset + Window), > 0
	MinOn     snnsim.Time // presentations shorter than this are left out
	Threshold float64     // a neuron belongs to a pattern's assembly above this mean rate [Hz]
}

// Assemblies are the neurons of a population that respond to each pattern.
type Assemblies struct {
	// Members[k] are the population indices (increasing) of the neurons
	// whose mean rate over the presentations of pattern k exceeds the
	// threshold.
	Members [][]int
	// Rates[k][i] is neuron i's mean rate [Hz] over the windows after the
	// onsets of pattern k; NaN when pattern k was not presented.
	Rates [][]float64
	// Presentations[k] is the number of presentations of pattern k used.
	Presentations []int
}

// DeriveAssemblies counts the spikes of population pop (from r, one pass)
// in the window after each onset that o selects from pres, and returns for
// each of the nPatterns patterns the mean rate of every neuron and the
// neurons above o.Threshold.
func DeriveAssemblies(r *spikelog.Reader, pop spikelog.Population, pres []Presentation, nPatterns int, o AssemblyOptions) (*Assemblies, error) {
	if o.Window <= 0 {
		return nil, fmt.Errorf("assemblies: window of %d ticks: must be > 0", o.Window)
	}
	if nPatterns < 1 {
		return nil, fmt.Errorf("assemblies: %d patterns", nPatterns)
	}
	var use []Presentation
	for _, p := range pres {
		if (o.Phase >= 0 && p.Phase != o.Phase) || p.On < o.From || (o.To > 0 && p.On >= o.To) || p.Off == snnsim.Never || p.Off-p.On < o.MinOn {
			continue
		}
		if p.Pattern >= nPatterns {
			return nil, fmt.Errorf("assemblies: pattern %d presented at tick %d, but there are %d patterns", p.Pattern, p.On, nPatterns)
		}
		use = append(use, p)
	}
	a := &Assemblies{Members: make([][]int, nPatterns), Rates: make([][]float64, nPatterns), Presentations: make([]int, nPatterns)}
	counts := make([][]int64, nPatterns)
	for k := range counts {
		counts[k] = make([]int64, pop.Size)
	}
	for _, p := range use {
		a.Presentations[p.Pattern]++
	}
	wins := make([]Span, len(use))
	for i, p := range use {
		wins[i] = Span{From: p.On, To: p.On + o.Window}
	}
	err := windowSpikes(r, pop, wins, func(w, i int) { counts[use[w].Pattern][i]++ })
	if err != nil {
		return nil, err
	}
	sec := r.Header().Clock().Seconds(o.Window)
	for k := range nPatterns {
		a.Rates[k] = make([]float64, pop.Size)
		for i, c := range counts[k] {
			a.Rates[k][i] = float64(c) / (float64(a.Presentations[k]) * sec)
			if a.Rates[k][i] > o.Threshold {
				a.Members[k] = append(a.Members[k], i)
			}
		}
	}
	return a, nil
}

// windowSpikes reads the spikes of pop from r once and calls hit(w, i) for
// each spike of member i in window w (windows may overlap; a spike in
// several windows is counted in each).
func windowSpikes(r *spikelog.Reader, pop spikelog.Population, wins []Span, hit func(w, i int)) error {
	if len(wins) == 0 {
		return nil
	}
	order := make([]int, len(wins))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return wins[order[a]].From < wins[order[b]].From })
	lo, hi := wins[order[0]].From, wins[order[0]].To
	for _, w := range wins {
		lo, hi = min(lo, w.From), max(hi, w.To)
	}
	// Windows whose start has passed and whose end has not, kept by the
	// scan below: order[next:] are still to start.
	var active []int
	next := 0
	f := spikelog.Filter{From: lo, To: hi, Lo: pop.First, Hi: pop.First + snnsim.NeuronID(pop.Size)}
	for s := range r.Spikes(f) {
		for next < len(order) && wins[order[next]].From <= s.T {
			active = append(active, order[next])
			next++
		}
		keep := active[:0]
		for _, w := range active {
			if wins[w].To > s.T {
				keep = append(keep, w)
			}
		}
		active = keep
		i := int(s.ID - pop.First)
		for _, w := range active {
			hit(w, i)
		}
	}
	return r.Err()
}

// CueResponse is the response of the assemblies to one presentation: the
// mean rate [Hz] of each assembly during the presentation (Evoked, [On,
// Off)) and in the delay window after it (Delay, [Off, Off + delay)), and
// the index of the assembly with the highest rate in each (-1 when every
// rate is 0 or the window is empty).
type CueResponse struct {
	Presentation
	Evoked, Delay           []float64
	BestEvoked, BestDelay   int
	EvokedTicks, DelayTicks snnsim.Time // the windows' lengths
}

// CueRecall measures, for each presentation of cues (all with an offset),
// the mean rate of each assembly (members: population indices) of
// population pop during the cue and in the delay window of the given
// length after it (one pass over r). The delay window of a cue is cut at
// the next cue's onset.
func CueRecall(r *spikelog.Reader, pop spikelog.Population, members [][]int, cues []Presentation, delay snnsim.Time) ([]CueResponse, error) {
	if delay <= 0 {
		return nil, fmt.Errorf("cue recall: delay window of %d ticks: must be > 0", delay)
	}
	owner := make([][]int, pop.Size) // assemblies of each neuron
	for a, m := range members {
		for _, i := range m {
			if i < 0 || i >= pop.Size {
				return nil, fmt.Errorf("cue recall: assembly %d has neuron %d, but %s has %d", a, i, pop.Name, pop.Size)
			}
			owner[i] = append(owner[i], a)
		}
	}
	var out []CueResponse
	for _, c := range cues {
		if c.Off == snnsim.Never {
			continue
		}
		out = append(out, CueResponse{Presentation: c, Evoked: make([]float64, len(members)), Delay: make([]float64, len(members))})
	}
	slices.SortStableFunc(out, func(a, b CueResponse) int { return cmpTime(a.On, b.On) })
	wins := make([]Span, 0, 2*len(out))
	for k := range out {
		end := out[k].Off + delay
		if k+1 < len(out) {
			end = min(end, out[k+1].On)
		}
		end = max(end, out[k].Off)
		out[k].EvokedTicks, out[k].DelayTicks = out[k].Off-out[k].On, end-out[k].Off
		wins = append(wins, Span{From: out[k].On, To: out[k].Off}, Span{From: out[k].Off, To: end})
	}
	err := windowSpikes(r, pop, wins, func(w, i int) {
		rates := out[w/2].Evoked
		if w%2 == 1 {
			rates = out[w/2].Delay
		}
		for _, a := range owner[i] {
			rates[a]++
		}
	})
	if err != nil {
		return nil, err
	}
	clock := r.Header().Clock()
	for k := range out {
		c := &out[k]
		for a, m := range members {
			c.Evoked[a] = perNeuron(c.Evoked[a], len(m), clock.Seconds(c.EvokedTicks))
			c.Delay[a] = perNeuron(c.Delay[a], len(m), clock.Seconds(c.DelayTicks))
		}
		c.BestEvoked, c.BestDelay = argmax(c.Evoked), argmax(c.Delay)
	}
	return out, nil
}

// perNeuron turns a count of n neurons' spikes over sec seconds into a
// mean rate; NaN for no neuron or no time.
func perNeuron(count float64, n int, sec float64) float64 {
	if n == 0 || !(sec > 0) {
		return math.NaN()
	}
	return count / (float64(n) * sec)
}

// argmax returns the index of the largest value above 0 (the first of
// equals), or -1.
func argmax(x []float64) int {
	best, bi := 0.0, -1
	for i, v := range x {
		if v > best {
			best, bi = v, i
		}
	}
	return bi
}

// RecallSummary sums up the responses to the cues of one class: the cues
// that should recall assembly Class (-1: novel cues, which should recall
// none), how many were presented, how many made their assembly the most
// active during the cue (HitsEvoked) and in the delay window (HitsDelay),
// and the assemblies' rates averaged over the presentations.
//
// SelEvoked and SelDelay are the selectivity of Zenke, Agnes & Gerstner
// (2015)'s recall read-out: per presentation, the rate of the cued class's
// assembly minus the highest rate of any other assembly (0 when there is
// none), averaged over the presentations [Hz]; positive when the cued
// assembly leads. NaN for novel cues, which have no assembly of their own.
type RecallSummary struct {
	Class                 int
	N                     int
	HitsEvoked, HitsDelay int
	Evoked, Delay         []float64
	SelEvoked, SelDelay   float64
}

// SummarizeRecall groups responses by class: class[k] is the assembly that
// cue pattern k should recall, -1 for none. Classes come out in increasing
// order, novel cues (-1) first.
func SummarizeRecall(resp []CueResponse, class []int, nAssemblies int) ([]RecallSummary, error) {
	by := map[int]*RecallSummary{}
	for _, c := range resp {
		if c.Pattern >= len(class) {
			return nil, fmt.Errorf("recall summary: cue pattern %d has no class (%d classes given)", c.Pattern, len(class))
		}
		k := class[c.Pattern]
		s := by[k]
		if s == nil {
			s = &RecallSummary{Class: k, Evoked: make([]float64, nAssemblies), Delay: make([]float64, nAssemblies)}
			by[k] = s
		}
		s.N++
		if k >= 0 && c.BestEvoked == k {
			s.HitsEvoked++
		}
		if k >= 0 && c.BestDelay == k {
			s.HitsDelay++
		}
		for a := range nAssemblies {
			s.Evoked[a] += c.Evoked[a]
			s.Delay[a] += c.Delay[a]
		}
		if k >= 0 {
			s.SelEvoked += lead(c.Evoked, k)
			s.SelDelay += lead(c.Delay, k)
		}
	}
	var out []RecallSummary
	for _, s := range by {
		for a := range nAssemblies {
			s.Evoked[a] /= float64(s.N)
			s.Delay[a] /= float64(s.N)
		}
		s.SelEvoked /= float64(s.N)
		s.SelDelay /= float64(s.N)
		if s.Class < 0 {
			s.SelEvoked, s.SelDelay = math.NaN(), math.NaN()
		}
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b RecallSummary) int { return a.Class - b.Class })
	return out, nil
}

// lead returns rates[k] minus the largest other rate that is not NaN (0
// when there is none).
func lead(rates []float64, k int) float64 {
	other := 0.0
	for a, v := range rates {
		if a != k && v > other {
			other = v
		}
	}
	return rates[k] - other
}

// WeightContrast sums up a matrix of block means (BlockMeans) between n
// assemblies: the smallest and the mean of the n within-assembly blocks
// (the diagonal), the largest and the mean of the n(n-1) blocks between
// two assemblies, and the block among the neurons in no assembly (Rest).
// The criterion of an assembly in Zenke, Agnes & Gerstner (2015) is a
// strong within block against weak between blocks. Blocks without
// synapses (NaN) are left out; a statistic with no block is NaN. When
// assemblies share neurons, their between blocks hold the shared neurons'
// within-assembly synapses too.
type WeightContrast struct {
	WithinMin, WithinMean   float64
	BetweenMax, BetweenMean float64
	Rest                    float64
}

// Contrast computes the WeightContrast of bm, the (n+1)×(n+1) block means
// of BlockMeans (the last row and column being the rest).
func Contrast(bm [][]float64) (WeightContrast, error) {
	n := len(bm) - 1
	if n < 1 {
		return WeightContrast{}, fmt.Errorf("weight contrast: %d rows of block means: want the assemblies and the rest", len(bm))
	}
	for a, row := range bm {
		if len(row) != n+1 {
			return WeightContrast{}, fmt.Errorf("weight contrast: row %d has %d block means, want %d", a, len(row), n+1)
		}
	}
	nan := math.NaN()
	c := WeightContrast{WithinMin: nan, BetweenMax: nan, Rest: bm[n][n]}
	var sw, sb float64
	var nw, nb int
	for a := range n {
		for b := range n {
			v := bm[a][b]
			if math.IsNaN(v) {
				continue
			}
			if a == b {
				if nw == 0 || v < c.WithinMin {
					c.WithinMin = v
				}
				sw += v
				nw++
			} else {
				if nb == 0 || v > c.BetweenMax {
					c.BetweenMax = v
				}
				sb += v
				nb++
			}
		}
	}
	c.WithinMean, c.BetweenMean = sw/float64(nw), sb/float64(nb) // 0/0 = NaN
	return c, nil
}

// BlockMeans returns the mean weight of the synapses from the neurons of
// group a onto those of group b, for the groups members[0], ...,
// members[n-1] and, last, the neurons in none of them ("rest"): out[a][b],
// NaN for a block without synapses. pre and post are the synapses'
// global neuron IDs, w their weights; first and size give the population
// that the member indices refer to. A neuron in several groups counts in
// each.
func BlockMeans(pre, post []float64, w []float64, first snnsim.NeuronID, size int, members [][]int) ([][]float64, error) {
	if len(pre) != len(w) || len(post) != len(w) {
		return nil, fmt.Errorf("block means: %d pre, %d post and %d weights", len(pre), len(post), len(w))
	}
	groups := groupsOf(size, members)
	n := len(members) + 1
	sum, cnt := make([][]float64, n), make([][]float64, n)
	for a := range n {
		sum[a], cnt[a] = make([]float64, n), make([]float64, n)
	}
	for k := range w {
		i, j := int(pre[k])-int(first), int(post[k])-int(first)
		if i < 0 || i >= size || j < 0 || j >= size {
			continue
		}
		for _, a := range groups[i] {
			for _, b := range groups[j] {
				sum[a][b] += w[k]
				cnt[a][b]++
			}
		}
	}
	for a := range n {
		for b := range n {
			sum[a][b] /= cnt[a][b] // 0/0 = NaN for an empty block
		}
	}
	return sum, nil
}

// groupsOf returns each neuron's groups: its assemblies, or the rest group
// len(members) when it is in none.
func groupsOf(size int, members [][]int) [][]int {
	g := make([][]int, size)
	for a, m := range members {
		for _, i := range m {
			if i >= 0 && i < size {
				g[i] = append(g[i], a)
			}
		}
	}
	for i := range g {
		if g[i] == nil {
			g[i] = []int{len(members)}
		}
	}
	return g
}

// AssemblyOrder returns the population's neurons sorted by assembly: the
// members of assembly 0, then those of 1 not listed yet, ..., then the
// rest, each group in increasing index; and the start of each group in
// that order (len(members)+2 entries, the last one size).
func AssemblyOrder(size int, members [][]int) (order []int, starts []int) {
	seen := make([]bool, size)
	for _, m := range members {
		starts = append(starts, len(order))
		sorted := slices.Clone(m)
		slices.Sort(sorted)
		for _, i := range sorted {
			if i >= 0 && i < size && !seen[i] {
				seen[i] = true
				order = append(order, i)
			}
		}
	}
	starts = append(starts, len(order))
	for i := range size {
		if !seen[i] {
			order = append(order, i)
		}
	}
	return order, append(starts, size)
}

// FinalWeights returns the last sample of the weights of projection proj
// in the log at path ("weights/<proj>", a weights record, best with final
// = true) and each synapse's presynaptic and postsynaptic global IDs, and
// the tick of that sample.
func FinalWeights(path, proj string) (pre, post, w []float64, at snnsim.Time, err error) {
	return WeightsAt(path, proj, -1)
}

// WeightsAt is FinalWeights for the last sample at or before tick at (at <
// 0: the last sample of all), such as the end of a protocol's phase.
func WeightsAt(path, proj string, at snnsim.Time) (pre, post, w []float64, tick snnsim.Time, err error) {
	name := spikelog.WeightsPrefix + proj
	to := snnsim.Time(0)
	if at >= 0 {
		to = at + 1
	}
	d, err := loadLog(path, 0, to, func(s spikelog.Series) int {
		if s.Name == name || s.Name == name+"/"+spikelog.WhatPre || s.Name == name+"/"+spikelog.WhatPost {
			return s.Width()
		}
		return 0
	})
	if err != nil {
		return nil, nil, nil, 0, err
	}
	ws, ps, qs := d.series[name], d.series[name+"/"+spikelog.WhatPre], d.series[name+"/"+spikelog.WhatPost]
	if ws == nil || ps == nil || qs == nil || len(ws.V) == 0 || len(ps.V) == 0 || len(qs.V) == 0 {
		if at >= 0 {
			return nil, nil, nil, 0, fmt.Errorf("the log has no weights of %s at or before tick %d: record them with a [[record]] what = \"weights\", projection = %q and a sample interval", proj, at, proj)
		}
		return nil, nil, nil, 0, fmt.Errorf("the log has no weights of %s: add a [[record]] with what = \"weights\", projection = %q and final = true", proj, proj)
	}
	last := len(ws.V) - 1
	w, pre, post = ws.V[last], ps.V[0], qs.V[0]
	if len(pre) != len(w) || len(post) != len(w) {
		return nil, nil, nil, 0, fmt.Errorf("weights of %s: %d weights, %d pre and %d post IDs", proj, len(w), len(pre), len(post))
	}
	return pre, post, w, ws.T[last], nil
}

// WeightProjections returns the projections whose weights the log at path
// records with pre and post IDs, in declaration order.
func WeightProjections(path string) ([]string, error) {
	r, err := spikelog.Open(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	st, err := r.Stats()
	if err != nil && damage(err) == nil {
		return nil, err
	}
	var out []string
	for _, s := range st.Series {
		if s.What == spikelog.WhatWeights && s.Unit != spikelog.UnitID {
			if p, ok := strings.CutPrefix(s.Name, spikelog.WeightsPrefix); ok && !strings.Contains(p, "/") {
				out = append(out, p)
			}
		}
	}
	return out, nil
}
