package engine

import (
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/scenario"
)

// stcNet compiles a scenario of the scenarios folder with overrides,
// without its records.
func stcNet(t testing.TB, file string, sets ...string) *netlist.Network {
	t.Helper()
	s, err := scenario.LoadOverrides("../scenarios/"+file, sets)
	if err != nil {
		t.Fatal(err)
	}
	s.Records = nil
	net, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	return net
}

// stcEngine returns a new engine with cfg on stcNet(t, file, sets...); its
// network is e.net.
func stcEngine(t testing.TB, cfg Config, file string, sets ...string) *Engine {
	t.Helper()
	e, err := New(stcNet(t, file, sets...), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// ticksAt converts a simulated time [ms] to ticks.
func ticksAt(t testing.TB, net *netlist.Network, ms float64) snnsim.Time {
	t.Helper()
	tk, err := net.Clock.Ticks(ms)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}
