package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/snnsim/snnsim/spikelog"
)

// intactLog is a log opened leniently by openIntact: Path is the log to read,
// the original or, when the original is damaged, a temporary copy of its
// intact part (every block before Damage.Offset), which reads as a log
// whose writer stopped before closing it. Close removes the copy.
type intactLog struct {
	Path   string
	Damage *spikelog.CorruptError // nil for an undamaged log
	tmp    string
}

// openIntact checks the whole log at path and, when a block after the
// header is damaged, warns on stderr with the byte offset of the damage and
// returns a log holding only the blocks before it, so that stats, plot and
// export read the same intact part. A log with a damaged header (nothing
// intact), or one that cannot be read, is an error. what names the output
// ("the statistics") in the warning.
//
// The copy costs a read and a write of the intact part; it is made only for
// damaged logs, which are rare, and lets the path-based analyses read the
// intact part without a lenient mode of their own.
func openIntact(verb, path, what string, stderr io.Writer) (*intactLog, error) {
	ce, err := scanDamage(path)
	if err != nil {
		return nil, err
	}
	l := &intactLog{Path: path, Damage: ce}
	if ce == nil {
		return l, nil
	}
	if l.tmp, err = copyPrefix(path, ce.Offset); err != nil {
		return nil, fmt.Errorf("%w; copying its intact part: %v", ce, err)
	}
	l.Path = l.tmp
	warnDamage(stderr, verb, ce, what)
	return l, nil
}

// checkIntact is openIntact for a verb whose reader already stops at the
// damage: it warns as openIntact does and returns the damage (nil for an
// undamaged log) without copying anything.
func checkIntact(verb, path, what string, stderr io.Writer) (*spikelog.CorruptError, error) {
	ce, err := scanDamage(path)
	if err == nil && ce != nil {
		warnDamage(stderr, verb, ce, what)
	}
	return ce, err
}

// warnDamage tells on stderr that a verb's output covers only the part of a
// log before its damage.
func warnDamage(stderr io.Writer, verb string, ce *spikelog.CorruptError, what string) {
	fmt.Fprintf(stderr, "snnsim %s: warning: %v; %s cover only the intact part, bytes 0 to %d\n", verb, ce, what, ce.Offset)
}

// Close removes the temporary copy, if any.
func (l *intactLog) Close() error {
	if l.tmp == "" {
		return nil
	}
	return os.Remove(l.tmp)
}

// exitCode is the exit code of a verb that succeeded on l: 1 when the log
// is damaged, as for inspect and export, so that a script notices.
func (l *intactLog) exitCode() int {
	if l.Damage != nil {
		return 1
	}
	return 0
}

// scanDamage reads the whole log at path and returns the damage of its
// first damaged block, nil if there is none. A damaged header is returned
// as the error: nothing of the log is usable.
func scanDamage(path string) (*spikelog.CorruptError, error) {
	r, err := spikelog.Open(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	_, err = r.Stats()
	var ce *spikelog.CorruptError
	if errors.As(err, &ce) {
		return ce, nil
	}
	return nil, err
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
	_, err = io.Copy(dst, io.LimitReader(src, n))
	if err = errors.Join(err, dst.Close()); err != nil {
		os.Remove(dst.Name())
		return "", err
	}
	return dst.Name(), nil
}
