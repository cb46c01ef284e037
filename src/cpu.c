#include <pthread.h>

#include "config.h"
#include "cpu.h"
#include "tinyvmaf/tinyvmaf.h"

#if TVMAF_ARCH_X86_64
#include <cpuid.h>

static unsigned long long xgetbv0(void)
{
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
}

static unsigned detect_x86(void)
{
    unsigned a, b, c, d, flags = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return 0;
    if (d & (1u << 26)) flags |= TVMAF_CPU_FLAG_SSE2;
    if (c & (1u << 9)) flags |= TVMAF_CPU_FLAG_SSSE3;
    if (c & (1u << 19)) flags |= TVMAF_CPU_FLAG_SSE41;
    /* AVX state must be enabled by the OS (OSXSAVE + XCR0 bits 1,2) before
     * any YMM register may be touched. */
    const int osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, fma = (c >> 12) & 1;
    if (!osxsave || !avx)
        return flags;
    const unsigned long long xcr0 = xgetbv0();
    if ((xcr0 & 0x6) != 0x6)
        return flags;
    unsigned max_leaf = __get_cpuid_max(0, NULL);
    if (max_leaf < 7)
        return flags;
    __cpuid_count(7, 0, a, b, c, d);
    /* AVX2 (leaf 7 EBX bit 5) + BMI1/BMI2 (bits 3, 8) + FMA */
    if ((b & (1u << 5)) && (b & (1u << 3)) && (b & (1u << 8)) && fma)
        flags |= TVMAF_CPU_FLAG_AVX2;
    /* AVX-512: F(16) DQ(17) CD(28) BW(30) VL(31), plus opmask/ZMM state
     * (XCR0 bits 5,6,7). */
    const unsigned avx512_mask = (1u << 16) | (1u << 17) | (1u << 28) | (1u << 30) | (1u << 31);
    if ((flags & TVMAF_CPU_FLAG_AVX2) && (b & avx512_mask) == avx512_mask &&
        (xcr0 & 0xe0) == 0xe0) {
        flags |= TVMAF_CPU_FLAG_AVX512;
        /* Ice Lake set: VBMI(c1) VBMI2(c6) GFNI(c8) VAES(c9) VPCLMULQDQ(c10)
         * VNNI(c11) BITALG(c12) VPOPCNTDQ(c14) */
        const unsigned icl = (1u << 1) | (1u << 6) | (1u << 8) | (1u << 9) | (1u << 10) |
                             (1u << 11) | (1u << 12) | (1u << 14);
        if ((c & icl) == icl)
            flags |= TVMAF_CPU_FLAG_AVX512ICL;
    }
    return flags;
}
#endif

static unsigned cpu_flags;
static pthread_once_t cpu_once = PTHREAD_ONCE_INIT;

static void init_flags(void)
{
#if TVMAF_ARCH_X86_64
    cpu_flags = detect_x86();
#else
    cpu_flags = 0;
#endif
}

unsigned tvmaf_cpu_flags_detect(void)
{
    pthread_once(&cpu_once, init_flags);
    return cpu_flags;
}

unsigned tvmaf_cpu_flags_usable(const unsigned cpu_mask)
{
    return tvmaf_cpu_flags_detect() & ~cpu_mask;
}
