package analysis

import (
	"fmt"
	"math"
	"regexp"
	"slices"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/spikelog"
)

// SplitPart is the time course of one part of a split record (a scenario
// [[record]] with split): the statistics of one variable over the
// synapses from one set of neurons to another (a pathway record, Pre and
// Post set) or over the neurons of one set (a neuron_state record, Pre
// set, Post ""), at each sample tick T.
type SplitPart struct {
	Kind      string // "pathway" or "neuron_state", the record's kind
	Owner     string // the projection (pathway) or the population (neuron_state)
	Pre, Post string // the sets: from Pre to Post (pathway); Pre alone (neuron_state)
	Var       string // the variable ("h", "z", "w", "protein", ...)
	T         []snnsim.Time
	Mean, SD  []float64 // the mean and the population s.d. over the part at T[k]; NaN for an empty part
	N         []float64 // the number of synapses or neurons in the part at T[k]
}

// Name returns the part's name: "core->ctrl" for a pathway part, "core"
// for a neuron set.
func (p *SplitPart) Name() string {
	if p.Kind == "pathway" {
		return p.Pre + spikelog.SplitArrow + p.Post
	}
	return p.Pre
}

// splitName matches the series names of split records, with the "#k"
// suffix of a second record of the same series:
// pathway/<proj>/<pre>-><post>/<var>/<stat> and
// neuron_state/<pop>/<set>/<var>/<stat>.
var splitName = regexp.MustCompile(`^(pathway|neuron_state)/([^/]+)/(\w+)(?:->(\w+))?/([^/]+)/(mean|sd|n)(?:#\d+)?$`)

// splitParts parses a series name of a split record.
func splitParts(name string) (kind, owner, pre, post, v, stat string, ok bool) {
	m := splitName.FindStringSubmatch(name)
	if m == nil || (m[1] == "pathway") != (m[4] != "") {
		return "", "", "", "", "", "", false
	}
	return m[1], m[2], m[3], m[4], m[5], m[6], true
}

// ReadSplit reads the split records of the log at path (a log file or a
// run directory): one SplitPart per part and variable, in the order the
// log declares them. Several records of the same part (for instance one
// every second around learning and recall and one every minute in
// between) are merged into one time course, ordered by tick; a tick
// sampled twice keeps its first sample. A damaged log yields what precedes
// the damage.
func ReadSplit(path string) ([]SplitPart, error) {
	path, err := LogPath(path)
	if err != nil {
		return nil, err
	}
	d, err := loadLog(path, 0, 0, func(s spikelog.Series) int {
		if _, _, _, _, _, _, ok := splitParts(s.Name); ok {
			return 1
		}
		return 0
	})
	if err != nil {
		return nil, err
	}
	type key struct{ kind, owner, pre, post, v string }
	type acc struct {
		part SplitPart
		vals map[string]map[snnsim.Time]float64 // stat → tick → value
	}
	byKey := map[key]*acc{}
	var order []key
	for _, n := range d.order {
		kind, owner, pre, post, v, stat, _ := splitParts(n)
		k := key{kind, owner, pre, post, v}
		a := byKey[k]
		if a == nil {
			a = &acc{part: SplitPart{Kind: kind, Owner: owner, Pre: pre, Post: post, Var: v}, vals: map[string]map[snnsim.Time]float64{}}
			byKey[k] = a
			order = append(order, k)
		}
		if a.vals[stat] == nil {
			a.vals[stat] = map[snnsim.Time]float64{}
		}
		s := d.series[n]
		for i, t := range s.T {
			if _, dup := a.vals[stat][t]; !dup {
				a.vals[stat][t] = s.V[i][0]
			}
		}
	}
	out := make([]SplitPart, 0, len(order))
	for _, k := range order {
		a := byKey[k]
		means := a.vals[spikelog.StatMean]
		p := a.part
		for t := range means {
			p.T = append(p.T, t)
		}
		slices.Sort(p.T)
		for _, t := range p.T {
			sd, ok1 := a.vals[spikelog.StatSD][t]
			n, ok2 := a.vals[spikelog.StatN][t]
			if !ok1 || !ok2 {
				return nil, fmt.Errorf("%s: split record %s/%s/%s: the mean at tick %d has no matching sd and n", path, p.Owner, p.Name(), p.Var, t)
			}
			p.Mean, p.SD, p.N = append(p.Mean, means[t]), append(p.SD, sd), append(p.N, n)
		}
		out = append(out, p)
	}
	return out, nil
}

// FindSplit returns the part of kind ("pathway" or "neuron_state") with
// the given owner ("" for any), part name ("core->core", "core") and
// variable, or nil.
func FindSplit(parts []SplitPart, kind, owner, name, v string) *SplitPart {
	for i := range parts {
		p := &parts[i]
		if p.Kind == kind && (owner == "" || p.Owner == owner) && p.Name() == name && p.Var == v {
			return p
		}
	}
	return nil
}

// CombineSplit returns, at each tick, the mean and the population
// standard deviation of the union of disjoint parts sampled at the same
// ticks (the pathway of the whole when the parts cover every synapse):
// the mean weighted by the counts, and the variance Σ n_k (sd_k² +
// (mean_k − mean)²) / Σ n_k. Empty parts count for nothing.
func CombineSplit(parts []*SplitPart) (mean, sd []float64, err error) {
	if len(parts) == 0 {
		return nil, nil, fmt.Errorf("combine: no parts")
	}
	T := parts[0].T
	for _, p := range parts[1:] {
		if !slices.Equal(p.T, T) {
			return nil, nil, fmt.Errorf("combine: parts %s and %s are sampled at different ticks", parts[0].Name(), p.Name())
		}
	}
	mean, sd = make([]float64, len(T)), make([]float64, len(T))
	for k := range T {
		var n, s float64
		for _, p := range parts {
			if p.N[k] > 0 {
				n += p.N[k]
				s += p.N[k] * p.Mean[k]
			}
		}
		if n == 0 {
			mean[k], sd[k] = math.NaN(), math.NaN()
			continue
		}
		mean[k] = s / n
		var v float64
		for _, p := range parts {
			if p.N[k] > 0 {
				d := p.Mean[k] - mean[k]
				v += p.N[k] * (p.SD[k]*p.SD[k] + d*d)
			}
		}
		sd[k] = math.Sqrt(v / n)
	}
	return mean, sd, nil
}

// splitSets returns the distinct set names of the parts, in order of
// first appearance (pre sets first).
func splitSets(parts []SplitPart) []string {
	var out []string
	for _, p := range parts {
		for _, s := range []string{p.Pre, p.Post} {
			if s != "" && !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

// hasSplit reports whether a series name is one of a split record.
func hasSplit(name string) bool {
	_, _, _, _, _, _, ok := splitParts(name)
	return ok
}
