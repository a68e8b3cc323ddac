package consolidation

import (
	"cmp"
	"container/heap"
	"fmt"
	"slices"

	"github.com/snnsim/snnsim"
)

// PartLayout says how the synapses of a [Parted] model were split among
// parts (models of the same parameters and layout, each called only for
// the synapses onto its own targets, as the workers of a parallel run call
// theirs): part k owns the targets PostFirst[k] .. PostFirst[k+1]−1 and
// every synapse onto them, and is called with those synapses' share of
// each arrival (a contiguous range, since an arrival's synapses are
// ordered by target) and with its targets' spikes.
type PartLayout struct {
	// PostFirst holds len(parts)+1 entries: part k owns the targets
	// PostFirst[k] .. PostFirst[k+1]−1.
	PostFirst []int32
	// PreFrom[i] is a part with synapses from source i (an index into the
	// concatenated source populations), which sees every arrival of its
	// spikes, or −1 when no part has any.
	PreFrom []int32
	// Arrival returns, for synapse s, the synapses lo..hi−1 that one
	// arrival of its source's spikes reaches on one model (s among them),
	// and the rank of that arrival among the arrivals of one tick: one
	// model is called for the arrival of lower rank first.
	Arrival func(s snnsim.SynapseID) (lo, hi snnsim.SynapseID, rank int64)
	// Target holds the target of every synapse, for models that do not
	// keep their synapses' targets (zenke_2015).
	Target []int32
}

// check checks the layout against a model's sizes.
func (l *PartLayout) check(parts, nPre, nPost int) error {
	n := len(l.PostFirst) - 1
	if n != parts || n < 1 {
		return fmt.Errorf("consolidation: parts: %d target bounds for %d parts", len(l.PostFirst), parts)
	}
	if l.PostFirst[0] != 0 || l.PostFirst[n] != int32(nPost) || !slices.IsSorted(l.PostFirst) {
		return fmt.Errorf("consolidation: parts: target bounds %v do not split %d targets", l.PostFirst, nPost)
	}
	if len(l.PreFrom) != nPre {
		return fmt.Errorf("consolidation: parts: %d presynaptic owners for %d sources", len(l.PreFrom), nPre)
	}
	for i, k := range l.PreFrom {
		if k < -1 || int(k) >= n {
			return fmt.Errorf("consolidation: parts: source %d in part %d of %d", i, k, n)
		}
	}
	return nil
}

// owners returns the part that owns each target.
func (l *PartLayout) owners() []int32 {
	n := len(l.PostFirst) - 1
	own := make([]int32, l.PostFirst[n])
	for k := range n {
		for j := l.PostFirst[k]; j < l.PostFirst[k+1]; j++ {
			own[j] = int32(k)
		}
	}
	return own
}

// JoinParts sets the state of whole, a new model of the whole layout
// (nothing called yet but Bind), to the state one model would have had:
// every target's state and its synapses' from the part that owns it, a
// source's state from a part with synapses from it, the work pending in
// the parts (a presynaptic jump not yet due, scheduled events) merged in
// the order one model holds it, and the model's tick the latest any part
// was given. The state whole then saves (AppendState) is, byte for byte,
// the one model's; its delivery array is not written (the engine keeps the
// parts' delivered weights). Every part must be of whole's type and
// layout. Models: luboeinski_tetzlaff_2021 (every late phase),
// tag_trigger_consolidation and zenke_2015.
func JoinParts(whole Model, parts []Model, l PartLayout) error {
	switch w := whole.(type) {
	case *zenke:
		ps, err := partsAs(w, parts)
		if err != nil {
			return err
		}
		if err := l.check(len(ps), len(l.PreFrom), len(w.zm.last)); err != nil {
			return err
		}
		return w.join(ps, &l)
	case *lt21:
		ps, err := partsAs(w, parts)
		if err != nil {
			return err
		}
		if err := l.check(len(ps), w.nPre, len(w.pA)); err != nil {
			return err
		}
		return w.join(ps, &l)
	case *TTC:
		ps, err := partsAs(w, parts)
		if err != nil {
			return err
		}
		if err := l.check(len(ps), len(w.r), len(w.u1)); err != nil {
			return err
		}
		return w.join(ps, &l)
	}
	return fmt.Errorf("consolidation: JoinParts: the model %s cannot be joined from parts", whole.Name())
}

