package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/analysis"
	"github.com/snnsim/snnsim/engine"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/scenario"
	"github.com/snnsim/snnsim/spikelog"
)

// signalContext is cancelled by SIGINT or SIGTERM.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// LogName is the log's file name inside a run directory.
const LogName = analysis.LogName

// SummaryName is the run summary's file name inside a run directory.
const SummaryName = "summary.json"

// Summary is the JSON summary that run writes next to the log.
type Summary struct {
	Scenario     string  `json:"scenario"`
	File         string  `json:"file"`
	Seed         uint64  `json:"seed"`
	Version      string  `json:"version"`
	ResolutionMs float64 `json:"resolution_ms"`
	Completed    bool    `json:"completed"`
	SimulatedS   float64 `json:"simulated_s"`
	// SimulatedThisRunS is the simulated time of this process (less than
	// SimulatedS after a resume); SimSPerWallS refers to it.
	SimulatedThisRunS float64             `json:"simulated_this_run_s"`
	WallS             float64             `json:"wall_s"`
	SimSPerWallS      float64             `json:"sim_s_per_wall_s"`
	WallSPerSimS      float64             `json:"wall_s_per_sim_s"`
	SynapticEvents    int64               `json:"synaptic_events"`
	EventsPerWallS    float64             `json:"events_per_wall_s"`
	TicksStepped      int64               `json:"ticks_stepped"`
	TicksSkipped      int64               `json:"ticks_skipped"`
	Populations       []PopulationSummary `json:"populations"`
	// SaturatedPopulations are the neuron populations without a [[guard]]
	// whose mean rate reached engine.SaturationFraction of their maximum
	// rate (one spike per t_ref plus a tick); empty for a sound run.
	SaturatedPopulations []engine.Saturation `json:"saturated_populations"`
	Log                  string              `json:"log,omitempty"`
}

// PopulationSummary is one population's line in the summary.
type PopulationSummary struct {
	Name   string  `json:"name"`
	Size   int     `json:"size"`
	Spikes int64   `json:"spikes"`
	RateHz float64 `json:"rate_hz"`
}

type runOptions struct {
	out      string
	seed     int64
	duration string
	progress string
	flush    time.Duration
	every    string   // --checkpoint-every
	until    string   // --stop-at
	sets     []string // --set KEY=VALUE overrides, in order
}

// cmdRun runs a scenario and writes its log and summary.
func cmdRun(args []string, stdout, stderr io.Writer) int {
	var o runOptions
	fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.out, "out", "", "output directory (default out/<scenario-name>)")
	fs.Int64Var(&o.seed, "seed", -1, "override the scenario's seed")
	fs.StringVar(&o.duration, "duration", "", `override the simulated duration, e.g. "2 s" or "10h"`)
	fs.StringVar(&o.progress, "progress", "auto", "progress display: auto (bar on a terminal, log lines otherwise), bar, log or none")
	fs.DurationVar(&o.flush, "flush-interval", 2*time.Second, "wall time after which the log's open block is written out (0: only full blocks, which makes logs of the same seed byte-identical)")
	fs.StringVar(&o.every, "checkpoint-every", "", `write a checkpoint every so much simulated time, e.g. "30 min" or 30m (resume with 'snnsim resume DIR')`)
	fs.StringVar(&o.until, "stop-at", "", `stop at this simulated time with a checkpoint, as an interruption would (resume later)`)
	fs.StringArrayVar(&o.sets, "set", nil, setUsage)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: snnsim run SCENARIO [flags]\n\nSimulates a scenario and writes the spike log and summary.json\n(a [memory_curves] scenario: memory_curves.csv and summary.json).\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	ctx, stop := signalContext()
	defer stop()
	code, err := runScenario(ctx, fs.Arg(0), o, stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "snnsim: %v\n", err)
	}
	return code
}

