package engine

import (
	"fmt"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/netlist"
)

// Short-term plasticity (netlist.Projection.STP, stdp.STP) acts at the
// fan-out of step 5: a spike of source neuron i through a projection with
// it releases r = x·u of i's resources on that projection (the state is
// per projection and source neuron, as in Auryn's STPConnection), and
// every delivery of the spike carries r. At arrival (step 2) the
// plasticity rule and the consolidation model see the weights as they
// are; only the values given to the targets are w·r, computed into a
// scratch row. A projection without it is untouched by this file.

// newSTP sets up the short-term plasticity of projection p from nPre
// source neurons: every one at x0, u0, and a scratch row as long as the
// longest row.
func (p *proj) newSTP(net *netlist.Network, nPre int) error {
	st, err := p.STP.New(nPre, net.Clock)
	if err != nil {
		return fmt.Errorf("engine: projection %q: %w", p.Name, err)
	}
	longest := int64(0)
	for i := 0; i+1 < len(p.RowStart); i++ {
		longest = max(longest, p.RowStart[i+1]-p.RowStart[i])
	}
	p.stp, p.stpBuf = st, make([]float32, longest)
	return nil
}

// fanOutSTP is fanOut for projection k (p) with short-term plasticity:
// each spike releases its fraction, which its deliveries carry.
func (e *Engine) fanOutSTP(t snnsim.Time, p *proj, k int32, fired []int32) {
	for _, i := range fired {
		r := float32(p.stp.Release(i, t))
		lo := p.RowStart[i]
		if p.segRow == nil {
			if hi := p.RowStart[i+1]; lo < hi {
				e.queue.push(t+p.ConstDelay, delivery{k, i, lo, hi, r})
			}
			continue
		}
		for g := p.segRow[i]; g < p.segRow[i+1]; g++ {
			hi := p.segEnd[g]
			e.queue.push(t+p.segDelay[g], delivery{k, i, lo, hi, r})
			lo = hi
		}
	}
}

// scaled returns the weights ws times a spike's release r, in the
// projection's scratch row (valid until the next call).
func (p *proj) scaled(ws []float32, r float32) []float32 {
	out := p.stpBuf[:len(ws)]
	for k, w := range ws {
		out[k] = w * r
	}
	return out
}

// scaleRow multiplies the weights ws by a spike's release r in place, as
// scaled does into the scratch row.
func scaleRow(ws []float32, r float32) {
	for k, w := range ws {
		ws[k] = w * r
	}
}
