package engine

import "github.com/snnsim/snnsim"

// delivery is one group of synapses that a spike reaches at the same tick:
// the synapses lo..hi-1 of one projection (one source row, one delay).
type delivery struct {
	proj   int32
	src    int32 // the source neuron (for plasticity)
	lo, hi int64
	scale  float32 // the release of a projection with short-term plasticity (stp.go); unused otherwise
}

// ring is the delay queue: slot (t mod len) holds the deliveries that arrive
// at tick t. Its length exceeds the largest delay, so a spike queued at tick
// s for s+d never lands in the slot being delivered.
type ring struct {
	_       [linePad]byte // each worker has its own (parallel.go)
	slots   [][]delivery
	mask    snnsim.Time
	pending int // deliveries queued in all slots
	_       [linePad]byte
}

func newRing(maxDelay snnsim.Time) *ring {
	n := snnsim.Time(1)
	for n <= maxDelay {
		n <<= 1
	}
	// The slots' headers, which every push and take writes, in an
	// allocation of their own lines.
	slots := make([][]delivery, n+2*linePad/24+2)[linePad/24+1:][:n:n]
	return &ring{slots: slots, mask: n - 1}
}

// push queues d for arrival at tick t.
func (r *ring) push(t snnsim.Time, d delivery) {
	i := t & r.mask
	r.slots[i] = append(r.slots[i], d)
	r.pending++
}

// take returns the deliveries arriving at t and empties the slot; the slice
// is valid until the next push to that slot.
func (r *ring) take(t snnsim.Time) []delivery {
	i := t & r.mask
	s := r.slots[i]
	r.slots[i] = s[:0]
	r.pending -= len(s)
	return s
}

// next returns the earliest tick >= t whose slot is not empty, or snnsim.Never.
func (r *ring) next(t snnsim.Time) snnsim.Time {
	if r.pending == 0 {
		return snnsim.Never
	}
	for k := snnsim.Time(0); k <= r.mask; k++ {
		if len(r.slots[(t+k)&r.mask]) > 0 {
			return t + k
		}
	}
	return snnsim.Never
}
