package source

import (
	"errors"
	"slices"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
)

// TestProtocolTicks checks the four STC protocols (Frey & Morris 1997;
// Shetty et al. 2025) against their spike ticks, computed by hand from the
// definitions: every member fires at every pulse.
func TestProtocolTicks(t *testing.T) {
	const min30 = 30 * 60e3          // 30 min [ms]
	const tick30 = snnsim.Time(18e6) // 30 min at 0.1 ms
	cases := []struct {
		name  string
		p     Protocol
		clock snnsim.Clock
		want  []snnsim.Time
	}{
		// 21 pulses 10 ms (100 ticks) apart: 18 000 000, 18 000 100, ..., 18 002 000.
		{"WTET", Protocol{Protocol: "WTET", Start: min30}, dt01, pulseTicks(tick30, 0, 100, 1, 21)},
		// 3 × 100 pulses 100 ticks apart, train onsets 10 min = 6e6 ticks apart.
		{"STET", Protocol{Protocol: "STET", Start: min30}, dt01, pulseTicks(tick30, 6e6, 100, 3, 100)},
		// 900 pulses 1 s = 1e4 ticks apart.
		{"WLFS", Protocol{Protocol: "WLFS", Start: min30}, dt01, pulseTicks(tick30, 0, 1e4, 1, 900)},
		// 900 bursts 1 s apart, each of 3 pulses 50 ms = 500 ticks apart.
		{"SLFS", Protocol{Protocol: "SLFS", Start: min30}, dt01, pulseTicks(tick30, 1e4, 500, 900, 3)},
		// Case-insensitive names; at 1 ms resolution 100 Hz is 10 ticks.
		{"wtet_dt=1ms", Protocol{Protocol: "wtet", Start: 60e3}, snnsim.Clock{DT: 1}, pulseTicks(60000, 0, 10, 1, 21)},
		{"Stet_start=0", Protocol{Protocol: "Stet"}, dt01, pulseTicks(0, 6e6, 100, 3, 100)},
		// Off-grid start 0.26 ms: 2.6 ticks + j·100 rounds to 3 + j·100.
		{"SLFS_off_grid", Protocol{Protocol: "slfs", Start: 0.26}, dt01, pulseTicks(3, 1e4, 500, 900, 3)},
	}
	for _, c := range cases {
		t.Run("protocol="+c.name, func(t *testing.T) {
			const n = 100
			s := mustNew(t, c.p, n, c.clock, nil)
			f := jump(t, s, snnsim.Never)
			if got := ticksOf(f); !slices.Equal(got, c.want) {
				t.Fatalf("%d spikes %v...%v, want %d %v...%v", len(got), firstTicks(got), lastTicks(got), len(c.want), firstTicks(c.want), lastTicks(c.want))
			}
			for _, x := range f {
				if len(x.members) != n {
					t.Fatalf("tick %d: %d members fired, want all %d", x.t, len(x.members), n)
				}
			}
			// The same spikes when the engine steps every tick (a short run suffices).
			end := min(c.want[len(c.want)-1]+1, c.want[0]+30000)
			s2 := mustNew(t, c.p, n, c.clock, nil)
			var want []firing
			for _, x := range f {
				if x.t < end {
					want = append(want, x)
				}
			}
			if got := stepEvery(t, s2, end); !equalFirings(got, want) {
				t.Errorf("stepping every tick: %d firings, want %d", len(got), len(want))
			}
		})
	}
}

func firstTicks(ts []snnsim.Time) []snnsim.Time { return ts[:min(3, len(ts))] }
func lastTicks(ts []snnsim.Time) []snnsim.Time  { return ts[max(0, len(ts)-3):] }

