package scenario

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/snnsim/snnsim"
)

// decoder collects the errors of one Decode.
type decoder struct {
	file      string
	loc       *locator
	errs      ErrorList
	adjacency map[string]*adjacencyFile // adjacency files read so far, by path
}

func (d *decoder) errorf(key, format string, args ...any) {
	d.add(key, fmt.Errorf(format, args...))
}

func (d *decoder) add(key string, err error) {
	d.errs = append(d.errs, d.loc.at(d.file, key, err))
}

// table is one TOML table being decoded. Every key asked for is noted, so
// that done can report the keys that nobody asked for as unknown.
type table struct {
	d     *decoder
	key   string // path of the table
	m     map[string]any
	known []string // keys asked for, in order
	quiet bool     // the table itself is broken: report nothing more about it
}

func (d *decoder) table(key string, m map[string]any) *table {
	return &table{d: d, key: key, m: m}
}

func (t *table) path(name string) string { return joinKey(t.key, name) }

func (t *table) has(name string) bool {
	_, ok := t.m[name]
	return ok
}

// get returns the value of name, reporting it if it is required and missing.
func (t *table) get(name string, required bool) (any, bool) {
	if !slices.Contains(t.known, name) {
		t.known = append(t.known, name)
	}
	v, ok := t.m[name]
	if !ok && required && !t.quiet {
		t.d.errorf(t.path(name), "required key is missing")
	}
	return v, ok
}

// ignore suppresses the unknown-key report (used when the keys cannot be
// known, e.g. the parameters of an unknown model).
func (t *table) ignore() { t.quiet = true }

// done reports the keys of the table that were not asked for.
func (t *table) done() { t.doneFor("") }

// doneFor is done with a description of what the valid keys belong to.
func (t *table) doneFor(owner string) {
	if t.quiet {
		return
	}
	var unknown []string
	for k := range t.m {
		if !slices.Contains(t.known, k) {
			unknown = append(unknown, k)
		}
	}
	sort.Slice(unknown, func(i, j int) bool {
		li, lj := t.d.loc.line(t.path(unknown[i])), t.d.loc.line(t.path(unknown[j]))
		if li != lj {
			return li < lj
		}
		return unknown[i] < unknown[j]
	})
	for _, k := range unknown {
		valid := "valid keys here"
		if owner != "" {
			valid = owner + " takes"
		}
		t.d.errorf(t.path(k), "unknown key %q%s; %s: %s", k, didYouMean(k, t.known), valid, strings.Join(t.known, ", "))
	}
}

// typeName describes a decoded TOML value for an error message.
func typeName(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("the string %q", v)
	case int64:
		return fmt.Sprintf("the integer %d", v)
	case float64:
		return fmt.Sprintf("the float %g", v)
	case bool:
		return fmt.Sprintf("the boolean %t", v)
	case map[string]any:
		return "a table"
	case []map[string]any:
		return "an array of tables"
	case []any:
		return "an array"
	case time.Time:
		return "a date-time"
	}
	return fmt.Sprintf("a %T", v)
}

func (t *table) typeErr(name, want string, v any) {
	t.d.errorf(t.path(name), "must be %s, not %s", want, typeName(v))
}

// str returns a string value.
func (t *table) str(name string, required bool) (string, bool) {
	v, ok := t.get(name, required)
	if !ok {
		return "", false
	}
	s, ok := v.(string)
	if !ok {
		t.typeErr(name, "a string", v)
	}
	return s, ok
}

// integer returns an integer value.
func (t *table) integer(name string, required bool) (int64, bool) {
	v, ok := t.get(name, required)
	if !ok {
		return 0, false
	}
	n, ok := v.(int64)
	if !ok {
		t.typeErr(name, "an integer", v)
	}
	return n, ok
}

// boolean returns an optional boolean value.
func (t *table) boolean(name string) (bool, bool) {
	v, ok := t.get(name, false)
	if !ok {
		return false, false
	}
	b, ok := v.(bool)
	if !ok {
		t.typeErr(name, "true or false", v)
	}
	return b, ok
}

// quantity returns a quantity of dimension dim in its canonical unit.
func (t *table) quantity(name string, dim snnsim.Dimension, required bool) (float64, bool) {
	v, ok := t.get(name, required)
	if !ok {
		return 0, false
	}
	return t.d.quantity(t.path(name), v, dim)
}

