package scenario

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// adjacencyScenario is a network of 3 E and 1 I neurons whose four
// projections are cut from one adjacency file.
const adjacencyScenario = `[simulation]
duration = "1 s"
[[population]]
name = "E"
size = 3
model = "lif_exp_current"
[[population]]
name = "I"
size = 1
model = "lif_exp_current"
[[projection]]
from = "E"
to = "E"
receptor = "exc"
connect = { rule = "pairs", file = "conn.txt", format = "adjacency" }
weight = "1 mV"
delay = "3 ms"
[[projection]]
from = "E"
to = "I"
receptor = "exc"
connect = { rule = "pairs", file = "conn.txt", format = "adjacency" }
weight = "2 mV"
delay = "3 ms"
[[projection]]
from = "I"
to = "E"
receptor = "inh"
connect = { rule = "pairs", file = "conn.txt", format = "adjacency", from_first = 3, to_first = 0 }
weight = "4 mV"
delay = "3 ms"
`

// TestAdjacencyProjections compiles the scenario with a hand-written
// matrix and checks every projection's synapses against it.
func TestAdjacencyProjections(t *testing.T) {
	dir := t.TempDir()
	// rows pre, columns post: E0->E1, E0->I3, E1->E2, E2->E0, E2->I3, I3->E0, I3->E2
	conn := "0 1 0 1 \n0 0 1 0 \n1 0 0 1 \n1 0 1 0 \n"
	if err := os.WriteFile(filepath.Join(dir, "conn.txt"), []byte(conn), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Decode(filepath.Join(dir, "net.toml"), []byte(adjacencyScenario))
	if err != nil {
		t.Fatal(err)
	}
	net, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		rowStart []int64
		target   []int32
	}{
		{[]int64{0, 1, 2, 3}, []int32{1, 2, 0}}, // E->E
		{[]int64{0, 1, 1, 2}, []int32{0, 0}},    // E->I
		{[]int64{0, 2}, []int32{0, 2}},          // I->E
	}
	for k, w := range want {
		p := net.Projections[k]
		if !slices.Equal(p.RowStart, w.rowStart) || !slices.Equal(p.Target, w.target) {
			t.Errorf("projection %d: rows %v targets %v, want %v %v", k, p.RowStart, p.Target, w.rowStart, w.target)
		}
	}
}

// TestAdjacencyErrors checks that a bad matrix is reported with the file's
// line, and a block outside the matrix with the key.
func TestAdjacencyErrors(t *testing.T) {
	for _, tc := range []struct{ name, conn, scenario, want string }{
		{"ragged", "0 1 0 1 \n0 0 1 \n1 0 0 1 \n1 0 1 0 \n", adjacencyScenario,
			"conn.txt:2: projection[0].connect.file: line 2: row 1 has 3 entries, but the first row (line 1) has 4"},
		{"not 0/1", "0 1 0 1 \n0 0 1 0 \n1 0 2 1 \n1 0 1 0 \n", adjacencyScenario, "line 3, column 5: '2' is not an entry"},
		{"block outside", "0 1 0 1 \n0 0 1 0 \n1 0 0 1 \n1 0 1 0 \n",
			strings.Replace(adjacencyScenario, "from_first = 3", "from_first = 4", 1), "from_first = 4: the 1 neurons of I from there do not fit the 4×4 matrix"},
		{"format", "0 1 0 1 \n0 0 1 0 \n1 0 0 1 \n1 0 1 0 \n",
			strings.Replace(adjacencyScenario, `format = "adjacency" }
weight = "1 mV"`, `format = "matrix" }
weight = "1 mV"`, 1), `projection[0].connect.format: unknown format "matrix"`},
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "conn.txt"), []byte(tc.conn), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Decode(filepath.Join(dir, "net.toml"), []byte(tc.scenario))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v\nwant %q", tc.name, err, tc.want)
		}
	}
}
