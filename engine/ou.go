package engine

import (
	"fmt"
	"strconv"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/neuron"
	"github.com/snnsim/snnsim/source"
)

// ouInput is an Ornstein–Uhlenbeck current stimulus ("ou_current") on some
// members of a neuron population: the current of member ids[j] (all members
// when ids is nil) is cur.Current(j).
type ouInput struct {
	cur     *source.OUCurrent
	ids     []int
	stim    int  // its index in the network's stimuli
	changed bool // its value was or is non-zero at the last applyOU
}

// newOU builds stimulus k of the network, an ou_current on population pop,
// with the random streams "ou/<population>/<key>/<j>" for its j-th member,
// the key being the stimulus's name, or k for one without a name.
func (e *Engine) newOU(k int, s *netlist.Stimulus) error {
	p := &e.pops[s.Population]
	var keys []int // in a worker: the streams of the whole population's current
	if e.part != nil {
		keys = []int{}
		first := int(e.part.lo[s.Population])
		if all := e.part.par.net.Stimuli[k].Neurons; all == nil {
			for j := range p.neurons.Len() {
				keys = append(keys, first+j)
			}
		} else {
			for q, j := range all {
				if j >= first && j < first+p.neurons.Len() {
					keys = append(keys, q)
				}
			}
		}
	}
	cur, err := ouCurrent(e.net, k, s, p.neurons.Len(), keys)
	if err != nil {
		return fmt.Errorf("engine: %w", err)
	}
	p.ous = append(p.ous, &ouInput{cur: cur, ids: s.Neurons, stim: k})
	if p.ouSum == nil {
		p.ouSum = make([]float64, p.neurons.Len())
	}
	return nil
}

// applyOU advances the OU currents for the step from t to t+1 and sets the
// bias of the neurons of each population whose OU current is or was on.
func (e *Engine) applyOU(t snnsim.Time) {
	for i := range e.pops {
		p := &e.pops[i]
		if len(p.ous) == 0 {
			continue
		}
		changed, all := false, false
		for _, o := range p.ous {
			was := o.cur.On()
			o.cur.Advance(t + 1)
			o.changed = was || o.cur.On()
			changed = changed || o.changed
			all = all || (o.changed && o.ids == nil)
		}
		if !changed {
			continue
		}
		p.sumOU()
		if all {
			if bs, ok := p.neurons.(neuron.BiasSetter); ok {
				bs.SetBiases(t, p.totals())
				continue
			}
			for j := range p.ouSum {
				p.neurons.SetBias(t, j, p.total(j))
			}
			continue
		}
		// Only the listed members of the changed currents need a new bias
		// (a member listed twice is set twice, to the same value).
		for _, o := range p.ous {
			if o.changed {
				for _, j := range o.ids {
					p.neurons.SetBias(t, j, p.total(j))
				}
			}
		}
	}
}

// sumOU recomputes the OU current of every member from the currents' values.
// While one current on every member is the only one on (a background
// current between stimulus windows), its values are the sum (0 + x is x),
// and ouSum refers to them instead of copying them at every tick.
func (p *pop) sumOU() {
	var only []float64
	for _, o := range p.ous {
		v := o.cur.Values()
		if v == nil {
			continue
		}
		if only != nil || o.ids != nil {
			only = nil
			break
		}
		only = v
	}
	if only != nil {
		p.ouSum = only
		return
	}
	if len(p.ouOwn) != len(p.ouSum) {
		p.ouOwn = make([]float64, len(p.ouSum))
	}
	p.ouSum = p.ouOwn
	clear(p.ouSum)
	for _, o := range p.ous {
		v := o.cur.Values()
		if v == nil {
			continue
		}
		if o.ids == nil {
			for j, x := range v {
				p.ouSum[j] += x
			}
			continue
		}
		for j, x := range v {
			p.ouSum[o.ids[j]] += x
		}
	}
}

// nextOU returns the earliest tick >= now at which an OU current needs the
// engine: now while one is on (its value changes every step), else the
// start of the next window.
func (e *Engine) nextOU() snnsim.Time {
	next := snnsim.Never
	for i := range e.pops {
		for _, o := range e.pops[i].ous {
			if o.cur.On() {
				return e.now
			}
			next = min(next, o.cur.NextOn(e.now))
		}
	}
	return next
}

// ouCurrent builds the current of stimulus k of net, an ou_current on a
// population of size members. Its random streams are keyed by the seed,
// the population and the stimulus's name (or k), so a stimulus draws the
// same numbers whenever the run was branched, and a named one whatever
// the other stimuli are.
//
// keys, when not nil, are the stream keys of the current's neurons (a
// worker's part of a current: see source.NewOUCurrentPart).
func ouCurrent(net *netlist.Network, k int, s *netlist.Stimulus, size int, keys []int) (*source.OUCurrent, error) {
	n := size
	if s.Neurons != nil {
		n = len(s.Neurons)
	}
	par := source.OUParams{Mean: s.Mean, Sigma: s.Sigma, Tau: s.Tau, Start: s.Init}
	key := strconv.Itoa(k)
	if s.Name != "" {
		key = s.Name
	}
	name := "ou/" + net.Populations[s.Population].Name + "/" + key
	if keys != nil {
		return source.NewOUCurrentPart(keys, par, net.Clock.DT, []source.OUWindow{{From: s.Start, To: s.Stop}}, net.Seed, name)
	}
	return source.NewOUCurrent(n, par, net.Clock.DT, []source.OUWindow{{From: s.Start, To: s.Stop}}, net.Seed, name)
}

// totals returns the input current of every member, total(j) for each j,
// in a buffer of the population's that the next call overwrites (ouSum
// itself when nothing else adds to it).
func (p *pop) totals() []float64 {
	if p.bias == nil && p.injected == nil && p.base == 0 {
		return p.ouSum // 0 + x: the same number
	}
	n := len(p.ouSum)
	if len(p.totalBuf) != n {
		p.totalBuf = make([]float64, n)
	}
	tot := p.totalBuf
	// the terms are added in total's order, so that the sums are the same
	for j := range tot {
		tot[j] = p.base
	}
	if p.bias != nil {
		for j, x := range p.bias[:n] {
			tot[j] += x
		}
	}
	if p.injected != nil {
		for j, x := range p.injected[:n] {
			tot[j] += x
		}
	}
	for j, x := range p.ouSum {
		tot[j] += x
	}
	return tot
}