// quantity converts v, a quantity string with a unit of dimension dim (or a
// plain number when dim is dimensionless).
func (d *decoder) quantity(key string, v any, dim snnsim.Dimension) (float64, bool) {
	x, got, ok := d.anyQuantity(key, v)
	if !ok {
		return 0, false
	}
	if got != dim {
		_, err := snnsim.ParseIn(fmt.Sprint(v), dim)
		if _, isNum := v.(string); !isNum {
			err = fmt.Errorf("the number %v has no unit: write a %s as a string such as %q", v, dim, dim.Example())
		}
		d.add(key, err)
		return 0, false
	}
	return x, true
}

// anyQuantity converts v, a quantity string of any dimension or a plain
// number (dimensionless).
func (d *decoder) anyQuantity(key string, v any) (float64, snnsim.Dimension, bool) {
	switch v := v.(type) {
	case string:
		x, dim, err := snnsim.ParseQuantity(v)
		if err != nil {
			d.add(key, err)
			return 0, 0, false
		}
		return x, dim, true
	case int64:
		return float64(v), snnsim.Dimensionless, true
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			d.errorf(key, "%g is not finite", v)
			return 0, 0, false
		}
		return v, snnsim.Dimensionless, true
	}
	d.errorf(key, "must be a quantity such as \"20 ms\" or a number, not %s", typeName(v))
	return 0, 0, false
}

// sub returns a sub-table.
func (t *table) sub(name string, required bool) (*table, bool) {
	v, ok := t.get(name, required)
	if !ok {
		return nil, false
	}
	m, ok := v.(map[string]any)
	if !ok {
		t.typeErr(name, "a table", v)
		return nil, false
	}
	return t.d.table(t.path(name), m), true
}

// tables returns the elements of an array of tables. An element that is not
// a table is returned as an empty quiet table, so that indices stay aligned
// with the file.
func (t *table) tables(name string, required bool) []*table {
	v, ok := t.get(name, false)
	if !ok {
		if required && !t.quiet {
			t.d.errorf(t.path(name), "the scenario has no [[%s]] table; it needs at least one", name)
		}
		return nil
	}
	var out []*table
	switch v := v.(type) {
	case []map[string]any:
		for i, m := range v {
			out = append(out, t.d.table(indexKey(t.path(name), i), m))
		}
	case []any:
		for i, e := range v {
			key := indexKey(t.path(name), i)
			m, ok := e.(map[string]any)
			if !ok {
				t.d.errorf(key, "must be a table, not %s", typeName(e))
				out = append(out, &table{d: t.d, key: key, quiet: true})
				continue
			}
			out = append(out, t.d.table(key, m))
		}
	case map[string]any:
		t.d.errorf(t.path(name), "must be an array of tables: write [[%s]], not [%s]", name, name)
		return nil
	default:
		t.typeErr(name, "an array of tables ([["+name+"]])", v)
		return nil
	}
	if required && len(out) == 0 {
		t.d.errorf(t.path(name), "the scenario has no [[%s]] table; it needs at least one", name)
	}
	return out
}

// ints returns an optional array of integers.
func (t *table) ints(name string) ([]int, bool) {
	v, ok := t.get(name, false)
	if !ok {
		return nil, false
	}
	a, ok := v.([]any)
	if !ok {
		t.typeErr(name, "an array of integers", v)
		return nil, false
	}
	out := make([]int, 0, len(a))
	for i, e := range a {
		n, ok := e.(int64)
		if !ok || n < math.MinInt32 || n > math.MaxInt32 {
			t.d.errorf(indexKey(t.path(name), i), "must be an integer, not %s", typeName(e))
			return nil, false
		}
		out = append(out, int(n))
	}
	return out, true
}

