// Package spikelog reads and writes snnsim spike logs: streamed,
// zstd-compressed, self-describing files of the spikes of a run.
//
// It owns the binary format, specified in FORMAT.md beside this file, and
// the [Writer]/[Reader] pair. It does not know the engine: the engine calls
// [Writer.Spikes] once per tick that has spikes (its sink phase), and the
// analysis commands import only this package.
//
// # Format in brief
//
// A log is a header (magic, format version, and a CRC-checked JSON payload
// with the program version, resolution, seed, scenario name, path and full
// text, and the population table) followed by blocks. Each block is a kind
// byte, its raw and compressed lengths, a CRC-32C, and zstd-compressed
// bytes, and decodes on its own. A spike block holds the records of
// consecutive ticks; a mark block holds a tick and a short text; the end
// block, written by Close, holds totals. New record kinds get new kind
// bytes, and readers skip kinds they do not know.
//
// # Writing
//
// [Create] or [NewWriter] writes the header; [Writer.Spikes] copies a tick's
// spikes into an in-memory block and returns. One goroutine per Writer
// compresses and writes full blocks, and blocks that have been open for
// [Options.FlushInterval] of wall time, so the caller's cost is a copy.
// [Writer.Close] writes the end block.
//
// # Reading
//
// [Open] or [NewReader] reads the header; [Reader.Next] and [Reader.Spike]
// stream the spikes block by block in (tick, ID) order, [Reader.SetFilter]
// restricts them to a time window and an ID range, and [Reader.Stats]
// counts without decoding IDs.
//
// # Damage
//
// Because every block is checksummed and decodes on its own, a truncated or
// damaged log yields every intact block before the damage, then a
// [*CorruptError] with the byte offset of the damaged block. A log that
// stops exactly at a block boundary (the process stopped before Close) is
// read without error and [Reader.Complete] reports false.
//
// # Reproducibility
//
// The decoded content of a log depends only on the calls made. Its bytes
// also depend on when the flush interval ended blocks; set
// Options.FlushInterval < 0 where byte-identical files matter, or compare
// decoded content.
package spikelog
