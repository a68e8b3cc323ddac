// Package paramtest is the conformance test of a model package's registry
// (neuron, source, stdp, consolidation): every registered model validates
// its defaults, and a wrong value of each of its parameters is refused
// with a *snnsim.ParamError that names the model, the key and the unit of
// the parameter's `unit` tag.
package paramtest

import (
	"errors"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/snnsim/snnsim"
)

// Validator is a model's parameter struct, as its package's Lookup returns
// it (a pointer).
type Validator interface {
	Validate() error
}

// field is one scenario key of a parameter struct.
type field struct {
	key   string
	unit  string
	value reflect.Value // settable
}

// fields lists the keys of the struct that p points to, through embedded
// structs.
func fields(t *testing.T, p any) []field {
	rv := reflect.ValueOf(p)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		t.Fatalf("parameters of type %T are not a pointer to a struct", p)
	}
	var out []field
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			key := strings.Split(f.Tag.Get("toml"), ",")[0]
			if f.Anonymous && key == "" && f.Type.Kind() == reflect.Struct {
				walk(v.Field(i))
				continue
			}
			if key == "" || key == "-" || !f.IsExported() {
				continue
			}
			unit := ""
			if d, ok := snnsim.ParseDimension(f.Tag.Get("unit")); ok {
				unit = d.Unit()
			}
			out = append(out, field{key, unit, v.Field(i)})
		}
	}
	walk(rv.Elem())
	return out
}

// Table is a model package's registry as the conformance test sees it.
type Table[P Validator] struct {
	Pkg    string                 // package name that prefixes its errors ("neuron")
	Names  []string               // the package's Models()
	Lookup func(string) (P, bool) // the package's Lookup
	Model  func(P) string         // the name that parameters report
	Fill   func(name string, p P) // sets the keys a model requires and has no default for; may be nil
}

// Registry runs the conformance test over every model of tab. For each:
//
//   - the defaults (with Fill applied) validate, and the model reports
//     the name it is registered under;
//   - every float parameter set to NaN, and every integer parameter set to
//     -1, is refused with a ParamError naming the package, the model, that
//     key and the key's unit;
//   - every float parameter whose default is positive is either accepted
//     with the opposite sign or refused with such a ParamError (a
//     constraint between two keys must name the key that was changed,
//     which holds when each key is checked on its own before the pairs).
//
// It also checks that Names is sorted and that Lookup refuses a name it
// does not list.
func Registry[P Validator](t *testing.T, tab Table[P]) {
	t.Helper()
	if len(tab.Names) == 0 {
		t.Fatalf("%s: no models registered", tab.Pkg)
	}
	if !slices.IsSorted(tab.Names) {
		t.Errorf("%s: Models() = %v is not sorted", tab.Pkg, tab.Names)
	}
	if _, ok := tab.Lookup("no_such_model"); ok {
		t.Errorf("%s: Lookup finds a model named no_such_model", tab.Pkg)
	}
	lookup := func(name string) P {
		p, ok := tab.Lookup(name)
		if !ok {
			t.Fatalf("Lookup(%q) fails for a name that Models lists", name)
		}
		if tab.Fill != nil {
			tab.Fill(name, p)
		}
		return p
	}
	pkg := tab.Pkg
	for _, name := range tab.Names {
		t.Run(name, func(t *testing.T) {
			p := lookup(name)
			if got := tab.Model(p); got != name {
				t.Fatalf("defaults registered as %q report model %q", name, got)
			}
			if err := p.Validate(); err != nil {
				t.Fatalf("defaults do not validate: %v", err)
			}
			for _, f := range fields(t, p) {
				var bad []reflect.Value
				switch f.value.Kind() {
				case reflect.Float64:
					bad = append(bad, reflect.ValueOf(math.NaN()))
					if d := f.value.Float(); d > 0 {
						bad = append(bad, reflect.ValueOf(-d))
					}
				case reflect.Int:
					bad = append(bad, reflect.ValueOf(-1))
				}
				for k, v := range bad {
					q := lookup(name)
					fq := fieldOf(t, q, f.key)
					fq.value.Set(v)
					err := q.Validate()
					if err == nil {
						if k == 0 {
							t.Errorf("%s = %v is accepted", f.key, v)
						}
						continue
					}
					var pe *snnsim.ParamError
					if !errors.As(err, &pe) {
						t.Errorf("%s = %v: error %q (%T) is not a *snnsim.ParamError", f.key, v, err, err)
						continue
					}
					if pe.Pkg != pkg || pe.Model != name || pe.BaseKey() != f.key || pe.Unit != f.unit {
						t.Errorf("%s = %v: ParamError{Pkg: %q, Model: %q, Key: %q, Unit: %q}, want {%q, %q, %q, %q} (%v)",
							f.key, v, pe.Pkg, pe.Model, pe.Key, pe.Unit, pkg, name, f.key, f.unit, err)
					}
					if pe.Constraint == "" {
						t.Errorf("%s = %v: ParamError without a constraint", f.key, v)
					}
				}
			}
		})
	}
}

// fieldOf returns the field of p with the given key.
func fieldOf(t *testing.T, p any, key string) field {
	for _, f := range fields(t, p) {
		if f.key == key {
			return f
		}
	}
	t.Fatalf("no key %q in %T", key, p)
	return field{}
}
