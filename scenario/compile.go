package scenario

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/netlist"
)

// Compile validates the scenario and draws the network from Seed.
//
// Every random choice comes from its own stream, named after what it draws
// (see [snnsim.NewRand]):
//
//	init/<population>     initial membrane potentials
//	connect/<projection>  which pairs are connected
//	weight/<projection>   weights
//	delay/<projection>    delays
//	sample/<projection>   the synapses of a "synapses" record with sample = n
//
// so adding or changing one population or projection changes no other's
// arrays, and the same scenario and seed always give identical arrays.
// Connectivity is drawn source by source, each row in increasing target
// order; weights and delays are then drawn in that synapse order, and each
// row is finally ordered by (delay, target).
func (s *Scenario) Compile() (*netlist.Network, error) {
	if errs := s.validate(); len(errs) > 0 {
		return nil, errs
	}
	clock := snnsim.Clock{DT: s.Resolution}
	dur, err := clock.Ticks(s.Duration)
	if err != nil { // validate checked it
		return nil, s.compileErr("simulation.duration", err)
	}
	net := &netlist.Network{Name: s.Name, File: s.File, Text: s.RecordedText(), Clock: clock, Seed: s.Seed, Duration: dur,
		Overrides: slices.Clone(s.Overrides)}
	index := map[string]int{}
	offset := 0
	for i, ps := range s.Populations {
		index[ps.Name] = i
		pop := &netlist.Population{Name: ps.Name, Size: ps.Size, Offset: offset}
		offset += ps.Size
		if ps.Neuron != nil {
			pop.Neuron = clone(ps.Neuron)
			if ps.InitV != nil {
				pop.InitV = drawInit(ps.InitV, ps.Size, snnsim.NewRand(s.Seed, "init/"+ps.Name))
			}
		} else {
			pop.Source = clone(ps.Source)
		}
		net.Populations = append(net.Populations, pop)
	}
	for i, ps := range s.Projections {
		from, to := index[ps.From], index[ps.To]
		pr, err := s.projection(ps, from, to, net.Populations[from], net.Populations[to], clock)
		if err != nil {
			return nil, s.compileErr(indexKey("projection", i), err)
		}
		net.Projections = append(net.Projections, pr)
	}
	for _, g := range s.resolved.list {
		net.Groups = append(net.Groups, netlist.Group{Name: g.Name, Population: g.Population, Neurons: slices.Clone(g.Neurons)})
	}
	for _, st := range s.Stimuli {
		cs := &netlist.Stimulus{Name: st.Name, Kind: st.Kind, Population: index[st.Population], Amplitude: st.Amplitude, Stop: snnsim.Never,
			Mean: st.Mean, Sigma: st.Sigma, Tau: st.Tau, Init: st.Init}
		if st.Neurons != nil {
			cs.Neurons = slices.Clone(st.Neurons)
		}
		if g, ok := s.resolved.find(st.Group); ok && st.Group != "" {
			cs.Neurons = slices.Clone(g.Neurons)
		}
		cs.Start, _ = clock.Ticks(st.Start)
		if !math.IsInf(st.Stop, 1) {
			cs.Stop, _ = clock.Ticks(st.Stop)
		}
		net.Stimuli = append(net.Stimuli, cs)
	}
	for i, r := range s.Records {
		cr := r.compile(net, index, clock)
		if cr.What == netlist.RecordSynapses && r.Count > 0 {
			n := net.Projections[cr.Projection].Len()
			if r.Count > n {
				return nil, s.compileErr(indexKey("record", i)+".sample",
					fmt.Errorf("%d: projection %s has only %d synapses", r.Count, r.Projection, n))
			}
			cr.Synapses = drawSynapses(snnsim.NewRand(s.Seed, "sample/"+r.Projection), r.Count, n)
		}
		if (cr.What == netlist.RecordWeights || cr.What == netlist.RecordSynapses) && len(cr.Synapses) > 0 {
			n := net.Projections[cr.Projection].Len()
			if last := cr.Synapses[len(cr.Synapses)-1]; last >= n {
				return nil, s.compileErr(indexKey("record", i)+".synapses",
					fmt.Errorf("synapse %d is out of range: projection %s has %d synapses (0..%d)", last, r.Projection, n, n-1))
			}
		}
		net.Records = append(net.Records, cr)
	}
	for _, g := range s.Guards {
		w, _ := clock.Ticks(g.Window)
		net.Guards = append(net.Guards, &netlist.Guard{Population: index[g.Population], MaxRate: g.MaxRate, Window: w})
	}
	net.Modulations = modulations(s, index, clock)
	net.Phases = s.compilePhases(clock)
	return net, nil
}

func (s *Scenario) compileErr(key string, err error) ErrorList {
	return ErrorList{s.loc.at(s.File, key, err)}
}

// clone returns a copy of the struct that p points to, so that the network
// does not share parameters with the scenario.
func clone[T any](p T) T {
	v := reflect.ValueOf(p)
	if v.Kind() == reflect.Pointer && !v.IsNil() {
		c := reflect.New(v.Elem().Type())
		c.Elem().Set(v.Elem())
		if t, ok := c.Interface().(T); ok {
			return t
		}
	}
	return p
}

func drawInit(d *Dist, n int, r *rand.Rand) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = d.Sample(r)
	}
	return v
}

