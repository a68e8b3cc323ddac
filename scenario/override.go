package scenario

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// Command-line overrides: "--set KEY=VALUE" sets one key of a scenario
// without editing its file. KEY is a dotted path from the top of the file;
// an element of an array of tables is chosen by its name value (a
// projection without a name also answers to its default "<from>_to_<to>")
// or by its index from 0, and a part of the path that holds a dot or other
// special characters is quoted as in TOML:
//
//	simulation.seed=7
//	population.S2.params.start=3 h
//	projection.S1_to_E.plasticity.w_max=2
//	record.0.window=["0 s", "1 s"]
//	population."S.1".size=50
//
// VALUE is read as a TOML value when it is one ("3 h" in quotes, 7, true,
// [1, 2], { rule = "pair" }) and as a string otherwise (3 h, lif_delta).
// The overrides are applied in order to the decoded TOML tree before the
// typed decoding, so every check that applies to the file applies to them;
// an error on a value that an override wrote says "--set KEY" instead of a
// line. The key's parent must exist: an override changes a key or adds one
// to an existing table, and cannot add an element to an array of tables.
//
// A table VALUE replaces the whole table, as it would in the file: after
// --set 'population.E.params={ tau_m = "10 ms" }' every other parameter of E
// has its model's default. To change some keys of a table and keep the
// others, set each alone (population.E.params.tau_m=10 ms).

// LoadOverrides reads the scenario file at path and decodes it with the
// overrides sets applied. See [DecodeOverrides].
func LoadOverrides(path string, sets []string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, ErrorList{{File: path, Err: err}}
	}
	return DecodeOverrides(path, data, sets)
}

// DecodeOverrides decodes and validates a scenario as [Decode] does, after
// applying the command-line overrides sets, each "KEY=VALUE" (see the
// package documentation, "Overrides"). The scenario's Overrides holds sets,
// and its Text the file's text; the network compiled from it records both
// (see [Scenario.RecordedText]).
func DecodeOverrides(file string, data []byte, sets []string) (*Scenario, error) {
	return decode(file, data, sets)
}

// override is one parsed --set argument.
type override struct {
	arg   string   // "KEY=VALUE" as given
	key   string   // KEY as given
	parts []string // KEY split at its dots, quotes removed
	value any      // the decoded VALUE
}

// parseOverride splits and reads one "KEY=VALUE" argument.
func parseOverride(arg string) (*override, error) {
	eq := strings.IndexByte(arg, '=')
	if eq < 0 {
		return nil, fmt.Errorf("expected KEY=VALUE, e.g. --set simulation.seed=7")
	}
	o := &override{arg: arg, key: strings.TrimSpace(arg[:eq])}
	raw := strings.TrimSpace(arg[eq+1:])
	if strings.ContainsAny(raw, "\n\r") {
		return nil, fmt.Errorf("the value must be on one line")
	}
	parts, err := splitKey(o.key)
	if err != nil {
		return nil, err
	}
	o.parts = parts
	o.value = parseValue(raw)
	return o, nil
}

// parseValue reads raw as a TOML value if it is one, else as a string.
func parseValue(raw string) any {
	var m map[string]any
	if _, err := toml.Decode("v = "+raw, &m); err == nil && len(m) == 1 {
		if v, ok := m["v"]; ok {
			return v
		}
	}
	return raw
}

