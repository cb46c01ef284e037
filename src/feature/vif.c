/*
 * Integer VIF, C reference: the DSP kernels, their table, and the driver that
 * walks the four scales one row at a time.
 *
 * Derivation (docs/algorithms.md section 2; libvmaf integer_vif.c is the oracle).
 *
 * At scale s with Q16 taps f (sum 65536) and samples x (ref) and y (dis):
 *   vertical   mv  = R(sum f*x, sh_mu)        Q8, "8-bit units"
 *              sv  = R(sum f*x*x, sh_sq)      Q16 (same for y*y, x*y)
 *   horizontal mu  = sum f*mv                 Q24, no rounding
 *              E   = R(sum f*sv, 16)          Q16
 * with sh_mu = b and sh_sq = 2(b-8) at scale 0 (b = input bit depth), and
 * 16/16 at scales 1..3 whose images are Q8 uint16. Because the rounding
 * constants scale with the shifts, content x*4 at 10 bits gives the same
 * integers as x at 8 bits (algorithms.md 4.5). Every sum is exact in its accumulator
 * (uint32 for the means, uint64 for the products), so tap order is free and
 * the kernels fold the symmetric taps: f_k*(a + b) instead of f_k*a + f_k*b.
 *
 * Per pixel, in Q16: mu1^2 = (mu1*mu1 + 2^31) >> 32, sigma1^2 = E_xx - mu1^2
 * as a wrapped int32 (likewise sigma2^2, sigma12), and sigma2^2 is clamped at
 * 0 while sigma1^2 is not. With sigma_n^2 = 2 (131072 in Q16):
 *   sigma1^2 <  131072: N += 1, S += sigma2^2
 *   otherwise:          D += log2Q11(131072 + sigma1^2) - 17*2048
 *                       and, if sigma12 > 0 and sigma2^2 > 0,
 *                       g = sigma12 / (sigma1^2 + 65536e-10) in double,
 *                       sv^2 = max(int32(sigma2^2 - g*sigma12), 0),
 *                       g = min(g, gain limit)  (after sv^2, as libvmaf),
 *                       A += log2Q11(int64(g*g*sigma1^2) + sv^2 + 131072)
 *                          - log2Q11(sv^2 + 131072).
 * log2Q11 keeps the top 16 bits (truncating) and looks them up in the shipped
 * log2f table. The score is f32(A/2048 + N - S/16384/65025) /
 * f32(D/2048 + N), a float32 division. The double steps must not be
 * contracted into FMAs: build with -ffp-contract=off.
 *
 * Down-sampling to scale s+1 uses the scale-(s+1) taps: t = R(sum f*p, v)
 * vertically (v = b from the input, 16 from Q8), q = R(sum f*t, 16)
 * horizontally, both stored as uint16, then only even rows and columns are
 * kept, so only those are computed. Sizes halve with floor. Borders mirror
 * without repeating the edge (reflect-101) at every step; it is valid because
 * w, h >= 16 keeps every filter half-width below the image size.
 */

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "feature/vif.h"
#if TVMAF_ENABLE_SIMD
#include "feature/x86/vif.h"
#endif

#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#define NOINLINE __attribute__((noinline))
#else
#define ALWAYS_INLINE inline
#define NOINLINE
#endif

#define SIGMA_NSQ 131072 /* sigma_n^2 = 2.0 in Q16 */
#define DEFAULT_ENHN_GAIN_LIMIT 100.0

const uint16_t tvmaf_vif_filter[TVMAF_VIF_SCALES][TVMAF_VIF_FILTER_MAX] = {
    { 489, 935, 1640, 2640, 3896, 5274, 6547, 7455, 7784, 7455, 6547, 5274, 3896, 2640, 1640,
      935, 489 },
    { 1244, 3663, 7925, 12590, 14692, 12590, 7925, 3663, 1244 },
    { 3571, 16004, 26386, 16004, 3571 },
    { 10904, 43728, 10904 },
};

const int tvmaf_vif_filter_width[TVMAF_VIF_SCALES] = { 17, 9, 5, 3 };

/* The pixel type is a parameter; callers pass a constant so each use inlines. */
static ALWAYS_INLINE uint32_t px(const void *const row, const int j, const int pix16)
{
    return pix16 ? ((const uint16_t *)row)[j] : ((const uint8_t *)row)[j];
}

/* ------------------------------------------------------------------------ */
/* Kernels. This is the specification and also the fast path of a build or
 * CPU without SIMD, so every inner loop is written for compilers to
 * vectorise on baseline x86-64 (SSE2) and other ISAs: the filters go tap by
 * tap over tiles of VTILE columns (taps outer, columns inner, fixed strides,
 * restrict rows, accumulators in L1), with no data-dependent branch. The
 * blocked form (columns outer, taps inner) stays scalar with GCC: 4-5x
 * slower at 1080p. Each body takes fw (and the pixel type) as constants from
 * its dispatcher. Measured per kernel by checksimd --bench (the _c rows). */

#define VTILE 256

