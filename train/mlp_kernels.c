#include <stdlib.h>

#include "config.h"
#include "cpu.h"
#include "mlp_kernels.h"
#include "tinyvmaf/tinyvmaf.h"

void tvmaf_mlp_dsp_init(TvmafMlpDSPContext *const c, const unsigned cpu_flags)
{
    c->fwd = tvmaf_mlp_fwd_c;
    c->dw = tvmaf_mlp_dw_c;
    c->dx = tvmaf_mlp_dx_c;
    c->adam = tvmaf_mlp_adam_c;
    c->isa = "c";
#if TVMAF_ENABLE_SIMD
    if (!(cpu_flags & TVMAF_CPU_FLAG_AVX2))
        return;
    c->fwd = tvmaf_mlp_fwd_avx2;
    c->dw = tvmaf_mlp_dw_avx2;
    c->dx = tvmaf_mlp_dx_avx2;
    c->adam = tvmaf_mlp_adam_avx2;
    c->isa = "avx2";
#if TVMAF_ENABLE_AVX512
    if (!(cpu_flags & TVMAF_CPU_FLAG_AVX512))
        return;
    c->fwd = tvmaf_mlp_fwd_avx512;
    c->dw = tvmaf_mlp_dw_avx512;
    c->dx = tvmaf_mlp_dx_avx512;
    c->adam = tvmaf_mlp_adam_avx512;
    c->isa = "avx512";
#endif
#else
    (void)cpu_flags;
#endif
}

unsigned tvmaf_mlp_cpu_flags(void)
{
    unsigned flags = tvmaf_cpu_flags_detect();
    /* Same meaning as the CLI's --cpumask: bits to disable. Lets the tests
     * prove that every ISA level trains the same bytes. */
    const char *const mask = getenv("TVMAF_TRAIN_CPUMASK");
    if (mask && *mask)
        flags &= ~(unsigned)strtoul(mask, NULL, 0);
    return flags;
}
