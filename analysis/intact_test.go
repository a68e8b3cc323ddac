package analysis

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/snnsim/snnsim/spikelog"
)

// TestOpenIntact checks the lenient open on an undamaged log, a log cut
// inside a block and a log whose header is damaged: the copy of a cut log
// holds exactly the bytes before the damage and reads without error as an
// unclosed log with some but not all of the spikes.
func TestOpenIntact(t *testing.T) {
	path, spikes, _ := sampleLog(t)
	whole, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	l, err := OpenIntact(path)
	if err != nil {
		t.Fatal(err)
	}
	if l.Damage != nil || !l.Complete || l.Path != path {
		t.Errorf("undamaged log: damage %v, complete %v, path %q", l.Damage, l.Complete, l.Path)
	}
	l.Close()

	partial := false
	for n := len(whole) / 2; n < len(whole); n += len(whole)/41 + 1 {
		cut := filepath.Join(t.TempDir(), "cut.snnlog")
		if err := os.WriteFile(cut, whole[:n], 0o644); err != nil {
			t.Fatal(err)
		}
		l, err := OpenIntact(cut)
		if err != nil {
			t.Fatalf("cut at %d: %v", n, err)
		}
		if l.Damage == nil || l.Complete || l.Path == cut || l.Damage.Offset > int64(n) {
			t.Fatalf("cut at %d: damage %v, complete %v, path %q", n, l.Damage, l.Complete, l.Path)
		}
		copied, err := os.ReadFile(l.Path)
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(copied)) != l.Damage.Offset || string(copied) != string(whole[:l.Damage.Offset]) {
			t.Errorf("cut at %d: copy holds %d bytes, want the %d before the damage", n, len(copied), l.Damage.Offset)
		}
		r, err := spikelog.Open(l.Path)
		if err != nil {
			t.Fatal(err)
		}
		st, err := r.Stats()
		r.Close()
		if err != nil || st.Complete {
			t.Errorf("cut at %d: the copy reads with error %v, complete %v", n, err, st.Complete)
		}
		partial = partial || st.Spikes > 0 && st.Spikes < int64(len(spikes))
		tmp := l.Path
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(tmp); !os.IsNotExist(err) {
			t.Errorf("Close left the copy %s", tmp)
		}
	}
	if !partial {
		t.Error("no cut left a copy with some but not all of the spikes")
	}

	bad := append([]byte(nil), whole...)
	bad[12] ^= 0xff // inside the header's length and CRC fields
	badPath := filepath.Join(t.TempDir(), "bad.snnlog")
	if err := os.WriteFile(badPath, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenIntact(badPath); err == nil {
		t.Error("a log with a damaged header was opened")
	}
}
