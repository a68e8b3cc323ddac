package snnsim

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"
)

// ParamError is a model parameter that breaks a constraint. The Validate
// methods of the model packages (neuron, source, stdp, consolidation)
// return one, so that a caller can find the offending key with errors.As
// instead of reading the message. It reads
//
//	neuron: lif_exp_current.tau_m = -20 ms: must be > 0
type ParamError struct {
	Pkg        string // package that owns the model ("neuron"), "" for none
	Model      string // model name as written in scenarios ("lif_exp_current")
	Key        string // TOML key of the parameter ("tau_m"); an element is indexed ("times[2]")
	Value      any    // the offending value; nil when no single value is at fault
	Unit       string // canonical unit of Value ("ms"), "" for a plain number
	Constraint string // what the value must satisfy ("must be > 0")
}

// Error formats the error as "pkg: model.key = value unit: constraint", or
// "pkg: model.key constraint" when Value is nil.
func (e *ParamError) Error() string {
	var b strings.Builder
	if e.Pkg != "" {
		b.WriteString(e.Pkg + ": ")
	}
	b.WriteString(e.Model + "." + e.Key)
	if e.Value == nil {
		// No single value is at fault: the constraint reads on from the
		// key ("poisson.rates has 2 entries and times has 3: ...").
		b.WriteString(" " + e.Constraint)
		return b.String()
	}
	b.WriteString(" = " + e.Quantity() + ": " + e.Constraint)
	return b.String()
}

// Quantity formats Value with its unit ("-20 ms"); a string is quoted. It
// returns "" when Value is nil.
func (e *ParamError) Quantity() string {
	var s string
	switch v := e.Value.(type) {
	case nil:
		return ""
	case string:
		return fmt.Sprintf("%q", v)
	case float64:
		s = fmt.Sprintf("%g", v)
	default:
		s = fmt.Sprint(v)
	}
	if e.Unit != "" {
		s += " " + e.Unit
	}
	return s
}

// BaseKey returns Key without an element index: "times" for "times[2]".
func (e *ParamError) BaseKey() string {
	if i := strings.IndexByte(e.Key, '['); i >= 0 {
		return e.Key[:i]
	}
	return e.Key
}

// ParamCheck validates a model's parameter struct and keeps the first
// violation as a [ParamError]. The unit of each key comes from the struct's
// `unit` tag (the tag of the field whose `toml` tag is the key), so a
// message always shows the value in the unit the scenario uses. Checks
// after the first violation do nothing, so a Validate method lists its
// checks in order and returns Err:
//
//	c := snnsim.CheckParams("neuron", "lif_exp_current", p)
//	c.Positive("tau_m", p.TauM)
//	c.Finite("v_rest", p.VRest)
//	return c.Err()
type ParamCheck struct {
	pkg, model string
	units      map[string]string
	err        *ParamError
}

// CheckParams starts the checks of params (a struct or a pointer to one)
// of the named model in package pkg.
func CheckParams(pkg, model string, params any) *ParamCheck {
	return &ParamCheck{pkg: pkg, model: model, units: paramUnits(reflect.TypeOf(params))}
}

// unitCache maps a parameter struct type to its key → unit table.
var unitCache sync.Map

// paramUnits returns the canonical unit of each TOML key of struct type t
// (or of the struct t points to), flattening embedded structs.
func paramUnits(t reflect.Type) map[string]string {
	if t == nil {
		return nil
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if m, ok := unitCache.Load(t); ok {
		return m.(map[string]string)
	}
	m := map[string]string{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			key := strings.Split(f.Tag.Get("toml"), ",")[0]
			if f.Anonymous && key == "" && f.Type.Kind() == reflect.Struct {
				walk(f.Type)
				continue
			}
			if key == "" || key == "-" {
				continue
			}
			if d, ok := ParseDimension(f.Tag.Get("unit")); ok {
				m[key] = d.Unit()
			} else {
				m[key] = ""
			}
		}
	}
	if t.Kind() == reflect.Struct {
		walk(t)
	}
	unitCache.Store(t, m)
	return m
}

