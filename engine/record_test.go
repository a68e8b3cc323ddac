package engine

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/scenario"
	"github.com/snnsim/snnsim/spikelog"
)

// sampled is one received sample.
type sampled struct {
	series string
	t      snnsim.Time
	v      []float64
}

// collector declares series and keeps their samples.
type collector struct {
	series  []Series
	samples []sampled
}

func (c *collector) declare(s Series) (SampleFunc, error) {
	c.series = append(c.series, s)
	return func(t snnsim.Time, v []float64) error {
		c.samples = append(c.samples, sampled{s.Name, t, slices.Clone(v)})
		return nil
	}, nil
}

func (c *collector) of(name string) []sampled {
	var out []sampled
	for _, s := range c.samples {
		if s.series == name {
			out = append(out, s)
		}
	}
	return out
}

func compileText(tb testing.TB, text string) *netlist.Network {
	tb.Helper()
	sc, err := scenario.Decode("test.toml", []byte(text))
	if err != nil {
		tb.Fatal(err)
	}
	net, err := sc.Compile()
	if err != nil {
		tb.Fatal(err)
	}
	return net
}

// TestProbeVClosedForm samples the membrane potential of unconnected LIF
// neurons relaxing from -55 mV towards v_rest = -60 mV and compares every
// sample with the closed form V(t) = v_rest + (V0 - v_rest) exp(-t/tau_m)
// (tau_m = 20 ms), in two windows. The neurons are at rest for the engine
// (they cannot reach threshold), so it steps only the sample ticks: the
// samples check that V is exact across the jumps.
func TestProbeVClosedForm(t *testing.T) {
	net := compileText(t, `
[simulation]
duration = "100 ms"
[[population]]
name = "A"
size = 2
model = "lif_delta"
params = { tau_m = "20 ms", v_rest = "-60 mV" }
init = { v = "-55 mV" }
[[population]]
name = "B"
size = 2
model = "lif_exp_current"
params = { tau_m = "20 ms", v_rest = "-60 mV" }
[[record]]
what = "v"
neurons = [1]
sample = "1 ms"
window = [["0 ms", "50 ms"], ["80.5 ms", "100 ms"]]
`)
	for _, cfg := range []Config{{}, {Shortcuts: ShortcutsOff}} {
		t.Run(fmt.Sprintf("shortcuts=%d", cfg.Shortcuts), func(t *testing.T) {
			e, err := New(net, cfg)
			if err != nil {
				t.Fatal(err)
			}
			var c collector
			if err := e.AttachRecords(net.Records, nil, c.declare); err != nil {
				t.Fatal(err)
			}
			if err := e.Run(context.Background(), net.Duration); err != nil {
				t.Fatal(err)
			}
			a, b := c.of("v/A"), c.of("v/B")
			// Windows [0, 500) and [805, 1000) ticks, every 10 ticks: 50 + 20 samples.
			if len(a) != 70 || len(b) != 70 || len(c.series) != 2 {
				t.Fatalf("%d and %d samples, %d series; want 70, 70, 2", len(a), len(b), len(c.series))
			}
			for k, s := range a {
				want := snnsim.Time(10 * k)
				if k >= 50 {
					want = 805 + snnsim.Time(10*(k-50))
				}
				v := -60 + 5*math.Exp(-net.Clock.Ms(want)/20)
				if s.t != want || math.Abs(s.v[0]-v) > 1e-12*60 {
					t.Fatalf("sample %d: V(%d) = %.15g mV, want V(%d) = %.15g mV", k, s.t, s.v[0], want, v)
				}
				if b[k].v[0] != -60 {
					t.Fatalf("B at rest: V(%d) = %v, want -60", b[k].t, b[k].v[0])
				}
			}
			if st := e.Stats(); cfg.Shortcuts == ShortcutsOn && st.TicksStepped > 80 {
				t.Errorf("stepped %d ticks for 70 samples: the jumps do not stop at sample ticks only", st.TicksStepped)
			}
		})
	}
}

