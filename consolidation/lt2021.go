package consolidation

import (
	"fmt"
	"math"
	"slices"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
)

const modelLT2021 = "luboeinski_tetzlaff_2021"

// LT2021Params are the parameters of the synaptic tagging-and-capture
// synapse of Luboeinski & Tetzlaff (2021), "Memory consolidation and
// improvement by synaptic tagging and capture in recurrent neural
// networks", Commun. Biol. 4:275 (Methods, "Synaptic model"; the values are
// those of the authors' stand-alone simulator, which the paper's figures
// were made with). Its early phase is the calcium rule of Graupner &
// Brunel (2012), PNAS 109:3991, with the protein and late phase of Li et
// al. (2016), PLoS ONE 11:e0161679.
//
// Every synapse s = (i → j) has a calcium amount c, an early-phase weight h
// [mV] and a late-phase weight z; every target neuron j has a protein
// amount p. With Θ the Heaviside step:
//
//	c: jumps by c_pre at t_i + ca_delay (t_i: spike of the presynaptic neuron)
//	   and by c_post at t_j (spike of the target, no delay);  τ_c dc/dt = −c
//	τ_h dh/dt = 0.1 (h0 − h) + γ_p (h_max − h) Θ(c − θ_p) − γ_d h Θ(c − θ_d) + ξ
//	ξ = √(τ_h [Θ(c − θ_p) + Θ(c − θ_d)]) · σ_pl · Γ(t)       (Γ: unit white noise)
//	τ_p dp_j/dt = −p_j + α Θ(Σ_i |h_ij − h0| − θ_pro)
//	tags:  LTP while h − h0 > θ_tag,  LTD while h0 − h > θ_tag
//	τ_z dz/dt = p_j [(z_max − z) Θ(h − h0 − θ_tag) − (z − z_min) Θ(h0 − h − θ_tag)]
//	transmitted weight w = h + h0 z;  delivered Unit[s] · (h + h0 z)/h0
//
// So a synapse transmits its compiled weight Unit[s] at h = h0, z = 0: give
// the projection the weight of h0 in the target's unit (4.20075 mV as a
// PSP amplitude, or h0/R = 420.075 pA for the authors' R = 10 MΩ). The
// initial state is h = h0, c = z = p = 0.
//
//	key        network default      unit  meaning
//	h0         5·γ_p/(γ_p+γ_d)=4.20075 mV  resting early weight
//	h_max      10                   mV    potentiation target of h
//	tau_h      688.4 s              ms    early-phase time constant
//	gamma_p    1645.6               1     potentiation rate
//	gamma_d    313.1                1     depression rate
//	theta_p    3.0                  1     potentiation threshold of c
//	theta_d    1.2                  1     depression threshold of c
//	tau_c      48.8                 ms    calcium time constant
//	c_pre      0.6                  1     presynaptic calcium jump (single synapse: 1.0)
//	c_post     0.16548              1     postsynaptic calcium jump (single synapse: 0.2758)
//	ca_delay   18.8                 ms    presynaptic spike to its calcium jump
//	delay      3                    ms    the projection's transmission delay (see below)
//	sigma_pl   2.90436              mV    early-phase noise amplitude (0: deterministic)
//	theta_pro  0.5 h0 = 2.10037     mV    protein-synthesis threshold on Σ|h − h0|
//	tau_p      1 h                  ms    protein time constant
//	alpha      1                    1     protein synthesis amount
//	theta_tag  0.2 h0 = 0.840149    mV    tagging threshold on |h − h0|
//	tau_z      1 h                  ms    late-phase time constant
//	z_max      1                    1     upper bound of z
//	z_min      −0.5                 1     lower bound of z
//	switching  "exact"              –     "exact" or "grid" (see below)
//	late       "stc"                –     the late phase (see Late phases)
//
// [DefaultLT2021] gives the network values (c_pre 0.6, c_post 0.16548,
// used by every network simulation of the authors); [LT2021SingleSynapse]
// the single-synapse values of Graupner & Brunel (2012) (c_pre 1.0, c_post
// 0.2758) that the authors use for one synapse between two neurons.
//
// The engine reports a presynaptic spike when it arrives at the synapse,
// delay after its emission; the calcium jump is due ca_delay − delay after
// that, so delay must be the projection's transmission delay (a scenario
// whose projection has another delay is refused, see [ArrivalTimed]) and
// at most ca_delay.
//
// # Late phases
//
// The key late selects what the early phase's changes drive, on the same
// calcium early phase (c, h, its noise and thresholds unchanged), so that
// consolidation models can be compared on one network with one key
// (--set projection.E_to_E.consolidation.late=...):
//
//	late           what the synapse transmits        state besides h, c       parameters
//	"stc"          h + h0 z (tagging and capture)    z; protein per neuron    alpha, theta_pro, tau_p, theta_tag, tau_z, z_*
//	"none"         h (the early phase alone)         –                        –
//	"metaplastic"  h0 (1 + W_h) in [0, h_max]        W_h                      meta_m ([LT2021Metaplastic])
//	"importance"   h0 (1 + x) in [0, h_max]          x, x*, ω, Ω              si_c, si_tau, si_xi ([LT2021Importance])
//	"benna_fusi"   h + h0 u_1, u_1 a chain fed by h  u_1 … u_m                bf_* ([LT2021BennaFusi])
//
// "none" is the run of "stc" with alpha = 0, bit for bit. The other late
// phases make no protein (alpha is taken as 0, so z stays 0 and the
// protein variables read 0); their equations, parameters, sources and
// which parts are this project's translation are in the docs of their
// parameter types. Each is exact along the mean path of h between the
// model's events (the noise of h enters once per interval), reads and
// transmits quiet synapses in closed form, fast-forwards (its state
// moves with h's relaxation, the chain relaxes, the weight returns to
// its anchor) and checkpoints in a frame of its own
// ("consolidation/luboeinski_tetzlaff_2021/metaplastic", ...). "importance"
// reads the level "task" (its task boundaries, [Leveled]); the others
// read no level.
//
// # Integration
//
// The model is event-driven: a synapse is visited only when its calcium
// jumps, once when its calcium has decayed below both thresholds, and when
// its target's protein synthesis switches; a neuron only when its
// synthesis switches. A jump that keeps a synapse in its regime (the set
// of thresholds exceeded) needs no visit when the synapse is quiet, nor,
// with exact switching, when the jump is postsynaptic: the regime is then
// the same since the last visit, h one linear process over that stretch,
// and the next visit integrates it at once. Between jumps c is an
// exponential, so the times at which it falls below θ_p and θ_d are
// τ_c ln(c/θ) after the jump, and within each interval of constant
// thresholds h is a linear
// Ornstein–Uhlenbeck process, advanced exactly: its mean by the
// exponential propagator and, when noise is on, its variance σ_pl² k/(2a)
// (1 − e^{−2aΔ/τ_h}) (k the number of thresholds exceeded, a = 0.1 + γ_p
// Θ_p + γ_d Θ_d) with one normal deviate per interval from the synapse's
// own stream ([Streams]). The protein is a closed-form exponential between
// switches, and z is integrated in closed form over intervals of constant
// tag with the exact integral of p: (z_max − z) ← (z_max − z) e^{−∫p/τ_z}
// (LTP), (z − z_min) ← (z − z_min) e^{−∫p/τ_z} (LTD). A quiet synapse
// (c below both thresholds) relaxes to h0 with τ_h/0.1, deterministically,
// and costs nothing.
//
// switching = "grid" reproduces the time discretisation of the authors'
// simulator (step dt = the resolution, 0.2 ms there): the thresholds of the
// step ending at tick n are those of c at tick n after its jumps, so a jump
// acts on h from the tick before it and a threshold crossing takes effect
// at the last tick before it. With the same regimes h is then the same
// exact piecewise solution the authors' exponential step computes, and the
// deterministic trace agrees with theirs to rounding.
//
// Remaining approximations (both modes):
//   - Protein trigger: Σ_i |h_ij − h0| is evaluated at the events of the
//     synapses onto j, with each synapse's term taken from its last visit
//     and relaxed at the quiet rate 0.1/τ_h since. That is exact for quiet
//     synapses; a synapse above a threshold moves faster, so an upward
//     crossing of θ_pro is found at the next visit of one of the target's
//     synapses (the presynaptic arrivals at a driven synapse come every few
//     ms, and a synapse is visited again when it turns quiet, at most
//     τ_c ln(c/θ_d) after its last jump), which delays p by at most that
//     time (|Δp| ≤ delay/τ_p). A downward crossing with all synapses quiet is
//     exact up to the tick grid: switches fall on the first tick at or
//     after the analytic time.
//   - Tags while c is above a threshold: h is noisy there; the tag state
//     that drives z is read from the mean path of h within each interval
//     (exact when sigma_pl = 0), so a tag onset is misplaced by the time
//     the noise (s.d. σ_pl/√(2a) ≤ 0.07 mV) shifts the crossing. p is small
//     while synapses are driven, so z barely moves then.
//   - The late phase moves at any p > 0 (the authors' code stops it below
//     1e-11).
//   - In grid mode h, z and p of a synapse lag its calcium by one tick (the
//     step ending at tick t is integrated when c at t is known), so a
//     synthesis switch decided at tick t takes effect at t − 1.
//
// Get returns the state at the model's latest tick; for a synapse above a
// threshold h is the conditional mean given its last visit (its noise
// sample is drawn at its next visit), so recording never changes a run.
// Set accepts the efficacy, h, z (in [z_min, z_max]), c (>= 0) and w
// (with a late phase that keeps a state of its own, the efficacy and w
// are read-only and its own variables are set instead). No plasticity
// rule drives the model (its induction is its calcium).
//
// Per-synapse state: h, z and c as float64 and the ticks of c and h (the
// events compound rounding over millions of updates, and the grid mode
// compares c with the thresholds exactly as the authors' double precision
// does), the stream's draw count, a queue flag and the synapse's term of
// its target's sum (kept so that a visit computes it once): 57 bytes per
// synapse. A calcium jump that needs no visit moves only c.
//
// The model can run with spiking off ([FastForwarder]): the fast-forward
// consolidation of the authors' simulator, here in closed form (see
// StopSpiking and lt2021ff.go; TestLT2021FastForwardClosedForm,
// TestLT2021FastForwardFiftySecondScheme).
//
// Tests: TestLT2021BasicEarlyDeterministic (the authors' deterministic
// trace), TestLT2021GridMatchesEuler (their 0.2-ms scheme, to 1e-9),
// TestLT2021ExactConverges, TestLT2021NoiseDistribution (mean and variance
// over 4000 synapses), TestLT2021BasicLate (their 8-h run), TestLT2021Protein,
// TestLT2021SplitInvariance, TestLT2021LongGap, TestStateResume; through
// the engine and the scenarios lt2021_basic_early.toml and
// lt2021_basic_late.toml: TestLT2021BasicEarlyScenario and
// TestLT2021BasicLateScenario (package engine).
type LT2021Params struct {
	H0        float64 `toml:"h0" unit:"mV"`        // resting early weight h0 [mV]
	HMax      float64 `toml:"h_max" unit:"mV"`     // potentiation target of h [mV]
	TauH      float64 `toml:"tau_h" unit:"ms"`     // early-phase time constant τ_h [ms]
	GammaP    float64 `toml:"gamma_p"`             // potentiation rate γ_p [1]
	GammaD    float64 `toml:"gamma_d"`             // depression rate γ_d [1]
	ThetaP    float64 `toml:"theta_p"`             // potentiation threshold θ_p [1]
	ThetaD    float64 `toml:"theta_d"`             // depression threshold θ_d [1]
	TauC      float64 `toml:"tau_c" unit:"ms"`     // calcium time constant τ_c [ms]
	CPre      float64 `toml:"c_pre"`               // presynaptic calcium jump [1]
	CPost     float64 `toml:"c_post"`              // postsynaptic calcium jump [1]
	CaDelay   float64 `toml:"ca_delay" unit:"ms"`  // presynaptic spike to calcium jump [ms]
	Delay     float64 `toml:"delay" unit:"ms"`     // the projection's transmission delay [ms]
	SigmaPl   float64 `toml:"sigma_pl" unit:"mV"`  // noise amplitude σ_pl [mV]
	ThetaPro  float64 `toml:"theta_pro" unit:"mV"` // protein-synthesis threshold θ_pro [mV]
	TauP      float64 `toml:"tau_p" unit:"ms"`     // protein time constant τ_p [ms]
	Alpha     float64 `toml:"alpha"`               // protein synthesis amount α [1]
	ThetaTag  float64 `toml:"theta_tag" unit:"mV"` // tagging threshold θ_tag [mV]
	TauZ      float64 `toml:"tau_z" unit:"ms"`     // late-phase time constant τ_z [ms]
	ZMax      float64 `toml:"z_max"`               // upper bound of z [1]
	ZMin      float64 `toml:"z_min"`               // lower bound of z [1]
	Switching string  `toml:"switching"`           // "exact" or "grid"

	// Late selects what the early phase's changes drive (see
	// [LT2021Params], "Late phases"): "stc" (the default), "none",
	// "metaplastic", "importance" or "benna_fusi".
	Late string `toml:"late"`
	LT2021Metaplastic
	LT2021Importance
	LT2021BennaFusi
}

