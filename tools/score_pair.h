/*
 * One scored pair, the way `tinyvmaf -r REF -d DIS` and each job of
 * `tinyvmaf batch` score it: the models, the inputs and their checks, the
 * frame skips, the frame loop, the flush and the report. The caller writes
 * the report where it wants.
 */
#ifndef TVMAF_TOOLS_SCORE_PAIR_H
#define TVMAF_TOOLS_SCORE_PAIR_H

#include "cli.h"
#include "scorers.h"

/**
 * Scores o->ref_path against o->dis_path with the models o names (or the
 * defaults). On success *scorers holds the models and their scores and
 * *rep is filled from them (its storage lives in *scorers); the caller
 * closes *scorers either way. The models load before any input is opened,
 * so a bad model fails before decoding. Inputs of different lengths are
 * scored up to the shorter one, with a warning on stderr unless o->quiet.
 * @return 0, or -1 after one line on stderr.
 */
int tvmaf_score_pair(const CliOptions *o, TvmafScorers **scorers, TvmafReport *rep);

#endif /* TVMAF_TOOLS_SCORE_PAIR_H */