/*
 * Every product is written as uint16 x uint16 -> uint32 (mul16): that is the
 * widening multiply SSE2 has, so the loops vectorise on baseline x86-64,
 * where a 32-bit lane multiply does not exist. Hence taps are not folded
 * (a + b may need 17 bits) and sums that can exceed 32 bits (a 16-bit sample
 * squared, times a tap) are split: p = hi*2^16 + lo with 16-bit halves, so
 * sum(f*hi) and sum(f*lo) each fit in uint32 (the taps sum to 2^16). The
 * rounded result is then
 *   R(sum f*p, sh) = (sum(f*hi) << (16 - sh)) + R(sum(f*lo), sh)
 * exactly, for 1 <= sh <= 16, since the first term is a multiple of 2^sh.
 * It fits in uint32 whenever the true result does, which algorithms.md 2.3 guarantees.
 */
static ALWAYS_INLINE uint32_t mul16(const uint16_t a, const uint16_t b)
{
    return (uint32_t)a * b;
}

static ALWAYS_INLINE uint32_t join_hi_lo(const uint32_t hi, const uint32_t lo, const int sh)
{
    return (hi << (16 - sh)) + ((lo + (1u << (sh - 1))) >> sh);
}

/* Sums of one tile of moments, the Q16 ones split as in join_hi_lo. */
typedef struct MomSums {
    uint32_t m1[VTILE], m2[VTILE];
    uint32_t xxl[VTILE], yyl[VTILE], xyl[VTILE], xxh[VTILE], yyh[VTILE], xyh[VTILE];
} MomSums;

/*
 * 16-bit rows go tap by tap over a tile of columns (as vfilt_mom_8_tile
 * below), the symmetric taps in pairs after the centre tap: one factor, two
 * products, half the accumulator traffic. Squares are split into 16-bit
 * halves as they are formed (pmullw/pmulhuw on SSE2). Each tap pass is its
 * own function: inlined into the tap loop, GCC's unroll-and-jam merges
 * passes into a loop it no longer vectorises.
 */
static NOINLINE void vfilt_mom_16_centre(MomSums *restrict const s, const uint16_t *restrict const ra,
                                         const uint16_t *restrict const da, const uint16_t fk,
                                         const int n)
{
    for (int jj = 0; jj < n; jj++) {
        const uint16_t x = ra[jj], y = da[jj];
        const uint32_t pxx = mul16(x, x), pyy = mul16(y, y), pxy = mul16(x, y);
        s->m1[jj] = mul16(fk, x);
        s->m2[jj] = mul16(fk, y);
        s->xxl[jj] = mul16(fk, (uint16_t)pxx);
        s->yyl[jj] = mul16(fk, (uint16_t)pyy);
        s->xyl[jj] = mul16(fk, (uint16_t)pxy);
        s->xxh[jj] = mul16(fk, (uint16_t)(pxx >> 16));
        s->yyh[jj] = mul16(fk, (uint16_t)(pyy >> 16));
        s->xyh[jj] = mul16(fk, (uint16_t)(pxy >> 16));
    }
}

static NOINLINE void vfilt_mom_16_pair(MomSums *restrict const s, const uint16_t *restrict const ra,
                                       const uint16_t *restrict const rb,
                                       const uint16_t *restrict const da,
                                       const uint16_t *restrict const db, const uint16_t fk,
                                       const int n)
{
    for (int jj = 0; jj < n; jj++) {
        const uint16_t x = ra[jj], y = da[jj], x2 = rb[jj], y2 = db[jj];
        const uint32_t pxx = mul16(x, x), pyy = mul16(y, y), pxy = mul16(x, y);
        const uint32_t qxx = mul16(x2, x2), qyy = mul16(y2, y2), qxy = mul16(x2, y2);
        s->m1[jj] += mul16(fk, x) + mul16(fk, x2);
        s->m2[jj] += mul16(fk, y) + mul16(fk, y2);
        s->xxl[jj] += mul16(fk, (uint16_t)pxx) + mul16(fk, (uint16_t)qxx);
        s->yyl[jj] += mul16(fk, (uint16_t)pyy) + mul16(fk, (uint16_t)qyy);
        s->xyl[jj] += mul16(fk, (uint16_t)pxy) + mul16(fk, (uint16_t)qxy);
        s->xxh[jj] += mul16(fk, (uint16_t)(pxx >> 16)) + mul16(fk, (uint16_t)(qxx >> 16));
        s->yyh[jj] += mul16(fk, (uint16_t)(pyy >> 16)) + mul16(fk, (uint16_t)(qyy >> 16));
        s->xyh[jj] += mul16(fk, (uint16_t)(pxy >> 16)) + mul16(fk, (uint16_t)(qxy >> 16));
    }
}

