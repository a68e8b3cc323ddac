package checkpointtest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/snnsim/snnsim/checkpoint"
)

var codec = checkpoint.Codec{Pkg: "test"}

// counter is a Stater of one count; the faults make it break the contract.
type counter struct {
	n       int64
	size    int64 // part of its identity
	dirty   bool  // fault: a refused state still changes n
	lenient bool  // fault: a short payload is taken as a zero
	tag     string
}

func (c *counter) AppendState(b []byte) []byte {
	b, start := checkpoint.Begin(b, c.tag, 1)
	b = checkpoint.PutI64(b, c.size)
	b = checkpoint.PutI64(b, c.n)
	return checkpoint.End(b, start)
}

func (c *counter) RestoreState(b []byte) ([]byte, error) {
	if c.dirty {
		c.n = -1
	}
	payload, rest, err := codec.Open(b, c.tag, 1)
	if err != nil {
		return nil, err
	}
	d := codec.NewDecoder(payload)
	size, n := d.I64(), d.I64()
	if err := d.Done(c.tag); err != nil && !c.lenient {
		return nil, err
	}
	if size != c.size {
		return nil, codec.Mismatchf("counter of size %d, this one has %d", size, c.size)
	}
	c.n = n
	return rest, nil
}

// fakeTB records the first failure instead of stopping a test.
type fakeTB struct {
	testing.TB
	failed string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatalf(format string, args ...any) {
	if f.failed == "" {
		f.failed = fmt.Sprintf(format, args...)
	}
}

// TestRunGoodStater: a Stater that keeps the contract passes every check.
func TestRunGoodStater(t *testing.T) {
	state := (&counter{n: 9, size: 3, tag: "test/counter"}).AppendState(nil)
	Run(t, Case{
		Name:    "counter",
		State:   state,
		New:     func(testing.TB) checkpoint.Stater { return &counter{size: 3, tag: "test/counter"} },
		Foreign: []Foreign{{Name: "size", State: (&counter{size: 4, tag: "test/counter"}).AppendState(nil), Says: "size 4, this one has 3"}},
	})
}

// TestCatchesFaults: Refuse and Restore report a receiver changed by a
// refused state, and a short payload taken as valid.
func TestCatchesFaults(t *testing.T) {
	good := &counter{n: 9, size: 3, tag: "test/counter"}
	state := good.AppendState(nil)
	var f fakeTB
	Refuse(&f, &counter{size: 3, dirty: true, tag: "test/counter"}, state[:5], checkpoint.ErrCorrupt)
	if !strings.Contains(f.failed, "changed the receiver") {
		t.Errorf("a dirty refusal: %q", f.failed)
	}
	f = fakeTB{}
	short := Frame("test/counter", 1, Payload(state)[:12])
	Refuse(&f, &counter{size: 3, lenient: true, tag: "test/counter"}, short, checkpoint.ErrCorrupt)
	if !strings.Contains(f.failed, "want") {
		t.Errorf("a short payload accepted: %q", f.failed)
	}
	f = fakeTB{}
	if !Restore(&f, &counter{size: 3, lenient: true, tag: "test/counter"}, short) || !strings.Contains(f.failed, "not written back") {
		t.Errorf("Restore of a short payload taken as valid: %q", f.failed)
	}
	f = fakeTB{}
	if Restore(&f, &counter{size: 3, tag: "test/counter"}, Reseal(append(state[:len(state)-4:len(state)-4], 0, 0, 0, 0, 0))) || f.failed != "" {
		t.Errorf("Restore of a long payload: %q", f.failed)
	}
}
