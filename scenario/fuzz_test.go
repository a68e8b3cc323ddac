package scenario

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzDecodeScenario checks that no input makes Decode panic, that every
// failure is a non-empty ErrorList of located errors, and that a scenario
// that decodes also compiles (when it is small enough to compile quickly).
// Seeds: the files in ../scenarios, testdata/fuzz/FuzzDecodeScenario, some
// broken scenarios of TestDecodeErrors and consolidation scenarios.
//
//	go test -run '^$' -fuzz FuzzDecodeScenario -fuzztime 60s ./scenario/
func FuzzDecodeScenario(f *testing.F) {
	files, _ := filepath.Glob("../scenarios/*.toml")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(network))
	f.Add([]byte(head + popE + proj("E", "E", p01, `{ normal = ["1 mV", "0.1 mV"], clip = ["0 mV", "2 mV"] }`, `"1 ms"`)))
	f.Add([]byte(head + popE + proj("X", "E", `{ rule = "fixed_prob", p = 2 }`, `"1 nS"`, `"0.01 ms"`)))
	f.Add([]byte(head + popP + popE + proj("P", "E", `{ rule = "fixed_outdegree", k = 3, multapses = true }`, `1`, `{ uniform = ["1 ms", "2 ms"] }`)))
	f.Add([]byte("[simulation]\nduration = \"1 s\"\n[[population]]\nname = \"E\"\nsize = 2\nmodel = \"lif_delta\"\ninit = { v = { normal = [\"-60 mV\", \"1 mV\"], clip = [\"-61 mV\", \"-59 mV\"] } }\n"))
	f.Add([]byte(stcScenario))
	f.Add([]byte(head + popP + popE + proj("P", "E", p01, `"1 mV"`, `"1 ms"`) + "stp = { U = 0.2, tau_d = \"150 ms\", tau_f = \"600 ms\", u0 = 0.01 }\n"))
	f.Add([]byte(stcBase + nmE + "schedule = [{ at = \"1 ms\", level = 0.5 }]\n" + drugE + synRec + "sample = 3\n"))
	f.Add([]byte(strings.Replace(patternScenario, `file = "shapes.pat"`, `patterns = [[0, 1], [2, 3, 15]]`, 1)))
	f.Add([]byte(discScenario))
	f.Add([]byte(seqHead + seqTable(4, "0.3", "random")))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Decode("fuzz.toml", data)
		if err != nil {
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error %T is not a non-empty ErrorList: %v", err, err)
			}
			for _, e := range list {
				if e == nil || e.Err == nil {
					t.Fatalf("nil error in the list: %v", err)
				}
				_ = e.Error()
			}
			return
		}
		if s == nil {
			t.Fatal("nil scenario without an error")
		}
		// Compile only what is small: sizes and rules are not bounded here.
		total := 0
		for _, p := range s.Populations {
			total += p.Size
		}
		if total > 2000 || len(s.Projections) > 8 {
			return
		}
		for _, p := range s.Projections {
			if p.Connect.Rule == FixedIndegree || p.Connect.Rule == FixedOutdegree {
				if p.Connect.K > 2000 {
					return
				}
			}
		}
		net, err := s.Compile()
		if err != nil {
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("Compile error %T is not an ErrorList: %v", err, err)
			}
			t.Fatalf("a decoded scenario does not compile: %v", err)
		}
		if len(net.Populations) != len(s.Populations) || len(net.Projections) != len(s.Projections) {
			t.Fatal("compiled network does not match the scenario")
		}
	})
}
