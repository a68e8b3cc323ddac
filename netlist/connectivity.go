package netlist

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Rows is the connectivity of a projection before weights and delays: the
// targets of source i are Target[RowStart[i]:RowStart[i+1]], indices into
// the target population. The rules' builders return each row in increasing
// target order ([ExplicitPairs] keeps the order of its list); a
// [Projection] takes RowStart and Target as they are, and
// [Projection.SortRows] then orders each row by (delay, target).
type Rows struct {
	RowStart []int64 // len nFrom+1, RowStart[0] = 0
	Target   []int32 // len RowStart[nFrom]
}

// Len returns the number of synapses.
func (r Rows) Len() int { return len(r.Target) }

// ConnectOptions are the choices a rule leaves open.
type ConnectOptions struct {
	// NoAutapses leaves out the synapse i -> i. It is for a population
	// that projects onto itself (nFrom == nTo, which the builders check):
	// the random rules then draw from the other n-1 members.
	NoAutapses bool
	// Multapses lets FixedIndegree and FixedOutdegree draw one pair more
	// than once (independent draws); without it a neuron's k partners are
	// distinct, so k cannot exceed the partners available.
	Multapses bool
}

// maxSynapses is the most synapses a projection may hold: synapse indices
// are int32 in the transposed index and in the engine.
const maxSynapses = math.MaxInt32

// AllToAll connects every source to every target.
func AllToAll(nFrom, nTo int, o ConnectOptions) (Rows, error) {
	b, err := newBuilder(nil, nFrom, nTo, o)
	if err != nil {
		return Rows{}, err
	}
	if n := float64(nFrom) * float64(b.pool(nTo)); n > maxSynapses {
		return Rows{}, fmt.Errorf("all to all: %d x %d neurons give %.4g synapses, more than the %d a projection may hold", nFrom, nTo, n, maxSynapses)
	}
	b.allToAll()
	return b.rows(), nil
}

// OneToOne connects source i to target i, for i below the smaller size.
// It always includes i -> i: it is the rule's only synapse.
func OneToOne(nFrom, nTo int) (Rows, error) {
	b, err := newBuilder(nil, nFrom, nTo, ConnectOptions{})
	if err != nil {
		return Rows{}, err
	}
	b.oneToOne()
	return b.rows(), nil
}

// FixedProbability connects each pair independently with probability p
// (0 <= p <= 1), drawing from r. The number of synapses is binomial,
// Binomial(nFrom·pool, p) where pool is nTo (nTo-1 without autapses). The
// gaps between successive targets of a row are geometric, so the cost is one
// random number per synapse rather than one per pair.
func FixedProbability(r *rand.Rand, nFrom, nTo int, p float64, o ConnectOptions) (Rows, error) {
	if !(p >= 0 && p <= 1) {
		return Rows{}, fmt.Errorf("fixed probability: p = %g: a probability must be between 0 and 1", p)
	}
	if r == nil && p > 0 && p < 1 {
		return Rows{}, fmt.Errorf("fixed probability: no random source")
	}
	b, err := newBuilder(r, nFrom, nTo, o)
	if err != nil {
		return Rows{}, err
	}
	b.fixedProbability(p)
	return b.rows(), nil
}

// FixedIndegree gives each of the nTo targets k sources drawn from r: k
// distinct ones, or k independent ones with Multapses.
func FixedIndegree(r *rand.Rand, nFrom, nTo, k int, o ConnectOptions) (Rows, error) {
	b, err := newBuilder(r, nFrom, nTo, o)
	if err != nil {
		return Rows{}, err
	}
	if err := b.checkDegree("fixed indegree", k, b.pool(nFrom), nTo, "sources"); err != nil {
		return Rows{}, err
	}
	b.fixedIndegree(k)
	return b.rows(), nil
}

// FixedOutdegree gives each of the nFrom sources k targets drawn from r: k
// distinct ones, or k independent ones with Multapses.
func FixedOutdegree(r *rand.Rand, nFrom, nTo, k int, o ConnectOptions) (Rows, error) {
	b, err := newBuilder(r, nFrom, nTo, o)
	if err != nil {
		return Rows{}, err
	}
	if err := b.checkDegree("fixed outdegree", k, b.pool(nTo), nFrom, "targets"); err != nil {
		return Rows{}, err
	}
	b.fixedOutdegree(k)
	return b.rows(), nil
}

