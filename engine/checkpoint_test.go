package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
	"github.com/snnsim/snnsim/consolidation"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/stdp"
)

// plasticNet is randomNet with pair STDP on the projection from the
// Poisson input to the current-based neurons, and a Poisson input that
// restarts after a long silence.
func plasticNet(seed uint64) *netlist.Network {
	net := randomNet(seed, 0)
	pair := stdp.DefaultPair()
	pair.WMax = 20
	for _, p := range net.Projections {
		if p.From == 0 && p.To == 1 {
			p.Plasticity = &pair
			p.Delay, p.ConstDelay = nil, 12 // one delay per source
		}
	}
	return net
}

// runRecorded runs e for d ticks, returning the spikes.
func runRecorded(t *testing.T, e *Engine, d snnsim.Time) *recorder {
	t.Helper()
	var r recorder
	e.Attach(&r, nil)
	if err := e.Run(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	return &r
}

// TestCheckpointResume checkpoints a plastic network in the middle of its
// activity (spikes in flight, neurons active, traces non-zero), restores the
// checkpoint into a new engine, and checks that both go on identically: the
// same spikes, the same weights, and the same state at the end. The rule
// works on the projection's weights, or drives a consolidation model
// through its rule buffer, which the restored model must rebuild.
func TestCheckpointResume(t *testing.T) {
	for _, model := range []string{"", "trivial", "zenke_2015", "binary"} {
		t.Run("consolidation="+model, func(t *testing.T) {
			net := plasticNet(3)
			if model != "" {
				c, _ := consolidation.Lookup(model)
				if z, ok := c.(*consolidation.ZenkeParams); ok {
					z.WMax = 50 // above the compiled weights, which a restored state must respect
				}
				for _, p := range net.Projections {
					if p.Plasticity != nil {
						p.Consolidation = c
					}
				}
			}
			checkResume(t, net)
		})
	}
}

// checkResume checkpoints net after 1234 ticks and checks that the
// engines restored from it, from the body in memory (Restore) and read as
// a stream (RestoreStream), and the original go on identically.
func checkResume(t *testing.T, net *netlist.Network) {
	a, err := New(net, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Run(context.Background(), 1234); err != nil {
		t.Fatal(err)
	}
	if a.queue.pending == 0 {
		t.Fatalf("no spike in flight at the checkpoint: the test would prove little")
	}
	var ck bytes.Buffer
	if err := a.Checkpoint(&ck, json.RawMessage(`{"note":"test"}`)); err != nil {
		t.Fatal(err)
	}
	meta, body, err := checkpoint.Read(bytes.NewReader(ck.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(net, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Restore(meta, body); err != nil {
		t.Fatal(err)
	}
	c, err := New(net, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.RestoreStream(meta, bytes.NewReader(body), int64(len(body))); err != nil {
		t.Fatal(err)
	}
	ra := runRecorded(t, a, 4766)
	var ea bytes.Buffer
	a.Checkpoint(&ea, nil)
	for _, r := range []struct {
		how string
		e   *Engine
	}{{"Restore", b}, {"RestoreStream", c}} {
		rb := runRecorded(t, r.e, 4766)
		if len(ra.t) < 100 || !slices.Equal(ra.t, rb.t) || !slices.Equal(ra.ids, rb.ids) {
			t.Errorf("%s: after the checkpoint: %d spikes straight, %d resumed (or different ones)", r.how, len(ra.t), len(rb.t))
		}
		for k := range net.Projections {
			wa, _ := a.Weights(k)
			wb, _ := r.e.Weights(k)
			if !slices.Equal(wa, wb) {
				t.Errorf("%s: projection %d: weights differ after resuming", r.how, k)
			}
		}
		var eb bytes.Buffer
		r.e.Checkpoint(&eb, nil)
		if !bytes.Equal(ea.Bytes(), eb.Bytes()) {
			t.Errorf("%s: final states differ", r.how)
		}
		if sa, sb := a.Stats(), r.e.Stats(); sa.Now != sb.Now || !slices.Equal(sa.Spikes, sb.Spikes) || sa.SynapticEvents != sb.SynapticEvents {
			t.Errorf("%s: stats differ: %+v and %+v", r.how, sa, sb)
		}
	}
}

// TestCheckpointRefused feeds damaged, truncated and mismatched checkpoints
// to checkpoint.Read and Restore: each is refused with an error wrapping
// checkpoint.ErrUnusable, and nothing panics.
func TestCheckpointRefused(t *testing.T) {
	net := plasticNet(3)
	a, _ := New(net, Config{})
	a.Run(context.Background(), 1000)
	var ck bytes.Buffer
	if err := a.Checkpoint(&ck, nil); err != nil {
		t.Fatal(err)
	}
	data := ck.Bytes()
	try := func(name string, data []byte, target *netlist.Network, kind error) {
		t.Helper()
		meta, body, err := checkpoint.Read(bytes.NewReader(data))
		if err == nil {
			e, _ := New(target, Config{})
			err = e.Restore(meta, body)
		}
		if !errors.Is(err, kind) || !errors.Is(err, checkpoint.ErrUnusable) {
			t.Errorf("%s: err = %v, want %v", name, err, kind)
		}
	}
	for _, n := range []int{0, 5, 8, 20, len(data) / 2, len(data) - 1} {
		try("truncated", data[:n], net, checkpoint.ErrCorrupt)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for range 50 {
		d := bytes.Clone(data)
		d[rng.IntN(len(d))] ^= byte(1 << rng.IntN(8))
		try("bit flip", d, net, checkpoint.ErrUnusable)
	}
	other := plasticNet(4) // another seed: another network
	try("other network", data, other, checkpoint.ErrMismatch)
	// Another program version: rewrite the metadata with a valid checksum.
	meta, body, _ := checkpoint.Read(bytes.NewReader(data))
	meta.Program = "0.0.1"
	b, _ := New(net, Config{})
	if err := b.Restore(meta, body); !errors.Is(err, checkpoint.ErrVersion) {
		t.Errorf("other version: err = %v", err)
	}
	// A body cut short or with bytes after it, inside a valid file: the
	// engine's own reading refuses it.
	meta.Program = snnsim.BuildVersion()
	for _, cut := range [][]byte{body[:len(body)/2], append(slices.Clone(body), 0)} {
		e, _ := New(net, Config{})
		if err := e.Restore(meta, cut); !errors.Is(err, checkpoint.ErrCorrupt) || !strings.HasPrefix(err.Error(), "engine: Restore: ") {
			t.Errorf("a body of %d bytes of %d: err = %v", len(cut), len(body), err)
		}
	}
	// The same bodies and damaged ones read as a stream: refused, never
	// a panic (the file's checksum, which checkpoint.Body checks, is not
	// RestoreStream's to check, so a damaged number may pass).
	for _, c := range []struct {
		data []byte
		n    int
	}{{body[:len(body)/2], len(body)}, {body[:len(body)-1], len(body)}, {append(slices.Clone(body), 0), len(body) + 1}} {
		e, _ := New(net, Config{})
		if err := e.RestoreStream(meta, bytes.NewReader(c.data), int64(c.n)); !errors.Is(err, checkpoint.ErrCorrupt) || !strings.HasPrefix(err.Error(), "engine: Restore: ") {
			t.Errorf("a streamed body of %d bytes, announced as %d, of %d: err = %v", len(c.data), c.n, len(body), err)
		}
	}
	for k := range 50 {
		d := bytes.Clone(body)
		d[rng.IntN(len(d))] ^= byte(1 << rng.IntN(8))
		e, _ := New(net, Config{})
		if err := e.RestoreStream(meta, bytes.NewReader(d), int64(len(d))); err != nil && !errors.Is(err, checkpoint.ErrUnusable) {
			t.Errorf("streamed bit flip %d: err = %v", k, err)
		}
	}
	// A used engine.
	if err := a.Restore(meta, body); err == nil {
		t.Errorf("restoring into an engine that has run was accepted")
	}
}

// TestWriteCheckpointAtomic writes a checkpoint over an older one and
// checks that a leftover temporary file of an interrupted write (as a kill
// during the write leaves behind) never replaces the good checkpoint.
func TestWriteCheckpointAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ck")
	net := plasticNet(3)
	a, _ := New(net, Config{})
	a.Run(context.Background(), 500)
	if err := a.WriteCheckpoint(path, nil); err != nil {
		t.Fatal(err)
	}
	// A kill in the middle of the next write leaves a partial temp file.
	os.WriteFile(filepath.Join(dir, "ck.tmp123"), []byte("SNNSCKPT partial"), 0o644)
	f, _ := os.Open(path)
	meta, _, err := checkpoint.Read(f)
	f.Close()
	if err != nil || meta.Tick != 500 {
		t.Fatalf("the checkpoint does not load after an interrupted write: %v (tick %d)", err, meta.Tick)
	}
	a.Run(context.Background(), 500)
	if err := a.WriteCheckpoint(path, nil); err != nil {
		t.Fatal(err)
	}
	f, _ = os.Open(path)
	meta, _, err = checkpoint.Read(f)
	f.Close()
	if err != nil || meta.Tick != 1000 {
		t.Fatalf("second checkpoint: %v (tick %d)", err, meta.Tick)
	}
}

// TestCheckpointStreamed writes the checkpoint of a network whose
// consolidation state is most of the body (Zenke, Agnes & Gerstner 2015,
// made smaller): the file is the one checkpoint.Write makes of the whole
// body, and (on Linux, where the sections are built in reserved memory)
// writing it allocates far less of Go's heap than the body's size, as no
// copy of the body is made; nor does restoring it from a stream.
func TestCheckpointStreamed(t *testing.T) {
	net := stcNet(t, "zenke2015_orchestrated.toml", "population.E.size=1024", "population.I.size=256")
	e, err := New(net, Config{Weights: WeightsInPlace})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(context.Background(), 300); err != nil {
		t.Fatal(err)
	}
	app := json.RawMessage(`{"note":"streamed"}`)
	body, err := e.appendState(nil)
	if err != nil {
		t.Fatal(err)
	}
	var want, got bytes.Buffer
	meta := checkpoint.Meta{Program: snnsim.BuildVersion(), Network: NetworkFingerprint(net), Scenario: net.Name, Tick: e.Now(), App: app}
	if err := checkpoint.Write(&want, meta, body); err != nil {
		t.Fatal(err)
	}
	if err := e.Checkpoint(&got, app); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatalf("Checkpoint wrote %d bytes, differing from the %d of the whole body written at once", got.Len(), want.Len())
	}
	if len(body) < 4<<20 {
		t.Fatalf("a body of %d bytes: too small to show a copy", len(body))
	}
	if runtime.GOOS != "linux" {
		return
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if err := e.Checkpoint(io.Discard, app); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > uint64(len(body))/4 {
		t.Errorf("writing a checkpoint of a %d-byte body allocated %d bytes of the heap", len(body), alloc)
	}
	// Read back as a stream, the consolidation state is decoded into the
	// model's arrays as it comes and the other sections are read into
	// reserved memory: restoring allocates far less of the heap than the
	// body's size, and the engine is the one that wrote it.
	r, err := New(net, Config{Weights: WeightsInPlace})
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&before)
	if err := r.RestoreStream(meta, bytes.NewReader(body), int64(len(body))); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > uint64(len(body))/4 {
		t.Errorf("restoring a %d-byte body from a stream allocated %d bytes of the heap", len(body), alloc)
	}
	if again, err := r.appendState(nil); err != nil || !bytes.Equal(again, body) {
		t.Errorf("the engine restored from a stream writes another state (%v)", err)
	}
}