// lt21Leak is the coefficient of the relaxation of h to h0 (0.1 in
// Luboeinski & Tetzlaff 2021 and Li et al. 2016).
const lt21Leak = 0.1

// DefaultLT2021 returns the network parameters of [LT2021Params].
func DefaultLT2021() LT2021Params {
	const gp, gd = 1645.6, 313.1
	h0 := 5 * gp / (gp + gd)
	return LT2021Params{
		H0: h0, HMax: 10, TauH: 688.4e3, GammaP: gp, GammaD: gd,
		ThetaP: 3, ThetaD: 1.2, TauC: 48.8, CPre: 0.6, CPost: 0.16548,
		CaDelay: 18.8, Delay: 3, SigmaPl: 2.90436,
		ThetaPro: 0.5 * h0, TauP: 3.6e6, Alpha: 1, ThetaTag: 0.2 * h0, TauZ: 3.6e6,
		ZMax: 1, ZMin: -0.5, Switching: "exact",
		Late:              LateSTC,
		LT2021Metaplastic: defaultLT2021Metaplastic(),
		LT2021Importance:  defaultLT2021Importance(),
		LT2021BennaFusi:   defaultLT2021BennaFusi(),
	}
}

// LT2021SingleSynapse returns the single-synapse parameters: the network
// values with the calcium jumps of Graupner & Brunel (2012), c_pre = 1.0
// and c_post = 0.2758.
func LT2021SingleSynapse() LT2021Params {
	p := DefaultLT2021()
	p.CPre, p.CPost = 1.0, 0.2758
	return p
}

// ArrivalTimed is implemented by the parameters of a model that times an
// effect of a presynaptic spike from its emission while Pre reports the
// spike at its arrival: the model assumes that its projections delay
// every spike by TransmissionDelay [ms], and a scenario decoder checks
// that they do.
type ArrivalTimed interface {
	TransmissionDelay() float64
}