static ALWAYS_INLINE void vfilt_mom_16_tile(const TvmafVifMomRow *const out,
                                            const uint16_t *const *const ref,
                                            const uint16_t *const *const dis, const int j0,
                                            const int n, const int fw, const uint16_t *const f,
                                            const int sh_mu, const int sh_sq)
{
    const int r = fw / 2;
    MomSums s;

    vfilt_mom_16_centre(&s, ref[r] + j0, dis[r] + j0, f[r], n);
    for (int k = 0; k < r; k++)
        vfilt_mom_16_pair(&s, ref[k] + j0, ref[fw - 1 - k] + j0, dis[k] + j0,
                          dis[fw - 1 - k] + j0, f[k], n);

    uint16_t *restrict const o1 = out->mu1 + j0, *restrict const o2 = out->mu2 + j0;
    uint32_t *restrict const oxx = out->xx + j0, *restrict const oyy = out->yy + j0;
    uint32_t *restrict const oxy = out->xy + j0;
    const uint32_t rnd_mu = 1u << (sh_mu - 1);
    for (int jj = 0; jj < n; jj++) {
        o1[jj] = (uint16_t)((s.m1[jj] + rnd_mu) >> sh_mu);
        o2[jj] = (uint16_t)((s.m2[jj] + rnd_mu) >> sh_mu);
        oxx[jj] = join_hi_lo(s.xxh[jj], s.xxl[jj], sh_sq);
        oyy[jj] = join_hi_lo(s.yyh[jj], s.yyl[jj], sh_sq);
        oxy[jj] = join_hi_lo(s.xyh[jj], s.xyl[jj], sh_sq);
    }
}

static ALWAYS_INLINE void vfilt_mom_16_body(const TvmafVifMomRow *const out,
                                            const void *const *const ref,
                                            const void *const *const dis, const int w,
                                            const int fw, const uint16_t *const f,
                                            const int sh_mu, const int sh_sq)
{
    for (int j = 0; j < w; j += VTILE)
        vfilt_mom_16_tile(out, (const uint16_t *const *)ref, (const uint16_t *const *)dis, j,
                          w - j < VTILE ? w - j : VTILE, fw, f, sh_mu, sh_sq);
}

/*
 * 8-bit rows (scale 0 only): x*x < 2^16 and the whole sum fits in uint32,
 * no split (algorithms.md 2.3). The sums go tap by tap over a tile of
 * columns (k outer, columns inner): each inner loop is one fixed-stride pass
 * over restrict rows that compilers vectorise, with the tile's accumulators
 * in L1.
 */
static void vfilt_mom_8_tile(const TvmafVifMomRow *const out, const uint8_t *const *const ref,
                             const uint8_t *const *const dis, const int j0, const int n,
                             const int sh_mu)
{
    const uint16_t *const f = tvmaf_vif_filter[0];
    uint32_t m1[VTILE], m2[VTILE], xx[VTILE], yy[VTILE], xy[VTILE];

    for (int k = 0; k < 17; k++) {
        const uint16_t fk = f[k];
        const int first = k == 0;
        const uint8_t *restrict const rk = ref[k] + j0;
        const uint8_t *restrict const dk = dis[k] + j0;
        for (int jj = 0; jj < n; jj++) {
            const uint16_t x = rk[jj], y = dk[jj];
            m1[jj] = (first ? 0 : m1[jj]) + mul16(fk, x);
            m2[jj] = (first ? 0 : m2[jj]) + mul16(fk, y);
            xx[jj] = (first ? 0 : xx[jj]) + mul16(fk, (uint16_t)(x * x));
            yy[jj] = (first ? 0 : yy[jj]) + mul16(fk, (uint16_t)(y * y));
            xy[jj] = (first ? 0 : xy[jj]) + mul16(fk, (uint16_t)(x * y));
        }
    }

    uint16_t *restrict const o1 = out->mu1 + j0, *restrict const o2 = out->mu2 + j0;
    uint32_t *restrict const oxx = out->xx + j0, *restrict const oyy = out->yy + j0;
    uint32_t *restrict const oxy = out->xy + j0;
    const uint32_t rnd_mu = 1u << (sh_mu - 1);
    for (int jj = 0; jj < n; jj++) {
        o1[jj] = (uint16_t)((m1[jj] + rnd_mu) >> sh_mu);
        o2[jj] = (uint16_t)((m2[jj] + rnd_mu) >> sh_mu);
        oxx[jj] = xx[jj];
        oyy[jj] = yy[jj];
        oxy[jj] = xy[jj];
    }
}

static decl_vif_vfilt_mom_fn(vif_vfilt_mom_8_c)
{
    /* 8-bit input only ever feeds scale 0; sh_sq is 0 (no rounding). */
    (void)scale;
    (void)sh_sq;
    for (int n = 0; n < nrows; n++)
        for (int j = 0; j < w; j += VTILE)
            vfilt_mom_8_tile(&out[n], (const uint8_t *const *)ref + n,
                             (const uint8_t *const *)dis + n, j, w - j < VTILE ? w - j : VTILE,
                             sh_mu);
}

static decl_vif_vfilt_mom_fn(vif_vfilt_mom_16_c)
{
    const uint16_t *const f = tvmaf_vif_filter[scale];
    for (int n = 0; n < nrows; n++) {
        switch (scale) {
        case 0: vfilt_mom_16_body(&out[n], ref + n, dis + n, w, 17, f, sh_mu, sh_sq); break;
        case 1: vfilt_mom_16_body(&out[n], ref + n, dis + n, w, 9, f, sh_mu, sh_sq); break;
        case 2: vfilt_mom_16_body(&out[n], ref + n, dis + n, w, 5, f, sh_mu, sh_sq); break;
        default: vfilt_mom_16_body(&out[n], ref + n, dis + n, w, 3, f, sh_mu, sh_sq); break;
        }
    }
}

