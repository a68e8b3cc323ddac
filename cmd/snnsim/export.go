package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/snnsim/snnsim/analysis"
	"github.com/snnsim/snnsim/spikelog"
)

func mkdir(dir string) error { return os.MkdirAll(dir, 0o755) }

// cmdExport writes a log's spikes and series as CSV or NumPy files.
func cmdExport(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("export", "LOG|RUN-DIR [flags]",
		"Writes the spikes and every sampled series for Python, R or a spreadsheet:\n"+
			"  npz     one NumPy archive <out>/<scenario>.npz:  d = np.load(file); d[\"spikes_t_ms\"]\n"+
			"  npy     one .npy file per array in <out>:       np.load(\"<out>/spikes_id.npy\")\n"+
			"  csv     spikes.csv and one CSV per series:      pandas.read_csv(\"<out>/spikes.csv\")\n"+
			"  csv.gz  the same, gzip-compressed\n"+
			"The array names are listed in go doc ./analysis. A damaged log is exported up to the damage (exit code 1).", stderr)
	format := fs.String("format", "npz", "npz, npy, csv or csv.gz")
	out := fs.String("out", "", "output directory (default: export/ beside the log)")
	path, code, ok := parseArgs(fs, args)
	if !ok {
		return code
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join(filepath.Dir(path), "export")
	}
	if !slices.Contains([]string{"npz", "npy", "csv", "csv.gz"}, *format) {
		fmt.Fprintf(stderr, "snnsim export: --format %q: use npz, npy, csv or csv.gz\n", *format)
		return 2
	}
	lg, err := openIntact("export", path, "the exported files", stderr)
	if err != nil {
		fmt.Fprintf(stderr, "snnsim export: %v\n", err)
		return 1
	}
	defer lg.Close()
	path = lg.Path
	var files []string
	switch *format {
	case "npz":
		name := "log"
		if r, err := spikelog.Open(path); err == nil {
			if s := r.Header().Scenario; s != "" {
				name = s
			}
			r.Close()
		}
		file := filepath.Join(dir, name+".npz")
		err = analysis.ExportNPZ(path, file)
		files = []string{file}
	case "npy":
		files, err = analysis.ExportNPY(path, dir)
	case "csv", "csv.gz":
		files, err = analysis.ExportCSV(path, dir, *format == "csv.gz")
	}
	var ce *spikelog.CorruptError
	if err != nil && !errors.As(err, &ce) {
		fmt.Fprintf(stderr, "snnsim export: %v\n", err)
		return 1
	}
	for _, f := range files {
		fmt.Fprintln(stdout, "wrote", f)
	}
	if ce != nil {
		warnDamage(stderr, "export", ce, "the exported files")
		return 1
	}
	return lg.exitCode()
}
