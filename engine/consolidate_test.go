package engine

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
	"github.com/snnsim/snnsim/checkpoint/checkpointtest"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/scenario"
)

// consSnapshot returns the delivered weights of every projection, every
// consolidation variable of every synapse and every per-neuron variable of
// every target population with a model, as float64 values to compare bit
// for bit.
func consSnapshot(t testing.TB, e *Engine) []float64 {
	t.Helper()
	var out []float64
	for k := range e.projs {
		w, err := e.Weights(k)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range w {
			out = append(out, float64(v))
		}
		for _, name := range e.SynapseVars(k) {
			for syn := range snnsim.SynapseID(e.projs[k].Len()) {
				x, err := e.SynapseState(k, syn, name)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, x)
			}
		}
	}
	for _, g := range e.groups {
		for _, name := range g.neuronVars() {
			for i := range e.pops[g.pop].neurons.Len() {
				x, err := e.NeuronState(g.pop, i, name)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, x)
			}
		}
	}
	return out
}

// sameBits reports the first index at which a and b differ bit for bit,
// or -1.
func sameBits(a, b []float64) int {
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return i
		}
	}
	return -1
}

// apiNet: one tag-trigger-consolidation projection S_to_N (S: 50 fibres,
// N: 2 AdEx neurons) and one plain projection S_to_M onto a LIF neuron M.
const apiNet = `
[simulation]
duration   = "1 h"
resolution = "1 ms"
seed       = 3

[[population]]
name  = "N"
size  = 2
model = "adex"

[[population]]
name  = "M"
size  = 1
model = "lif_delta"

[[population]]
name   = "S"
size   = 50
model  = "stc_protocol"
params = { protocol = "WTET", start = "1 min" }

[[projection]]
from          = "S"
to            = "N"
receptor      = "exc"
connect       = { rule = "all_to_all" }
weight        = "1 mV"
delay         = "1 ms"
consolidation = { model = "tag_trigger_consolidation" }

[[projection]]
from     = "S"
to       = "M"
receptor = "exc"
connect  = { rule = "all_to_all" }
weight   = "0.1 mV"
delay    = "1 ms"
`