// ExplicitPairs makes the synapses source[x] -> target[x] for every x, in
// that order within a row (rows need not be ordered by target: use
// [SortRowsByDelay]). order[k] is the x of synapse k, so that per-pair
// weights and delays can be put in synapse order.
func ExplicitPairs(nFrom, nTo int, source, target []int32) (rows Rows, order []int32, err error) {
	if len(source) != len(target) {
		return Rows{}, nil, fmt.Errorf("explicit pairs: %d sources but %d targets", len(source), len(target))
	}
	if len(source) > maxSynapses {
		return Rows{}, nil, fmt.Errorf("explicit pairs: %d pairs, more than the %d synapses a projection may hold", len(source), maxSynapses)
	}
	b, err := newBuilder(nil, nFrom, nTo, ConnectOptions{})
	if err != nil {
		return Rows{}, nil, err
	}
	for x := range source {
		if s, t := source[x], target[x]; s < 0 || int(s) >= nFrom || t < 0 || int(t) >= nTo {
			return Rows{}, nil, fmt.Errorf("explicit pairs: pair %d (%d, %d) is out of range: %d sources and %d targets", x, s, t, nFrom, nTo)
		}
	}
	b.pairs(source, target)
	return b.rows(), b.sourceOfPair, nil
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

func newBuilder(r *rand.Rand, nFrom, nTo int, o ConnectOptions) (*builder, error) {
	switch {
	case nFrom < 0 || nTo < 0 || nFrom > math.MaxInt32 || nTo > math.MaxInt32:
		return nil, fmt.Errorf("population sizes %d and %d: must be between 0 and %d", nFrom, nTo, math.MaxInt32)
	case o.NoAutapses && nFrom != nTo:
		return nil, fmt.Errorf("no autapses between populations of %d and %d neurons: NoAutapses is for a population onto itself", nFrom, nTo)
	}
	return &builder{rng: r, nFrom: nFrom, nTo: nTo, exclude: o.NoAutapses, multapses: o.Multapses}, nil
}

// checkDegree checks k partners per neuron for each of n neurons drawn from
// a pool of candidates.
func (b *builder) checkDegree(rule string, k, pool, n int, side string) error {
	switch {
	case k < 0:
		return fmt.Errorf("%s: k = %d: must be >= 0", rule, k)
	case !b.multapses && k > pool:
		return fmt.Errorf("%s: k = %d: without multapses k can be at most the %d available %s", rule, k, pool, side)
	case k > 0 && pool < 1:
		return fmt.Errorf("%s: k = %d: there are no available %s", rule, k, side)
	case float64(k)*float64(n) > maxSynapses:
		return fmt.Errorf("%s: k = %d for %d neurons: more than the %d synapses a projection may hold", rule, k, n, maxSynapses)
	}
	if b.rng == nil && k > 0 {
		return fmt.Errorf("%s: no random source", rule)
	}
	return nil
}

func (b *builder) rows() Rows { return Rows{RowStart: b.rowStart, Target: b.target} }

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

// pairs builds the rows from a list of pairs, in list order within a row;
// SortRowsByDelay then orders them.
func (b *builder) pairs(source, target []int32) {
	b.rowStart = make([]int64, b.nFrom+1)
	for _, s := range source {
		b.rowStart[s+1]++
	}
	for i := 0; i < b.nFrom; i++ {
		b.rowStart[i+1] += b.rowStart[i]
	}
	next := slices.Clone(b.rowStart[:b.nFrom])
	b.target = make([]int32, len(source))
	b.sourceOfPair = make([]int32, len(source))
	for row, s := range source {
		b.target[next[s]] = target[row]
		b.sourceOfPair[next[s]] = int32(row)
		next[s]++
	}
}

// SortRowsByDelay orders each row of a projection's arrays by (delay,
// target), keeping the order of synapses that are equal in both, and
// permutes weight (nil: one constant weight) along. delay may be nil (one
// constant delay), and then rows are ordered by target. The engine relies
// on this order: it delivers a row's synapses in groups of equal delay.
func SortRowsByDelay(rowStart []int64, target []int32, weight []float32, delay []int32) {
	if delay != nil && targetsSorted(rowStart, target) {
		sortRowsCounting(rowStart, target, weight, delay)
		return
	}
	sortRows(rowStart, target, weight, delay)
}

// SortRows orders the rows of p by (delay, target) (see [SortRowsByDelay]).
func (p *Projection) SortRows() { SortRowsByDelay(p.RowStart, p.Target, p.Weight, p.Delay) }

// targetsSorted reports whether every row is ordered by target.
func targetsSorted(rowStart []int64, target []int32) bool {
	for i := 0; i+1 < len(rowStart); i++ {
		row := target[rowStart[i]:rowStart[i+1]]
		for x := 1; x < len(row); x++ {
			if row[x] < row[x-1] {
				return false
			}
		}
	}
	return true
}

// maxCountingSpan is the widest range of delays [ticks] that
// sortRowsCounting sorts by counting; wider ranges are sorted by comparison.
const maxCountingSpan = 1024

// sortRowsCounting orders each row by delay, keeping the order of synapses
// with equal delays. The rows must already be ordered by target, so that the
// result is ordered by (delay, target). Narrow delay ranges (the usual case)
// are sorted by counting, in time linear in the row length.
func sortRowsCounting(rowStart []int64, target []int32, weight []float32, delay []int32) {
	if len(delay) == 0 {
		return
	}
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
