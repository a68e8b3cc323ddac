// Package spikelog reads and writes snnsim logs: streamed,
// zstd-compressed, self-describing files of the spikes of a run, its
// sampled state (membrane potentials, population rates, synaptic weights
// and consolidation variables) and marks.
//
// It owns the binary format, specified in FORMAT.md beside this file, and
// the [Writer]/[Reader] pair. It does not know the engine: the engine calls
// [Writer.Spikes] once per tick that has spikes (its sink phase) and
// [Writer.Sample] at its sample ticks, and the analysis commands import only
// this package.
//
// # Format in brief
//
// A log is a header (magic, format version, and a CRC-checked JSON payload
// with the program version, resolution, seed, scenario name, path and full
// text, and the population table) followed by blocks. Each block is a kind
// byte, its raw and compressed lengths, a CRC-32C, and zstd-compressed
// bytes, and decodes on its own. A spike block holds the records of
// consecutive ticks; a mark block holds a tick and a short text; a series
// block declares a sampled quantity ([Series]: name, what, unit, population
// or projection, indices), and a samples block holds samples of one series
// (ticks, and float64 values XOR-coded against the previous sample and
// split into byte planes); the end block, written by Close, holds totals. New record kinds get new kind
// bytes, and readers skip kinds they do not know.
//
// # Writing
//
// [Create] or [NewWriter] writes the header; [Writer.Spikes] copies a tick's
// spikes into an in-memory block and returns; [Writer.Declare] declares a
// series and [Writer.Sample] copies a sample into the series' open block.
// One goroutine per Writer compresses and writes full blocks, and blocks
// that have been open for [Options.FlushInterval] of wall time, so the
// caller's cost is a copy, and memory stays at a few blocks per series
// whatever the length of the run. [Writer.Close] writes the end block.
//
// # Reading
//
// [Open] or [NewReader] reads the header; [Reader.Next] and [Reader.Spike]
// stream the spikes block by block in (tick, ID) order, [Reader.SetFilter]
// restricts them to a time window and an ID range
// ([Header.PopulationFilter] builds the range of one population), and
// [Reader.Spikes] wraps them as an iterator for range loops.
// [Reader.NextSample], [Reader.Sample] and [Reader.Samples] do the same for
// samples, selected by series name and time window ([SampleFilter]), and
// [Reader.Series] lists the declarations. A Reader makes one pass; read
// spikes and samples with two Readers. [Reader.Stats] counts everything
// without decoding IDs or values.
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
