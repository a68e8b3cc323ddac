package stdp

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Params describes a rule: a value struct of parameters whose TOML keys are
// given by `toml` tags and whose canonical units are given by `unit` tags
// (the convention of package neuron: "16.8 ms" is decoded to 16.8, "3 Hz" to
// 3). Untagged amplitudes and bounds are plain numbers in the projection's
// weight unit. The pointer types *PairParams, *TripletParams and
// *HomeostaticParams implement it.
//
// A scenario decoder obtains the defaults from Lookup, applies a preset with
// ApplyPreset if the scenario names one, then sets the keys the scenario
// gives, and finally calls Validate.
type Params interface {
	// Rule returns the rule's name as written in scenarios ("triplet").
	Rule() string
	// Validate checks every parameter and returns an error naming the first
	// invalid one, its value and the constraint.
	Validate() error
	// ApplyPreset sets the rule parameters (amplitudes, time constants,
	// pairing, weight dependence) to the named published set. It leaves the
	// weight bounds w_min and w_max unchanged. An unknown name gives an error
	// that wraps ErrUnknownPreset and lists the known names.
	ApplyPreset(name string) error
}

// ErrUnknownPreset is wrapped by the error for a preset name a rule does not know.
var ErrUnknownPreset = errors.New("stdp: unknown preset")

// Lookup returns the default parameters of the named rule, as a pointer that
// a scenario decoder fills in, and whether the rule exists.
func Lookup(rule string) (Params, bool) {
	switch rule {
	case rulePair:
		p := DefaultPair()
		return &p, true
	case ruleTriplet:
		p := DefaultTriplet()
		return &p, true
	case ruleHomeostatic:
		p := DefaultHomeostatic()
		return &p, true
	}
	return nil, false
}

// Rules lists the rule names that Lookup knows, sorted.
func Rules() []string {
	r := []string{rulePair, ruleTriplet, ruleHomeostatic}
	slices.Sort(r)
	return r
}

// Presets lists the preset names of the named rule, sorted (nil for an
// unknown rule).
func Presets(rule string) []string {
	var names []string
	switch rule {
	case rulePair:
		for _, p := range pairPresets {
			names = append(names, p.name)
		}
	case ruleTriplet:
		for _, p := range tripletPresets {
			names = append(names, p.name)
		}
	case ruleHomeostatic:
		names = []string{presetZenke2013}
	default:
		return nil
	}
	slices.Sort(names)
	return names
}

// unknownPreset is the error for a preset name the rule does not know.
func unknownPreset(rule, name string) error {
	return fmt.Errorf("%w %q for rule %s: use one of %s", ErrUnknownPreset, name, rule, strings.Join(Presets(rule), ", "))
}

// check holds the first validation error of a parameter struct.
type check struct {
	rule string
	err  error
}

func (c *check) fail(key string, v float64, unit, constraint string) {
	if c.err != nil {
		return
	}
	if unit != "" {
		unit = " " + unit
	}
	c.err = fmt.Errorf("stdp: %s.%s = %g%s: %s", c.rule, key, v, unit, constraint)
}

// positive requires a finite v > 0.
func (c *check) positive(key string, v float64, unit string) {
	if !(v > 0) || math.IsInf(v, 0) {
		c.fail(key, v, unit, "must be > 0 and finite")
	}
}

// nonNegative requires a finite v >= 0.
func (c *check) nonNegative(key string, v float64, unit string) {
	if !(v >= 0) || math.IsInf(v, 0) {
		c.fail(key, v, unit, "must be >= 0 and finite")
	}
}

// bounds checks w_min < w_max (either may be infinite, neither NaN);
// finiteMin/finiteMax name the parameter that needs a finite bound, if any.
func (c *check) bounds(wMin, wMax float64, finiteMin, finiteMax string) {
	switch {
	case math.IsNaN(wMin) || math.IsInf(wMin, 1):
		c.fail("w_min", wMin, "", "must be a number below w_max (-Inf is allowed)")
	case math.IsNaN(wMax) || math.IsInf(wMax, -1):
		c.fail("w_max", wMax, "", "must be a number above w_min (+Inf is allowed)")
	case !(wMin < wMax):
		c.fail("w_max", wMax, "", fmt.Sprintf("must be above w_min = %g", wMin))
	case finiteMin != "" && math.IsInf(wMin, 0):
		c.fail("w_min", wMin, "", "must be finite when "+finiteMin)
	case finiteMax != "" && math.IsInf(wMax, 0):
		c.fail("w_max", wMax, "", "must be finite when "+finiteMax)
	}
}
