package neuron

import (
	"testing"

	"github.com/snnsim/snnsim"
)

// TestRefractoryListBounded drives neurons at their refractory limit (a
// bias far above rheobase): each must hold at most one entry in the list
// of refractory neurons, whatever the number of spikes, and fire every
// R+1 ticks.
func TestRefractoryListBounded(t *testing.T) {
	for _, p := range []Params{
		func() Params { q := DefaultLIFExp(); q.IBias = 1e7; return q }(),
		func() Params { q := DefaultLIFDelta(); q.IBias = 1e7; return q }(),
	} {
		clock := snnsim.Clock{DT: 0.2}
		pop := mustNew(t, p, 3, clock)
		var b *base
		switch q := pop.(type) {
		case *lifExpPop:
			b = &q.base
		case *lifDeltaPop:
			b = &q.base
		}
		spikes := 0
		for tk := snnsim.Time(1); tk <= 11000; tk++ {
			spikes += len(pop.Update(tk, nil))
			if len(b.refr) > 3 {
				t.Fatalf("%s: tick %d: %d refractory entries for 3 neurons", p.Model(), tk, len(b.refr))
			}
		}
		period := int(b.rTick) + 1
		if want := 3 * 11000 / period; spikes < want-3 || spikes > want+3 {
			t.Errorf("%s: %d spikes, want %d (one every %d ticks)", p.Model(), spikes, want, period)
		}
	}
}
