/*
 * The --plot writer: per-frame model scores as a self-contained SVG, and
 * the tinyvmaf plot subcommand that draws it from a JSON result
 * (read by output/result_read.c).
 */
#ifndef TVMAF_TOOLS_OUTPUT_PLOT_H
#define TVMAF_TOOLS_OUTPUT_PLOT_H

#include <stddef.h>

#include "output/output.h"

/** The most model lines one plot draws (the first ones in metric order). */
#define TVMAF_PLOT_MAX_SERIES 8

/**
 * 1 when the metric named `name` is a model's score (drawn), 0 for a
 * feature (integer_*, *_feature_*; not drawn).
 */
int tvmaf_plot_is_model(const char *name);

/**
 * Writes an SVG of the report's model scores (every metric that is not a
 * feature, at most TVMAF_PLOT_MAX_SERIES): one line per model, its mean
 * dashed, the 5 worst frames of the first model ringed and numbered, axes
 * "frame" and "score". NAN values (frames a model did not score) are left
 * out of the line and the mean. The title names this tinyvmaf run (version,
 * size, frames), or, when `source` is not NULL, that result file and the
 * version it records (the size is not in a JSON result). Written
 * atomically as tvmaf_output_write_file() writes. Returns 0, or -1 with a
 * one-line reason in `err` (nothing written).
 */
int tvmaf_plot_write_file(const char *path, const TvmafReport *r, const char *source, char *err,
                          size_t errlen);

/**
 * tinyvmaf plot RESULT.json -o FILE.svg (tools/cmd_plot.c): the same SVG
 * from a result written with --json. Returns the exit status: 0, 1 error
 * (one line on stderr names the file and the cause; no SVG written), 2
 * usage error.
 */
int tvmaf_cmd_plot(int argc, char **argv);

#endif /* TVMAF_TOOLS_OUTPUT_PLOT_H */
