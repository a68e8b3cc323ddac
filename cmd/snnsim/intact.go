package main

import (
	"fmt"
	"io"

	"github.com/snnsim/snnsim/analysis"
	"github.com/snnsim/snnsim/spikelog"
)

// intactLog is a log opened leniently (analysis.OpenIntact).
type intactLog struct{ *analysis.IntactLog }

// openIntact opens the log at path as analysis.OpenIntact does and, when a
// block after the header is damaged, warns on stderr with the byte offset
// of the damage, so that stats, plot and export read and say the same.
// what names the output ("the statistics") in the warning.
func openIntact(verb, path, what string, stderr io.Writer) (*intactLog, error) {
	l, err := analysis.OpenIntact(path)
	if err != nil {
		return nil, err
	}
	if l.Damage != nil {
		warnDamage(stderr, verb, l.Damage, what)
	}
	return &intactLog{l}, nil
}

// checkIntact is openIntact for a verb whose reader already stops at the
// damage: it warns as openIntact does and returns the damage (nil for an
// undamaged log) without copying anything.
func checkIntact(verb, path, what string, stderr io.Writer) (*spikelog.CorruptError, error) {
	in, err := analysis.CheckLog(path)
	if err == nil && in.Damage != nil {
		warnDamage(stderr, verb, in.Damage, what)
	}
	return in.Damage, err
}

// warnDamage tells on stderr that a verb's output covers only the part of a
// log before its damage.
func warnDamage(stderr io.Writer, verb string, ce *spikelog.CorruptError, what string) {
	fmt.Fprintf(stderr, "snnsim %s: warning: %v; %s cover only the intact part, bytes 0 to %d\n", verb, ce, what, ce.Offset)
}

// exitCode is the exit code of a verb that succeeded on l: 1 when the log
// is damaged, as for inspect and export, so that a script notices.
func (l *intactLog) exitCode() int {
	if l.Damage != nil {
		return 1
	}
	return 0
}
