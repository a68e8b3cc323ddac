package scenario

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"unicode"

	"github.com/snnsim/snnsim"
)

// BranchDiffs lists what s changes of parent's past, for a run of s that
// continues a run of parent from a checkpoint at time at [ms]: nil when s
// may continue it. The network must be parent's: the resolution and seed,
// every population, projection (connectivity, weights, delays, plasticity
// and consolidation), guard, neuromodulator and drug, compared as decoded
// (so a quantity may be written in another unit, and comments may
// differ). Stimuli are matched by name, and those without one by their
// position in the two files (MatchStimuli): a stimulus that starts before
// at, in either file, must be the same in both (one that is on at the
// checkpoint may not change either); a stimulus that starts at or after at
// may be changed, added or removed (removing an unnamed one that comes
// before a started unnamed one moves that one, which is then refused:
// name the stimuli, or keep the order). The records, the duration and
// the name may differ. A kind of table not named here is compared as a
// part of the network.
//
// Every difference is a ParseError located in s (file, line, key, or the
// --set override that wrote the value), whose message gives parent's value.
func (s *Scenario) BranchDiffs(parent *Scenario, at float64) ErrorList {
	var errs ErrorList
	add := func(key, format string, args ...any) {
		errs = append(errs, s.loc.at(s.File, key, fmt.Errorf(format, args...)))
	}
	if parent.MemoryCurves != nil || s.MemoryCurves != nil {
		add("memory_curves", "a [memory_curves] scenario cannot continue a checkpoint: it has no network")
		return errs
	}
	if s.Resolution != parent.Resolution {
		add("simulation.resolution", "%s here, %s in the checkpoint's scenario: the network must be the same", fmtMs(s.Resolution), fmtMs(parent.Resolution))
	}
	if s.Seed != parent.Seed {
		add("simulation.seed", "%d here (the file's or --seed), %d in the checkpoint's scenario: the network and its random streams must be the same", s.Seed, parent.Seed)
	}
	// Every other table is the network's or its protocol's past: the same
	// in both, whatever new kinds of table the format gains.
	sv, pv := reflect.ValueOf(s).Elem(), reflect.ValueOf(parent).Elem()
	for f := range sv.NumField() {
		field := sv.Type().Field(f)
		if !field.IsExported() || branchFree[field.Name] {
			continue
		}
		a, b := sv.Field(f), pv.Field(f)
		table := strings.TrimSuffix(snake(field.Name), "s")
		if a.Kind() != reflect.Slice {
			if k, d, ok := specDiff(a.Interface(), b.Interface()); !ok {
				add(table+k, "%s: the network must be the checkpoint's", d)
			}
			continue
		}
		sameList(add, table, a.Len(), b.Len(), func(i int) (string, string, bool) {
			return specDiff(a.Index(i).Interface(), b.Index(i).Interface())
		})
	}
	when := fmtMs(at)
	match := s.MatchStimuli(parent)
	matched := make([]bool, len(parent.Stimuli))
	for k, c := range s.Stimuli {
		key := indexKey("stimulus", k)
		pk := match[k]
		if pk < 0 {
			if c.Start < at {
				add(key+".start", "%s, before the checkpoint (t = %s), in a stimulus that the checkpoint's scenario does not have%s: a stimulus of the past cannot be added",
					fmtMs(c.Start), when, stimulusWhere(c, k))
			}
			continue
		}
		matched[pk] = true
		p := parent.Stimuli[pk]
		if c.Start >= at && p.Start >= at {
			continue // the future: free
		}
		cm, pm := s.withMembers(c), parent.withMembers(p)
		if dk, d, ok := specDiff(cm, pm); !ok {
			if dk == ".neurons" && c.Group != "" {
				dk, d = ".group", fmt.Sprintf("group %q %s", c.Group, d)
			}
			past := p
			if c.Start < p.Start {
				past = c
			}
			add(key+dk, "%s; the stimulus starts at %s, before the checkpoint (t = %s), so it must be the checkpoint's (a stimulus on at the checkpoint may not change either)",
				d, fmtMs(past.Start), when)
		}
	}
	for pk, p := range parent.Stimuli {
		if !matched[pk] && p.Start < at {
			key := "stimulus"
			if p.Name == "" && pk < len(s.Stimuli) {
				key = indexKey("stimulus", pk)
			}
			add(key, "missing: the checkpoint's scenario has a stimulus%s that started at %s, before the checkpoint (t = %s); a stimulus of the past cannot be removed (unnamed stimuli are matched by their position in the file: give stimuli names to add or remove others before them)",
				stimulusWhere(p, pk), fmtMs(p.Start), when)
		}
	}
	return errs
}

