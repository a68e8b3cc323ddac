//go:build race

package engine

// raceOn is true in a build with the race detector, in which the longest
// test runs are left out (shorter runs of the same networks stay).
const raceOn = true