// strs returns an optional array of strings.
func (t *table) strs(name string) ([]string, bool) {
	v, ok := t.get(name, false)
	if !ok {
		return nil, false
	}
	a, ok := v.([]any)
	if !ok {
		t.typeErr(name, "an array of strings", v)
		return nil, false
	}
	out := make([]string, 0, len(a))
	for i, e := range a {
		s, ok := e.(string)
		if !ok {
			t.d.errorf(indexKey(t.path(name), i), "must be a string, not %s", typeName(e))
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// dist returns a value or distribution (see Dist). With anyDim set, the
// values may have any dimension, but all the same one; otherwise they must
// have dimension dim.
func (t *table) dist(name string, dim snnsim.Dimension, anyDim, required bool) *Dist {
	v, ok := t.get(name, required)
	if !ok {
		return nil
	}
	return t.d.dist(t.path(name), v, dim, anyDim)
}

func (d *decoder) dist(key string, v any, dim snnsim.Dimension, anyDim bool) *Dist {
	m, ok := v.(map[string]any)
	if !ok {
		x, got, ok := d.value(key, v, dim, anyDim)
		if !ok {
			return nil
		}
		return Fixed(x, got)
	}
	t := d.table(key, m)
	u, hasU := t.get("uniform", false)
	n, hasN := t.get("normal", false)
	c, hasC := t.get("clip", false)
	t.done()
	var dd *Dist
	switch {
	case hasU && hasN:
		d.errorf(key, "give either uniform or normal, not both")
	case hasU:
		if a, b, got, ok := d.pair(t.path("uniform"), u, dim, anyDim, "[low, high]"); ok {
			dd = &Dist{Kind: Uniform, Dim: got, A: a, B: b}
		}
	case hasN:
		if a, b, got, ok := d.pair(t.path("normal"), n, dim, anyDim, "[mean, sd]"); ok {
			dd = &Dist{Kind: Normal, Dim: got, A: a, B: b}
		}
	default:
		d.errorf(key, "a distribution needs uniform = [low, high] or normal = [mean, sd]")
	}
	lo, hi := math.Inf(-1), math.Inf(1)
	if hasC {
		want, free := dim, anyDim
		if dd != nil {
			want, free = dd.Dim, false
		}
		a, b, _, ok := d.pair(t.path("clip"), c, want, free, "[low, high]")
		if !ok {
			return nil
		}
		lo, hi = a, b
	}
	if dd == nil {
		return nil
	}
	dd.Lo, dd.Hi = lo, hi
	if err := dd.check(); err != nil {
		d.add(key, err)
		return nil
	}
	return dd
}

// value converts one element of a Dist.
func (d *decoder) value(key string, v any, dim snnsim.Dimension, anyDim bool) (float64, snnsim.Dimension, bool) {
	if anyDim {
		return d.anyQuantity(key, v)
	}
	x, ok := d.quantity(key, v, dim)
	return x, dim, ok
}

// pair converts a two-element array of quantities of one dimension.
func (d *decoder) pair(key string, v any, dim snnsim.Dimension, anyDim bool, form string) (a, b float64, got snnsim.Dimension, ok bool) {
	arr, isArr := v.([]any)
	if !isArr || len(arr) != 2 {
		d.errorf(key, "must be an array of two values %s, not %s", form, typeName(v))
		return 0, 0, 0, false
	}
	a, got, ok = d.value(indexKey(key, 0), arr[0], dim, anyDim)
	if !ok {
		return 0, 0, 0, false
	}
	b, ok = d.quantity(indexKey(key, 1), arr[1], got)
	return a, b, got, ok
}

// paramField is one scenario key of a model's parameter struct.
type paramField struct {
	key   string
	index []int            // reflect field index, through embedded structs
	dim   snnsim.Dimension // from the unit tag
	unit  bool             // the field has a unit tag
}

// paramFields lists the keys of a parameter struct in field order,
// flattening embedded structs.
func paramFields(t reflect.Type) ([]paramField, error) {
	var out []paramField
	var walk func(t reflect.Type, prefix []int) error
	walk = func(t reflect.Type, prefix []int) error {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			index := append(slices.Clone(prefix), i)
			tag := f.Tag.Get("toml")
			if f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct {
				if err := walk(f.Type, index); err != nil {
					return err
				}
				continue
			}
			if tag == "" || tag == "-" || !f.IsExported() {
				continue
			}
			pf := paramField{key: strings.Split(tag, ",")[0], index: index}
			if u, ok := f.Tag.Lookup("unit"); ok {
				dim, known := snnsim.ParseDimension(u)
				if !known {
					return fmt.Errorf("field %s has unknown unit tag %q", f.Name, u)
				}
				pf.dim, pf.unit = dim, true
			}
			out = append(out, pf)
		}
		return nil
	}
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("parameters of type %s are not a struct", t)
	}
	return out, walk(t, nil)
}

// params fills the parameter struct that p points to from table t.
func (d *decoder) params(t *table, p any, model string) {
	rv := reflect.ValueOf(p)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		d.errorf(t.key, "internal error: model %s: parameters are not a pointer", model)
		t.ignore()
		return
	}
	fields, err := paramFields(rv.Elem().Type())
	if err != nil {
		d.errorf(t.key, "internal error: model %s: %v", model, err)
		t.ignore()
		return
	}
	d.fill(t, rv.Elem(), fields)
	t.doneFor(model)
}