func runScenario(ctx context.Context, path string, o runOptions, stdout, stderr io.Writer) (int, error) {
	sc, err := scenario.LoadOverrides(path, o.sets)
	if err != nil {
		return 1, err
	}
	if o.seed >= 0 {
		sc.Seed = uint64(o.seed)
	}
	if sc.MemoryCurves != nil {
		return runMemoryCurves(ctx, path, sc, o, stdout, stderr)
	}
	if o.duration != "" {
		d, err := parseBioTime("--duration", o.duration)
		if err != nil {
			return 2, err
		}
		sc.Duration = d
	}
	if err := checkMemory(path, sc); err != nil {
		return 1, err
	}
	net, err := sc.Compile()
	if err != nil {
		return 1, err
	}
	s := &session{o: o, net: net, dir: o.out, text: sc.Text, sets: sc.Overrides}
	if s.dir == "" {
		s.dir = filepath.Join("out", net.Name)
	}
	if err := s.parseTimes(); err != nil {
		return 2, err
	}
	if s.eng, err = engine.New(net, engine.Config{Weights: engine.WeightsInPlace}); err != nil {
		return 1, err
	}
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return 1, err
	}
	if s.w, err = spikelog.Create(s.logPath(), logHeader(net), logOptions(o.flush)); err != nil {
		return 1, err
	}
	if err := s.w.Mark(0, analysis.RunStartMark); err != nil {
		s.w.Close()
		return 1, err
	}
	if err := attachRecords(s.eng, net, s.w, nil); err != nil {
		s.w.Close()
		return 1, err
	}
	fmt.Fprintf(stderr, "snnsim: %s: %d neurons, %d synapses, %s simulated, seed %d -> %s\n",
		path, countNeurons(net), countSynapses(net), fmtSim(net.Clock.Seconds(net.Duration)), net.Seed, s.dir)
	return s.run(ctx, stdout, stderr)
}

// setUsage documents --set for run and validate.
const setUsage = `set a scenario key, e.g. --set simulation.seed=7 or --set 'population.S2.params.start=3 h' (repeatable; ` +
	`KEY is a dotted path in which an element of [[population]], [[projection]], [[record]] ... is chosen by its name or index; ` +
	`VALUE is a TOML value, or a string when it is not one; a table VALUE replaces the whole table, so set one key at a time to keep the others)`

// runChunked runs the engine up to tick end in chunks of simulated time
// sized to take about a tenth of a second of wall time each, reporting
// progress between chunks. Chunking does not change the simulation.
func runChunked(ctx context.Context, eng *engine.Engine, end snnsim.Time, prog *progress) error {
	chunk := snnsim.Time(100)
	for eng.Now() < end {
		c := min(chunk, end-eng.Now())
		t0 := time.Now()
		if err := eng.Run(ctx, c); err != nil {
			prog.update(eng.Now())
			return err
		}
		prog.update(eng.Now())
		if el := time.Since(t0); el < 50*time.Millisecond && chunk < end {
			chunk *= 2
		} else if el > 200*time.Millisecond && chunk > 1 {
			chunk /= 2
		}
	}
	return nil
}

// logOptions maps the --flush-interval flag to writer options (0 means off).
func logOptions(flush time.Duration) spikelog.Options {
	if flush <= 0 {
		flush = -1
	}
	return spikelog.Options{FlushInterval: flush}
}

// attachRecords sends the spikes and samples that the scenario's [[record]]
// tables ask for to the log: one series per sampled population, declared
// in the log before its first sample, and the engine's protocol marks
// (stimulus onsets). When resuming, the series are in the log already
// (resumed is true) and are looked up by name instead.
func attachRecords(eng *engine.Engine, net *netlist.Network, w *spikelog.Writer, resumed *bool) error {
	eng.OnMark(w.Mark)
	return eng.AttachRecords(net.Records, w, func(s engine.Series) (engine.SampleFunc, error) {
		var id int
		if resumed != nil && *resumed {
			var ok bool
			if id, ok = w.SeriesID(s.Name); !ok {
				return nil, fmt.Errorf("the log has no series %q to continue", s.Name)
			}
		} else {
			ls := spikelog.Series{Name: s.Name, What: string(s.What), Unit: s.Unit, Interval: s.Interval, Indices: s.Indices}
			if s.Projection >= 0 {
				ls.Projection = net.Projections[s.Projection].Name
			} else {
				ls.Population = net.Populations[s.Population].Name
			}
			var err error
			if id, err = w.Declare(ls); err != nil {
				return nil, err
			}
		}
		return func(t snnsim.Time, v []float64) error { return w.Sample(id, t, v) }, nil
	})
}

