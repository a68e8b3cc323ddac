package scenario

import (
	"strings"
	"testing"

	"github.com/snnsim/snnsim/netlist"
)

// phaseBase is a network with a luboeinski_tetzlaff_2021 projection and a
// current step (lines 1-21); phase tables follow it.
const phaseBase = head + popE + // lines 1-6
	"[[projection]]\nfrom = \"E\"\nto = \"E\"\nreceptor = \"exc\"\nconnect = { rule = \"all_to_all\" }\n" + // 7-11
	"weight = \"1 mV\"\ndelay = \"3 ms\"\nconsolidation = { model = \"luboeinski_tetzlaff_2021\" }\n" + // 12-14
	"[[stimulus]]\nkind = \"current_step\"\npopulation = \"E\"\namplitude = \"10 pA\"\nstart = \"100 ms\"\nstop = \"200 ms\"\n" + // 15-20
	"\n" // 21

// phaseTable returns a [[phase]] table of 5 lines.
func phaseTable(name, start, stop, mode string) string {
	return "[[phase]]\nname = \"" + name + "\"\nstart = \"" + start + "\"\nstop = \"" + stop + "\"\nmode = \"" + mode + "\"\n"
}

func TestPhaseErrors(t *testing.T) {
	ttc := strings.Replace(phaseBase, "luboeinski_tetzlaff_2021", "tag_trigger_consolidation", 1)
	for _, tc := range []struct {
		name string
		text string
		want string // a substring of one error, from "bad.toml:line: key:" on
	}{
		{"unknown_mode", phaseBase + phaseTable("c", "300 ms", "500 ms", "fastforward"),
			`bad.toml:26: phase[0].mode: unknown mode "fastforward" (did you mean "fast_forward"?): a phase is "spiking" or "fast_forward"`},
		{"missing_name", phaseBase + "[[phase]]\nstart = \"1 ms\"\nstop = \"2 ms\"\n",
			`bad.toml:22: phase[0].name: required key is missing`},
		{"bad_name", phaseBase + phaseTable("a b", "300 ms", "500 ms", "spiking"),
			`bad.toml:23: phase[0].name: "a b": a name may hold only letters`},
		{"duplicate_name", phaseBase + phaseTable("c", "300 ms", "400 ms", "spiking") + phaseTable("c", "500 ms", "600 ms", "spiking"),
			`bad.toml:28: phase[1].name: duplicate phase name "c" (phase[0] has it too)`},
		{"missing_stop", phaseBase + "[[phase]]\nname = \"c\"\nstart = \"1 ms\"\n",
			`bad.toml:22: phase[0].stop: required key is missing`},
		{"start_at_zero", phaseBase + phaseTable("c", "0 s", "500 ms", "fast_forward"),
			`bad.toml:24: phase[0].start: 0 ms: must be > 0 (tick 0 is the initial state)`},
		{"start_off_grid", phaseBase + phaseTable("c", "300.05 ms", "500 ms", "fast_forward"),
			`bad.toml:24: phase[0].start: duration 300.05 ms is not a whole number of ticks`},
		{"stop_before_start", phaseBase + phaseTable("c", "500 ms", "300 ms", "fast_forward"),
			`bad.toml:25: phase[0].stop: 300 ms: must be after start (500 ms)`},
		{"stop_after_duration", phaseBase + phaseTable("c", "500 ms", "2 s", "fast_forward"),
			`bad.toml:25: phase[0].stop: 2 s: after the end of the run (simulation.duration = 1 s): end the phase by then`},
		{"start_at_duration", phaseBase + phaseTable("c", "1 s", "2 s", "spiking"),
			`bad.toml:24: phase[0].start: 1 s: must be before the end of the run (simulation.duration = 1 s)`},
		{"overlap", phaseBase + phaseTable("a", "300 ms", "600 ms", "spiking") + phaseTable("b", "500 ms", "700 ms", "fast_forward"),
			`bad.toml:29: phase[1].start: 500 ms: phase "b" [500 ms, 700 ms) overlaps phase "a" [300 ms, 600 ms): phases must not overlap`},
		{"overlap_out_of_order", phaseBase + phaseTable("b", "500 ms", "700 ms", "spiking") + phaseTable("a", "300 ms", "600 ms", "spiking"),
			`bad.toml:24: phase[0].start: 500 ms: phase "b" [500 ms, 700 ms) overlaps phase "a" [300 ms, 600 ms)`},
		{"stimulus_starts_inside", phaseBase + phaseTable("c", "50 ms", "150 ms", "fast_forward"),
			`bad.toml:19: stimulus[0].start: 100 ms: inside phase "c" [50 ms, 150 ms), in which spiking is off and neurons are frozen: move the stimulus's start out of the phase`},
		{"stimulus_stops_inside", phaseBase + phaseTable("c", "150 ms", "250 ms", "fast_forward"),
			`bad.toml:20: stimulus[0].stop: 200 ms: inside phase "c" [150 ms, 250 ms)`},
		{"model_cannot_fast_forward", ttc + phaseTable("c", "300 ms", "500 ms", "fast_forward"),
			`bad.toml:26: phase[0].mode: "fast_forward": projection[0] (E_to_E) has the consolidation model tag_trigger_consolidation, which cannot run without spikes (models that can: luboeinski_tetzlaff_2021); use mode = "spiking"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode("bad.toml", []byte(tc.text))
			if err == nil {
				t.Fatalf("no error; want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error:\n%v\nwant a line containing:\n%s", err, tc.want)
			}
		})
	}
}

// TestPhaseCompile checks the compiled phases (in time order, in ticks)
// and that the edges of a phase are allowed where a stimulus switches and
// a model without fast-forward is fine in a spiking phase.
func TestPhaseCompile(t *testing.T) {
	ttc := strings.Replace(phaseBase, "luboeinski_tetzlaff_2021", "tag_trigger_consolidation", 1)
	for _, tc := range []struct {
		name string
		text string
		want []netlist.Phase
	}{
		{"two_in_reverse_order", phaseBase + phaseTable("late", "500 ms", "1 s", "fast_forward") + phaseTable("early", "250 ms", "500 ms", "fast_forward"),
			[]netlist.Phase{{Name: "early", Start: 2500, Stop: 5000, Mode: netlist.PhaseFastForward}, {Name: "late", Start: 5000, Stop: 10000, Mode: netlist.PhaseFastForward}}},
		{"ends_where_stimulus_starts", phaseBase + phaseTable("c", "50 ms", "100 ms", "fast_forward"),
			[]netlist.Phase{{Name: "c", Start: 500, Stop: 1000, Mode: netlist.PhaseFastForward}}},
		{"default_mode_spiking", phaseBase + "[[phase]]\nname = \"c\"\nstart = \"150 ms\"\nstop = \"1 s\"\n",
			[]netlist.Phase{{Name: "c", Start: 1500, Stop: 10000, Mode: netlist.PhaseSpiking}}},
		{"spiking_phase_any_model", ttc + phaseTable("c", "150 ms", "1 s", "spiking"),
			[]netlist.Phase{{Name: "c", Start: 1500, Stop: 10000, Mode: netlist.PhaseSpiking}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Decode("ok.toml", []byte(tc.text))
			if err != nil {
				t.Fatal(err)
			}
			net, err := s.Compile()
			if err != nil {
				t.Fatal(err)
			}
			if len(net.Phases) != len(tc.want) {
				t.Fatalf("%d phases, want %d", len(net.Phases), len(tc.want))
			}
			for k, p := range net.Phases {
				if *p != tc.want[k] {
					t.Errorf("phase %d = %+v, want %+v", k, *p, tc.want[k])
				}
			}
			if err := net.Check(); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestPhaseOverride turns a phase's spiking back on from the command line,
// the way to measure what a fast-forward costs.
func TestPhaseOverride(t *testing.T) {
	text := phaseBase + phaseTable("consolidation", "300 ms", "900 ms", "fast_forward")
	s, err := DecodeOverrides("o.toml", []byte(text), []string{"phase.consolidation.mode=spiking"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Phases[0].Mode != "spiking" {
		t.Errorf("mode %q after the override, want spiking", s.Phases[0].Mode)
	}
	_, err = DecodeOverrides("o.toml", []byte(text), []string{"phase.consolidation.mode=off"})
	if err == nil || !strings.Contains(err.Error(), `--set phase.consolidation.mode: phase[0].mode: unknown mode "off"`) {
		t.Errorf("bad mode override: %v", err)
	}
}