// MatchStimuli pairs each stimulus of s with the stimulus of parent that
// it continues in a branch (see BranchDiffs): the one of the same name, or
// for a stimulus without a name, the one at the same position if that has
// no name either; -1 when there is none.
func (s *Scenario) MatchStimuli(parent *Scenario) []int {
	byName := map[string]int{}
	for pk, p := range parent.Stimuli {
		if p != nil && p.Name != "" {
			byName[p.Name] = pk
		}
	}
	out := make([]int, len(s.Stimuli))
	for k, c := range s.Stimuli {
		out[k] = -1
		switch {
		case c == nil:
		case c.Name != "":
			if pk, ok := byName[c.Name]; ok {
				out[k] = pk
			}
		case k < len(parent.Stimuli) && parent.Stimuli[k] != nil && parent.Stimuli[k].Name == "":
			out[k] = k
		}
	}
	return out
}

// stimulusWhere names a stimulus for a message: " (name)" or " (the
// checkpoint's stimulus[k])".
func stimulusWhere(st *StimulusSpec, k int) string {
	if st.Name != "" {
		return fmt.Sprintf(" (%q)", st.Name)
	}
	return fmt.Sprintf(" (stimulus[%d])", k)
}

// branchFree are the fields of a Scenario that BranchDiffs does not
// compare as a whole: they may differ, or are compared on their own.
var branchFree = map[string]bool{"Name": true, "File": true, "Text": true, "Duration": true, "Resolution": true, "Seed": true,
	"Stimuli": true, "Records": true, "Groups": true, "Overrides": true, "MemoryCurves": true}

// sameList compares two lists element by element with diff.
func sameList(add func(key, format string, args ...any), table string, n, pn int, diff func(i int) (string, string, bool)) {
	if n != pn {
		add(table, "%d [[%s]] tables here, %d in the checkpoint's scenario: the network must be the same", n, table, pn)
		return
	}
	for i := range n {
		if k, d, ok := diff(i); !ok {
			add(indexKey(table, i)+k, "%s: the network must be the checkpoint's", d)
		}
	}
}

func fmtMs(ms float64) string {
	if math.IsInf(ms, 1) {
		return "never"
	}
	if ms >= 1000 {
		return strconv.FormatFloat(ms/1000, 'g', -1, 64) + " s"
	}
	return strconv.FormatFloat(ms, 'g', -1, 64) + " ms"
}

// specDiff compares two decoded tables field by field and returns, when
// they differ, the key path of the first difference below the table
// (".params.tau_m", in the scenario's spelling where known) and "is X
// here, Y in the checkpoint's scenario".
func specDiff(a, b any) (string, string, bool) {
	key, x, y, same := valueDiff(reflect.ValueOf(a), reflect.ValueOf(b), "")
	if same {
		return "", "", true
	}
	return key, fmt.Sprintf("is %s here, %s in the checkpoint's scenario", x, y), false
}

// skipFields are spec fields that do not change the network: where a
// pairs file was read from (its contents are compared).
var skipFields = map[string]bool{"Path": true, "File": true}

// fieldKeys spells the spec fields as the scenario's keys.
var fieldKeys = map[string]string{"Neuron": "params", "Source": "params", "InitV": "init", "PlasticityStart": "plasticity.start", "Connect": "connect", "Neurons": "neurons"}