// TestProbeRate checks population rates against counts made by hand from
// explicit spike times: 4 sources, spikes at 1, 2 (members 0 and 1), 7 and
// 15 ms, 5 ms bins.
func TestProbeRate(t *testing.T) {
	const src = `
[simulation]
duration = "20 ms"
[[population]]
name = "S"
size = 4
model = "spike_times"
params = { times = ["1 ms", "2 ms", "2 ms", "7 ms", "15 ms"], neurons = [0, 0, 1, 3, 2] }
`
	for _, tc := range []struct {
		name   string
		window string
		want   []sampled
	}{
		// Rate = spikes / (4 neurons · bin [s]): 3 spikes in 5 ms = 150 Hz.
		{"whole-run", "", []sampled{{"", 0, []float64{150}}, {"", 50, []float64{50}}, {"", 100, []float64{0}}, {"", 150, []float64{50}}}},
		// Bins cut by the window: [10, 12) ms holds no spike over 2 ms;
		// [14, 16) ms one spike over 2 ms: 1 / (4 · 0.002 s) = 125 Hz.
		{"windows", `window = [["0 ms", "12 ms"], ["14 ms", "16 ms"]]`, []sampled{{"", 0, []float64{150}}, {"", 50, []float64{50}}, {"", 100, []float64{0}}, {"", 140, []float64{125}}}},
		// Adjacent windows: the second opens at once.
		{"adjacent", `window = [["0 ms", "3 ms"], ["3 ms", "8 ms"]]`, []sampled{{"", 0, []float64{3 / (4 * 0.003)}}, {"", 30, []float64{50}}}},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			net := compileText(t, src+"[[record]]\nwhat = \"rate\"\nsample = \"5 ms\"\n"+tc.window+"\n")
			for _, chunks := range [][]snnsim.Time{{200}, {1, 2, 47, 50, 3, 97}} {
				e, _ := New(net, Config{})
				var c collector
				if err := e.AttachRecords(net.Records, nil, c.declare); err != nil {
					t.Fatal(err)
				}
				for _, d := range chunks {
					if err := e.Run(context.Background(), d); err != nil {
						t.Fatal(err)
					}
				}
				got := c.of("rate/S")
				if len(got) != len(tc.want) {
					t.Fatalf("chunks %v: %d samples %v, want %v", chunks, len(got), got, tc.want)
				}
				for k, w := range tc.want {
					if got[k].t != w.t || math.Abs(got[k].v[0]-w.v[0]) > 1e-9 {
						t.Errorf("chunks %v: sample %d = %v at %d, want %v at %d", chunks, k, got[k].v, got[k].t, w.v, w.t)
					}
				}
			}
		})
	}
}

// TestProbesInvariant runs a random network with v and rate probes whole,
// in random chunks, and with the shortcuts off: chunking changes no sample
// (bit-identical), and the shortcuts change V by rounding only.
func TestProbesInvariant(t *testing.T) {
	const dur = 6000
	net := randomNet(3, dur)
	net.Records = []*netlist.Record{
		{What: netlist.RecordV, Populations: []int{1, 2, 3}, Neurons: []int{0, 7, 99}, Interval: 7},
		{What: netlist.RecordRate, Populations: []int{0, 1}, Interval: 50, Windows: []netlist.Window{{Start: 100, Stop: 2000}, {Start: 4000, Stop: 4123}}},
		{What: netlist.RecordV, Populations: []int{1}, Interval: 1000, Windows: []netlist.Window{{Start: 3333, Stop: 6000}}},
	}
	run := func(cfg Config, chunks []snnsim.Time) *collector {
		e, err := New(net, cfg)
		if err != nil {
			t.Fatal(err)
		}
		var c collector
		if err := e.AttachRecords(net.Records, nil, c.declare); err != nil {
			t.Fatal(err)
		}
		for _, d := range chunks {
			if err := e.Run(context.Background(), d); err != nil {
				t.Fatal(err)
			}
		}
		return &c
	}
	one := run(Config{}, []snnsim.Time{dur})
	// 3 × 858 v samples (ticks 0..5999 by 7), 2 × (38 + 3) rates, 3 v samples of A#2.
	if len(one.samples) != 3*858+2*41+3 {
		t.Fatalf("%d samples", len(one.samples))
	}
	names := []string{}
	for _, s := range one.series {
		names = append(names, s.Name)
	}
	if want := []string{"v/A", "v/B", "v/C", "rate/P", "rate/A", "v/A#2"}; !slices.Equal(names, want) {
		t.Errorf("series %v, want %v", names, want)
	}
	rng := rand.New(rand.NewPCG(4, 4))
	var chunks []snnsim.Time
	for left := snnsim.Time(dur); left > 0; {
		c := min(left, snnsim.Time(1+rng.IntN(500)))
		chunks = append(chunks, c)
		left -= c
	}
	pieces := run(Config{}, chunks)
	off := run(Config{Shortcuts: ShortcutsOff}, []snnsim.Time{dur})
	for k, s := range one.samples {
		p, o := pieces.samples[k], off.samples[k]
		if p.series != s.series || p.t != s.t || !slices.Equal(p.v, s.v) {
			t.Fatalf("chunked: sample %d is %v, whole run %v", k, p, s)
		}
		if o.series != s.series || o.t != s.t {
			t.Fatalf("shortcuts off: sample %d is %v, on %v", k, o, s)
		}
		for j := range s.v {
			if math.Abs(o.v[j]-s.v[j]) > 1e-9 {
				t.Fatalf("shortcuts off: %s at %d: %v, on: %v", s.series, s.t, o.v, s.v)
			}
		}
	}
}

