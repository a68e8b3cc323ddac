package spikelog

// The text that crosses packages with a log: its file name in a run
// directory, and the marks that bound a run. The writer of runs (package
// runner) and the readers (package analysis) both use these.
const (
	// LogName is the log's file name inside a run directory.
	LogName = "spikes.snnlog"
	// RunStartMark is the text of the mark written at a run's first tick.
	RunStartMark = "run start"
	// RunEndMark is the text of the mark written after a run's last
	// simulated tick: it tells readers how long the run was, which the
	// spikes alone do not.
	RunEndMark = "run end"
)
