package scenario

import (
	"math"
	"slices"
	"strconv"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/netlist"
)

// GroupSpec is a [[group]] table: a named set of neurons of one
// population, given either by its members (Neurons) or as a part of an
// earlier group (Of): the first Count members of Of, or Count members
// drawn at random, where Count is given or Fraction of Of's size,
// rounded to the nearest integer (p_r·N_CA of Luboeinski & Tetzlaff 2021).
type GroupSpec struct {
	Name       string
	Population string   // the population; with Of, Of's (it may be left out)
	Neurons    []int    // the members, in the order given; nil with Of
	Of         string   // the group this one is a part of
	Fraction   float64  // with Of: the part of Of's members, in (0, 1]; 0 when Count is given
	Count      int      // with Of: the number of members; 0 when Fraction is given
	Pick       string   // with Of: "first" (Of's first members, in Of's order) or "random"
	written    []string // the keys given, for errors
	// seq is the [sequence] that made the group, nil for a [[group]]
	// table; seqIndex is its assembly's index, -1 for a cue.
	seq      *SequenceSpec
	seqIndex int
}

// Pick values of a [[group]] with of.
const (
	PickFirst  = "first"  // the first members of the parent group, in its order
	PickRandom = "random" // members drawn without replacement from the stream group/<name>, in increasing order
)

func (d *decoder) group(t *table) *GroupSpec {
	g := &GroupSpec{Pick: PickFirst}
	g.Name, _ = t.str("name", true)
	if v, ok := t.str("population", false); ok {
		g.Population = v
	}
	if v, ok := d.neuronList(t, "neurons"); ok {
		g.Neurons = v
		g.written = append(g.written, "neurons")
	}
	if v, ok := t.str("of", false); ok {
		g.Of = v
		g.written = append(g.written, "of")
	}
	if v, ok := t.get("fraction", false); ok {
		switch x := v.(type) {
		case float64:
			g.Fraction = x
		case int64:
			g.Fraction = float64(x)
		default:
			t.typeErr("fraction", "a number", v)
		}
		g.written = append(g.written, "fraction")
	}
	if v, ok := t.integer("count", false); ok {
		if v < 1 || v > math.MaxInt32 {
			d.errorf(t.path("count"), "%d: must be at least 1", v)
		} else {
			g.Count = int(v)
		}
		g.written = append(g.written, "count")
	}
	if v, ok := t.str("pick", false); ok {
		g.Pick = v
		g.written = append(g.written, "pick")
	}
	t.done()
	return g
}

// neuronList reads a list of member indices: an array of integers, or a
// selector string of indices and inclusive ranges, "0..149" or
// "0, 3, 7..9" (snnsim.ParseIndexSet, bounded by the largest population;
// validation checks each against its own).
func (d *decoder) neuronList(t *table, name string) ([]int, bool) {
	v, ok := t.m[name]
	if !ok {
		t.get(name, false) // mark it known
		return nil, false
	}
	s, isStr := v.(string)
	if !isStr {
		return t.ints(name)
	}
	t.get(name, false)
	out, err := snnsim.ParseIndexSet(s, max(d.maxSize, 1))
	if err != nil {
		d.errorf(t.path(name), "%v", err)
		return nil, false
	}
	return out, true
}

// groupSet is the groups of a scenario resolved to members.
type groupSet struct {
	byName map[string]int
	list   []netlist.Group
}

// groupNames lists the names of the [[group]] tables.
func (s *Scenario) groupNames() []string {
	var out []string
	for _, g := range s.Groups {
		if g != nil {
			out = append(out, g.Name)
		}
	}
	return out
}

func (g groupSet) find(name string) (netlist.Group, bool) {
	i, ok := g.byName[name]
	if !ok {
		return netlist.Group{}, false
	}
	return g.list[i], true
}

// groups checks the [[group]] tables and resolves them with the scenario's
// seed (the random picks); the errors go to c.
func (c *checker) groups() groupSet {
	set := groupSet{byName: map[string]int{}}
	for i, g := range c.s.Groups {
		key := indexKey("group", i)
		if g == nil {
			c.errorf(key, "missing")
			continue
		}
		if err := nameError(g.Name); err != nil {
			c.add(key+".name", err)
			continue
		}
		if _, err := strconv.Atoi(g.Name); err == nil {
			c.errorf(key+".name", "%q: a group name must not be a number (--set group.N addresses the N-th group)", g.Name)
			continue
		}
		if j, dup := set.byName[g.Name]; dup {
			c.errorf(key+".name", "duplicate group name %q (group %q is defined above, as group[%d])", g.Name, g.Name, j)
			continue
		}
		res, ok := c.group(key, g, set)
		if !ok {
			continue
		}
		set.byName[g.Name] = len(set.list)
		set.list = append(set.list, res)
	}
	return set
}

