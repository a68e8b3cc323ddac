package consolidation

import "github.com/snnsim/snnsim"

// The fast-forward of luboeinski_tetzlaff_2021 (Luboeinski & Tetzlaff
// 2021, their simulator's "FF" mode after learning). With no spike the
// calcium stays at 0, so every synapse is quiet and the model's own
// closed forms are the whole dynamics:
//
//	h(t) − h0 = (h(t0) − h0) e^{−0.1 (t − t0)/τ_h}       (exact relaxation)
//	Σ_j(t) = Σ_j(t0) e^{−0.1 (t − t0)/τ_h}                (every term shrinks alike)
//	synthesis of j on until t* = t0 + (τ_h/0.1) ln(Σ_j(t0)/θ_pro)
//	p_j: α + (p_j(t0) − α) e^{−(t − t0)/τ_p} before t*, p_j(t*) e^{−(t − t*)/τ_p} after
//	z: (z_max − z) ← (z_max − z) e^{−∫p dt/τ_z} while h − h0 > θ_tag (LTP tag),
//	   (z − z_min) ← (z − z_min) e^{−∫p dt/τ_z} while h0 − h > θ_tag (LTD tag)
//
// There is no tag variable: a tag is the condition |h − h0| > θ_tag, so
// during the fast-forward a tag ends when the relaxing h comes within
// θ_tag of h0, (τ_h/0.1) ln(|h(t0) − h0|/θ_tag) after t0, and z keeps its
// captured value from then on. The switch-off t* falls on the first tick
// at or after its analytic time; everything else is exact. The authors
// step this in 50-s steps (h and p exact at the step ends, z with the
// end-of-step p and tag), which is first order in the step for z.
//
// Synapses are brought forward lazily, as everywhere in this model: a
// switch-off of a neuron's synthesis brings its synapses to that tick, and
// Get reads any other synapse in closed form, so a fast-forward costs one
// pass over the synapses at its start and one per synthesis switch-off.

func (*LT2021Params) fastForwards() {}

var _ FastForwarder = (*lt21)(nil)

// StopSpiking sets every calcium amount to 0 at tick t (of the synapses
// onto the part's targets, see SetPart), after the work
// due before t, and drops the presynaptic calcium jumps not yet due; with
// every synapse brought to t, each neuron's Σ|h − h0| is exact there, so
// its synthesis is switched on or off accordingly and its switch-off
// scheduled.
func (m *lt21) StopSpiking(t snnsim.Time) {
	if t > 0 {
		m.Advance(t - 1)
	}
	lo, hi := m.partLo, m.partHi // the part's targets (SetPart)
	for s := range int64(m.n) {
		if j := m.target[s]; j < lo || j >= hi {
			continue
		}
		m.advance(s, t)
		m.c[s], m.tc[s] = 0, t
		m.deliver(s)
	}
	m.pending = caQueue{}
	m.rq = m.rq[:0]
	clear(m.queued)
	for j := lo; j < hi; j++ {
		m.check(j, t)
	}
	m.now = max(m.now, t)
}

// FastForward advances the model with no spike to tick t: with the
// calcium at rest the only events are synthesis switch-offs.
func (m *lt21) FastForward(t snnsim.Time) { m.Advance(t) }
