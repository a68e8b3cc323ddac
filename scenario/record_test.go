package scenario

import (
	"reflect"
	"testing"

	"github.com/snnsim/snnsim"

	"github.com/snnsim/snnsim/netlist"
)

// TestCompileRecords checks that [[record]] tables compile to ticks,
// sorted neuron lists, resolved populations and the documented defaults.
func TestCompileRecords(t *testing.T) {
	text := head + popE + popP + `
[[record]]
what = "spikes"

[[record]]
what = "spikes"
populations = ["P"]
window = [["0 s", "0.25 s"], ["0.5 s", "1 s"]]

[[record]]
what = "v"
neurons = [7, 2, 0]
sample = "0.5 ms"
window = ["10 ms", "20 ms"]

[[record]]
what = "rate"
populations = ["P", "E"]
sample = "5 ms"
`
	s, err := Decode("rec.toml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	net, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	// 1 s at 0.1 ms: 10 000 ticks.
	want := []*netlist.Record{
		{What: netlist.RecordSpikes, Populations: []int{0, 1}},
		{What: netlist.RecordSpikes, Populations: []int{1}, Windows: []netlist.Window{{Start: 0, Stop: 2500}, {Start: 5000, Stop: 10000}}},
		{What: netlist.RecordV, Populations: []int{0}, Neurons: []int{0, 2, 7}, Interval: 5, Windows: []netlist.Window{{Start: 100, Stop: 200}}}, // neuron populations only
		{What: netlist.RecordRate, Populations: []int{1, 0}, Interval: 50},
	}
	for i, w := range want {
		if got := net.Records[i]; !reflect.DeepEqual(got, w) {
			t.Errorf("record[%d] = %+v, want %+v", i, got, w)
		}
	}
	for _, tc := range []struct {
		rec  int
		t    snnsim.Time
		want bool
	}{{0, 123456, true}, {1, 2499, true}, {1, 2500, false}, {1, 5000, true}, {1, 10000, false}, {2, 99, false}, {2, 100, true}} {
		if got := net.Records[tc.rec].InWindows(tc.t); got != tc.want {
			t.Errorf("record[%d].InWindows(%d) = %v", tc.rec, tc.t, got)
		}
	}
	if !netlist.RecordV.Sampled() || netlist.RecordSpikes.Sampled() || netlist.RecordRate.State() || netlist.RecordV.State() {
		t.Error("RecordKind methods")
	}
}
