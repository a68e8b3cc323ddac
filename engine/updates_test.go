package engine

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/snnsim/snnsim"
)

// TestPlasticityUpdates counts the synapse visits of plasticity on
// all-to-all projections from population 0 (nPre neurons) to population 1
// (nPost): every presynaptic spike that arrives before the end (its tick
// plus the delay) reaches nPost synapses, and every postsynaptic spike
// nPre; the static input of the spike-time scenario is not counted. The
// cases are an STDP rule (1000 Poisson inputs onto one neuron, Song,
// Miller & Abbott 2000) and a consolidation model (one synapse of
// Luboeinski & Tetzlaff 2021 with a spike train).
func TestPlasticityUpdates(t *testing.T) {
	cases := []struct {
		file string
		dur  float64 // simulated ms, 0: the scenario's
	}{
		{"../scenarios/song_abbott_competition.toml", 2000},
		{"../scenarios/lt2021_basic_early.toml", 0},
	}
	for _, c := range cases {
		t.Run(filepath.Base(c.file), func(t *testing.T) {
			net := loadNet(t, c.file, 0)
			if c.dur > 0 {
				net.Duration = snnsim.Time(c.dur / net.Clock.DT)
			}
			pr := net.Projections[0]
			if pr.From != 0 || pr.To != 1 || pr.Delay != nil {
				t.Fatalf("projection 0 goes from %d to %d (delays per synapse: %v); the test needs 0 → 1 with one delay", pr.From, pr.To, pr.Delay != nil)
			}
			nPre, nPost := net.Populations[0].Size, net.Populations[1].Size
			if int(pr.Len()) != nPre*nPost {
				t.Fatalf("%d synapses, want all-to-all %d × %d", pr.Len(), nPre, nPost)
			}
			e, err := New(net, Config{})
			if err != nil {
				t.Fatal(err)
			}
			var pre, post recorder
			e.Attach(&pre, []int{0})
			e.Attach(&post, []int{1})
			if err := e.Run(context.Background(), net.Duration); err != nil {
				t.Fatal(err)
			}
			want := int64(len(post.t)) * int64(nPre)
			for _, s := range pre.t {
				if s+pr.ConstDelay < net.Duration {
					want += int64(nPost)
				}
			}
			if got := e.Stats().PlasticityUpdates; got != want || want == 0 {
				t.Errorf("%d plasticity updates, want %d (%d presynaptic and %d postsynaptic spikes)", got, want, len(pre.t), len(post.t))
			}
		})
	}
}