// TestProtocolValidate checks the errors of stc_protocol, with their exact
// messages.
func TestProtocolValidate(t *testing.T) {
	for _, c := range []struct {
		name  string
		p     Protocol
		clock snnsim.Clock // zero: Validate only
		want  string
	}{
		{"missing", Protocol{}, snnsim.Clock{},
			"source: stc_protocol.protocol is missing: give one of WTET, STET, WLFS, SLFS, none"},
		{"unknown", Protocol{Protocol: "TBS"}, snnsim.Clock{},
			`source: stc_protocol.protocol = "TBS": unknown protocol; protocols: WTET, STET, WLFS, SLFS, none`},
		{"start<0", Protocol{Protocol: "WTET", Start: -1}, snnsim.Clock{},
			"source: stc_protocol.start = -1 ms: must be >= 0"},
		{"coarse_resolution", Protocol{Protocol: "stet"}, snnsim.Clock{DT: 20},
			"source: stc_protocol.protocol = \"STET\": its pulses 10 ms apart are closer than the resolution 20 ms: refine the resolution"},
	} {
		t.Run("case="+c.name, func(t *testing.T) {
			var err error
			if c.clock.DT == 0 {
				err = c.p.Validate()
			} else {
				_, err = c.p.New(3, c.clock, nil)
			}
			if err == nil || err.Error() != c.want {
				t.Fatalf("got %v\nwant %s", err, c.want)
			}
		})
	}
	// WLFS at 20 ms resolution is fine: its pulses are 1 s apart.
	if _, err := (Protocol{Protocol: "WLFS"}).New(3, snnsim.Clock{DT: 20}, nil); err != nil {
		t.Errorf("WLFS at 20 ms: %v", err)
	}
}

// TestProtocolLookupAndState: the scenario name finds the model, and a
// checkpoint of one protocol does not restore into another.
func TestProtocolLookupAndState(t *testing.T) {
	p, ok := Lookup("stc_protocol")
	if !ok || p.Model() != "stc_protocol" {
		t.Fatalf("Lookup(stc_protocol) = %v, %v", p, ok)
	}
	a := mustNew(t, Protocol{Protocol: "STET"}, 4, dt01, nil)
	a.Fire(0, nil)
	a.Fire(100, nil)
	state := a.(checkpoint.Stater).AppendState(nil)
	b := mustNew(t, Protocol{Protocol: "STET"}, 4, dt01, nil)
	if rest, err := b.(checkpoint.Stater).RestoreState(state); err != nil || len(rest) != 0 {
		t.Fatalf("RestoreState: %v (%d bytes left)", err, len(rest))
	}
	if b.Next() != 200 {
		t.Errorf("restored Next() = %d, want 200", b.Next())
	}
	w := mustNew(t, Protocol{Protocol: "WTET"}, 4, dt01, nil)
	if _, err := w.(checkpoint.Stater).RestoreState(state); !errors.Is(err, checkpoint.ErrMismatch) {
		t.Errorf("STET state into WTET: %v, want checkpoint.ErrMismatch", err)
	}
}

// TestProtocolNone: "none" never fires, at any start, and its state
// round-trips.
func TestProtocolNone(t *testing.T) {
	for _, p := range []Protocol{{Protocol: "none"}, {Protocol: "None", Start: 60e3}} {
		s := mustNew(t, p, 3, dt01, nil)
		if s.Next() != snnsim.Never {
			t.Errorf("%+v: Next() = %d, want Never", p, s.Next())
		}
		if f := stepEvery(t, s, 1000); len(f) != 0 {
			t.Errorf("%+v fired: %v", p, f)
		}
		st := s.(checkpoint.Stater).AppendState(nil)
		if _, err := mustNew(t, p, 3, dt01, nil).(checkpoint.Stater).RestoreState(st); err != nil {
			t.Errorf("%+v: RestoreState: %v", p, err)
		}
		if _, err := mustNew(t, Protocol{Protocol: "WTET"}, 3, dt01, nil).(checkpoint.Stater).RestoreState(st); !errors.Is(err, checkpoint.ErrMismatch) {
			t.Errorf("none state into WTET: %v, want checkpoint.ErrMismatch", err)
		}
	}
}
