package scenario

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/neuron"
	"github.com/snnsim/snnsim/source"

	"github.com/snnsim/snnsim/netlist"
)

// network is a scenario with random connectivity, weights, delays and
// initial state, used to test reproducibility.
const network = `[simulation]
duration = "1 s"
seed = 42

[[population]]
name = "E"
size = 400
model = "lif_exp_current"
init = { v = { uniform = ["-60 mV", "-50 mV"] } }

[[population]]
name = "I"
size = 100
model = "lif_exp_current"
init = { v = { normal = ["-55 mV", "2 mV"] } }

[[projection]]
from = "E"
to = "I"
receptor = "exc"
connect = { rule = "fixed_probability", p = 0.1 }
weight = { normal = ["1 mV", "0.2 mV"] }
delay = { uniform = ["0.5 ms", "2 ms"] }

[[projection]]
from = "I"
to = "E"
receptor = "inh"
connect = { rule = "fixed_indegree", k = 20 }
weight = { uniform = ["2 mV", "4 mV"] }
delay = "1 ms"
`

func TestCompileDeterministic(t *testing.T) {
	a := compileText(t, "n.toml", network)
	b := compileText(t, "n.toml", network)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same scenario and seed gave different networks")
	}
	s, err := Decode("n.toml", []byte(network))
	if err != nil {
		t.Fatal(err)
	}
	s.Seed = 43
	c, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(a.Projections[0].Target, c.Projections[0].Target) || slices.Equal(a.Populations[0].InitV, c.Populations[0].InitV) {
		t.Error("seeds 42 and 43 gave the same connectivity or initial state")
	}
}

// TestCompileStreamsIndependent adds a population (in front, which shifts
// every offset) and a projection, and changes a weight distribution: the
// other projections' arrays and initial states must not change.
func TestCompileStreamsIndependent(t *testing.T) {
	base := compileText(t, "n.toml", network)
	extended := strings.Replace(network, "[[population]]\nname = \"E\"", `[[population]]
name = "P"
size = 50
model = "poisson"
params = { rate = "5 Hz" }

[[projection]]
from = "P"
to = "E"
receptor = "exc"
connect = { rule = "fixed_probability", p = 0.2 }
weight = { normal = ["0.5 mV", "0.1 mV"] }
delay = { normal = ["1 ms", "0.5 ms"] }

[[population]]
name = "E"`, 1)
	// A different weight distribution for I_to_E must not change its connectivity.
	extended = strings.Replace(extended, `weight = { uniform = ["2 mV", "4 mV"] }`, `weight = "3 mV"`, 1)
	ext := compileText(t, "n.toml", extended)
	if len(ext.Populations) != 3 || len(ext.Projections) != 3 {
		t.Fatalf("extended network has %d populations and %d projections", len(ext.Populations), len(ext.Projections))
	}
	if ext.Populations[1].Offset != 50 || base.Populations[0].Offset != 0 {
		t.Errorf("offsets: E at %d in the extended network, want 50", ext.Populations[1].Offset)
	}
	byName := func(n *netlist.Network, name string) *netlist.Projection {
		for _, p := range n.Projections {
			if p.Name == name {
				return p
			}
		}
		t.Fatalf("no projection %s", name)
		return nil
	}
	e, f := byName(base, "E_to_I"), byName(ext, "E_to_I")
	if !slices.Equal(e.RowStart, f.RowStart) || !slices.Equal(e.Target, f.Target) || !slices.Equal(e.Weight, f.Weight) || !slices.Equal(e.Delay, f.Delay) {
		t.Error("E_to_I changed when a population and a projection were added")
	}
	g, h := byName(base, "I_to_E"), byName(ext, "I_to_E")
	if !slices.Equal(g.RowStart, h.RowStart) || !slices.Equal(g.Target, h.Target) {
		t.Error("I_to_E connectivity changed with its weight distribution")
	}
	if !slices.Equal(base.Populations[0].InitV, ext.Populations[1].InitV) || !slices.Equal(base.Populations[1].InitV, ext.Populations[2].InitV) {
		t.Error("initial states changed when a population was added")
	}
}

