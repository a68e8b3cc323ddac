package scenario

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/netlist"
)

// mtxScenario connects 3 inputs to 2 current-based neurons through a
// Matrix Market file; the test fills in the connect table's extra keys and
// the weight key.
const mtxScenario = `[simulation]
duration = "1 s"
[[population]]
name = "In"
size = 3
model = "poisson"
[[population]]
name = "E"
size = 2
model = "lif_exp_current"
[[projection]]
from = "In"
to = "E"
receptor = "exc"
connect = { rule = "pairs", format = "mtx", file = "w.mtx"EXTRA }
delay = "1 ms"
WEIGHT`

func mtxDecode(t *testing.T, mtx, extra, weight string) (*Scenario, error) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "w.mtx"), []byte(mtx), 0o644); err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(strings.Replace(mtxScenario, "EXTRA", extra, 1), "WEIGHT", weight, 1)
	return Decode(filepath.Join(dir, "net.toml"), []byte(text))
}

// TestMtxProjection compiles the weights of a real matrix times its scale,
// and a pattern matrix with the projection's weight.
func TestMtxProjection(t *testing.T) {
	const real = "%%MatrixMarket matrix coordinate real general\n% In x E\n3 2 3\n1 2 0.5\n3 1 2\n1 1 1\n"
	s, err := mtxDecode(t, real, `, scale = "0.5 mV"`, "")
	if err != nil {
		t.Fatal(err)
	}
	net, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	p := net.Projections[0]
	// Rows by source: In0 -> E1 (0.25 mV), E0 (0.5 mV); In2 -> E0 (1 mV); weights in mV.
	if !slices.Equal(p.RowStart, []int64{0, 2, 2, 3}) || !slices.Equal(p.Target, []int32{0, 1, 0}) || !slices.Equal(p.Weight, []float32{0.5, 0.25, 1}) {
		t.Errorf("rows %v targets %v weights %v", p.RowStart, p.Target, p.Weight)
	}
	const pattern = "%%MatrixMarket matrix coordinate pattern general\n3 2 2\n2 2\n3 1\n"
	s, err = mtxDecode(t, pattern, "", `weight = "0.7 mV"`)
	if err != nil {
		t.Fatal(err)
	}
	if net, err = s.Compile(); err != nil {
		t.Fatal(err)
	}
	if p := net.Projections[0]; p.Len() != 2 || p.WeightAt(0) != 0.7 || p.WeightAt(1) != 0.7 {
		t.Errorf("pattern matrix: %d synapses, weights %v", p.Len(), p.Weight)
	}
}

// TestMtxErrors: defects of the file are reported at the file's line, the
// others at the scenario's keys.
func TestMtxErrors(t *testing.T) {
	const real = "%%MatrixMarket matrix coordinate real general\n3 2 1\n1 2 0.5\n"
	cases := []struct {
		name, mtx, extra, weight, substr string
	}{
		{"file_line", "%%MatrixMarket matrix coordinate real general\n3 2 1\n1 7 0.5\n", "", "", "w.mtx:3: projection[0].connect.file: line 3, column 3"},
		{"size", "%%MatrixMarket matrix coordinate real general\n4 2 0\n", "", "", "is a 4×2 matrix, but In has 3 neurons"},
		{"negative", "%%MatrixMarket matrix coordinate integer general\n3 2 1\n1 2 -1\n", "", "", "a weight must be >= 0"},
		{"weight_and_values", real, "", `weight = "1 mV"`, "has a weight column: remove this key"},
		{"pattern_scale", "%%MatrixMarket matrix coordinate pattern general\n3 2 0\n", ", scale = 2", `weight = "1 mV"`, "no values to scale"},
		{"scale_unit", real, `, scale = "2 ms"`, "", "connect.scale"},
		{"from_first", real, ", from_first = 0", "", `unknown key "from_first"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := mtxDecode(t, c.mtx, c.extra, c.weight)
			if err == nil || !strings.Contains(err.Error(), c.substr) {
				t.Fatalf("err = %v, want one containing %q", err, c.substr)
			}
		})
	}
}

// discScenario connects an 8×6 input grid to 50 neurons through disc
// receptive fields.
const discScenario = `[simulation]
duration = "1 s"
seed = 4
[[population]]
name = "In"
size = 48
model = "poisson"
[[population]]
name = "E"
size = 50
model = "lif_exp_current"
[[projection]]
from = "In"
to = "E"
receptor = "exc"
connect = { rule = "disc_receptive_fields", width = 8, height = 6, radius = 2.5 }
weight = "1 mV"
delay = "1 ms"
`

// TestDiscFieldsRule: the rule builds what netlist.DiscReceptiveFields
// builds from the projection's stream, and refuses a grid that is not the
// source population's size.
func TestDiscFieldsRule(t *testing.T) {
	s, err := Decode("net.toml", []byte(discScenario))
	if err != nil {
		t.Fatal(err)
	}
	net, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	want, _, err := netlist.DiscReceptiveFields(snnsim.NewRand(4, "connect/In_to_E"), 50, netlist.DiscFields{Width: 8, Height: 6, Radius: 2.5, P: 1})
	if err != nil {
		t.Fatal(err)
	}
	p := net.Projections[0]
	if p.Len() < 50 || !slices.Equal(p.RowStart, want.RowStart) || !slices.Equal(p.Target, want.Target) {
		t.Errorf("the rule built %d synapses, the generator %d (or others)", p.Len(), want.Len())
	}
	_, err = Decode("net.toml", []byte(strings.Replace(discScenario, "height = 6", "height = 5", 1)))
	if err == nil || !strings.Contains(err.Error(), "connect.width: a 8×5 grid has 40 inputs, but In has 48 members") {
		t.Errorf("8×5 grid for 48 inputs: %v", err)
	}
	_, err = Decode("net.toml", []byte(strings.Replace(discScenario, "radius = 2.5", "radius = 2.5, p = 2", 1)))
	if err == nil || !strings.Contains(err.Error(), "connect.p") {
		t.Errorf("p = 2: %v", err)
	}
}