/*
 * Tap by tap over a tile of columns, as vfilt_mom_8_tile. The Q16 moments
 * reach 2^32: they are first split into 16-bit halves (join_hi_lo, sh = 16),
 * so every tap pass is a widening u16 x u16 multiply over u16 rows; a
 * truncating u32 -> u16 load inside the tap loop does not vectorise on
 * baseline x86-64 (no 32-bit lane multiply or unsigned pack).
 */
static ALWAYS_INLINE void split_hi_lo(uint16_t *restrict const lo, uint16_t *restrict const hi,
                                      const uint32_t *restrict const in, const int n)
{
    for (int i = 0; i < n; i++) {
        lo[i] = (uint16_t)in[i];
        hi[i] = (uint16_t)(in[i] >> 16);
    }
}

static NOINLINE void hfilt_row(uint32_t *restrict const acc, const uint16_t *restrict const a,
                               const int n, const int fw, const uint16_t *const f)
{
    const int r = fw / 2;
    const uint16_t fc = f[r];
    for (int jj = 0; jj < n; jj++)
        acc[jj] = mul16(fc, a[jj + r]);
    for (int k = 0; k < r; k++) {
        const uint16_t fk = f[k];
        const uint16_t *restrict const lo = a + k, *restrict const hi = a + fw - 1 - k;
        for (int jj = 0; jj < n; jj++)
            acc[jj] += mul16(fk, lo[jj]) + mul16(fk, hi[jj]);
    }
}

static ALWAYS_INLINE void hfilt_mom_tile(const TvmafVifFiltRow *const out,
                                         const TvmafVifMomRow *const in, const int j0,
                                         const int n, const int fw, const uint16_t *const f)
{
    const int r = fw / 2, c0 = j0 - r, span = n + fw - 1;
    uint16_t lo[3][VTILE + TVMAF_VIF_FILTER_MAX], hi[3][VTILE + TVMAF_VIF_FILTER_MAX];
    MomSums s;

    split_hi_lo(lo[0], hi[0], in->xx + c0, span);
    split_hi_lo(lo[1], hi[1], in->yy + c0, span);
    split_hi_lo(lo[2], hi[2], in->xy + c0, span);
    hfilt_row(out->mu1 + j0, in->mu1 + c0, n, fw, f); /* the means need no join */
    hfilt_row(out->mu2 + j0, in->mu2 + c0, n, fw, f);
    hfilt_row(s.xxl, lo[0], n, fw, f);
    hfilt_row(s.yyl, lo[1], n, fw, f);
    hfilt_row(s.xyl, lo[2], n, fw, f);
    hfilt_row(s.xxh, hi[0], n, fw, f);
    hfilt_row(s.yyh, hi[1], n, fw, f);
    hfilt_row(s.xyh, hi[2], n, fw, f);

    uint32_t *restrict const oxx = out->xx + j0, *restrict const oyy = out->yy + j0;
    uint32_t *restrict const oxy = out->xy + j0;
    for (int jj = 0; jj < n; jj++) {
        oxx[jj] = join_hi_lo(s.xxh[jj], s.xxl[jj], 16);
        oyy[jj] = join_hi_lo(s.yyh[jj], s.yyl[jj], 16);
        oxy[jj] = join_hi_lo(s.xyh[jj], s.xyl[jj], 16);
    }
}

static ALWAYS_INLINE void hfilt_mom_body(const TvmafVifFiltRow *const out,
                                         const TvmafVifMomRow *const in, const int w,
                                         const int fw, const uint16_t *const f)
{
    for (int j = 0; j < w; j += VTILE)
        hfilt_mom_tile(out, in, j, w - j < VTILE ? w - j : VTILE, fw, f);
}

static decl_vif_hfilt_mom_fn(vif_hfilt_mom_c)
{
    const uint16_t *const f = tvmaf_vif_filter[scale];
    switch (scale) {
    case 0: hfilt_mom_body(out, in, w, 17, f); break;
    case 1: hfilt_mom_body(out, in, w, 9, f); break;
    case 2: hfilt_mom_body(out, in, w, 5, f); break;
    default: hfilt_mom_body(out, in, w, 3, f); break;
    }
}

static inline int bitlen64(uint64_t v)
{
#if defined(__GNUC__)
    return 64 - __builtin_clzll(v);
#else
    int n = 0;
    while (v) { n++; v >>= 1; }
    return n;
#endif
}

/* v >= 2^17 here: keep the top 16 bits (truncated) and add 2048 per dropped bit. */
static inline int32_t log2q11(const uint64_t v)
{
    const int k = bitlen64(v) - 16;
    return tvmaf_vif_log2_table[(v >> k) - TVMAF_VIF_LOG2_TABLE_BASE] + 2048 * k;
}

