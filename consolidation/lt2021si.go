package consolidation

import (
	"math"

	"github.com/snnsim/snnsim"
)

// LT2021Importance is the late phase late = "importance" of
// luboeinski_tetzlaff_2021: an importance-weighted synapse after synaptic
// intelligence (Zenke, Poole & Ganguli 2017, "Continual learning through
// synaptic intelligence", ICML) and elastic weight consolidation
// (Kirkpatrick et al. 2017, PNAS 114:3521), driven by the calcium early
// phase of Luboeinski & Tetzlaff (2021).
//
// Every synapse has a weight x (its deviation from h0, in units of h0;
// initially 0), an anchor x* (initially 0), a path integral ω of the
// current task and an importance Ω summed over the tasks before it (both
// initially 0). With h the early weight, a the coefficient of h's linear
// equation in the present regime (τ_h dh/dt = −a (h − ĥ) + noise,
// a = 0.1 + γ_p Θ(c − θ_p) + γ_d Θ(c − θ_d), ĥ its fixed point):
//
//	dx/dt = (dh/dt)/h0 − (2c·Ω/τ)·(x − x*)
//	dω    = (τ_h/h0²)·(dh/dt)²·dt  while calcium drives h (c >= min(θ_p, θ_d))
//	task boundary:  Ω ← Ω + max(ω, 0)/((x − x*)² + ξ);  ω ← 0;  x* ← x
//	transmitted weight w = min(h0·max(1 + x, 0), h_max)   [mV]
//
// h, c, the noise and the thresholds are those of the model; no protein
// is made (alpha is taken as 0) and z stays 0.
//
// Published (Zenke et al. 2017; Kirkpatrick et al. 2017 for the penalty):
// the per-parameter path integral ω = −∫ g·θ' dt of the loss gradient g
// along the parameter's trajectory, its consolidation Ω ← Ω + ω/(Δ² + ξ)
// at the end of a task, Δ the parameter's change over the task, the
// anchor at the task's final value, and the quadratic surrogate penalty
// c·Σ Ω (θ − θ*)², whose gradient 2cΩ(θ − θ*) pulls each parameter back to
// its anchor. This project's spiking translation: the parameter is the
// synapse's weight x, moved by the calcium rule's changes of h; the local
// learning signal is the rule's own drive. Within a regime the rule is a
// gradient flow, τ_h dh/dt = −∂U/∂h with U = (a/2)(h − ĥ)², so the path
// integral of SI with the rule's rate 1/τ_h is τ_h∫(dh/dt)² dt = the drop
// of U along the path: ω gains (a/2)[(h_start − ĥ)² − (h_end − ĥ)²]/h0² per
// piece of constant regime (exact, and the same however the piece is cut;
// with noise the sampled end of h counts). Only calcium-driven pieces count:
// the slow relaxation of h towards h0 is forgetting, not learning. The
// penalty acts as a gradient flow with time constant τ (only c/τ enters;
// c keeps the papers' name), so x relaxes towards x* at the rate
// K = 2cΩ/τ while following the early phase's changes: an important
// synapse keeps its anchored weight when h decays or when a later task
// moves h, an unimportant one follows h.
//
// Task boundaries are the changes of the level "task" (see [Leveled]):
// every change of its value (initially 0) consolidates every synapse at
// that tick. A scenario's [sequence] table makes them itself, one at the
// end of each assembly's learning (go doc ./scenario, Sequences).
//
// Integration: exact along the mean path of h. Within a piece of constant
// regime h(t) = ĥ + (h_a − ĥ) e^{−r t} (r = a/τ_h), so with v = x − x*
//
//	v(Δ) = v(0) e^{−KΔ} − r (h_a − ĥ)/h0 · (e^{−rΔ} − e^{−KΔ})/(K − r)
//
// and the noise sample of the piece enters x at its end. A quiet synapse
// (no calcium) is read and transmitted in closed form and costs nothing.
//
//	key      default  unit   meaning
//	si_c     0.1      1      penalty strength c, >= 0 (0: x follows h, the plain early phase)
//	si_tau   1 h      ms     gradient-flow time constant τ of the penalty, > 0
//	si_xi    0.1      h0²    damping ξ of the consolidation, > 0
//
// c = 0.1 is of the order of the value of Zenke et al. (2017) for
// permuted MNIST; τ and ξ are this project's choices. ξ caps the
// importance of a synapse whose path was long but whose net change was
// small (a background synapse moved only by noise) at ω/ξ; the paper's
// ξ = 10⁻³ is for the parameters of deep networks, while here a learned
// change is of order h0 (ξ = 0.1 h0² is a change of 0.3 h0). An assembly's
// synapse potentiated from h0 to 1.7 h0 in the potentiation regime gains
// at least ω = (a/2)[(h0 − 2h0)² − (1.7h0 − 2h0)²]/h0² ≈ 890 (a = 1958.8),
// so Ω ≈ 1500 and, with τ = 1 h, it returns to its anchor with a time
// constant of about 12 s. Vars: those of the model and
// "x", "x_anchor", "omega" (ω), "importance" (Ω). Tests:
// TestLT2021SIRelaxation, TestLT2021SIPathIntegral,
// TestLT2021LateStateResume, TestLT2021LateFastForward.
type LT2021Importance struct {
	SIC   float64 `toml:"si_c"`             // penalty strength c [1]
	SITau float64 `toml:"si_tau" unit:"ms"` // gradient-flow time constant τ [ms]
	SIXi  float64 `toml:"si_xi"`            // damping ξ [h0²]
}

func defaultLT2021Importance() LT2021Importance {
	return LT2021Importance{SIC: 0.1, SITau: 3.6e6, SIXi: 0.1}
}

func (p *LT2021Importance) validate(c *snnsim.ParamCheck) {
	c.NonNegative("si_c", p.SIC)
	c.Positive("si_tau", p.SITau)
	c.Positive("si_xi", p.SIXi)
}

// siPiece advances x and ω of synapse s over one piece (see latePiece).
func (m *lt21) siPiece(s int64, ls lateState, ha, hb, hm, hs, rate, ra, dur float64, active bool) lateState {
	L, h0 := &m.late, m.p.H0
	v := ls.x - L.xa[s]
	k := L.kSI * L.big[s]
	v = v*math.Exp(-k*dur) - rate*(ha-hs)/h0*expConv(k, rate, dur)
	ls.x = L.xa[s] + v + (hb-hm)/h0
	if active {
		da, db := (ha-hs)/h0, (hb-hs)/h0
		ls.om += ra / 2 * (da*da - db*db)
	}
	return ls
}

// siConsolidate ends a task at tick t: every synapse is brought to t and
// consolidated, Ω ← Ω + max(ω, 0)/((x − x*)² + ξ), ω ← 0, x* ← x.
func (m *lt21) siConsolidate(t snnsim.Time) {
	L := &m.late
	for s := range int64(m.n) {
		m.advance(s, t)
		d := L.x[s] - L.xa[s]
		L.big[s] += math.Max(L.om[s], 0) / (d*d + m.p.SIXi)
		L.om[s] = 0
		L.xa[s] = L.x[s]
		m.deliver(s)
	}
	for j := range m.pA {
		m.check(int32(j), t)
	}
}
