package analysis

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/snnsim/snnsim/spikelog"
)

// Integrity is what a full read of a log found: its header, whether its
// writer closed it, and the first damaged block, if any.
type Integrity struct {
	Header   spikelog.Header
	Complete bool                   // the log ends with its end block
	Damage   *spikelog.CorruptError // nil for an undamaged log
}

// CheckLog reads the whole log at path and reports its integrity. A damaged
// block after the header is reported in Damage, not as an error: the
// blocks before it are intact. A damaged header, or a file that is not a
// log, is the error, since nothing of it is usable.
func CheckLog(path string) (Integrity, error) {
	r, err := spikelog.Open(path)
	if err != nil {
		return Integrity{}, err
	}
	defer r.Close()
	in := Integrity{Header: r.Header()}
	st, err := r.Stats()
	var ce *spikelog.CorruptError
	switch {
	case errors.As(err, &ce):
		in.Damage = ce
	case err != nil:
		return Integrity{}, err
	default:
		in.Complete = st.Complete
	}
	return in, nil
}

// IntactLog is a log opened by OpenIntact: Path is the log to analyse, the
// original or, when the original is damaged, a temporary copy of its intact
// part (every block before Damage.Offset), which reads as a log whose writer
// stopped before closing it. Close removes the copy.
type IntactLog struct {
	Integrity
	Path string
	tmp  string
}

// OpenIntact checks the log at path (CheckLog) and, when it is damaged,
// copies its intact part to a temporary file, so that every path-based
// analysis of this package reads the same intact part without a lenient
// mode of its own. The copy costs a read and a write of the intact part and
// is made only for damaged logs.
func OpenIntact(path string) (*IntactLog, error) {
	in, err := CheckLog(path)
	if err != nil {
		return nil, err
	}
	l := &IntactLog{Integrity: in, Path: path}
	if in.Damage == nil {
		return l, nil
	}
	if l.tmp, err = copyPrefix(path, in.Damage.Offset); err != nil {
		return nil, fmt.Errorf("%w; copying its intact part: %v", in.Damage, err)
	}
	l.Path = l.tmp
	return l, nil
}

// Close removes the temporary copy, if any.
func (l *IntactLog) Close() error {
	if l.tmp == "" {
		return nil
	}
	return os.Remove(l.tmp)
}

// copyPrefix copies the first n bytes of the file at path to a new
// temporary file and returns its name.
func copyPrefix(path string, n int64) (string, error) {
	src, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer src.Close()
	dst, err := os.CreateTemp("", "snnsim-intact-*.snnlog")
	if err != nil {
		return "", err
	}
	_, err = io.CopyN(dst, src, n)
	if err = errors.Join(err, dst.Close()); err != nil {
		os.Remove(dst.Name())
		return "", err
	}
	return dst.Name(), nil
}