// TransmissionDelay returns the parameter delay [ms]: the calcium jump of
// a spike comes ca_delay − delay after its arrival.
func (p *LT2021Params) TransmissionDelay() float64 { return p.Delay }

// Continuous is implemented by models whose variables change between
// their events and that have no event to mark the change (an early weight
// relaxing to rest, a protein decaying): a recorder calls Advance with the
// sampled tick before it reads them, which does no work that was not due.
type Continuous interface {
	Model
	// ContinuousState marks the model; it does nothing.
	ContinuousState()
}

// ContinuousState marks the model as [Continuous].
func (m *lt21) ContinuousState() {}

// Model returns "luboeinski_tetzlaff_2021".
func (*LT2021Params) Model() string { return modelLT2021 }

// Modulators returns nil, or ["task"] with late = "importance" (its task
// boundaries).
func (p *LT2021Params) Modulators() []string {
	if p.Late == LateImportance {
		return []string{levelTask}
	}
	return nil
}

// Vars returns the per-synapse variables: those of lt21Vars, then the
// late phase's own (see [LT2021Params], "Late phases").
func (p *LT2021Params) Vars() []string { return lateVars(p) }

var lt21Vars = []string{"efficacy", "h", "z", "c", "w"}

// Validate checks the parameters.
func (p *LT2021Params) Validate() error {
	c := checkParams(modelLT2021, p)
	c.Positive("h0", p.H0)
	c.Finite("h_max", p.HMax)
	c.Positive("tau_h", p.TauH)
	c.NonNegative("gamma_p", p.GammaP)
	c.NonNegative("gamma_d", p.GammaD)
	c.Positive("theta_p", p.ThetaP)
	c.Positive("theta_d", p.ThetaD)
	c.Positive("tau_c", p.TauC)
	c.NonNegative("c_pre", p.CPre)
	c.NonNegative("c_post", p.CPost)
	c.NonNegative("ca_delay", p.CaDelay)
	c.NonNegative("delay", p.Delay)
	c.AtMost("delay", p.Delay, "ca_delay", p.CaDelay)
	c.NonNegative("sigma_pl", p.SigmaPl)
	c.Positive("theta_pro", p.ThetaPro)
	c.Positive("tau_p", p.TauP)
	c.NonNegative("alpha", p.Alpha)
	c.NonNegative("theta_tag", p.ThetaTag)
	c.Positive("tau_z", p.TauZ)
	c.NonNegative("z_max", p.ZMax)
	c.Finite("z_min", p.ZMin)
	if c.OK() && !(p.ZMin <= 0) {
		c.Fail("z_min", p.ZMin, "must be <= 0")
	}
	c.OneOf("switching", p.Switching, "exact", "grid")
	c.OneOf("late", p.Late, lateNames...)
	p.LT2021Metaplastic.validate(c)
	p.LT2021Importance.validate(c)
	p.LT2021BennaFusi.validate(c)
	return c.Err()
}

func init() {
	models.Register(modelLT2021, func() Params { p := DefaultLT2021(); return &p })
}

func (p *LT2021Params) build(l Layout) (Model, error) { return newLT21(*p, l) }

// The interfaces the model implements besides Model: no plasticity rule
// drives it (its induction is its calcium) and it reads no level.
var _ interface {
	Inspector
	NeuronInspector
	Stater
	Continuous
} = (*lt21)(nil)

// lt21 is the luboeinski_tetzlaff_2021 model bound to a layout.
type lt21 struct {
	p      LT2021Params
	n      int
	dt     float64 // resolution [ms]
	lag    snnsim.Time
	caWait snnsim.Time // ticks from a spike's arrival to its calcium jump
	target []int32
	unit   []float32
	in     targetIndex

	// derived constants
	decayQ  float64 // 0.1/τ_h [1/ms]: relaxation rate of a quiet synapse
	thLow   float64 // min(θ_p, θ_d): below it a synapse is quiet
	tagHi   float64 // h0 + θ_tag
	tagLo   float64 // h0 − θ_tag
	tagAbs  float64 // |h0 + θ_tag| + |h0 − θ_tag|, the scale of zPiece's margin
	hasNois bool
	caDec   []float64 // e^{−k dt/τ_c} for k = 0, 1, …: calcium decay over k ticks

	// per synapse
	h, z, c []float64
	tc      []snnsim.Time // tick of c
	th      []snnsim.Time // tick of h and z: tc − lag, or earlier while c has stayed in one regime since (see jump)
	queued  []bool        // a refresh entry of the synapse is in rq
	touched float64       // touch's sum, kept so that its loads stay
	tm      []float64     // term(s, target): the synapse's part of its target's sumA, kept with h, th and sumT
	st      Streams

	// per target neuron
	pA    []float64 // protein at time pT (ms, h-time)
	pT    []float64
	on    []bool    // synthesis on since pT
	sumA  []float64 // Σ̃ scaled: Σ̃(t) = sumA e^{−decayQ (t − sumT)}, the sum of its synapses' tm
	sumT  []float64 // [ms]
	offAt []snnsim.Time
	nq    []snnsim.Time // tick of the live entry of j in pq, or Never

	nPre       int
	seed, topo uint64
	// the targets a pass over every synapse or target visits (SetPart)
	partLo, partHi int32

	pending caQueue  // presynaptic calcium jumps not yet due
	rq      tickHeap // synapse refresh events (quiet entry)
	pq      tickHeap // protein switch-off events
	now     snnsim.Time
	out     []float32

	late lateModel // the state of a late phase other than "stc"
}

// caEntry is a pending presynaptic calcium jump of synapses lo..hi-1.
type caEntry struct {
	due    snnsim.Time
	lo, hi int64
}

// caQueue is a FIFO of pending jumps; entries are pushed in due order
// because every arrival waits the same number of ticks.
type caQueue struct {
	q    []caEntry
	head int
}

func (f *caQueue) push(e caEntry) {
	if f.head > 0 && 2*f.head >= len(f.q) {
		// the popped half is dropped, so that a queue that never empties
		// (a neuron firing for hours) stays as long as its live entries
		n := copy(f.q, f.q[f.head:])
		f.q, f.head = f.q[:n], 0
	}
	f.q = append(f.q, e)
}

func (f *caQueue) next() snnsim.Time {
	if f.head == len(f.q) {
		return snnsim.Never
	}
	return f.q[f.head].due
}

func (f *caQueue) pop() caEntry {
	e := f.q[f.head]
	f.head++
	return e
}

// tickEntry is an event of index i at tick t.
type tickEntry struct {
	t snnsim.Time
	i int64
}

// tickHeap is a binary min-heap of events ordered by tick, then index (so
// that events of one tick are processed in a fixed order).
type tickHeap []tickEntry

func (h tickHeap) less(a, b int) bool {
	return h[a].t < h[b].t || (h[a].t == h[b].t && h[a].i < h[b].i)
}

func (h *tickHeap) push(e tickEntry) {
	*h = append(*h, e)
	q := *h
	k := len(q) - 1
	for k > 0 {
		up := (k - 1) / 2
		if !q.less(k, up) {
			break
		}
		q[k], q[up] = q[up], q[k]
		k = up
	}
}

func (h tickHeap) top() snnsim.Time {
	if len(h) == 0 {
		return snnsim.Never
	}
	return h[0].t
}

