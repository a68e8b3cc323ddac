package stdp

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/internal/registry"
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
	// Validate checks every parameter and returns a *snnsim.ParamError
	// naming the first invalid one, its value and the constraint.
	Validate() error
	// ApplyPreset sets the rule parameters (amplitudes, time constants,
	// pairing, weight dependence) to the named published set. It leaves the
	// weight bounds w_min and w_max unchanged. An unknown name gives an error
	// that wraps ErrUnknownPreset and lists the known names.
	ApplyPreset(name string) error
}

// ErrUnknownPreset is wrapped by the error for a preset name a rule does not know.
var ErrUnknownPreset = errors.New("stdp: unknown preset")

// rules is the table of rules; each rule's file registers it.
var rules registry.Table[Params]

// Lookup returns the default parameters of the named rule, as a pointer that
// a scenario decoder fills in, and whether the rule exists.
func Lookup(rule string) (Params, bool) { return rules.Lookup(rule) }

// Rules lists the rule names that Lookup knows, sorted.
func Rules() []string { return rules.Names() }

// presetLister is implemented by every Params of this package.
type presetLister interface {
	// presetNames lists the names ApplyPreset accepts, in any order.
	presetNames() []string
}

// Presets lists the preset names of the named rule, sorted (nil for an
// unknown rule).
func Presets(rule string) []string {
	p, ok := Lookup(rule)
	if !ok {
		return nil
	}
	l, ok := p.(presetLister)
	if !ok {
		return nil
	}
	names := slices.Clone(l.presetNames())
	slices.Sort(names)
	return names
}

// unknownPreset is the error for a preset name the rule does not know.
func unknownPreset(rule, name string) error {
	return fmt.Errorf("%w %q for rule %s: use one of %s", ErrUnknownPreset, name, rule, strings.Join(Presets(rule), ", "))
}

// checkParams starts the checks of the parameters p of the named rule.
func checkParams(rule string, p any) *snnsim.ParamCheck {
	return snnsim.CheckParams("stdp", rule, p)
}

// checkBounds checks w_min < w_max (either may be infinite, neither NaN);
// finiteMin/finiteMax name the parameter that needs a finite bound, if any.
func checkBounds(c *snnsim.ParamCheck, wMin, wMax float64, finiteMin, finiteMax string) {
	switch {
	case math.IsNaN(wMin) || math.IsInf(wMin, 1):
		c.Fail("w_min", wMin, "must be a number below w_max (-Inf is allowed)")
	case math.IsNaN(wMax) || math.IsInf(wMax, -1):
		c.Fail("w_max", wMax, "must be a number above w_min (+Inf is allowed)")
	case !(wMin < wMax):
		c.Failf("w_max", wMax, "must be above w_min = %g", wMin)
	case finiteMin != "" && math.IsInf(wMin, 0):
		c.Fail("w_min", wMin, "must be finite when "+finiteMin)
	case finiteMax != "" && math.IsInf(wMax, 0):
		c.Fail("w_max", wMax, "must be finite when "+finiteMax)
	}
}
