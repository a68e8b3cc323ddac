package neuron

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/internal/paramtest"
)

// clock01 is the default resolution of the scenarios, 0.1 ms.
var clock01 = snnsim.Clock{DT: 0.1}

// allModels returns the default parameters of every model, the table
// every model-independent test loops over.
func allModels() []Params {
	return append(lifModels(), DefaultLIFAmpaNmda(), DefaultAIFAmpaNmda())
}

// lifModels returns the default parameters of the three LIF models whose
// subthreshold dynamics are propagated exactly (lif_exp_cond: exactly while
// it has no conductance), for the tests against analytic LIF solutions.
func lifModels() []Params {
	d, e, c := DefaultLIFDelta(), DefaultLIFExp(), DefaultLIFCond()
	return []Params{d, e, c}
}

// refractoryModels returns the models for the tests of the absolute
// refractory period (Auryn's convention, t_ref = 5 ms): the LIF models, and
// lif_cond_ampa_nmda with t_ref = 5 ms and no threshold jump.
func refractoryModels() []Params {
	a := DefaultLIFAmpaNmda()
	a.TRef, a.ThetaSpike = 5, 0
	return append(lifModels(), a)
}

// isCond reports whether p's weights are conductances in units of g_L.
func isCond(p Params) bool {
	switch p.(type) {
	case LIFCond, LIFAmpaNmda, AIFAmpaNmda:
		return true
	}
	return false
}

// freeDecay returns the fraction of V - V_inf left after k ticks of 0.1 ms
// without input or conductance: exp(-k dt/tau_m) for the exact propagators,
// (1 - dt/tau_m)^k for the forward Euler of lif_cond_ampa_nmda and
// aif_cond_ampa_nmda.
func freeDecay(p Params, k snnsim.Time) float64 {
	tau := baseOf(p).TauM
	switch p.(type) {
	case LIFAmpaNmda, AIFAmpaNmda:
		return math.Pow(1-0.1/tau, float64(k))
	}
	return math.Exp(-float64(k) * 0.1 / tau)
}

// base returns the LIFBase of any model.
func baseOf(p Params) LIFBase {
	switch p := p.(type) {
	case LIFDelta:
		return p.LIFBase
	case LIFExp:
		return p.LIFBase
	case LIFCond:
		return p.LIFBase
	case LIFAmpaNmda:
		return p.LIFBase
	case AIFAmpaNmda:
		return p.LIFBase
	}
	panic(fmt.Sprintf("unknown params %T", p))
}

// withBase returns p with its LIFBase replaced by b.
func withBase(p Params, b LIFBase) Params {
	switch p := p.(type) {
	case LIFDelta:
		p.LIFBase = b
		return p
	case LIFExp:
		p.LIFBase = b
		return p
	case LIFCond:
		p.LIFBase = b
		return p
	case LIFAmpaNmda:
		p.LIFBase = b
		return p
	case AIFAmpaNmda:
		p.LIFBase = b
		return p
	}
	panic(fmt.Sprintf("unknown params %T", p))
}

// strongExc returns an excitatory weight, in p's internal unit, that makes
// a neuron at rest fire within two ticks: a 100 mV jump (delta), R·I = 1e4
// mV (exp: V rises by about 1e4·dt/tau_m = 50 mV in the first tick), 1000
// g_L (cond: V reaches about e_exc within a tick; cond_ampa_nmda: the Euler
// step overshoots e_exc, and V is clipped to v_max = 0 mV).
func strongExc(p Params) float32 {
	switch p.(type) {
	case LIFDelta:
		return 100
	case LIFExp:
		return 1e4
	}
	return 1000
}

// forEachKernel runs f once with the assembly dense loops (when the CPU has
// them) and once with the Go loops.
func forEachKernel(t *testing.T, f func(t *testing.T)) {
	saved := useAVX2
	defer func() { useAVX2 = saved }()
	kernels := []bool{false}
	if saved {
		kernels = append(kernels, true)
	}
	for _, k := range kernels {
		useAVX2 = k
		name := "kernel=go"
		if k {
			name = "kernel=avx2"
		}
		t.Run(name, f)
	}
}

