/*
 * checksimd: CAMBI kernels (src/feature/cambi.h) against C, bit for bit:
 * rows of 10-bit levels with long runs (flat areas, equal neighbours) and
 * noise, widths from 1 up, in-place decimation, histogram slides with every
 * window size libvmaf can use and the edge columns past the picture, and
 * contrast values for each max_log_contrast.
 */
#include <string.h>

#include "checksimd.h"
#include "feature/cambi.h"

#define MAXW 2048
#define ROW (2 * MAXW + TVMAF_CAMBI_SLACK)
#define LEVELS 256 /* histogram rows in the tests */

static const int widths[] = { 1, 2, 3, 7, 8, 9, 15, 16, 17, 18, 31, 32, 33, 47, 63, 64, 65,
                              100, 257, 960, 1000, 1921, MAXW };
#define N_WIDTHS ((int)(sizeof(widths) / sizeof(widths[0])))

/* 10-bit levels around `base`: runs of equal values (length up to 40) with
 * small steps, or noise, so equality tests and mode filters see both. */
static void fill_levels(uint16_t *const p, const int n, const int base, const int spread)
{
    const int mode = (int)(checksimd_rand() % 3);
    int v = base;
    for (int i = 0; i < n;) {
        const int run = mode == 2 ? 1 : 1 + (int)(checksimd_rand() % 40);
        for (int k = 0; k < run && i < n; k++, i++)
            p[i] = (uint16_t)(mode == 1 && (checksimd_rand() & 7) == 0
                                  ? base + (int)checksimd_rand_range(0, spread)
                                  : v);
        v = base + (int)checksimd_rand_range(0, spread);
    }
}

static void fill_mask(uint16_t *const m, const int n)
{
    const int dense = (int)(checksimd_rand() % 4);
    for (int i = 0; i < n; i++)
        m[i] = dense == 0 ? 1 : (uint16_t)((checksimd_rand() % 4) < (unsigned)dense);
}

static void params(TvmafCambiParams *const p, const int log_contrast, float *const recip)
{
    static const int weight[TVMAF_CAMBI_MAX_DIFFS] = {
        1, 2, 3, 4, 4, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7, 8, 8, 8, 8, 8, 8, 8, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
    };
    memset(p, 0, sizeof(*p));
    p->num_diffs = 1 << log_contrast;
    /* Thresholds rising with the step, as the luminance model gives them;
     * the band holds every level the tests use. */
    p->band_base = (uint16_t)checksimd_rand_range(0, 40);
    for (int d = 0; d < p->num_diffs; d++)
        p->tvi[d] = (uint16_t)(p->band_base + 120 + 3 * d + p->num_diffs);
    p->band_size = (uint16_t)(p->tvi[p->num_diffs - 1] + 1 - p->band_base);
    p->vlt_luma = (uint16_t)checksimd_rand_range(0, p->band_base + 60);
    for (int d = 0; d < p->num_diffs; d++)
        p->weight[d] = weight[d];
    for (int k = 1; k < TVMAF_CAMBI_RECIP_SIZE; k++)
        recip[k] = 1.0f / (float)k;
    recip[0] = 0.0f;
    p->recip = recip;
}

