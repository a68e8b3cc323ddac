package scenario

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/netlist"
)

// TestCompileUsesBuilders checks that Compile makes, for every connectivity
// rule, the synapses that netlist's builder makes from the stream
// connect/<projection>: a Go program that calls the builder gets the
// network of the equivalent scenario.
func TestCompileUsesBuilders(t *testing.T) {
	const seed = 12345 // twoPops's
	dir := t.TempDir()
	csv := "source,target\n3,1\n0,2\n3,0\n0,2\n1,4\n"
	if err := os.WriteFile(filepath.Join(dir, "p.csv"), []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	noSelf := netlist.ConnectOptions{NoAutapses: true}
	cases := []struct {
		name, from, to, connect string
		build                   func(r *rand.Rand, nFrom, nTo int) (netlist.Rows, error)
	}{
		{"all_to_all", "A", "B", `{ rule = "all_to_all" }`, func(_ *rand.Rand, nFrom, nTo int) (netlist.Rows, error) {
			return netlist.AllToAll(nFrom, nTo, netlist.ConnectOptions{})
		}},
		{"all_to_all onto itself", "A", "A", `{ rule = "all_to_all" }`, func(_ *rand.Rand, nFrom, nTo int) (netlist.Rows, error) {
			return netlist.AllToAll(nFrom, nTo, noSelf)
		}},
		{"one_to_one onto itself", "A", "A", `{ rule = "one_to_one", autapses = true }`, func(_ *rand.Rand, nFrom, nTo int) (netlist.Rows, error) {
			return netlist.OneToOne(nFrom, nTo)
		}},
		{"fixed_probability onto itself", "B", "B", `{ rule = "fixed_probability", p = 0.2 }`, func(r *rand.Rand, nFrom, nTo int) (netlist.Rows, error) {
			return netlist.FixedProbability(r, nFrom, nTo, 0.2, noSelf)
		}},
		{"fixed_probability with autapses", "B", "B", `{ rule = "fixed_probability", p = 0.2, autapses = true }`, func(r *rand.Rand, nFrom, nTo int) (netlist.Rows, error) {
			return netlist.FixedProbability(r, nFrom, nTo, 0.2, netlist.ConnectOptions{})
		}},
		{"fixed_indegree", "A", "B", `{ rule = "fixed_indegree", k = 7 }`, func(r *rand.Rand, nFrom, nTo int) (netlist.Rows, error) {
			return netlist.FixedIndegree(r, nFrom, nTo, 7, netlist.ConnectOptions{})
		}},
		{"fixed_outdegree with multapses", "B", "B", `{ rule = "fixed_outdegree", k = 9, multapses = true }`, func(r *rand.Rand, nFrom, nTo int) (netlist.Rows, error) {
			return netlist.FixedOutdegree(r, nFrom, nTo, 9, netlist.ConnectOptions{NoAutapses: true, Multapses: true})
		}},
		{"pairs", "A", "B", `{ rule = "pairs", file = "p.csv" }`, func(_ *rand.Rand, nFrom, nTo int) (netlist.Rows, error) {
			rows, _, err := netlist.ExplicitPairs(nFrom, nTo, []int32{3, 0, 3, 0, 1}, []int32{1, 2, 0, 2, 4})
			return rows, err
		}},
	}
	const nA, nB = 20, 30
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			net := compileText(t, filepath.Join(dir, "b.toml"), twoPops(nA, nB, c.from, c.to, c.connect))
			p := net.Projections[0]
			size := map[string]int{"A": nA, "B": nB}
			want, err := c.build(snnsim.NewRand(seed, "connect/"+p.Name), size[c.from], size[c.to])
			if err != nil {
				t.Fatal(err)
			}
			// The constant delay leaves rows in the builder's order,
			// but pairs, which Compile sorts by target.
			netlist.SortRowsByDelay(want.RowStart, want.Target, nil, nil)
			if !slices.Equal(p.RowStart, want.RowStart) || !slices.Equal(p.Target, want.Target) {
				t.Errorf("Compile made %d synapses, the builder %d, not the same ones", p.Len(), want.Len())
			}
			if p.Len() == 0 {
				t.Error("no synapses: nothing compared")
			}
		})
	}
}
