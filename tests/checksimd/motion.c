/*
 * checksimd: integer motion kernels (src/feature/motion.h) against C, bit for
 * bit, at 8, 10, 12 and 16 bits, widths from 3 up, with identical frames
 * (the all-zero row shortcut), extreme and random samples.
 */
#include <string.h>

#include "checksimd.h"
#include "feature/motion.h"

#define MAXW 2048
#define ROW (MAXW + TVMAF_MOTION_SLACK)

static const int widths[] = { 3, 4, 5, 7, 8, 9, 15, 16, 17, 18, 31, 32, 33, 34, 35,
                              63, 64, 65, 66, 67, 100, 257, 1000, 1921, MAXW };
#define N_WIDTHS ((int)(sizeof(widths) / sizeof(widths[0])))
static const int depths[] = { 8, 10, 12, 16 };

static void fill(void *const buf, const int pix16, const int n, const uint32_t maxv)
{
    const int mode = (int)(checksimd_rand() % 6);
    for (int i = 0; i < n; i++) {
        const uint32_t v = mode == 0 ? 0 : mode == 1 ? maxv
                         : mode == 2 ? ((checksimd_rand() & 1) ? maxv : 0)
                                     : checksimd_rand() % (maxv + 1);
        if (pix16)
            ((uint16_t *)buf)[i] = (uint16_t)v;
        else
            ((uint8_t *)buf)[i] = (uint8_t)v;
    }
}

static const void *rp[5], *rc[5];

static void fill_rows(const int bpc, const int w, const int same)
{
    const int pix16 = bpc > 8;
    for (int k = 0; k < 5; k++) {
        fill((void *)rp[k], pix16, w + 64, (1u << bpc) - 1);
        if (same)
            memcpy((void *)rc[k], rp[k], (size_t)(w + 64) << pix16);
        else
            fill((void *)rc[k], pix16, w + 64, (1u << bpc) - 1);
    }
}

void checksimd_check_motion(void)
{
    TvmafMotionDSPContext c;
    tvmaf_motion_dsp_init(&c, checksimd_cpu_flags());

    static int init;
    static int32_t *yc, *ya, *yin;
    static uint16_t *tc, *ta, *tin, *tin2;
    if (!init) {
        for (int k = 0; k < 5; k++) {
            rp[k] = checksimd_alloc(MAXW * 2 + 64);
            rc[k] = checksimd_alloc(MAXW * 2 + 64);
        }
        yc = checksimd_alloc(ROW * 4);
        ya = checksimd_alloc(ROW * 4);
        yin = checksimd_alloc(ROW * 4);
        tc = checksimd_alloc(ROW * 2);
        ta = checksimd_alloc(ROW * 2);
        tin = checksimd_alloc(ROW * 2);
        tin2 = checksimd_alloc(ROW * 2);
        init = 1;
    }

    {
        declare_func(int32_t, const void *const p[5], const void *const cur[5], int32_t *y, int w,
                     int bpc);
        for (int d = 0; d < 4; d++) {
            const int bpc = depths[d];
            if (check_func(c.fused_vert, "motion_fused_vert_%dbpc", bpc)) {
                for (int i = 0; i < N_WIDTHS; i++) {
                    const int w = widths[i];
                    fill_rows(bpc, w, i % 5 == 0);
                    checksimd_poison(yc, ROW * 4);
                    checksimd_poison(ya, ROW * 4);
                    const int32_t or_c = call_ref(rp, rc, yc, w, bpc);
                    const int32_t or_a = call_new(rp, rc, ya, w, bpc);
                    if (checksimd_check_buf("y", yc, ya, w, 4) ||
                        checksimd_check_buf("returned OR", &or_c, &or_a, 1, 4)) {
                        checksimd_fail("w %d", w);
                        break;
                    }
                }
                bench_new_px(1920, rp, rc, ya, 1920, bpc);
            }
            report("fused_vert_%dbpc", bpc);
        }
    }

    {
        declare_func(uint32_t, const int32_t *y, int w);
        if (check_func(c.fused_horiz_sad, "motion_fused_horiz_sad")) {
            for (int i = 0; i < N_WIDTHS * 2; i++) {
                const int w = widths[i % N_WIDTHS];
                /* |y| < 2^bpc; garbage past w. */
                const int32_t lim = (int32_t)((1u << depths[i % 4]) - 1);
                const int mode = (int)(checksimd_rand() % 4);
                for (int j = 0; j < ROW; j++)
                    yin[j] = mode == 0 ? lim : mode == 1 ? -lim
                                                         : (int32_t)checksimd_rand_range(-lim, lim);
                const uint32_t sc = call_ref(yin, w);
                const uint32_t sa = call_new(yin, w);
                if (checksimd_check_buf("sad", &sc, &sa, 1, 4)) {
                    checksimd_fail("w %d, |y| <= %d", w, lim);
                    break;
                }
            }
            bench_new_px(1920, yin, 1920);
        }
        report("fused_horiz_sad");
    }

    {
        declare_func(void, const void *const x[5], uint16_t *t, int w, int bpc);
        for (int d = 0; d < 4; d++) {
            const int bpc = depths[d];
            if (check_func(c.blur_vert, "motion_blur_vert_%dbpc", bpc)) {
                for (int i = 0; i < N_WIDTHS; i++) {
                    const int w = widths[i];
                    fill_rows(bpc, w, 0);
                    checksimd_poison(tc, ROW * 2);
                    checksimd_poison(ta, ROW * 2);
                    call_ref(rp, tc, w, bpc);
                    call_new(rp, ta, w, bpc);
                    if (checksimd_check_buf("t", tc, ta, w, 2)) {
                        checksimd_fail("w %d", w);
                        break;
                    }
                }
                bench_new_px(1920, rp, ta, 1920, bpc);
            }
            report("blur_vert_%dbpc", bpc);
        }
    }

    {
        declare_func(void, const uint16_t *t, uint16_t *b, int w);
        if (check_func(c.blur_horiz, "motion_blur_horiz")) {
            for (int i = 0; i < N_WIDTHS; i++) {
                const int w = widths[i];
                fill(tin, 1, ROW, 65535);
                checksimd_poison(tc, ROW * 2);
                checksimd_poison(ta, ROW * 2);
                call_ref(tin, tc, w);
                call_new(tin, ta, w);
                if (checksimd_check_buf("b", tc, ta, w, 2)) {
                    checksimd_fail("w %d", w);
                    break;
                }
            }
            bench_new_px(1920, tin, ta, 1920);
        }
        report("blur_horiz");
    }

    {
        declare_func(uint32_t, const uint16_t *a, const uint16_t *b, int w);
        if (check_func(c.sad_row, "motion_sad_row")) {
            for (int i = 0; i < N_WIDTHS; i++) {
                const int w = widths[i];
                fill(tin, 1, ROW, 65535);
                fill(tin2, 1, ROW, 65535);
                const uint32_t sc = call_ref(tin, tin2, w);
                const uint32_t sa = call_new(tin, tin2, w);
                if (checksimd_check_buf("sad", &sc, &sa, 1, 4)) {
                    checksimd_fail("w %d", w);
                    break;
                }
            }
            bench_new_px(1920, tin, tin2, 1920);
        }
        report("sad_row");
    }
}