func newAPIEngine(t *testing.T) *Engine {
	t.Helper()
	s, err := scenario.Decode("api.toml", []byte(apiNet))
	if err != nil {
		t.Fatal(err)
	}
	net, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(net, Config{})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestConsolidationAPIErrors: every misuse of the embedding API for
// consolidation is an error that names the offending index, name or
// value, and leaves the engine's state unchanged.
func TestConsolidationAPIErrors(t *testing.T) {
	e, ref := newAPIEngine(t), newAPIEngine(t)
	// Projections: 0 S_to_N (100 synapses, TTC), 1 S_to_M (50, none).
	// Populations: 0 N, 1 M, 2 S.
	for _, x := range []*Engine{e, ref} {
		if err := x.Run(context.Background(), ticksAt(t, e.net, 61e3)); err != nil { // after the WTET: tags set
			t.Fatal(err)
		}
	}
	nan := math.NaN()
	for _, c := range []struct {
		name string
		call func() error
		want string
	}{
		{"SynapseState/projection=-1", func() error { _, err := e.SynapseState(-1, 0, "z"); return err }, "engine: SynapseState: projection -1 out of range [0, 2)"},
		{"SynapseState/projection=2", func() error { _, err := e.SynapseState(2, 0, "z"); return err }, "engine: SynapseState: projection 2 out of range [0, 2)"},
		{"SynapseState/no_model", func() error { _, err := e.SynapseState(1, 0, "z"); return err }, `engine: SynapseState: projection "S_to_M" has no consolidation model`},
		{"SynapseState/synapse=-1", func() error { _, err := e.SynapseState(0, -1, "z"); return err }, `engine: SynapseState: synapse -1 of "S_to_N" out of range [0, 100)`},
		{"SynapseState/synapse=100", func() error { _, err := e.SynapseState(0, 100, "z"); return err }, `engine: SynapseState: synapse 100 of "S_to_N" out of range [0, 100)`},
		{"SynapseState/unknown_variable", func() error { _, err := e.SynapseState(0, 0, "weight"); return err },
			`engine: SynapseState: model tag_trigger_consolidation has no variable "weight" (has [efficacy h l z])`},
		{"SynapseState/empty_variable", func() error { _, err := e.SynapseState(0, 0, ""); return err }, `has no variable ""`},
		{"SetSynapseState/projection=-1", func() error { return e.SetSynapseState(-1, 0, "z", 1) }, "engine: SetSynapseState: projection -1 out of range [0, 2)"},
		{"SetSynapseState/no_model", func() error { return e.SetSynapseState(1, 0, "z", 1) }, `engine: SetSynapseState: projection "S_to_M" has no consolidation model`},
		{"SetSynapseState/synapse=100", func() error { return e.SetSynapseState(0, 100, "z", 1) }, `engine: SetSynapseState: synapse 100 of "S_to_N" out of range [0, 100)`},
		{"SetSynapseState/unknown_variable", func() error { return e.SetSynapseState(0, 0, "Z", 1) },
			`engine: SetSynapseState: model tag_trigger_consolidation has no variable "Z" (has [efficacy h l z])`},
		{"SetSynapseState/read_only", func() error { return e.SetSynapseState(0, 0, "h", 1) }, "variable h is read-only (only z can be set"},
		{"SetSynapseState/out_of_range", func() error { return e.SetSynapseState(0, 0, "z", 1.5) }, "z = 1.5: must be in [0, 1]"},
		{"SetSynapseState/NaN", func() error { return e.SetSynapseState(0, 0, "z", nan) }, "z = NaN: must be in [0, 1]"},
		{"NeuronState/population=-1", func() error { _, err := e.NeuronState(-1, 0, "protein"); return err }, "engine: NeuronState: population -1 is not a neuron population"},
		{"NeuronState/source_population", func() error { _, err := e.NeuronState(2, 0, "protein"); return err }, "engine: NeuronState: population 2 is not a neuron population"},
		{"NeuronState/neuron=2", func() error { _, err := e.NeuronState(0, 2, "protein"); return err }, `engine: NeuronState: neuron 2 of "N" out of range [0, 2)`},
		{"NeuronState/unknown_variable", func() error { _, err := e.NeuronState(0, 0, "dopamine"); return err },
			`engine: NeuronState: no consolidation model onto "N" has a neuron variable "dopamine"`},
		{"NeuronState/no_model", func() error { _, err := e.NeuronState(1, 0, "protein"); return err },
			`engine: NeuronState: no consolidation model onto "M" has a neuron variable "protein"`},
		{"SetLevel/population=3", func() error { return e.SetLevel(3, "inhibitor", 1) }, "engine: SetLevel: population 3 is not a neuron population"},
		{"SetLevel/source_population", func() error { return e.SetLevel(2, "inhibitor", 1) }, "engine: SetLevel: population 2 is not a neuron population"},
		{"SetLevel/no_model", func() error { return e.SetLevel(1, "inhibitor", 1) }, `engine: no consolidation model onto "M" reads the level "inhibitor"`},
		{"SetLevel/level_not_read", func() error { return e.SetLevel(0, "dopamine", 1) }, `engine: no consolidation model onto "N" reads the level "dopamine"`},
		{"SetLevel/NaN", func() error { return e.SetLevel(0, "inhibitor", nan) }, `engine: inhibitor on "N": consolidation: tag_trigger_consolidation: inhibitor level NaN`},
		{"SetWeight/consolidation", func() error { return e.SetWeight(0, 3, 2) },
			`engine: SetWeight: projection "S_to_N" has the consolidation model tag_trigger_consolidation, which sets its weights from its own variables: use SetSynapseState (variables [efficacy h l z])`},
		{"SetWeight/synapse=100", func() error { return e.SetWeight(0, 100, 2) }, "engine: SetWeight:"},
		{"SetWeight/projection=2", func() error { return e.SetWeight(2, 0, 2) }, "engine: SetWeight: projection 2 out of range [0, 2)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.call()
			if err == nil {
				t.Fatalf("no error, want %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error\n\t%v\nwant it to contain\n\t%s", err, c.want)
			}
		})
	}
	for _, k := range []int{-1, 1, 2} {
		if v := e.SynapseVars(k); v != nil {
			t.Errorf("SynapseVars(%d) = %v, want nil", k, v)
		}
	}
	if v := e.SynapseVars(0); !slices.Equal(v, []string{"efficacy", "h", "l", "z"}) {
		t.Errorf("SynapseVars(0) = %v", v)
	}
	// The refused calls change nothing: the run goes on as one without
	// them. (The reading calls bring a model's lazy state up to date, which
	// a run would do anyway, so the states are compared after running.)
	var a, b bytes.Buffer
	for _, x := range []*Engine{e, ref} {
		if err := x.Run(context.Background(), ticksAt(t, e.net, 30*60e3)-x.Now()); err != nil {
			t.Fatal(err)
		}
	}
	e.Checkpoint(&a, nil)
	ref.Checkpoint(&b, nil)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Errorf("the refused calls changed the run")
	}
}

