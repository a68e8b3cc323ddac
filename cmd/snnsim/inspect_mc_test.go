package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInspectMemoryCurves inspects a hand-written memory-curve table: the
// SNR at t = 1 and the last t with SNR >= 1 are read off the rows.
func TestInspectMemoryCurves(t *testing.T) {
	dir := t.TempDir()
	table := "model,t,snr,se,exact\n" +
		"a,0,10,0.5,10\n" +
		"a,1,9,0.25,9\n" +
		"a,20,1.2,0.2,1.1\n" +
		"a,50,0.4,0.2,0.9\n" +
		"b,1,3,0.5,3.5\n" +
		"b,5,0.5,0.5,1\n"
	if err := os.WriteFile(filepath.Join(dir, "memory_curves.csv"), []byte(table), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"inspect", dir}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{
		"(2 models)",
		"9 ± 0.25 (9)",
		"20 (exact 20)", // model a: MC crosses 1 after t = 20, exact after 20
		"3 ± 0.5 (3.5)",
		"1 (exact 5)", // model b: MC below 1 from t = 5 on, exact reaches 1 at 5
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}

	// A table with other columns is refused with its path.
	if err := os.WriteFile(filepath.Join(dir, "memory_curves.csv"), []byte("model,t\na,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errb.Reset()
	if code := run([]string{"inspect", dir}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "want the columns") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}
