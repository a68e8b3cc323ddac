package consolidation

import (
	"math"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// foreignParams is a model MemoryCurve does not know.
type foreignParams struct{ Params }

func (p *foreignParams) Model() string { return "foreign" }

// TestMemoryCurveErrors checks that bad experiments are refused.
func TestMemoryCurveErrors(t *testing.T) {
	good := DefaultBinary()
	bad := DefaultBinary()
	bad.Q = 2
	cases := []struct {
		name string
		p    Params
		c    MemoryCurveConfig
		want string
	}{
		{"nil", nil, MemoryCurveConfig{N: 10, Times: []int{0}, Trials: 1}, "nil parameters"},
		{"foreign", &foreignParams{&good}, MemoryCurveConfig{N: 10, Times: []int{0}, Trials: 1}, "model foreign has no memory-curve setup"},
		{"invalid", &bad, MemoryCurveConfig{N: 10, Times: []int{0}, Trials: 1}, "binary.q = 2"},
		{"N", &good, MemoryCurveConfig{N: 1, Times: []int{0}, Trials: 1}, "N = 1 synapses"},
		{"trials", &good, MemoryCurveConfig{N: 10, Times: []int{0}, Trials: 0}, "0 trials"},
		{"no times", &good, MemoryCurveConfig{N: 10, Trials: 1}, "no times"},
		{"unsorted", &good, MemoryCurveConfig{N: 10, Times: []int{3, 3}, Trials: 1}, "strictly ascending"},
		{"negative", &good, MemoryCurveConfig{N: 10, Times: []int{-1}, Trials: 1}, "strictly ascending"},
		{"burn-in", &good, MemoryCurveConfig{N: 10, Times: []int{0}, Trials: 1, BurnIn: -1}, "burn-in -1"},
		{"start", &good, MemoryCurveConfig{N: 10, Times: []int{0}, Trials: 1, Start: 7}, "unknown start"},
	}
	for _, c := range cases {
		t.Run("case="+c.name, func(t *testing.T) {
			_, err := c.c.Run(c.p)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
}

// TestMemoryCurveDeterministic checks that a seed gives the same result
// whatever the number of goroutines, and that one trial gives no standard
// error.
func TestMemoryCurveDeterministic(t *testing.T) {
	for _, p := range mcModels() {
		t.Run("model="+p.Model(), func(t *testing.T) {
			c := MemoryCurveConfig{N: 300, Times: []int{0, 4, 9}, Trials: 5, Seed: 42, BurnIn: 3}
			a, err := c.Run(p)
			if err != nil {
				t.Fatal(err)
			}
			prev := runtime.GOMAXPROCS(1)
			b, err := c.Run(p)
			runtime.GOMAXPROCS(prev)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("results differ with GOMAXPROCS:\n%+v\n%+v", a, b)
			}
			c.Seed++
			if d, _ := c.Run(p); reflect.DeepEqual(a.SNR, d.SNR) {
				t.Fatal("another seed gave the same curve")
			}
			one, err := MemoryCurve(p, 300, []int{0}, 1, 1)
			if err != nil {
				t.Fatal(err)
			}
			if one.SE[0] == one.SE[0] || one.Trials != 1 || one.N != 300 || one.Model != p.Model() {
				t.Fatalf("one trial: %+v", one)
			}
		})
	}
}

// BenchmarkMemoryCurve runs one Monte-Carlo trial of 10⁴ synapses and
// 10³ memories per model (10⁷ events) and reports ns per event.
//
//	go test ./consolidation/ -run '^$' -bench MemoryCurve -benchtime 5x
func BenchmarkMemoryCurve(b *testing.B) {
	const n, T = 10000, 1000
	for _, p := range mcModels() {
		if bf, ok := p.(*BennaFusiParams); ok {
			bf.Variables = 12
		}
		b.Run("model="+p.Model(), func(b *testing.B) {
			for b.Loop() {
				if _, err := MemoryCurve(p, n, []int{0, 10, 100, T}, 1, 1); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(n*(T+1)), "ns/event")
		})
	}
}

// TestExactMemoryCurve checks that every model with a memory-curve setup
// has an exact curve and the others have none, and the binary synapse's
// curve against the closed form SNR/√N = q(1−q)^t of Amit & Fusi (1994)
// for f± = ½.
func TestExactMemoryCurve(t *testing.T) {
	for _, name := range Models() {
		p, _ := Lookup(name)
		_, setup := p.(memoryCurveParams)
		if _, ok := ExactMemoryCurve(p); ok != setup {
			t.Errorf("%s: exact curve %v, memory-curve setup %v", name, ok, setup)
		}
	}
	p := DefaultBinary()
	p.Q = 0.3
	curve, ok := ExactMemoryCurve(&p)
	if !ok {
		t.Fatal("binary has no exact curve")
	}
	ts := []int{0, 1, 2, 7}
	got, err := curve(ts)
	if err != nil {
		t.Fatal(err)
	}
	for i, tm := range ts {
		if want := 0.3 * math.Pow(0.7, float64(tm)); math.Abs(got[i]-want) > 1e-12 {
			t.Errorf("t = %d: SNR/√N = %.15g, want q(1-q)^t = %.15g", tm, got[i], want)
		}
	}
}
