package scenario

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"

	"github.com/snnsim/snnsim"
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
func (s *Scenario) Compile() (*Network, error) {
	if errs := s.validate(); len(errs) > 0 {
		return nil, errs
	}
	clock := snnsim.Clock{DT: s.Resolution}
	dur, err := clock.Ticks(s.Duration)
	if err != nil { // validate checked it
		return nil, s.compileErr("simulation.duration", err)
	}
	net := &Network{Name: s.Name, File: s.File, Text: s.RecordedText(), Clock: clock, Seed: s.Seed, Duration: dur,
		Overrides: slices.Clone(s.Overrides)}
	index := map[string]int{}
	offset := 0
	for i, ps := range s.Populations {
		index[ps.Name] = i
		pop := &Population{Name: ps.Name, Size: ps.Size, Offset: offset}
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
	for _, st := range s.Stimuli {
		cs := &Stimulus{Kind: st.Kind, Population: index[st.Population], Amplitude: st.Amplitude, Stop: snnsim.Never}
		if st.Neurons != nil {
			cs.Neurons = slices.Clone(st.Neurons)
		}
		cs.Start, _ = clock.Ticks(st.Start)
		if !math.IsInf(st.Stop, 1) {
			cs.Stop, _ = clock.Ticks(st.Stop)
		}
		net.Stimuli = append(net.Stimuli, cs)
	}
	for i, r := range s.Records {
		cr := r.compile(net, index, clock)
		if cr.What == RecordSynapses && r.Count > 0 {
			n := net.Projections[cr.Projection].Len()
			if r.Count > n {
				return nil, s.compileErr(indexKey("record", i)+".sample",
					fmt.Errorf("%d: projection %s has only %d synapses", r.Count, r.Projection, n))
			}
			cr.Synapses = drawSynapses(snnsim.NewRand(s.Seed, "sample/"+r.Projection), r.Count, n)
		}
		if (cr.What == RecordWeights || cr.What == RecordSynapses) && len(cr.Synapses) > 0 {
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
		net.Guards = append(net.Guards, &Guard{Population: index[g.Population], MaxRate: g.MaxRate, Window: w})
	}
	net.Modulations = modulations(s, index, clock)
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

// builder draws the connectivity of one projection.
type builder struct {
	rng          *rand.Rand
	nFrom, nTo   int
	exclude      bool // from == to without autapses: no synapse i -> i
	multapses    bool
	stamp        []uint32 // sampler marks
	generation   uint32
	rowStart     []int64
	target       []int32
	sourceOfPair []int32 // pairs: index into the file's rows, per synapse
}

// projection compiles one projection.
func (s *Scenario) projection(ps *ProjectionSpec, fi, ti int, from, to *Population, clock snnsim.Clock) (*Projection, error) {
	pr := &Projection{Name: ps.Name, From: fi, To: ti, Receptor: ps.Receptor}
	c := ps.Connect
	b := &builder{
		rng:       snnsim.NewRand(s.Seed, "connect/"+ps.Name),
		nFrom:     from.Size,
		nTo:       to.Size,
		exclude:   fi == ti && !c.Autapses,
		multapses: c.Multapses,
	}
	switch c.Rule {
	case AllToAll:
		b.allToAll()
	case OneToOne:
		b.oneToOne()
	case FixedProbability:
		b.fixedProbability(c.P)
	case FixedIndegree:
		b.fixedIndegree(c.K)
	case FixedOutdegree:
		b.fixedOutdegree(c.K)
	case PairsRule:
		b.pairs(c.Pairs)
	default:
		return nil, fmt.Errorf("unknown rule %q", c.Rule)
	}
	pr.RowStart, pr.Target = b.rowStart, b.target
	n := len(pr.Target)

	// Weights, in the target model's internal unit.
	var pairs *Pairs
	if c.Rule == PairsRule {
		pairs = c.Pairs
	}
	constant := (pairs == nil || pairs.Weight == nil) && ps.Weight.Kind == Const && ps.Plasticity == nil && ps.Consolidation == nil
	if !constant {
		pr.Weight = make([]float32, n)
	}
	if pairs != nil && pairs.Weight != nil {
		scale, err := to.Neuron.WeightScale(ps.Receptor, pairs.WeightDim)
		if err != nil {
			return nil, err
		}
		for k, row := range b.sourceOfPair {
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
		for k, row := range b.sourceOfPair {
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
	switch {
	case c.Rule == PairsRule:
		sortRows(pr.RowStart, pr.Target, pr.Weight, pr.Delay)
	case pr.Delay != nil:
		sortRowsByDelay(pr.RowStart, pr.Target, pr.Weight, pr.Delay)
	}
	if ps.Consolidation != nil {
		pr.Consolidation = clone(ps.Consolidation)
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

// pool returns the number of candidate targets (or sources) of a neuron
// when the other side has n members.
func (b *builder) pool(n int) int {
	if b.exclude {
		return n - 1
	}
	return n
}

// skipSelf maps an index into the pool of neuron i to a population index.
func (b *builder) skipSelf(j, i int) int32 {
	if b.exclude && j >= i {
		return int32(j + 1)
	}
	return int32(j)
}

func (b *builder) allToAll() {
	pool := b.pool(b.nTo)
	b.rowStart = make([]int64, b.nFrom+1)
	b.target = make([]int32, 0, b.nFrom*max(pool, 0))
	for i := 0; i < b.nFrom; i++ {
		for j := 0; j < pool; j++ {
			b.target = append(b.target, b.skipSelf(j, i))
		}
		b.rowStart[i+1] = int64(len(b.target))
	}
}

func (b *builder) oneToOne() {
	n := min(b.nFrom, b.nTo)
	b.rowStart = make([]int64, b.nFrom+1)
	b.target = make([]int32, n)
	for i := 0; i < b.nFrom; i++ {
		if i < n {
			b.target[i] = int32(i)
		}
		b.rowStart[i+1] = int64(min(i+1, n))
	}
}

// fixedProbability connects each pair independently with probability p.
// Within a row the gaps between successive targets are geometric, so the
// cost is one random number per synapse rather than per pair.
func (b *builder) fixedProbability(p float64) {
	b.rowStart = make([]int64, b.nFrom+1)
	pool := b.pool(b.nTo)
	if pool <= 0 || p <= 0 {
		b.target = []int32{}
		return
	}
	if p >= 1 {
		b.allToAll()
		return
	}
	// Allocate once for the expected count plus 6 standard deviations, so
	// that the array is almost never grown (growing would copy it).
	pairs := float64(b.nFrom) * float64(pool)
	mean := pairs * p
	capacity := min(mean+6*math.Sqrt(mean*(1-p))+64, pairs)
	b.target = make([]int32, 0, int(capacity))
	lq := math.Log1p(-p)
	for i := 0; i < b.nFrom; i++ {
		j := -1
		for {
			// The number of pairs skipped before the next synapse is
			// geometric: P(skip >= k) = (1-p)^k.
			u := 1 - b.rng.Float64() // (0, 1]
			skip := math.Floor(math.Log(u) / lq)
			if !(skip < float64(pool-j-1)) {
				break
			}
			j += int(skip) + 1
			b.target = append(b.target, b.skipSelf(j, i))
		}
		b.rowStart[i+1] = int64(len(b.target))
	}
}

// choose writes k indices drawn from [0, m) to out: distinct ones (Floyd's
// algorithm) unless multapses are allowed, in which case independent ones.
func (b *builder) choose(k, m int, out []int32) {
	if b.multapses {
		for x := range out[:k] {
			out[x] = int32(b.rng.IntN(m))
		}
		return
	}
	if len(b.stamp) < m {
		b.stamp = make([]uint32, m)
	}
	b.generation++
	if b.generation == 0 {
		clear(b.stamp)
		b.generation = 1
	}
	x := 0
	for j := m - k; j < m; j++ {
		t := b.rng.IntN(j + 1)
		if b.stamp[t] == b.generation {
			t = j
		}
		b.stamp[t] = b.generation
		out[x] = int32(t)
		x++
	}
}

// fixedIndegree gives each target k sources.
func (b *builder) fixedIndegree(k int) {
	pool := b.pool(b.nFrom)
	b.rowStart = make([]int64, b.nFrom+1)
	if k == 0 || pool <= 0 {
		b.target = []int32{}
		return
	}
	n := b.nTo * k
	src := make([]int32, n) // the sources of target j are src[j*k : (j+1)*k]
	for j := 0; j < b.nTo; j++ {
		chosen := src[j*k : (j+1)*k]
		b.choose(k, pool, chosen)
		for x, s := range chosen {
			chosen[x] = b.skipSelf(int(s), j)
			b.rowStart[chosen[x]+1]++
		}
	}
	for i := 0; i < b.nFrom; i++ {
		b.rowStart[i+1] += b.rowStart[i]
	}
	// Bucket by source; targets come in increasing order.
	next := slices.Clone(b.rowStart[:b.nFrom])
	b.target = make([]int32, n)
	for j := 0; j < b.nTo; j++ {
		for _, s := range src[j*k : (j+1)*k] {
			b.target[next[s]] = int32(j)
			next[s]++
		}
	}
}

// fixedOutdegree gives each source k targets.
func (b *builder) fixedOutdegree(k int) {
	pool := b.pool(b.nTo)
	b.rowStart = make([]int64, b.nFrom+1)
	if k == 0 || pool <= 0 {
		b.target = []int32{}
		return
	}
	b.target = make([]int32, b.nFrom*k)
	for i := 0; i < b.nFrom; i++ {
		row := b.target[i*k : (i+1)*k]
		b.choose(k, pool, row)
		for x, t := range row {
			row[x] = b.skipSelf(int(t), i)
		}
		slices.Sort(row)
		b.rowStart[i+1] = int64((i + 1) * k)
	}
}

// pairs builds the rows from a pairs file, in file order within a row;
// sortRows then orders them.
func (b *builder) pairs(p *Pairs) {
	b.rowStart = make([]int64, b.nFrom+1)
	for _, s := range p.Source {
		b.rowStart[s+1]++
	}
	for i := 0; i < b.nFrom; i++ {
		b.rowStart[i+1] += b.rowStart[i]
	}
	next := slices.Clone(b.rowStart[:b.nFrom])
	b.target = make([]int32, len(p.Source))
	b.sourceOfPair = make([]int32, len(p.Source))
	for row, s := range p.Source {
		b.target[next[s]] = p.Target[row]
		b.sourceOfPair[next[s]] = int32(row)
		next[s]++
	}
}

// maxCountingSpan is the widest range of delays [ticks] that
// sortRowsByDelay sorts by counting; wider ranges are sorted by comparison.
const maxCountingSpan = 1024

// sortRowsByDelay orders each row by delay, keeping the order of synapses
// with equal delays. The rows must already be ordered by target, so that the
// result is ordered by (delay, target). Narrow delay ranges (the usual case)
// are sorted by counting, in time linear in the row length.
func sortRowsByDelay(rowStart []int64, target []int32, weight []float32, delay []int32) {
	lo, hi := slices.Min(delay), slices.Max(delay)
	span := int(hi) - int(lo) + 1
	if span > maxCountingSpan {
		sortRows(rowStart, target, weight, delay)
		return
	}
	count := make([]int, span+1)
	var t2, d2 []int32
	var w2 []float32
	for i := 0; i+1 < len(rowStart); i++ {
		a, e := rowStart[i], rowStart[i+1]
		if e-a < 2 {
			continue
		}
		row := delay[a:e]
		sorted := true
		for x := 1; x < len(row); x++ {
			if row[x] < row[x-1] {
				sorted = false
				break
			}
		}
		if sorted {
			continue
		}
		clear(count)
		for _, d := range row {
			count[d-lo+1]++
		}
		for v := 1; v <= span; v++ {
			count[v] += count[v-1] // count[v]: first position of delay lo+v
		}
		t2, d2 = append(t2[:0], target[a:e]...), append(d2[:0], row...)
		if weight != nil { // nil: one constant weight
			w2 = append(w2[:0], weight[a:e]...)
		}
		for x, d := range d2 {
			pos := a + int64(count[d-lo])
			count[d-lo]++
			target[pos], delay[pos] = t2[x], d
			if weight != nil {
				weight[pos] = w2[x]
			}
		}
	}
}

// sortRows orders each row by (delay, target), keeping the order of equal
// synapses. delay may be nil (all equal).
func sortRows(rowStart []int64, target []int32, weight []float32, delay []int32) {
	var idx []int32
	var t2 []int32
	var w2 []float32
	var d2 []int32
	cmp := func(base int64) func(x, y int32) int {
		return func(x, y int32) int {
			if delay != nil {
				if dx, dy := delay[base+int64(x)], delay[base+int64(y)]; dx != dy {
					if dx < dy {
						return -1
					}
					return 1
				}
			}
			tx, ty := target[base+int64(x)], target[base+int64(y)]
			switch {
			case tx < ty:
				return -1
			case tx > ty:
				return 1
			}
			return 0
		}
	}
	for i := 0; i+1 < len(rowStart); i++ {
		a, e := rowStart[i], rowStart[i+1]
		n := int(e - a)
		if n < 2 {
			continue
		}
		less := cmp(a)
		sorted := true
		for x := 1; x < n; x++ {
			if less(int32(x-1), int32(x)) > 0 {
				sorted = false
				break
			}
		}
		if sorted {
			continue
		}
		idx = idx[:0]
		for x := 0; x < n; x++ {
			idx = append(idx, int32(x))
		}
		slices.SortStableFunc(idx, less)
		t2 = append(t2[:0], target[a:e]...)
		if weight != nil { // nil: one constant weight
			w2 = append(w2[:0], weight[a:e]...)
		}
		if delay != nil {
			d2 = append(d2[:0], delay[a:e]...)
		}
		for x, from := range idx {
			target[a+int64(x)] = t2[from]
			if weight != nil {
				weight[a+int64(x)] = w2[from]
			}
			if delay != nil {
				delay[a+int64(x)] = d2[from]
			}
		}
	}
}