func (h *tickHeap) pop() tickEntry {
	q := *h
	e := q[0]
	last := len(q) - 1
	q[0] = q[last]
	q = q[:last]
	k := 0
	for {
		l := 2*k + 1
		if l >= len(q) {
			break
		}
		m := l
		if r := l + 1; r < len(q) && q.less(r, l) {
			m = r
		}
		if !q.less(m, k) {
			break
		}
		q[k], q[m] = q[m], q[k]
		k = m
	}
	*h = q
	return e
}

func newLT21(p LT2021Params, l Layout) (*lt21, error) {
	dt := l.Clock.DT
	wait, err := l.Clock.Ticks(p.CaDelay - p.Delay)
	if err != nil {
		return nil, fmt.Errorf("consolidation: %s: ca_delay − delay = %g ms: %v", modelLT2021, p.CaDelay-p.Delay, err)
	}
	n := len(l.Target)
	m := &lt21{
		p: p, n: n, dt: dt, caWait: wait, target: l.Target, unit: l.Unit,
		in:   newTargetIndex(&l),
		nPre: l.NPre, seed: l.Seed, topo: layoutHash(&l), partHi: int32(l.NPost),
		decayQ:  lt21Leak / p.TauH,
		thLow:   math.Min(p.ThetaP, p.ThetaD),
		tagHi:   p.H0 + p.ThetaTag,
		tagLo:   p.H0 - p.ThetaTag,
		tagAbs:  math.Abs(p.H0+p.ThetaTag) + math.Abs(p.H0-p.ThetaTag),
		hasNois: p.SigmaPl > 0,
		h:       make([]float64, n),
		z:       make([]float64, n),
		c:       make([]float64, n),
		tc:      make([]snnsim.Time, n),
		th:      make([]snnsim.Time, n),
		queued:  make([]bool, n),
		tm:      make([]float64, n), // h = h0: every term is 0
		st:      NewStreams(l.Seed, n),
		pA:      make([]float64, l.NPost),
		pT:      make([]float64, l.NPost),
		on:      make([]bool, l.NPost),
		sumA:    make([]float64, l.NPost),
		sumT:    make([]float64, l.NPost),
		offAt:   make([]snnsim.Time, l.NPost),
		nq:      make([]snnsim.Time, l.NPost),
	}
	if p.Switching == "grid" {
		m.lag = 1
	}
	m.caDec = make([]float64, lt21CaTable)
	for k := range m.caDec {
		m.caDec[k] = math.Exp(-float64(k) * dt / p.TauC)
	}
	for s := range m.h {
		m.h[s], m.th[s] = p.H0, -m.lag
	}
	for j := range m.nq {
		m.nq[j], m.offAt[j] = snnsim.Never, snnsim.Never
	}
	if err := m.initLate(); err != nil {
		return nil, err
	}
	return m, nil
}

// lt21CaTable is the number of tick counts whose calcium decay is
// tabulated: the gaps between the jumps of a synapse, up to about 34 τ_c
// at the step of the authors (0.2 ms), which covers most gaps of a synapse
// in background activity of about 1 Hz; longer ones call math.Exp.
const lt21CaTable = 8192

// caDecay returns e^{−k dt/τ_c}, the decay of calcium over k >= 0 ticks,
// the same number math.Exp gives.
func (m *lt21) caDecay(k snnsim.Time) float64 {
	if uint64(k) < uint64(len(m.caDec)) {
		return m.caDec[k]
	}
	return math.Exp(-float64(k) * m.dt / m.p.TauC)
}

// hTime returns the time [ms] of synapse s's h and z.
func (m *lt21) hTime(s int64) float64 { return float64(m.th[s]) * m.dt }

// crossing returns the time [ms] until which c (c0 at time t0 [ms])
// stays at or above θ: t0 + τ_c ln(c0/θ), floored to the tick grid in grid
// mode; −Inf if c0 < θ.
func (m *lt21) crossing(c0, t0, theta float64) float64 {
	if !(c0 >= theta) {
		return math.Inf(-1)
	}
	off := m.p.TauC * math.Log(c0/theta)
	if m.lag != 0 {
		return t0 + math.Floor(off/m.dt+1e-12)*m.dt
	}
	return t0 + off
}

// upTo returns crossing(c0, t0, θ), or +Inf when the calcium cb at the end
// of the interval is above θ by a relative margin: then the crossing lies
// beyond the interval, which evolve treats the same as +Inf, and its
// logarithm is not needed. The margin, 1e-9, is far above the rounding of
// cb and of the logarithm (about 1e-16), so both ways agree to the bit.
func (m *lt21) upTo(c0, t0, cb, theta float64) float64 {
	if cb > theta*(1+1e-9) {
		return math.Inf(1)
	}
	return m.crossing(c0, t0, theta)
}

// synState is the evolving state of one synapse.
type synState struct {
	h, z float64
	ls   lateState // a late phase's state (see lt2021late.go)
}

// evolve advances h and z of synapse s from time a [ms] to b [ms] with
// calcium c0 at time t0 and no jump in between, through the intervals of
// constant thresholds. draw says whether to sample the noise (from s's
// stream) or to return the conditional mean. cb is the calcium at b when
// the caller knows it (exact switching), else 0.
func (m *lt21) evolve(s int64, st synState, c0, t0, a, b, cb float64, draw bool) synState {
	if !(b > a) {
		return st
	}
	tp := m.upTo(c0, t0, cb, m.p.ThetaP)
	td := m.upTo(c0, t0, cb, m.p.ThetaD)
	lo, hi := tp, td
	if lo > hi {
		lo, hi = hi, lo
	}
	j := m.target[s]
	cur := a
	for _, edge := range [3]float64{lo, hi, b} {
		if edge <= cur {
			continue
		}
		end := math.Min(edge, b)
		mid := 0.5 * (cur + end)
		st = m.piece(s, j, st, cur, end, mid <= tp, mid <= td, draw)
		cur = end
		if cur >= b {
			break
		}
	}
	return st
}

// piece advances h and z over [a, b] ms with the potentiation (P) and
// depression (D) terms on or off.
func (m *lt21) piece(s int64, j int32, st synState, a, b float64, P, D bool, draw bool) synState {
	p := &m.p
	ra, rb, k := lt21Leak, lt21Leak*p.H0, 0.0
	if P {
		ra += p.GammaP
		rb += p.GammaP * p.HMax
		k++
	}
	if D {
		ra += p.GammaD
		k++
	}
	hs := rb / ra
	rate := ra / p.TauH
	dur := b - a
	e := math.Exp(-rate * dur)
	h := hs + (st.h-hs)*e
	st.z = m.zPiece(j, st, hs, h, rate, a, b)
	hm := h
	if k > 0 && m.hasNois && draw {
		v := p.SigmaPl * p.SigmaPl * k / (2 * ra) * -math.Expm1(-2*rate*dur)
		h += math.Sqrt(v) * m.st.Norm(s)
	}
	if m.late.kind.variant() {
		st.ls = m.latePiece(s, st.ls, st.h, h, hm, hs, rate, ra, dur, k > 0)
	}
	st.h = h
	return st
}

