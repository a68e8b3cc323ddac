package source

import "github.com/snnsim/snnsim/checkpoint"

var (
	_ checkpoint.Stater = (*poissonSource)(nil)
	_ checkpoint.Stater = (*trainSource)(nil)
	_ checkpoint.Stater = (*spikeTimesSource)(nil)
	_ checkpoint.Stater = silent(0)
)

// stateVersion is the payload version that AppendState writes and
// RestoreState reads.
const stateVersion = 1

// Tags of the frames (at most 255 bytes each).
const (
	tagPoisson    = "source/poisson"
	tagTrain      = "source/" // + the model: "source/regular", "source/tetanus", "source/burst"
	tagSpikeTimes = "source/spike_times"
	tagExternal   = "source/external"
)

// codec makes this package's RestoreState errors.
var codec = checkpoint.Codec{Pkg: "source"}
