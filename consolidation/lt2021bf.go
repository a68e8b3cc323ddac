package consolidation

import (
	"math"

	"github.com/snnsim/snnsim"
)

// LT2021BennaFusi is the late phase late = "benna_fusi" of
// luboeinski_tetzlaff_2021: the chain of communicating vessels of Benna &
// Fusi (2016), Nat Neurosci 19:1697 (see [BennaFusi]), as the late phase
// of the calcium early phase of Luboeinski & Tetzlaff (2021), fed by the
// early weight.
//
// Every synapse has m chain variables u_1 … u_m (in units of h0,
// initially 0). With time in units of T = bf_time_unit and h the early
// weight:
//
//	C_1 du_1/dt = feed·(h − h0)/h0         + g_{12}(u_2 − u_1)
//	C_k du_k/dt = g_{k−1,k}(u_{k−1} − u_k) + g_{k,k+1}(u_{k+1} − u_k),  k = 2 … m
//	u_{m+1} ≡ 0,  C_k = r^{k−1},  g_{k,k+1} = g_{12}·r^{−(k−1)}
//	transmitted weight w = max(h + h0·u_1, 0)   [mV]
//
// h, c, the noise and the thresholds are those of the model; no protein
// is made (alpha is taken as 0) and z stays 0: the chain takes the place
// of the tag, protein and z of tagging and capture.
//
// Published (Benna & Fusi 2016; constants as in Lahiri & Ganguli's
// BennaFusi.m, as for [BennaFusi]): the chain, its bidirectional coupling
// between neighbours and the leak of the last variable, and, for a unit
// charge into u_1, the response u_1(t) ≈ 1.34·(t/T)^{−1/2} for
// 10 ≲ t/T ≲ 2^{2m+3}. This project's spiking translation: the charge
// flowing into u_1 is the early weight's deviation from rest, at the rate
// feed per time unit (the early phase is a vessel upstream of the chain
// whose level is set by the calcium rule; the coupling is one-way, so h
// is exactly the calcium rule's), and the chain adds h0·u_1 to the
// transmitted weight as z does in tagging and capture. An early change
// that lasts a time τ_e thus stores a charge feed·(h − h0)/h0·τ_e/T,
// which the chain keeps with its power-law decay after h has returned to
// h0 (TestLT2021BFFeed).
//
// Integration: exact along the mean path of h, in the chain's
// eigen-coordinates z_i (see [BennaFusi]: dz_i/dt = −κ_i z_i + b_i·I(t)).
// Within a piece of constant regime (h − h0)/h0 = e + d·e^{−r t}, so
//
//	z_i(Δ) = z_i e^{−κ_iΔ} + b_i·(feed/T)·[e (1 − e^{−κ_iΔ})/κ_i + d (e^{−rΔ} − e^{−κ_iΔ})/(κ_i − r)]
//
// (κ_i per ms). The noise of h enters the chain only through later pieces
// (the feed over a piece follows the mean path). A quiet synapse is read
// and transmitted in closed form; a visit costs O(m).
//
//	key            default  unit  meaning
//	bf_variables   8        1     m, number of chain variables, in [1, 32]
//	bf_ratio       2        1     r: C_k = r^{k−1}, g_{k,k+1} = g12·r^{−(k−1)}; >= 1
//	bf_g12         0.125    1     g_{12} [1/time unit]
//	bf_time_unit   1 s      ms    the chain's time unit T
//	bf_feed        0.01     1     feed: charge into u_1 per time unit per h0 of early deviation
//
// The chain's constants are those of [BennaFusi] (Benna & Fusi 2016), with
// 8 variables, whose slowest timescale, about 2^{19} T ≈ 6 days, is
// beyond any protocol here (12 give the same u_1 to 0.2 % over the first
// day). feed is this project's choice: an early change of 0.7 h0 decaying
// with the early phase's τ_h/0.1 ≈ 1.9 h (an assembly's learned synapses)
// gives u_1 ≈ 0.23 after 3 min, peaks at ≈ 0.83 after 2 h and keeps ≈ 0.45
// after 8 h and ≈ 0.23 after a day (z of tagging and capture reaches
// ≈ 0.77 in 8 h). Vars: those of the model and
// "u1" … "um" (read-only). Tests: TestLT2021BFFeed,
// TestLT2021LateStateResume, TestLT2021LateFastForward.
type LT2021BennaFusi struct {
	BFVariables int     `toml:"bf_variables"`
	BFRatio     float64 `toml:"bf_ratio"`
	BFG12       float64 `toml:"bf_g12"`
	BFTimeUnit  float64 `toml:"bf_time_unit" unit:"ms"`
	BFFeed      float64 `toml:"bf_feed"`
}