// input is one synaptic input for run.
type input struct {
	t snnsim.Time
	r Receptor
	i int32
	w float32
}

// spike is one output spike.
type spike struct {
	t snnsim.Time
	i int32
}

// run drives pop from tick 1 to T the way the engine does: at each tick it
// delivers the inputs of that tick (grouped by receptor, in the order given)
// and calls Update. With skip it calls Update only when Active() > 0 or there
// is input, as an event-driven engine that jumps over quiet time does. It
// returns the spikes and the number of neuron-steps (the sum of Active()
// over the Update calls).
func run(tb testing.TB, pop Population, T snnsim.Time, inputs []input, skip bool) ([]spike, int) {
	tb.Helper()
	var out []spike
	var fired []int32
	k, steps := 0, 0
	var tg [2][]int32
	var ws [2][]float32
	for t := snnsim.Time(1); t <= T; t++ {
		tg[0], tg[1], ws[0], ws[1] = tg[0][:0], tg[1][:0], ws[0][:0], ws[1][:0]
		for ; k < len(inputs) && inputs[k].t == t; k++ {
			in := inputs[k]
			tg[in.r] = append(tg[in.r], in.i)
			ws[in.r] = append(ws[in.r], in.w)
		}
		if k < len(inputs) && inputs[k].t < t {
			tb.Fatalf("inputs not sorted by tick at %d", k)
		}
		has := len(tg[0])+len(tg[1]) > 0
		for r := range 2 {
			if len(tg[r]) > 0 {
				pop.Deliver(t, Receptor(r), tg[r], ws[r])
			}
		}
		if skip && !has && pop.Active() == 0 {
			continue
		}
		steps += pop.Active()
		fired = pop.Update(t, fired[:0])
		if !slices.IsSorted(fired) {
			tb.Fatalf("t=%d: fired %v not in increasing order", t, fired)
		}
		for _, i := range fired {
			out = append(out, spike{t, i})
		}
	}
	return out, steps
}

// mustNew creates a population or fails the test.
func mustNew(tb testing.TB, p Params, n int, c snnsim.Clock) Population {
	tb.Helper()
	pop, err := p.New(n, c)
	if err != nil {
		tb.Fatalf("%s.New(%d): %v", p.Model(), n, err)
	}
	return pop
}

// relErr returns |got-want|/max(|want|, 1e-300).
func relErr(got, want float64) float64 {
	return math.Abs(got-want) / math.Max(math.Abs(want), 1e-300)
}

// TestConformance checks the Population contract on every model.
func TestConformance(t *testing.T) {
	for _, p := range allModels() {
		t.Run("model="+p.Model(), func(t *testing.T) {
			forEachKernel(t, func(t *testing.T) { checkPopulation(t, p) })
		})
	}
}