func TestCompileNetworkFields(t *testing.T) {
	s, err := Decode("dir/fields.toml", []byte(network+`
[[stimulus]]
kind = "current_step"
population = "I"
neurons = [0, 3]
amplitude = "0.2 nA"
start = "10 ms"
stop = "20.5 ms"

[[stimulus]]
kind = "current_step"
population = "E"
amplitude = "-50 pA"

[[record]]
what = "spikes"

[[record]]
what = "spikes"
populations = ["I"]
`))
	if err != nil {
		t.Fatal(err)
	}
	net, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	if net.Name != "fields" || net.File != "dir/fields.toml" || net.Seed != 42 || net.Clock.DT != 0.1 || net.Duration != 10000 {
		t.Errorf("header: name %q file %q seed %d dt %g duration %d", net.Name, net.File, net.Seed, net.Clock.DT, net.Duration)
	}
	if net.Text != s.Text || !strings.Contains(net.Text, "fixed_indegree") {
		t.Error("the network does not carry the scenario text")
	}
	if p := net.Populations[1]; p.Name != "I" || p.Size != 100 || p.Offset != 400 || p.Neuron == nil || p.Neuron.Model() != "lif_exp_current" {
		t.Errorf("population I: %+v", p)
	}
	st := net.Stimuli[0]
	if st.Population != 1 || !slices.Equal(st.Neurons, []int{0, 3}) || st.Amplitude != 200 || st.Start != 100 || st.Stop != 205 {
		t.Errorf("stimulus 0: %+v", st)
	}
	if st := net.Stimuli[1]; st.Neurons != nil || st.Amplitude != -50 || st.Start != 0 || st.Stop != 1<<63-1 {
		t.Errorf("stimulus 1: %+v", st)
	}
	if !slices.Equal(net.Records[0].Populations, []int{0, 1}) || !slices.Equal(net.Records[1].Populations, []int{1}) {
		t.Errorf("records: %v, %v", net.Records[0].Populations, net.Records[1].Populations)
	}
	if p := net.Projections[1]; p.Name != "I_to_E" || p.From != 1 || p.To != 0 || p.Receptor.String() != "inh" {
		t.Errorf("projection I_to_E: name %q from %d to %d receptor %v", p.Name, p.From, p.To, p.Receptor)
	}
	// The network's parameters are copies: changing the scenario's later
	// does not reach into a compiled network.
	if reflect.ValueOf(net.Populations[0].Neuron).Pointer() == reflect.ValueOf(s.Populations[0].Neuron).Pointer() {
		t.Error("the network shares parameter structs with the scenario")
	}
}

// TestCompileRevalidates checks that Compile rejects a scenario made invalid
// after decoding, as the CLI's overrides could.
func TestCompileRevalidates(t *testing.T) {
	s, err := Decode("n.toml", []byte(network))
	if err != nil {
		t.Fatal(err)
	}
	s.Duration = 0.05 // half a tick
	_, err = s.Compile()
	if err == nil || !strings.Contains(err.Error(), "n.toml:2: simulation.duration: duration 0.05 ms is not a whole number of ticks") {
		t.Errorf("Compile with an off-grid duration: %v", err)
	}
}