// stimulusUnits are the canonical units of the [[stimulus]] quantities.
var stimulusUnits = map[string]string{"start": "ms", "stop": "ms", "tau": "ms", "amplitude": "pA", "mean": "pA", "sigma": "pA", "init": "pA"}

// valueDiff walks a and b (exported fields only) and returns the path and
// both values of the first difference.
func valueDiff(a, b reflect.Value, path string) (string, string, string, bool) {
	if a.IsValid() != b.IsValid() {
		return path, show(a), show(b), false
	}
	if !a.IsValid() {
		return "", "", "", true
	}
	if a.Type() != b.Type() {
		return path, show(a), show(b), false
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				return path, show(a), show(b), false
			}
			return "", "", "", true
		}
		return valueDiff(a.Elem(), b.Elem(), path)
	case reflect.Struct:
		t := a.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() || skipFields[f.Name] {
				continue
			}
			name := fieldKeys[f.Name]
			if tag := strings.Split(f.Tag.Get("toml"), ",")[0]; tag != "" && tag != "-" {
				name = tag
			}
			if name == "" {
				name = snake(f.Name)
			}
			p := path + "." + name
			if f.Anonymous {
				p = path
			}
			if k, x, y, same := valueDiff(a.Field(i), b.Field(i), p); !same {
				unit := stimulusUnits[name]
				if u, ok := f.Tag.Lookup("unit"); ok {
					if d, known := snnsim.ParseDimension(u); known {
						unit = d.Unit()
					}
				}
				if unit != "" && k == p && (a.Field(i).Kind() == reflect.Float64) {
					x, y = x+" "+unit, y+" "+unit
				}
				return k, x, y, false
			}
		}
		return "", "", "", true
	case reflect.Slice, reflect.Array:
		if a.Kind() == reflect.Slice && a.IsNil() != b.IsNil() {
			return path, show(a), show(b), false
		}
		if a.Len() != b.Len() {
			return path, show(a), show(b), false
		}
		for i := range a.Len() {
			if _, _, _, same := valueDiff(a.Index(i), b.Index(i), path); !same {
				return path, show(a), show(b), false
			}
		}
		return "", "", "", true
	case reflect.Map:
		if a.Len() != b.Len() {
			return path, show(a), show(b), false
		}
		for _, k := range a.MapKeys() {
			if _, _, _, same := valueDiff(a.MapIndex(k), b.MapIndex(k), path); !same {
				return path, show(a), show(b), false
			}
		}
		return "", "", "", true
	case reflect.Float32, reflect.Float64:
		x, y := a.Float(), b.Float()
		if x == y || (math.IsNaN(x) && math.IsNaN(y)) {
			return "", "", "", true
		}
		return path, show(a), show(b), false
	case reflect.Func, reflect.Chan, reflect.UnsafePointer:
		return "", "", "", true
	}
	if a.Interface() != b.Interface() {
		return path, show(a), show(b), false
	}
	return "", "", "", true
}

// show prints a value for a message, long lists shortened.
func show(v reflect.Value) string {
	if !v.IsValid() {
		return "absent"
	}
	if (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface || v.Kind() == reflect.Slice || v.Kind() == reflect.Map) && v.IsNil() {
		return "absent"
	}
	if v.Kind() == reflect.Slice && v.Len() > 8 {
		return fmt.Sprintf("a list of %d", v.Len())
	}
	s := fmt.Sprintf("%v", v.Interface())
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

// snake spells a Go field name as a scenario key: MaxRate → max_rate.
func snake(name string) string {
	var b strings.Builder
	for i, r := range name {
		if unicode.IsUpper(r) {
			if i > 0 && !unicode.IsUpper(rune(name[i-1])) {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// withMembers returns st with the members of its group as Neurons and no
// group, so that stimuli compare by the neurons they reach.
func (s *Scenario) withMembers(st *StimulusSpec) *StimulusSpec {
	if st.Group == "" {
		return st
	}
	c := *st
	if g, ok := s.resolved.find(st.Group); ok {
		c.Neurons, c.Group = g.Neurons, ""
	}
	return &c
}
