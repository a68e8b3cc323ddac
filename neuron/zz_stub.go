package neuron

import (
	"errors"

	"github.com/snnsim/snnsim"
)

// TEMPORARY: replaced by the real implementations (delete this file).

var errTODO = errors.New("neuron: not implemented yet")

// New is a temporary stub.
func (p LIFDelta) New(n int, c snnsim.Clock) (Population, error) { return nil, errTODO }

// New is a temporary stub.
func (p LIFExp) New(n int, c snnsim.Clock) (Population, error) { return nil, errTODO }

// New is a temporary stub.
func (p LIFCond) New(n int, c snnsim.Clock) (Population, error) { return nil, errTODO }
