package scenario

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/snnsim/snnsim"
)

// DistKind says how a [Dist] draws its values.
type DistKind uint8

// The kinds of [Dist].
const (
	Const   DistKind = iota // every value is A
	Uniform                 // uniform on [A, B)
	Normal                  // normal with mean A and standard deviation B
)

// String returns "const", "uniform" or "normal".
func (k DistKind) String() string {
	switch k {
	case Const:
		return "const"
	case Uniform:
		return "uniform"
	case Normal:
		return "normal"
	}
	return fmt.Sprintf("DistKind(%d)", int(k))
}

// Dist is a fixed value or a distribution of values, as written for a
// weight, a delay or an initial membrane potential. Values are in the
// canonical unit of Dim. A drawn value outside [Lo, Hi] is clamped to the
// nearer bound (not redrawn), so clipping puts the clipped probability mass
// on the bound itself.
type Dist struct {
	Kind   DistKind
	Dim    snnsim.Dimension // dimension of A, B, Lo and Hi
	A, B   float64          // Const: the value A; Uniform: [A, B); Normal: mean A, standard deviation B
	Lo, Hi float64          // clip bounds; -Inf and +Inf when there are none
}

// Fixed returns the Dist whose every value is v.
func Fixed(v float64, d snnsim.Dimension) *Dist {
	return &Dist{Kind: Const, Dim: d, A: v, Lo: math.Inf(-1), Hi: math.Inf(1)}
}

// Sample draws one value. A Const Dist does not use r.
func (d *Dist) Sample(r *rand.Rand) float64 {
	var x float64
	switch d.Kind {
	case Const:
		return d.A
	case Uniform:
		x = d.A + (d.B-d.A)*r.Float64()
	case Normal:
		x = d.A + d.B*r.NormFloat64()
	}
	return min(max(x, d.Lo), d.Hi)
}

// check reports a Dist that cannot be sampled: a non-finite value, an empty
// interval or a negative standard deviation.
func (d *Dist) check() error {
	if d == nil {
		return fmt.Errorf("missing")
	}
	for _, v := range []float64{d.A, d.B} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%g is not finite", v)
		}
	}
	if math.IsNaN(d.Lo) || math.IsNaN(d.Hi) {
		return fmt.Errorf("clip bound is NaN")
	}
	switch d.Kind {
	case Const:
	case Uniform:
		if d.A > d.B {
			return fmt.Errorf("uniform = [%s, %s]: the lower bound must not exceed the upper", d.show(d.A), d.show(d.B))
		}
	case Normal:
		if d.B < 0 {
			return fmt.Errorf("normal = [%s, %s]: the standard deviation must be >= 0", d.show(d.A), d.show(d.B))
		}
	default:
		return fmt.Errorf("unknown distribution kind %v", d.Kind)
	}
	if d.Lo > d.Hi {
		return fmt.Errorf("clip = [%s, %s]: the lower bound must not exceed the upper", d.show(d.Lo), d.show(d.Hi))
	}
	return nil
}

// min returns the smallest value the Dist can produce.
func (d *Dist) min() float64 {
	switch d.Kind {
	case Const:
		return d.A
	case Uniform:
		return max(d.A, d.Lo)
	}
	return d.Lo
}

// show formats v with the Dist's canonical unit.
func (d *Dist) show(v float64) string {
	if u := d.Dim.Unit(); u != "" {
		return fmt.Sprintf("%g %s", v, u)
	}
	return fmt.Sprintf("%g", v)
}

// String describes the Dist as a scenario would write it.
func (d *Dist) String() string {
	var s string
	switch d.Kind {
	case Const:
		return fmt.Sprintf("%q", d.show(d.A))
	case Uniform:
		s = fmt.Sprintf("uniform = [%q, %q]", d.show(d.A), d.show(d.B))
	case Normal:
		s = fmt.Sprintf("normal = [%q, %q]", d.show(d.A), d.show(d.B))
	default:
		return d.Kind.String()
	}
	if !math.IsInf(d.Lo, -1) || !math.IsInf(d.Hi, 1) {
		s += fmt.Sprintf(", clip = [%q, %q]", d.show(d.Lo), d.show(d.Hi))
	}
	return "{ " + s + " }"
}
