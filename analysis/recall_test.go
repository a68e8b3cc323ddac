package analysis

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/spikelog"
)

// TestMutualInformationHandComputed checks entropies and MI of small
// vectors worked out by hand, and the one number the authors print in
// their analysis (calculateMIa.py): the entropy of a binary pattern of 160
// active among 1600 neurons, 0.4689956 bits.
func TestMutualInformationHandComputed(t *testing.T) {
	binary := make([]float64, 1600)
	for i := range 160 {
		binary[i] = 1
	}
	for _, tc := range []struct {
		name       string
		l, r       []float64
		mi, hl, hr float64
		tol        float64
	}{
		// identical two-valued vectors: MI = H = 1 bit
		{"identical", []float64{0, 0, 2, 2}, []float64{0, 0, 2, 2}, 1, 1, 1, 1e-15},
		// every (l, r) pair once: independent, MI = 0
		{"independent", []float64{0, 0, 2, 2}, []float64{0, 2, 0, 2}, 0, 1, 1, 1e-15},
		// recall constant: nothing is recalled
		{"constant recall", []float64{0, 2, 4, 4}, []float64{6, 6, 6, 6}, 0, 1.5, 0, 1e-15},
		// H(L) = 1.5 (p = 1/4, 1/4, 1/2); R merges the first two values:
		// H(R) = 1, H(L,R) = H(L) = 1.5, MI = 1
		{"coarser recall", []float64{0, 2, 4, 4}, []float64{0, 0, 4, 4}, 1, 1.5, 1, 1e-15},
		{"authors' binary pattern", binary, binary, 0.4689956, 0.4689956, 0.4689956, 5e-8},
	} {
		mi, hl, hr, err := MutualInformation(tc.l, tc.r)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(mi-tc.mi) > tc.tol || math.Abs(hl-tc.hl) > tc.tol || math.Abs(hr-tc.hr) > tc.tol {
			t.Errorf("%s: MI %.9g H(L) %.9g H(R) %.9g, want %.9g %.9g %.9g", tc.name, mi, hl, hr, tc.mi, tc.hl, tc.hr)
		}
	}
	if _, _, _, err := MutualInformation([]int{1}, []int{1, 2}); err == nil {
		t.Error("vectors of different length accepted")
	}
}

// TestMutualInformationProperties checks on random rate vectors what holds
// for any pair: symmetry, 0 ≤ MI ≤ min(H(L), H(R)), MI(L, L) = H(L), and
// invariance under a one-to-one relabelling of the values (MI is unbinned,
// so only value identity matters, not the values).
func TestMutualInformationProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 50 {
		n := 1 + r.IntN(400)
		l, rr := make([]float64, n), make([]float64, n)
		for i := range l {
			l[i] = 2 * float64(r.IntN(1+trial%7))        // rates are multiples of 2 Hz
			rr[i] = 2 * float64((int(l[i])+r.IntN(3))%5) // partly dependent on l
		}
		mi, hl, hr, _ := MutualInformation(l, rr)
		mi2, _, _, _ := MutualInformation(rr, l)
		const eps = 1e-12
		if math.Abs(mi-mi2) > eps {
			t.Fatalf("trial %d: MI(L,R) %g != MI(R,L) %g", trial, mi, mi2)
		}
		if mi < -eps || mi > min(hl, hr)+eps {
			t.Fatalf("trial %d: MI %g outside [0, min(%g, %g)]", trial, mi, hl, hr)
		}
		if self, _, _, _ := MutualInformation(l, l); math.Abs(self-hl) > eps {
			t.Fatalf("trial %d: MI(L,L) %g != H(L) %g", trial, self, hl)
		}
		relabel := make([]float64, n)
		for i, v := range rr {
			relabel[i] = 1000 - 3*v
		}
		if m3, _, _, _ := MutualInformation(l, relabel); math.Abs(m3-mi) > eps {
			t.Fatalf("trial %d: relabelled MI %g != %g", trial, m3, mi)
		}
	}
	if Entropy([]int{}) != 0 {
		t.Error("entropy of no samples is not 0")
	}
}

