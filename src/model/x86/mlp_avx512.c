/*
 * MLP kernels, AVX-512: model/mlp_tmpl.c with 16-float vectors, and 512-bit
 * vectors preferred for the auto-vectorised loops too. Numerics: the C
 * reference, model/mlp.h.
 */
#pragma GCC target("prefer-vector-width=512")

#include "model/x86/mlp.h"

#define MLP_FN(name) tvmaf_mlp_##name##_avx512
#include "model/mlp_tmpl.c"
