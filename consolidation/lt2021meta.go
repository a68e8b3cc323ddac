package consolidation

import (
	"math"

	"github.com/snnsim/snnsim"
)

// LT2021Metaplastic is the late phase late = "metaplastic" of
// luboeinski_tetzlaff_2021: a metaplastic hidden weight after Laborieux,
// Ernoult, Hirtzlin & Querlioz (2021), "Synaptic metaplasticity in
// binarized neural networks", Nat Commun 12:2549, driven by the calcium
// early phase of Luboeinski & Tetzlaff (2021).
//
// Every synapse has a hidden weight W_h (in units of h0, initially 0)
// that receives every change dh of its early weight h, attenuated when it
// moves W_h towards zero:
//
//	dW_h = dh/h0                          if dh·W_h >= 0  (|W_h| grows)
//	dW_h = (1 − tanh²(m·|W_h|))·dh/h0     if dh·W_h < 0   (|W_h| shrinks)
//	transmitted weight w = min(h0·max(1 + W_h, 0), h_max)   [mV]
//
// h, c, the noise and the thresholds are those of the model; no protein
// is made (alpha is taken as 0) and z stays 0.
//
// Published (Laborieux et al. 2021, the metaplastic update of their
// Results and Algorithm 1): the factor f_meta = 1 − tanh²(m·|W_h|) that
// scales an update decreasing |W_h| while one increasing it passes
// unchanged, and m = 0 giving a plain hidden weight. This project's
// spiking translation: the update is the calcium rule's change of h
// (Graupner & Brunel 2012, as Luboeinski & Tetzlaff 2021 use it) instead
// of an optimiser step, including the relaxation of h towards h0, which is
// thus an update towards zero and is attenuated: what an early phase
// learned and then forgot leaves a residue in W_h the larger m is. The
// paper's binary weight sign(W_h) becomes the graded deviation h0·W_h of
// the transmitted weight from h0, bounded as sign(W_h) is, to the range
// of the calcium rule's own weight, [0, h_max] (an excitatory synapse
// cannot change sign). The bound matters: every fluctuation of h (its
// noise) moves W_h away from 0 in full and back only attenuated, so W_h
// ratchets away from 0 while h stays near its fixed point, as the hidden
// weights of a metaplastic network grow with training. With m = 0,
// W_h = (h − h0)/h0 at all times and the synapse transmits h: the plain
// early phase (late = "none", to rounding).
//
// Integration: the update is integrated as a continuous flow along h's
// path, piece by piece (the model's intervals of constant thresholds,
// within which the mean path of h is monotone). With
// G(a) = ∫_0^a cosh²(m·y) dy = a/2 + sinh(2m·a)/(4m), a change Δ = Δh/h0
// towards zero takes |W_h| from a to G⁻¹(G(a) − |Δ|) if |Δ| <= G(a), else
// through zero to −sign(W_h)·(|Δ| − G(a)) (unattenuated past zero); a change
// away from zero adds Δ. G⁻¹ is found by Newton's method from above (G is
// convex on a >= 0), to the last bit. Two changes of the same sign compose
// into their sum exactly, so the result does not depend on how a
// monotone stretch is cut into pieces; where the noise reverses h within a
// piece the piece's net change counts (the noise is sampled once per piece).
// For a constant drive dh/dt = −r this is the law of
// TestMetaplasticAttenuation: 2m|W_h(t)| + sinh(2m|W_h(t)|) =
// 2m|W_h(0)| + sinh(2m|W_h(0)|) − 4m·r·t/h0.
//
//	key      default  unit   meaning
//	meta_m   0.5      1/h0   metaplasticity strength m, >= 0 (W_h is in units of h0)
//
// m = 0.5 is this project's choice, below the range of the authors'
// public code (0.75–1.35, for hidden weights of order 1; W_h here is of
// order 0.7 after an assembly is learned): every fluctuation of h ratchets
// W_h away from 0 by the fraction 1 − f_meta of its return, so in a
// network that learns several assemblies a large m raises the recurrent
// weights of every active synapse, and with m = 1.3 the network of
// scenarios/cl_sequence.toml ends up firing at its limit (see the README,
// Continual learning). Vars: those of the
// model and "w_h". Tests: TestLT2021MetaAttenuation,
// TestLT2021MetaPlainLimit, TestLT2021LateStateResume,
// TestLT2021LateFastForward.
type LT2021Metaplastic struct {
	MetaM float64 `toml:"meta_m"` // metaplasticity strength m [1/h0]
}

func defaultLT2021Metaplastic() LT2021Metaplastic { return LT2021Metaplastic{MetaM: 0.5} }

func (p *LT2021Metaplastic) validate(c *snnsim.ParamCheck) {
	c.NonNegative("meta_m", p.MetaM)
}

// metaFlow returns G(a) = a/2 + sinh(2m·a)/(4m) (a for m = 0), a >= 0.
func metaFlow(m, a float64) float64 {
	if m == 0 {
		return a
	}
	return a/2 + math.Sinh(2*m*a)/(4*m)
}

// metaFlowInv returns a >= 0 with G(a) = y, 0 <= y <= G(from): Newton's
// method from the smallest of the upper bounds from, y and
// asinh(4m·y)/(2m) (G(a) >= a and G(a) >= sinh(2m·a)/(4m)), which
// decreases monotonically to the root since G is convex; it stops when an
// iterate no longer decreases. Starting from the weight before a small
// change, the first step is the explicit update of Laborieux et al.
// (2021), and two or three more reach the root.
func metaFlowInv(m, y, from float64) float64 {
	if m == 0 || y <= 0 {
		return math.Max(y, 0)
	}
	a := min(from, y, math.Asinh(4*m*y)/(2*m))
	for range 200 {
		c := math.Cosh(m * a)
		next := a - (metaFlow(m, a)-y)/(c*c)
		if !(next < a) {
			break
		}
		a = math.Max(next, 0)
	}
	return a
}

// metaPhi returns the hidden weight x after a change d of the early weight
// (both in units of h0), attenuated towards zero as a continuous flow.
func metaPhi(m, x, d float64) float64 {
	if x*d >= 0 {
		return x + d
	}
	g := metaFlow(m, math.Abs(x))
	sgn := math.Copysign(1, x)
	if r := math.Abs(d); r <= g {
		return sgn * metaFlowInv(m, g-r, math.Abs(x))
	}
	return -sgn * (math.Abs(d) - g)
}
