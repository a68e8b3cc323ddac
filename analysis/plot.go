package analysis

import (
	"fmt"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/spikelog"
)

// PlotOptions selects what the plots show. Zero fields take the defaults.
type PlotOptions struct {
	From, To  snnsim.Time // window [ticks]; To == 0: to the end of the run
	Bin       snnsim.Time // rate bin when rates are computed from spikes [ticks]; 0: about 1/500 of the span
	MaxTraces int         // trajectories drawn per series; 0: 3 for v, 8 for the others
	// MaxSpikes is the raster's spike budget: above it the raster shows a
	// shorter window from From that holds about MaxSpikes spikes, and its
	// title says so; 0: 50 000.
	MaxSpikes int
}

// timeAxis returns the factor from ms to the axis unit and its label, for
// a span of the given length.
func timeAxis(spanMs float64) (float64, string) {
	switch {
	case spanMs < 1000:
		return 1, "time [ms]"
	case spanMs < 2*3600e3:
		return 1e-3, "time [s]"
	}
	return 1 / 3600e3, "time [h]"
}

func title(h spikelog.Header, what string) string {
	if h.Scenario == "" {
		return what
	}
	return fmt.Sprintf("%s — %s", what, h.Scenario)
}

// niceTicks puts major ticks at multiples of 1, 2 or 5 times a power of
// ten, 4 to 10 of them, labelled in the shortest form ("0.5", not "0.50"),
// with four minor ticks between.
type niceTicks struct{}

// Ticks implements plot.Ticker.
func (niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(hi-lo, 0) {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	var step float64
	for e := math.Floor(math.Log10(hi-lo)) - 2; ; e++ {
		for _, m := range []float64{1, 2, 5} {
			if step = m * math.Pow(10, e); (hi-lo)/step <= 10 {
				goto found
			}
		}
	}
found:
	var ticks []plot.Tick
	minor := step / 5
	for k := math.Ceil(lo / minor); k*minor <= hi; k++ {
		v := k * minor
		t := plot.Tick{Value: v}
		if math.Abs(math.Remainder(v, step)) < minor/2 {
			t.Label = strconv.FormatFloat(math.Round(v/minor)*minor, 'f', -1, 64)
			if f, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64); err == nil {
				t.Label = strconv.FormatFloat(f, 'f', -1, 64)
			}
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// niceBin returns a bin of 1, 2 or 5 times a power of ten ms, at least one
// tick, giving about 500 bins over span.
func niceBin(clock snnsim.Clock, span snnsim.Time) snnsim.Time {
	want := clock.Ms(span) / 500
	for e := -3; e <= 9; e++ {
		for _, m := range []float64{1, 2, 5} {
			b := m * math.Pow10(e)
			if b >= want {
				if t, err := clock.Ticks(b); err == nil && t >= 1 {
					return t
				}
			}
		}
	}
	return max(1, span/500)
}

// finite drops points with a NaN or infinite value, which plotter rejects.
func finite(xy plotter.XYs) plotter.XYs {
	out := xy[:0:0]
	for _, p := range xy {
		if !math.IsNaN(p.Y) && !math.IsInf(p.Y, 0) {
			out = append(out, p)
		}
	}
	return out
}
