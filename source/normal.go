package source

import (
	"math"
	"math/rand/v2"
)

// The standard normal deviates of the Ornstein–Uhlenbeck currents come
// from the ziggurat method of Marsaglia & Tsang (2000), "The ziggurat
// method for generating random variables", J. Stat. Softw. 5(8), with 128
// layers, in the form of Doornik (2005), "An improved ziggurat method to
// generate normal random samples" (University of Oxford): the layer and the
// uniform abscissa come from separate bits of one 64-bit draw, so they are
// independent. Each draw reads the neuron's generator directly; one value
// costs about one 64-bit draw, a multiplication and a comparison.

const (
	zigLayers = 128
	zigMask   = uint64(zigLayers - 1) // layer bits
	zigShift  = 11                    // the 53 bits above the layer bits
	zigScale  = 1.0 / (1 << 52)       // 53-bit integer → [0, 2)
	zigUnit   = 1.0 / (1 << 53)       // 53-bit integer → [0, 1)
)

// zig holds the layer tables: x[i] the right edge of layer i (x[0] the
// width V/f(R) of the base layer with its tail, x[1] = R, decreasing to
// x[128] = 0), ratio[i] = x[i+1]/x[i] (below it a point lies in the part of
// layer i under the curve), f[i] = e^{−x[i]²/2}; r = R and v = V.
var zig = newZiggurat()

type ziggurat struct {
	x     [zigLayers + 1]float64
	ratio [zigLayers]float64
	f     [zigLayers + 1]float64
	r, v  float64
	sq    [zigLayers]squeeze
}

// squeeze holds two lines that bound f(z) = e^{−z²/2} on a layer's wedge,
// x[i+1] <= z <= x[i]: the chord c0 + c1·z through its ends and the tangent
// t0 + t1·z at its middle. Where f is convex (z >= 1) the chord lies above
// f and the tangent below; where it is concave (z <= 1) the other way
// round; a layer across z = 1 has no bounds (kind 0).
type squeeze struct {
	c0, c1, t0, t1 float64
	kind           int8 // +1 convex, −1 concave, 0 none
}

// squeezeEps is far above the rounding errors of math.Exp and of the two
// lines (about 1e-15 for values <= 1), so that a decision taken from a
// line with this margin is the one the comparison with math.Exp takes.
const squeezeEps = 1e-12

// wedge reports whether the point (x, y) of the wedge of layer i lies under
// the curve, y < e^{−x²/2} as math.Exp evaluates it, deciding from the
// bounding lines where they leave no doubt (most points) and calling
// math.Exp only for the others.
func (z *ziggurat) wedge(i uint64, x, y float64) bool {
	q := &z.sq[i]
	a := math.Abs(x)
	switch q.kind {
	case 1:
		if y >= q.c0+q.c1*a+squeezeEps {
			return false
		}
		if y < q.t0+q.t1*a-squeezeEps {
			return true
		}
	case -1:
		if y < q.c0+q.c1*a-squeezeEps {
			return true
		}
		if y >= q.t0+q.t1*a+squeezeEps {
			return false
		}
	}
	return y < math.Exp(-0.5*x*x)
}

// newZiggurat builds the tables. Every layer has the same area V under
// f(x) = e^{−x²/2}: the base layer, R·f(R) plus the tail beyond R, fixes V
// for a given R, and layer i−1 of area x[i−1]·(f(x[i]) − f(x[i−1])) = V
// fixes x[i]. R is then found by bisection such that the top layer, from
// x[127] to 0, has area V too (Marsaglia & Tsang give R = 3.442619855899,
// V = 9.91256303526217e-3, to 12 digits; the bisection makes the layers
// equal to rounding).
func newZiggurat() *ziggurat {
	f := func(x float64) float64 { return math.Exp(-0.5 * x * x) }
	build := func(z *ziggurat, r float64) float64 {
		z.r = r
		z.v = r*f(r) + math.Sqrt(math.Pi/2)*math.Erfc(r/math.Sqrt2)
		z.x[0], z.x[1] = z.v/f(r), r
		for i := 2; i < zigLayers; i++ {
			a := z.v/z.x[i-1] + f(z.x[i-1])
			if a >= 1 { // the layers reach the top too early: R too small
				return -1
			}
			z.x[i] = math.Sqrt(-2 * math.Log(a))
		}
		return z.x[zigLayers-1]*(1-f(z.x[zigLayers-1])) - z.v
	}
	z := new(ziggurat)
	lo, hi := 3.4, 3.5 // the top layer's surplus area grows with R: negative at lo, positive at hi
	for range 200 {
		mid := 0.5 * (lo + hi)
		if mid == lo || mid == hi {
			break
		}
		if build(z, mid) > 0 {
			hi = mid
		} else {
			lo = mid
		}
	}
	build(z, hi)
	z.x[zigLayers] = 0
	for i := range z.ratio {
		z.ratio[i] = z.x[i+1] / z.x[i]
	}
	for i := range z.f {
		z.f[i] = f(z.x[i])
	}
	for i := 1; i < zigLayers; i++ {
		lo, hi := z.x[i+1], z.x[i]
		q := &z.sq[i]
		q.c1 = (z.f[i] - z.f[i+1]) / (hi - lo)
		q.c0 = z.f[i+1] - q.c1*lo
		m := 0.5 * (lo + hi)
		fm := f(m)
		q.t0, q.t1 = fm*(1+m*m), -m*fm
		switch {
		case lo >= 1:
			q.kind = 1
		case hi <= 1:
			q.kind = -1
		}
	}
	return z
}

