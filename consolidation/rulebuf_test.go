package consolidation

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/snnsim/snnsim"
)

// ruleCase is a model of TestRuleBuffer with the rule weight it must keep
// in its rule buffer: the value of one of its variables, or a fixed one.
type ruleCase struct {
	name   string
	params func() Params
	// ruleVar is the variable the rule weight equals (index into Vars), or
	// -1 for the fixed rule weight fixed(s).
	ruleVar int
	fixed   func(s int) float64
}

func ruleCases(unit func(s int) float32) []ruleCase {
	u := func(s int) float64 { return float64(unit(s)) }
	ttc := DefaultTTC()
	ttc.Induction, ttc.TagScale = "signal", 50
	bfDW := DefaultBennaFusi()
	bfDW.Charge = chargeSignedDW
	zk := DefaultZenke()
	zk.TauCons, zk.SlowStep = 60e3, 60
	return []ruleCase{
		{"trivial", func() Params { p := DefaultTrivial(); return &p }, 0, nil},
		{"zenke_2015", func() Params { p := zk; return &p }, 0, nil},
		{"ziegler_2015", func() Params { p := DefaultZiegler(); return &p }, 1, nil},
		{"binary", func() Params { p := DefaultBinary(); p.Q = 0.5; return &p }, -1, func(s int) float64 { return u(s) * 0.5 }},
		{"cascade", func() Params { p := DefaultCascade(); p.Depth = 4; return &p }, -1, func(s int) float64 { return u(s) * 0.5 }},
		{"benna_fusi/sign", func() Params { p := DefaultBennaFusi(); return &p }, -1, u},
		{"benna_fusi/signed_dw", func() Params { p := bfDW; return &p }, -1, u},
		{"tag_trigger_consolidation/signal", func() Params { p := ttc; return &p }, -1, func(int) float64 { return 0 }},
	}
}

// TestRuleBuffer drives each model twice with the same random plasticity:
// once by editing its rule buffer, as a float32 rule does in place, and
// taking the changes per group (Changed for a source's synapses, offset
// and 0, 1, 2, and for a target's, through their indices), once by passing each change to Signal as
// dw = new − old. The two must end in the same state, bit for bit. Between
// the rule passes, spikes (Pre, Post) and slow-clock work change the
// models' own variables; after every step the rule buffer must hold every
// synapse's rule weight rounded to float32, in both models and in a model
// restored from a saved state.
func TestRuleBuffer(t *testing.T) {
	const nPre, nPost = 10, 3
	unit := func(s int) float32 { return 0.5 + 0.25*float32(s%5) }
	l := gridLayout(nPre, nPost, 11, unit)
	for _, c := range ruleCases(unit) {
		t.Run("model="+c.name, func(t *testing.T) {
			a := newConsDriver(mustNew(t, c.params(), l))
			b := newConsDriver(mustNew(t, c.params(), l))
			want := func(m synapseModel, s int) float32 {
				if c.ruleVar < 0 {
					return float32(c.fixed(s))
				}
				return float32(m.Get(c.ruleVar, int64(s)))
			}
			check := func(when string, m synapseModel) {
				t.Helper()
				for s, w := range m.RuleWeights() {
					if math.Float32bits(w) != math.Float32bits(want(m, s)) {
						t.Fatalf("%s: rule buffer[%d] = %v, want the rule weight %v", when, s, w, want(m, s))
					}
				}
			}
			check("new model", a.m)
			bufB := b.m.RuleWeights()
			r := rand.New(rand.NewPCG(5, 6))
			signals := 0
			edit := func(tk snnsim.Time, syn []int64) {
				bufA := a.m.RuleWeights()
				for _, s := range syn {
					if r.IntN(4) == 0 {
						continue // the rule leaves this synapse alone
					}
					old := bufA[s]
					nw := float32(float64(old) + 0.05*r.NormFloat64())
					bufA[s] = nw
					if dw := float64(nw) - float64(bufB[s]); dw != 0 {
						b.m.Signal(tk, s, dw)
						signals++
					}
				}
			}
			var syn []int64
			for k := range 3000 {
				tk := snnsim.Time(10 + 7*k)
				a.to(tk)
				b.to(tk)
				switch r.IntN(4) {
				case 0: // a source's arrival: the rule's presynaptic pass
					i := int32(r.IntN(nPre))
					lo, hi := int64(i)*nPost, int64(i+1)*nPost
					syn = syn[:0]
					for s := lo; s < hi; s++ {
						syn = append(syn, s)
					}
					edit(tk, syn)
					a.m.Changed(tk, lo, []int32{0, 1, 2})
					a.m.Pre(tk, i, lo, hi)
					b.m.Pre(tk, i, lo, hi)
				case 1: // a target's spike: the rule's postsynaptic pass
					j := r.IntN(nPost)
					syn = syn[:0]
					var idx []int32
					for i := range nPre {
						syn = append(syn, int64(i*nPost+j))
						idx = append(idx, int32(i*nPost+j))
					}
					edit(tk, syn)
					a.m.Changed(tk, 0, idx)
					a.m.Post(tk, int32(j))
					b.m.Post(tk, int32(j))
				default: // spikes without a rule pass
					i := int32(r.IntN(nPre))
					a.m.Pre(tk, i, int64(i)*nPost, int64(i+1)*nPost)
					b.m.Pre(tk, i, int64(i)*nPost, int64(i+1)*nPost)
					a.m.Post(tk, int32(i%nPost))
					b.m.Post(tk, int32(i%nPost))
				}
				check("rule-driven model", a.m)
				check("signalled model", b.m)
			}
			if signals < 1000 {
				t.Fatalf("only %d signals: the test did not exercise the rule path", signals)
			}
			if !bytes.Equal(a.m.AppendState(nil), b.m.AppendState(nil)) || !slices.Equal(a.w, b.w) {
				t.Fatal("rule buffer and Signal lead to different states")
			}
			c2 := newConsDriver(mustNew(t, c.params(), l))
			c2.m.RuleWeights()
			if _, err := c2.m.RestoreState(a.m.AppendState(nil)); err != nil {
				t.Fatal(err)
			}
			check("restored model", c2.m)
		})
	}
}
