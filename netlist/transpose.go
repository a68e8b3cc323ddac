package netlist

// Transposed is the reverse (by target) index of a projection, used by the
// postsynaptic side of plasticity (after Auryn's DuplexConnection): the
// incoming synapses of target j are ColSyn[ColStart[j]:ColStart[j+1]], as
// indices into the projection's forward arrays, with their sources in ColSrc.
// Within a column the synapses are in increasing forward index order, which
// is increasing source order.
type Transposed struct {
	ColStart []int64 // len = target population size + 1
	ColSyn   []int32 // forward synapse index
	ColSrc   []int32 // source neuron of each entry
}

// Transpose builds the reverse index of p for a target population of
// nTargets neurons in O(synapses) time. It needs 8 bytes per synapse.
func (p *Projection) Transpose(nTargets int) *Transposed {
	tr := &Transposed{
		ColStart: make([]int64, nTargets+1),
		ColSyn:   make([]int32, len(p.Target)),
		ColSrc:   make([]int32, len(p.Target)),
	}
	for _, j := range p.Target {
		tr.ColStart[j+1]++
	}
	for j := 0; j < nTargets; j++ {
		tr.ColStart[j+1] += tr.ColStart[j]
	}
	fill := make([]int64, nTargets)
	copy(fill, tr.ColStart[:nTargets])
	for i := 0; i+1 < len(p.RowStart); i++ {
		for k := p.RowStart[i]; k < p.RowStart[i+1]; k++ {
			j := p.Target[k]
			m := fill[j]
			tr.ColSyn[m] = int32(k)
			tr.ColSrc[m] = int32(i)
			fill[j]++
		}
	}
	return tr
}