// SplitParts gives every part, a new model of the whole layout restricted
// to its targets (Parted.SetPart), its share of whole's state (restored
// from a checkpoint): each gets the whole state, of which it then reads
// only its own targets, synapses and sources, and only the work pending
// on its own synapses and targets (the share of a presynaptic jump that
// reaches them). The models JoinParts joins.
func SplitParts(whole Model, parts []Model, l PartLayout) error {
	switch w := whole.(type) {
	case *zenke:
		ps, err := partsAs(w, parts)
		if err != nil {
			return err
		}
		if err := l.check(len(ps), len(l.PreFrom), len(w.zm.last)); err != nil {
			return err
		}
		if w.p.SkipSettled && len(l.Target) != w.n {
			return fmt.Errorf("consolidation: SplitParts: %s: the targets of %d synapses for %d", modelZenke, len(l.Target), w.n)
		}
		if err := restoreAll(w, ps); err != nil {
			return err
		}
		for k, p := range ps {
			if p.p.SkipSettled {
				p.restrictActive(l.PostFirst[k], l.PostFirst[k+1], l.Target)
			}
		}
		return nil
	case *lt21:
		ps, err := partsAs(w, parts)
		if err != nil {
			return err
		}
		if err := l.check(len(ps), w.nPre, len(w.pA)); err != nil {
			return err
		}
		if err := restoreAll(w, ps); err != nil {
			return err
		}
		for k, p := range ps {
			p.restrict(l.PostFirst[k], l.PostFirst[k+1])
		}
		return nil
	case *TTC:
		ps, err := partsAs(w, parts)
		if err != nil {
			return err
		}
		if err := l.check(len(ps), len(w.r), len(w.u1)); err != nil {
			return err
		}
		if err := restoreAll(w, ps); err != nil {
			return err
		}
		for k, p := range ps {
			p.restrict(l.PostFirst[k], l.PostFirst[k+1])
		}
		return nil
	}
	return fmt.Errorf("consolidation: SplitParts: the model %s cannot be split into parts", whole.Name())
}

// restoreAll restores whole's state into every part, which SplitParts
// then restricts to its own targets.
func restoreAll[M Stater](whole M, parts []M) error {
	st := whole.AppendState(nil)
	for _, p := range parts {
		if _, err := p.RestoreState(st); err != nil {
			return err
		}
	}
	return nil
}

// partsAs returns parts as models of whole's concrete type M.
func partsAs[M interface {
	Model
	*lt21 | *TTC | *zenke
}](whole M, parts []Model) ([]M, error) {
	ps := make([]M, len(parts))
	for k, p := range parts {
		q, ok := p.(M)
		if !ok || q.Len() != whole.Len() {
			return nil, fmt.Errorf("consolidation: part %d is a %s of %d synapses, the whole a %s of %d", k, p.Name(), p.Len(), whole.Name(), whole.Len())
		}
		ps[k] = q
	}
	return ps, nil
}

// join sets m's state to its parts' (JoinParts).
func (m *lt21) join(ps []*lt21, l *PartLayout) error {
	own := l.owners()
	for _, p := range ps {
		m.now = max(m.now, p.now)
		if p.late.kind != m.late.kind || len(p.pA) != len(m.pA) {
			return fmt.Errorf("consolidation: JoinParts: parts of another late phase or size")
		}
	}
	for j := range m.pA {
		p := ps[own[j]]
		m.pA[j], m.pT[j], m.on[j] = p.pA[j], p.pT[j], p.on[j]
		m.sumA[j], m.sumT[j], m.offAt[j], m.nq[j] = p.sumA[j], p.sumT[j], p.offAt[j], p.nq[j]
	}
	counts := m.st.Counts()
	L := &m.late
	L.task = ps[0].late.task
	for s := range m.h {
		p := ps[own[m.target[s]]]
		m.h[s], m.z[s], m.c[s], m.tc[s], m.th[s] = p.h[s], p.z[s], p.c[s], p.tc[s], p.th[s]
		m.queued[s], m.tm[s] = p.queued[s], p.tm[s]
		counts[s] = p.st.Counts()[s]
		switch PL := &p.late; L.kind {
		case lateMeta:
			L.x[s] = PL.x[s]
		case lateSI:
			L.x[s], L.xa[s], L.om[s], L.big[s] = PL.x[s], PL.xa[s], PL.om[s], PL.big[s]
		case lateBF:
			o := s * L.bfM
			copy(L.u[o:o+L.bfM], PL.u[o:o+L.bfM])
		}
	}
	// The presynaptic jumps not yet due: each part holds its share of an
	// arrival, one model the whole arrival, in the order of the arrivals
	// (all wait the same number of ticks, so by due tick, then by rank).
	type arrival struct {
		e    caEntry
		rank int64
	}
	var all []arrival
	for _, p := range ps {
		for _, e := range p.pending.q[p.pending.head:] {
			lo, hi, rank := l.Arrival(e.lo)
			if e.lo < lo || e.hi > hi || e.lo >= e.hi {
				return fmt.Errorf("consolidation: JoinParts: pending jump of synapses [%d, %d) outside its arrival [%d, %d)", e.lo, e.hi, lo, hi)
			}
			all = append(all, arrival{caEntry{e.due, lo, hi}, rank})
		}
	}
	slices.SortStableFunc(all, func(a, b arrival) int {
		return cmp.Or(cmp.Compare(a.e.due, b.e.due), cmp.Compare(a.rank, b.rank))
	})
	m.pending = caQueue{}
	for k, a := range all {
		if k > 0 && a.e == all[k-1].e {
			continue // the same arrival, from another part
		}
		m.pending.q = append(m.pending.q, a.e)
	}
	// The event heaps: each part's entries of its own synapses and targets.
	m.rq, m.pq = m.rq[:0], m.pq[:0]
	for k, p := range ps {
		for _, e := range p.rq {
			if own[m.target[e.i]] == int32(k) {
				m.rq = append(m.rq, e)
			}
		}
		for _, e := range p.pq {
			if own[e.i] == int32(k) {
				m.pq = append(m.pq, e)
			}
		}
	}
	m.rq.sort()
	m.pq.sort()
	return nil
}