// group checks and resolves one group.
func (c *checker) group(key string, g *GroupSpec, set groupSet) (netlist.Group, bool) {
	res := netlist.Group{Name: g.Name}
	if g.seq != nil && g.seqIndex >= 0 {
		pop, ok := c.ref("sequence.population", g.Population)
		if !ok {
			return res, false
		}
		res.Population = pop
		m, err := g.seq.members(c.s.Seed, g.seqIndex, c.s.Populations[pop].Size)
		if err != nil {
			c.add("sequence", err)
			return res, false
		}
		res.Neurons = m
		return res, true
	}
	has := func(k string) bool { return slices.Contains(g.written, k) }
	switch {
	case has("neurons") && has("of"):
		c.errorf(key+".of", "a group has either neurons or of (a part of another group), not both")
		return res, false
	case !has("neurons") && !has("of"):
		c.errorf(key, "group %q needs neurons = \"0..149\" (or a list), or of = \"GROUP\" with fraction or count", g.Name)
		return res, false
	}
	if has("neurons") {
		for _, k := range []string{"fraction", "count", "pick"} {
			if has(k) {
				c.errorf(key+"."+k, "%s is for a group that is a part of another (of = ...); this one lists its neurons", k)
				return res, false
			}
		}
		pop, ok := c.ref(key+".population", g.Population)
		if !ok {
			return res, false
		}
		res.Population = pop
		n := c.s.Populations[pop].Size
		seen := map[int]bool{}
		for k, m := range g.Neurons {
			switch {
			case m < 0 || m >= n:
				c.errorf(key+".neurons", "%d (entry %d of the list) is out of range: %s has %d members (0..%d)", m, k, g.Population, n, n-1)
				return res, false
			case seen[m]:
				c.errorf(key+".neurons", "%d is listed twice", m)
				return res, false
			}
			seen[m] = true
		}
		if len(g.Neurons) == 0 {
			c.errorf(key+".neurons", "empty: a group needs at least one neuron")
			return res, false
		}
		res.Neurons = slices.Clone(g.Neurons)
		return res, true
	}
	parent, ok := set.find(g.Of)
	if !ok && c.s.definedBefore(g, g.Of) {
		return res, false // that group's own error is reported
	}
	if !ok {
		names := slices.Collect(func(yield func(string) bool) {
			for _, p := range set.list {
				if !yield(p.Name) {
					return
				}
			}
		})
		c.errorf(key+".of", "no group %q defined above this one%s", g.Of, didYouMean(g.Of, names))
		return res, false
	}
	res.Population = parent.Population
	if g.Population != "" && g.Population != c.s.Populations[parent.Population].Name {
		c.errorf(key+".population", "%q, but group %q is of population %q", g.Population, g.Of, c.s.Populations[parent.Population].Name)
		return res, false
	}
	n := len(parent.Neurons)
	var m int
	switch {
	case has("fraction") && has("count"):
		c.errorf(key+".count", "give fraction or count, not both")
		return res, false
	case has("fraction"):
		if !(g.Fraction > 0 && g.Fraction <= 1) {
			c.errorf(key+".fraction", "%g: must be in (0, 1]", g.Fraction)
			return res, false
		}
		m = int(math.Round(g.Fraction * float64(n)))
		if m < 1 {
			c.errorf(key+".fraction", "%g of the %d neurons of %q is no neuron", g.Fraction, n, g.Of)
			return res, false
		}
	case has("count"):
		m = g.Count
		if m > n {
			c.errorf(key+".count", "%d: group %q has only %d neurons", m, g.Of, n)
			return res, false
		}
	default:
		c.errorf(key, "group %q is a part of %q: give fraction (e.g. 0.5) or count", g.Name, g.Of)
		return res, false
	}
	switch g.Pick {
	case PickFirst:
		res.Neurons = slices.Clone(parent.Neurons[:m])
	case PickRandom:
		// A stream of its own, keyed by the seed and the group's name, so
		// that the draw does not depend on any other part of the scenario.
		perm := snnsim.NewRand(c.s.Seed, "group/"+g.Name).Perm(n)[:m]
		slices.Sort(perm)
		res.Neurons = make([]int, m)
		for k, j := range perm {
			res.Neurons[k] = parent.Neurons[j]
		}
		slices.Sort(res.Neurons)
	default:
		c.errorf(key+".pick", "%q: use %q (the first members of %q, in its order) or %q (drawn at random with the scenario's seed)%s",
			g.Pick, PickFirst, g.Of, PickRandom, didYouMean(g.Pick, []string{PickFirst, PickRandom}))
		return res, false
	}
	return res, true
}

// definedBefore reports whether a group called name comes before g.
func (s *Scenario) definedBefore(g *GroupSpec, name string) bool {
	for _, x := range s.Groups {
		if x == g {
			return false
		}
		if x != nil && x.Name == name {
			return true
		}
	}
	return false
}
