/*
 * The scoring command's models: turns --model / --tiny-model / defaults into
 * a library scorer (include/tinyvmaf/score.h), then its metrics into the
 * report and the one-line summary. The scoring itself is the library's.
 */
#ifndef TVMAF_TOOLS_SCORERS_H
#define TVMAF_TOOLS_SCORERS_H

#include <stdio.h>

#include "cli.h"
#include "tinyvmaf/score.h"

typedef struct TvmafScorers TvmafScorers;

/**
 * Loads every model the options name (or the defaults) into a scorer made
 * with `settings`. Prints a one-line error and returns <0 on failure.
 */
int tvmaf_scorers_open(TvmafScorers **out, const CliOptions *o, const TvmafSettings *settings);

/** The library scorer the pictures go to. */
TvmafScorer *tvmaf_scorers_scorer(TvmafScorers *s);

/**
 * After tvmaf_scorer_flush(): fills the report's metrics and the tiny-model
 * JSON block (the storage lives in `s`). Returns <0 (printed) on failure.
 */
int tvmaf_scorers_report(TvmafScorers *s, TvmafReport *r);

/** Prints the one-line human summary. */
void tvmaf_scorers_summary(const TvmafScorers *s, const TvmafReport *r, FILE *f);

/** Errors the library has logged to stderr so far (so that the CLI adds no
 *  second line for a failure already explained). */
unsigned tvmaf_scorers_errors_logged(void);

void tvmaf_scorers_close(TvmafScorers **s);

#endif /* TVMAF_TOOLS_SCORERS_H */
