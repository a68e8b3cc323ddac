package engine_test

import (
	"context"
	"errors"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/engine"
	"github.com/snnsim/snnsim/scenario"
)

// cancelAt is a Sink that cancels the run's context when it sees the
// first spike, and remembers that spike's tick.
type cancelAt struct {
	cancel context.CancelFunc
	at     snnsim.Time
	seen   bool
}

func (c *cancelAt) Spikes(t snnsim.Time, ids []snnsim.NeuronID) error {
	if !c.seen {
		c.seen, c.at = true, t
		c.cancel()
	}
	return nil
}

// TestRunStopsAtTheNextTick checks that a cancelled context stops Run at
// the tick after the cancellation, on one worker and on several: a tick
// of a network in runaway activity can take a long time, so an interrupt
// must not wait for a batch of ticks.
func TestRunStopsAtTheNextTick(t *testing.T) {
	sc, err := scenario.Decode("cancel.toml", []byte(`
[simulation]
duration = "10 s"

[[population]]
name = "stim"
size = 20
model = "poisson"
params = { rate = "40 Hz" }

[[population]]
name = "cell"
size = 20
model = "lif_delta"

[[projection]]
from = "stim"
to = "cell"
receptor = "exc"
connect = { rule = "all_to_all" }
weight = "3 mV"
delay = "1 ms"
`))
	if err != nil {
		t.Fatal(err)
	}
	net, err := sc.Compile()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		workers int
	}{
		{"one worker", 1},
		{"two workers", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := engine.New(net, engine.Config{Workers: tc.workers, Shortcuts: engine.ShortcutsOff})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			sink := &cancelAt{cancel: cancel}
			if err := e.Attach(sink, []int{1}); err != nil {
				t.Fatal(err)
			}
			err = e.Run(ctx, net.Duration)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Run returned %v, want context.Canceled", err)
			}
			if !sink.seen {
				t.Fatal("no spike: the test network is silent")
			}
			// Several workers stop at the end of the epoch (one min-delay
			// of 1 ms, 10 ticks) in which the sink cancelled, or of the
			// next one when it had already started.
			limit := sink.at + 1
			if tc.workers > 1 {
				limit = sink.at + 2*10
			}
			if now := e.Stats().Now; now > limit || now <= sink.at {
				t.Errorf("Run stopped at tick %d; the sink cancelled at tick %d (limit %d)", now, sink.at, limit)
			}
		})
	}
}