// TestScenarioFiles decodes and compiles every scenario in ../scenarios.
func TestScenarioFiles(t *testing.T) {
	files, err := filepath.Glob("../scenarios/*.toml")
	if err != nil || len(files) == 0 {
		t.Skip("no scenario files")
	}
	for _, f := range files {
		t.Run("file="+filepath.Base(f), func(t *testing.T) {
			s, err := Load(f)
			if err != nil {
				t.Fatal(err)
			}
			net, err := s.Compile()
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range net.Projections {
				checkCSR(t, p, net.Populations[p.From].Size, net.Populations[p.To].Size)
			}
			if err := net.Check(); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestDocExample decodes the annotated scenario of doc.go, so that the
// documentation stays valid.
func TestDocExample(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	in := false
	for _, l := range strings.Split(string(src), "\n") {
		switch {
		case strings.HasPrefix(l, "// # Scenario format"):
			in = true
		case in && strings.HasPrefix(l, "// # "):
			in = false
		case in && strings.HasPrefix(l, "//\t"):
			lines = append(lines, strings.TrimPrefix(l, "//\t"))
		case in && l == "//" && len(lines) > 0:
			lines = append(lines, "")
		}
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "s1_pairs.csv"), []byte("source,target\n0,5\n99,3199\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	text := strings.Join(lines, "\n")
	s, err := Decode(filepath.Join(dir, "doc.toml"), []byte(text))
	if err != nil {
		t.Fatalf("the example of doc.go does not decode:\n%v\n\n%s", err, text)
	}
	if s.Name != "cuba" || len(s.Populations) != 4 || len(s.Projections) != 4 || len(s.Stimuli) != 2 || len(s.Records) != 7 || len(s.Drugs) != 1 {
		t.Errorf("decoded %q: %d populations, %d projections, %d stimuli, %d records, %d drugs",
			s.Name, len(s.Populations), len(s.Projections), len(s.Stimuli), len(s.Records), len(s.Drugs))
	}
	net, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	if err := net.Check(); err != nil {
		t.Error(err)
	}
}

// TestCompileLargeFixedProbability compiles a 20000 x 20000 projection at
// p = 0.05 (2e7 synapses) and checks the memory it allocates: the target
// and weight arrays (4 + 4 bytes per synapse) plus at most a few percent.
func TestCompileLargeFixedProbability(t *testing.T) {
	if testing.Short() {
		t.Skip("2e7 synapses; skipped with -short")
	}
	s, err := Decode("big.toml", []byte(twoPops(20000, 20000, "A", "B", `{ rule = "fixed_probability", p = 0.05 }`)))
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	net, err := s.Compile()
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	p := net.Projections[0]
	n := float64(p.Len())
	perSyn := float64(after.TotalAlloc-before.TotalAlloc) / n
	t.Logf("%d synapses in %v (%.0f ns/synapse), %.2f bytes/synapse allocated", p.Len(), elapsed, float64(elapsed.Nanoseconds())/n, perSyn)
	// Expected 2e7, sd sqrt(2e7·0.95) ≈ 4359.
	if d := n - 2e7; d > 5*4359 || d < -5*4359 {
		t.Errorf("%g synapses, want 2e7 ± 21800", n)
	}
	if perSyn > 12 {
		t.Errorf("%.2f bytes allocated per synapse, want <= 12", perSyn)
	}
}

// BenchmarkCompileFixedProbability measures the draw of a 20000 x 20000
// projection at p = 0.05:
//
//	go test -run '^$' -bench CompileFixedProbability -benchmem ./scenario/
func BenchmarkCompileFixedProbability(b *testing.B) {
	s, err := Decode("big.toml", []byte(twoPops(20000, 20000, "A", "B", `{ rule = "fixed_probability", p = 0.05 }`)))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var syn int
	for b.Loop() {
		net, err := s.Compile()
		if err != nil {
			b.Fatal(err)
		}
		syn = net.Projections[0].Len()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(syn), "ns/synapse")
}

// TestCompileBuiltInCode builds a Scenario without a file, as a program
// embedding the simulator might, and compiles it.
func TestCompileBuiltInCode(t *testing.T) {
	lif, _ := neuron.Lookup("lif_delta")
	poisson, _ := source.Lookup("poisson")
	s := &Scenario{
		Name: "code", Seed: 5, Duration: 100, Resolution: 0.1,
		Populations: []*PopulationSpec{
			{Name: "P", Size: 10, Model: "poisson", Source: poisson},
			{Name: "N", Size: 4, Model: "lif_delta", Neuron: lif, InitV: Fixed(-65, snnsim.Voltage)},
		},
		Projections: []*ProjectionSpec{{
			From: "P", To: "N", Receptor: neuron.Exc,
			Connect: Connect{Rule: FixedOutdegree, K: 2},
			Weight:  Fixed(0.5, snnsim.Voltage),
			Delay:   &Dist{Kind: Uniform, Dim: snnsim.TimeDim, A: 1, B: 2, Lo: math.Inf(-1), Hi: math.Inf(1)},
		}},
	}
	net, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	p := net.Projections[0]
	checkCSR(t, p, 10, 4)
	if p.Name != "P_to_N" || p.Len() != 20 || net.Populations[1].Offset != 10 || net.Populations[1].InitV[3] != -65 {
		t.Errorf("name %q, %d synapses, offset %d", p.Name, p.Len(), net.Populations[1].Offset)
	}
	// Errors of a scenario built in code have keys but no file or line.
	s.Projections[0].Weight = Fixed(1, snnsim.Current)
	_, err = s.Compile()
	if err == nil || !strings.HasPrefix(err.Error(), "projection[0].weight: a weight onto lif_delta neurons is a voltage jump") {
		t.Errorf("weight in pA onto lif_delta: %v", err)
	}
}
