package source

import (
	"errors"
	"math/rand/v2"

	"github.com/snnsim/snnsim"
)

// TEMPORARY: replaced by the real implementations (delete this file).

var errTODO = errors.New("source: not implemented yet")

func (p Poisson) Validate() error                                            { return nil }
func (p Poisson) New(n int, c snnsim.Clock, r *rand.Rand) (Source, error)    { return nil, errTODO }
func (p SpikeTimes) Validate() error                                         { return nil }
func (p SpikeTimes) New(n int, c snnsim.Clock, r *rand.Rand) (Source, error) { return nil, errTODO }
func (p Regular) Validate() error                                            { return nil }
func (p Regular) New(n int, c snnsim.Clock, r *rand.Rand) (Source, error)    { return nil, errTODO }
func (p Tetanus) Validate() error                                            { return nil }
func (p Tetanus) New(n int, c snnsim.Clock, r *rand.Rand) (Source, error)    { return nil, errTODO }
func (p Burst) Validate() error                                              { return nil }
func (p Burst) New(n int, c snnsim.Clock, r *rand.Rand) (Source, error)      { return nil, errTODO }