void checksimd_check_cambi(void)
{
    TvmafCambiDSPContext c;
    tvmaf_cambi_dsp_init(&c, checksimd_cpu_flags());

    static int init;
    static uint16_t *a, *b, *d, *oc, *oa, *mk, *hc, *ha, *sub, *subm;
    static float *fc, *fa, *recip;
    if (!init) {
        a = checksimd_alloc(ROW * 2);
        b = checksimd_alloc(ROW * 2);
        d = checksimd_alloc(ROW * 2);
        oc = checksimd_alloc(ROW * 2);
        oa = checksimd_alloc(ROW * 2);
        mk = checksimd_alloc(ROW * 2);
        sub = checksimd_alloc(ROW * 2);
        subm = checksimd_alloc(ROW * 2);
        hc = checksimd_alloc(((size_t)LEVELS * MAXW + TVMAF_CAMBI_SLACK) * 2);
        ha = checksimd_alloc(((size_t)LEVELS * MAXW + TVMAF_CAMBI_SLACK) * 2);
        fc = checksimd_alloc(ROW * 4);
        fa = checksimd_alloc(ROW * 4);
        recip = checksimd_alloc(TVMAF_CAMBI_RECIP_SIZE * 4);
        init = 1;
    }

    {
        declare_func(void, const uint16_t *cur, const uint16_t *next, uint16_t *out, int w);
        if (check_func(c.derivative_row, "cambi_derivative_row")) {
            for (int i = 0; i < N_WIDTHS * 2; i++) {
                const int w = widths[i % N_WIDTHS];
                fill_levels(a, w + 32, 500, 3);
                fill_levels(b, w + 32, 500, 3);
                const uint16_t *const next = i >= N_WIDTHS ? NULL : b;
                checksimd_poison(oc, ROW * 2);
                checksimd_poison(oa, ROW * 2);
                call_ref(a, next, oc, w);
                call_new(a, next, oa, w);
                if (checksimd_check_buf("out", oc, oa, w, 2)) {
                    checksimd_fail("w %d, %s", w, next ? "inner row" : "last row");
                    break;
                }
            }
            bench_new_px(1920, a, b, oa, 1920);
        }
        report("derivative_row");
    }

    {
        declare_func(void, const uint16_t *colsum, uint16_t *out, int w, unsigned threshold);
        if (check_func(c.mask_row, "cambi_mask_row")) {
            for (int i = 0; i < N_WIDTHS * 2; i++) {
                const int w = widths[i % N_WIDTHS];
                for (int j = 0; j < w + 6 + 32; j++)
                    a[j] = (uint16_t)(j < 3 || j >= w + 3 ? 0 : checksimd_rand_range(0, 7));
                const unsigned t = (unsigned)checksimd_rand_range(0, 60);
                checksimd_poison(oc, ROW * 2);
                checksimd_poison(oa, ROW * 2);
                call_ref(a, oc, w, t);
                call_new(a, oa, w, t);
                if (checksimd_check_buf("out", oc, oa, w, 2)) {
                    checksimd_fail("w %d, threshold %u", w, t);
                    break;
                }
            }
            bench_new_px(1920, a, oa, 1920, 20);
        }
        report("mask_row");
    }

    {
        declare_func(void, const uint16_t *src, uint16_t *dst, int w);
        if (check_func(c.decimate_row, "cambi_decimate_row")) {
            for (int i = 0; i < N_WIDTHS * 2; i++) {
                const int w = widths[i % N_WIDTHS];
                fill_levels(a, 2 * w + 32, 0, 1023);
                const int in_place = i >= N_WIDTHS;
                memcpy(oc, a, (size_t)(2 * w + 32) * 2);
                memcpy(oa, a, (size_t)(2 * w + 32) * 2);
                if (in_place) {
                    call_ref(oc, oc, w);
                    call_new(oa, oa, w);
                } else {
                    checksimd_poison(oc, ROW * 2);
                    checksimd_poison(oa, ROW * 2);
                    call_ref(a, oc, w);
                    call_new(a, oa, w);
                }
                /* In place, the whole source row must come out the same. */
                if (checksimd_check_buf("dst", oc, oa, in_place ? 2 * w : w, 2)) {
                    checksimd_fail("w %d%s", w, in_place ? ", in place" : "");
                    break;
                }
            }
            bench_new_px(960, a, oa, 960);
        }
        report("decimate_row");
    }

    {
        declare_func(void, const uint16_t *src, uint16_t *dst, int w);
        if (check_func(c.mode_h_row, "cambi_mode_h_row")) {
            for (int i = 0; i < N_WIDTHS; i++) {
                const int w = widths[i];
                fill_levels(a, w + 32, 300, 3);
                checksimd_poison(oc, ROW * 2);
                checksimd_poison(oa, ROW * 2);
                call_ref(a, oc, w);
                call_new(a, oa, w);
                if (checksimd_check_buf("dst", oc, oa, w, 2)) {
                    checksimd_fail("w %d", w);
                    break;
                }
            }
            bench_new_px(1920, a, oa, 1920);
        }
        report("mode_h_row");
    }

    {
        declare_func(void, const uint16_t *r0, const uint16_t *r1, const uint16_t *r2,
                     uint16_t *dst, int w);
        if (check_func(c.mode_v_row, "cambi_mode_v_row")) {
            for (int i = 0; i < N_WIDTHS; i++) {
                const int w = widths[i];
                fill_levels(a, w + 32, 300, 2);
                fill_levels(b, w + 32, 300, 2);
                fill_levels(d, w + 32, 300, 2);
                checksimd_poison(oc, ROW * 2);
                checksimd_poison(oa, ROW * 2);
                call_ref(a, b, d, oc, w);
                call_new(a, b, d, oa, w);
                if (checksimd_check_buf("dst", oc, oa, w, 2)) {
                    checksimd_fail("w %d", w);
                    break;
                }
            }
            bench_new_px(1920, a, b, d, oa, 1920);
        }
        report("mode_v_row");
    }

    {
        declare_func(void, uint16_t *hist, int w, const uint16_t *sub_img,
                     const uint16_t *sub_mask, const uint16_t *add_img, const uint16_t *add_mask,
                     int ncols, int pad, const TvmafCambiParams *par);
        if (check_func(c.hist_update, "cambi_hist_update")) {
            TvmafCambiParams par;
            for (int i = 0; i < N_WIDTHS * 3; i++) {
                const int w = widths[i % N_WIDTHS];
                params(&par, (int)checksimd_rand_range(0, 5), recip);
                const int pad = (int)checksimd_rand_range(0, 32);
                /* libvmaf's loops also visit columns w..pad-1 of a narrow picture. */
                const int ncols = w > pad ? w : pad;
                const size_t nh = (size_t)par.band_size * w + TVMAF_CAMBI_SLACK;
                for (size_t k = 0; k < nh; k++)
                    hc[k] = ha[k] = (uint16_t)checksimd_rand_range(0, 200);
                fill_levels(a, ncols + 32, par.band_base, 3 * par.band_size / 2);
                fill_levels(sub, ncols + 32, par.band_base, 3 * par.band_size / 2);
                fill_mask(mk, ncols + 32);
                fill_mask(subm, ncols + 32);
                /* Some equal levels in both rows: the slide then skips the pair. */
                for (int k = 0; k < ncols; k += 3)
                    sub[k] = a[k];
                const int which = i % 3; /* 0: slide, 1: add only, 2: subtract only */
                const uint16_t *si = which == 1 ? NULL : sub, *sm = which == 1 ? NULL : subm;
                const uint16_t *ai = which == 2 ? NULL : a, *am = which == 2 ? NULL : mk;
                call_ref(hc, w, si, sm, ai, am, ncols, pad, &par);
                call_new(ha, w, si, sm, ai, am, ncols, pad, &par);
                if (checksimd_check_buf("hist", hc, ha, nh, 2)) {
                    checksimd_fail("w %d, pad %d, levels %d, mode %d", w, pad, par.band_size,
                                   which);
                    break;
                }
            }
            params(&par, 2, recip);
            fill_levels(a, 1920 + 32, par.band_base, par.band_size);
            fill_levels(sub, 1920 + 32, par.band_base, par.band_size);
            bench_new_px(1920, ha, 1920, sub, subm, a, mk, 1920, 16, &par);
        }
        report("hist_update");
    }

    {
        declare_func(void, float *out, const uint16_t *hist, int w, const uint16_t *img,
                     const uint16_t *mask, const TvmafCambiParams *par);
        if (check_func(c.c_values_row, "cambi_c_values_row")) {
            TvmafCambiParams par;
            for (int i = 0; i < N_WIDTHS * 3; i++) {
                const int w = widths[i % N_WIDTHS];
                params(&par, i % 6, recip);
                /* Window counts as a sliding histogram holds them: a window
                 * of up to 65 x 65 pixels, p0 + p1 < 4226. */
                const size_t nh = (size_t)par.band_size * w + TVMAF_CAMBI_SLACK;
                const int maxc = (int)checksimd_rand_range(1, 2100);
                for (size_t k = 0; k < nh; k++)
                    ha[k] = (uint16_t)((checksimd_rand() & 3) ? checksimd_rand_range(0, maxc) : 0);
                fill_levels(a, w + 32, par.band_base > 8 ? par.band_base - 8 : 0,
                            par.band_size + 16);
                fill_mask(mk, w + 32);
                checksimd_poison(fc, ROW * 4);
                checksimd_poison(fa, ROW * 4);
                call_ref(fc, ha, w, a, mk, &par);
                call_new(fa, ha, w, a, mk, &par);
                if (checksimd_check_buf("c", fc, fa, w, 4)) {
                    checksimd_fail("w %d, diffs %d", w, par.num_diffs);
                    break;
                }
            }
            params(&par, 2, recip);
            bench_new_px(1920, fa, ha, 1920, a, mk, &par);
        }
        report("c_values_row");
    }

    {
        declare_func(int, const float *v, int n, double *sum);
        if (check_func(c.pool_sum, "cambi_pool_sum")) {
            static const int sizes[] = { 1, 7, 8, 9, 15, 16, 17, 100, 1000, 4097 };
            for (int i = 0; i < 40; i++) {
                const int n = sizes[i % 10];
                const int kind = i / 10; /* 0 zeros, 1 contrast values, 2 mixed, 3 one odd */
                for (int k = 0; k < n + 16; k++) {
                    const float x = (float)checksimd_rand_range(1, 9 * 2000) *
                                    (1.0f / (float)checksimd_rand_range(2, 4225));
                    fa[k] = kind == 0 ? 0.0f : kind == 1 ? x + 0.5f
                                       : (checksimd_rand() & 1) ? 0.0f : x + 0.5f;
                }
                if (kind == 3)
                    fa[checksimd_rand() % (unsigned)n] = (checksimd_rand() & 1) ? 0.25f : -1.0f;
                double sc = -1, sa = -1;
                const int rc = call_ref(fa, n, &sc);
                const int ra = call_new(fa, n, &sa);
                if (rc != ra || (rc >= 0 && sc != sa)) {
                    checksimd_fail("n %d, kind %d: %d %.17g vs %d %.17g", n, kind, rc, sc, ra, sa);
                    break;
                }
            }
            double bsum;
            bench_new_px(4096, fa, 4096, &bsum);
        }
        report("pool_sum");
    }
}
