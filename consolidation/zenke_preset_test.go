package consolidation

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
	"github.com/snnsim/snnsim/checkpoint/checkpointtest"
)

// simRcP11 returns the preset "sim_rc_p11".
func simRcP11(t *testing.T) ZenkeParams {
	t.Helper()
	var p ZenkeParams
	if err := p.ApplyPreset("sim_rc_p11"); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestZenkePreset checks the authors' configuration: P = 0.1/0.005859375
// = 17.0667 (Auryn's normalisation), w̃ starting in the lower well, no
// heterosynaptic term of the model's own (the P11 rule has it), every
// synapse stepped at every slow tick, the rest at the defaults; and that an unknown preset is refused with the names.
func TestZenkePreset(t *testing.T) {
	if got := Presets(modelZenke); !slices.Equal(got, []string{"sim_rc_p11"}) {
		t.Fatalf("Presets(zenke_2015) = %v", got)
	}
	if Presets("trivial") != nil || Presets("no_such_model") != nil {
		t.Fatal("Presets lists presets for a model without any")
	}
	p := simRcP11(t)
	want := DefaultZenke()
	want.P, want.WRefInit, want.Beta, want.SkipSettled = 0.1/0.005859375, "lower", 0, false
	if math.Abs(p.P-17.0667) > 1e-4 || math.Abs(p.P-want.P) > 1e-12 {
		t.Errorf("P = %.10g, want 0.1/0.005859375 = %.10g", p.P, want.P)
	}
	p.P = want.P
	if p != want {
		t.Errorf("preset = %+v\nwant     %+v", p, want)
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	err := p.ApplyPreset("auryn")
	if !errors.Is(err, ErrUnknownPreset) || !strings.Contains(err.Error(), `"auryn"`) || !strings.Contains(err.Error(), "sim_rc_p11") {
		t.Errorf("ApplyPreset(auryn) = %v", err)
	}
	bad := DefaultZenke()
	bad.WRefInit = "upper"
	if err := bad.Validate(); err == nil || err.Error() != `consolidation: zenke_2015.w_ref_init = "upper": must be one of "weight", "lower"` {
		t.Errorf("w_ref_init = upper: %v", err)
	}
}

// TestZenkeAuthorsFixedPoints runs w̃ from the lower well with w held
// fixed under the preset and compares where it settles with the roots of
// (w − w̃) = P w̃ (0.25 − w̃)(0.5 − w̃) for P = 17.07 (w = 0.1 → 0.037,
// 0.2 → 0.098, 0.3 → 0.402, 1.0 → 0.607), and checks the narrow bistable
// band 0.2484 < w < 0.2516: inside it w̃ stays in the well it starts in;
// outside it (w = 0.24, 0.26: close to the band w̃ passes the vanished
// fixed point too slowly to leave within the test) w̃ leaves the wrong one.
func TestZenkeAuthorsFixedPoints(t *testing.T) {
	p := simRcP11(t)
	p.SkipSettled = false
	settle := func(w, wr0 float64) float64 {
		m, d := zenkeOne(t, w, &p)
		if got := m.Get(1, 0); got != 0 {
			t.Fatalf("w̃ starts at %g, want 0 (lower well)", got)
		}
		if err := m.Set(0, 1, 0, wr0); err != nil {
			t.Fatal(err)
		}
		end := msTicks(20 * p.TauCons) // 20 τ_cons: ≥ 60 relaxation times
		d.idle(end)
		d.to(end)
		if m.Get(0, 0) != float64(float32(w)) {
			t.Fatalf("w moved from %g to %g without signals", w, m.Get(0, 0))
		}
		return m.Get(1, 0)
	}
	for _, c := range []struct{ w, want float64 }{{0.1, 0.037}, {0.2, 0.098}, {0.3, 0.402}, {1.0, 0.607}} {
		if got := settle(c.w, 0); math.Abs(got-c.want) > 5e-4 {
			t.Errorf("w = %g: w̃ settles at %.5f, want %.3f", c.w, got, c.want)
		}
	}
	for _, c := range []struct {
		w, from float64
		high    bool
	}{
		{0.249, 0, false}, {0.249, 0.5, true}, {0.251, 0, false}, {0.251, 0.5, true},
		{0.24, 0.5, false}, {0.26, 0, true},
	} {
		if got := settle(c.w, c.from); (got > 0.25) != c.high {
			t.Errorf("w = %g from w̃ = %g: settles at %.4f, want the %s well", c.w, c.from, got, map[bool]string{true: "upper", false: "lower"}[c.high])
		}
	}
}

// TestZenkePause checks the level "consolidation": while it is 0 w̃ does
// not move and the model asks for no work; resumed, it goes on as if the
// paused stretch had not been there (here both ends are slow ticks, so the
// steps are the same ones, bit for bit). A checkpoint taken while paused
// resumes paused. Bad names and levels are refused.
func TestZenkePause(t *testing.T) {
	p := simRcP11(t)
	p.SkipSettled = false
	step := msTicks(p.SlowStep)
	pauseAt, resumeAt := 50*step, 550*step

	paused, dp := zenkeOne(t, 0.5, &p)
	straight, ds := zenkeOne(t, 0.5, &p)
	dp.idle(pauseAt - 1)
	dp.to(pauseAt)
	if err := paused.SetLevel(pauseAt, "consolidation", 0); err != nil {
		t.Fatal(err)
	}
	frozen := paused.Get(1, 0)
	if frozen == 0 {
		t.Fatal("w̃ did not move before the pause: the test tests nothing")
	}
	if paused.Next() != snnsim.Never {
		t.Fatalf("paused: Next() = %d, want Never", paused.Next())
	}
	mid := (pauseAt + resumeAt) / 2
	dp.to(mid)
	if paused.Get(1, 0) != frozen {
		t.Fatalf("w̃ moved while paused: %g → %g", frozen, paused.Get(1, 0))
	}

	// A checkpoint while paused resumes paused.
	saved := paused.AppendState(nil)
	again, da := zenkeOne(t, 0.5, &p)
	if _, err := again.RestoreState(saved); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		m *zenke
		d *consDriver
	}{{paused, dp}, {again, da}} {
		c.d.to(resumeAt)
		if err := c.m.SetLevel(resumeAt, "consolidation", 1); err != nil {
			t.Fatal(err)
		}
		if c.m.Get(1, 0) != frozen {
			t.Fatalf("w̃ moved while paused: %g → %g", frozen, c.m.Get(1, 0))
		}
		c.d.idle(resumeAt + 50*step)
		c.d.to(resumeAt + 50*step)
	}
	ds.idle(100 * step)
	ds.to(100 * step)
	if a, b, c := paused.Get(1, 0), again.Get(1, 0), straight.Get(1, 0); a != c || b != c {
		t.Errorf("w̃ after 50 + 50 active slow ticks: paused %.17g, restored while paused %.17g, straight %.17g", a, b, c)
	}
	if !bytes.Equal(paused.AppendState(nil), again.AppendState(nil)) {
		t.Error("the run restored while paused ends in another state")
	}
	if err := paused.SetLevel(0, "dopamine", 1); err == nil || !strings.Contains(err.Error(), `"consolidation"`) {
		t.Errorf("SetLevel(dopamine) = %v", err)
	}
	if err := paused.SetLevel(0, "consolidation", 0.5); err == nil {
		t.Error("SetLevel(consolidation, 0.5) accepted")
	}
	if got := (ZenkeParams{}).Modulators(); !slices.Equal(got, []string{"consolidation"}) {
		t.Errorf("Modulators() = %v", got)
	}
}

// TestZenkeReference checks what a rule reads: ReferenceWeights is w̃ of
// every synapse, the same array for the model's life (also after
// RestoreState, which refills it), and Heterosynaptic says whether the
// model applies the term itself.
func TestZenkeReference(t *testing.T) {
	p := simRcP11(t)
	l := gridLayout(3, 2, 1, func(s int) float32 { return 0.1 * float32(s+1) })
	m := mustNew(t, &p, l).(*zenke)
	ref, stride := m.ReferenceWeights()
	if stride < 1 || len(ref) < 5*stride+1 || m.Heterosynaptic() {
		t.Fatalf("len %d, stride %d, Heterosynaptic %v; want room for 6 synapses, false (beta = 0)", len(ref), stride, m.Heterosynaptic())
	}
	if err := m.Set(5, 1, 4, 0.3); err != nil {
		t.Fatal(err)
	}
	if ref[4*stride] != 0.3 {
		t.Fatalf("w̃ of synapse 4 = %g after Set(w̃ = 0.3)", ref[4*stride])
	}
	state := m.AppendState(nil)
	if err := m.Set(6, 1, 4, 0.1); err != nil {
		t.Fatal(err)
	}
	if _, err := m.RestoreState(state); err != nil {
		t.Fatal(err)
	}
	if again, _ := m.ReferenceWeights(); &again[0] != &ref[0] || ref[4*stride] != 0.3 {
		t.Fatalf("after RestoreState: same array %v, w̃ of synapse 4 = %g (want 0.3)", &again[0] == &ref[0], ref[4*stride])
	}
	q := DefaultZenke()
	if d := mustNew(t, &q, l).(*zenke); !d.Heterosynaptic() || d.Get(1, 3) != float64(l.Unit[3]) {
		t.Fatalf("defaults: Heterosynaptic %v, w̃ %g (want true, w̃ = w)", d.Heterosynaptic(), d.Get(1, 3))
	}
}

// TestZenkeStateVersion1 restores a frame of version 1, the layout without
// the pause flag: it resumes unpaused, as the model that wrote it; a frame
// of an unknown version is refused with ErrVersion.
func TestZenkeStateVersion1(t *testing.T) {
	p := DefaultZenke()
	l := gridLayout(3, 2, 1, func(s int) float32 { return 0.1 * float32(s+1) })
	a := mustNew(t, &p, l).(*zenke)
	newConsDriver(a)
	if err := a.Set(5, 1, 2, 0.3); err != nil {
		t.Fatal(err)
	}
	v2 := a.AppendState(nil)
	payload := checkpointtest.Payload(v2)
	const flagAt = 6*8 + 5*8 + 2*8 // identity, parameters, model tick and slow clock
	if payload[flagAt] != 0 {
		t.Fatalf("pause flag byte %d, want 0", payload[flagAt])
	}
	v1 := checkpointtest.Frame(stateTag(modelZenke), 1, slices.Concat(payload[:flagAt], payload[flagAt+1:]))
	b := mustNew(t, &p, l).(*zenke)
	newConsDriver(b)
	if rest, err := b.RestoreState(v1); err != nil || len(rest) != 0 {
		t.Fatalf("RestoreState(version 1) = %d bytes left, %v", len(rest), err)
	}
	if !bytes.Equal(b.AppendState(nil), v2) || b.paused {
		t.Fatal("a version-1 state does not restore to the state that wrote it")
	}
	checkpointtest.Refuse(t, b, checkpointtest.Frame(stateTag(modelZenke), 3, payload), checkpoint.ErrVersion)
}

// TestZenkePostUpdate checks PostUpdate against its definition: the P11
// rule's postsynaptic arithmetic on the rule buffer (written out here, in
// float64 from the float32 rule weight, clipped to the rule's bounds and
// rounded to float32) followed by Changed, on two models built alike and
// driven through the same random sequence of updates, with and without
// the delivery array bound, with factors large enough to reach both
// bounds; w, w̃, the rule buffer and the delivery array must agree bit for
// bit after every update. The fused cases keep neither a rule buffer nor
// a delivery array in the model that PostUpdate drives, as the engine
// runs it with a PreUpdater model; there the update runs in the assembly
// where there is one (useAVX2), for the synapses up to the last multiple
// of four, and in Go for the others, and both are checked.
func TestZenkePostUpdate(t *testing.T) {
	haveAVX2 := useAVX2
	defer func() { useAVX2 = haveAVX2 }()
	for _, tc := range []struct {
		name       string
		bind       bool
		fused      bool
		avx        bool
		wMin, wMax float64
	}{
		{"bound", true, false, false, 0, 5},
		{"unbound", false, false, false, 0, 5},
		{"narrow rule bounds", true, false, false, 0.05, 0.4},
		{"fused", false, true, false, 0, 5},
		{"fused narrow", false, true, false, 0.05, 0.4},
		{"fused assembly", false, true, true, 0, 5},
		{"fused assembly narrow", false, true, true, 0.05, 0.4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.avx && !haveAVX2 {
				t.Skip("no assembly kernels on this machine")
			}
			useAVX2 = tc.avx
			p := simRcP11(t)
			p.SlowStep = 10 // slow steps between the updates, so that w̃ moves
			const nPre, nPost = 23, 5
			l := gridLayout(nPre, nPost, 3, func(s int) float32 { return 0.05 * float32(s%9) })
			ref := mustNew(t, &p, l).(*zenke)
			got := mustNew(t, &p, l).(*zenke)
			var outRef, outGot []float32
			if tc.bind {
				outRef, outGot = make([]float32, len(l.Target)), make([]float32, len(l.Target))
				ref.Bind(outRef)
				got.Bind(outGot)
			}
			for s := 0; s < len(l.Target); s += 3 { // weights that float32 does not hold
				for _, m := range []*zenke{ref, got} {
					if err := m.Set(0, 0, int64(s), float64(l.Unit[s])+1e-9); err != nil {
						t.Fatal(err)
					}
				}
			}
			bufRef, bufGot := ref.RuleWeights(), ref.RuleWeights()
			if !tc.fused {
				bufGot = got.RuleWeights()
			}
			rng := rand.New(rand.NewPCG(5, 6))
			zp := make([]float64, nPre)
			atMax := 0
			for step := range 400 {
				tick := snnsim.Time(step * 3)
				j := int32(rng.IntN(nPost))
				var syn, src []int32
				for i := range int32(nPre) {
					syn, src = append(syn, i*nPost+j), append(src, i)
				}
				for i := range zp {
					zp[i] = rng.ExpFloat64()
				}
				a := 0.3 * rng.Float64() * float64(step%3)
				b := 0.5 * rng.Float64() * float64(step%2)
				if step%17 == 0 {
					a = 40 // up to w_max
				}
				if step%13 == 0 {
					a = -40 // down to w_min
				}
				ref.Advance(tick)
				for n, k := range syn {
					x := float64(bufRef[k])
					v := x + a*zp[src[n]]
					if b != 0 {
						v -= b * (x - ref.Get(1, int64(k)))
					}
					if v > tc.wMax { // the order of the P11 rule's clip
						v = tc.wMax
					}
					if v < tc.wMin {
						v = tc.wMin
					}
					bufRef[k] = float32(v)
				}
				ref.Changed(tick, 0, syn)
				got.Advance(tick)
				got.PostUpdate(tick, 0, syn, src, zp, a, b, tc.wMin, tc.wMax)
				for s := range l.Target {
					for v := range 2 {
						if x, y := ref.Get(v, int64(s)), got.Get(v, int64(s)); math.Float64bits(x) != math.Float64bits(y) {
							t.Fatalf("step %d: synapse %d variable %d: %v after PostUpdate, %v after the rule pass and Changed", step, s, v, y, x)
						}
					}
					if math.Float32bits(bufRef[s]) != math.Float32bits(bufGot[s]) {
						t.Fatalf("step %d: synapse %d: rule buffer %v, want %v", step, s, bufGot[s], bufRef[s])
					}
					if tc.bind && math.Float32bits(outRef[s]) != math.Float32bits(outGot[s]) {
						t.Fatalf("step %d: synapse %d: delivered %v, want %v", step, s, outGot[s], outRef[s])
					}
					if math.Abs(got.Get(0, int64(s))-tc.wMax) < 1e-6 { // w_max rounded to float32 by the rule
						atMax++
					}
				}
			}
			moved := 0
			for s, u := range l.Unit {
				if got.Get(0, int64(s)) != float64(u) {
					moved++
				}
			}
			if moved < len(l.Unit)/2 || atMax == 0 {
				t.Fatalf("%d of %d weights moved, %d updates reached w_max: the updates do not exercise the model", moved, len(l.Unit), atMax)
			}
		})
	}
}

