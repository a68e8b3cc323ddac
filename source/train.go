package source

import (
	"fmt"
	"math"

	"github.com/snnsim/snnsim"
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