func logHeader(net *netlist.Network) spikelog.Header {
	h := spikelog.Header{
		Program:  "snnsim " + snnsim.BuildVersion(),
		DT:       net.Clock.DT,
		Seed:     net.Seed,
		Scenario: net.Name,
		File:     net.File,
		Text:     net.Text,
	}
	recorded := make([]bool, len(net.Populations)) // by a spikes record
	for _, r := range net.Records {
		if r.What == netlist.RecordSpikes {
			for _, p := range r.Populations {
				recorded[p] = true
			}
		}
	}
	for k, p := range net.Populations {
		kind := spikelog.Neuron
		if p.Source != nil {
			kind = spikelog.Source
		}
		h.Populations = append(h.Populations, spikelog.Population{Name: p.Name, First: snnsim.NeuronID(p.Offset), Size: p.Size, Kind: kind,
			NotRecorded: !recorded[k]})
	}
	return h
}

func summarize(net *netlist.Network, eng *engine.Engine, wall float64, completed bool) Summary {
	st := eng.Stats()
	simS := net.Clock.Seconds(st.Now)
	s := Summary{
		Scenario: net.Name, File: net.File, Seed: net.Seed, Version: snnsim.BuildVersion(),
		ResolutionMs: net.Clock.DT, Completed: completed, SimulatedS: simS, WallS: wall,
		SynapticEvents: st.SynapticEvents, TicksStepped: st.TicksStepped, TicksSkipped: st.TicksSkipped,
	}
	if wall > 0 {
		s.SimSPerWallS = simS / wall
		s.EventsPerWallS = float64(st.SynapticEvents) / wall
	}
	if simS > 0 {
		s.WallSPerSimS = wall / simS
	}
	for i, p := range net.Populations {
		ps := PopulationSummary{Name: p.Name, Size: p.Size, Spikes: st.Spikes[i]}
		if simS > 0 && p.Size > 0 {
			ps.RateHz = float64(st.Spikes[i]) / float64(p.Size) / simS
		}
		s.Populations = append(s.Populations, ps)
	}
	s.SaturatedPopulations = append([]engine.Saturation{}, eng.Saturated()...)
	return s
}

// warnSaturated tells on w which populations of the summary fired near
// their refractory limit, where their rates no longer depend on the model.
func warnSaturated(w io.Writer, s Summary) {
	for _, p := range s.SaturatedPopulations {
		fmt.Fprintf(w, "snnsim: warning: population %q fired at %.4g Hz on average, %.0f%% of its maximum rate of %.4g Hz "+
			"(one spike per t_ref + resolution): its neurons are saturated; check the drive and the weights, "+
			"or add a [[guard]] on it to stop such a run early\n",
			p.Population, p.RateHz, 100*p.RateHz/p.MaxRateHz, p.MaxRateHz)
	}
}

// writeSummary writes s (a Summary, or a MemoryCurvesSummary) as indented
// JSON.
func writeSummary(path string, s any) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func countNeurons(net *netlist.Network) int {
	n := 0
	for _, p := range net.Populations {
		n += p.Size
	}
	return n
}

func countSynapses(net *netlist.Network) int {
	n := 0
	for _, p := range net.Projections {
		n += p.Len()
	}
	return n
}

// fmtSim formats simulated seconds readably ("850 ms", "12.5 s", "2 h 30 min").
func fmtSim(s float64) string {
	switch {
	case s < 1:
		return fmt.Sprintf("%.4g ms", s*1000)
	case s < 120:
		return fmt.Sprintf("%.4g s", s)
	case s < 7200:
		return fmt.Sprintf("%.4g min", s/60)
	}
	return fmt.Sprintf("%.4g h", s/3600)
}
