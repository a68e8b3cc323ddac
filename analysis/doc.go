// Package analysis computes what the snnsim analysis commands (inspect,
// stats, plot, export) show, from logs read with package spikelog, so that
// Go programs can compute the same numbers. It imports spikelog, the module
// root and, for the analytic curves of the experiment figures, stdp's
// presets; never the engine or the scenario compiler (the figures read
// the few parameters they need from the scenario text in the log header).
//
// Every function streams the log block by block: memory grows with the
// number of neurons or sampled values, never with the length of the run
// (plots, which hold what they draw, are the exception, and bin or window
// their input).
//
// # Statistics
//
// [SpikeStats] gives, per population, the mean rate, the coefficient of
// variation of interspike intervals, the Fano factor of spike counts and the
// synchrony measure χ of Golomb (2007), computed as documented on
// [PopulationStats]. [SummarizeSeries] gives, per sampled series, the mean,
// spread and range of its values and the distribution of the values of its
// first and last samples (weight distributions over time).
//
// # Figures
//
// [DefaultFigures] returns every default figure of a run, chosen from what
// its log holds, as [NamedPlot] values that render to PNG, SVG or PDF
// ([NamedPlot.Render], [NamedPlot.Save]) and carry the numbers they draw
// (NamedPlot.Data); snnsim plot and snnsim gallery draw them.
//
// # Assemblies and recall
//
// For runs driven by a pattern source (Zenke, Agnes & Gerstner 2015),
// [Presentations] rebuilds the stimulus schedule from the log's marks,
// [DeriveAssemblies] finds the neurons that respond to each pattern (the
// authors' recipe: mean rate in a window after each onset above a
// threshold), [CueRecall] and [SummarizeRecall] measure which assembly is
// most active during and after each cue, [BlockMeans] gives the mean
// weights within and between assemblies, and [AssemblyFigures] draws the
// weight matrix sorted by assembly, the population and assembly rates and
// the recall per cue class; snnsim assemblies prints and draws them.
//
// # Export
//
// [ExportCSV], [ExportNPY] and [ExportNPZ] write spikes and series as CSV
// (optionally gzip-compressed) and as NumPy .npy arrays or one .npz archive,
// loadable in one line of Python (see the README, "Analysing logs").
package analysis

// A population whose spikes the run did not record (the log header says so)
// is reported with Recorded false and no statistics, not as silent. Logs
// written before the header said so read as recorded.
