package sweep

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func FuzzParseAxis(f *testing.F) {
	for _, s := range []string{"population.S2.params.start=1 h,2 h", `a.b="x,y",z`, "a=", "=", "a.b=1,1", "a.b=\"", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAxis(s)
		if err != nil {
			return
		}
		if a.Key == "" || len(a.Values) == 0 {
			t.Fatalf("ParseAxis(%q) = %+v without error", s, a)
		}
		seen := map[string]bool{}
		for _, v := range a.Values {
			if v == "" || seen[v] {
				t.Fatalf("ParseAxis(%q): empty or repeated value %q", s, v)
			}
			seen[v] = true
		}
	})
}

func FuzzReadRows(f *testing.F) {
	for _, s := range []string{"order,a.b\nx,1\ny,2\n", "# c\na.b\n1\n", "a,a\n1,2\n", "a.b,c.d\n1\n", "\"\n", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "rows.csv")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		rows, err := ReadRows(path)
		if err != nil {
			return
		}
		if len(rows.Columns) == 0 || len(rows.Values) == 0 {
			t.Fatalf("%q: no columns or rows without an error", data)
		}
		for _, r := range rows.Values {
			if len(r) != len(rows.Columns) || slices.Contains(r, "") {
				t.Fatalf("%q: row %q for columns %q", data, r, rows.Columns)
			}
		}
		s := Spec{Rows: rows}
		if pts, err := s.Points(); err == nil && len(pts) != len(rows.Values) {
			t.Fatalf("%q: %d points for %d rows", data, len(pts), len(rows.Values))
		}
	})
}

func FuzzParseMetric(f *testing.F) {
	for _, s := range []string{"rate:E", "x=change:S2_to_N@4 h", "cv:E@1 s..2 s", "wall", "=", "a=b=c", "@", ":"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMetric(s)
		if err != nil {
			return
		}
		if m.Name == "" || safeColumn(m.Name) != m.Name || !slices.Contains(metricKinds, m.kind) {
			t.Fatalf("ParseMetric(%q) = %+v", s, m)
		}
	})
}