// restrict drops the work pending outside the targets lo..hi−1 from a
// model restored from the whole state: the share of each presynaptic jump
// that reaches them stays, as do the events of their synapses and their
// own.
func (m *lt21) restrict(lo, hi int32) {
	q := m.pending.q[m.pending.head:]
	kept := make([]caEntry, 0, len(q))
	for _, e := range q {
		tg := m.target[e.lo:e.hi]
		a, _ := slices.BinarySearch(tg, lo)
		b, _ := slices.BinarySearch(tg, hi)
		if a < b {
			kept = append(kept, caEntry{e.due, e.lo + int64(a), e.lo + int64(b)})
		}
	}
	m.pending = caQueue{q: kept}
	m.rq = slices.DeleteFunc(m.rq, func(e tickEntry) bool { j := m.target[e.i]; return j < lo || j >= hi })
	m.pq = slices.DeleteFunc(m.pq, func(e tickEntry) bool { return int32(e.i) < lo || int32(e.i) >= hi })
	m.rq.sort()
	m.pq.sort()
}

// sort orders the heap's entries (a sorted array is a heap): the order in
// which they are popped, which does not depend on the order they were
// pushed in.
func (h tickHeap) sort() {
	slices.SortFunc(h, func(a, b tickEntry) int { return cmp.Or(cmp.Compare(a.t, b.t), cmp.Compare(a.i, b.i)) })
}

// join sets m's state to its parts' (JoinParts).
func (m *TTC) join(ps []*TTC, l *PartLayout) error {
	own := l.owners()
	for _, p := range ps {
		m.now = max(m.now, p.now)
		// A part with no synapse to step moves its slow clock only when
		// called: the latest is the one model's.
		m.nextSlow = max(m.nextSlow, p.nextSlow)
	}
	m.block = ps[0].block // a level: the same in every part
	for s := range m.z {
		p := ps[own[m.tgt[s]]]
		m.h[s], m.l[s], m.z[s], m.decay[s], m.active[s] = p.h[s], p.l[s], p.z[s], p.decay[s], p.active[s]
		m.rng.n[s] = p.rng.n[s]
	}
	for j := range m.u1 {
		p := ps[own[j]]
		m.prot[j], m.u1[j], m.u2[j], m.uT[j], m.vLast[j] = p.prot[j], p.u1[j], p.u2[j], p.uT[j], p.vLast[j]
	}
	for i, k := range l.PreFrom {
		if k >= 0 {
			m.r[i], m.rT[i] = ps[k].r[i], ps[k].rT[i]
		}
	}
	// The derived state (tag counts, the synapses stepped, the decays)
	// follows from the joined one as after a restore.
	now := m.now
	if _, err := m.RestoreState(m.AppendState(nil)); err != nil {
		return fmt.Errorf("consolidation: JoinParts: %w", err)
	}
	m.now = now
	return nil
}

// restrict drops the synapses outside the targets lo..hi−1 from the slow
// clock and the tag decays of a model restored from the whole state.
func (m *TTC) restrict(lo, hi int32) {
	out := func(s int64) bool { j := m.tgt[s]; return j < lo || j >= hi }
	m.act = slices.DeleteFunc(m.act, out)
	m.decays = slices.DeleteFunc(m.decays, func(e decayEntry) bool { return out(e.s) })
	heap.Init(&m.decays)
}
