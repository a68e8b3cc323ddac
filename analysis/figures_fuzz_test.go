package analysis

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/plot/vg"
)

// FuzzMemoryCurvesPlot feeds arbitrary tables to MemoryCurvesPlot: it
// must return a figure that draws, or an error, never panic.
func FuzzMemoryCurvesPlot(f *testing.F) {
	f.Add("model,t,snr,se,exact\nbinary,0,10,0.2,10\nbinary,1,9,0.2,9\nbinary,10,3.4,0.3,3.49\n")
	f.Add("model,t,snr,se,exact\na,1,-1,5,0\na,2,NaN,Inf,1e-300\n")
	f.Add("model,t,snr,se,exact\n")
	f.Add("model,t\n1,2\n")
	f.Fuzz(func(t *testing.T, table string) {
		path := filepath.Join(t.TempDir(), MemoryCurvesName)
		if err := os.WriteFile(path, []byte(table), 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := MemoryCurvesPlot(path)
		if err != nil {
			return
		}
		if err := p.Render(io.Discard, "svg", 10*vg.Centimeter, 6*vg.Centimeter, 0); err != nil {
			t.Logf("render: %v", err)
		}
	})
}