// normal returns a standard normal deviate drawn from g.
func normal(g *rand.PCG) float64 {
	b := g.Uint64()
	if x, ok := zigFast(b); ok {
		return x
	}
	return normalSlow(g, b)
}

// zigFast returns the deviate of the 64-bit draw b and true when b falls
// in the part of its layer under the curve (about 99 % of draws); else
// normalSlow(g, b) finishes the draw.
func zigFast(b uint64) (float64, bool) {
	i := b & zigMask
	u := float64(b>>zigShift)*zigScale - 1 // uniform on [−1, 1)
	return u * zig.x[i], math.Abs(u) < zig.ratio[i]
}

// normalSlow finishes a draw whose first 64 bits b were not accepted by
// zigFast: the tail, the wedge test, or a fresh draw.
func normalSlow(g *rand.PCG, b uint64) float64 {
	for {
		i := b & zigMask
		u := float64(b>>zigShift)*zigScale - 1
		if math.Abs(u) < zig.ratio[i] {
			return u * zig.x[i]
		}
		if i == 0 {
			return normalTail(g, zig.r, u < 0)
		}
		// the wedge of layer i: accept x if a uniform height between the
		// layer's bottom f[i] and top f[i+1] lies under the curve
		x := u * zig.x[i]
		if wedgeAt(i, x, g.Uint64()) {
			return x
		}
		b = g.Uint64()
	}
}

// wedgeAt reports whether the point of the wedge of layer i at abscissa x
// whose height comes from the draw b2 lies under the curve: the height is
// uniform between the layer's bottom f[i] and top f[i+1], computed with
// the roundings of the assembly kernel (the conversion keeps the compiler
// from fusing a multiply-add).
func wedgeAt(i uint64, x float64, b2 uint64) bool {
	y := zig.f[i] + float64(float64(b2>>zigShift)*zigUnit*(zig.f[i+1]-zig.f[i]))
	return zig.wedge(i, x, y)
}

// normalFinish finishes a draw that the assembly kernel left to Go: b is
// the last 64-bit draw, refused by the fast path; in the base layer the
// tail is drawn from it, in another layer b2 is the draw of the height of
// its wedge point, which the squeeze left undecided (a rejected point is
// followed by a fresh draw).
func normalFinish(g *rand.PCG, b, b2 uint64) float64 {
	i := b & zigMask
	if i == 0 {
		return normalSlow(g, b)
	}
	u := float64(b>>zigShift)*zigScale - 1
	x := u * zig.x[i]
	if wedgeAt(i, x, b2) {
		return x
	}
	return normal(g)
}

// normalTail returns a deviate from the normal tail beyond r (below −r if
// neg), by Marsaglia's (1964) method: x = −ln(U₁)/r and y = −ln(U₂) until
// 2y > x², then r + x.
func normalTail(g *rand.PCG, r float64, neg bool) float64 {
	for {
		x := -math.Log(1-float64(g.Uint64()>>zigShift)*zigUnit) / r // U in (0, 1]
		y := -math.Log(1 - float64(g.Uint64()>>zigShift)*zigUnit)
		if 2*y > x*x {
			if neg {
				return -r - x
			}
			return r + x
		}
	}
}
