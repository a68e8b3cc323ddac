package neuron

import "hash/crc32"

// castagnoli is the CRC-32C table of the state frames.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)
