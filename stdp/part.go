package stdp

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/snnsim/snnsim"
)

// Layout says how one projection's synapses were split among parts (rules
// of the same parameters and sizes, each called only for its own share of
// the synapses, as the workers of a parallel run call theirs): part k owns
// every synapse onto the targets PostFirst[k] .. PostFirst[k+1]−1, and is
// called with those synapses' share of each arrival and with its targets'
// spikes. Every part that has synapses from a source sees the same
// arrivals of its spikes, so each holds the same presynaptic state of it.
type Layout struct {
	// PostFirst holds len(parts)+1 entries: part k owns the targets
	// PostFirst[k] .. PostFirst[k+1]−1.
	PostFirst []int32
	// PreFrom[i] is a part with synapses from source i, or −1 when no part
	// has any (its traces are then at their initial state).
	PreFrom []int32
	// ArrivalRank orders the arrivals of the sources' spikes within one
	// tick as the whole projection sees them: source a's arrival comes
	// before b's when ArrivalRank(a) < ArrivalRank(b).
	ArrivalRank func(i int32) int64
}

// JoinParts sets the state of whole, a new rule of the whole projection
// (nothing called yet), to the state the projection would have had on one
// rule: the presynaptic traces of each source from a part with its
// synapses, the postsynaptic traces of each target from the part that owns
// it, and the lazy copies of the homeostatic, P11 and inhibitory rules
// brought to the latest tick any part was called at, with the neurons
// pending there in the order one rule holds them. The state whole then
// saves (AppendState) is, byte for byte, the one rule's. Every part must
// be of whole's type and sizes; the parts of istdp_global must take the
// whole population's spike counts (ISTDP.CountExternally), not only their
// own targets'.
func JoinParts[W Weight](whole Rule[W], parts []Rule[W], l Layout) error {
	if len(l.PostFirst) != len(parts)+1 {
		return fmt.Errorf("stdp: JoinParts: %d target bounds for %d parts", len(l.PostFirst), len(parts))
	}
	switch r := whole.(type) {
	case *Pair[W]:
		ps, err := partsOf[W](r, parts)
		if err != nil {
			return err
		}
		if err := l.check(len(r.pre.hot), len(r.post.hot)); err != nil {
			return err
		}
		l.pre(func(i int32, k int) { r.pre.copy(i, &ps[k].pre) })
		l.post(func(j int32, k int) { r.post.copy(j, &ps[k].post) })
	case *Triplet[W]:
		ps, err := partsOf[W](r, parts)
		if err != nil {
			return err
		}
		if err := l.check(len(r.r1.hot), len(r.o1.hot)); err != nil {
			return err
		}
		l.pre(func(i int32, k int) { r.r1.copy(i, &ps[k].r1); r.r2.copy(i, &ps[k].r2) })
		l.post(func(j int32, k int) { r.o1.copy(j, &ps[k].o1); r.o2.copy(j, &ps[k].o2) })
	case *Homeostatic[W]:
		ps, err := partsOf[W](r, parts)
		if err != nil {
			return err
		}
		st := func(p *Homeostatic[W]) *slowState { return &slowState{&p.pre, &p.post, &p.slow, &p.h} }
		return joinSlow(&l, st(r), mapParts(ps, st))
	case *P11[W]:
		ps, err := partsOf[W](r, parts)
		if err != nil {
			return err
		}
		st := func(p *P11[W]) *slowState { return &slowState{&p.pre, &p.post, &p.slow, &p.h} }
		return joinSlow(&l, st(r), mapParts(ps, st))
	case *ISTDP[W]:
		ps, err := partsOf[W](r, parts)
		if err != nil {
			return err
		}
		if r.global {
			if err := r.joinCount(ps); err != nil {
				return err
			}
		}
		if err := l.check(len(r.pre.hot), len(r.post.hot)); err != nil {
			return err
		}
		hs := make([]*lazyPair, len(ps))
		for k, p := range ps {
			hs[k] = &p.h
		}
		hs = syncCopies(hs, func(h *lazyPair) snnsim.Time { return h.cur }, func(k int, h *lazyPair, t snnsim.Time) { h.advance(t, &ps[k].pre, &ps[k].post) })
		l.pre(func(i int32, k int) { r.pre.copy(i, &ps[k].pre); r.h.zp.v[i] = hs[k].zp.v[i] })
		l.post(func(j int32, k int) { r.post.copy(j, &ps[k].post); r.h.zm.v[j] = hs[k].zm.v[j] })
		return r.h.join(hs, l)
	default:
		return fmt.Errorf("stdp: JoinParts: rules of type %T cannot be joined", whole)
	}
	return nil
}

