package analysis

import (
	"fmt"
	"math"
	"slices"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/spikelog"
)

// This file holds the memory-recall measures of Luboeinski & Tetzlaff
// (2021, Commun. Biol. 4:275, Methods "Quantification of memory recall"):
// firing-rate vectors in readout windows, the pattern-completion
// coefficient Q and the mutual information between the rate vectors of a
// learning and a recall window, computed as the authors' analysis does
// (population means, unbinned value identity for the entropies, log2).

// CentredWindow returns the half-open window [centre − width/2,
// centre − width/2 + width) in ticks, the authors' readout window (0.5 s
// centred 0.1 s after the recall onset, or 1 s after the learning onset).
func CentredWindow(centre, width snnsim.Time) Span {
	from := centre - width/2
	return Span{From: from, To: from + width, End: "option"}
}

// WindowCounts reads the spikes of r once and returns, for each window, the
// number of spikes of the neurons first..first+n−1 in it: counts[w][i] for
// neuron first+i in windows[w]. Windows may overlap.
func WindowCounts(r *spikelog.Reader, first snnsim.NeuronID, n int, windows []Span) ([][]int32, error) {
	if n < 0 {
		return nil, fmt.Errorf("window counts: %d neurons", n)
	}
	counts := make([][]int32, len(windows))
	if len(windows) == 0 {
		return counts, nil
	}
	lo, hi := windows[0].From, windows[0].To
	for w, s := range windows {
		if s.To <= s.From {
			return nil, fmt.Errorf("window counts: window %d [%d, %d) is empty", w, s.From, s.To)
		}
		lo, hi = min(lo, s.From), max(hi, s.To)
		counts[w] = make([]int32, n)
	}
	f := spikelog.Filter{From: lo, To: hi, Lo: first, Hi: first + snnsim.NeuronID(n)}
	if n == 0 {
		return counts, nil
	}
	for s := range r.Spikes(f) {
		i := int(s.ID - first)
		if i < 0 || i >= n {
			continue
		}
		for w, win := range windows {
			if s.T >= win.From && s.T < win.To {
				counts[w][i]++
			}
		}
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	return counts, nil
}

// Rates converts the spike counts of a window of the given length (in
// seconds) into firing rates in Hz.
func Rates(counts []int32, seconds float64) []float64 {
	out := make([]float64, len(counts))
	for i, c := range counts {
		out[i] = float64(c) / seconds
	}
	return out
}

// RecallGroups are the three groups of excitatory neurons at recall:
// Stimulated ("as", assembly neurons that receive the recall cue),
// Unstimulated ("ans", assembly neurons without it) and Control (every
// other excitatory neuron). Indices are into the excitatory population.
type RecallGroups struct {
	Stimulated, Unstimulated, Control []int
}

// NewRecallGroups splits n excitatory neurons into the groups for the
// assembly and the cued subset of it. Indices outside 0..n−1, repeated
// indices and cued neurons outside the assembly are refused.
func NewRecallGroups(n int, assembly, cued []int) (RecallGroups, error) {
	role := make([]int8, n) // 0 control, 1 assembly, 2 cued
	for _, i := range assembly {
		if i < 0 || i >= n {
			return RecallGroups{}, fmt.Errorf("assembly neuron %d outside 0..%d", i, n-1)
		}
		if role[i] != 0 {
			return RecallGroups{}, fmt.Errorf("assembly neuron %d listed twice", i)
		}
		role[i] = 1
	}
	for _, i := range cued {
		if i < 0 || i >= n || role[i] == 0 {
			return RecallGroups{}, fmt.Errorf("cued neuron %d is not in the assembly", i)
		}
		if role[i] == 2 {
			return RecallGroups{}, fmt.Errorf("cued neuron %d listed twice", i)
		}
		role[i] = 2
	}
	var g RecallGroups
	for i, r := range role {
		switch r {
		case 0:
			g.Control = append(g.Control, i)
		case 1:
			g.Unstimulated = append(g.Unstimulated, i)
		case 2:
			g.Stimulated = append(g.Stimulated, i)
		}
	}
	return g, nil
}

// GroupMean is the mean and the population standard deviation (divisor N,
// as the authors' analysis computes it) of a quantity over N members.
type GroupMean struct {
	Mean, SD float64
	N        int
}

func groupMean(x []float64, idx []int) GroupMean {
	g := GroupMean{Mean: math.NaN(), SD: math.NaN(), N: len(idx)}
	if len(idx) == 0 {
		return g
	}
	var s float64
	for _, i := range idx {
		s += x[i]
	}
	g.Mean = s / float64(len(idx))
	var v float64
	for _, i := range idx {
		d := x[i] - g.Mean
		v += d * d
	}
	g.SD = math.Sqrt(v / float64(len(idx)))
	return g
}

// PatternCompletion is the recall readout of one trial.
type PatternCompletion struct {
	AS, ANS, Ctrl GroupMean // recall-window rates of the three groups [Hz]
	// Q = (ν_ans − ν_ctrl)/ν_as: 0 when the uncued assembly neurons fire
	// like control neurons, 1 when they fire like the cued ones and the
	// control neurons are silent (Luboeinski & Tetzlaff 2021).
	Q float64
	// QErr is the within-trial error of Q, propagated from the three
	// groups' standard deviations as the authors' analysis does:
	// sqrt((σ_ans/ν_as)² + (σ_ctrl/ν_as)² + (σ_as(ν_ans − ν_ctrl)/ν_as²)²).
	QErr float64
}

// Completion computes Q from the recall-window rates of the excitatory
// population.
func Completion(rates []float64, g RecallGroups) PatternCompletion {
	pc := PatternCompletion{AS: groupMean(rates, g.Stimulated), ANS: groupMean(rates, g.Unstimulated), Ctrl: groupMean(rates, g.Control)}
	as, d := pc.AS.Mean, pc.ANS.Mean-pc.Ctrl.Mean
	pc.Q = d / as
	pc.QErr = math.Sqrt(math.Pow(pc.ANS.SD/as, 2) + math.Pow(pc.Ctrl.SD/as, 2) + math.Pow(pc.AS.SD*d/(as*as), 2))
	return pc
}

// Entropy returns −Σ p log2 p in bits over the distinct values of x (no
// binning: two samples are the same outcome only when they are equal), the
// marginal entropy of the authors' analysis. It is 0 for no samples.
func Entropy[T comparable](x []T) float64 {
	n := make(map[T]int)
	for _, v := range x {
		n[v]++
	}
	return entropyOf(n, len(x))
}

// MutualInformation returns MI = H(L) + H(R) − H(L,R) in bits between two
// equally long sample vectors (the rates of the same neurons in the learning
// and the recall window), with unbinned entropies, and the two marginal
// entropies. MI of a vector with itself is its entropy; MI with a constant
// is 0.
func MutualInformation[T comparable](l, r []T) (mi, hl, hr float64, err error) {
	if len(l) != len(r) {
		return 0, 0, 0, fmt.Errorf("mutual information: %d and %d samples", len(l), len(r))
	}
	type pair struct{ a, b T }
	joint := make(map[pair]int)
	for i := range l {
		joint[pair{l[i], r[i]}]++
	}
	hl, hr = Entropy(l), Entropy(r)
	mi = hl + hr - entropyOf(joint, len(l))
	return mi, hl, hr, nil
}

// entropyOf sums in a fixed order (the sorted counts), so that the result
// does not depend on map iteration order.
func entropyOf[K comparable](counts map[K]int, n int) float64 {
	if n == 0 {
		return 0
	}
	c := make([]int, 0, len(counts))
	for _, k := range counts {
		c = append(c, k)
	}
	slices.Sort(c)
	var h float64
	for _, k := range c {
		p := float64(k) / float64(n)
		h -= p * math.Log2(p)
	}
	return h
}

// SynapseGroups are the means of a per-synapse quantity over the four
// groups of E→E synapses that an assembly defines (source → target).
type SynapseGroups struct {
	CoreCore, CoreCtrl, CtrlCore, CtrlCtrl GroupMean
}

// AssemblySynapseMeans averages value[s] over the synapses source[s] →
// target[s] by whether their ends belong to the assembly (inAssembly,
// indexed by neuron), as the authors report early and late weights inside
// and outside the assembly.
func AssemblySynapseMeans(source, target []int32, value []float64, inAssembly []bool) (SynapseGroups, error) {
	if len(source) != len(target) || len(source) != len(value) {
		return SynapseGroups{}, fmt.Errorf("assembly means: %d sources, %d targets, %d values", len(source), len(target), len(value))
	}
	var idx [4][]int
	for s := range source {
		a, b := int(source[s]), int(target[s])
		if a < 0 || a >= len(inAssembly) || b < 0 || b >= len(inAssembly) {
			return SynapseGroups{}, fmt.Errorf("assembly means: synapse %d (%d -> %d) outside the %d neurons", s, a, b, len(inAssembly))
		}
		k := 0
		if !inAssembly[a] {
			k += 2
		}
		if !inAssembly[b] {
			k++
		}
		idx[k] = append(idx[k], s)
	}
	return SynapseGroups{groupMean(value, idx[0]), groupMean(value, idx[1]), groupMean(value, idx[2]), groupMean(value, idx[3])}, nil
}

// AssemblyNeuronMeans averages a per-neuron quantity (such as the protein
// amount) inside and outside the assembly.
func AssemblyNeuronMeans(value []float64, inAssembly []bool) (inside, outside GroupMean, err error) {
	if len(value) != len(inAssembly) {
		return GroupMean{}, GroupMean{}, fmt.Errorf("assembly means: %d values for %d neurons", len(value), len(inAssembly))
	}
	var in, out []int
	for i, a := range inAssembly {
		if a {
			in = append(in, i)
		} else {
			out = append(out, i)
		}
	}
	return groupMean(value, in), groupMean(value, out), nil
}
