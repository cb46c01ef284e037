/*
 * The `tinyvmaf models` listing: every tiny-model registry entry, built-in
 * and external, with the verdict on the files it pins.
 */
#ifndef TVMAF_TOOLS_OUTPUT_MODELS_H
#define TVMAF_TOOLS_OUTPUT_MODELS_H

#include <stdio.h>

/**
 * Prints to `out` one row per entry (id, kind, opset, ok / MISSING /
 * MISMATCH / ERROR, source, file) of the built-in registry, then of the
 * external one (`model_dir`, else $TVMAF_TINY_MODEL_DIR, else the
 * installed one when it exists), and a count line. Each entry's files are
 * verified, then the model is loaded as a scoring run would load it; each
 * failure gets one "tinyvmaf models: ..." line on stderr. Returns the exit
 * status: 0 every digest matches, 1 otherwise or a registry unreadable.
 */
int tvmaf_models_list(const char *model_dir, FILE *out);

#endif /* TVMAF_TOOLS_OUTPUT_MODELS_H */
