package snnsim

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Dimension is the physical dimension of a quantity.
type Dimension int

// The dimensions that scenario parameters use.
const (
	Dimensionless Dimension = iota
	TimeDim                 // canonical unit ms
	Voltage                 // canonical unit mV
	Current                 // canonical unit pA
	Conductance             // canonical unit nS
	Capacitance             // canonical unit pF
	Resistance              // canonical unit MOhm
	Frequency               // canonical unit Hz
)

var dimNames = [...]string{"dimensionless", "time", "voltage", "current", "conductance", "capacitance", "resistance", "frequency"}
var canonical = [...]string{"", "ms", "mV", "pA", "nS", "pF", "MOhm", "Hz"}

// String returns the dimension's name.
func (d Dimension) String() string {
	if d < 0 || int(d) >= len(dimNames) {
		return fmt.Sprintf("Dimension(%d)", int(d))
	}
	return dimNames[d]
}

// Unit returns the canonical unit of the dimension ("" for dimensionless).
func (d Dimension) Unit() string {
	if d < 0 || int(d) >= len(canonical) {
		return "?"
	}
	return canonical[d]
}

type unitDef struct {
	dim   Dimension
	scale float64 // multiply a value in this unit by scale to get the canonical unit
}

var units = map[string]unitDef{
	"d": {TimeDim, 86400e3}, "h": {TimeDim, 3600e3}, "min": {TimeDim, 60e3},
	"s": {TimeDim, 1e3}, "ms": {TimeDim, 1}, "us": {TimeDim, 1e-3}, "µs": {TimeDim, 1e-3},
	"V": {Voltage, 1e3}, "mV": {Voltage, 1}, "uV": {Voltage, 1e-3}, "µV": {Voltage, 1e-3},
	"uA": {Current, 1e6}, "µA": {Current, 1e6}, "nA": {Current, 1e3}, "pA": {Current, 1}, "fA": {Current, 1e-3},
	"S": {Conductance, 1e9}, "mS": {Conductance, 1e6}, "uS": {Conductance, 1e3}, "µS": {Conductance, 1e3},
	"nS": {Conductance, 1}, "pS": {Conductance, 1e-3},
	"uF": {Capacitance, 1e6}, "µF": {Capacitance, 1e6}, "nF": {Capacitance, 1e3}, "pF": {Capacitance, 1}, "fF": {Capacitance, 1e-3},
	"Ohm": {Resistance, 1e-6}, "kOhm": {Resistance, 1e-3}, "MOhm": {Resistance, 1}, "GOhm": {Resistance, 1e3},
	"mHz": {Frequency, 1e-3}, "Hz": {Frequency, 1}, "kHz": {Frequency, 1e3},
}

// ParseQuantity parses a number followed by a unit, such as "20 ms",
// "-70mV" or "0.5 nS", and returns its value in the canonical unit of its
// dimension together with that dimension. A bare number is dimensionless.
func ParseQuantity(s string) (float64, Dimension, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, 0, fmt.Errorf("empty quantity")
	}
	// The number is the longest prefix that parses; the rest is the unit.
	i := len(t)
	for i > 0 {
		c := t[i-1]
		if (c >= '0' && c <= '9') || c == '.' {
			break
		}
		i--
	}
	num := strings.TrimSpace(t[:i])
	unit := strings.TrimSpace(t[i:])
	// An exponent such as "1e-3 s" ends in a digit, so it is covered above.
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("%q is not a number followed by a unit", s)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, 0, fmt.Errorf("%q is not finite", s)
	}
	if unit == "" {
		return v, Dimensionless, nil
	}
	u, ok := units[unit]
	if !ok {
		return 0, 0, fmt.Errorf("%q: unknown unit %q (known: ms, s, min, h, mV, pA, nA, nS, pF, MOhm, Hz, ...)", s, unit)
	}
	return v * u.scale, u.dim, nil
}

// ParseIn parses s and checks that it has dimension want, returning the value
// in want's canonical unit. The error names both dimensions on a mismatch.
func ParseIn(s string, want Dimension) (float64, error) {
	v, d, err := ParseQuantity(s)
	if err != nil {
		return 0, err
	}
	if d != want {
		if d == Dimensionless {
			return 0, fmt.Errorf("%q has no unit: a %s is needed, e.g. \"%s\"", s, want, want.Example())
		}
		return 0, fmt.Errorf("%q is a %s, but a %s is needed (e.g. \"%s\")", s, d, want, want.Example())
	}
	return v, nil
}

// Example returns a typical quantity of the dimension as a scenario writes
// it ("20 ms"), for messages that show what to write.
func (d Dimension) Example() string {
	switch d {
	case TimeDim:
		return "20 ms"
	case Voltage:
		return "-70 mV"
	case Current:
		return "200 pA"
	case Conductance:
		return "4 nS"
	case Capacitance:
		return "200 pF"
	case Resistance:
		return "100 MOhm"
	case Frequency:
		return "5 Hz"
	}
	return "1"
}

// ParseDimension maps a canonical unit or dimension name ("ms", "time",
// "mV", ...) to its Dimension.
func ParseDimension(s string) (Dimension, bool) {
	for i, n := range dimNames {
		if s == n || (canonical[i] != "" && s == canonical[i]) {
			return Dimension(i), true
		}
	}
	return 0, false
}
