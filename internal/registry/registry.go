// Package registry is the table of models that each model package (neuron,
// source, stdp, consolidation) keeps: every model file registers its name
// and a constructor of its default parameters from an init function, and
// the package's Lookup and Models read the table. Adding a model is then a
// change to its own file only.
package registry

import (
	"fmt"
	"slices"
)

// Table maps model names to constructors of their default parameters. The
// zero value is ready to use.
type Table[P any] struct {
	defaults map[string]func() P
}

// Register adds a model. It panics on an empty or repeated name, a
// programming error found when the package is loaded.
func (t *Table[P]) Register(name string, defaults func() P) {
	if name == "" || defaults == nil {
		panic("registry: empty model name or nil constructor")
	}
	if _, dup := t.defaults[name]; dup {
		panic(fmt.Sprintf("registry: model %s registered twice", name))
	}
	if t.defaults == nil {
		t.defaults = map[string]func() P{}
	}
	t.defaults[name] = defaults
}

// Lookup returns fresh default parameters of the named model and whether
// the model exists.
func (t *Table[P]) Lookup(name string) (P, bool) {
	f, ok := t.defaults[name]
	if !ok {
		var zero P
		return zero, false
	}
	return f(), true
}

// Names lists the registered names, sorted.
func (t *Table[P]) Names() []string {
	names := make([]string, 0, len(t.defaults))
	for n := range t.defaults {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