// zPiece integrates z over [a, b] ms along the mean path of h from st.h
// towards hs with the given rate, splitting at the tag thresholds; hb is
// the mean of h at b.
//
// The path is monotone, so where its ends lie on the same side of both tag
// levels by a margin (1e-9 of the magnitudes, far above the rounding of
// the path's values), no crossing falls inside the interval and the tag is
// that of the ends: the logarithm of the crossing time and the value at
// the midpoint, which would say the same, are skipped.
func (m *lt21) zPiece(j int32, st synState, hs, hb, rate, a, b float64) float64 {
	z := st.z
	if !m.on[j] && m.pA[j] == 0 {
		return z
	}
	h0 := st.h
	dur := b - a
	eps := 1e-9 * (math.Abs(h0) + math.Abs(hs) + m.tagAbs)
	// crossing times of the tag levels along h0 → hs, within (0, dur)
	var cuts [2]float64
	nc := 0
	for _, lvl := range [2]float64{m.tagHi, m.tagLo} {
		if (h0-lvl)*(hs-lvl) < 0 { // the path crosses lvl at some time
			if (h0 > lvl && hb > lvl+eps) || (h0 < lvl && hb < lvl-eps) {
				continue // after b
			}
			x := math.Log((h0-hs)/(lvl-hs)) / rate
			if x > 0 && x < dur {
				cuts[nc] = x
				nc++
			}
		}
	}
	if nc == 2 && cuts[1] < cuts[0] {
		cuts[0], cuts[1] = cuts[1], cuts[0]
	}
	if nc == 0 {
		lo, hi := min(h0, hb), max(h0, hb)
		switch {
		case lo > m.tagLo+eps && hi < m.tagHi-eps:
			return z // untagged throughout
		case lo > m.tagHi+eps:
			return m.zTagged(j, z, true, a, a+dur) // a+dur, not b: the same rounding as the loop
		case hi < m.tagLo-eps:
			return m.zTagged(j, z, false, a, a+dur)
		}
	}
	cur := 0.0
	for k := 0; k <= nc; k++ {
		end := dur
		if k < nc {
			end = cuts[k]
		}
		if end > cur {
			mid := 0.5 * (cur + end)
			hm := hs + (h0-hs)*math.Exp(-rate*mid)
			if hm > m.tagHi || hm < m.tagLo {
				z = m.zTagged(j, z, hm > m.tagHi, a+cur, a+end)
			}
		}
		cur = end
	}
	return z
}

// zTagged returns z after [a, b] ms with an LTP (ltp) or LTD tag.
func (m *lt21) zTagged(j int32, z float64, ltp bool, a, b float64) float64 {
	P := m.proteinIntegral(j, a, b)
	f := math.Exp(-P / m.p.TauZ)
	if ltp {
		return m.p.ZMax - (m.p.ZMax-z)*f
	}
	return m.p.ZMin + (z-m.p.ZMin)*f
}

// protein returns p of neuron j at time t [ms] (t >= pT[j]).
func (m *lt21) protein(j int32, t float64) float64 {
	inf := 0.0
	if m.on[j] {
		inf = m.p.Alpha
	}
	return inf + (m.pA[j]-inf)*math.Exp(-(t-m.pT[j])/m.p.TauP)
}

// proteinIntegral returns ∫ p_j over [a, b] ms (pT[j] <= a <= b).
func (m *lt21) proteinIntegral(j int32, a, b float64) float64 {
	inf := 0.0
	if m.on[j] {
		inf = m.p.Alpha
	}
	tau := m.p.TauP
	return inf*(b-a) + (m.pA[j]-inf)*tau*math.Exp(-(a-m.pT[j])/tau)*-math.Expm1(-(b-a)/tau)
}

// term returns synapse s's contribution to the scaled sum of neuron j.
func (m *lt21) term(s int64, j int32) float64 {
	d := math.Abs(m.h[s] - m.p.H0)
	if d == 0 {
		return 0
	}
	return d * math.Exp(m.decayQ*(m.hTime(s)-m.sumT[j]))
}

// advance brings synapse s to tick t (h and z to t − lag, c to t) and
// updates its target's sum; it does not check the protein switch.
func (m *lt21) advance(s int64, t snnsim.Time) {
	ht := t - m.lag
	if m.th[s] >= ht {
		return
	}
	j := m.target[s]
	if u := float64(ht) * m.dt; m.decayQ*(u-m.sumT[j]) > 50 {
		// rebase the scaled sum before its factors overflow (after about
		// 500 τ_h without a synthesis switch)
		m.sumA[j] *= math.Exp(-m.decayQ * (u - m.sumT[j]))
		m.sumT[j] = u
		m.refreshTerms(j)
	}
	old := m.tm[s]
	c0, t0 := m.c[s], float64(m.tc[s])*m.dt
	c1 := c0 // c at t
	if c0 != 0 && m.tc[s] < t {
		c1 = c0 * m.caDecay(t-m.tc[s])
	}
	a, b := m.hTime(s), float64(ht)*m.dt
	// a late phase with a state of its own moves even at h = h0 (a chain
	// relaxes, a weight returns to its anchor)
	if m.h[s] != m.p.H0 || c0 >= m.thLow || m.late.kind.variant() {
		cb := 0.0 // c at b, for evolve's shortcut: known in exact mode, where b is t
		if m.lag == 0 {
			cb = c1
		}
		st := m.evolve(s, synState{m.h[s], m.z[s], m.lateOfSyn(s)}, c0, t0, a, b, cb, true)
		m.h[s], m.z[s] = st.h, st.z
		m.storeLate(s, st.ls)
	}
	m.c[s] = c1
	m.tc[s] = max(m.tc[s], t)
	m.th[s] = ht
	m.tm[s] = m.term(s, j)
	m.sumA[j] += m.tm[s] - old
}

// refreshTerms recomputes tm of every synapse onto j after sumT[j] changed.
func (m *lt21) refreshTerms(j int32) {
	for _, s := range m.in.of(j) {
		m.tm[s] = m.term(s, j)
	}
}

// sum returns Σ̃ of neuron j at time t [ms].
func (m *lt21) sum(j int32, t float64) float64 {
	return m.sumA[j] * math.Exp(-m.decayQ*(t-m.sumT[j]))
}

// jump adds dc to the calcium of synapse s at tick t. A jump that leaves
// a quiet synapse quiet only moves c: h and z relax deterministically
// until the synapse's next visit, which integrates them over the whole
// stretch at once. So does, with exact switching, a postsynaptic jump
// (post) that leaves the synapse in the regime (the set of thresholds its
// calcium exceeds) it has been in since h's time th: above a threshold h
// is then one Ornstein–Uhlenbeck process over the stretch, and one exact
// transition over it has the law of the transitions over its parts. A
// neuron firing at the refractory limit keeps the calcium of all its
// incoming synapses above θ_p, and the presynaptic arrivals still bring
// those synapses to their tick (the transmitted weight is read there). A
// presynaptic jump always brings a synapse above a threshold to t, and
// grid switching keeps to the authors' scheme. jump reports whether s
// was brought to t; then, unless post is set, its target's synthesis is
// checked too (Post checks once, after all the synapses onto the neuron).
func (m *lt21) jump(s int64, t snnsim.Time, dc float64, post bool) bool {
	if c0 := m.c[s]; c0 < m.thLow || (post && m.lag == 0) {
		// the regime since th is that of c0 (the invariant kept here): c
		// decays monotonically from c0 to c1, so it stays the same to t
		// when c1 is in it, and after the jump when c1 + dc is
		c1 := m.calcium(s, t)
		if r := m.regime(c0); m.regime(c1) == r && m.regime(c1+dc) == r {
			m.c[s], m.tc[s] = c1+dc, t
			if r != 0 && !m.queued[s] {
				m.queued[s] = true
				m.rq.push(tickEntry{m.quietTick(s), s})
			}
			return false
		}
	}
	m.advance(s, t)
	m.c[s] += dc
	if m.c[s] >= m.thLow && !m.queued[s] {
		m.queued[s] = true
		m.rq.push(tickEntry{m.quietTick(s), s})
	}
	if !post {
		m.check(m.target[s], t)
	}
	m.deliver(s)
	return true
}

