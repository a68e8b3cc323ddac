package stdp

import (
	"fmt"
	"math"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
)

// Weight is the element type of a projection's weight array. The engine
// stores weights as float32; tests use float64. Rules compute in float64
// and round the result to W once per update.
type Weight interface{ ~float32 | ~float64 }

// Rule is a plasticity rule bound to one projection: it owns the traces of
// the projection's source and target neurons and updates weights in place.
// It is called once per spike group, never per synapse; the loop over the
// synapses runs inside the concrete type, without interface calls.
//
// Contract (for the engine, which calls these in tick order, from one
// goroutine):
//
//   - Pre is called when a presynaptic spike of source i ARRIVES at its
//     synapses at tick t, that is at emission + axonal delay (see the
//     package documentation, "Delays"). tgt[k] is the target of synapse k and
//     w[k] its weight (parallel slices, usually the source's CSR row); w is
//     updated in place, then the presynaptic traces of i are incremented.
//   - Post is called when target j emits a spike at tick t (no dendritic
//     delay). src[m] is the source of j's incoming synapse m and syn[m] its
//     index into w (the transposed index); w[syn[m]] is updated in place,
//     then the postsynaptic traces of j are incremented.
//   - Every trace read is a t−ε read: it sees no increment made at tick t. So
//     a presynaptic arrival and a postsynaptic spike at the same tick do not
//     pair with each other, and the result does not depend on whether Pre or
//     Post runs first at tick t (for additive updates that no bound clips;
//     weight dependence and clipping act on the weight as left by the
//     earlier call, so the engine's order, Pre before Post, is part of the
//     definition).
//   - Ticks must not decrease from call to call (the homeostatic rule
//     needs this across neurons; the others only per neuron); doing
//     otherwise is a programmer error and panics. Each neuron spikes at
//     most once per tick: Pre once per (i, t), Post once per (j, t).
//   - TracePre and TracePost record a spike in the traces without changing
//     any weight, for phases with plasticity off (priming).
//
// The slices are neither retained nor modified except for w.
//
// AppendState and RestoreState (see [checkpoint.Stater]) save and restore the traces
// for a checkpoint; they are called between ticks, never during Pre or Post.
type Rule[W Weight] interface {
	// Pre applies the depression pass for the arrival of source i's spike at
	// tick t at the synapses (tgt[k], w[k]), then records the spike in i's traces.
	Pre(t snnsim.Time, i int32, tgt []int32, w []W)
	// Post applies the potentiation pass for target j's spike at tick t to the
	// weights w[syn[m]] of its incoming synapses from sources src[m], then
	// records the spike in j's traces.
	Post(t snnsim.Time, j int32, src, syn []int32, w []W)
	// TracePre records the arrival of source i's spike at tick t in its
	// traces only.
	TracePre(t snnsim.Time, i int32)
	// TracePost records target j's spike at tick t in its traces only.
	TracePost(t snnsim.Time, j int32)
	// Stater saves and restores the traces for checkpoints.
	checkpoint.Stater
}

// WeightOwner is a rule that can skip potentiation updates that leave a
// weight unchanged, because the increment is below the rounding of the
// weight type, without loading that weight. In a large network the loads
// of the potentiation pass are cache misses, and most increments from
// long-silent sources are of this kind. To know that an increment vanishes
// the rule keeps a lower bound of each target's weights, which is valid
// only while nobody else writes them. Every weight is the same, bit for bit,
// as without OwnWeights.
//
// The engine calls OwnWeights for a plastic projection whose weight array
// only the rule changes, and WeightsChanged when it changes weights itself
// (Engine.SetWeight, restoring a checkpoint).
type WeightOwner interface {
	// OwnWeights declares that from now on only Pre and Post change w.
	OwnWeights()
	// WeightsChanged tells the rule that the weights of target j's incoming
	// synapses (any weight, if j < 0) were changed other than by Pre and
	// Post; the rule goes on owning w.
	WeightsChanged(j int32)
}