// joinCount sets r's population count X and the counts pending for it to
// the parts': every part takes the same counts (CountExternally), and each
// call adds those due by its tick to X, so the part called last holds the
// counts one rule holds.
func (r *ISTDP[W]) joinCount(ps []*ISTDP[W]) error {
	var last *ISTDP[W]
	for k, p := range ps {
		if !p.external {
			return fmt.Errorf("stdp: JoinParts: %s: part %d counts only its own targets' spikes in the population rate estimate (CountExternally)", r.rule, k)
		}
		if last == nil || p.pop.hot[0].last > last.pop.hot[0].last ||
			(p.pop.hot[0].last == last.pop.hot[0].last && len(p.pending) < len(last.pending)) {
			last = p
		}
	}
	r.pop.copy(0, &last.pop)
	r.pending = slices.Clone(last.pending)
	r.gTick = -1
	return nil
}

// partsOf returns parts as rules of whole's concrete type R.
func partsOf[W Weight, R Rule[W]](whole R, parts []Rule[W]) ([]R, error) {
	ps := make([]R, len(parts))
	for k, p := range parts {
		q, ok := p.(R)
		if !ok {
			return nil, fmt.Errorf("stdp: JoinParts: part %d is a %T, the whole a %T", k, p, whole)
		}
		ps[k] = q
	}
	return ps, nil
}

// check checks the layout against the whole rule's sizes.
func (l *Layout) check(nPre, nPost int) error {
	if len(l.PreFrom) != nPre {
		return fmt.Errorf("stdp: JoinParts: %d presynaptic owners for %d sources", len(l.PreFrom), nPre)
	}
	n := len(l.PostFirst) - 1
	if l.PostFirst[0] != 0 || l.PostFirst[n] != int32(nPost) || !slices.IsSorted(l.PostFirst) {
		return fmt.Errorf("stdp: JoinParts: target bounds %v do not split %d targets", l.PostFirst, nPost)
	}
	for i, k := range l.PreFrom {
		if k < -1 || int(k) >= n {
			return fmt.Errorf("stdp: JoinParts: source %d in part %d of %d", i, k, n)
		}
	}
	return nil
}

// pre calls f for each source held by a part, with that part.
func (l *Layout) pre(f func(i int32, k int)) {
	for i, k := range l.PreFrom {
		if k >= 0 {
			f(int32(i), int(k))
		}
	}
}

// post calls f for each target with the part that owns it.
func (l *Layout) post(f func(j int32, k int)) {
	for k := 0; k+1 < len(l.PostFirst); k++ {
		for j := l.PostFirst[k]; j < l.PostFirst[k+1]; j++ {
			f(j, k)
		}
	}
}

// copy sets neuron i's trace to src's.
func (ts *traces1) copy(i int32, src *traces1) {
	ts.hot[i], ts.before[i] = src.hot[i], src.before[i]
}

// copy sets target j's traces to src's.
func (ts *homTraces) copy(j int32, src *homTraces) {
	ts.last[j], ts.after[j], ts.before[j] = src.last[j], src.after[j], src.before[j]
}

// clone returns a copy of h that shares no memory with it.
func (h *hotCopies) clone() *hotCopies {
	c := *h
	c.zp.v, c.lq.v = slices.Clone(h.zp.v), slices.Clone(h.lq.v)
	c.pendPre, c.pendPost = slices.Clone(h.pendPre), slices.Clone(h.pendPost)
	return &c
}

// clone returns a copy of h that shares no memory with it.
func (h *lazyPair) clone() *lazyPair {
	c := *h
	c.zp.v, c.zm.v = slices.Clone(h.zp.v), slices.Clone(h.zm.v)
	c.pendPre, c.pendPost = slices.Clone(h.pendPre), slices.Clone(h.pendPost)
	return &c
}

// syncCopies returns the parts' lazy copies (hotCopies or lazyPair) at
// the latest tick any part was called at: a part called last at an
// earlier tick gets a clone of its copies advanced to that tick, as its
// next call would have advanced them; the parts are not changed. The
// epochs move in fixed steps (lazyExp.advance) and each pending neuron is
// set at its own tick, so the copies hold what one rule's hold, bit for bit.
func syncCopies[H interface{ clone() H }](hs []H, tick func(H) snnsim.Time, advance func(k int, h H, t snnsim.Time)) []H {
	var cur snnsim.Time
	for _, h := range hs {
		cur = max(cur, tick(h))
	}
	out := make([]H, len(hs))
	for k, h := range hs {
		out[k] = h
		if tick(h) < cur {
			out[k] = h.clone()
			advance(k, out[k], cur)
		}
	}
	return out
}

