/*
 * checksimd: every SIMD kernel against its C reference, and their speed.
 * A small in-tree take on dav1d's tests/checkasm (before it moved to the
 * external videolan/checkasm), without register-clobber checks (we write no
 * assembly).
 *
 * Runner (checksimd.c). It runs every module test once with no CPU flags
 * (recording the C kernels), then once per CPU level the host supports
 * (AVX2, AVX-512, AVX-512 ICL), each time with the DSP tables rebuilt for
 * that level. A kernel pointer already seen is skipped, so each SIMD
 * version is checked exactly once, always against the C version.
 *   checksimd [--test=PAT] [--function=PAT] [--bench] [--seed=N]
 *             [--list-functions] [--list-tests] [--verbose] [SEED]
 * PAT may contain '*'. Exit status 0 when every check passed.
 *
 * Writing a module test (see vif.c, motion.c):
 *
 *   void checksimd_check_foo(void)            // listed in checksimd.c tests[]
 *   {
 *       TvmafFooDSPContext c;
 *       tvmaf_foo_dsp_init(&c, checksimd_cpu_flags());
 *       declare_func(void, uint16_t *dst, const uint16_t *src, int w);
 *       if (check_func(c.kernel, "foo_kernel_%dbpc", bpc)) {
 *           for (...) {                       // sizes, depths, edge cases
 *               fill src with checksimd_rand();
 *               checksimd_poison(dst_c, n * 2);  checksimd_poison(dst_a, n * 2);
 *               call_ref(dst_c, src, w);
 *               call_new(dst_a, src, w);
 *               if (checksimd_check_buf("dst", dst_c, dst_a, w, sizeof(*dst_c)))
 *                   break;                    // first mismatch is printed
 *           }
 *           bench_new(dst_a, src, 1920);
 *       }
 *       report("kernel");
 *   }
 *
 * check_func() formats the kernel's name, applies --function, and returns
 * non-zero when this kernel pointer is new at the current level; inside,
 * func_ref is the C version and func_new the one under test. Random data
 * comes from checksimd_rand(), reseeded by every check_func() so both calls
 * see the same inputs and --seed reproduces a failure. Integer kernels must
 * match bit for bit (checksimd_check_buf, a memcmp); float kernels use
 * float_near_ulp() and friends. A failure prints the seed, the function, the
 * ISA and the first differing index.
 */
#ifndef TVMAF_TESTS_CHECKSIMD_CHECKSIMD_H
#define TVMAF_TESTS_CHECKSIMD_CHECKSIMD_H

#include <stddef.h>
#include <stdint.h>

/* Module tests, one per DSP table (the ADM one lives in adm.c). */
void checksimd_check_vif(void);
void checksimd_check_motion(void);
void checksimd_check_adm(void);
void checksimd_check_mlp(void);
void checksimd_check_speed(void);
void checksimd_check_cambi(void);

/* TVMAF_CPU_FLAG_* of the level being tested (0: C only). */
unsigned checksimd_cpu_flags(void);

/* xor128 PRNG, reseeded by check_func(). */
uint32_t checksimd_rand(void);
/* Uniform in [lo, hi] (inclusive), hi - lo < 2^32. */
int64_t checksimd_rand_range(int64_t lo, int64_t hi);

/* Fills n bytes with a pattern no kernel writes by accident. */
void checksimd_poison(void *buf, size_t n);

/* Zeroed, 64-byte aligned, with 256 spare bytes after; freed at exit. */
void *checksimd_alloc(size_t n);

/* memcmp of n elements of `size` bytes; on a mismatch reports the first
 * differing index and values through checksimd_fail() and returns 1. */
int checksimd_check_buf(const char *what, const void *ref, const void *got, size_t n,
                        size_t size);

/* Marks the current function version failed and prints seed, function, ISA
 * and the message. Returns whether --verbose is set. */
int checksimd_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void *checksimd_check_func(void *func, const char *name, ...)
    __attribute__((format(printf, 2, 3)));
int checksimd_bench_enabled(void);
void checksimd_update_bench(int iterations, uint64_t cycles, double pixels);
void checksimd_report(const char *name, ...) __attribute__((format(printf, 1, 2)));

/* Float comparisons (dav1d checkasm): within max_ulp units in the last place
 * and/or an absolute eps. */
int float_near_ulp(float a, float b, unsigned max_ulp);
int float_near_abs_eps(float a, float b, float eps);
int float_near_abs_eps_ulp(float a, float b, float eps, unsigned max_ulp);
int float_near_ulp_array(const float *a, const float *b, unsigned max_ulp, int len);
int float_near_abs_eps_array(const float *a, const float *b, float eps, int len);
int double_near_abs_eps(double a, double b, double eps);

/* ---- macros ---- */

#define declare_func(ret, ...)                                                            \
    void *func_ref, *func_new;                                                            \
    typedef ret func_type(__VA_ARGS__)

#define check_func(func, ...)                                                             \
    (func_ref = checksimd_check_func((void *)(func_new = (void *)(func)), __VA_ARGS__))

#define call_ref(...) ((func_type *)func_ref)(__VA_ARGS__)
#define call_new(...) ((func_type *)func_new)(__VA_ARGS__)

#define report checksimd_report
#define fail() checksimd_fail("%s:%d", __FILE__, __LINE__)

#define BENCH_RUNS 256

static inline uint64_t checksimd_readtime(void)
{
#if defined(__x86_64__) || defined(__i386__)
    uint32_t lo, hi;
    __asm__ __volatile__("lfence\n\trdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
#else
    return 0;
#endif
}

/* Times func_new (4 calls per sample, the first sample and outliers above
 * 4x the running mean dropped); does nothing unless --bench. bench_new_px
 * also names the pixels (row elements) one call produces, for cycles/px. */
#define bench_new(...) bench_new_px(0, __VA_ARGS__)
#define bench_new_px(npx, ...)                                                            \
    do {                                                                                  \
        if (checksimd_bench_enabled()) {                                                  \
            func_type *const tfunc = (func_type *)func_new;                               \
            uint64_t tsum = 0;                                                            \
            int tcount = 0;                                                               \
            for (int ti = 0; ti < BENCH_RUNS; ti++) {                                     \
                uint64_t t = checksimd_readtime();                                        \
                tfunc(__VA_ARGS__);                                                       \
                tfunc(__VA_ARGS__);                                                       \
                tfunc(__VA_ARGS__);                                                       \
                tfunc(__VA_ARGS__);                                                       \
                t = checksimd_readtime() - t;                                             \
                if (ti > 0 && t * tcount <= tsum * 4) {                                   \
                    tsum += t;                                                            \
                    tcount++;                                                             \
                }                                                                         \
            }                                                                             \
            checksimd_update_bench(tcount, tsum, (double)(npx));                          \
        }                                                                                 \
    } while (0)

#endif /* TVMAF_TESTS_CHECKSIMD_CHECKSIMD_H */
