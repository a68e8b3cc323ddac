package analysis

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/snnsim/snnsim/spikelog"
)

// LogName is the log's file name inside a run directory.
const LogName = spikelog.LogName

// LogPath resolves arg, a log file or a run directory (which holds
// LogName), to the path of the log.
func LogPath(arg string) (string, error) {
	fi, err := os.Stat(arg)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("%s: no such log file or run directory", arg)
		}
		return "", err
	}
	if !fi.IsDir() {
		return arg, nil
	}
	p := filepath.Join(arg, LogName)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("%s is a directory without %s: give a run directory (snnsim run --out) or a log file", arg, LogName)
	}
	return p, nil
}
