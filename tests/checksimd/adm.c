/*
 * checksimd: integer ADM kernels (src/feature/adm.h) against C, bit for bit:
 * the scale-0 DWT at every depth (and on samples out of range for it), the
 * scale 1..3 DWT at each scale, decouple/CSF, masking and denominator, on odd
 * and tiny widths, with random, small, extreme (int16/int32 limits, the
 * 15360 wrap of the scale-0 centre term) and correlated (angle test,
 * enhancement limit) inputs, garbage in the over-read slack and poisoned
 * outputs checked past n.
 */
#include <stdint.h>
#include <string.h>

#include "checksimd.h"
#include "feature/adm.h"

#define MAXW 2048
/* Room past n: over-read slack for inputs, poison guard for outputs. */
#define SLACK 64
#define GUARD 32

static const int widths[] = { 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 47, 63, 64,
                              65, 97, 255, 256, 257, 386, 772, 1000, 1921, MAXW };
#define N_WIDTHS ((int)(sizeof(widths) / sizeof(widths[0])))

static int32_t *div_lut;

static int16_t rand16(const int mode)
{
    static const int16_t ext[] = { -32768, 32767, 0, 1, -1, 2, -2, 15360, -15360, 16384, -16384 };
    switch (mode) {
    case 0: return (int16_t)checksimd_rand();
    case 1: return (int16_t)checksimd_rand_range(-64, 64);
    case 2: return ext[checksimd_rand() % (sizeof(ext) / sizeof(ext[0]))];
    case 3: return 0;
    default: return (int16_t)checksimd_rand_range(-2000, 2000);
    }
}

static int32_t rand32(const int mode)
{
    static const int32_t ext[] = { INT32_MIN, INT32_MAX, 0, 1, -1, 32767, 32768, -32768, 65535,
                                   65536, 1 << 30, -(1 << 30) };
    switch (mode) {
    case 0: return (int32_t)checksimd_rand();
    case 1: return (int32_t)checksimd_rand_range(-64, 64);
    case 2: return ext[checksimd_rand() % (sizeof(ext) / sizeof(ext[0]))];
    case 3: return (int32_t)checksimd_rand_range(-(1 << 24), 1 << 24);
    default: return (int32_t)checksimd_rand_range(-(1 << 19), 1 << 19);
    }
}

/* n values (plus the slack) in one random mode; mode 5 mixes all per value. */
static void fill16(int16_t *const p, const int n)
{
    const int mode = (int)(checksimd_rand() % 6);
    for (int i = 0; i < n + SLACK; i++)
        p[i] = rand16(mode == 5 ? (int)(checksimd_rand() % 5) : mode);
}

static void fill32(int32_t *const p, const int n)
{
    const int mode = (int)(checksimd_rand() % 6);
    for (int i = 0; i < n + SLACK; i++)
        p[i] = rand32(mode == 5 ? (int)(checksimd_rand() % 5) : mode);
}

/* Distorted from reference: equal, scaled (gain in [0, 2)), negated or
 * perturbed, so the angle test and the enhancement limit take both sides. */
static int64_t relate(const int64_t o, const int how)
{
    switch (how) {
    case 0: return o;
    case 1: return o * (int64_t)checksimd_rand_range(0, 2047) / 1024;
    case 2: return -o;
    default: return o + checksimd_rand_range(-3, 3);
    }
}

