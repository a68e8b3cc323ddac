package stdp

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/snnsim/snnsim"
)

// TestJoinParts splits a projection's targets among three parts, each a
// rule called only for its own synapses (its share of each arrival, its
// own targets' spikes), as the workers of a parallel run call theirs, and
// checks at points across random trains (before any call, between the
// arrivals and the postsynaptic spikes of one tick, after silences long
// enough to move the lazy copies' epochs several times) that the joined
// state is, byte for byte, the state of one rule called for every synapse,
// and that the weights are the same. The parts of istdp_global (the fast
// variant, whose factor changes sign) take the population's spike counts
// at the end of each epoch of the count delay, one rule after each tick,
// as the workers and one worker of a parallel run pass them; a part that
// counts only its own targets' spikes is refused.
func TestJoinParts(t *testing.T) {
	dt := testClock.DT
	var cases []ruleCase // one per rule
	seen := map[string]bool{}
	for _, c := range referenceCases(dt) {
		if n := c.p.Rule(); !seen[n] {
			seen[n] = true
			cases = append(cases, c)
		}
	}
	for _, c := range globalCases() {
		if c.name == "fast" {
			cases = append(cases, ruleCase{name: "rule=istdp_global/" + c.name, p: &c.p})
		}
	}
	const countDelay = 8
	const nPre, nPost = 12, 10
	bounds := []int32{0, 3, 3, 10} // the second part owns no target
	for k, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(k), 0x501e))
			pr := newProj(nPre, nPost, 0.5, rng)
			evs := events(randomTrains(rng, pr, 20000, 8, dt), preFirst)
			// Two silences of 15 s: the epochs of lazy copies with 20 ms
			// time constants move every 8 s.
			for _, at := range []int{len(evs) / 3, 2 * len(evs) / 3} {
				for m := at; m < len(evs); m++ {
					evs[m].t += 150000
				}
			}
			mid := -1 // a tick with arrivals and postsynaptic spikes: stop between them
			for m := len(evs) / 2; m < len(evs) && mid < 0; m++ {
				if evs[m].t == evs[m-1].t && evs[m].post && !evs[m-1].post {
					mid = m
				}
			}
			pend := -1 // within the count delay after a postsynaptic spike: a count is pending
			for m := 3 * len(evs) / 4; m < len(evs) && pend < 0; m++ {
				if evs[m-1].post && evs[m].t > evs[m-1].t && evs[m].t-evs[m-1].t < countDelay {
					pend = m
				}
			}
			if pend < 0 {
				t.Fatal("no tick within the count delay after a postsynaptic spike")
			}
			stops := []int{0, len(evs)/3 + 1, mid, pend, len(evs) - 1, len(evs)}
			slices.Sort(stops)
			w0 := make([]float64, len(pr.tgt))
			for m := range w0 {
				w0[m] = 0.5 + 0.4*rng.Float64()
			}
			// The count of each tick's target spikes, passed to one rule
			// after the tick and to the parts at the end of each epoch of
			// countDelay ticks (istdp_global).
			counts := map[snnsim.Time]int{}
			for _, e := range evs {
				if e.post {
					counts[e.t]++
				}
			}
			counter := func(r Rule[float64]) PopulationCounter {
				if pc, ok := r.(PopulationCounter); ok && pc.CountsPopulation() {
					pc.SetCountDelay(countDelay)
					pc.CountExternally()
					return pc
				}
				return nil
			}
			var fedOne, fedParts snnsim.Time
			feed := func(rs []Rule[float64], fed *snnsim.Time, to snnsim.Time) {
				for ; *fed < to; *fed++ {
					for _, r := range rs {
						if pc := counter(r); pc != nil {
							pc.PopulationSpikes(*fed, counts[*fed])
						}
					}
				}
			}
			one := mustRule[float64](t, c.p, testClock, nPre, nPost)
			parts := make([]Rule[float64], len(bounds)-1)
			for q := range parts {
				parts[q] = mustRule[float64](t, c.p, testClock, nPre, nPost)
			}
			global := counter(one) != nil
			for _, r := range parts {
				counter(r)
			}
			wOne, wParts := slices.Clone(w0), slices.Clone(w0)
			l := Layout{PostFirst: bounds, PreFrom: make([]int32, nPre), ArrivalRank: func(int32) int64 { return 0 }}
			for i := range nPre {
				l.PreFrom[i] = -1
				for q := len(parts) - 1; q >= 0; q-- { // any part with synapses will do: take the last
					if lo, hi := partRow(pr, i, bounds[q], bounds[q+1]); lo < hi {
						l.PreFrom[i] = int32(q)
					}
				}
			}
			done, sawPending := 0, false
			for _, stop := range stops {
				for _, e := range evs[done:stop] {
					feed([]Rule[float64]{one}, &fedOne, e.t)
					feed(parts, &fedParts, e.t/countDelay*countDelay)
					if e.post {
						one.Post(e.t, e.n, pr.colSrc[e.n], pr.colSyn[e.n], wOne)
						q, _ := slices.BinarySearch(bounds[1:], e.n+1)
						parts[q].Post(e.t, e.n, pr.colSrc[e.n], pr.colSyn[e.n], wParts)
						continue
					}
					a, b := pr.rowStart[e.n], pr.rowStart[e.n+1]
					one.Pre(e.t, e.n, pr.tgt[a:b], wOne[a:b])
					for q := range parts {
						if lo, hi := partRow(pr, int(e.n), bounds[q], bounds[q+1]); lo < hi {
							parts[q].Pre(e.t, e.n, pr.tgt[lo:hi], wParts[lo:hi])
						}
					}
				}
				done = stop
				if stop > 0 { // a checkpoint: every count of the ticks before this one is passed
					tk := evs[stop-1].t
					if stop < len(evs) {
						tk = evs[stop].t
					}
					feed([]Rule[float64]{one}, &fedOne, tk)
					feed(parts, &fedParts, tk)
				}
				whole := mustRule[float64](t, c.p, testClock, nPre, nPost)
				if err := JoinParts(whole, parts, l); err != nil {
					t.Fatal(err)
				}
				if g, ok := one.(*ISTDP[float64]); ok && len(g.pending) > 0 {
					sawPending = true
				}
				if !bytes.Equal(whole.AppendState(nil), one.AppendState(nil)) {
					t.Fatalf("after %d of %d calls: the joined state differs from one rule's", stop, len(evs))
				}
			}
			for m := range wOne {
				if math.Float64bits(wOne[m]) != math.Float64bits(wParts[m]) {
					t.Fatalf("synapse %d: %v in parts, %v on one rule", m, wParts[m], wOne[m])
				}
			}
			if slices.Equal(wOne, w0) {
				t.Fatal("no weight changed: nothing is compared")
			}
			if global && !sawPending {
				t.Error("istdp_global: no count pending at any join: the join of pending counts is not compared")
			}
		})
	}
	t.Run("istdp_global/own_counts", func(t *testing.T) {
		g := DefaultGlobalISTDP()
		whole := mustRule[float64](t, &g, testClock, 2, 2)
		parts := []Rule[float64]{mustRule[float64](t, &g, testClock, 2, 2)}
		err := JoinParts(whole, parts, Layout{PostFirst: []int32{0, 2}, PreFrom: []int32{0, 0}, ArrivalRank: func(int32) int64 { return 0 }})
		if err == nil || !strings.Contains(err.Error(), "CountExternally") {
			t.Fatalf("parts that count their own targets' spikes joined, error %v", err)
		}
	})
}

// partRow returns the synapses lo..hi-1 of source i's row onto the
// targets first..last-1 (a row is sorted by target).
func partRow(pr *proj, i int, first, last int32) (lo, hi int) {
	row := pr.tgt[pr.rowStart[i]:pr.rowStart[i+1]]
	a, _ := slices.BinarySearch(row, first)
	b, _ := slices.BinarySearch(row, last)
	return pr.rowStart[i] + a, pr.rowStart[i] + b
}
