package neuron

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
)

// TestSetBiasesIsSetBias drives two copies of a population with the same
// input and biases, one through SetBias per neuron and one through
// SetBiases, and requires the same spikes and the same state bytes at
// every tick: biases every tick (an OU background) but for runs of ticks
// without, in which neurons settle (settle scans skip the ticks that
// precede new biases for every neuron), a SetBias and a SetV
// on top of a batch in the same tick (they act after it), a batch for a
// later tick (kept while earlier ticks run), a batch while an operation is
// pending, a batch at the tick just updated (applied at once), and ticks
// skipped while a batch waits. The biases hover around the threshold
// drive, so neurons settle and wake; the models cover the three LIF loops,
// the conductance model and AdEx (the general path).
func TestSetBiasesIsSetBias(t *testing.T) {
	clock := snnsim.Clock{DT: 0.1}
	models := []struct {
		name string
		p    Params
		w    float32
	}{
		{"lif_exp", DefaultLIFExp(), 2},
		{"lif_delta", DefaultLIFDelta(), 2},
		{"lif_cond", DefaultLIFCond(), 0.05},
		{"lif_ampa_nmda", DefaultLIFAmpaNmda(), 0.05},
		{"adex", DefaultAdEx(), 2},
	}
	const n = 40
	for _, mc := range models {
		t.Run("model="+mc.name, func(t *testing.T) {
			a, err := mc.p.New(n, clock)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := mc.p.New(n, clock)
			bs, ok := b.(BiasSetter)
			if !ok {
				t.Fatalf("%s does not implement BiasSetter", mc.name)
			}
			r := rand.New(rand.NewPCG(4, 2))
			bias := make([]float64, n)
			var fa, fb []int32
			spikes, settled := 0, false
			targets := make([]int32, 0, n)
			weights := make([]float32, 0, n)
			set := func(tk snnsim.Time) {
				for i := range bias {
					bias[i] = 700 + 500*r.NormFloat64() // pA: around the threshold drive of 1 nA
				}
				for i, x := range bias {
					a.SetBias(tk, i, x)
				}
				bs.SetBiases(tk, bias)
				settled = settled || len(popBase(b).woken) > 0 // settled in an Update, woken by the batch
			}
			for tk := snnsim.Time(1); tk < 3000; tk++ {
				switch {
				case tk%500 == 7: // a batch for a later tick, ticks skipped meanwhile
					set(tk + 3)
					tk += 3
				case tk%300 == 11: // a pending operation, then a batch
					a.SetV(tk, 3, -60)
					b.SetV(tk, 3, -60)
					set(tk)
				case tk%40 >= 30: // ten ticks without new biases, in which neurons settle
				default:
					set(tk)
				}
				if tk%200 == 5 { // operations after the batch, in the same tick
					a.SetBias(tk, 5, 0)
					b.SetBias(tk, 5, 0)
					a.SetV(tk, 6, -50)
					b.SetV(tk, 6, -50)
				}
				targets, weights = targets[:0], weights[:0]
				for i := range int32(n) {
					if r.IntN(8) == 0 {
						targets = append(targets, i)
						weights = append(weights, mc.w)
					}
				}
				a.Deliver(tk, Exc, targets, weights)
				b.Deliver(tk, Exc, targets, weights)
				fa = a.Update(tk, fa[:0])
				fb = b.Update(tk, fb[:0])
				if !slices.Equal(fa, fb) {
					t.Fatalf("tick %d: spikes %v with SetBias, %v with SetBiases", tk, fa, fb)
				}
				spikes += len(fa)
				if tk%250 == 0 { // a batch at the tick just updated acts at once
					set(tk)
				}
				if tk%100 == 0 || tk%500 == 7 {
					if sa, sb := a.(checkpoint.Stater).AppendState(nil), b.(checkpoint.Stater).AppendState(nil); !bytes.Equal(sa, sb) {
						t.Fatalf("tick %d: states differ", tk)
					}
					if la, lb := popBase(a).nLow, popBase(b).nLow; la != lb {
						t.Fatalf("tick %d: %d drives below threshold counted with SetBias, %d with SetBiases", tk, la, lb)
					}
				}
			}
			if spikes == 0 || !settled {
				t.Fatalf("%d spikes, some neuron settled: %v; the drive should give both", spikes, settled)
			}
			// a batch still waiting is saved as the operations it stands for
			set(5000)
			if sa, sb := a.(checkpoint.Stater).AppendState(nil), b.(checkpoint.Stater).AppendState(nil); !bytes.Equal(sa, sb) {
				t.Fatal("states with a waiting batch differ")
			}
		})
	}
}
