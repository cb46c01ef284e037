/*
 * A scorer's results in the CLI's own words: the "tiny_model" JSON block
 * of a report and the one-line summary.
 */
#ifndef TVMAF_TOOLS_OUTPUT_SCORES_H
#define TVMAF_TOOLS_OUTPUT_SCORES_H

#include <stdio.h>

#include "output/output.h"
#include "tinyvmaf/score.h"

/**
 * The "tiny_model" block for the tiny-model metrics first .. first + n - 1
 * of a flushed scorer: per model its id, kind, sha256, input features,
 * per-frame scores and pooled values (%.9g; an array when n > 1). *json
 * is malloc'ed. @return 0, or -1 (out of memory, or a metric index that
 * is not a tiny model's).
 */
int tvmaf_report_tiny_block(const TvmafScorer *sc, unsigned first, unsigned n, char **json);

/**
 * Prints the one-line summary of a flushed scorer: each model's pooled
 * mean (classic models named by classic_labels[], in order, with their
 * harmonic mean and minimum), or without models each feature's mean;
 * %.6f, or %.{r->precision}g.
 */
void tvmaf_report_summary(const TvmafScorer *sc, const char *const *classic_labels,
                          const TvmafReport *r, FILE *f);

#endif /* TVMAF_TOOLS_OUTPUT_SCORES_H */
