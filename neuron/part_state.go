package neuron

import "fmt"

// based is implemented by every population of this package (base is
// embedded in each model).
type based interface{ baseOf() *base }

func (b *base) baseOf() *base { return b }

// JoinParts copies the state of the parts of a population split among
// workers (each made a part with SetPart, parts[w] starting at member
// firsts[w], in increasing order, covering the population) into whole, a
// population of the same model, size and parameters: afterwards whole's
// AppendState writes the state one population would have, so that a
// checkpoint does not depend on the number of workers. The lists of
// woken, refractory and touched neurons and the pending operations are
// the parts' in order (the refractory list merged in the one population's
// order), so that the state is the one population's, byte for byte, in a
// run without repeats in that list; the order changes no result.
func JoinParts(whole Population, parts []Population, firsts []int) error {
	w, ps, err := partBases(whole, parts, firsts)
	if err != nil {
		return err
	}
	w.woken, w.refr, w.touched, w.pend = w.woken[:0], w.refr[:0], w.touched[:0], w.pend[:0]
	w.bulkOn = false
	for k, p := range ps {
		f := int32(firsts[k])
		p.spillBulk()
		if k == 0 {
			w.last, w.flushT, w.always, w.denseIn = p.last, p.flushT, p.always, p.denseIn
		}
		copy(w.status[f:], p.status)
		copy(w.at[f:], p.at)
		for _, i := range p.woken {
			w.woken = append(w.woken, i+f)
		}
		for _, i := range p.touched {
			w.touched = append(w.touched, i+f)
		}
		for _, op := range p.pend {
			op.i += f
			w.pend = append(w.pend, op)
		}
		for j, x := range w.lay.vars {
			copy(x[f:], p.lay.vars[j])
		}
		for j, x := range w.lay.bufs {
			copy(x[f:], p.lay.bufs[j])
		}
	}
	w.refr = mergeRefractory(w.refr, ps, firsts, w.lay.vars[w.lay.ref])
	w.settled()
	return nil
}

// mergeRefractory appends the parts' refractory lists to refr in the order
// one population keeps: by spike tick (that is, by refractory end), then
// by member, each part's list being in that order already.
func mergeRefractory(refr []int32, ps []*base, firsts []int, ref []float64) []int32 {
	pos := make([]int, len(ps))
	for {
		best := -1
		var bj int32
		for k, p := range ps {
			if pos[k] == len(p.refr) {
				continue
			}
			j := p.refr[pos[k]] + int32(firsts[k])
			if best < 0 || ref[j] < ref[bj] {
				best, bj = k, j
			}
		}
		if best < 0 {
			return refr
		}
		refr = append(refr, bj)
		pos[best]++
	}
}

// SplitParts is the inverse of JoinParts: it copies the state of whole
// into its parts.
func SplitParts(whole Population, parts []Population, firsts []int) error {
	w, ps, err := partBases(whole, parts, firsts)
	if err != nil {
		return err
	}
	w.spillBulk()
	for k, p := range ps {
		lo, hi := int32(firsts[k]), int32(firsts[k]+p.n)
		p.last, p.flushT, p.always, p.denseIn = w.last, w.flushT, w.always, w.denseIn
		p.bulkOn, p.partOver = false, false
		copy(p.status, w.status[lo:hi])
		copy(p.at, w.at[lo:hi])
		sub := func(dst, src []int32) []int32 {
			dst = dst[:0]
			for _, i := range src {
				if i >= lo && i < hi {
					dst = append(dst, i-lo)
				}
			}
			return dst
		}
		p.woken, p.refr, p.touched = sub(p.woken, w.woken), sub(p.refr, w.refr), sub(p.touched, w.touched)
		p.pend = p.pend[:0]
		for _, op := range w.pend {
			if op.i >= lo && op.i < hi {
				op.i -= lo
				p.pend = append(p.pend, op)
			}
		}
		for j, x := range p.lay.vars {
			copy(x, w.lay.vars[j][lo:hi])
		}
		for j, x := range p.lay.bufs {
			copy(x, w.lay.bufs[j][lo:hi])
		}
		p.settled()
	}
	return nil
}

// partBases checks the arguments of JoinParts and SplitParts.
func partBases(whole Population, parts []Population, firsts []int) (*base, []*base, error) {
	wb, ok := whole.(based)
	if !ok || len(parts) != len(firsts) {
		return nil, nil, fmt.Errorf("neuron: JoinParts/SplitParts: %T is not a population of this package, or %d parts for %d starts", whole, len(parts), len(firsts))
	}
	w := wb.baseOf()
	next := 0
	var ps []*base
	for k, part := range parts {
		pb, ok := part.(based)
		if !ok || firsts[k] != next {
			return nil, nil, fmt.Errorf("neuron: JoinParts/SplitParts: part %d (%T) starts at %d, want %d", k, part, firsts[k], next)
		}
		p := pb.baseOf()
		if p.model != w.model || len(p.lay.vars) != len(w.lay.vars) || len(p.lay.bufs) != len(w.lay.bufs) {
			return nil, nil, fmt.Errorf("neuron: JoinParts/SplitParts: part %d is a %s, the whole a %s", k, p.model, w.model)
		}
		ps = append(ps, p)
		next += p.n
	}
	if next != w.n {
		return nil, nil, fmt.Errorf("neuron: JoinParts/SplitParts: parts of %d neurons for a population of %d", next, w.n)
	}
	return w, ps, nil
}
