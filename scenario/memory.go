package scenario

import (
	"fmt"
	"math"
	"math/bits"
	"strings"
)

// MemoryEstimate is the memory a scenario's run needs, by part [bytes]. It
// is an estimate made before anything is allocated, from the sizes and the
// expected synapse counts, with the per-element costs of the engine's data
// structures (including the transient copies of connectivity building), so
// that a scenario too large for the machine is refused with a message
// instead of failing in the Go runtime.
type MemoryEstimate struct {
	Neurons       int64 // neuron state of every neuron population
	Sources       int64 // state of the source populations
	Synapses      int64 // connectivity: targets, weights and delays of every synapse
	Plastic       int64 // per-synapse state of plastic projections
	Consolidation int64 // per-synapse state of consolidation models
	DelayRing     int64 // the delay queue's slots (one per tick of the longest delay)
	Records       int64 // buffers of the log writer and of the records
	Base          int64 // the program and its runtime
}

// Per-element costs [bytes]. Each is the cost of the engine's arrays for one
// element, rounded up so that the estimate bounds the peak resident memory
// of a run whose every array has been touched (a long run).
const (
	memBase          = 20 << 20 // program, runtime, scenario: the resident size of a run of one neuron, with room for the collector's timing
	memNeuronBase    = 32       // status, tick, list entries, spike buffer, engine slices
	memNeuronVar     = 8        // one float64 state variable
	memSource        = 24       // random stream and schedule position
	memSynapseConst  = 5        // target index (a constant weight and delay are shared)
	memSynapseVar    = 13       // target index, weight, delay slot
	memPlastic       = 8        // plastic weight and its column index
	memConsolidation = 88       // the consolidation variables and their lazy-update bookkeeping
	memRingSlot      = 24       // one slot of the delay ring (a slice header)
	memRecord        = 2 << 20  // the log's open block and one record's sample buffer
)

// neuronVars is the number of float64 arrays of length n that a neuron
// model's population allocates (see the models' New).
var neuronVars = map[string]int64{
	"lif_delta": 4, "lif_exp_current": 7, "lif_exp_cond": 8, "lif_cond_ampa_nmda": 9, "adex": 6,
	"aif_cond_ampa_nmda": 11,
}

// Total returns the sum of the parts.
func (m MemoryEstimate) Total() int64 {
	return m.Neurons + m.Sources + m.Synapses + m.Plastic + m.Consolidation + m.DelayRing + m.Records + m.Base
}

// String lists the total and the non-zero parts.
func (m MemoryEstimate) String() string {
	var parts []string
	for _, p := range []struct {
		name string
		b    int64
	}{{"neurons", m.Neurons}, {"sources", m.Sources}, {"synapses", m.Synapses}, {"plastic state", m.Plastic},
		{"consolidation state", m.Consolidation}, {"delay ring", m.DelayRing}, {"records", m.Records}, {"program", m.Base}} {
		if p.b > 0 {
			parts = append(parts, p.name+" "+FormatBytes(p.b))
		}
	}
	return fmt.Sprintf("%s (%s)", FormatBytes(m.Total()), strings.Join(parts, ", "))
}

// FormatBytes writes a byte count with a binary prefix ("1.5 GiB").
func FormatBytes(b int64) string {
	const unit = 1024
	if b < unit {
		return fmt.Sprintf("%d B", b)
	}
	x, i := float64(b), 0
	for x >= unit && i < 6 {
		x /= unit
		i++
	}
	return fmt.Sprintf("%.3g %ciB", x, "KMGTPE"[i-1])
}

// Memory estimates the memory a run of the decoded scenario needs. It uses
// only the decoded values (no network is built), so that it can refuse a
// scenario before Compile allocates it.
func (s *Scenario) Memory() MemoryEstimate {
	m := MemoryEstimate{Base: memBase}
	sat := func(x float64) int64 { // float to bytes, saturating
		if !(x < math.MaxInt64/4) {
			return math.MaxInt64 / 4
		}
		return int64(x)
	}
	size := map[string]float64{}
	for _, p := range s.Populations {
		if p == nil || p.Size < 1 {
			continue
		}
		n := float64(p.Size)
		size[p.Name] = n
		switch {
		case p.Neuron != nil:
			k, ok := neuronVars[p.Neuron.Model()]
			if !ok {
				k = 9
			}
			m.Neurons += sat(n * float64(memNeuronBase+memNeuronVar*k))
		case p.Source != nil:
			m.Sources += sat(n * memSource)
		}
	}
	maxDelay := 0.0
	for _, p := range s.Projections {
		if p == nil {
			continue
		}
		syn := expectedSynapses(p, size[p.From], size[p.To])
		per := float64(memSynapseVar)
		if p.Weight != nil && p.Weight.Kind == Const && p.Delay != nil && p.Delay.Kind == Const && p.Plasticity == nil {
			per = memSynapseConst
		}
		m.Synapses += sat(syn * per)
		if p.Plasticity != nil {
			m.Plastic += sat(syn * memPlastic)
		}
		if p.Consolidation != nil {
			m.Consolidation += sat(syn * memConsolidation)
		}
		if d := p.Delay; d != nil {
			hi := d.A
			switch d.Kind {
			case Uniform:
				hi = d.B
			case Normal:
				hi = d.A + 6*d.B
			}
			if !math.IsInf(d.Hi, 1) {
				hi = min(hi, d.Hi)
			}
			maxDelay = max(maxDelay, hi)
		}
	}
	if s.Resolution > 0 && maxDelay > 0 {
		ticks := maxDelay/s.Resolution + 2
		if ticks >= 1<<62 {
			m.DelayRing = math.MaxInt64 / 4
		} else {
			m.DelayRing = memRingSlot << bits.Len64(uint64(ticks))
		}
	}
	m.Records = int64(len(s.Records)+1) * memRecord
	return m
}

// expectedSynapses returns the expected number of synapses of a projection
// between populations of nFrom and nTo neurons (0 when not known).
func expectedSynapses(p *ProjectionSpec, nFrom, nTo float64) float64 {
	switch cn := p.Connect; cn.Rule {
	case AllToAll:
		return nFrom * nTo
	case OneToOne:
		return nFrom
	case FixedProbability:
		return nFrom * nTo * max(min(cn.P, 1), 0)
	case FixedIndegree:
		return nTo * float64(max(cn.K, 0))
	case FixedOutdegree:
		return nFrom * float64(max(cn.K, 0))
	case PairsRule:
		if cn.Pairs != nil {
			return float64(len(cn.Pairs.Source))
		}
	case DiscFieldsRule:
		// At most a full disc, at most the grid.
		disc := math.Pi * cn.Radius * cn.Radius
		return nTo * min(disc+4*cn.Radius+1, nFrom) * max(min(cn.P, 1), 0)
	}
	return 0
}