// TestSetWeightConsolidation: SetWeight refuses a projection with a
// consolidation model (the model writes the delivered weights from its
// variables and would overwrite the value), and still sets a plain one;
// SetSynapseState is the way, and its weight lasts.
func TestSetWeightConsolidation(t *testing.T) {
	e := newAPIEngine(t)
	w0, _ := e.Weights(0)
	err := e.SetWeight(0, 7, 2.5)
	if err == nil || !strings.Contains(err.Error(), "SetSynapseState") {
		t.Fatalf("SetWeight on a consolidating projection: %v, want an error pointing to SetSynapseState", err)
	}
	if w, _ := e.Weights(0); !slices.Equal(w, w0) {
		t.Errorf("the refused SetWeight changed the weights")
	}
	if err := e.SetWeight(1, 7, 0.25); err != nil {
		t.Fatalf("SetWeight on a plain projection: %v", err)
	}
	if w, _ := e.Weights(1); w[7] != 0.25 {
		t.Errorf("plain projection: weight %g after SetWeight 0.25", w[7])
	}
	// Synapse 7 starts without a late phase (efficacy 1); z = 1 makes it 3.
	if z, _ := e.SynapseState(0, 7, "z"); z != 0 {
		t.Fatalf("synapse 7 starts with z = %g; the test wants 0", z)
	}
	if err := e.SetSynapseState(0, 7, "z", 1); err != nil {
		t.Fatal(err)
	}
	// Through the WTET at 1 min (the model refreshes delivered weights at
	// spikes and slow steps) and 10 min on.
	if err := e.Run(context.Background(), ticksAt(t, e.net, 11*60e3)); err != nil {
		t.Fatal(err)
	}
	z, _ := e.SynapseState(0, 7, "z")
	eff, _ := e.SynapseState(0, 7, "efficacy")
	w, _ := e.Weights(0)
	if z != 1 || math.Abs(float64(w[7])-eff*float64(w0[7])) > 1e-6 || eff < 2.9 {
		t.Errorf("after SetSynapseState z = 1 and 11 min: z %g, efficacy %g, delivered %g (unit %g)", z, eff, w[7], w0[7])
	}
}