// regime returns which thresholds calcium c exceeds: bit 1 θ_p, bit 0 θ_d.
func (m *lt21) regime(c float64) uint8 {
	var r uint8
	if c >= m.p.ThetaP {
		r = 2
	}
	if c >= m.p.ThetaD {
		r |= 1
	}
	return r
}

// quietTick returns the first tick at which synapse s, with no further
// jump, is below both thresholds for h.
func (m *lt21) quietTick(s int64) snnsim.Time {
	off := m.p.TauC * math.Log(m.c[s]/m.thLow)
	return m.tc[s] + snnsim.Time(math.Floor(off/m.dt)) + 1 + m.lag
}

// check switches neuron j's synthesis at tick t if its sum has crossed
// θ_pro, and reschedules the switch-off.
func (m *lt21) check(j int32, t snnsim.Time) {
	u := float64(t-m.lag) * m.dt
	above := m.sum(j, u) > m.p.ThetaPro
	if above != m.on[j] {
		m.toggle(j, t)
	}
	if !m.on[j] {
		return
	}
	// Σ̃ falls to θ_pro at sumT + ln(sumA/θ_pro)/decayQ.
	x := m.sumT[j] + math.Log(m.sumA[j]/m.p.ThetaPro)/m.decayQ
	off := snnsim.Time(math.Ceil(x/m.dt)) + m.lag
	if off <= t {
		off = t + 1
	}
	m.offAt[j] = off
	if off < m.nq[j] {
		m.nq[j] = off
		m.pq.push(tickEntry{off, int64(j)})
	}
}

// toggle flips neuron j's synthesis at tick t: every synapse onto j is
// brought to t first (so that p is one closed-form piece over each
// synapse's later intervals), and the sum is recomputed from them.
func (m *lt21) toggle(j int32, t snnsim.Time) {
	u := float64(t-m.lag) * m.dt
	for _, s := range m.in.of(j) {
		m.advance(s, t)
		m.deliver(s) // its efficacy moved: the delivery array follows the state
	}
	m.pA[j] = m.protein(j, u)
	m.pT[j] = u
	m.on[j] = !m.on[j]
	m.sumT[j] = u
	a := 0.0
	for _, s := range m.in.of(j) {
		a += math.Abs(m.h[s] - m.p.H0)
	}
	m.sumA[j] = a
	m.refreshTerms(j)
	if !m.on[j] {
		m.offAt[j] = snnsim.Never
	}
}

// deliver writes synapse s's transmitted weight.
func (m *lt21) deliver(s int64) {
	if m.out == nil {
		return
	}
	if m.late.kind.variant() {
		m.out[s] = float32(float64(m.unit[s]) * m.lateWeight(m.h[s], m.z[s], m.lateOfSyn(s)) / m.p.H0)
		return
	}
	m.out[s] = float32(float64(m.unit[s]) * (m.h[s] + m.p.H0*m.z[s]) / m.p.H0)
}

// Advance processes the calcium jumps, quiet entries and synthesis
// switches due at ticks <= t, in tick order (within a tick: switches,
// quiet entries, then jumps).
func (m *lt21) Advance(t snnsim.Time) {
	if t > m.now {
		m.now = t
	}
	for {
		k := min(m.pending.next(), m.rq.top(), m.pq.top())
		if k > t {
			return
		}
		for m.pq.top() == k {
			e := m.pq.pop()
			j := int32(e.i)
			if m.nq[j] != k {
				continue // superseded
			}
			m.nq[j] = snnsim.Never
			if m.offAt[j] > k {
				if m.offAt[j] != snnsim.Never {
					m.nq[j] = m.offAt[j]
					m.pq.push(tickEntry{m.offAt[j], e.i})
				}
				continue
			}
			m.check(j, k)
		}
		for m.rq.top() == k {
			s := m.rq.pop().i
			m.queued[s] = false
			if m.c[s] >= m.thLow {
				if q := m.quietTick(s); q > k {
					m.queued[s] = true
					m.rq.push(tickEntry{q, s})
					continue
				}
			}
			m.advance(s, k)
			m.check(m.target[s], k)
			m.deliver(s)
		}
		for m.pending.next() == k {
			e := m.pending.pop()
			for s := e.lo; s < e.hi; s++ {
				m.jump(s, k, m.p.CPre, false)
			}
		}
	}
}

// SetPart restricts the passes over every synapse and target
// (StopSpiking) to the targets first .. end−1 and the synapses onto them.
// The model's state decomposes by target (a neuron's synthesis reads the
// sum over the synapses onto it). See [Parted].
func (m *lt21) SetPart(first, end int32) { m.partLo, m.partHi = first, end }

// Next returns the earliest tick with internal work.
func (m *lt21) Next() snnsim.Time {
	return min(m.pending.next(), m.rq.top(), m.pq.top())
}

// Pre writes the weights of synapses lo..hi-1 at tick t, so that the
// arriving spike transmits them, and schedules their calcium jump. A quiet
// synapse without a tag is only read: its h relaxes to h0 and its z stays,
// in closed form. Any other is brought to t.
func (m *lt21) Pre(t snnsim.Time, _ int32, lo, hi snnsim.SynapseID) {
	m.Advance(t)
	u := float64(t-m.lag) * m.dt
	for s := lo; s < hi; s++ {
		if m.th[s] >= t-m.lag {
			continue
		}
		d := m.h[s] - m.p.H0
		if m.c[s] < m.thLow && m.late.kind.variant() {
			// quiet: read in closed form, as Get does
			if m.out != nil {
				st := m.stateAt(s, u)
				m.out[s] = float32(float64(m.unit[s]) * m.lateWeight(st.h, st.z, st.ls) / m.p.H0)
			}
			continue
		}
		if m.c[s] < m.thLow && math.Abs(d) <= m.p.ThetaTag {
			if m.out != nil && d != 0 {
				h := m.p.H0 + d*math.Exp(-m.decayQ*(u-m.hTime(s)))
				m.out[s] = float32(float64(m.unit[s]) * (h + m.p.H0*m.z[s]) / m.p.H0)
			}
			continue
		}
		m.advance(s, t)
		m.check(m.target[s], t)
		m.deliver(s)
	}
	if m.p.CPre == 0 {
		return
	}
	if m.caWait == 0 {
		for s := lo; s < hi; s++ {
			m.jump(s, t, m.p.CPre, false)
		}
		return
	}
	m.pending.push(caEntry{t + m.caWait, lo, hi})
}

// Post adds the postsynaptic calcium jump to every synapse onto j.
func (m *lt21) Post(t snnsim.Time, j int32) {
	m.Advance(t)
	if m.p.CPost == 0 {
		return
	}
	// All synapses onto j are brought to t before j's synthesis is
	// checked once, as a step of the whole neuron would, so the switch does
	// not depend on the order of the synapses.
	in := m.in.of(j)
	m.touch(in)
	advanced := false
	for _, s := range in {
		advanced = m.jump(s, t, m.p.CPost, true) || advanced
	}
	if advanced {
		m.check(j, t)
	}
}

// touch reads the calcium and its tick of the synapses ss before jump
// visits them one by one: the synapses onto a neuron lie scattered over
// the arrays, and these loads, independent of each other, wait for memory
// together instead of one after the other inside jump's branches.
func (m *lt21) touch(ss []int64) {
	var c float64
	var k snnsim.Time
	for _, s := range ss {
		c += m.c[s]
		k ^= m.tc[s]
	}
	m.touched = c + float64(k)
}

