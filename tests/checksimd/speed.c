/*
 * checksimd: SpEED chroma kernels (src/feature/speed.h) against C, bit for
 * bit (both are float/double sums in a fixed order): the vertical Gaussian
 * pass for every kernel length libvmaf's kernel scales give, widths from 1
 * up, and the covariance sums over rows of random centred samples.
 */
#include <string.h>

#include "checksimd.h"
#include "feature/speed.h"

#define MAXW 2000
#define ROW (MAXW + TVMAF_SPEED_SLACK)
#define NTAPS 35

static const int widths[] = { 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 60, 61, 100, 383, 960,
                              1999, MAXW };
#define N_WIDTHS ((int)(sizeof(widths) / sizeof(widths[0])))
static const int taps[] = { 3, 5, 9, 11, 13, 15, 19, 23, 27, 35 };

static float frand(const float lo, const float hi)
{
    return lo + (hi - lo) * (float)(checksimd_rand() & 0xffffff) / (float)0xffffff;
}

void checksimd_check_speed(void)
{
    TvmafSpeedDSPContext c;
    tvmaf_speed_dsp_init(&c, checksimd_cpu_flags());

    static int init;
    static float *rows[NTAPS], *dc, *da, *f;
    static double *cen, *acc_c, *acc_a;
    if (!init) {
        for (int k = 0; k < NTAPS; k++)
            rows[k] = checksimd_alloc(ROW * sizeof(float));
        dc = checksimd_alloc(ROW * sizeof(float));
        da = checksimd_alloc(ROW * sizeof(float));
        f = checksimd_alloc(NTAPS * sizeof(float));
        cen = checksimd_alloc((size_t)MAXW * TVMAF_SPEED_PITCH * sizeof(double));
        acc_c = checksimd_alloc(TVMAF_SPEED_DIM * TVMAF_SPEED_PITCH * sizeof(double));
        acc_a = checksimd_alloc(TVMAF_SPEED_DIM * TVMAF_SPEED_PITCH * sizeof(double));
        init = 1;
    }

    {
        declare_func(void, float *dst, const float *const *r, const float *f, int n, int w);
        if (check_func(c.filter_vert, "speed_filter_vert")) {
            for (int t = 0; t < (int)(sizeof(taps) / sizeof(taps[0])); t++) {
                const int n = taps[t];
                float sum = 0;
                for (int k = 0; k < n; k++)
                    sum += f[k] = frand(0.001f, 1.0f);
                for (int k = 0; k < n; k++)
                    f[k] /= sum;
                for (int i = 0; i < N_WIDTHS; i++) {
                    const int w = widths[i];
                    /* samples as speed.c makes them: 8-bit or 16-bit scaled, minus 128 */
                    const int hbd = (int)(checksimd_rand() & 1);
                    for (int k = 0; k < n; k++)
                        for (int j = 0; j < ROW; j++)
                            rows[k][j] = hbd ? (float)(checksimd_rand() & 0xffff) / 256.0f - 128
                                             : (float)(checksimd_rand() & 0xff) - 128;
                    checksimd_poison(dc, ROW * sizeof(float));
                    checksimd_poison(da, ROW * sizeof(float));
                    call_ref(dc, (const float *const *)rows, f, n, w);
                    call_new(da, (const float *const *)rows, f, n, w);
                    if (checksimd_check_buf("dst", dc, da, w, sizeof(float))) {
                        checksimd_fail("taps %d, w %d", n, w);
                        break;
                    }
                }
            }
            bench_new(da, (const float *const *)rows, f, 9, 960);
        }
        report("filter_vert");
    }

    {
        declare_func(void, double *acc, const double *cen, int n);
        if (check_func(c.cov_row, "speed_cov_row")) {
            for (int i = 0; i < N_WIDTHS; i++) {
                const int n = widths[i];
                for (int j = 0; j < n; j++)
                    for (int o = 0; o < TVMAF_SPEED_PITCH; o++)
                        cen[(size_t)j * TVMAF_SPEED_PITCH + o] =
                            o < TVMAF_SPEED_DIM ? (double)frand(-150.0f, 150.0f) - 0.37 : 0.0;
                for (int k = 0; k < TVMAF_SPEED_DIM * TVMAF_SPEED_PITCH; k++)
                    acc_c[k] = acc_a[k] = (double)frand(0, 1e6f);
                call_ref(acc_c, cen, n);
                call_new(acc_a, cen, n);
                int bad = 0;
                for (int x = 0; x < TVMAF_SPEED_DIM && !bad; x++)
                    bad = checksimd_check_buf("acc", acc_c + x * TVMAF_SPEED_PITCH,
                                              acc_a + x * TVMAF_SPEED_PITCH, (size_t)x + 1,
                                              sizeof(double));
                if (bad) {
                    checksimd_fail("n %d", n);
                    break;
                }
            }
            bench_new(acc_a, cen, 56);
        }
        report("cov_row");
    }
}
