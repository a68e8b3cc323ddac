package snnsim

import (
	"math"
	"strings"
	"testing"
)

func TestParseQuantity(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		dim  Dimension
	}{
		{"20 ms", 20, TimeDim},
		{"1.5 s", 1500, TimeDim},
		{"2 min", 120e3, TimeDim},
		{"10 h", 36e6, TimeDim},
		{"1 d", 86.4e6, TimeDim},
		{"250 us", 0.25, TimeDim},
		{"250 µs", 0.25, TimeDim},
		{"1e-3 s", 1, TimeDim},
		{"-70mV", -70, Voltage},
		{"0.02 V", 20, Voltage},
		{"2 nA", 2000, Current},
		{"0.5 uA", 5e5, Current},
		{"300 fA", 0.3, Current},
		{"0.5 nS", 0.5, Conductance},
		{"3 uS", 3000, Conductance},
		{"200 pF", 200, Capacitance},
		{"1 nF", 1000, Capacitance},
		{"1 GOhm", 1000, Resistance},
		{"500 kOhm", 0.5, Resistance},
		{"5 Hz", 5, Frequency},
		{"2 kHz", 2000, Frequency},
		{"  7  ", 7, Dimensionless},
		{"-0.25", -0.25, Dimensionless},
	}
	for _, tt := range tests {
		got, dim, err := ParseQuantity(tt.in)
		if err != nil {
			t.Errorf("ParseQuantity(%q): %v", tt.in, err)
			continue
		}
		if dim != tt.dim || math.Abs(got-tt.want) > 1e-12*math.Abs(tt.want) {
			t.Errorf("ParseQuantity(%q) = %g %v, want %g %v", tt.in, got, dim, tt.want, tt.dim)
		}
	}
}

func TestParseQuantityErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "empty"},
		{"   ", "empty"},
		{"ms", "not a number"},
		{"20 parsecs", `unknown unit "parsecs"`},
		{"NaN", "not a number"},
		{"1e999 ms", "not a number"},
		{"Inf mV", "not a number"},
	}
	for _, tt := range tests {
		_, _, err := ParseQuantity(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseQuantity(%q) error = %v, want one containing %q", tt.in, err, tt.want)
		}
	}
}

func TestParseIn(t *testing.T) {
	if v, err := ParseIn("3 s", TimeDim); err != nil || v != 3000 {
		t.Errorf(`ParseIn("3 s", time) = %g, %v; want 3000`, v, err)
	}
	tests := []struct {
		in   string
		want Dimension
		msg  string
	}{
		{"20", TimeDim, `has no unit: a time is needed, e.g. "20 ms"`},
		{"20 mV", TimeDim, "is a voltage, but a time is needed"},
		{"4 nS", Current, "is a conductance, but a current is needed"},
	}
	for _, tt := range tests {
		_, err := ParseIn(tt.in, tt.want)
		if err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("ParseIn(%q, %v) error = %v, want one containing %q", tt.in, tt.want, err, tt.msg)
		}
	}
}

func TestParseDimension(t *testing.T) {
	for d := Dimensionless; d <= Frequency; d++ {
		if got, ok := ParseDimension(d.String()); !ok || got != d {
			t.Errorf("ParseDimension(%q) = %v, %v", d.String(), got, ok)
		}
		if d == Dimensionless {
			continue
		}
		if got, ok := ParseDimension(d.Unit()); !ok || got != d {
			t.Errorf("ParseDimension(%q) = %v, %v", d.Unit(), got, ok)
		}
		// The canonical unit parses back to a value of 1 in its own dimension.
		if v, dim, err := ParseQuantity("1 " + d.Unit()); err != nil || v != 1 || dim != d {
			t.Errorf("ParseQuantity(%q) = %g %v %v", "1 "+d.Unit(), v, dim, err)
		}
	}
	if _, ok := ParseDimension("furlong"); ok {
		t.Error(`ParseDimension("furlong") accepted`)
	}
}

// TestDimensionExample checks that each dimension's example, as messages
// show it, parses back to that dimension.
func TestDimensionExample(t *testing.T) {
	for d := Dimensionless; d <= Frequency; d++ {
		_, got, err := ParseQuantity(d.Example())
		if err != nil || got != d {
			t.Errorf("%s: example %q parses to %s, %v", d, d.Example(), got, err)
		}
	}
}
