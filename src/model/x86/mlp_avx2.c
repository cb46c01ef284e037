/*
 * MLP kernels, AVX2: model/mlp_tmpl.c with 8-float vectors (no FMA: the
 * project's -ffp-contract=off keeps multiply and add apart). Numerics: the
 * C reference, model/mlp.h.
 */
#include "model/x86/mlp.h"

#define MLP_FN(name) tvmaf_mlp_##name##_avx2
#include "model/mlp_tmpl.c"