// checkPopulation is the conformance suite: every neuron model must pass it.
// p must have its resting drive below threshold (the defaults do).
func checkPopulation(t *testing.T, p Params) {
	b := baseOf(p)
	t.Run("case=empty", func(t *testing.T) {
		pop := mustNew(t, p, 0, clock01)
		if pop.Len() != 0 || pop.Active() != 0 {
			t.Fatalf("Len, Active = %d, %d; want 0, 0", pop.Len(), pop.Active())
		}
		if f := pop.Update(1, nil); len(f) != 0 {
			t.Fatalf("Update on empty population fired %v", f)
		}
	})

	t.Run("case=rest", func(t *testing.T) {
		const n = 9 // not a multiple of 4: exercises the kernels' tail
		pop := mustNew(t, p, n, clock01)
		if pop.Len() != n {
			t.Fatalf("Len() = %d, want %d", pop.Len(), n)
		}
		if pop.Active() != 0 {
			t.Errorf("Active() at rest = %d, want 0 (drive below threshold)", pop.Active())
		}
		for _, skip := range []bool{false, true} {
			spikes, _ := run(t, pop, 1000, nil, skip)
			if len(spikes) != 0 {
				t.Fatalf("spikes without input: %v", spikes)
			}
		}
		for i := range n {
			if v := pop.V(i, 1000); v != b.VRest {
				t.Errorf("V(%d) = %g, want v_rest = %g", i, v, b.VRest)
			}
		}
	})

	t.Run("case=unsorted-targets", func(t *testing.T) {
		// Weights are binary fractions, so the sums are exact in any order.
		a, s := mustNew(t, p, 8, clock01), mustNew(t, p, 8, clock01)
		w := float32(0.125)
		if _, ok := p.(LIFDelta); ok {
			w = 2
		}
		a.Deliver(1, Exc, []int32{5, 1, 3, 1, 7}, []float32{w, 2 * w, w, w, 4 * w})
		s.Deliver(1, Exc, []int32{1, 1, 3, 5, 7}, []float32{2 * w, w, w, w, 4 * w})
		a.Deliver(1, Inh, []int32{6, 0}, []float32{w, 2 * w})
		s.Deliver(1, Inh, []int32{0, 6}, []float32{2 * w, w})
		for tk := snnsim.Time(1); tk <= 50; tk++ {
			fa, fs := a.Update(tk, nil), s.Update(tk, nil)
			if !slices.Equal(fa, fs) {
				t.Fatalf("t=%d: fired %v vs %v", tk, fa, fs)
			}
			for i := range 8 {
				if va, vs := a.V(i, tk), s.V(i, tk); va != vs {
					t.Fatalf("t=%d i=%d: V %g vs %g", tk, i, va, vs)
				}
			}
		}
	})

	t.Run("case=fired-order", func(t *testing.T) {
		for _, always := range []bool{false, true} {
			pop := mustNew(t, p, 10, clock01)
			pop.SetAlwaysActive(always)
			w := strongExc(p)
			pop.Deliver(1, Exc, []int32{7, 2, 9, 5, 0}, []float32{w, w, w, w, w})
			var fired []int32
			for tk := snnsim.Time(1); tk <= 3 && len(fired) == 0; tk++ {
				fired = pop.Update(tk, fired)
			}
			if want := []int32{0, 2, 5, 7, 9}; !slices.Equal(fired, want) {
				t.Errorf("always=%v: fired %v, want %v", always, fired, want)
			}
		}
	})

	t.Run("case=V-does-not-mutate", func(t *testing.T) {
		a, s := mustNew(t, p, 5, clock01), mustNew(t, p, 5, clock01)
		w := float32(0.5)
		for _, pop := range []Population{a, s} {
			pop.Deliver(3, Exc, []int32{1, 2}, []float32{w, w})
			pop.SetBias(0, 4, 50) // 50 pA: V_inf = v_rest + 5 mV, below threshold
		}
		for tk := snnsim.Time(1); tk <= 200; tk++ {
			for i := range 5 {
				_ = a.V(i, tk+7) // a look ahead must not change anything
			}
			fa, fs := a.Update(tk, nil), s.Update(tk, nil)
			if !slices.Equal(fa, fs) {
				t.Fatalf("t=%d: fired %v vs %v", tk, fa, fs)
			}
			for i := range 5 {
				if va, vs := a.V(i, tk), s.V(i, tk); va != vs {
					t.Fatalf("t=%d i=%d: V %g vs %g", tk, i, va, vs)
				}
			}
		}
	})

	t.Run("case=SetV-wakes", func(t *testing.T) {
		pop := mustNew(t, p, 4, clock01)
		run(t, pop, 100, nil, true)
		if pop.Active() != 0 {
			t.Fatalf("Active() = %d before SetV", pop.Active())
		}
		v0 := b.VRest + 0.8*(b.VThreshold-b.VRest)
		pop.SetV(100, 2, v0) // at tick 100, before Update(100)
		if pop.Active() != 1 {
			t.Fatalf("Active() = %d after SetV, want 1", pop.Active())
		}
		pop.Update(100, nil)
		if got := pop.V(2, 100); got != v0 {
			t.Fatalf("V(2, 100) = %g after SetV, want %g", got, v0)
		}
		pop.Update(101, nil)
		// Free decay towards v_rest over one tick (no bias, no input).
		want := b.VRest + (v0-b.VRest)*freeDecay(p, 1)
		if got := pop.V(2, 101); relErr(got, want) > 1e-12 {
			t.Fatalf("V(2, 101) = %.15g, want %.15g", got, want)
		}
	})

	t.Run("case=SetBias-timing", func(t *testing.T) {
		// "From tick t on": SetBias(t) called before Update(t) and after
		// Update(t) both leave V(t) unchanged and drive V(t+1).
		before, after := mustNew(t, p, 2, clock01), mustNew(t, p, 2, clock01)
		const t0 = 20
		for tk := snnsim.Time(1); tk <= 60; tk++ {
			if tk == t0 {
				before.SetBias(t0, 1, 80) // 80 pA: V_inf = v_rest + 8 mV
			}
			before.Update(tk, nil)
			after.Update(tk, nil)
			if tk == t0 {
				after.SetBias(t0, 1, 80)
				if v := before.V(1, t0); v != b.VRest {
					t.Fatalf("V(t0) = %g, want v_rest (bias starts after t0)", v)
				}
			}
			if vb, va := before.V(1, tk), after.V(1, tk); vb != va {
				t.Fatalf("t=%d: V %g (set before Update) vs %g (after)", tk, vb, va)
			}
		}
		// V(t0+k) = V_inf + (v_rest - V_inf) e^{-k dt/tau_m} (Euler: (1 -
		// dt/tau_m)^k), R·80 pA = 8 mV.
		vinf := b.VRest + b.R()*80
		want := vinf + (b.VRest-vinf)*freeDecay(p, 60-t0)
		if got := after.V(1, 60); relErr(got, want) > 1e-12 {
			t.Fatalf("V(60) = %.15g, want %.15g", got, want)
		}
	})

	// relax is V at tick tk of a neuron at v_rest whose bias I [pA] starts
	// at tick t0: V_inf + (v_rest - V_inf) e^{-(tk-t0) dt/tau_m} (or the
	// Euler factor, see freeDecay).
	relax := func(I float64, t0, tk snnsim.Time) float64 {
		vinf := b.VRest + b.R()*I
		return vinf + (b.VRest-vinf)*freeDecay(p, tk-t0)
	}

	t.Run("case=SetBias-future", func(t *testing.T) {
		// Called at tick 0 for tick 20: the neuron is kept active, and the
		// bias starts after Update(20).
		pop := mustNew(t, p, 3, clock01)
		pop.SetBias(20, 1, 60)
		for tk := snnsim.Time(1); tk <= 40; tk++ {
			if tk <= 20 && pop.Active() == 0 {
				t.Fatalf("t=%d: no neuron active with a pending SetBias", tk)
			}
			pop.Update(tk, nil)
			if tk == 20 && pop.V(1, 20) != b.VRest {
				t.Fatalf("V(20) = %g, want v_rest", pop.V(1, 20))
			}
		}
		if got, want := pop.V(1, 40), relax(60, 20, 40); relErr(got, want) > 1e-12 {
			t.Fatalf("V(40) = %.15g, want %.15g", got, want)
		}
	})

	t.Run("case=SetBias-late", func(t *testing.T) {
		// The caller skipped Update(50) (nothing was active) and calls
		// Update(60) next: the bias still starts at tick 50.
		pop := mustNew(t, p, 3, clock01)
		pop.SetBias(50, 2, 70)
		pop.Update(60, nil)
		if got, want := pop.V(2, 60), relax(70, 50, 60); relErr(got, want) > 1e-12 {
			t.Fatalf("V(60) = %.15g, want %.15g", got, want)
		}
		pop.SetV(70, 2, b.VRest) // also late: applied at 70 by Update(80)
		pop.Update(80, nil)
		if got, want := pop.V(2, 80), relax(70, 70, 80); relErr(got, want) > 1e-12 {
			t.Fatalf("V(80) = %.15g, want %.15g", got, want)
		}
	})

	t.Run("case=skipped-ticks-while-active", func(t *testing.T) {
		// Outside the contract (Update every tick while Active() > 0), but
		// the state must still be propagated exactly.
		pop := mustNew(t, p, 5, clock01)
		pop.SetAlwaysActive(true)
		pop.SetBias(0, 3, 40)
		pop.Update(1, nil)
		pop.Update(300, nil)
		if got, want := pop.V(3, 300), relax(40, 0, 300); relErr(got, want) > 1e-12 {
			t.Fatalf("V(300) = %.15g, want %.15g", got, want)
		}
	})

	t.Run("case=no-allocs", func(t *testing.T) {
		pop := mustNew(t, p, 64, clock01)
		targets := []int32{3, 60, 17, 3}
		ws := []float32{0.5, 0.5, 0.5, 0.5}
		fired := make([]int32, 0, 64)
		tk := snnsim.Time(0)
		step := func() {
			tk++
			pop.Deliver(tk, Exc, targets, ws)
			pop.Deliver(tk, Inh, targets[:2], ws[:2])
			fired = pop.Update(tk, fired[:0])
		}
		for range 100 { // warm up the internal lists
			step()
		}
		if a := testing.AllocsPerRun(200, step); a != 0 {
			t.Errorf("Deliver+Update allocate %g times per tick, want 0", a)
		}
	})

	t.Run("case=ticks-must-increase", func(t *testing.T) {
		pop := mustNew(t, p, 2, clock01)
		pop.Update(5, nil)
		defer func() {
			if recover() == nil {
				t.Error("Update(5) twice did not panic")
			}
		}()
		pop.Update(5, nil)
	})
}

