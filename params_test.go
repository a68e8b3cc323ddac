package snnsim

import (
	"errors"
	"fmt"
	"math"
	"testing"
)

// checkedParams is a parameter struct with the tags the model packages use.
type checkedParams struct {
	embedded
	Rate  float64 `toml:"rate" unit:"Hz"`
	Gain  float64 `toml:"gain" unit:"dimensionless"`
	Count int     `toml:"count"`
	Mode  string  `toml:"mode"`
}

type embedded struct {
	Tau float64 `toml:"tau" unit:"ms"`
}

// TestParamCheck checks each check's verdict, the first-error rule and the
// unit taken from the struct tag.
func TestParamCheck(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, tc := range []struct {
		name  string
		check func(c *ParamCheck)
		want  string // "" for no error
	}{
		{"positive", func(c *ParamCheck) { c.Positive("tau", 1) }, ""},
		{"positive/zero", func(c *ParamCheck) { c.Positive("tau", 0) }, "pkg: m.tau = 0 ms: must be > 0"},
		{"positive/NaN", func(c *ParamCheck) { c.Positive("tau", nan) }, "pkg: m.tau = NaN ms: must be finite"},
		{"positive/Inf", func(c *ParamCheck) { c.Positive("rate", inf) }, "pkg: m.rate = +Inf Hz: must be finite"},
		{"non_negative/zero", func(c *ParamCheck) { c.NonNegative("gain", 0) }, ""},
		{"non_negative/negative", func(c *ParamCheck) { c.NonNegative("gain", -0.5) }, "pkg: m.gain = -0.5: must be >= 0"},
		{"finite/-Inf", func(c *ParamCheck) { c.Finite("tau", -inf) }, "pkg: m.tau = -Inf ms: must be finite"},
		{"open/edge", func(c *ParamCheck) { c.Open("gain", 1, 0, 1) }, "pkg: m.gain = 1: must be in (0, 1)"},
		{"closed/edge", func(c *ParamCheck) { c.Closed("gain", 1, 0, 1) }, ""},
		{"closed/NaN", func(c *ParamCheck) { c.Closed("gain", nan, 0, 1) }, "pkg: m.gain = NaN: must be in [0, 1]"},
		{"below", func(c *ParamCheck) { c.Below("tau", 5, "rate", 5) }, "pkg: m.tau = 5 ms: must be below rate = 5 ms"},
		{"at_most", func(c *ParamCheck) { c.AtMost("tau", 3, "tau/10", 2) }, "pkg: m.tau = 3 ms: must be <= tau/10 = 2 ms"},
		{"int_in", func(c *ParamCheck) { c.IntIn("count", 0, 1, 4) }, "pkg: m.count = 0: must be an integer in [1, 4]"},
		{"at_least_one", func(c *ParamCheck) { c.AtLeastOne("count", 0) }, "pkg: m.count = 0: must be >= 1"},
		{"one_of", func(c *ParamCheck) { c.OneOf("mode", "x", "a", "b") }, `pkg: m.mode = "x": must be one of "a", "b"`},
		{"element", func(c *ParamCheck) { c.NonNegative("tau[2]", -1) }, "pkg: m.tau[2] = -1 ms: must be >= 0"},
		{"no_value", func(c *ParamCheck) { c.Fail("mode", nil, "is missing") }, "pkg: m.mode is missing"},
		{"first_wins", func(c *ParamCheck) { c.Positive("rate", -1); c.Positive("tau", -1) }, "pkg: m.rate = -1 Hz: must be > 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := CheckParams("pkg", "m", &checkedParams{})
			tc.check(c)
			err := c.Err()
			if tc.want == "" {
				if err != nil || !c.OK() {
					t.Fatalf("Err() = %v, want nil", err)
				}
				return
			}
			if err == nil || err.Error() != tc.want {
				t.Fatalf("Err() = %v, want %q", err, tc.want)
			}
			var pe *ParamError
			if !errors.As(fmt.Errorf("wrapped: %w", err), &pe) || pe.Model != "m" || pe.Pkg != "pkg" {
				t.Fatalf("errors.As finds %+v", pe)
			}
		})
	}
}

// ExampleParamCheck shows a Validate method built on a ParamCheck and a
// caller that finds the offending key with errors.As.
func ExampleParamCheck() {
	type lif struct {
		TauM float64 `toml:"tau_m" unit:"ms"`
		CM   float64 `toml:"c_m" unit:"pF"`
	}
	p := lif{TauM: -20, CM: 200}
	c := CheckParams("neuron", "my_lif", p)
	c.Positive("tau_m", p.TauM)
	c.Positive("c_m", p.CM)
	err := c.Err()

	var pe *ParamError
	if errors.As(err, &pe) {
		fmt.Println(pe.Key, pe.Quantity(), pe.Constraint)
	}
	fmt.Println(err)
	// Output:
	// tau_m -20 ms must be > 0
	// neuron: my_lif.tau_m = -20 ms: must be > 0
}