// TestAttachRecordsSpikes checks that spike records with windows are merged
// into one Spikes call per tick, keep only their populations and windows,
// and that a record without windows wins over one with.
func TestAttachRecordsSpikes(t *testing.T) {
	const dur = 3000
	net := randomNet(7, dur)
	all := runAll(t, net, Config{}, []snnsim.Time{dur})
	net.Records = []*netlist.Record{
		{What: netlist.RecordSpikes, Populations: []int{1}, Windows: []netlist.Window{{Start: 500, Stop: 1000}}},
		{What: netlist.RecordSpikes, Populations: []int{3, 1}, Windows: []netlist.Window{{Start: 900, Stop: 1200}, {Start: 2000, Stop: 2100}}},
		{What: netlist.RecordSpikes, Populations: []int{0}},
	}
	e, _ := New(net, Config{})
	var r recorder
	if err := e.AttachRecords(net.Records, &r, nil); err != nil {
		t.Fatal(err)
	}
	if err := e.Run(context.Background(), dur); err != nil {
		t.Fatal(err)
	}
	in := func(t snnsim.Time, ws ...netlist.Window) bool {
		for _, w := range ws {
			if w.Contains(t) {
				return true
			}
		}
		return false
	}
	var want recorder
	for k, id := range all.ids {
		tk := all.t[k]
		p := 0
		for p+1 < len(net.Populations) && int(id) >= net.Populations[p+1].Offset {
			p++
		}
		keep := false
		switch p {
		case 0:
			keep = true
		case 1:
			keep = in(tk, netlist.Window{Start: 500, Stop: 1200}, netlist.Window{Start: 2000, Stop: 2100})
		case 3:
			keep = in(tk, netlist.Window{Start: 900, Stop: 1200}, netlist.Window{Start: 2000, Stop: 2100})
		}
		if keep {
			want.t = append(want.t, tk)
			want.ids = append(want.ids, id)
		}
	}
	if len(want.t) == 0 || !slices.Equal(r.t, want.t) || !slices.Equal(r.ids, want.ids) {
		t.Fatalf("recorded %d spikes, want %d", len(r.t), len(want.t))
	}
}

