package neuron

import (
	"fmt"

	"github.com/snnsim/snnsim"
)

// BiasSetter is implemented by populations that take a new constant input
// current for every neuron in one call: an engine that changes every
// neuron's bias at every tick (an Ornstein–Uhlenbeck background current on
// each neuron, Luboeinski & Tetzlaff 2021) saves the per-neuron
// bookkeeping of SetBias.
type BiasSetter interface {
	// SetBiases sets the bias of every neuron i to bias[i] [pA] from tick
	// t on, with the effect of SetBias(t, i, bias[i]) for i = 0, 1, …,
	// Len()−1 in that order. len(bias) must be Len(); the slice is not
	// retained.
	SetBiases(t snnsim.Time, bias []float64)
}

var (
	_ BiasSetter = (*lifExpPop)(nil)
	_ BiasSetter = (*lifCondPop)(nil)
	_ BiasSetter = (*lifDeltaPop)(nil)
	_ BiasSetter = (*lifAmpaNmdaPop)(nil)
	_ BiasSetter = (*adexPop)(nil)
)

// SetBiases implements [BiasSetter]. While nothing else is pending and
// Update(t) has not run, the new values wait as one batch, applied before
// any SetBias/SetV scheduled after it (the order of the equivalent SetBias
// calls); otherwise they go through SetBias one by one.
func (b *base) SetBiases(t snnsim.Time, bias []float64) {
	if len(bias) != b.n {
		panic(fmt.Sprintf("neuron: SetBiases with %d values for %d neurons", len(bias), b.n))
	}
	if t <= b.last || len(b.pend) > 0 || b.bulkOn {
		for i, x := range bias {
			b.SetBias(t, i, x)
		}
		return
	}
	b.bulk = append(b.bulk[:0], bias...)
	b.bulkT, b.bulkOn = t, true
	b.wakeAll()
}

// wakeAll queues every inactive neuron for the next Update.
func (b *base) wakeAll() {
	if len(b.active) == b.n {
		return
	}
	for i, s := range b.status {
		if s == stInactive {
			b.wake(i)
		}
	}
}

// applyBulk performs the batch of SetBiases at tick tick, as apply would
// for each neuron in turn.
func (b *base) applyBulk(tick snnsim.Time) {
	b.bulkOn = false
	if f, ok := b.slow.(biasLoop); ok {
		// apply's steps for each neuron in turn, done for all neurons step
		// by step: a neuron's steps touch only its own state
		if len(b.active) < b.n {
			for i, s := range b.status {
				if s != stActive {
					if a := b.at[i]; a < tick {
						b.slow.advance(i, a, tick)
						b.at[i] = tick
					}
				}
			}
		}
		f.setBiasAll(b.bulk)
		b.wakeAll()
		return
	}
	for i, x := range b.bulk {
		if b.status[i] != stActive {
			if a := b.at[i]; a < tick {
				b.slow.advance(i, a, tick)
				b.at[i] = tick
			}
		}
		b.slow.setBias(i, x)
		b.wake(i)
	}
}

// spillBulk turns a waiting batch into pending SetBias operations ahead of
// the others, for code that reads the pending list (checkpoints).
func (b *base) spillBulk() {
	if !b.bulkOn {
		return
	}
	ops := make([]pendOp, 0, b.n+len(b.pend))
	for i, x := range b.bulk {
		ops = append(ops, pendOp{t: b.bulkT, i: int32(i), kind: opBias, val: x})
	}
	b.pend = append(ops, b.pend...)
	b.bulkOn = false
}

// biasLoop is implemented by models with a loop that sets the bias of every
// neuron, equal to setBias for each in turn.
type biasLoop interface {
	setBiasAll(bias []float64)
}

func (q *lifExpPop) setBiasAll(bias []float64) {
	vinf := q.vinf[:len(bias)]
	vr, rm, th := q.vRest, q.rm, q.thS
	low := 0 // setDrive's count, kept for the whole loop
	if n4 := len(bias) &^ 3; useAVX2 && n4 > 0 {
		low = driveAllAVX(&vinf[0], &bias[0], n4, vr, rm, th)
		vinf, bias = vinf[n4:], bias[n4:]
	}
	for i, x := range bias {
		d := vr + rm*x
		// counted without branches: a drive near threshold would make
		// them unpredictable
		low += b2i(d < th) - b2i(vinf[i] < th)
		vinf[i] = d
	}
	q.nLow += low
}

// b2i returns 1 for true and 0 for false (a conditional move, no branch).
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
