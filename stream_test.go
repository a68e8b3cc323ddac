package snnsim

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestSplitmix checks the finaliser against the first outputs of Vigna's
// reference SplitMix64 generator seeded with 0 (state advanced by the golden
// gamma before each output), which splitmix(k·γ) reproduces.
func TestSplitmix(t *testing.T) {
	const gamma = 0x9e3779b97f4a7c15
	want := []uint64{0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f}
	for i, w := range want {
		if got := splitmix(uint64(i) * gamma); got != w {
			t.Errorf("splitmix output %d = %#x, want %#x", i, got, w)
		}
	}
}

func TestStreamSeeds(t *testing.T) {
	// The same (seed, name) always gives the same stream.
	a1, b1 := StreamSeed(42, "poisson/P")
	a2, b2 := StreamSeed(42, "poisson/P")
	if a1 != a2 || b1 != b2 {
		t.Fatal("StreamSeed is not a function of its arguments")
	}
	// Other seeds and other names give other streams.
	seen := map[[2]uint64]string{}
	for _, seed := range []uint64{0, 1, 2, 42, 1 << 63} {
		for _, name := range []string{"", "poisson/P", "poisson/Q", "connect/E_to_I", "connect/E_to_E"} {
			a, b := StreamSeed(seed, name)
			key := [2]uint64{a, b}
			id := name + "@" + string(rune('0'+seed%10))
			if prev, dup := seen[key]; dup {
				t.Errorf("streams %s and %s share seeds", prev, id)
			}
			seen[key] = id
		}
	}
}

func TestNewRandEqualsNewPCG(t *testing.T) {
	r1 := NewRand(7, "connect/E_to_E")
	r2 := rand.New(NewPCG(7, "connect/E_to_E"))
	for i := 0; i < 1000; i++ {
		if x, y := r1.Uint64(), r2.Uint64(); x != y {
			t.Fatalf("draw %d: NewRand %d, NewPCG %d", i, x, y)
		}
	}
}

func TestPCGResume(t *testing.T) {
	pcg := NewPCG(3, "poisson/P")
	r := rand.New(pcg)
	for i := 0; i < 17; i++ {
		r.Float64()
	}
	saved, err := pcg.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	want := make([]float64, 100)
	for i := range want {
		want[i] = r.Float64()
	}
	fresh := NewPCG(3, "poisson/P")
	if err := fresh.UnmarshalBinary(saved); err != nil {
		t.Fatal(err)
	}
	r2 := rand.New(fresh)
	for i, w := range want {
		if got := r2.Float64(); got != w {
			t.Fatalf("draw %d after resume: %g, want %g", i, got, w)
		}
	}
}

func TestBuildVersion(t *testing.T) {
	if v := BuildVersion(); !strings.HasPrefix(v, Version) {
		t.Errorf("BuildVersion() = %q, want it to start with %q", v, Version)
	}
}
