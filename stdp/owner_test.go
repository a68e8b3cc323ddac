package stdp

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/snnsim/snnsim"
)

// TestOwnWeightsSameWeights checks that a rule which owns its weights
// (OwnWeights: potentiation skips increments below the rounding of a lower
// bound of the target's weights) leaves every weight bit for bit as the
// same rule without ownership, over 30 s of sparse random spike trains, and
// that it does skip. The weights start anywhere in [0, 1.2] with bounds
// [0, 1], some exactly 0 and some above w_max; with the stronger LTD many
// reach w_min. Midway the caller changes some weights of a few targets
// (WeightsChanged(j)), and later every weight (WeightsChanged(-1)).
func TestOwnWeightsSameWeights(t *testing.T) {
	for _, tc := range []struct {
		name string
		eta  float64
	}{
		{"zenke_2013", 1},
		{"strong_ltd", 40},
	} {
		t.Run(tc.name+"/float32", func(t *testing.T) { ownSame[float32](t, tc.eta) })
		t.Run(tc.name+"/float64", func(t *testing.T) { ownSame[float64](t, tc.eta) })
	}
}

func ownSame[W Weight](t *testing.T, eta float64) {
	const (
		nPre, nPost = 60, 12
		ticks       = 300000 // 30 s at 0.1 ms
		delay       = 8
	)
	rng := rand.New(rand.NewPCG(7, 0x0e1))
	pr := newProj(nPre, nPost, 0.6, rng)
	tr := trains{pre: make([][]snnsim.Time, nPre), post: make([][]snnsim.Time, nPost)}
	for i := range tr.pre {
		for _, e := range poissonTicks(rng, 0.5+5*rng.Float64(), testClock.DT, 0, ticks-delay) {
			tr.pre[i] = append(tr.pre[i], e+delay)
		}
	}
	for j := range tr.post {
		tr.post[j] = poissonTicks(rng, 2+20*rng.Float64(), testClock.DT, 0, ticks)
	}
	p := DefaultHomeostatic()
	p.Eta = eta
	plain, err := NewHomeostatic[W](p, testClock, nPre, nPost)
	if err != nil {
		t.Fatal(err)
	}
	owner, err := NewHomeostatic[W](p, testClock, nPre, nPost)
	if err != nil {
		t.Fatal(err)
	}
	owner.OwnWeights()
	w0 := make([]W, len(pr.tgt))
	for k := range w0 {
		switch rng.IntN(10) {
		case 0:
			w0[k] = 0
		case 1:
			w0[k] = W(1 + 0.2*rng.Float64()) // above w_max
		default:
			w0[k] = W(rng.Float64())
		}
	}
	wp, wo := append([]W(nil), w0...), append([]W(nil), w0...)
	evs := events(tr, preFirst)
	third := len(evs) / 3
	apply(plain, pr, evs[:third], wp)
	apply(owner, pr, evs[:third], wo)
	// The caller sets a few weights of targets 0 and 1, one of them far down.
	for j := range int32(2) {
		for m, k := range pr.colSyn[j] {
			if m%3 == 0 {
				v := W(1e-3 * float64(m))
				wp[k], wo[k] = v, v
			}
		}
		owner.WeightsChanged(j)
	}
	apply(plain, pr, evs[third:2*third], wp)
	apply(owner, pr, evs[third:2*third], wo)
	// ... and then every weight, as restoring a checkpoint does.
	for k := range wp {
		v := W(0.5 * float64(wp[k]))
		wp[k], wo[k] = v, v
	}
	owner.WeightsChanged(-1)
	apply(plain, pr, evs[2*third:], wp)
	apply(owner, pr, evs[2*third:], wo)

	zeros, changed := 0, 0
	for k := range wp {
		if math.Float64bits(float64(wp[k])) != math.Float64bits(float64(wo[k])) {
			t.Errorf("synapse %d (%d→%d): owner %.17g, plain %.17g", k, pr.source(k), pr.tgt[k], float64(wo[k]), float64(wp[k]))
		}
		if wp[k] == 0 {
			zeros++
		}
		if wp[k] != W(0.5*float64(w0[k])) {
			changed++
		}
	}
	if owner.b.skipped == 0 {
		t.Errorf("the owner skipped no update: the test checks nothing")
	}
	if changed == 0 {
		t.Errorf("no weight changed: the test checks nothing")
	}
	t.Logf("%d synapses, %d at w_min = 0 at the end, %d updates skipped", len(wp), zeros, owner.b.skipped)
}

// TestQuarterUlp checks quarterUlp against math.Nextafter: adding less than
// it to any weight at or above the bound leaves the weight unchanged, and it
// is 0 where no such margin exists.
func TestQuarterUlp(t *testing.T) {
	for _, b := range []float64{1, 0.16, 0.125, 0.2499999, 3e-30, math.MaxFloat32, 1e-40} {
		q := quarterUlp(float32(b))
		ulp := float64(math.Nextafter32(float32(b), float32(math.Inf(1))) - float32(b))
		if b < 1.2e-38 { // float32 denormal: no margin
			if q != 0 {
				t.Errorf("float32 %g: quarterUlp %g, want 0", b, q)
			}
			continue
		}
		if float32(b) == float32(math.Float32frombits(math.Float32bits(float32(b))&0x7f800000)) && q != ulp/4 {
			t.Errorf("float32 %g: quarterUlp %g, want %g", b, q, ulp/4)
		}
		if q > ulp/4 {
			t.Errorf("float32 %g: quarterUlp %g > ulp/4 = %g", b, q, ulp/4)
		}
		for _, w := range []float32{float32(b), math.Nextafter32(float32(b), 2*float32(b)), 1.7 * float32(b)} {
			if math.IsInf(float64(w), 0) {
				continue
			}
			inc := math.Nextafter(q, 0)
			if got := float32(float64(w) + inc); got != w {
				t.Errorf("float32 %g + %g = %g: the weight changed", w, inc, got)
			}
		}
		q64 := quarterUlp(b)
		ulp64 := math.Nextafter(b, math.Inf(1)) - b
		if q64 > ulp64/4 || q64 == 0 {
			t.Errorf("float64 %g: quarterUlp %g, ulp/4 = %g", b, q64, ulp64/4)
		}
		if got := b + math.Nextafter(q64, 0); got != b {
			t.Errorf("float64 %g + quarterUlp: %g, changed", b, got)
		}
	}
	for _, b := range []float32{0, -1, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())} {
		if q := quarterUlp(b); q != 0 {
			t.Errorf("quarterUlp(%g) = %g, want 0", b, q)
		}
	}
}
