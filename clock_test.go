package snnsim

import (
	"math"
	"strings"
	"testing"
)

func TestClockTicks(t *testing.T) {
	tests := []struct {
		dt, ms float64
		want   Time
	}{
		{0.1, 0, 0},
		{0.1, 0.1, 1},
		{0.1, 0.3, 3}, // 0.3/0.1 is 2.9999999999999996 in float64
		{0.1, 1, 10},
		{0.1, 3600e3, 36e6},      // 1 h
		{0.1, 8 * 3600e3, 288e6}, // 8 h
		{0.2, 18.8, 94},
		{0.25, 1e3, 4000},
		{1, 86.4e6, 86.4e6},
		{0.1, -5, -50},
	}
	for _, tt := range tests {
		c := Clock{DT: tt.dt}
		got, err := c.Ticks(tt.ms)
		if err != nil || got != tt.want {
			t.Errorf("Clock{%g}.Ticks(%g) = %d, %v; want %d", tt.dt, tt.ms, got, err, tt.want)
		}
		if back := c.Ms(got); math.Abs(back-tt.ms) > 1e-9*math.Max(1, math.Abs(tt.ms)) {
			t.Errorf("Clock{%g}.Ms(%d) = %g, want %g", tt.dt, got, back, tt.ms)
		}
	}
}

func TestClockTicksErrors(t *testing.T) {
	tests := []struct {
		dt, ms float64
		want   string
	}{
		{0.1, 0.15, "not a whole number of ticks"},
		{0.1, 0.01, "not a whole number of ticks"},
		{0, 1, "resolution"},
		{-0.1, 1, "resolution"},
		{math.NaN(), 1, "resolution"},
		{0.1, math.NaN(), "not finite"},
		{0.1, math.Inf(1), "not finite"},
		{0.1, 1e300, "too long"},
	}
	for _, tt := range tests {
		_, err := Clock{DT: tt.dt}.Ticks(tt.ms)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Clock{%g}.Ticks(%g) error = %v, want one containing %q", tt.dt, tt.ms, err, tt.want)
		}
	}
}

func TestClockCeilTicks(t *testing.T) {
	tests := []struct {
		dt, ms float64
		want   Time
	}{
		{0.1, 2, 20},
		{0.1, 0.3, 3}, // on the grid despite float64 rounding: not rounded up to 4
		{0.1, 0.15, 2},
		{0.1, 0.1000001, 2},
		{0.25, 1, 4},
		{0.25, 1.01, 5},
	}
	for _, tt := range tests {
		if got := (Clock{DT: tt.dt}).CeilTicks(tt.ms); got != tt.want {
			t.Errorf("Clock{%g}.CeilTicks(%g) = %d, want %d", tt.dt, tt.ms, got, tt.want)
		}
	}
}

func TestClockConversions(t *testing.T) {
	c := Clock{DT: 0.1}
	if got := c.TicksPerSecond(); got != 1e4 {
		t.Errorf("TicksPerSecond = %g, want 1e4", got)
	}
	if got := c.Seconds(36e6); math.Abs(got-3600) > 1e-9 {
		t.Errorf("Seconds(36e6) = %g, want 3600", got)
	}
	if got := c.Ms(25); math.Abs(got-2.5) > 1e-12 {
		t.Errorf("Ms(25) = %g, want 2.5", got)
	}
}