// ReferenceReader is implemented by rules whose update reads a reference
// weight w̃ per synapse that the rule does not own: the heterosynaptic
// term of [P11] pulls each weight towards the consolidated weight that a
// consolidation model keeps (Zenke, Agnes & Gerstner 2015). The engine
// hands such a rule the reference weights of its projection's synapses
// before the first call, from the projection's consolidation model, and
// refuses a projection whose rule reads them but that has no model that
// keeps them.
type ReferenceReader interface {
	// ReadsReference reports whether the rule reads reference weights
	// with its parameters (P11: β > 0).
	ReadsReference() bool
	// UseReference makes the rule read ref[stride·k] as the reference
	// weight of synapse k, an index into the weight array w of Pre and
	// Post; stride >= 1. The caller owns ref and updates it in place; the
	// rule only reads it.
	UseReference(ref []float64, stride int)
}

// PostFactorer is implemented by rules whose postsynaptic update is, for
// every synapse k from source i onto the spiking target,
//
//	v = w_k + a·zp[i];  v −= b·(w_k − w̃_k) if b ≠ 0;  w_k ← W(clip(v, wMin, wMax))
//
// in float64, with a, b and zp set per spike ([P11]). Whoever keeps the
// weights and w̃ (a consolidation model) can then apply the update in its
// own pass over the synapses, reading each synapse's state once: the
// engine does so when the model can (consolidation.PostUpdater), calling
// PostFactors instead of Post.
type PostFactorer interface {
	// PostFactors does what Post(t, j, …) does except the update of the
	// weights, and returns a, b and zp (the rule's array, valid until the
	// next call to the rule); with a = b = 0 Post changes no weight.
	PostFactors(t snnsim.Time, j int32) (a, b float64, zp []float64)
	// WeightBounds returns the bounds wMin and wMax of the update.
	WeightBounds() (wMin, wMax float64)
}

// PreFactorer is implemented by rules whose presynaptic update is, for
// every synapse k onto target j reached by the arriving spike,
//
//	w_k ← W(max(wMin, w_k − c·q[j] + δ))
//
// in float64, with c and q set per arrival ([P11]: the rate-dependent LTD
// and the transmitter-induced δ). Whoever keeps the weights (a
// consolidation model) can then apply the update in its own pass, reading
// each synapse once, and hand the delivered weights on in the same pass:
// the engine does so when the model can (consolidation.PreUpdater),
// calling PreFactors instead of Pre.
type PreFactorer interface {
	// PreFactors does what Pre(t, i, …) does except the update of the
	// weights, and returns c, δ, wMin and q (the rule's array, valid
	// until the next call to the rule).
	PreFactors(t snnsim.Time, i int32) (c, delta, wMin float64, q []float64)
}

// PopulationCounter is implemented by rules whose update reads the spike
// count of the whole target population ([ISTDP], istdp_global: the global
// factor of Zenke, Agnes & Gerstner 2015). Such a rule counts a target
// spike of tick t at tick t+d (SetCountDelay). A caller that calls Post
// and TracePost for only some of the targets (a part of a projection split
// among workers) calls CountExternally before any spike is counted and
// then passes the whole population's count of every tick with
// PopulationSpikes, at most d ticks late.
type PopulationCounter interface {
	// CountsPopulation reports whether the rule reads the count (false
	// for istdp_vogels, which shares the type).
	CountsPopulation() bool
	// SetCountDelay sets d >= 0 [ticks].
	SetCountDelay(d snnsim.Time)
	// CountExternally makes Post and TracePost leave the count alone.
	CountExternally()
	// PopulationSpikes counts n spikes of the target population fired at
	// tick t; calls come in tick order.
	PopulationSpikes(t snnsim.Time, n int)
}

// ReferenceParams is implemented by the parameters of rules that may read
// reference weights ([ReferenceReader]), so that a projection can be
// checked before its rule is built.
type ReferenceParams interface {
	// ReadsReference reports whether a rule built from these parameters
	// reads reference weights.
	ReadsReference() bool
}

var (
	_ ReferenceParams   = P11Params{}
	_ WeightOwner       = (*Homeostatic[float32])(nil)
	_ ReferenceReader   = (*P11[float32])(nil)
	_ PostFactorer      = (*P11[float32])(nil)
	_ PreFactorer       = (*P11[float32])(nil)
	_ PopulationCounter = (*ISTDP[float32])(nil)
	_ Rule[float32]     = (*P11[float32])(nil)
	_ Rule[float64]     = (*P11[float64])(nil)
	_ Rule[float32]     = (*ISTDP[float32])(nil)
	_ Rule[float64]     = (*ISTDP[float64])(nil)
	_ Rule[float32]     = (*Pair[float32])(nil)
	_ Rule[float64]     = (*Pair[float64])(nil)
	_ Rule[float32]     = (*Triplet[float32])(nil)
	_ Rule[float64]     = (*Triplet[float64])(nil)
	_ Rule[float32]     = (*Homeostatic[float32])(nil)
	_ Rule[float64]     = (*Homeostatic[float64])(nil)
)

