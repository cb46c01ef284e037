/*
 * The --plot writer: per-frame model scores as a self-contained SVG.
 */
#ifndef TVMAF_TOOLS_OUTPUT_PLOT_H
#define TVMAF_TOOLS_OUTPUT_PLOT_H

#include <stddef.h>

#include "output/output.h"

/**
 * Writes an SVG of the report's model scores (every metric that is not a
 * feature, at most 8): one line per model, its mean dashed, the 5 worst
 * frames of the first model ringed and numbered, axes "frame" and
 * "score". Written atomically as tvmaf_output_write_file() writes.
 * Returns 0, or -1 with a one-line reason in `err` (nothing written).
 */
int tvmaf_plot_write_file(const char *path, const TvmafReport *r, char *err, size_t errlen);

#endif /* TVMAF_TOOLS_OUTPUT_PLOT_H */
