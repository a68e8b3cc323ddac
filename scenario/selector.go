package scenario

import (
	"slices"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/netlist"
)

// RestSelector is the selector of a split set that holds every member of
// the population in no other set of the split.
const RestSelector = "rest"

// SplitSet is one set of a record's split key as written: its name and
// either a selector string (snnsim.ParseIndexSet, or RestSelector) or a list of
// member indices.
type SplitSet struct {
	Name     string
	Selector string // "" when List is given
	List     []int
}

// decodeSplit decodes split = { name = "selector" | [indices], ... }.
func (d *decoder) decodeSplit(key string, v any) []SplitSet {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		d.errorf(key, `must be a table of named neuron sets, e.g. split = { core = "0..149", ctrl = "rest" }, not %s`, typeName(v))
		return nil
	}
	var out []SplitSet
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}) {
		skey := joinKey(key, name)
		set := SplitSet{Name: name}
		switch x := m[name].(type) {
		case string:
			set.Selector = x
		case []any:
			for i, e := range x {
				n, ok := e.(int64)
				if !ok || n < 0 || n > 1<<31-1 {
					d.errorf(indexKey(skey, i), "must be a member index (an integer >= 0), not %s", typeName(e))
					return nil
				}
				set.List = append(set.List, int(n))
			}
			if set.List == nil {
				d.errorf(skey, "is an empty list: a set needs at least one neuron")
				return nil
			}
		default:
			d.errorf(skey, `must be a selector such as "0..149", "0,3,7..9" or "rest", or a list of indices, not %s`, typeName(x))
			return nil
		}
		out = append(out, set)
	}
	return out
}

// validSetName reports whether a set name can be part of series names:
// letters, digits and _.
func validSetName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// resolveSplit turns the sets of a split key into the members of a
// population of n neurons, ordered by their smallest member. errf reports
// a problem with the set called name (or with the whole split when name is
// empty); the result is nil after any error.
func resolveSplit(sets []SplitSet, n int, errf func(name, format string, args ...any)) []netlist.NeuronSet {
	var out []netlist.NeuronSet
	owner := map[int]string{}
	rest := ""
	bad := false
	for _, s := range sets {
		if !validSetName(s.Name) {
			errf(s.Name, "the set name %q must be letters, digits and _ (it is part of the series names)", s.Name)
			bad = true
			continue
		}
		var members []int
		switch {
		case s.Selector == RestSelector:
			if rest != "" {
				errf(s.Name, "sets %q and %q are both %q: only one set can hold the rest", rest, s.Name, RestSelector)
				bad = true
			}
			rest = s.Name
			continue
		case s.List != nil:
			members = slices.Clone(s.List)
			for _, m := range members {
				if m >= n {
					errf(s.Name, "member %d lies outside the population's indices 0..%d", m, n-1)
					bad = true
				}
			}
		default:
			var err error
			if members, err = snnsim.ParseIndexSet(s.Selector, n); err != nil {
				errf(s.Name, "%v", err)
				bad = true
				continue
			}
		}
		for _, m := range members {
			if o, dup := owner[m]; dup {
				if o == s.Name {
					errf(s.Name, "neuron %d is listed twice", m)
				} else {
					errf(s.Name, "neuron %d is in sets %q and %q: the sets must be disjoint", m, o, s.Name)
				}
				bad = true
				break
			}
			owner[m] = s.Name
		}
		slices.Sort(members)
		out = append(out, netlist.NeuronSet{Name: s.Name, Members: members})
	}
	if rest != "" {
		var members []int
		for i := range n {
			if _, in := owner[i]; !in {
				members = append(members, i)
			}
		}
		if len(members) == 0 {
			errf(rest, "%q is empty: the other sets hold every neuron", RestSelector)
			bad = true
		}
		out = append(out, netlist.NeuronSet{Name: rest, Members: members})
	}
	if bad {
		return nil
	}
	slices.SortStableFunc(out, func(a, b netlist.NeuronSet) int { return a.Members[0] - b.Members[0] })
	return out
}