// BUG(stdp): Presynaptic traces are per source neuron and advanced when
// the spike arrives, so all synapses of one source in a plastic projection
// must share one delay (true of B3, where every delay is 0.8 ms), and Pre
// must be called once per presynaptic spike with all of the source's
// synapses. Heterogeneous delays would need per-synapse presynaptic traces
// or dendritic-delay semantics (NEST); the engine must reject them for now.

// Pairing selects which spikes a trace-based rule pairs.
type Pairing string

// The pairing schemes.
const (
	// AllToAll pairs every presynaptic spike with every earlier postsynaptic
	// spike and vice versa: a trace gains 1 per spike.
	AllToAll Pairing = "all_to_all"
	// NearestSpike is the symmetric nearest-spike scheme (Morrison, Diesmann
	// & Gerstner 2008): each presynaptic spike pairs only with the most recent
	// earlier postsynaptic spike, and each postsynaptic spike only with the
	// most recent earlier presynaptic spike: a trace is reset to 1 at a spike.
	// A spike may take part in several pairs (pre, post, post: both posts pair
	// with the pre). It is neither the presynaptic-centred nor the reduced
	// symmetric scheme.
	NearestSpike Pairing = "nearest_spike"
)

func (p Pairing) reset() bool { return p == NearestSpike }

func (p Pairing) check(c *snnsim.ParamCheck) {
	c.OneOf("pairing", string(p), string(AllToAll), string(NearestSpike))
}

// New creates the rule that p describes for a projection from nPre source
// neurons to nPost target neurons at the given resolution, with all traces
// at tick 0. p is what Lookup returns: *PairParams, *TripletParams,
// *HomeostaticParams, *P11Params, *GlobalISTDPParams or *VogelsParams.
func New[W Weight](p Params, clock snnsim.Clock, nPre, nPost int) (Rule[W], error) {
	switch q := p.(type) {
	case *PairParams:
		if q == nil {
			break
		}
		return ruleOrNil(NewPair[W](*q, clock, nPre, nPost))
	case *TripletParams:
		if q == nil {
			break
		}
		return ruleOrNil(NewTriplet[W](*q, clock, nPre, nPost))
	case *HomeostaticParams:
		if q == nil {
			break
		}
		return ruleOrNil(NewHomeostatic[W](*q, clock, nPre, nPost))
	case *P11Params:
		if q == nil {
			break
		}
		return ruleOrNil(NewP11[W](*q, clock, nPre, nPost))
	case *GlobalISTDPParams:
		if q == nil {
			break
		}
		return ruleOrNil(NewGlobalISTDP[W](*q, clock, nPre, nPost))
	case *VogelsParams:
		if q == nil {
			break
		}
		return ruleOrNil(NewVogels[W](*q, clock, nPre, nPost))
	}
	return nil, fmt.Errorf("stdp: parameters of type %T are not a rule of this package", p)
}

// ruleOrNil returns a nil interface, not a nil pointer in one, on error.
func ruleOrNil[W Weight, R Rule[W]](r R, err error) (Rule[W], error) {
	if err != nil {
		return nil, err
	}
	return r, nil
}

// checkSizes validates the arguments that every constructor shares.
func checkSizes(rule string, clock snnsim.Clock, nPre, nPost int) error {
	if !(clock.DT > 0) || math.IsInf(clock.DT, 0) {
		return fmt.Errorf("stdp: %s: resolution %g ms: must be > 0", rule, clock.DT)
	}
	if nPre < 0 || nPre > math.MaxInt32 {
		return fmt.Errorf("stdp: %s: %d source neurons: must be in [0, %d]", rule, nPre, math.MaxInt32)
	}
	if nPost < 0 || nPost > math.MaxInt32 {
		return fmt.Errorf("stdp: %s: %d target neurons: must be in [0, %d]", rule, nPost, math.MaxInt32)
	}
	return nil
}