// TestZenkePreUpdate checks PreUpdate against its definition: the P11
// rule's presynaptic arithmetic on the rule buffer (written out here: in
// float64 from the float32 rule weight, w − c·q[j] + δ, clipped below at
// the rule's w_min and rounded to float32) followed by Changed, with the
// reference model bound to a delivery array. The model under test is
// unbound (as the engine runs it when it hands out the weights itself) or
// bound; w, w̃, the rule buffer and the weights PreUpdate writes must agree
// with the reference, bit for bit, after every arrival, and so must
// Efficacy and Efficacies. The factors reach both bounds of the model.
func TestZenkePreUpdate(t *testing.T) {
	haveAVX2 := useAVX2
	defer func() { useAVX2 = haveAVX2 }()
	for _, tc := range []struct {
		name string
		bind bool
		avx  bool
		wMin float64
	}{
		{"unbound", false, false, 0},
		{"bound", true, false, 0},
		{"rule bound above 0", false, false, 0.05},
		{"unbound assembly", false, true, 0},
		{"rule bound above 0 assembly", false, true, 0.05},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.avx && !haveAVX2 {
				t.Skip("no assembly kernels on this machine")
			}
			useAVX2 = tc.avx
			p := simRcP11(t)
			p.SlowStep = 10 // slow steps between the arrivals, so that w̃ moves
			const nPre, nPost = 6, 9
			l := gridLayout(nPre, nPost, 4, func(s int) float32 { return 0.06 * float32(s%7) })
			ref := mustNew(t, &p, l).(*zenke)
			got := mustNew(t, &p, l).(*zenke)
			outRef := make([]float32, len(l.Target))
			ref.Bind(outRef)
			var outGot []float32
			if tc.bind {
				outGot = make([]float32, len(l.Target))
				got.Bind(outGot)
			}
			for s := 0; s < len(l.Target); s += 3 { // weights that float32 does not hold
				for _, m := range []*zenke{ref, got} {
					if err := m.Set(0, 0, int64(s), float64(l.Unit[s])+1e-9); err != nil {
						t.Fatal(err)
					}
				}
			}
			bufRef := ref.RuleWeights()
			rng := rand.New(rand.NewPCG(7, 8))
			q := make([]float64, nPost)
			dst := make([]float32, nPost)
			atMax, atMin := 0, 0
			for step := range 500 {
				tick := snnsim.Time(step * 4)
				i := int64(rng.IntN(nPre))
				lo, hi := i*nPost, (i+1)*nPost
				tgt := l.Target[lo:hi]
				for j := range q {
					q[j] = rng.ExpFloat64()
				}
				c := 0.05 * rng.Float64() * float64(step%3)
				delta := 0.02 * rng.Float64()
				switch step % 23 {
				case 0:
					delta = 8 // past w_max: the model clips
				case 11:
					c = 30 // below 0: the rule clips
				}
				ref.Advance(tick)
				for k, j := range tgt {
					v := float64(bufRef[lo+int64(k)]) - c*q[j] + delta
					if v < tc.wMin {
						v = tc.wMin
					}
					bufRef[lo+int64(k)] = float32(v)
				}
				ref.Changed(tick, lo, []int32{0, 1, 2, 3, 4, 5, 6, 7, 8})
				got.Advance(tick)
				got.PreUpdate(tick, lo, tgt, q, c, delta, tc.wMin, dst)
				for k := range dst {
					if want := outRef[lo+int64(k)]; math.Float32bits(dst[k]) != math.Float32bits(want) {
						t.Fatalf("step %d: synapse %d delivers %v, want %v", step, lo+int64(k), dst[k], want)
					}
				}
				for s := range l.Target {
					for v := range 2 {
						if x, y := ref.Get(v, int64(s)), got.Get(v, int64(s)); math.Float64bits(x) != math.Float64bits(y) {
							t.Fatalf("step %d: synapse %d variable %d: %v after PreUpdate, %v after the rule pass and Changed", step, s, v, y, x)
						}
					}
					if e := got.Efficacy(int64(s)); math.Float32bits(e) != math.Float32bits(outRef[s]) {
						t.Fatalf("step %d: Efficacy(%d) = %v, want %v", step, s, e, outRef[s])
					}
					if tc.bind && math.Float32bits(outGot[s]) != math.Float32bits(outRef[s]) {
						t.Fatalf("step %d: synapse %d: delivery array %v, want %v", step, s, outGot[s], outRef[s])
					}
					switch w := got.Get(0, int64(s)); {
					case w == p.WMax:
						atMax++
					case w == 0:
						atMin++
					}
				}
			}
			all := make([]float32, len(l.Target))
			got.Efficacies(all, 0)
			for s := range all {
				if math.Float32bits(all[s]) != math.Float32bits(outRef[s]) {
					t.Fatalf("Efficacies: synapse %d: %v, want %v", s, all[s], outRef[s])
				}
			}
			if atMax == 0 || (tc.wMin == 0 && atMin == 0) {
				t.Fatalf("%d weight samples at w_max, %d at 0: the arrivals do not exercise the bounds", atMax, atMin)
			}
		})
	}
}