// at returns synapse s's h and z at tick t >= tc[s] without changing the
// model (the conditional mean where h is noisy). In grid mode h at tick t
// includes the step ending at t, whose thresholds are those of c at t, as
// the authors' simulator reports it.
func (m *lt21) at(s int64, t snnsim.Time) synState {
	return m.stateAt(s, float64(t)*m.dt)
}

// stateAt returns synapse s's state at time u [ms] >= its h time without
// changing the model (the conditional mean where h is noisy).
func (m *lt21) stateAt(s int64, u float64) synState {
	st := synState{m.h[s], m.z[s], m.lateCopy(s)}
	return m.evolve(s, st, m.c[s], float64(m.tc[s])*m.dt, m.hTime(s), u, 0, false)
}

// calcium returns synapse s's calcium at tick t >= tc[s].
func (m *lt21) calcium(s int64, t snnsim.Time) float64 {
	c := m.c[s]
	if c == 0 {
		return 0
	}
	return c * m.caDecay(t-m.tc[s])
}

func (m *lt21) Name() string { return modelLT2021 }
func (m *lt21) Len() int     { return m.n }

// Bind sets the delivery array and fills it.
func (m *lt21) Bind(w []float32) {
	if len(w) != m.n {
		panic(fmt.Sprintf("consolidation: %s: Bind with %d weights for %d synapses", modelLT2021, len(w), m.n))
	}
	m.out = w
	for s := range m.n {
		m.deliver(int64(s))
	}
}

// CurrentWeight returns the weight that synapse s transmits given the
// state Get reports at tick t ([LazyDelivery]). The delivery array holds
// it only as of the synapse's last visit: between arrivals h relaxes, or
// moves while c is above a threshold, and z captures protein. For a quiet
// synapse it is the weight that Pre writes for an arrival at t + the
// grid lag, to the bit (the same closed form, or the same deterministic
// integration); for one above a threshold it is the weight of the
// conditional mean of h.
func (m *lt21) CurrentWeight(s snnsim.SynapseID, t snnsim.Time) float32 {
	t = max(t, m.tc[s])
	if m.late.kind.variant() {
		st := m.at(s, t)
		return float32(float64(m.unit[s]) * m.lateWeight(st.h, st.z, st.ls) / m.p.H0)
	}
	h, z := m.h[s], m.z[s]
	if d := h - m.p.H0; m.c[s] < m.thLow && math.Abs(d) <= m.p.ThetaTag {
		// quiet and untagged: h relaxes in closed form and z stays, as in
		// Pre and Get
		if u := float64(t) * m.dt; d != 0 && u > m.hTime(s) {
			h = m.p.H0 + d*math.Exp(-m.decayQ*(u-m.hTime(s)))
		}
	} else {
		st := m.at(s, t)
		h, z = st.h, st.z
	}
	return float32(float64(m.unit[s]) * (h + m.p.H0*z) / m.p.H0)
}

// setH brings s to t and sets h = x there, keeping its target's sum.
func (m *lt21) setH(t snnsim.Time, s int64, x float64) {
	m.advance(s, t)
	j := m.target[s]
	old := m.tm[s]
	m.h[s] = x
	m.tm[s] = m.term(s, j)
	m.sumA[j] += m.tm[s] - old
	m.check(j, t)
	m.deliver(s)
}

// Vars returns ["efficacy", "h", "z", "c", "w"]: the efficacy (h + h0 z)/h0
// that scales the compiled weight, the early weight h [mV], the late
// weight z, the calcium c and the total weight h + h0 z [mV].
func (m *lt21) Vars() []string { return lateVars(&m.p) }

// Get returns a variable of s at the model's latest tick.
func (m *lt21) Get(v int, s snnsim.SynapseID) float64 {
	if m.late.kind.variant() {
		return m.lateGetAt(v, s)
	}
	checkVar(modelLT2021, v, len(lt21Vars))
	t := max(m.now, m.tc[s])
	var st synState
	if d := m.h[s] - m.p.H0; m.c[s] < m.thLow && math.Abs(d) <= m.p.ThetaTag {
		// Quiet and untagged since its last event (most synapses during a
		// consolidation): h relaxes to h0 in closed form and z stays.
		st = synState{m.p.H0 + d*math.Exp(-m.decayQ*(float64(t)*m.dt-m.hTime(s))), m.z[s], lateState{}}
	} else {
		st = m.at(s, t)
	}
	switch v {
	case 0:
		return (st.h + m.p.H0*st.z) / m.p.H0
	case 1:
		return st.h
	case 2:
		return st.z
	case 3:
		return m.calcium(s, t)
	}
	return st.h + m.p.H0*st.z
}

// Set sets a variable of s at tick t: the efficacy or w (through h), h
// (finite), z in [z_min, z_max] or c (>= 0).
func (m *lt21) Set(t snnsim.Time, v int, s snnsim.SynapseID, x float64) error {
	if m.late.kind.variant() {
		if done, err := m.lateSetAt(t, v, s, x); done {
			return err
		}
	}
	checkVar(modelLT2021, v, len(lt21Vars))
	name := lt21Vars[v]
	switch v {
	case 2:
		if err := finiteIn(modelLT2021, name, x, m.p.ZMin, m.p.ZMax); err != nil {
			return err
		}
	case 3:
		if err := finiteIn(modelLT2021, name, x, 0, math.Inf(1)); err != nil {
			return err
		}
	default:
		if err := finiteIn(modelLT2021, name, x, -math.MaxFloat64, math.MaxFloat64); err != nil {
			return err
		}
	}
	m.Advance(t)
	m.advance(s, t)
	switch v {
	case 0:
		m.setH(t, s, x*m.p.H0-m.p.H0*m.z[s])
	case 1:
		m.setH(t, s, x)
	case 2:
		m.z[s] = x
		m.deliver(s)
	case 3:
		m.jump(s, t, x-m.c[s], false)
	case 4:
		m.setH(t, s, x-m.p.H0*m.z[s])
	}
	return nil
}

// NeuronVars returns ["protein", "sum"]: p and the synthesis drive
// Σ|h − h0| [mV] as the model tracks it.
func (m *lt21) NeuronVars() []string { return []string{"protein", "sum"} }

// NeuronGet returns p or Σ|h − h0| of target j at the model's latest tick.
func (m *lt21) NeuronGet(v int, j int32) float64 {
	checkVar(modelLT2021, v, 2)
	u := math.Max(float64(m.now-m.lag)*m.dt, m.pT[j])
	if v == 0 {
		return m.protein(j, u)
	}
	return m.sum(j, u)
}