/*
 * The statistic goes over a tile of columns in three passes, none with a
 * data-dependent branch (a mispredicted branch per pixel cost more than all
 * the arithmetic): the integer moments (vectorisable), the double steps for
 * every column (vectorisable: divpd), then the table look-ups and sums as
 * selects. Columns outside a branch get neutral inputs, so the double steps
 * stay in range and the numerator's log terms cancel exactly there
 * (s12 = 0 gives g = 0, sv^2 = 0, log(n2) - log(n1) = 0).
 */
static decl_vif_stat_fn(vif_stat_c)
{
    /* Same constant expression as libvmaf so the double is the same. */
    const double eps = 65536 * 1.0e-10;
    int64_t num_log = 0, den_log = 0, num_non_log = 0, den_non_log = 0;
    int32_t s1[VTILE], s2[VTILE];
    uint32_t n1[VTILE];
    int32_t a1[VTILE], a2[VTILE], a12[VTILE]; /* neutral outside the numerator branch */
    double gg[VTILE];

    for (int j0 = 0; j0 < w; j0 += VTILE) {
        const int n = w - j0 < VTILE ? w - j0 : VTILE;
        const uint32_t *restrict const m1 = in->mu1 + j0, *restrict const m2 = in->mu2 + j0;
        const uint32_t *restrict const xx = in->xx + j0, *restrict const yy = in->yy + j0;
        const uint32_t *restrict const xy = in->xy + j0;

        for (int j = 0; j < n; j++) {
            const uint32_t mu1 = m1[j], mu2 = m2[j];
            const uint32_t mu1_sq = (uint32_t)(((uint64_t)mu1 * mu1 + 0x80000000u) >> 32);
            const uint32_t mu2_sq = (uint32_t)(((uint64_t)mu2 * mu2 + 0x80000000u) >> 32);
            const uint32_t mu12 = (uint32_t)(((uint64_t)mu1 * mu2 + 0x80000000u) >> 32);
            /* Unsigned differences reinterpreted as int32, as libvmaf does. */
            const int32_t sigma1_sq = (int32_t)(xx[j] - mu1_sq);
            const int32_t sigma2_sq_raw = (int32_t)(yy[j] - mu2_sq);
            const int32_t sigma2_sq = sigma2_sq_raw < 0 ? 0 : sigma2_sq_raw;
            const int32_t sigma12 = (int32_t)(xy[j] - mu12);
            const int num = sigma1_sq >= SIGMA_NSQ && sigma12 > 0 && sigma2_sq > 0;
            s1[j] = sigma1_sq;
            s2[j] = sigma2_sq;
            a1[j] = num ? sigma1_sq : SIGMA_NSQ;
            a2[j] = num ? sigma2_sq : 0;
            a12[j] = num ? sigma12 : 0;
        }
        for (int j = 0; j < n; j++) {
            double g = a12[j] / (a1[j] + eps);
            int32_t sv_sq = (int32_t)(a2[j] - g * a12[j]);
            sv_sq = sv_sq < 0 ? 0 : sv_sq;
            g = g < enhn_gain_limit ? g : enhn_gain_limit;
            n1[j] = (uint32_t)sv_sq + SIGMA_NSQ;
            gg[j] = g * g * a1[j];
        }
        for (int j = 0; j < n; j++) {
            const int is_log = s1[j] >= SIGMA_NSQ;
            const int32_t d = log2q11((uint32_t)SIGMA_NSQ + (uint32_t)(is_log ? s1[j] : 0));
            den_log += is_log ? d - 17 * 2048 : 0;
            const int64_t n2 = (int64_t)gg[j] + n1[j];
            num_log += log2q11((uint64_t)n2) - log2q11(n1[j]);
            num_non_log += is_log ? 0 : s2[j];
            den_non_log += !is_log;
        }
    }
    acc->num_log += num_log;
    acc->den_log += den_log;
    acc->num_non_log += num_non_log;
    acc->den_non_log += den_non_log;
}

/* One plane per loop, the output restrict: with both planes in one loop GCC
 * needs more run-time alias checks than it allows and keeps it scalar. */
static ALWAYS_INLINE void vfilt_sub_plane(uint16_t *restrict const out,
                                          const void *const *const rows, const int w,
                                          const int fw, const uint16_t *const f, const int sh,
                                          const int pix16)
{
    const int r = fw / 2;
    const uint32_t rnd = 1u << (sh - 1);

    for (int j = 0; j < w; j++) {
        uint32_t a = f[r] * px(rows[r], j, pix16);
        for (int k = 0; k < r; k++)
            a += f[k] * (px(rows[k], j, pix16) + px(rows[fw - 1 - k], j, pix16));
        out[j] = (uint16_t)((a + rnd) >> sh);
    }
}

static ALWAYS_INLINE void vfilt_sub_body(uint16_t *const ref_out, uint16_t *const dis_out,
                                         const void *const *const ref,
                                         const void *const *const dis, const int w, const int fw,
                                         const uint16_t *const f, const int sh, const int pix16)
{
    vfilt_sub_plane(ref_out, ref, w, fw, f, sh, pix16);
    vfilt_sub_plane(dis_out, dis, w, fw, f, sh, pix16);
}

