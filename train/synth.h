/*
 * Synthetic feature tables for the tests and the benchmark: realistic
 * feature ranges (those of the upstream reference vectors), a known
 * nonlinear target and per-group content effects. Deterministic in seed.
 */
#ifndef TVMAF_TRAIN_SYNTH_H
#define TVMAF_TRAIN_SYNTH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/**
 * Writes a CSV with columns frame, adm2, vif_scale0..3, motion2, vmaf,
 * source: n_rows rows split over n_groups sources "src00", "src01", ...
 * @return 0, or -1 for bad sizes or a write error.
 */
int tvmaf_synth_write(FILE *f, size_t n_rows, int n_groups, uint64_t seed);

#endif /* TVMAF_TRAIN_SYNTH_H */
