package stdp

import (
	"math"
	"testing"
)

// TestHomeostaticConstants checks the derived constants against the values
// of Zenke, Hennequin & Gerstner (2013) as Auryn computes them: η⁻ = A3+ τ+ τ_slow/(τ− κ τ_hom²) = 1.2313e-6 (to 5
// digits) and z^hom(0) = κ τ_hom = 30, i.e. that κ = 3 Hz is combined
// with the ms time constants as 0.003 per ms.
func TestHomeostaticConstants(t *testing.T) {
	p := DefaultHomeostatic()
	if got := p.EtaMinus(); math.Abs(got-1.2313e-6) > 0.00005e-6 {
		t.Errorf("EtaMinus() = %.6g, want 1.2313e-6 (Zenke et al. 2013)", got)
	}
	// Auryn computes hom_fudge in s and Hz: the same number.
	auryn := 6.5e-3 * 16.8e-3 * 114e-3 / 33.7e-3 / 3 / 10 / 10
	if got := p.EtaMinus(); math.Abs(got-auryn) > 1e-15*auryn {
		t.Errorf("EtaMinus() = %.17g, Auryn's hom_fudge = %.17g", got, auryn)
	}
	if got := p.HomInit(); math.Abs(got-30) > 1e-12 {
		t.Errorf("HomInit() = %g, want 30", got)
	}
	r, err := NewHomeostatic[float32](p, testClock, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, zh := r.PostTraces(0, 0); zh != p.HomInit() {
		t.Errorf("z^hom at tick 0 = %g, want κ τ_hom = 30", zh)
	}
}

// TestHomeostaticHandComputed follows one synapse i→j through a few spikes
// and compares each weight with the update equations of Zenke, Hennequin &
// Gerstner (2013), evaluated here by hand (times in ms, η⁻ from their formula):
//
//	10 ms  post        LTP reads z⁺ = 0: no change
//	20 ms  pre arrives LTD: z⁻ = e^{−10/33.7}, z^hom = 30 e^{−20/10⁴} + e^{−10/10⁴}
//	25 ms  post        LTP: z⁺ = e^{−5/16.8}, z^slow = e^{−15/114}
//	30 ms  pre + post  LTD (first: the engine's order) with z⁻ = e^{−20/33.7} + e^{−5/33.7},
//	                   z^hom = 30 e^{−30/10⁴} + e^{−20/10⁴} + e^{−5/10⁴};
//	                   then LTP with z⁺ = e^{−10/16.8} (not the arrival at 30 ms:
//	                   traces are read before this tick's increments),
//	                   z^slow = e^{−20/114} + e^{−5/114}
//	40 ms  pre arrives LTD with z⁻ = e^{−30/33.7} + e^{−15/33.7} + e^{−10/33.7}, z^hom likewise
//
// and the same with weights near the bounds, where w ← max(0, ·) and
// w ← min(1, ·) clip.
func TestHomeostaticHandComputed(t *testing.T) {
	const (
		a3      = 6.5e-3
		tp, tm  = 16.8, 33.7
		ts, th  = 114.0, 10e3
		kappaMs = 3.0 / 1000 // 3 Hz in spikes per ms
	)
	etaMinus := a3 * tp * ts / (tm * kappaMs * th * th)
	e := math.Exp
	zh20 := 30*e(-20/th) + e(-10/th)
	zh30 := 30*e(-30/th) + e(-20/th) + e(-5/th)
	zh40 := 30*e(-40/th) + e(-30/th) + e(-15/th) + e(-10/th)
	zm40 := e(-30/tm) + e(-15/tm) + e(-10/tm)
	steps := []struct {
		name string
		dw   float64 // the unclipped change
	}{
		{"10ms_post", 0},
		{"20ms_pre", -etaMinus * e(-10/tm) * zh20 * zh20},
		{"25ms_post", a3 * e(-5/tp) * e(-15/ts)},
		{"30ms_pre", -etaMinus * (e(-20/tm) + e(-5/tm)) * zh30 * zh30},
		{"30ms_post", a3 * e(-10/tp) * (e(-20/ts) + e(-5/ts))},
		{"40ms_pre", -etaMinus * zm40 * zh40 * zh40},
	}
	for _, w0 := range []float64{0.5, 1 - 1e-3, 5e-4} { // free; clipped at 1 at 25 ms; clipped at 0 at 20 ms
		p := DefaultHomeostatic()
		r, err := NewHomeostatic[float64](p, testClock, 1, 1)
		if err != nil {
			t.Fatal(err)
		}
		w := []float64{w0}
		tgt, src, syn := []int32{0}, []int32{0}, []int32{0}
		calls := []func(){
			func() { r.Post(100, 0, src, syn, w) },
			func() { r.Pre(200, 0, tgt, w) },
			func() { r.Post(250, 0, src, syn, w) },
			func() { r.Pre(300, 0, tgt, w) },
			func() { r.Post(300, 0, src, syn, w) },
			func() { r.Pre(400, 0, tgt, w) },
		}
		want := w0
		for k, st := range steps {
			calls[k]()
			want = math.Min(1, math.Max(0, want+st.dw))
			if d := math.Abs(w[0] - want); !(d <= 1e-15) {
				t.Errorf("w0 = %g, after %s: w = %.17g, want %.17g (diff %.3g)", w0, st.name, w[0], want, d)
			}
		}
		t.Logf("w0 = %g: final w = %.12g (LTD steps %.4g, %.4g, %.4g; LTP steps %.4g, %.4g)",
			w0, w[0], steps[1].dw, steps[3].dw, steps[5].dw, steps[2].dw, steps[4].dw)
	}
}
