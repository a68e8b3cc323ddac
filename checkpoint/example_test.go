package checkpoint_test

import (
	"bytes"
	"fmt"

	"github.com/snnsim/snnsim/checkpoint"
)

// counter is a model with one number of state.
type counter struct{ n int64 }

var counterCodec = checkpoint.Codec{Pkg: "example"}

// AppendState writes the count as one frame, payload version 1.
func (c *counter) AppendState(b []byte) []byte {
	b, start := checkpoint.Begin(b, "example/counter", 1)
	b = checkpoint.PutI64(b, c.n)
	return checkpoint.End(b, start)
}

// RestoreState reads the frame at the front of b and leaves c unchanged on
// a refusal.
func (c *counter) RestoreState(b []byte) ([]byte, error) {
	payload, rest, err := counterCodec.Open(b, "example/counter", 1)
	if err != nil {
		return nil, err
	}
	d := counterCodec.NewDecoder(payload)
	n := d.I64()
	if err := d.Done("example/counter"); err != nil {
		return nil, err
	}
	if n < 0 {
		return nil, counterCodec.Corruptf("counter state with a count of %d", n)
	}
	c.n = n
	return rest, nil
}

// Example saves the states of two models in a checkpoint file and restores
// them in order.
func Example() {
	a, b := &counter{n: 3}, &counter{n: 7}
	body := b.AppendState(a.AppendState(nil))
	var file bytes.Buffer
	if err := checkpoint.Write(&file, checkpoint.Meta{Scenario: "demo", Tick: 42}, body); err != nil {
		panic(err)
	}

	meta, body, err := checkpoint.Read(&file)
	if err != nil {
		panic(err)
	}
	var ra, rb counter
	for _, st := range []checkpoint.Stater{&ra, &rb} {
		if body, err = st.RestoreState(body); err != nil {
			panic(err)
		}
	}
	fmt.Println(meta.Scenario, meta.Tick, ra.n, rb.n, len(body))

	// A truncated state is refused and leaves the receiver as it was.
	_, err = ra.RestoreState(a.AppendState(nil)[:10])
	fmt.Println(err)
	// Output:
	// demo 42 3 7 0
	// example: RestoreState: state header truncated after 10 bytes
}