func TestProbeErrors(t *testing.T) {
	net := randomNet(1, 100)
	ok := func(snnsim.Time, []float64) error { return nil }
	for _, tc := range []struct {
		name string
		p    Probe
		f    SampleFunc
		want string
	}{
		{"case=nil-func", Probe{What: netlist.RecordV, Population: 1, Interval: 1}, nil, "nil SampleFunc"},
		{"case=bad-population", Probe{What: netlist.RecordV, Population: 9, Interval: 1}, ok, "population index 9 out of range"},
		{"case=v-of-source", Probe{What: netlist.RecordV, Population: 0, Interval: 1}, ok, `"P" is a source population`},
		{"case=neuron-out-of-range", Probe{What: netlist.RecordV, Population: 1, Neurons: []int{3, 100}, Interval: 1}, ok, "Neurons[1] = 100"},
		{"case=neurons-not-increasing", Probe{What: netlist.RecordV, Population: 1, Neurons: []int{3, 3}, Interval: 1}, ok, "strictly increasing"},
		{"case=rate-with-neurons", Probe{What: netlist.RecordRate, Population: 1, Neurons: []int{3}, Interval: 1}, ok, "takes no Neurons"},
		{"case=spikes", Probe{What: netlist.RecordSpikes, Population: 1, Interval: 1}, ok, `cannot sample "spikes"`},
		{"case=interval", Probe{What: netlist.RecordRate, Population: 1}, ok, "Interval = 0 ticks"},
		{"case=window-overlap", Probe{What: netlist.RecordRate, Population: 1, Interval: 1, Windows: []netlist.Window{{Start: 0, Stop: 10}, {Start: 5, Stop: 20}}}, ok, "window 1 [5, 20)"},
		{"case=window-empty", Probe{What: netlist.RecordRate, Population: 1, Interval: 1, Windows: []netlist.Window{{Start: 5, Stop: 5}}}, ok, "window 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, _ := New(net, Config{})
			err := e.AttachProbe(tc.p, tc.f)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "engine: ") {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
	// A SampleFunc error stops the run and names the probe.
	e, _ := New(net, Config{})
	boom := fmt.Errorf("disk full")
	e.AttachProbe(Probe{What: netlist.RecordV, Population: 2, Interval: 10}, func(t snnsim.Time, _ []float64) error {
		if t == 30 {
			return boom
		}
		return nil
	})
	err := e.Run(context.Background(), 100)
	if err == nil || !strings.Contains(err.Error(), `v sample of "B" at tick 30: disk full`) {
		t.Errorf("Run: %v", err)
	}
}

// TestProbeAttachLate attaches a probe after the run has started: samples
// begin at the first grid tick at or after Now.
func TestProbeAttachLate(t *testing.T) {
	net := randomNet(2, 1000)
	e, _ := New(net, Config{})
	e.Run(context.Background(), 123)
	var ticks []snnsim.Time
	e.AttachProbe(Probe{What: netlist.RecordV, Population: 1, Neurons: []int{0}, Interval: 50, Windows: []netlist.Window{{Start: 20, Stop: 400}}},
		func(t snnsim.Time, _ []float64) error { ticks = append(ticks, t); return nil })
	e.Run(context.Background(), 1000)
	if want := []snnsim.Time{170, 220, 270, 320, 370}; !slices.Equal(ticks, want) {
		t.Errorf("ticks %v, want %v", ticks, want)
	}
}

// BenchmarkRecordCUBA runs 1 simulated second of the CUBA network (after
// half a second of transient) with its spikes logged, and with v of 100
// neurons every 1 ms and E/I rates every 10 ms on top, and reports the log
// size per spike (target <= 2 B/spike for spikes alone) and wall time.
// Compare wall-s/sim-s with BenchmarkNetworks/cuba/log=off for the
// writer's overhead.
//
//	go test ./engine -run '^$' -bench RecordCUBA -benchtime 3x -count 1 -cpu 1
func BenchmarkRecordCUBA(b *testing.B) {
	for _, what := range []string{"spikes", "spikes+v+rate"} {
		b.Run("record="+what, func(b *testing.B) {
			net := loadNet(b, "../scenarios/cuba.toml", 0)
			if what != "spikes" {
				idx := make([]int, 100)
				for i := range idx {
					idx[i] = 32 * i
				}
				net.Records = append(net.Records,
					&netlist.Record{What: netlist.RecordV, Populations: []int{0}, Neurons: idx, Interval: 10},
					&netlist.Record{What: netlist.RecordRate, Populations: []int{0, 1}, Interval: 100})
			}
			e, err := New(net, Config{})
			if err != nil {
				b.Fatal(err)
			}
			h := spikelog.Header{DT: net.Clock.DT, Populations: []spikelog.Population{
				{Name: "E", First: 0, Size: 3200, Kind: spikelog.Neuron}, {Name: "I", First: 3200, Size: 800, Kind: spikelog.Neuron}}}
			path := filepath.Join(b.TempDir(), "log")
			w, err := spikelog.Create(path, h, spikelog.Options{})
			if err != nil {
				b.Fatal(err)
			}
			err = e.AttachRecords(net.Records, w, func(s Series) (SampleFunc, error) {
				id, err := w.Declare(spikelog.Series{Name: s.Name, What: s.What, Unit: s.Unit, Population: net.Populations[s.Population].Name, Interval: s.Interval, Indices: s.Indices})
				return func(t snnsim.Time, v []float64) error { return w.Sample(id, t, v) }, err
			})
			if err != nil {
				b.Fatal(err)
			}
			second := snnsim.Time(net.Clock.TicksPerSecond())
			if err := e.Run(context.Background(), second/2); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			n := 0
			for b.Loop() {
				if err := e.Run(context.Background(), second); err != nil {
					b.Fatal(err)
				}
				n++
			}
			b.StopTimer()
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
			fi, _ := os.Stat(path)
			st := e.Stats()
			b.ReportMetric(b.Elapsed().Seconds()/float64(n), "wall-s/sim-s")
			b.ReportMetric(float64(fi.Size())/float64(st.Spikes[0]+st.Spikes[1]), "B/spike")
		})
	}
}

// BenchmarkLogOverhead measures what writing the log costs the CUBA run:
// it alternates 1 simulated second without a log and 1 with one (spikes
// only, as cuba.toml records), on two engines of the same network, so that
// drifts in machine load hit both alike, and reports the extra wall time
// and the extra CPU time of the process (which includes the encoder
// goroutine's compression, wherever it ran) as percentages of the run
// without a log. Target: < 5 % wall.
//
//	go test ./engine -run '^$' -bench LogOverhead -benchtime 20x -count 1
func BenchmarkLogOverhead(b *testing.B) {
	net := loadNet(b, "../scenarios/cuba.toml", 0)
	off, _ := New(net, Config{})
	on, _ := New(net, Config{})
	w, err := spikelog.Create(filepath.Join(b.TempDir(), "log"), spikelog.Header{DT: net.Clock.DT}, spikelog.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	if err := on.AttachRecords(net.Records, w, nil); err != nil {
		b.Fatal(err)
	}
	second := snnsim.Time(net.Clock.TicksPerSecond())
	ctx := context.Background()
	for _, e := range []*Engine{off, on} {
		if err := e.Run(ctx, second/2); err != nil {
			b.Fatal(err)
		}
	}
	var wallOff, wallOn, cpuOff, cpuOn time.Duration
	for b.Loop() {
		for k, e := range []*Engine{off, on} {
			c0, t0 := cpuTime(), time.Now()
			if err := e.Run(ctx, second); err != nil {
				b.Fatal(err)
			}
			if k == 1 {
				w.Flush() // the encoder's work for this second is done before the clock stops
			}
			dw, dc := time.Since(t0), cpuTime()-c0
			if k == 0 {
				wallOff, cpuOff = wallOff+dw, cpuOff+dc
			} else {
				wallOn, cpuOn = wallOn+dw, cpuOn+dc
			}
		}
	}
	b.ReportMetric(100*(wallOn.Seconds()/wallOff.Seconds()-1), "wall-overhead-%")
	b.ReportMetric(100*(cpuOn.Seconds()/cpuOff.Seconds()-1), "cpu-overhead-%")
	b.ReportMetric(wallOff.Seconds()/float64(b.N), "wall-s/sim-s-off")
}

// cpuTime returns the CPU time of the process, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestRecordFinal checks final = true: the last sample of each record is
// the state after the run's last tick (tick Duration−1, V from the closed
// form V(t) = v_rest + (V0 − v_rest) exp(−t/τ_m)), the samples before it
// are the interval's grid unchanged, and a grid that already reaches the
// last tick gets no second sample there. The run is split in two to check
// that the final sample does not depend on how Run is called.
func TestRecordFinal(t *testing.T) {
	for _, tc := range []struct {
		name, record string
		want         []snnsim.Time // sample ticks
	}{
		{"interval past the end", `sample = "30 ms"`, []snnsim.Time{0, 300, 600, 900, 999}},
		{"grid reaches the end", `sample = "0.3 ms"` + "\nwindow = [\"99.3 ms\", \"200 ms\"]", []snnsim.Time{993, 996, 999}},
		{"grid reaches the end, one more", `sample = "0.1 ms"` + "\nwindow = [\"99.7 ms\", \"100 ms\"]", []snnsim.Time{997, 998, 999}},
		{"window before the end", `sample = "20 ms"` + "\nwindow = [[\"0 ms\", \"30 ms\"], [\"50 ms\", \"61 ms\"]]", []snnsim.Time{0, 200, 500, 999}},
		{"window after the end", `sample = "40 ms"` + "\nwindow = [[\"0 ms\", \"50 ms\"], [\"150 ms\", \"200 ms\"]]", []snnsim.Time{0, 400, 999}},
		{"window holding the end", `sample = "40 ms"` + "\nwindow = [\"10 ms\", \"1 s\"]", []snnsim.Time{100, 500, 900, 999}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			net := compileText(t, `
[simulation]
duration = "100 ms"
[[population]]
name = "A"
size = 1
model = "lif_delta"
params = { tau_m = "20 ms", v_rest = "-60 mV" }
init = { v = "-55 mV" }
[[record]]
what = "v"
final = true
`+tc.record)
			e, err := New(net, Config{})
			if err != nil {
				t.Fatal(err)
			}
			var c collector
			if err := e.AttachRecords(net.Records, nil, c.declare); err != nil {
				t.Fatal(err)
			}
			for _, d := range []snnsim.Time{net.Duration / 3, net.Duration - net.Duration/3} {
				if err := e.Run(context.Background(), d); err != nil {
					t.Fatal(err)
				}
			}
			var got []snnsim.Time
			for _, s := range c.of("v/A") {
				got = append(got, s.t)
				if v := -60 + 5*math.Exp(-net.Clock.Ms(s.t)/20); math.Abs(s.v[0]-v) > 1e-12*60 {
					t.Errorf("V(%d) = %.15g mV, want %.15g mV", s.t, s.v[0], v)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("sample ticks %v, want %v", got, tc.want)
			}
		})
	}
}