// TestCompletion checks Q against hand-computed cases, the extremes, and
// the single stand-alone trial of the authors' simulator analysed with
// their script (ν_as 92.693, ν_ans 10.320, ν_ctrl 5.870 Hz, Q 0.04800).
func TestCompletion(t *testing.T) {
	rates := func(as, ans, ctrl []float64) ([]float64, RecallGroups) {
		all := slices.Concat(as, ans, ctrl)
		asm := make([]int, len(as)+len(ans))
		for i := range asm {
			asm[i] = i
		}
		g, err := NewRecallGroups(len(all), asm, asm[:len(as)])
		if err != nil {
			t.Fatal(err)
		}
		return all, g
	}
	for _, tc := range []struct {
		name          string
		as, ans, ctrl []float64
		q, qerr, qtol float64
	}{
		// ν_as 95 (σ 5), ν_ans 15 (σ 5), ν_ctrl 5 (σ √0.5): Q = 10/95,
		// QErr = √((5/95)² + (0.5/95²) + (50/95²)²) = 0.0534432241
		{"hand", []float64{100, 90}, []float64{10, 20}, []float64{4, 6, 5, 5}, 10.0 / 95, 0.05344322413666495, 1e-12},
		{"perfect recall", []float64{90, 90}, []float64{90, 90}, []float64{0, 0, 0}, 1, 0, 1e-15},
		{"no recall", []float64{90, 94}, []float64{4, 6}, []float64{6, 4, 5, 5}, 0, math.NaN(), 1e-15},
		{"authors' trial", []float64{92.693}, []float64{10.320}, []float64{5.870}, 0.04800, math.NaN(), 1e-4},
	} {
		all, g := rates(tc.as, tc.ans, tc.ctrl)
		pc := Completion(all, g)
		if math.Abs(pc.Q-tc.q) > tc.qtol {
			t.Errorf("%s: Q = %.9g, want %.9g", tc.name, pc.Q, tc.q)
		}
		if !math.IsNaN(tc.qerr) && math.Abs(pc.QErr-tc.qerr) > 1e-12 {
			t.Errorf("%s: QErr = %.12g, want %.12g", tc.name, pc.QErr, tc.qerr)
		}
	}
	for _, bad := range []struct{ assembly, cued []int }{
		{[]int{0, 1, 10}, nil}, {[]int{0, 0}, nil}, {[]int{0, 1}, []int{2}}, {[]int{0, 1}, []int{1, 1}},
	} {
		if _, err := NewRecallGroups(10, bad.assembly, bad.cued); err == nil {
			t.Errorf("groups %v / %v accepted", bad.assembly, bad.cued)
		}
	}
}

// TestWindowCounts writes a log and counts spikes in the authors' readout
// windows, with the half-open boundaries they use.
func TestWindowCounts(t *testing.T) {
	// dt 0.2 ms: 1 s = 5000 ticks. Learning readout centred on 11 s,
	// recall readout centred on 20.1 s, both 0.5 s wide.
	learn := CentredWindow(55000, 2500)
	recall := CentredWindow(100500, 2500)
	if learn.From != 53750 || learn.To != 56250 || recall.From != 99250 || recall.To != 101750 {
		t.Fatalf("windows %+v %+v", learn, recall)
	}
	trains := []train{
		{53749, 53750, 56249, 56250}, // 2 in learn (first tick in, last tick out)
		{100000, 100001, 101749},     // 3 in recall
		{10, 60000},                  // none
		{54000, 99250, 99251, 99252}, // 1, 3
	}
	log := logOf(t, 0.2, 2, trains)
	r, err := spikelog.NewReader(bytes.NewReader(log))
	if err != nil {
		t.Fatal(err)
	}
	counts, err := WindowCounts(r, 1, 3, []Span{learn, recall}) // neurons 1..3
	if err != nil {
		t.Fatal(err)
	}
	want := [][]int32{{0, 0, 1}, {3, 0, 3}}
	for w := range want {
		if !slices.Equal(counts[w], want[w]) {
			t.Errorf("window %d: counts %v, want %v", w, counts[w], want[w])
		}
	}
	if got := Rates(counts[1], snnsim.Clock{DT: 0.2}.Seconds(recall.Ticks())); !slices.Equal(got, []float64{6, 0, 6}) {
		t.Errorf("rates %v, want [6 0 6] Hz", got)
	}
	if _, err := WindowCounts(r, 0, 1, []Span{{From: 5, To: 5}}); err == nil {
		t.Error("empty window accepted")
	}
}

// TestAssemblyMeans averages over the four synapse groups and the two
// neuron groups of a 4-neuron network with neurons 0 and 1 in the assembly.
func TestAssemblyMeans(t *testing.T) {
	in := []bool{true, true, false, false}
	src := []int32{0, 1, 0, 2, 3, 2}
	tgt := []int32{1, 0, 3, 0, 2, 1}
	h := []float64{7, 7.2, 6.9, 5.3, 4.2, 5.1}
	g, err := AssemblySynapseMeans(src, tgt, h, in)
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, got GroupMean, mean, sd float64, n int) {
		if math.Abs(got.Mean-mean) > 1e-12 || math.Abs(got.SD-sd) > 1e-12 || got.N != n {
			t.Errorf("%s: %+v, want mean %g sd %g n %d", name, got, mean, sd, n)
		}
	}
	check("core->core", g.CoreCore, 7.1, 0.1, 2)
	check("core->ctrl", g.CoreCtrl, 6.9, 0, 1)
	check("ctrl->core", g.CtrlCore, 5.2, 0.1, 2)
	check("ctrl->ctrl", g.CtrlCtrl, 4.2, 0, 1)
	inside, outside, err := AssemblyNeuronMeans([]float64{1, 3, 0, 0.5}, in)
	if err != nil {
		t.Fatal(err)
	}
	check("p inside", inside, 2, 1, 2)
	check("p outside", outside, 0.25, 0.25, 2)
	if _, err := AssemblySynapseMeans([]int32{4}, []int32{0}, []float64{1}, in); err == nil {
		t.Error("synapse from neuron 4 of 4 accepted")
	}
}
