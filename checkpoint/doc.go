// Package checkpoint is the vocabulary of snnsim's checkpoints: the frame
// that every checkpointable model (neuron populations, sources, plasticity
// rules, consolidation models) writes its state in, the [Stater] interface
// they implement, the errors a refused state wraps, and the checkpoint
// file that holds an engine's complete state.
//
// # Frames
//
// A model's state is one frame:
//
//	tag length   1 byte, n (at most 255)
//	tag          n bytes of ASCII: the package and the model, "neuron/adex",
//	             "source/poisson", "stdp/pair", "consolidation/cascade"
//	version      1 byte: the version of the payload layout
//	length       uint64: the payload length in bytes
//	payload      length bytes
//	checksum     uint32: CRC-32C (Castagnoli) of everything above
//
// Numbers are little-endian. Payload fields are integers as int64 or uint32
// (neuron and synapse indices), floats as their IEEE 754 bits (float64) and
// booleans and small kinds as one byte; each model documents its payload.
// The frame layout is fixed; the version byte governs the payload only.
// [Begin] and [End] write a frame, [Codec.Open] checks one (complete,
// checksum, tag, version, in this order) and a [Decoder] reads its fields.
//
// Frames follow each other without separators: RestoreState takes the frame
// at the front of a buffer and returns the bytes after it, so a sequence of
// states is read back in the order it was written.
//
// A model whose state is a few numbers per synapse also implements
// [StreamStater]: it writes the same frame to a writer in pieces
// ([BeginFrame], [FrameWriter]) and reads it from a reader in pieces
// ([Codec.OpenStream], [FrameReader]), so that a checkpoint of a large
// network holds no copy of that state in memory.
//
// # Refusals
//
// A state that cannot be restored is refused with an error wrapping one of
// three sentinels: [ErrCorrupt] (truncated, failing its checksum, or with
// inconsistent fields), [ErrMismatch] (a well-formed state of another
// model, size, resolution or parameter value) or [ErrVersion] (a payload
// version this program does not read). All three wrap [ErrUnusable].
// Package checkpointtest checks this contract for any [Stater].
//
// # Checkpoint files
//
// A checkpoint file holds an engine's state at a tick boundary:
//
//	magic        8 bytes, "SNNSCKPT"
//	version      uint16, [Version]
//	meta length  uint32
//	meta         JSON of [Meta]: program version, network fingerprint,
//	             scenario name, tick, and the application's own data
//	body length  uint64
//	body         the engine's sections (package engine), which hold the
//	             models' frames
//	checksum     uint32: CRC-32C (Castagnoli) of everything above
//
// [Write] and [Read] encode and decode it; [WriteStream] writes the body
// from pieces and [ReadFile] reads a file into one buffer of its size, so
// that a large state is not held twice; [OpenBody] reads the body as a
// stream, checking the checksum at its end, so that it is not held at
// all; [ReadMeta] reads the metadata
// alone, [Verify] checks a file as a stream without holding its body, and
// [Parse] checks bytes already read. [WriteFile] replaces a file atomically, so that a crash leaves the
// previous checkpoint or the new one, never a mix.
package checkpoint