// TestRegistry walks the model table: every model validates its defaults,
// refuses a wrong value of each parameter with a ParamError naming the
// key, and reports its bias, refractory period and weight unit
// consistently with its parameters and WeightScale.
func TestRegistry(t *testing.T) {
	paramtest.Registry(t, paramtest.Table[Params]{Pkg: "neuron", Names: Models(), Lookup: Lookup, Model: Params.Model})
	for _, name := range Models() {
		p, _ := Lookup(name)
		// Bias is the i_bias key and Refractory the t_ref key, whatever
		// fields hold them.
		rv := reflect.ValueOf(p).Elem()
		set := map[string]bool{}
		for _, f := range reflect.VisibleFields(rv.Type()) {
			switch key := f.Tag.Get("toml"); key {
			case "i_bias":
				rv.FieldByIndex(f.Index).SetFloat(12.5)
				set[key] = true
			case "t_ref":
				rv.FieldByIndex(f.Index).SetFloat(3.25)
				set[key] = true
			}
		}
		if !set["i_bias"] {
			t.Errorf("%s has no i_bias parameter", name)
		} else if got := p.Bias(); got != 12.5 {
			t.Errorf("%s: Bias() = %g with i_bias = 12.5 pA", name, got)
		}
		if !set["t_ref"] {
			t.Errorf("%s has no t_ref parameter", name)
		} else if got := p.Refractory(); got != 3.25 {
			t.Errorf("%s: Refractory() = %g with t_ref = 3.25 ms", name, got)
		}
		// The weight unit is the dimension that WeightScale passes through
		// unscaled: a voltage for "mV", a plain number for "g_L".
		dim := map[string]snnsim.Dimension{"mV": snnsim.Voltage, "g_L": snnsim.Dimensionless}
		d, known := dim[p.WeightUnit()]
		if !known {
			t.Errorf("%s: WeightUnit() = %q, want mV or g_L", name, p.WeightUnit())
			continue
		}
		for _, r := range []Receptor{Exc, Inh} {
			if s, err := p.WeightScale(r, d); err != nil || s != 1 {
				t.Errorf("%s: WeightUnit() = %q but WeightScale(%s, %s) = %g, %v; want 1", name, p.WeightUnit(), r, d, s, err)
			}
		}
	}
}
