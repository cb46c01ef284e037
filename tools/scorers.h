/*
 * Model scoring for the CLI: classic libvmaf SVR models and tiny MLPs turn
 * per-frame features into per-frame scores. Models whose features need
 * different extractor options (the "neg" models' gain limits) get their own
 * feature set, i.e. their own context fed with the same pictures.
 */
#ifndef TVMAF_TOOLS_SCORERS_H
#define TVMAF_TOOLS_SCORERS_H

#include <stdio.h>

#include "cli.h"

#define TVMAF_MAX_FEATURE_SETS 4

typedef struct TvmafScorers TvmafScorers;

/** Loads every model the options name. Prints a one-line error and returns <0 on failure. */
int tvmaf_scorers_open(TvmafScorers **out, const CliOptions *o);

/** Number of feature sets (contexts) the models need; at least 1. */
int tvmaf_scorers_n_sets(const TvmafScorers *s);

/** Applies feature set k's extractor options to `set`. */
void tvmaf_scorers_set_settings(const TvmafScorers *s, int k, TvmafSettings *set);

/** Number of per-frame metrics the models add to the report. */
int tvmaf_scorers_metric_count(const TvmafScorers *s);

/**
 * Computes the models' per-frame scores into `out` (metric_count entries)
 * from the flushed contexts, one per feature set.
 */
int tvmaf_scorers_run(TvmafScorers *s, TvmafContext *const *ctx, unsigned n_frames,
                      unsigned subsample, TvmafReportMetric *out);

/** Adds extra top-level JSON blocks (tiny-model descriptions) to the report. */
void tvmaf_scorers_blocks(TvmafScorers *s, TvmafReport *r);

/** Prints the one-line human summary. */
void tvmaf_scorers_summary(const TvmafScorers *s, const TvmafReport *r, FILE *f);

void tvmaf_scorers_close(TvmafScorers **s);

#endif /* TVMAF_TOOLS_SCORERS_H */