static decl_vif_vfilt_sub_fn(vif_vfilt_sub_8_c)
{
    /* 8-bit input is only ever down-sampled to scale 1. */
    (void)scale;
    vfilt_sub_body(ref_out, dis_out, ref, dis, w, 9, tvmaf_vif_filter[1], sh, 0);
}

static decl_vif_vfilt_sub_fn(vif_vfilt_sub_16_c)
{
    const uint16_t *const f = tvmaf_vif_filter[scale];
    switch (scale) {
    case 1: vfilt_sub_body(ref_out, dis_out, ref, dis, w, 9, f, sh, 1); break;
    case 2: vfilt_sub_body(ref_out, dis_out, ref, dis, w, 5, f, sh, 1); break;
    default: vfilt_sub_body(ref_out, dis_out, ref, dis, w, 3, f, sh, 1); break;
    }
}

static ALWAYS_INLINE void hfilt_dec_body(uint16_t *const ref_out, uint16_t *const dis_out,
                                         const uint16_t *const ref_in,
                                         const uint16_t *const dis_in, const int w_out,
                                         const int fw, const uint16_t *const f)
{
    const int r = fw / 2;

    for (int j = 0; j < w_out; j++) {
        const int c = 2 * j;
        uint32_t a = (uint32_t)f[r] * ref_in[c];
        uint32_t b = (uint32_t)f[r] * dis_in[c];
        for (int k = 0; k < r; k++) {
            a += f[k] * ((uint32_t)ref_in[c - r + k] + ref_in[c + r - k]);
            b += f[k] * ((uint32_t)dis_in[c - r + k] + dis_in[c + r - k]);
        }
        ref_out[j] = (uint16_t)((a + 32768) >> 16);
        dis_out[j] = (uint16_t)((b + 32768) >> 16);
    }
}

static decl_vif_hfilt_dec_fn(vif_hfilt_dec_c)
{
    const uint16_t *const f = tvmaf_vif_filter[scale];
    switch (scale) {
    case 1: hfilt_dec_body(ref_out, dis_out, ref_in, dis_in, w_out, 9, f); break;
    case 2: hfilt_dec_body(ref_out, dis_out, ref_in, dis_in, w_out, 5, f); break;
    default: hfilt_dec_body(ref_out, dis_out, ref_in, dis_in, w_out, 3, f); break;
    }
}

void tvmaf_vif_dsp_init(TvmafVifDSPContext *const c, const unsigned cpu_flags)
{
    c->vfilt_mom[0] = vif_vfilt_mom_8_c;
    c->vfilt_mom[1] = vif_vfilt_mom_16_c;
    c->hfilt_mom = vif_hfilt_mom_c;
    c->stat = vif_stat_c;
    c->vfilt_sub[0] = vif_vfilt_sub_8_c;
    c->vfilt_sub[1] = vif_vfilt_sub_16_c;
    c->hfilt_dec = vif_hfilt_dec_c;
#if TVMAF_ENABLE_SIMD
    vif_dsp_init_x86(c, cpu_flags);
#else
    (void)cpu_flags;
#endif
}

/* ------------------------------------------------------------------------ */
/* Driver */

struct TvmafVif {
    TvmafVifDSPContext dsp;
    int w[TVMAF_VIF_SCALES], h[TVMAF_VIF_SCALES];
    int bpc;
    double enhn_gain_limit;
    uint16_t *img[TVMAF_VIF_SCALES][2]; /* scales 1..3, ref and dis, stride w[s] */
    TvmafVifMomRow mom[2]; /* two output rows per vertical call */
    TvmafVifFiltRow filt;
    uint16_t *sub[2]; /* vertical down-sampling rows, padded */
    void *mem;
};

/* A view of one scale's pair of images. */
typedef struct ScaleImg {
    const uint8_t *ref, *dis;
    ptrdiff_t ref_stride, dis_stride; /* bytes */
    int pix16;
} ScaleImg;

static inline int reflect101(const int i, const int n)
{
    return i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
}

/* The n source rows from centre - fw/2 on (n = fw + output rows - 1). */
static void row_ptrs(const void **const ref_rows, const void **const dis_rows,
                     const ScaleImg *const im, const int centre, const int fw, const int n,
                     const int h)
{
    const int r = fw / 2;
    for (int k = 0; k < n; k++) {
        const int y = reflect101(centre - r + k, h);
        ref_rows[k] = im->ref + y * im->ref_stride;
        dis_rows[k] = im->dis + y * im->dis_stride;
    }
}

#define MIRROR_ROW(p, w, r)                                                               \
    do {                                                                                  \
        for (int k_ = 1; k_ <= (r); k_++) {                                               \
            (p)[-k_] = (p)[k_];                                                           \
            (p)[(w)-1 + k_] = (p)[(w)-1 - k_];                                            \
        }                                                                                 \
    } while (0)

