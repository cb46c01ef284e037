/*
 * Model scoring for the CLI: classic libvmaf SVR models and tiny MLPs turn
 * the context's per-frame features into per-frame scores.
 */
#ifndef TVMAF_TOOLS_SCORERS_H
#define TVMAF_TOOLS_SCORERS_H

#include <stdio.h>

#include "cli.h"

typedef struct TvmafScorers TvmafScorers;

/** Loads every model the options name. Prints a one-line error and returns <0 on failure. */
int tvmaf_scorers_open(TvmafScorers **out, const CliOptions *o);

/** Applies feature options the models require (gain limits). */
void tvmaf_scorers_adjust_settings(const TvmafScorers *s, TvmafSettings *set);

/** Number of per-frame metrics the models add to the report. */
int tvmaf_scorers_metric_count(const TvmafScorers *s);

/** Computes the models' per-frame scores into `out` (metric_count entries). */
int tvmaf_scorers_run(TvmafScorers *s, const TvmafContext *ctx, unsigned n_frames,
                      TvmafReportMetric *out);

/** Adds extra top-level JSON blocks (tiny-model descriptions) to the report. */
void tvmaf_scorers_blocks(TvmafScorers *s, TvmafReport *r);

/** Prints the one-line human summary. */
void tvmaf_scorers_summary(const TvmafScorers *s, const TvmafReport *r, FILE *f);

void tvmaf_scorers_close(TvmafScorers **s);

#endif /* TVMAF_TOOLS_SCORERS_H */