// Unit returns the canonical unit of key ("" for a plain number or a key
// the struct does not have); an element index is ignored, and a key
// inside a list of tables is looked up by its last part.
func (c *ParamCheck) Unit(key string) string {
	// A key of an element of a list of tables ("phases[0].at") has the
	// unit of the field it ends in.
	if i := strings.LastIndex(key, "]."); i >= 0 {
		key = key[i+2:]
	}
	if i := strings.IndexByte(key, '['); i >= 0 {
		key = key[:i]
	}
	return c.units[key]
}

// OK reports whether every check so far passed.
func (c *ParamCheck) OK() bool { return c.err == nil }

// Err returns the first violation as a *ParamError, or nil.
func (c *ParamCheck) Err() error {
	if c.err == nil {
		return nil
	}
	return c.err
}

// Fail records that key's value v breaks the constraint, unless a
// violation is already recorded. v is nil when no single value is at
// fault; the constraint then reads on from the key ("is missing").
func (c *ParamCheck) Fail(key string, v any, constraint string) {
	if c.err != nil {
		return
	}
	c.err = &ParamError{Pkg: c.pkg, Model: c.model, Key: key, Value: v, Unit: c.Unit(key), Constraint: constraint}
}

// Failf is Fail with a formatted constraint.
func (c *ParamCheck) Failf(key string, v any, format string, args ...any) {
	if c.err != nil {
		return
	}
	c.Fail(key, v, fmt.Sprintf(format, args...))
}

// Finite requires a number that is neither NaN nor infinite.
func (c *ParamCheck) Finite(key string, v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		c.Fail(key, v, "must be finite")
	}
}

// Positive requires a finite v > 0.
func (c *ParamCheck) Positive(key string, v float64) {
	c.Finite(key, v)
	if v <= 0 {
		c.Fail(key, v, "must be > 0")
	}
}

// NonNegative requires a finite v >= 0.
func (c *ParamCheck) NonNegative(key string, v float64) {
	c.Finite(key, v)
	if v < 0 {
		c.Fail(key, v, "must be >= 0")
	}
}

// Open requires lo < v < hi.
func (c *ParamCheck) Open(key string, v, lo, hi float64) {
	if !(v > lo && v < hi) {
		c.Failf(key, v, "must be in (%g, %g)", lo, hi)
	}
}

// Closed requires lo <= v <= hi.
func (c *ParamCheck) Closed(key string, v, lo, hi float64) {
	if !(v >= lo && v <= hi) {
		c.Failf(key, v, "must be in [%g, %g]", lo, hi)
	}
}

// Below requires v < limit, where limit is the value of the parameter
// limitKey (of the same unit).
func (c *ParamCheck) Below(key string, v float64, limitKey string, limit float64) {
	if !(v < limit) {
		c.Failf(key, v, "must be below %s = %s", limitKey, withUnit(limit, c.Unit(key)))
	}
}

// AtMost requires v <= limit; limitName says where the limit comes from
// ("tau_cons/10").
func (c *ParamCheck) AtMost(key string, v float64, limitName string, limit float64) {
	if !(v <= limit) {
		c.Failf(key, v, "must be <= %s = %s", limitName, withUnit(limit, c.Unit(key)))
	}
}

// IntIn requires an integer in [lo, hi].
func (c *ParamCheck) IntIn(key string, v, lo, hi int) {
	if v < lo || v > hi {
		c.Failf(key, v, "must be an integer in [%d, %d]", lo, hi)
	}
}

// AtLeastOne requires a count of at least one.
func (c *ParamCheck) AtLeastOne(key string, v int) {
	if v < 1 {
		c.Fail(key, v, "must be >= 1")
	}
}

// OneOf requires v to be one of the allowed strings.
func (c *ParamCheck) OneOf(key, v string, allowed ...string) {
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	q := make([]string, len(allowed))
	for i, a := range allowed {
		q[i] = fmt.Sprintf("%q", a)
	}
	c.Fail(key, v, "must be one of "+strings.Join(q, ", "))
}

// withUnit formats v with its unit ("20 ms"), or alone if unit is "".
func withUnit(v float64, unit string) string {
	if unit == "" {
		return fmt.Sprintf("%g", v)
	}
	return fmt.Sprintf("%g %s", v, unit)
}