// projection compiles one projection.
func (s *Scenario) projection(ps *ProjectionSpec, fi, ti int, from, to *netlist.Population, clock snnsim.Clock) (*netlist.Projection, error) {
	pr := &netlist.Projection{Name: ps.Name, From: fi, To: ti, Receptor: ps.Receptor}
	c := ps.Connect
	rng := snnsim.NewRand(s.Seed, "connect/"+ps.Name)
	opt := netlist.ConnectOptions{NoAutapses: fi == ti && !c.Autapses, Multapses: c.Multapses}
	var rows netlist.Rows
	var sourceOfPair []int32 // pairs: index into the file's rows, per synapse
	var err error
	switch c.Rule {
	case AllToAll:
		rows, err = netlist.AllToAll(from.Size, to.Size, opt)
	case OneToOne:
		rows, err = netlist.OneToOne(from.Size, to.Size)
	case FixedProbability:
		rows, err = netlist.FixedProbability(rng, from.Size, to.Size, c.P, opt)
	case FixedIndegree:
		rows, err = netlist.FixedIndegree(rng, from.Size, to.Size, c.K, opt)
	case FixedOutdegree:
		rows, err = netlist.FixedOutdegree(rng, from.Size, to.Size, c.K, opt)
	case DiscFieldsRule:
		rows, _, err = netlist.DiscReceptiveFields(rng, to.Size, netlist.DiscFields{Width: c.Width, Height: c.Height, Radius: c.Radius, P: c.P})
	case PairsRule:
		rows, sourceOfPair, err = netlist.ExplicitPairs(from.Size, to.Size, c.Pairs.Source, c.Pairs.Target)
	default:
		return nil, fmt.Errorf("unknown rule %q", c.Rule)
	}
	if err != nil {
		return nil, err
	}
	pr.RowStart, pr.Target = rows.RowStart, rows.Target
	n := len(pr.Target)

	// Weights, in the target model's internal unit.
	var pairs *Pairs
	if c.Rule == PairsRule {
		pairs = c.Pairs
	}
	// A constant weight needs no array, except under a plasticity rule
	// without a consolidation model, whose weights the engine copies from
	// the network's (a consolidation model starts from the constant and
	// keeps its own).
	constant := (pairs == nil || pairs.Weight == nil) && ps.Weight.Kind == Const && (ps.Plasticity == nil || ps.Consolidation != nil)
	if !constant {
		pr.Weight = make([]float32, n)
	}
	if pairs != nil && pairs.Weight != nil {
		scale, err := to.Neuron.WeightScale(ps.Receptor, pairs.WeightDim)
		if err != nil {
			return nil, err
		}
		for k, row := range sourceOfPair {
			pr.Weight[k] = float32(max(pairs.Weight[row], 0) * scale)
		}
	} else {
		w := ps.Weight
		scale, err := to.Neuron.WeightScale(ps.Receptor, w.Dim)
		if err != nil {
			return nil, err
		}
		if w.Kind == Const {
			x := float32(max(w.A, 0) * scale)
			pr.ConstWeight = x
			for k := range pr.Weight { // none when constant
				pr.Weight[k] = x
			}
		} else {
			r := snnsim.NewRand(s.Seed, "weight/"+ps.Name)
			for k := range pr.Weight {
				pr.Weight[k] = float32(max(w.Sample(r), 0) * scale) // weights are magnitudes: clip at 0
			}
		}
	}

	// Delays, in ticks, at least one.
	ticks := func(ms float64) int32 {
		t := math.Round(ms / clock.DT)
		return int32(min(max(t, 1), math.MaxInt32))
	}
	switch {
	case pairs != nil && pairs.Delay != nil:
		pr.Delay = make([]int32, n)
		for k, row := range sourceOfPair {
			pr.Delay[k] = ticks(pairs.Delay[row])
		}
	case ps.Delay.Kind == Const:
		pr.ConstDelay = snnsim.Time(ticks(ps.Delay.A))
	default:
		pr.Delay = make([]int32, n)
		r := snnsim.NewRand(s.Seed, "delay/"+ps.Name)
		for k := range pr.Delay {
			pr.Delay[k] = ticks(ps.Delay.Sample(r))
		}
	}
	if pr.Delay != nil {
		if n == 0 {
			pr.Delay, pr.ConstDelay = nil, 1
			if ps.Delay != nil {
				pr.ConstDelay = snnsim.Time(ticks(ps.Delay.A))
			}
		} else if allEqual(pr.Delay) {
			pr.Delay, pr.ConstDelay = nil, snnsim.Time(pr.Delay[0])
		}
	}
	if c.Rule == PairsRule || pr.Delay != nil {
		pr.SortRows()
	}
	if ps.Consolidation != nil {
		pr.Consolidation = clone(ps.Consolidation)
	}
	if ps.STP != nil {
		st := *ps.STP
		pr.STP = &st
	}
	if ps.Plasticity != nil {
		pr.Plasticity = ps.Plasticity
		start, err := clock.Ticks(ps.PlasticityStart)
		if err != nil {
			return nil, fmt.Errorf("projection %s: plasticity.start: %w", ps.Name, err)
		}
		pr.PlasticityStart = start
		if pr.Delay != nil {
			for i := 0; i+1 < len(pr.RowStart); i++ {
				lo, hi := pr.RowStart[i], pr.RowStart[i+1]
				if hi > lo && pr.Delay[lo] != pr.Delay[hi-1] {
					return nil, fmt.Errorf("projection %s: delay: a plastic projection needs one delay per source neuron "+
						"(presynaptic traces are kept per neuron and advanced at arrival), but source %d has delays from %d to %d ticks", ps.Name, i, pr.Delay[lo], pr.Delay[hi-1])
				}
			}
		}
	}
	return pr, nil
}

func allEqual(d []int32) bool {
	for _, x := range d {
		if x != d[0] {
			return false
		}
	}
	return true
}