// fill sets the fields of the struct sv from the keys of t. A field that is
// a list of structs (a pattern source's phases) takes an array of tables;
// each table starts from the values before it, the first from the fields
// of sv itself when sv embeds a struct of the element type, each later one
// from the table before it, so that a table lists only what changes.
func (d *decoder) fill(t *table, sv reflect.Value, fields []paramField) {
	for _, f := range fields {
		v, ok := t.get(f.key, false)
		if !ok {
			continue
		}
		fv := sv.FieldByIndex(f.index)
		if fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.Struct {
			d.structList(t, f.key, v, fv, sv)
			continue
		}
		d.field(t.path(f.key), v, f, fv)
	}
}

// structList decodes the array of tables v into the list of structs fv
// (see fill); parent is the struct that holds fv.
func (d *decoder) structList(t *table, name string, v any, fv, parent reflect.Value) {
	et := fv.Type().Elem()
	fields, err := paramFields(et)
	if err != nil {
		d.errorf(t.path(name), "internal error: %v", err)
		return
	}
	prev := reflect.New(et).Elem()
	for i := 0; i < parent.NumField(); i++ {
		if f := parent.Type().Field(i); f.Anonymous && f.Type == et {
			prev.Set(parent.Field(i))
		}
	}
	var maps []map[string]any
	switch v := v.(type) {
	case []map[string]any:
		maps = v
	case []any:
		for i, e := range v {
			m, ok := e.(map[string]any)
			if !ok {
				d.errorf(indexKey(t.path(name), i), "must be a table, not %s", typeName(e))
				return
			}
			maps = append(maps, m)
		}
	default:
		t.typeErr(name, "an array of tables", v)
		return
	}
	out := reflect.MakeSlice(fv.Type(), len(maps), len(maps))
	for i, m := range maps {
		el := out.Index(i)
		el.Set(prev)
		sub := d.table(indexKey(t.path(name), i), m)
		d.fill(sub, el, fields)
		sub.done()
		prev = el
	}
	fv.Set(out)
}

// field decodes one parameter value into fv.
func (d *decoder) field(key string, v any, f paramField, fv reflect.Value) {
	switch fv.Kind() {
	case reflect.Float64, reflect.Float32:
		if x, ok := d.quantity(key, v, f.dim); ok {
			fv.SetFloat(x)
		}
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Int16, reflect.Int8:
		n, ok := v.(int64)
		if !ok {
			d.errorf(key, "must be an integer, not %s", typeName(v))
		} else if fv.OverflowInt(n) {
			d.errorf(key, "%d is out of range", n)
		} else {
			fv.SetInt(n)
		}
	case reflect.String:
		s, ok := v.(string)
		if !ok {
			d.errorf(key, "must be a string, not %s", typeName(v))
		} else {
			fv.SetString(s)
		}
	case reflect.Bool:
		b, ok := v.(bool)
		if !ok {
			d.errorf(key, "must be true or false, not %s", typeName(v))
		} else {
			fv.SetBool(b)
		}
	case reflect.Slice:
		arr, ok := v.([]any)
		if !ok {
			d.errorf(key, "must be an array, not %s", typeName(v))
			return
		}
		out := reflect.MakeSlice(fv.Type(), len(arr), len(arr))
		good := true
		for i, e := range arr {
			ev := out.Index(i)
			switch ev.Kind() {
			case reflect.Float64, reflect.Float32, reflect.Int, reflect.Int64, reflect.Int32, reflect.Int16, reflect.Int8, reflect.String, reflect.Bool, reflect.Slice:
				before := len(d.errs)
				d.field(indexKey(key, i), e, f, ev)
				good = good && len(d.errs) == before
			default:
				d.errorf(key, "internal error: unsupported parameter type %s", fv.Type())
				return
			}
		}
		if good {
			fv.Set(out)
		}
	default:
		d.errorf(key, "internal error: unsupported parameter type %s", fv.Type())
	}
}
