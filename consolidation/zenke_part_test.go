package consolidation

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/snnsim/snnsim"
)

// TestZenkeParts splits the targets of a zenke_2015 model among three
// parts (the second owns none), each a model of the whole layout called,
// as the workers of a parallel run call theirs, only with its share of
// each arrival and its own targets' spikes, and checks at points across
// random events that the joined state (JoinParts) is, byte for byte, the
// state of one model called for every synapse, that the parts, each
// stepping w̃ of its own synapses only (SetPartSynapses), do together as
// many synapse-steps as the one model, and that parts split from a
// checkpoint of the one model (SplitParts) go on to the same state. The
// fused passes of the P11 rule (PreUpdate, PostUpdate) drive the authors'
// configuration; the defaults (skip_settled, a heterosynaptic term of the
// model's own) are driven by Signal and Post, with slow ticks at which
// some part has no active synapse.
func TestZenkeParts(t *testing.T) {
	authors := simRcP11(t)
	authors.SlowStep = 10 // slow steps between the events, so that w̃ moves
	defaults := DefaultZenke()
	defaults.SlowStep, defaults.TauCons, defaults.Beta = 10, 200, 0.5
	for _, tc := range []struct {
		name  string
		p     ZenkeParams
		fused bool
	}{{"sim_rc_p11/fused", authors, true}, {"defaults/signal", defaults, false}} {
		t.Run(tc.name, func(t *testing.T) {
			const nPre, nPost = 7, 10
			bounds := []int32{0, 4, 4, nPost}
			l := gridLayout(nPre, nPost, 3, func(s int) float32 { return 0.04 * float32(s%11) })
			pl := PartLayout{PostFirst: bounds, PreFrom: make([]int32, nPre), Target: l.Target,
				Arrival: func(s snnsim.SynapseID) (lo, hi snnsim.SynapseID, rank int64) {
					i := s / nPost
					return i * nPost, (i + 1) * nPost, i
				}}
			newParts := func() []*zenke {
				ps := make([]*zenke, len(bounds)-1)
				for k := range ps {
					ps[k] = mustNew(t, &tc.p, l).(*zenke)
					ps[k].SetPart(bounds[k], bounds[k+1])
					// The part's synapses, as the engine gives them: its
					// targets' share of each source's row.
					var spans []int64
					for i := range int64(nPre) {
						if bounds[k] < bounds[k+1] {
							spans = append(spans, i*nPost+int64(bounds[k]), i*nPost+int64(bounds[k+1]))
						}
					}
					ps[k].SetPartSynapses(spans)
				}
				return ps
			}
			one := mustNew(t, &tc.p, l).(*zenke)
			parts := newParts()
			models := func(ps []*zenke) []Model {
				out := make([]Model, len(ps))
				for k, p := range ps {
					out[k] = p
				}
				return out
			}
			owner := func(j int32) int {
				k, _ := slices.BinarySearch(bounds[1:], j+1)
				return k
			}
			rng := rand.New(rand.NewPCG(11, 12))
			q := make([]float64, nPost)
			zp := make([]float64, nPre)
			dst := make([]float32, nPost)
			var split []*zenke // parts split from a checkpoint of one, driven alongside
			step := func(tick snnsim.Time) {
				all := append([]*zenke{one}, parts...)
				all = append(all, split...)
				for _, m := range all {
					if m.Next() <= tick {
						m.Advance(tick)
					}
				}
				// Arrivals: one source's row, cut by the parts' targets.
				for range rng.IntN(3) {
					i := int64(rng.IntN(nPre))
					for j := range q {
						q[j] = rng.ExpFloat64()
					}
					c, delta := 0.05*rng.Float64(), 0.02*rng.Float64()
					dw := 0.1 * (rng.Float64() - 0.4)
					arrive := func(m *zenke, lo, hi int64) {
						if tc.fused {
							m.PreUpdate(tick, lo, l.Target[lo:hi], q, c, delta, 0, dst)
						} else {
							for s := lo; s < hi; s++ {
								m.Signal(tick, s, dw*float64(s%3))
							}
						}
						m.Pre(tick, int32(i), lo, hi)
					}
					arrive(one, i*nPost, (i+1)*nPost)
					for _, ps := range [][]*zenke{parts, split} {
						for k, m := range ps {
							if bounds[k] < bounds[k+1] {
								arrive(m, i*nPost+int64(bounds[k]), i*nPost+int64(bounds[k+1]))
							}
						}
					}
				}
				// Postsynaptic spikes.
				for j := range int32(nPost) {
					if rng.IntN(6) != 0 {
						continue
					}
					for i := range zp {
						zp[i] = rng.Float64()
					}
					a, b := 0.01*rng.Float64(), 0.2*rng.Float64()
					syn, src := make([]int32, nPre), make([]int32, nPre)
					for i := range nPre {
						syn[i], src[i] = int32(i*nPost)+j, int32(i)
					}
					spike := func(m *zenke) {
						if tc.fused {
							m.PostUpdate(tick, 0, syn, src, zp, a, b, 0, 5)
						}
						m.Post(tick, j)
					}
					spike(one)
					spike(parts[owner(j)])
					if split != nil {
						spike(split[owner(j)])
					}
				}
			}
			joined := func(ps []*zenke) []byte {
				whole := mustNew(t, &tc.p, l).(*zenke)
				if err := JoinParts(whole, models(ps), pl); err != nil {
					t.Fatal(err)
				}
				return whole.AppendState(nil)
			}
			var tick snnsim.Time
			for round := range 6 {
				for range 37 + 50*round {
					step(tick)
					tick += snnsim.Time(1 + rng.IntN(4))
				}
				if round == 3 {
					tick += 5000 // a quiet period: the defaults' synapses settle
				}
				next := snnsim.Never
				for k, p := range parts {
					next = min(next, p.Next())
					for _, s := range p.act.list {
						if j := l.Target[s]; j < bounds[k] || j >= bounds[k+1] {
							t.Fatalf("round %d: part %d has synapse %d onto target %d of another part in its active set", round, k, s, j)
						}
					}
				}
				if next != one.Next() {
					t.Fatalf("round %d: the parts' earliest work at tick %d, one model's at %d", round, next, one.Next())
				}
				// The parts together step each synapse as often as one
				// model does: none steps another part's synapses.
				var steps int64
				for _, p := range parts {
					steps += p.steps
				}
				if steps != one.steps {
					t.Fatalf("round %d: the parts did %d synapse-steps of w̃, one model %d", round, steps, one.steps)
				}
				want := one.AppendState(nil)
				if got := joined(parts); !bytes.Equal(got, want) {
					t.Fatalf("round %d, tick %d: the joined state differs from one model's", round, tick)
				}
				if split != nil {
					if got := joined(split); !bytes.Equal(got, want) {
						t.Fatalf("round %d, tick %d: the parts split from a checkpoint went on to another state", round, tick)
					}
				}
				if round == 1 {
					whole := mustNew(t, &tc.p, l).(*zenke)
					if _, err := whole.RestoreState(want); err != nil {
						t.Fatal(err)
					}
					split = newParts()
					if err := SplitParts(whole, models(split), pl); err != nil {
						t.Fatal(err)
					}
				}
			}
			moved := 0
			for s := range l.Target {
				if one.ws[2*s+1] != 0 && one.ws[2*s+1] != float64(l.Unit[s]) {
					moved++
				}
			}
			if moved == 0 {
				t.Fatal("no w̃ moved: nothing is compared")
			}
			if tc.p.SkipSettled {
				t.Logf("active synapses: one model %d, parts %d, %d, %d", one.act.len(), parts[0].act.len(), parts[1].act.len(), parts[2].act.len())
			}
		})
	}
}
