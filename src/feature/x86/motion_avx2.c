/*
 * Integer motion, AVX2. The kernels are motion_tmpl.c; numerics:
 * the C reference, motion.c.
 */
#include <stdint.h>
#include <stdlib.h>

#include "feature/motion.h"
#include "feature/x86/motion.h"
#include "feature/x86/vec_avx2.h"

#define FN(name) tvmaf_motion_##name##_avx2

#include "feature/x86/motion_tmpl.c"