static void scale_score(TvmafVif *const v, const ScaleImg *const im, const int scale,
                        double *const score)
{
    const int w = v->w[scale], h = v->h[scale], fw = tvmaf_vif_filter_width[scale];
    const int r = fw / 2;
    int sh_mu = 16, sh_sq = 16;
    if (scale == 0) {
        sh_mu = v->bpc;
        sh_sq = 2 * (v->bpc - 8);
    }
    const tvmaf_vif_vfilt_mom_fn vfilt = v->dsp.vfilt_mom[im->pix16];
    TvmafVifAccum acc = { 0, 0, 0, 0 };
    const void *rr[TVMAF_VIF_FILTER_MAX + 1], *dr[TVMAF_VIF_FILTER_MAX + 1];

    for (int i = 0; i < h; i += 2) {
        const int nrows = h - i < 2 ? 1 : 2;
        row_ptrs(rr, dr, im, i, fw, fw + nrows - 1, h);
        vfilt(v->mom, rr, dr, w, nrows, scale, sh_mu, sh_sq);
        for (int n = 0; n < nrows; n++) {
            const TvmafVifMomRow *const mom = &v->mom[n];
            MIRROR_ROW(mom->mu1, w, r);
            MIRROR_ROW(mom->mu2, w, r);
            MIRROR_ROW(mom->xx, w, r);
            MIRROR_ROW(mom->yy, w, r);
            MIRROR_ROW(mom->xy, w, r);
            v->dsp.hfilt_mom(&v->filt, mom, w, scale);
            v->dsp.stat(&acc, &v->filt, w, v->enhn_gain_limit);
        }
    }

    /* Stored as float32 and divided in float32, as libvmaf does. */
    const float num = (float)((double)acc.num_log / 2048.0 +
                              ((double)acc.den_non_log -
                               ((double)acc.num_non_log / 16384.0) / 65025.0));
    const float den = (float)((double)acc.den_log / 2048.0 + (double)acc.den_non_log);
    const float q = num / den;
    *score = (double)q;
}

/* Builds scale s+1 from scale s (algorithms.md 2.4). */
static void downsample(TvmafVif *const v, const ScaleImg *const im, const int scale)
{
    const int next = scale + 1;
    const int w = v->w[scale], h = v->h[scale];
    const int wn = v->w[next], hn = v->h[next];
    const int fw = tvmaf_vif_filter_width[next], r = fw / 2;
    const int sh = scale == 0 ? v->bpc : 16;
    const tvmaf_vif_vfilt_sub_fn vfilt = v->dsp.vfilt_sub[im->pix16];
    uint16_t *const tr = v->sub[0], *const td = v->sub[1];
    const void *rr[TVMAF_VIF_FILTER_MAX], *dr[TVMAF_VIF_FILTER_MAX];

    for (int i = 0; i < hn; i++) {
        row_ptrs(rr, dr, im, 2 * i, fw, fw, h);
        vfilt(tr, td, rr, dr, w, next, sh);
        MIRROR_ROW(tr, w, r);
        MIRROR_ROW(td, w, r);
        v->dsp.hfilt_dec(v->img[next][0] + (size_t)i * (size_t)wn, v->img[next][1] + (size_t)i * (size_t)wn,
                         tr, td, wn, next);
    }
}

/* a * b, or SIZE_MAX when it would overflow. */
static size_t mul_sz(const size_t a, const size_t b)
{
    return (b && a > SIZE_MAX / b) ? SIZE_MAX : a * b;
}