// splitKey splits a dotted key into its parts; parts in double or single
// quotes may hold any character but a newline.
func splitKey(key string) ([]string, error) {
	if key == "" {
		return nil, fmt.Errorf("the key is empty: expected KEY=VALUE, e.g. --set simulation.seed=7")
	}
	var parts []string
	for i := 0; ; {
		var part string
		switch {
		case i < len(key) && (key[i] == '"' || key[i] == '\''):
			q := key[i]
			j := i + 1
			for j < len(key) && key[j] != q {
				if q == '"' && key[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(key) {
				return nil, fmt.Errorf("key %s: unterminated quote", key)
			}
			part = key[i+1 : j]
			if q == '"' {
				u, err := strconv.Unquote(key[i : j+1])
				if err != nil {
					return nil, fmt.Errorf("key %s: %v", key, err)
				}
				part = u
			}
			i = j + 1
		default:
			j := i
			for j < len(key) && key[j] != '.' {
				j++
			}
			part = strings.TrimSpace(key[i:j])
			if part == "" {
				return nil, fmt.Errorf("key %s: empty part: write the path as a.b.c", key)
			}
			i = j
		}
		parts = append(parts, part)
		if i >= len(key) {
			return parts, nil
		}
		if key[i] != '.' {
			return nil, fmt.Errorf("key %s: expected a dot after %q", key, part)
		}
		i++
		if i >= len(key) {
			return nil, fmt.Errorf("key %s: ends with a dot", key)
		}
	}
}

// applyOverrides applies the overrides to the decoded tree raw in order and
// returns the key path (in ParseError.Key form) that each wrote, mapped to
// its KEY, and the errors of those that cannot be applied.
func applyOverrides(file string, raw map[string]any, sets []string) (map[string]string, ErrorList) {
	paths := map[string]string{}
	var errs ErrorList
	for _, arg := range sets {
		o, err := parseOverride(arg)
		if err != nil {
			key := arg
			if eq := strings.IndexByte(arg, '='); eq >= 0 && strings.TrimSpace(arg[:eq]) != "" {
				key = strings.TrimSpace(arg[:eq])
			}
			errs = append(errs, &ParseError{File: file, Err: err, Set: key})
			continue
		}
		path, err := o.apply(raw)
		if err != nil {
			errs = append(errs, &ParseError{File: file, Err: err, Set: o.key})
			continue
		}
		// A later override of the same key, or of a key above it, replaces
		// the earlier value.
		for p := range paths {
			if within(p, path) {
				delete(paths, p)
			}
		}
		paths[path] = o.key
	}
	return paths, errs
}

// apply sets the override's value in the tree and returns its key path.
func (o *override) apply(root map[string]any) (string, error) {
	var cur any = root
	path := ""
	parts := o.parts
	for len(parts) > 1 {
		next, rest, p, err := step(cur, path, parts)
		if err != nil {
			return "", err
		}
		cur, parts, path = next, rest, p
	}
	last := parts[0]
	switch c := cur.(type) {
	case map[string]any:
		c[last] = o.value
		return joinKey(path, last), nil
	case []any:
		i, ok := index(last, len(c))
		if !ok {
			return "", fmt.Errorf("%s is an array of %d values: %q is not an index from 0 to %d", describe(path), len(c), last, len(c)-1)
		}
		c[i] = o.value
		return indexKey(path, i), nil
	case []map[string]any:
		m, ok := o.value.(map[string]any)
		if !ok {
			return "", fmt.Errorf("an element of [[%s]] must be a table, not %s", path, typeName(o.value))
		}
		i, _, err := element(c, path, []string{last})
		if err != nil {
			return "", err
		}
		c[i] = m
		return indexKey(path, i), nil
	}
	return "", fmt.Errorf("%s is %s, which has no key %q", describe(path), typeName(cur), last)
}

// step descends one level (or, for a name holding dots, several) from cur
// along parts; it returns the value reached, the parts left and its path.
func step(cur any, path string, parts []string) (any, []string, string, error) {
	name := parts[0]
	switch c := cur.(type) {
	case map[string]any:
		v, ok := c[name]
		if !ok {
			return nil, nil, "", fmt.Errorf("%s has no key %q%s, so %q cannot be set in it", describe(path), name, didYouMean(name, keysOf(c)), strings.Join(parts[1:], "."))
		}
		return v, parts[1:], joinKey(path, name), nil
	case []map[string]any:
		i, used, err := element(c, path, parts)
		if err != nil {
			return nil, nil, "", err
		}
		return c[i], parts[used:], indexKey(path, i), nil
	case []any:
		i, ok := index(name, len(c))
		if !ok {
			return nil, nil, "", fmt.Errorf("%s is an array of %d values: %q is not an index from 0 to %d", describe(path), len(c), name, len(c)-1)
		}
		return c[i], parts[1:], indexKey(path, i), nil
	}
	return nil, nil, "", fmt.Errorf("%s is %s, which has no key %q", describe(path), typeName(cur), name)
}

// element finds the element of an array of tables named by parts[0] (or by
// several parts joined with dots, for a name that holds dots), else by an
// index; it returns the element's index and the number of parts used.
func element(arr []map[string]any, path string, parts []string) (int, int, error) {
	names := make([]string, len(arr))
	for i, m := range arr {
		names[i] = elementName(path, m)
	}
	for used := len(parts); used >= 1; used-- {
		want := strings.Join(parts[:used], ".")
		for i, n := range names {
			if n != "" && n == want {
				return i, used, nil
			}
		}
	}
	if i, ok := index(parts[0], len(arr)); ok {
		return i, 1, nil
	}
	var known []string
	for _, n := range names {
		if n != "" {
			known = append(known, n)
		}
	}
	list := "none has a name"
	if len(known) > 0 {
		list = "names: " + strings.Join(known, ", ")
	}
	return 0, 0, fmt.Errorf("no [[%s]] table is named %q%s (%s; or give an index from 0 to %d)", path, parts[0], didYouMean(parts[0], known), list, len(arr)-1)
}

// elementName returns the name of an element of an array of tables: its
// name value, or for a projection its default "<from>_to_<to>".
func elementName(path string, m map[string]any) string {
	if n, ok := m["name"].(string); ok {
		return n
	}
	if path == "projection" {
		from, ok1 := m["from"].(string)
		to, ok2 := m["to"].(string)
		if ok1 && ok2 {
			return from + "_to_" + to
		}
	}
	return ""
}

// index reads a decimal index below n.
func index(s string, n int) (int, bool) {
	i, err := strconv.Atoi(s)
	if err != nil || i < 0 || i >= n || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	return i, true
}

func keysOf(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

// describe names a key path in an override error.
func describe(path string) string {
	if path == "" {
		return "the scenario"
	}
	return path
}

// overrideBlockHeader is the first line of the comment block that records
// overrides at the end of a recorded scenario text.
const overrideBlockHeader = "# snnsim --set overrides, applied to the text above:"

// RecordedText returns the scenario text as a run records it (in a log's
// header and in netlist.Network.Text): the file's text and, when the scenario was
// decoded with overrides, a trailing TOML comment block that lists them,
// one "# --set KEY=VALUE" line each in the order given:
//
//	# snnsim --set overrides, applied to the text above:
//	# --set population.S2.params.start=3 h
//
// The recorded text is still a valid scenario (the block is comments); to
// rerun it exactly, apply the listed overrides again.
func (s *Scenario) RecordedText() string {
	if len(s.Overrides) == 0 {
		return s.Text
	}
	var b strings.Builder
	b.WriteString(s.Text)
	if s.Text != "" && !strings.HasSuffix(s.Text, "\n") {
		b.WriteByte('\n')
	}
	b.WriteString("\n" + overrideBlockHeader + "\n")
	for _, o := range s.Overrides {
		b.WriteString("# --set " + o + "\n")
	}
	return b.String()
}

// SplitRecorded is the inverse of [Scenario.RecordedText]: it splits a
// recorded text into the file's text and the overrides listed in its
// trailing comment block (nil when there is none), so that
// DecodeOverrides(file, text, sets) decodes the scenario a log recorded.
func SplitRecorded(rec string) (text string, sets []string) {
	block := "\n\n" + overrideBlockHeader + "\n"
	i := strings.LastIndex(rec, block)
	if i < 0 {
		return rec, nil
	}
	for line := range strings.Lines(rec[i+len(block):]) {
		sets = append(sets, strings.TrimPrefix(strings.TrimSuffix(line, "\n"), "# --set "))
	}
	return rec[:i+1], sets
}