// TestConsolidationConcurrent runs each consolidating scenario (TTC and
// Ziegler) in two engines in goroutines at once and in one alone: spikes,
// weights and every consolidation variable agree bit for bit (run with
// -race to check for data races: the models share nothing between
// engines).
func TestConsolidationConcurrent(t *testing.T) {
	for _, c := range []struct {
		file string
		end  float64 // [ms]
	}{
		{"stc_capture.toml", 3 * 3600e3},
		{"stc_ziegler.toml", 2 * 3600e3},
	} {
		t.Run(c.file, func(t *testing.T) {
			net := stcNet(t, c.file)
			d := ticksAt(t, net, c.end)
			run := func() (*recorder, []float64, error) {
				e, err := New(net, Config{})
				if err != nil {
					return nil, nil, err
				}
				r := &recorder{}
				e.Attach(r, nil)
				if err := e.Run(context.Background(), d); err != nil {
					return nil, nil, err
				}
				return r, consSnapshot(t, e), nil
			}
			alone, want, err := run()
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			recs := make([]*recorder, 2)
			snaps := make([][]float64, 2)
			for k := range recs {
				wg.Go(func() {
					var err error
					if recs[k], snaps[k], err = run(); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			for k := range recs {
				if recs[k] == nil || !slices.Equal(recs[k].t, alone.t) || !slices.Equal(recs[k].ids, alone.ids) {
					t.Errorf("engine %d in parallel: spikes differ from the engine alone", k)
				}
				if i := sameBits(snaps[k], want); i >= 0 {
					t.Errorf("engine %d in parallel: state value %d differs from the engine alone", k, i)
				}
			}
			if len(alone.t) < 300 {
				t.Errorf("only %d spikes: the protocols did not run", len(alone.t))
			}
		})
	}
}

// TestConsolidationCheckpointResume runs a consolidating scenario straight
// to its end, and in a chain of engines: each runs to the next checkpoint
// time, writes a checkpoint, and a fresh engine restored from it goes on.
// The checkpoints fall in the middle of a tetanus (spikes in flight),
// between trains (tags set, protein rising), during dopamine or during the
// weak tetanus, and during consolidation. The chain's spikes, its final
// weights and every consolidation variable (and its final checkpoint)
// equal the straight run's bit for bit. The straight run reads the whole
// state at each checkpoint time (reading must not change the run).
func TestConsolidationCheckpointResume(t *testing.T) {
	for _, c := range []struct {
		name, file string
		stops      []float64 // checkpoint times [ms]
		end        float64   // [ms]
	}{
		{"tag_trigger_consolidation", "stc_capture.toml",
			[]float64{1800.501e3, 2700e3, 3600.1e3, 3 * 3600e3}, 5 * 3600e3},
		{"ziegler_2015", "stc_ziegler.toml",
			[]float64{1800.501e3, 3030e3, 4800.1e3, 3 * 3600e3}, 5 * 3600e3},
	} {
		t.Run("model="+c.name, func(t *testing.T) {
			net := stcNet(t, c.file)
			ref, err := New(net, Config{})
			if err != nil {
				t.Fatal(err)
			}
			refRec := &recorder{}
			ref.Attach(refRec, nil)
			var refSnaps [][]float64
			for _, ms := range c.stops {
				if err := ref.Run(context.Background(), ticksAt(t, net, ms)-ref.Now()); err != nil {
					t.Fatal(err)
				}
				refSnaps = append(refSnaps, consSnapshot(t, ref))
			}
			if err := ref.Run(context.Background(), ticksAt(t, net, c.end)-ref.Now()); err != nil {
				t.Fatal(err)
			}

			e, err := New(net, Config{})
			if err != nil {
				t.Fatal(err)
			}
			rec := &recorder{}
			e.Attach(rec, nil)
			for k, ms := range c.stops {
				if err := e.Run(context.Background(), ticksAt(t, net, ms)-e.Now()); err != nil {
					t.Fatal(err)
				}
				if k == 0 && e.queue.pending == 0 {
					t.Errorf("no spike in flight at %g ms: the checkpoint is not mid-tetanus", ms)
				}
				var ck bytes.Buffer
				if err := e.Checkpoint(&ck, nil); err != nil {
					t.Fatal(err)
				}
				meta, body, err := checkpoint.Read(&ck)
				if err != nil {
					t.Fatal(err)
				}
				if e, err = New(net, Config{}); err != nil {
					t.Fatal(err)
				}
				e.Attach(rec, nil)
				if err := e.Restore(meta, body); err != nil {
					t.Fatalf("restore at %g ms: %v", ms, err)
				}
				// The restored engine's state, read without running.
				if i := sameBits(consSnapshot(t, e), refSnaps[k]); i >= 0 {
					t.Errorf("restored at %g ms: state value %d differs from the straight run's", ms, i)
				}
			}
			if err := e.Run(context.Background(), ticksAt(t, net, c.end)-e.Now()); err != nil {
				t.Fatal(err)
			}
			if len(refRec.t) < 300 || !slices.Equal(rec.t, refRec.t) || !slices.Equal(rec.ids, refRec.ids) {
				t.Errorf("spikes: %d straight, %d through %d checkpoints (or different ones)", len(refRec.t), len(rec.t), len(c.stops))
			}
			var a, b bytes.Buffer
			ref.Checkpoint(&a, nil)
			e.Checkpoint(&b, nil)
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Errorf("final checkpoints differ (%d and %d bytes)", a.Len(), b.Len())
			}
			if i := sameBits(consSnapshot(t, e), consSnapshot(t, ref)); i >= 0 {
				t.Errorf("final state value %d differs", i)
			}
		})
	}
}

// section is a section of a checkpoint body: its tag at at, its content
// at [start, end).
type section struct{ at, start, end int }

// consSections returns the consolidation sections of a checkpoint body.
func consSections(t *testing.T, body []byte) []section {
	t.Helper()
	var out []section
	for i := 0; i < len(body); {
		n, w := binary.Uvarint(body[i+1:])
		if w <= 0 {
			t.Fatalf("bad section length at %d", i)
		}
		s := section{i, i + 1 + w, i + 1 + w + int(n)}
		if body[i] == secCons {
			out = append(out, s)
		}
		i = s.end
	}
	return out
}

// replaceSection returns body with the content of section s replaced by
// repl.
func replaceSection(body []byte, s section, repl []byte) []byte {
	out := slices.Clone(body[:s.at+1])
	out = binary.AppendUvarint(out, uint64(len(repl)))
	out = append(out, repl...)
	return append(out, body[s.end:]...)
}

// TestConsolidationCheckpointCorrupt: a damaged consolidation section of a
// checkpoint (a flipped bit, truncated, empty, missing, trailing bytes,
// another version, another model's state, a payload of garbage) is refused
// with an error wrapping checkpoint.ErrUnusable that names the population and
// says what is wrong. A sweep writes 8 bytes of garbage at offsets all over
// the payload and recomputes the frame's checksum, so that the model's own
// checks see it: Restore never panics. (Garbage that the models' checks let
// through is accepted: tag_trigger_consolidation checks the tags and z but not
// the per-neuron protein and traces; ziegler_2015 checks x, y, z for NaN and
// ±Inf but not their size. A finite 1e306 restored into x runs into NaN
// weights. Accidental damage never gets that far: the frame's and the file's
// checksums catch it.)
func TestConsolidationCheckpointCorrupt(t *testing.T) {
	type ck struct {
		net  *netlist.Network
		meta checkpoint.Meta
		body []byte
	}
	take := func(file string, ms float64) ck {
		e := stcEngine(t, Config{}, file)
		if err := e.Run(context.Background(), ticksAt(t, e.net, ms)); err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := e.Checkpoint(&b, nil); err != nil {
			t.Fatal(err)
		}
		meta, body, err := checkpoint.Read(&b)
		if err != nil {
			t.Fatal(err)
		}
		return ck{e.net, meta, body}
	}
	// restore returns Restore's error into a fresh engine, or the panic as
	// an error wrapping errPanic.
	errPanic := errors.New("panic")
	restore := func(c ck, body []byte) (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("%w: %v", errPanic, r)
			}
		}()
		e, err := New(c.net, Config{})
		if err != nil {
			return err
		}
		return e.Restore(c.meta, body)
	}
	cks := map[string]ck{
		"tag_trigger_consolidation": take("stc_capture.toml", 2700e3),
		"ziegler_2015":              take("stc_ziegler.toml", 3030e3),
	}
	for _, model := range []string{"tag_trigger_consolidation", "ziegler_2015"} {
		c := cks[model]
		secs := consSections(t, c.body)
		if len(secs) != 1 {
			t.Fatalf("%s: %d consolidation sections, want 1", model, len(secs))
		}
		s := secs[0]
		frame := c.body[s.start:s.end]
		payload := 1 + int(frame[0]) + 1 + 8 // tag length, tag, version, payload length
		other := "ziegler_2015"
		if model == other {
			other = "tag_trigger_consolidation"
		}
		oc := cks[other]
		osec := consSections(t, oc.body)[0]
		flip := slices.Clone(frame)
		flip[payload+len(flip[payload:])/2] ^= 0x10
		version := slices.Clone(frame)
		version[1+int(frame[0])] = 99
		for _, d := range []struct {
			name string
			body []byte
			want []string
		}{
			{"bit_flip", replaceSection(c.body, s, flip), []string{`consolidation onto "N"`, "checksum"}},
			{"truncated", replaceSection(c.body, s, frame[:len(frame)/2]), []string{`consolidation onto "N"`}},
			{"empty", replaceSection(c.body, s, nil), []string{`consolidation onto "N"`}},
			{"missing", c.body[:s.at], []string{`consolidation onto "N"`}},
			{"bytes_after", replaceSection(c.body, s, append(slices.Clone(frame), 0)), []string{`consolidation onto "N": 1 bytes left over`}},
			{"version", replaceSection(c.body, s, checkpointtest.Reseal(version)), []string{`consolidation onto "N"`, "version"}},
			{"other_model", replaceSection(c.body, s, oc.body[osec.start:osec.end]), []string{`consolidation onto "N"`, other}},
			{"garbage_payload", replaceSection(c.body, s, checkpointtest.Reseal(append(frame[:payload:payload], bytes.Repeat([]byte{0xff}, len(frame)-payload)...))), []string{`consolidation onto "N"`}},
		} {
			t.Run("model="+model+"/damage="+d.name, func(t *testing.T) {
				err := restore(c, d.body)
				if err == nil || !errors.Is(err, checkpoint.ErrUnusable) {
					t.Fatalf("err = %v, want checkpoint.ErrUnusable", err)
				}
				for _, w := range d.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not say %q", err, w)
					}
				}
				t.Logf("%v", err)
			})
		}
		// Sweep: 8 bytes of garbage at many offsets of the payload, checksum
		// recomputed. Each is refused or (where the bytes are a valid
		// value) accepted, never a panic.
		refused, tried := 0, 0
		step := max(1, (len(frame)-payload-4)/400)
		for off := payload; off+8 <= len(frame)-4; off += step {
			for _, junk := range [][]byte{bytes.Repeat([]byte{0xff}, 8), bytes.Repeat([]byte{0x7f}, 8), make([]byte, 8)} {
				f := slices.Clone(frame)
				copy(f[off:], junk)
				if bytes.Equal(f, frame) {
					continue
				}
				tried++
				err := restore(c, replaceSection(c.body, s, checkpointtest.Reseal(f)))
				if err == nil {
					continue
				}
				if errors.Is(err, errPanic) {
					t.Fatalf("%s: garbage at payload offset %d: %v", model, off-payload, err)
				}
				// The model's refusal stays in the chain, under the
				// engine's context.
				if !errors.Is(err, checkpoint.ErrCorrupt) && !errors.Is(err, checkpoint.ErrMismatch) || !strings.Contains(err.Error(), `consolidation onto "N": consolidation: RestoreState: `) {
					t.Errorf("%s: garbage at payload offset %d: %v, want the model's refusal", model, off-payload, err)
				}
				refused++
			}
		}
		t.Logf("%s: %d-byte frame; %d damaged payloads, %d refused, none panicked", model, len(frame), tried, refused)
		if refused == 0 {
			t.Errorf("%s: no damaged payload was refused", model)
		}
	}
}
