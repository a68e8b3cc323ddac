package source

import (
	"math/rand/v2"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
)

func init() {
	models.Register("external", func() Params { p := DefaultExternal(); return &p })
}

// External is a population of spike generators driven from outside the
// simulation: it never fires by itself; a program embedding the engine
// injects its members' spikes (engine.Engine.Inject), for example the spikes
// of another simulator's neurons in a co-simulation. It has no parameters.
type External struct{}

// DefaultExternal returns the (empty) parameters.
func DefaultExternal() External { return External{} }

// Model returns "external".
func (External) Model() string { return "external" }

// Validate accepts every External.
func (External) Validate() error { return nil }

// New returns a silent source of n members.
func (p External) New(n int, clock snnsim.Clock, _ *rand.Rand) (Source, error) {
	if err := checkNew("external", n, clock); err != nil {
		return nil, err
	}
	return silent(n), nil
}

// silent is a source that never fires by itself.
type silent int

func (s silent) Len() int                                { return int(s) }
func (silent) Next() snnsim.Time                         { return snnsim.Never }
func (silent) Fire(t snnsim.Time, fired []int32) []int32 { return fired }

// AppendState appends the population size, the only state of an external
// source (the engine keeps injected spikes). See [checkpoint.Stater].
func (s silent) AppendState(b []byte) []byte {
	b, start := checkpoint.Begin(b, tagExternal, stateVersion)
	return checkpoint.End(checkpoint.PutI64(b, int64(s)), start)
}

// RestoreState checks a state written by AppendState of an external source
// of the same size. See [checkpoint.Stater].
func (s silent) RestoreState(b []byte) ([]byte, error) {
	payload, rest, err := codec.Open(b, tagExternal, stateVersion)
	if err != nil {
		return nil, err
	}
	d := checkpoint.Decoder{B: payload, C: &codec}
	n := d.I64()
	if err := d.Done(tagExternal); err != nil {
		return nil, err
	}
	if n != int64(s) {
		return nil, codec.Mismatchf("external state for %d members, this source has %d", n, int(s))
	}
	return rest, nil
}