func defaultLT2021BennaFusi() LT2021BennaFusi {
	return LT2021BennaFusi{BFVariables: 8, BFRatio: 2, BFG12: 0.125, BFTimeUnit: 1000, BFFeed: 0.01}
}

func (p *LT2021BennaFusi) validate(c *snnsim.ParamCheck) {
	c.IntIn("bf_variables", p.BFVariables, 1, maxBFVariables)
	c.Finite("bf_ratio", p.BFRatio)
	if !(p.BFRatio >= 1) {
		c.Fail("bf_ratio", p.BFRatio, "must be >= 1")
	} else if span := math.Pow(p.BFRatio, 2*float64(p.BFVariables-1)); c.OK() && !(span <= maxBFSpan) {
		c.Failf("bf_variables", p.BFVariables, "with bf_ratio = %g the timescales span bf_ratio^(2(bf_variables-1)) = %.3g: must be <= %g (use fewer variables or a smaller ratio)", p.BFRatio, span, maxBFSpan)
	}
	c.Positive("bf_g12", p.BFG12)
	c.Positive("bf_time_unit", p.BFTimeUnit)
	c.NonNegative("bf_feed", p.BFFeed)
}

// chainParams returns the chain's constants as [BennaFusiParams].
func (p *LT2021BennaFusi) chainParams() BennaFusiParams {
	return BennaFusiParams{Variables: p.BFVariables, Ratio: p.BFRatio, G12: p.BFG12, TimeUnit: p.BFTimeUnit,
		Delta: 1, Charge: chargeSign, Base: 0}
}

// bfPiece advances the eigen-coordinates z over dur ms with the input
// feed·(e + d·e^{−rate·t}) (e, d in units of h0): per mode one
// exponential and one or two expm1 (the convolution as in expConv).
func (m *lt21) bfPiece(z []float64, d, e, rate, dur float64) {
	L := &m.late
	b := L.ch.b[:len(z)]
	k := L.bfK[:len(z)]
	er := math.Exp(-rate * dur)
	for i := range z {
		ek := math.Exp(-k[i] * dur)
		in := 0.0
		if e != 0 {
			in = e * -math.Expm1(-k[i]*dur) / k[i]
		}
		if d != 0 {
			var conv float64
			switch y := k[i] - rate; {
			case y == 0:
				conv = dur * er
			case y > 0:
				conv = er * -math.Expm1(-y*dur) / y
			default:
				conv = ek * math.Expm1(y*dur) / y
			}
			in += d * conv
		}
		z[i] = z[i]*ek + b[i]*L.bfF*in
	}
}

// bfU1 returns u_1 = b·z.
func (m *lt21) bfU1(z []float64) float64 {
	u := 0.0
	for i, b := range m.late.ch.b[:len(z)] {
		u += b * z[i]
	}
	return u
}

// bfU returns u_{k+1} from the eigen-coordinates z.
func (m *lt21) bfU(z []float64, k int) float64 {
	M := m.late.bfM
	row := m.late.ch.read[k*M : k*M+M]
	u := 0.0
	for i, r := range row {
		u += r * z[i]
	}
	return u
}