static size_t add_sz(const size_t a, const size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

#define ALIGN_BYTES 64
#define ALIGN_UP(n) (((n) + (ALIGN_BYTES - 1)) & ~(size_t)(ALIGN_BYTES - 1))

/* Reserves n bytes (aligned) in a layout being sized (base == NULL) or carved. */
static void *carve(uint8_t *const base, size_t *const off, const size_t n)
{
    void *const p = base ? base + *off : NULL;
    *off = add_sz(*off, ALIGN_UP(n));
    return p;
}

static size_t layout(TvmafVif *const v, uint8_t *const base)
{
    /* Row buffers and images end with TVMAF_VIF_SLACK spare elements (vif.h). */
    const size_t wpad = (size_t)v->w[0] + 2 * TVMAF_VIF_PAD + TVMAF_VIF_SLACK;
    const size_t wfilt = (size_t)v->w[0] + TVMAF_VIF_SLACK;
    size_t off = 0;

    for (int s = 1; s < TVMAF_VIF_SCALES; s++) {
        const size_t n = mul_sz(add_sz(mul_sz((size_t)v->w[s], (size_t)v->h[s]), TVMAF_VIF_SLACK),
                                sizeof(uint16_t));
        v->img[s][0] = carve(base, &off, n);
        v->img[s][1] = carve(base, &off, n);
    }
    /* Row buffers: the moment and down-sampling rows start TVMAF_VIF_PAD in. */
    for (int n = 0; n < 2; n++) {
        uint16_t *const m1 = carve(base, &off, wpad * sizeof(uint16_t));
        uint16_t *const m2 = carve(base, &off, wpad * sizeof(uint16_t));
        uint32_t *const xx = carve(base, &off, wpad * sizeof(uint32_t));
        uint32_t *const yy = carve(base, &off, wpad * sizeof(uint32_t));
        uint32_t *const xy = carve(base, &off, wpad * sizeof(uint32_t));
        if (base)
            v->mom[n] = (TvmafVifMomRow){ m1 + TVMAF_VIF_PAD, m2 + TVMAF_VIF_PAD, xx + TVMAF_VIF_PAD,
                                          yy + TVMAF_VIF_PAD, xy + TVMAF_VIF_PAD };
    }
    uint16_t *const s0 = carve(base, &off, wpad * sizeof(uint16_t));
    uint16_t *const s1 = carve(base, &off, wpad * sizeof(uint16_t));
    uint32_t *const f[5] = {
        carve(base, &off, wfilt * sizeof(uint32_t)),
        carve(base, &off, wfilt * sizeof(uint32_t)),
        carve(base, &off, wfilt * sizeof(uint32_t)),
        carve(base, &off, wfilt * sizeof(uint32_t)),
        carve(base, &off, wfilt * sizeof(uint32_t)),
    };
    if (base) {
        v->sub[0] = s0 + TVMAF_VIF_PAD;
        v->sub[1] = s1 + TVMAF_VIF_PAD;
        v->filt = (TvmafVifFiltRow){ f[0], f[1], f[2], f[3], f[4] };
    }
    return off;
}

static void set_scales(TvmafVif *const v, const int w, const int h)
{
    v->w[0] = w;
    v->h[0] = h;
    for (int s = 1; s < TVMAF_VIF_SCALES; s++) {
        v->w[s] = v->w[s - 1] / 2;
        v->h[s] = v->h[s - 1] / 2;
    }
}

size_t tvmaf_vif_scratch_size(const int w, const int h)
{
    TvmafVif v = { 0 };
    set_scales(&v, w, h);
    return add_sz(add_sz(layout(&v, NULL), ALIGN_BYTES), sizeof(v));
}

int tvmaf_vif_init(TvmafVif **const out, const int w, const int h, const int bpc,
                   const TvmafVifOptions *const opt, const unsigned cpu_flags)
{
    if (!out)
        return -EINVAL;
    *out = NULL;
    /* The upper bound keeps every int index and size product far from overflow. */
    if (w < 16 || h < 16 || w > (1 << 16) || h > (1 << 16))
        return -EINVAL;
    if (bpc != 8 && bpc != 10 && bpc != 12 && bpc != 16)
        return -EINVAL;
    const double egl = opt ? opt->enhn_gain_limit : DEFAULT_ENHN_GAIN_LIMIT;
    if (!(egl >= 1.0 && egl <= DEFAULT_ENHN_GAIN_LIMIT))
        return -EINVAL;

    TvmafVif *const v = calloc(1, sizeof(*v));
    if (!v)
        return -ENOMEM;
    v->bpc = bpc;
    v->enhn_gain_limit = egl;
    set_scales(v, w, h);
    tvmaf_vif_dsp_init(&v->dsp, cpu_flags);

    const size_t size = add_sz(layout(v, NULL), ALIGN_BYTES);
    if (size == SIZE_MAX) {
        free(v);
        return -ENOMEM;
    }
    /* Zeroed: the SIMD statistic reads whole vectors past the last column
     * of the scratch rows; those lanes are discarded, but must be defined
     * (their values index the log2 table, so valgrind would flag them). */
    v->mem = calloc(1, size);
    if (!v->mem) {
        free(v);
        return -ENOMEM;
    }
    uint8_t *const base =
        (uint8_t *)v->mem + ((ALIGN_BYTES - (uintptr_t)v->mem % ALIGN_BYTES) % ALIGN_BYTES);
    /* calloc's zeroes also cover the slack past the row ends that SIMD lanes
     * read; no memset, so the pages are first touched by the worker that
     * scores, not all at once by the thread that sets up every worker. */
    layout(v, base);
    *out = v;
    return 0;
}

int tvmaf_vif_compute(TvmafVif *const v, const TvmafPlane *const ref, const TvmafPlane *const dis,
                      double score[TVMAF_VIF_SCALES])
{
    if (!v || !ref || !dis || !score || !ref->data || !dis->data)
        return -EINVAL;
    if (ref->w != v->w[0] || ref->h != v->h[0] || dis->w != v->w[0] || dis->h != v->h[0] ||
        ref->bpc != v->bpc || dis->bpc != v->bpc)
        return -EINVAL;

    ScaleImg im = { ref->data, dis->data, ref->stride, dis->stride, v->bpc > 8 };
    for (int s = 0; s < TVMAF_VIF_SCALES; s++) {
        if (s > 0) {
            downsample(v, &im, s - 1);
            im = (ScaleImg){ (const uint8_t *)v->img[s][0], (const uint8_t *)v->img[s][1],
                             (ptrdiff_t)v->w[s] * 2, (ptrdiff_t)v->w[s] * 2, 1 };
        }
        scale_score(v, &im, s, &score[s]);
    }
    return 0;
}

void tvmaf_vif_free(TvmafVif **const v)
{
    if (!v || !*v)
        return;
    free((*v)->mem);
    free(*v);
    *v = NULL;
}