// join sets h, the copies of the whole rule whose values are already
// joined, to the tick, epochs and pending neurons of the parts' synced
// copies hs.
func (h *hotCopies) join(hs []*hotCopies, l Layout) error {
	h.cur, h.zp.t0, h.lq.t0 = hs[0].cur, hs[0].zp.t0, hs[0].lq.t0
	for _, p := range hs {
		if p.cur != h.cur || p.zp.t0 != h.zp.t0 || p.lq.t0 != h.lq.t0 {
			return fmt.Errorf("stdp: JoinParts: parts at tick %d with epochs %d, %d and at %d with %d, %d", h.cur, h.zp.t0, h.lq.t0, p.cur, p.zp.t0, p.lq.t0)
		}
	}
	h.fp, h.fq = h.zp.factor(h.cur), h.lq.factor(h.cur)
	h.pendPre, h.pendPost = joinPending(hs, l, func(p *hotCopies) ([]int32, []int32) { return p.pendPre, p.pendPost })
	return nil
}

// join is hotCopies.join for the inhibitory rules' copies.
func (h *lazyPair) join(hs []*lazyPair, l Layout) error {
	h.cur, h.zp.t0, h.zm.t0 = hs[0].cur, hs[0].zp.t0, hs[0].zm.t0
	for _, p := range hs {
		if p.cur != h.cur || p.zp.t0 != h.zp.t0 || p.zm.t0 != h.zm.t0 {
			return fmt.Errorf("stdp: JoinParts: parts at tick %d with epochs %d, %d and at %d with %d, %d", h.cur, h.zp.t0, h.zm.t0, p.cur, p.zp.t0, p.zm.t0)
		}
	}
	h.fp, h.fm = h.zp.factor(h.cur), h.zm.factor(h.cur)
	h.pendPre, h.pendPost = joinPending(hs, l, func(p *lazyPair) ([]int32, []int32) { return p.pendPre, p.pendPost })
	return nil
}

// joinPending returns the neurons pending in the parts, as one rule holds
// them: the sources in the order of their arrivals (each once, though
// several parts may hold it), the targets in the parts' order (each part
// holds its own in the order they fired, and the parts are in the order
// of their targets).
func joinPending[H any](hs []H, l Layout, of func(H) (pre, post []int32)) (pre, post []int32) {
	for _, h := range hs {
		p, q := of(h)
		pre = append(pre, p...)
		post = append(post, q...)
	}
	slices.SortFunc(pre, func(a, b int32) int {
		return cmp.Or(cmp.Compare(l.ArrivalRank(a), l.ArrivalRank(b)), cmp.Compare(a, b))
	})
	return slices.Compact(pre), post
}

// slowState is the state the homeostatic and the P11 rules share: the
// presynaptic, postsynaptic and slow traces and the lazy copies of their
// hot loops (Zenke et al. 2013; Zenke, Agnes & Gerstner 2015).
type slowState struct {
	pre  *traces1
	post *homTraces
	slow *traces1
	h    *hotCopies
}

// mapParts applies f to every part.
func mapParts[R any](ps []R, f func(R) *slowState) []*slowState {
	out := make([]*slowState, len(ps))
	for k, p := range ps {
		out[k] = f(p)
	}
	return out
}

// joinSlow joins the parts' slowState into whole's, as JoinParts does
// for the homeostatic and the P11 rules.
func joinSlow(l *Layout, whole *slowState, ps []*slowState) error {
	if err := l.check(len(whole.pre.hot), len(whole.slow.hot)); err != nil {
		return err
	}
	hs := make([]*hotCopies, len(ps))
	for k, p := range ps {
		hs[k] = p.h
	}
	hs = syncCopies(hs, func(h *hotCopies) snnsim.Time { return h.cur }, func(k int, h *hotCopies, t snnsim.Time) { h.advance(t, ps[k].pre, ps[k].post) })
	l.pre(func(i int32, k int) { whole.pre.copy(i, ps[k].pre); whole.h.zp.v[i] = hs[k].zp.v[i] })
	l.post(func(j int32, k int) {
		whole.post.copy(j, ps[k].post)
		whole.slow.copy(j, ps[k].slow)
		whole.h.lq.v[j] = hs[k].lq.v[j]
	})
	return whole.h.join(hs, *l)
}
