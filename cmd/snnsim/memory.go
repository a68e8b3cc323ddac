package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/snnsim/snnsim/scenario"
)

// MemoryLimitEnv names the environment variable that replaces the memory
// limit of run and validate (by default the MemAvailable of /proc/meminfo):
// a size such as "64GiB", "500MB" or a plain byte count, or "none" to skip
// the check.
const MemoryLimitEnv = "SNNSIM_MEMORY_LIMIT"

// heapHeadroom is how far run and resume let the heap grow over its live
// size between collections once the network is built
// (runner.Options.HeapHeadroom): a network's arrays are allocated once and
// a run's garbage is small, so Go's default, which lets the heap double,
// would keep up to the network's size again resident for nothing.
const heapHeadroom = 4 << 20

// gcHeadroom returns heapHeadroom, or 0 (Go's own collector target) when
// the environment sets GOGC.
func gcHeadroom() int64 {
	if _, set := os.LookupEnv("GOGC"); set {
		return 0
	}
	return heapHeadroom
}

// memoryLimit returns the memory a run may use [bytes] and where that
// number comes from; ok is false when there is no limit to check (the
// variable says "none", or /proc/meminfo cannot be read).
func memoryLimit() (limit int64, from string, ok bool, err error) {
	if v, set := os.LookupEnv(MemoryLimitEnv); set && strings.TrimSpace(v) != "" {
		if strings.EqualFold(strings.TrimSpace(v), "none") {
			return 0, "", false, nil
		}
		b, err := parseBytes(v)
		if err != nil {
			return 0, "", false, fmt.Errorf("%s=%q: %v; give a size such as 64GiB or 500MB, or none", MemoryLimitEnv, v, err)
		}
		return b, MemoryLimitEnv, true, nil
	}
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, "", false, nil // not Linux: nothing to compare with
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, found := strings.CutPrefix(sc.Text(), "MemAvailable:"); found {
			b, err := parseBytes(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")) + "KiB")
			if err != nil {
				return 0, "", false, nil
			}
			return b, "MemAvailable in /proc/meminfo", true, nil
		}
	}
	return 0, "", false, nil
}

// parseBytes parses a byte count with an optional unit: B, KB, MB, GB, TB
// (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024).
func parseBytes(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := len(t)
	for i > 0 && !(t[i-1] >= '0' && t[i-1] <= '9' || t[i-1] == '.') {
		i--
	}
	x, err := strconv.ParseFloat(strings.TrimSpace(t[:i]), 64)
	if err != nil || !(x >= 0) {
		return 0, fmt.Errorf("not a size")
	}
	mult := map[string]float64{"": 1, "B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12,
		"KIB": 1 << 10, "MIB": 1 << 20, "GIB": 1 << 30, "TIB": 1 << 40}
	m, ok := mult[strings.ToUpper(strings.TrimSpace(t[i:]))]
	if !ok {
		return 0, fmt.Errorf("unknown unit %q", strings.TrimSpace(t[i:]))
	}
	if x*m > 1<<62 {
		return 0, fmt.Errorf("too large")
	}
	return int64(x * m), nil
}

// checkMemory refuses a scenario whose estimated memory exceeds the limit
// (see memoryLimit), before anything of it is allocated.
func checkMemory(path string, sc *scenario.Scenario) error {
	if sc.MemoryCurves != nil {
		return nil
	}
	limit, from, ok, err := memoryLimit()
	if err != nil || !ok {
		return err
	}
	est := sc.Memory()
	if est.Total() <= limit {
		return nil
	}
	return fmt.Errorf("%s: the run would need about %s, more than the %s available (%s): make the populations or projections smaller, "+
		"or set %s to a larger size (or none) to try anyway", path, est, scenario.FormatBytes(limit), from, MemoryLimitEnv)
}
