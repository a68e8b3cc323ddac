package snnsim

import "runtime/debug"

// Version is the program version recorded in every log header.
const Version = "0.1.0-dev"

// BuildVersion returns Version followed by the VCS revision the binary was
// built from, when the Go toolchain recorded one ("0.1.0-dev+3f2a9c1d").
func BuildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return Version
	}
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return Version
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "-dirty"
	}
	return Version + "+" + rev
}
