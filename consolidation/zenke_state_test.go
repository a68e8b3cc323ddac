package consolidation

import (
	"bytes"
	"errors"
	"runtime"
	"slices"
	"testing"

	"github.com/snnsim/snnsim/checkpoint"
	"github.com/snnsim/snnsim/checkpoint/checkpointtest"
)

// zenkeStream returns m as a checkpoint.StreamStater, failing t if it is
// not one.
func zenkeStream(t testing.TB, m synapseModel) checkpoint.StreamStater {
	t.Helper()
	st, ok := m.(checkpoint.StreamStater)
	if !ok {
		t.Fatalf("%s is not a checkpoint.StreamStater", m.Name())
	}
	return st
}

// TestZenkeStreamState checks that zenke_2015 writes in pieces
// (WriteState, StateLen) the frame AppendState appends, and that ReadState
// reads it back, as well as the version-1 frame without the pause flag,
// leaving the reader right after the frame; and that it refuses what
// RestoreState refuses (truncated, damaged, another version or size)
// with an error wrapping the same kind of refusal.
func TestZenkeStreamState(t *testing.T) {
	for _, c := range stateCases() {
		if c.params().Model() != modelZenke {
			continue
		}
		for _, paused := range []bool{false, true} {
			name := c.name
			if paused {
				name += "/paused"
			}
			t.Run(name, func(t *testing.T) {
				d := newConsDriver(mustNew(t, c.params(), c.layout))
				ev := busyScenario(c.layout, false)
				d.play(t, ev[:len(ev)/2], c.layout.NPost)
				if paused {
					if err := d.m.(*zenke).SetLevel(ev[len(ev)/2].t, levelConsolid, 0); err != nil {
						t.Fatal(err)
					}
				}
				saved := d.m.AppendState(nil)
				st := zenkeStream(t, d.m)
				if st.StateLen() != int64(len(saved)) {
					t.Fatalf("StateLen = %d, AppendState appends %d bytes", st.StateLen(), len(saved))
				}
				var w bytes.Buffer
				if err := st.WriteState(&w); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(w.Bytes(), saved) {
					t.Fatalf("WriteState wrote %d bytes, differing from the %d of AppendState", w.Len(), len(saved))
				}
				read := func(b []byte, n int64) (synapseModel, *bytes.Reader, error) {
					m := mustNew(t, c.params(), c.layout)
					r := bytes.NewReader(b)
					return m, r, zenkeStream(t, m).ReadState(r, n)
				}
				m, r, err := read(append(slices.Clone(saved), "tail"...), int64(len(saved)))
				if err != nil {
					t.Fatal(err)
				}
				if r.Len() != 4 || !bytes.Equal(m.AppendState(nil), saved) {
					t.Fatalf("ReadState left %d bytes after the frame (want 4), or the state differs", r.Len())
				}

				// Version 1: the same without the pause flag.
				tag := stateTag(modelZenke)
				payload := checkpointtest.Payload(saved)
				cl := d.m.(*zenke).id.clockedLen()
				if flag := payload[cl]; flag != map[bool]byte{false: 0, true: 1}[paused] {
					t.Fatalf("pause flag %d in the state of a model paused = %v", flag, paused)
				}
				v1 := checkpointtest.Frame(tag, 1, append(slices.Clone(payload[:cl]), payload[cl+1:]...))
				if !paused {
					m, _, err := read(v1, int64(len(v1)))
					if err != nil || !bytes.Equal(m.AppendState(nil), saved) {
						t.Fatalf("a version-1 frame: err %v, or another state", err)
					}
				}

				other := mustNew(t, c.params(), gridLayout(9, 3, 7, func(int) float32 { return 0.2 })).AppendState(nil)
				refusals := []struct {
					name string
					b    []byte
					n    int64
					kind error
				}{
					{"next version", checkpointtest.Frame(tag, zenkeStateVer+1, payload), int64(len(saved)), checkpoint.ErrVersion},
					{"a byte more", checkpointtest.Frame(tag, zenkeStateVer, append(slices.Clone(payload), 0)), int64(len(saved)) + 1, checkpoint.ErrCorrupt},
					{"a byte less", checkpointtest.Frame(tag, zenkeStateVer, payload[:len(payload)-1]), int64(len(saved)) - 1, checkpoint.ErrCorrupt},
					{"another size", other, int64(len(other)), checkpoint.ErrMismatch},
				}
				for k := range len(saved) {
					refusals = append(refusals, struct {
						name string
						b    []byte
						n    int64
						kind error
					}{"truncated", saved[:k], int64(len(saved)), checkpoint.ErrCorrupt})
				}
				for _, f := range refusals {
					if _, _, err := read(f.b, f.n); !errors.Is(err, f.kind) {
						t.Fatalf("%s (%d of %d bytes): err = %v, want %v", f.name, len(f.b), len(saved), err, f.kind)
					}
				}
				// Every byte damaged in turn: refused (a damaged tag
				// length reads as another model's state).
				for k := range saved {
					bad := slices.Clone(saved)
					bad[k] ^= 0x41
					if _, _, err := read(bad, int64(len(bad))); !errors.Is(err, checkpoint.ErrUnusable) {
						t.Fatalf("byte %d damaged: err = %v", k, err)
					}
				}
			})
		}
	}
}

// TestZenkeRestoreInPlace checks that restoring the state of a large
// zenke_2015 model (the authors' configuration, skip_settled = false)
// allocates far less than the state's size, from a buffer (RestoreState)
// as from a stream (ReadState): w and w̃ are decoded into the model's own
// array, and the list of active synapses, every synapse here, is checked
// without being copied.
func TestZenkeRestoreInPlace(t *testing.T) {
	p := DefaultZenke()
	if err := p.ApplyPreset(presetSimRcP11); err != nil {
		t.Fatal(err)
	}
	l := gridLayout(400, 500, 3, func(s int) float32 { return 0.1 + 0.001*float32(s%97) })
	state := mustNew(t, &p, l).AppendState(nil)
	restore := []struct {
		name string
		f    func(m synapseModel) error
	}{
		{"RestoreState", func(m synapseModel) error {
			_, err := m.RestoreState(state)
			return err
		}},
		{"ReadState", func(m synapseModel) error {
			return zenkeStream(t, m).ReadState(bytes.NewReader(state), int64(len(state)))
		}},
	}
	for _, r := range restore {
		name, f := r.name, r.f
		m := mustNew(t, &p, l)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if err := f(m); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		if !bytes.Equal(m.AppendState(nil), state) {
			t.Fatalf("%s: the restored model writes another state", name)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > uint64(len(state))/16 {
			t.Errorf("%s of a %d-byte state allocated %d bytes", name, len(state), alloc)
		}
	}
}
