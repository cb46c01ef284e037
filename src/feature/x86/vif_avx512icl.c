/*
 * Integer VIF, AVX-512 Ice Lake tier (AVX-512 + VNNI): the filters of
 * vif_tmpl.c with every pmaddwd-and-add fused into one vpdpwssd
 * (vec_avx512.h, v_dpadd). The statistic has no such pair and stays
 * vif_avx512.c's. Numerics: the C reference, vif.c.
 */
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "feature/vif.h"
#include "feature/x86/vif.h"
#include "feature/x86/vec_avx512.h"

#define FN(name) tvmaf_vif_##name##_avx512icl

#include "feature/x86/vif_tmpl.c"
