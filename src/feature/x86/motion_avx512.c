/*
 * Integer motion, AVX-512 (F, BW, DQ, VL). The kernels are motion_tmpl.c; numerics:
 * the C reference, motion.c.
 */
#include <stdint.h>
#include <stdlib.h>

#include "feature/motion.h"
#include "feature/x86/motion.h"
#include "feature/x86/vec_avx512.h"

#define FN(name) tvmaf_motion_##name##_avx512

#include "feature/x86/motion_tmpl.c"