static int64_t clamp64(const int64_t v, const int64_t lo, const int64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Kernel parameters: the defaults of the driver (1080p, 3H) or random ones
 * within the ranges adm.h documents. */
static void rand_params(TvmafAdmKernelParams *const p, const int scale)
{
    static const uint32_t rf_default[4][3] = { { 36453, 36453, 49417 },
                                               { 137373792, 137373792, 61414028 },
                                               { 186284160, 186284160, 104783920 },
                                               { 196165808, 196165808, 134487184 } };
    static const double egls[] = { 100.0, 1.0, 37.25, 1.5 };
    memset(p, 0, sizeof(*p));
    p->div_lut = div_lut;
    const unsigned e = checksimd_rand() % 5;
    p->enhn_gain_limit = e < 4 ? egls[e] : 1.0 + checksimd_rand_range(0, 99000) / 1000.0;
    p->cos1sq = tvmaf_adm_cos_1deg_sq();
    const int dflt = checksimd_rand() % 2;
    for (int t = 0; t < 3; t++) {
        p->rf[t] = dflt ? rf_default[scale][t]
                 : scale ? (uint32_t)checksimd_rand_range(0, INT32_MAX)
                         : (uint32_t)checksimd_rand_range(0, 65535);
        p->cube_shift[t] = (int)checksimd_rand_range(0, 14);
    }
    p->den_sq_shift = scale == 2 ? 30 : 31;
    p->den_cube_shift = (int)checksimd_rand_range(0, 12);
}

static void check_dwt_s0(const TvmafAdmDSPContext *const c)
{
    declare_func(void, int32_t *a, int16_t *const hvd[3], const void *const src[4], int16_t *tmp,
                 int w, int bpc);
    static const int depths[] = { 8, 10, 12, 16 };
    uint16_t *srcbuf[4];
    for (int k = 0; k < 4; k++) srcbuf[k] = checksimd_alloc((MAXW + SLACK) * 2);
    int16_t *const tmp = checksimd_alloc(TVMAF_ADM_DWT_TMP(MAXW) * sizeof(int16_t));
    int32_t *const a_c = checksimd_alloc((MAXW + GUARD) * 4), *const a_a = checksimd_alloc(
                                                                  (MAXW + GUARD) * 4);
    int16_t *hc[3], *ha[3];
    for (int t = 0; t < 3; t++) {
        hc[t] = checksimd_alloc((MAXW + GUARD) * 2);
        ha[t] = checksimd_alloc((MAXW + GUARD) * 2);
    }
    const void *const src[4] = { srcbuf[0], srcbuf[1], srcbuf[2], srcbuf[3] };

    for (int di = 0; di < 4; di++) {
        const int bpc = depths[di];
        if (check_func(c->dwt_s0, "adm_dwt_s0_%dbpc", bpc)) {
            for (int i = 0; i < N_WIDTHS; i++) {
                const int w = widths[i], nout = (w + 1) / 2;
                /* Every fourth row set is any uint16: the kernel must not assume in-range. */
                const uint32_t maxv = bpc == 8 ? 255 : (i % 4 == 3) ? 65535 : (1u << bpc) - 1;
                const int mode = (int)(checksimd_rand() % 4);
                for (int k = 0; k < 4; k++) {
                    for (int j = 0; j < w + SLACK; j++) {
                        const uint32_t v = mode == 0 ? (checksimd_rand() & 1) * maxv
                                         : mode == 1 ? maxv
                                                     : checksimd_rand() % (maxv + 1);
                        if (bpc == 8)
                            ((uint8_t *)srcbuf[k])[j] = (uint8_t)v;
                        else
                            srcbuf[k][j] = (uint16_t)v;
                    }
                }
                checksimd_poison(a_c, (MAXW + GUARD) * 4);
                checksimd_poison(a_a, (MAXW + GUARD) * 4);
                for (int t = 0; t < 3; t++) {
                    checksimd_poison(hc[t], (MAXW + GUARD) * 2);
                    checksimd_poison(ha[t], (MAXW + GUARD) * 2);
                }
                checksimd_poison(tmp, TVMAF_ADM_DWT_TMP(MAXW) * sizeof(int16_t));
                call_ref(a_c, hc, src, tmp, w, bpc);
                checksimd_poison(tmp, TVMAF_ADM_DWT_TMP(MAXW) * sizeof(int16_t));
                call_new(a_a, ha, src, tmp, w, bpc);
                if (checksimd_check_buf("a", a_c, a_a, nout + GUARD, 4) ||
                    checksimd_check_buf("h", hc[0], ha[0], nout + GUARD, 2) ||
                    checksimd_check_buf("v", hc[1], ha[1], nout + GUARD, 2) ||
                    checksimd_check_buf("d", hc[2], ha[2], nout + GUARD, 2)) {
                    checksimd_fail("w %d, %d bpc, max %u", w, bpc, maxv);
                    break;
                }
            }
            bench_new_px(1920, a_a, ha, src, tmp, 1920, bpc);
        }
        report("dwt_s0_%dbpc", bpc);
    }
}

static void check_dwt_s123(const TvmafAdmDSPContext *const c)
{
    declare_func(void, int32_t *a, int32_t *const hvd[3], const int32_t *const src[4],
                 int32_t *tmp, int w, int scale);
    int32_t *srcbuf[4];
    for (int k = 0; k < 4; k++) srcbuf[k] = checksimd_alloc((MAXW + SLACK) * 4);
    int32_t *const tmp = checksimd_alloc(TVMAF_ADM_DWT_TMP(MAXW) * sizeof(int32_t));
    int32_t *oc[4], *oa[4];
    for (int t = 0; t < 4; t++) {
        oc[t] = checksimd_alloc((MAXW + GUARD) * 4);
        oa[t] = checksimd_alloc((MAXW + GUARD) * 4);
    }
    const int32_t *const src[4] = { srcbuf[0], srcbuf[1], srcbuf[2], srcbuf[3] };
    static const char *const names[4] = { "a", "h", "v", "d" };

    for (int scale = 1; scale <= 3; scale++) {
        if (check_func(c->dwt_s123, "adm_dwt_s123_s%d", scale)) {
            for (int i = 0; i < N_WIDTHS; i++) {
                const int w = widths[i], nout = (w + 1) / 2;
                for (int k = 0; k < 4; k++) fill32(srcbuf[k], w);
                for (int t = 0; t < 4; t++) {
                    checksimd_poison(oc[t], (MAXW + GUARD) * 4);
                    checksimd_poison(oa[t], (MAXW + GUARD) * 4);
                }
                checksimd_poison(tmp, TVMAF_ADM_DWT_TMP(MAXW) * sizeof(int32_t));
                call_ref(oc[0], oc + 1, src, tmp, w, scale);
                checksimd_poison(tmp, TVMAF_ADM_DWT_TMP(MAXW) * sizeof(int32_t));
                call_new(oa[0], oa + 1, src, tmp, w, scale);
                int bad = 0;
                for (int t = 0; t < 4 && !bad; t++)
                    bad = checksimd_check_buf(names[t], oc[t], oa[t], nout + GUARD, 4);
                if (bad) {
                    checksimd_fail("w %d, scale %d", w, scale);
                    break;
                }
            }
            bench_new_px(1920 >> scale, oa[0], oa + 1, src, tmp, 1920 >> scale, scale);
        }
        report("dwt_s123_s%d", scale);
    }
}

#define T int16_t
#define TN(x) x##16
#define SCALE_OF(rep) 0
#define BENCH_W 772
#include "adm_check_tmpl.c"
#undef T
#undef TN
#undef SCALE_OF
#undef BENCH_W

#define T int32_t
#define TN(x) x##32
#define SCALE_OF(rep) (1 + (rep) % 3)
#define BENCH_W 388
#include "adm_check_tmpl.c"
#undef T
#undef TN
#undef SCALE_OF
#undef BENCH_W

void checksimd_check_adm(void)
{
    TvmafAdmDSPContext c;
    tvmaf_adm_dsp_init(&c, checksimd_cpu_flags());
    if (!div_lut) {
        div_lut = checksimd_alloc(65537 * sizeof(int32_t));
        tvmaf_adm_div_lut_init(div_lut);
    }
    check_dwt_s0(&c);
    check_dwt_s123(&c);
    check_decouple16((void *)c.decouple_s0, "decouple_s0");
    check_decouple32((void *)c.decouple_s123, "decouple_s123");
    check_cm16((void *)c.cm_s0, "cm_s0");
    check_cm32((void *)c.cm_s123, "cm_s123");
    check_den16((void *)c.den_s0, "den_s0");
    check_den32((void *)c.den_s123, "den_s123");
}