// AppendState appends the frame "consolidation/luboeinski_tetzlaff_2021",
// version 1: the identity (sizes, resolution, seed, connectivity and the
// parameters that fix the meaning of the times: tau_c, ca_delay, delay,
// tau_h, switching as 0/1), the model tick, per target p, its time, the
// synthesis flag, the scaled sum and its time, the scheduled switch-off
// and the tick of its queue entry; per synapse h, z, c, the ticks of c and
// of h, the queue flag and the stream's draw count; then the pending calcium jumps
// and both event heaps sorted (by tick, then index). A late phase with a state of its own
// writes the frame "consolidation/luboeinski_tetzlaff_2021/<late>" with
// its parameters in the identity and its per-synapse state at the end.
func (m *lt21) AppendState(b []byte) []byte {
	id := m.ident()
	b, start := beginState(b, &id)
	b = checkpoint.PutI64(b, int64(m.now))
	for j := range m.pA {
		b = checkpoint.PutF64(b, m.pA[j])
		b = checkpoint.PutF64(b, m.pT[j])
		b = checkpoint.PutBool(b, m.on[j])
		b = checkpoint.PutF64(b, m.sumA[j])
		b = checkpoint.PutF64(b, m.sumT[j])
		b = checkpoint.PutI64(b, int64(m.offAt[j]))
		b = checkpoint.PutI64(b, int64(m.nq[j]))
	}
	counts := m.st.Counts()
	for s := range m.h {
		b = checkpoint.PutF64(b, m.h[s])
		b = checkpoint.PutF64(b, m.z[s])
		b = checkpoint.PutF64(b, m.c[s])
		b = checkpoint.PutI64(b, int64(m.tc[s]))
		b = checkpoint.PutI64(b, int64(m.th[s]))
		b = checkpoint.PutBool(b, m.queued[s])
		b = checkpoint.PutI64(b, int64(counts[s]))
	}
	pend := m.pending.q[m.pending.head:]
	b = checkpoint.PutI64(b, int64(len(pend)))
	for _, e := range pend {
		b = checkpoint.PutI64(b, int64(e.due))
		b = checkpoint.PutI64(b, e.lo)
		b = checkpoint.PutI64(b, e.hi)
	}
	for _, h := range []tickHeap{m.rq, m.pq} {
		// Sorted, the order in which they are popped: the state does not
		// depend on the order the events were pushed in, so a model
		// joined from parts (JoinParts) writes the same bytes.
		h = slices.Clone(h)
		h.sort()
		b = checkpoint.PutI64(b, int64(len(h)))
		for _, e := range h {
			b = checkpoint.PutI64(b, int64(e.t))
			b = checkpoint.PutI64(b, e.i)
		}
	}
	b = m.appendLate(b)
	return checkpoint.End(b, start)
}

// ident returns the identity of the model's state.
func (m *lt21) ident() stateIdent {
	sw := 0.0
	if m.lag != 0 {
		sw = 1
	}
	id := stateIdent{model: modelLT2021, nSyn: m.n, nPre: m.nPre, nPost: len(m.pA), dt: m.dt, seed: m.seed, topo: m.topo,
		keys: []string{"tau_c", "ca_delay", "delay", "tau_h", "switching"},
		vals: []float64{m.p.TauC, m.p.CaDelay, m.p.Delay, m.p.TauH, sw}}
	if m.late.kind.variant() {
		// a late phase with a state of its own: a frame of its own
		// ("consolidation/luboeinski_tetzlaff_2021/metaplastic"), so that
		// no state of another late phase is restored into it
		k, v := m.lateIdent()
		id.keys, id.vals = append(id.keys, k...), append(id.vals, v...)
		id.model = modelLT2021 + "/" + m.p.Late
	}
	return id
}

// RestoreState reads a frame written by AppendState; on error the model is
// unchanged.
func (m *lt21) RestoreState(b []byte) ([]byte, error) {
	id := m.ident()
	tag := stateTag(id.model)
	d, rest, err := id.open(b)
	if err != nil {
		return nil, err
	}
	now := snnsim.Time(d.I64())
	if d.Short {
		return nil, d.Done(tag)
	}
	if now < 0 || now == snnsim.Never {
		return nil, stateCodec.Corruptf("%s state at tick %d", modelLT2021, now)
	}
	nn := len(m.pA)
	if len(d.B) < nn*41+m.n*49 {
		return nil, d.Done(tag)
	}
	fin := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	pA, pT, sumA, sumT := make([]float64, nn), make([]float64, nn), make([]float64, nn), make([]float64, nn)
	on := make([]bool, nn)
	offAt, nq := make([]snnsim.Time, nn), make([]snnsim.Time, nn)
	for j := range nn {
		pA[j], pT[j] = d.F64(), d.F64()
		ob := d.U8()
		sumA[j], sumT[j] = d.F64(), d.F64()
		offAt[j], nq[j] = snnsim.Time(d.I64()), snnsim.Time(d.I64())
		on[j] = ob == 1
		if ob > 1 || !fin(pA[j]) || pA[j] < 0 || !fin(pT[j]) || !fin(sumA[j]) || sumA[j] < 0 || !fin(sumT[j]) || offAt[j] < 0 || nq[j] < 0 {
			return nil, stateCodec.Corruptf("%s state: neuron %d has p = %g at %g ms, sum %g at %g ms, switch-off at tick %d",
				modelLT2021, j, pA[j], pT[j], sumA[j], sumT[j], offAt[j])
		}
	}
	h, z, c := make([]float64, m.n), make([]float64, m.n), make([]float64, m.n)
	tc, th := make([]snnsim.Time, m.n), make([]snnsim.Time, m.n)
	queued := make([]bool, m.n)
	counts := make([]uint64, m.n)
	for s := range m.n {
		h[s], z[s], c[s] = d.F64(), d.F64(), d.F64()
		tc[s], th[s] = snnsim.Time(d.I64()), snnsim.Time(d.I64())
		qb := d.U8()
		counts[s] = uint64(d.I64())
		queued[s] = qb == 1
		if qb > 1 || !fin(h[s]) || !(z[s] >= m.p.ZMin && z[s] <= m.p.ZMax) || !fin(c[s]) || c[s] < 0 || tc[s] < 0 || tc[s] > now+m.caWait+1 || th[s] < -m.lag || th[s] > tc[s]-m.lag {
			return nil, stateCodec.Corruptf("%s state: synapse %d has h = %g, z = %g, c = %g at tick %d (model at tick %d)",
				modelLT2021, s, h[s], z[s], c[s], tc[s], now)
		}
	}
	np, ok := d.Count(24)
	if !ok {
		return nil, d.Done(tag)
	}
	pend := make([]caEntry, np)
	for k := range pend {
		e := caEntry{snnsim.Time(d.I64()), d.I64(), d.I64()}
		if e.lo < 0 || e.hi < e.lo || e.hi > int64(m.n) || e.due < 0 || (k > 0 && e.due < pend[k-1].due) {
			return nil, stateCodec.Corruptf("%s state: pending calcium jump %d of synapses [%d, %d) at tick %d", modelLT2021, k, e.lo, e.hi, e.due)
		}
		pend[k] = e
	}
	var heaps [2]tickHeap
	for k, limit := range [2]int64{int64(m.n), int64(nn)} {
		cnt, ok := d.Count(16)
		if !ok {
			return nil, d.Done(tag)
		}
		hp := make(tickHeap, cnt)
		for x := range hp {
			hp[x] = tickEntry{snnsim.Time(d.I64()), d.I64()}
			if hp[x].i < 0 || hp[x].i >= limit || hp[x].t < 0 || (x > 0 && hp.less(x, x-1)) { // sorted, as AppendState writes them
				return nil, stateCodec.Corruptf("%s state: event %d of heap %d (index %d at tick %d) out of range or order", modelLT2021, x, k, hp[x].i, hp[x].t)
			}
		}
		heaps[k] = hp
	}
	late, ok, err := m.readLate(d)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, d.Done(tag)
	}
	if err := d.Done(tag); err != nil {
		return nil, err
	}
	m.late = late
	m.now = now
	m.pA, m.pT, m.on, m.sumA, m.sumT, m.offAt, m.nq = pA, pT, on, sumA, sumT, offAt, nq
	m.h, m.z, m.c, m.tc, m.th, m.queued = h, z, c, tc, th, queued
	for s := range m.tm {
		m.tm[s] = m.term(int64(s), m.target[s])
	}
	copy(m.st.Counts(), counts)
	m.pending = caQueue{q: pend}
	m.rq, m.pq = heaps[0], heaps[1]
	if m.out != nil {
		m.Bind(m.out)
	}
	return rest, nil
}
