package source

import (
	"fmt"
	"math"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
)

var _ Source = (*trainSource)(nil)

// trainSource is the shared implementation of Regular, Tetanus and Burst:
// every member fires at pulse j of train k, for k < trains and j < pulses,
// at the tick
//
//	round((start + k·every + j/rate) / dt)
//
// as long as that tick is before stop. It stores the pending pulse's indices
// and tick only, so memory does not grow with the number of pulses, and Next
// is O(1). A Regular train is one train with unbounded pulses.
type trainSource struct {
	model  string
	all    []int32     // 0..n-1: the output of every Fire
	origin float64     // start [ticks, not rounded]
	every  float64     // between train onsets [ticks, not rounded]
	step   float64     // between pulses within a train, >= 1 [ticks, not rounded]
	trains int64       // number of trains
	pulses int64       // pulses per train
	stop   snnsim.Time // no pulse at or after this tick (snnsim.Never: none)
	k, j   int64       // train and pulse index of the pending pulse
	next   snnsim.Time // tick of the pending pulse (snnsim.Never: done)
}

// trainSpec is what a model gives newTrain, in milliseconds and hertz.
type trainSpec struct {
	model    string
	start    float64 // onset of the first train [ms]
	interval float64 // between train onsets [ms]; unused for one train
	rate     float64 // pulse rate within a train [Hz]
	trains   int64
	pulses   int64
	stop     float64 // +Inf for none [ms]
}

// newTrain checks the spec against the resolution and builds the source.
// Pulses closer than one tick are an error, since a member fires at most once
// per tick.
func newTrain(sp trainSpec, n int, clock snnsim.Clock) (*trainSource, error) {
	if err := checkNew(sp.model, n, clock); err != nil {
		return nil, err
	}
	period := 1000 / sp.rate // [ms]
	step := period / clock.DT
	if !(step >= 1) {
		return nil, bad(sp.model, "rate", sp.rate, "Hz", fmt.Sprintf("pulses %g ms apart are closer than the resolution %g ms: lower the rate or refine the resolution", period, clock.DT))
	}
	if _, err := tickOf(sp.model, "start", sp.start, clock); err != nil {
		return nil, err
	}
	stop, err := stopTick(sp.model, sp.stop, clock)
	if err != nil {
		return nil, err
	}
	s := &trainSource{
		model:  sp.model,
		all:    allMembers(n),
		origin: sp.start / clock.DT,
		every:  sp.interval / clock.DT,
		step:   step,
		trains: sp.trains,
		pulses: sp.pulses,
		stop:   stop,
	}
	s.next = s.at(0, 0)
	return s, nil
}

// at returns the tick of pulse j of train k, or snnsim.Never if it is not
// before stop (or beyond the tick counter).
func (s *trainSource) at(k, j int64) snnsim.Time {
	x := math.Round(s.origin + float64(k)*s.every + float64(j)*s.step)
	if !(x < float64(s.stop)) || !(x < maxTicks) {
		return snnsim.Never
	}
	return snnsim.Time(x)
}

func (s *trainSource) Len() int { return len(s.all) }

func (s *trainSource) Next() snnsim.Time { return s.next }

func (s *trainSource) Fire(t snnsim.Time, fired []int32) []int32 {
	if t < s.next {
		return fired
	}
	if t > s.next {
		fireLate(s.model, t, s.next)
	}
	fired = append(fired, s.all...)
	s.j++
	if s.j == s.pulses {
		s.j = 0
		s.k++
	}
	if s.k == s.trains {
		s.next = snnsim.Never
		return fired
	}
	next := s.at(s.k, s.j)
	if next <= t {
		// Pulses are at least one tick apart and trains do not overlap
		// (checked in New and Validate), so this only guards against
		// floating-point ties at half a tick: keep ticks strictly increasing.
		next = t + 1
		if next >= s.stop {
			next = snnsim.Never
		}
	}
	s.next = next
	return fired
}

// AppendState appends the train's definition in ticks and the position of
// its pending pulse. See [checkpoint.Stater].
//
// Payload (version 1): n, origin, every and step [ticks, float64], trains,
// pulses, stop, then the pending pulse: train k, pulse j and its tick.
func (s *trainSource) AppendState(b []byte) []byte {
	b, start := checkpoint.Begin(b, tagTrain+s.model, stateVersion)
	b = checkpoint.PutI64(b, int64(len(s.all)))
	b = checkpoint.PutF64(b, s.origin)
	b = checkpoint.PutF64(b, s.every)
	b = checkpoint.PutF64(b, s.step)
	b = checkpoint.PutI64(b, s.trains)
	b = checkpoint.PutI64(b, s.pulses)
	b = checkpoint.PutI64(b, int64(s.stop))
	b = checkpoint.PutI64(b, s.k)
	b = checkpoint.PutI64(b, s.j)
	b = checkpoint.PutI64(b, int64(s.next))
	return checkpoint.End(b, start)
}

// RestoreState restores a state written by AppendState of a source of the
// same model, size, resolution and parameters. See [checkpoint.Stater].
func (s *trainSource) RestoreState(b []byte) ([]byte, error) {
	tag := tagTrain + s.model
	payload, rest, err := codec.Open(b, tag, stateVersion)
	if err != nil {
		return nil, err
	}
	d := checkpoint.Decoder{B: payload, C: &codec}
	n := d.I64()
	origin, every, step := d.F64(), d.F64(), d.F64()
	trains, pulses, stop := d.I64(), d.I64(), snnsim.Time(d.I64())
	k, j, next := d.I64(), d.I64(), snnsim.Time(d.I64())
	if err := d.Done(tag); err != nil {
		return nil, err
	}
	if n != int64(len(s.all)) {
		return nil, codec.Mismatchf("%s state for %d members, this source has %d", s.model, n, len(s.all))
	}
	same := func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }
	if !same(origin, s.origin) || !same(every, s.every) || !same(step, s.step) ||
		trains != s.trains || pulses != s.pulses || stop != s.stop {
		return nil, codec.Mismatchf("%s state of a train with start %g, spacing %g and pulse period %g ticks, %d trains of %d pulses, stop tick %d; this source has %g, %g, %g, %d, %d, %d",
			s.model, origin, every, step, trains, pulses, stop, s.origin, s.every, s.step, s.trains, s.pulses, s.stop)
	}
	switch {
	case k < 0 || k > trains || j < 0 || j >= pulses:
		return nil, codec.Corruptf("%s state at pulse %d of train %d, out of %d trains of %d pulses", s.model, j, k, trains, pulses)
	case k == trains && (j != 0 || next != snnsim.Never):
		return nil, codec.Corruptf("%s state after the last train has a pending pulse %d at tick %d", s.model, j, next)
	case next != snnsim.Never && (next < 0 || next >= stop):
		return nil, codec.Corruptf("%s state has its pending pulse at tick %d, outside [0, %d)", s.model, next, stop)
	}
	s.k, s.j, s.next = k, j, next
	return rest, nil
}
