/*
 * checksimd: integer VIF kernels (src/feature/vif.h) against C, bit for bit,
 * at every depth and scale, on odd and tiny widths, with flat, extreme and
 * random rows, and with garbage in the slack past each row.
 */
#include <string.h>

#include "checksimd.h"
#include "feature/vif.h"

#define MAXW 2048
#define ROW_ELEMS (TVMAF_VIF_PAD + MAXW + TVMAF_VIF_PAD + TVMAF_VIF_SLACK)

static const int widths[] = { 1, 2, 3, 7, 8, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65,
                              97, 255, 256, 257, 258, 511, 1000, 1921, MAXW };
#define N_WIDTHS ((int)(sizeof(widths) / sizeof(widths[0])))

/* Mostly uniform; sometimes flat at 0 or at the maximum, or a narrow band,
 * so sums reach their extremes. Fills past n too (the over-read region). */
static void fill_samples(void *const buf, const int pix16, const int n, const uint32_t maxv)
{
    const int mode = (int)(checksimd_rand() % 8);
    const uint32_t base = checksimd_rand() % (maxv + 1);
    for (int i = 0; i < n; i++) {
        uint32_t v;
        switch (mode) {
        case 0: v = 0; break;
        case 1: v = maxv; break;
        case 2: v = (base + checksimd_rand() % 4) % (maxv + 1); break;
        case 3: v = (checksimd_rand() & 1) ? maxv : 0; break;
        default: v = checksimd_rand() % (maxv + 1); break;
        }
        if (pix16)
            ((uint16_t *)buf)[i] = (uint16_t)v;
        else
            ((uint8_t *)buf)[i] = (uint8_t)v;
    }
}

static void fill_u32(uint32_t *const buf, const int n)
{
    const int mode = (int)(checksimd_rand() % 4);
    for (int i = 0; i < n; i++)
        buf[i] = mode == 0 ? 0xffffffffu : mode == 1 ? checksimd_rand() >> 12 : checksimd_rand();
}

static void alloc_mom(TvmafVifMomRow *const m)
{
    m->mu1 = (uint16_t *)checksimd_alloc(ROW_ELEMS * 2) + TVMAF_VIF_PAD;
    m->mu2 = (uint16_t *)checksimd_alloc(ROW_ELEMS * 2) + TVMAF_VIF_PAD;
    m->xx = (uint32_t *)checksimd_alloc(ROW_ELEMS * 4) + TVMAF_VIF_PAD;
    m->yy = (uint32_t *)checksimd_alloc(ROW_ELEMS * 4) + TVMAF_VIF_PAD;
    m->xy = (uint32_t *)checksimd_alloc(ROW_ELEMS * 4) + TVMAF_VIF_PAD;
}

static void poison_mom(const TvmafVifMomRow *const m)
{
    checksimd_poison(m->mu1 - TVMAF_VIF_PAD, ROW_ELEMS * 2);
    checksimd_poison(m->mu2 - TVMAF_VIF_PAD, ROW_ELEMS * 2);
    checksimd_poison(m->xx - TVMAF_VIF_PAD, ROW_ELEMS * 4);
    checksimd_poison(m->yy - TVMAF_VIF_PAD, ROW_ELEMS * 4);
    checksimd_poison(m->xy - TVMAF_VIF_PAD, ROW_ELEMS * 4);
}

static int cmp_mom(const TvmafVifMomRow *const a, const TvmafVifMomRow *const b, const int w)
{
    return checksimd_check_buf("mu1", a->mu1, b->mu1, w, 2) ||
           checksimd_check_buf("mu2", a->mu2, b->mu2, w, 2) ||
           checksimd_check_buf("xx", a->xx, b->xx, w, 4) ||
           checksimd_check_buf("yy", a->yy, b->yy, w, 4) ||
           checksimd_check_buf("xy", a->xy, b->xy, w, 4);
}

static int cmp_mom_rows(const TvmafVifMomRow *const a, const TvmafVifMomRow *const b, const int w,
                        const int nrows)
{
    for (int n = 0; n < nrows; n++)
        if (cmp_mom(&a[n], &b[n], w)) {
            checksimd_fail("output row %d of %d, w %d", n, nrows, w);
            return 1;
        }
    return 0;
}

static void alloc_filt(TvmafVifFiltRow *const f)
{
    uint32_t **const p[5] = { &f->mu1, &f->mu2, &f->xx, &f->yy, &f->xy };
    for (int i = 0; i < 5; i++)
        *p[i] = checksimd_alloc((MAXW + TVMAF_VIF_SLACK) * 4);
}

static void poison_filt(const TvmafVifFiltRow *const f)
{
    uint32_t *const p[5] = { f->mu1, f->mu2, f->xx, f->yy, f->xy };
    for (int i = 0; i < 5; i++)
        checksimd_poison(p[i], (MAXW + TVMAF_VIF_SLACK) * 4);
}

/* Source rows: fw of each, with the 64 bytes picture.h allows to over-read. */
static const void *src_ref[TVMAF_VIF_FILTER_MAX + 1], *src_dis[TVMAF_VIF_FILTER_MAX + 1];

static void fill_rows(const int fw, const int pix16, const int w, const uint32_t maxv)
{
    for (int k = 0; k < fw; k++) {
        fill_samples((void *)src_ref[k], pix16, w + 64, maxv);
        fill_samples((void *)src_dis[k], pix16, w + 64, maxv);
        /* Same content in both images now and then: sigma12 = sigma1^2 paths. */
        if (checksimd_rand() % 8 == 0)
            memcpy((void *)src_dis[k], src_ref[k], (size_t)(w + 64) << pix16);
    }
}

/* oc, oa: two output rows each. */
static void check_vfilt_mom(const TvmafVifDSPContext *const c, const TvmafVifMomRow *const oc,
                            const TvmafVifMomRow *const oa)
{
    declare_func(void, const TvmafVifMomRow *out, const void *const *ref, const void *const *dis,
                 int w, int nrows, int scale, int sh_mu, int sh_sq);

    if (check_func(c->vfilt_mom[0], "vif_vfilt_mom_8")) {
        for (int i = 0; i < 2 * N_WIDTHS; i++) {
            const int w = widths[i % N_WIDTHS], nrows = 1 + (i < N_WIDTHS);
            fill_rows(18, 0, w, 255);
            for (int n = 0; n < 2; n++) {
                poison_mom(&oc[n]);
                poison_mom(&oa[n]);
            }
            call_ref(oc, src_ref, src_dis, w, nrows, 0, 8, 0);
            call_new(oa, src_ref, src_dis, w, nrows, 0, 8, 0);
            if (cmp_mom_rows(oc, oa, w, nrows))
                break;
        }
        bench_new_px(2 * 1920, oa, src_ref, src_dis, 1920, 2, 0, 8, 0);
    }
    report("vfilt_mom_8");

    /* Scale 0 at 10, 12 and 16 bits; scales 1-3 hold Q8 values (any uint16). */
    for (int scale = 0; scale < TVMAF_VIF_SCALES; scale++) {
        if (check_func(c->vfilt_mom[1], "vif_vfilt_mom_16_s%d", scale)) {
            const int fw = tvmaf_vif_filter_width[scale];
            for (int i = 0; i < 2 * N_WIDTHS; i++) {
                const int w = widths[i % N_WIDTHS], nrows = 1 + (i < N_WIDTHS);
                const int bpc = scale ? 16 : (int[]){ 10, 12, 16 }[i % 3];
                const int sh_mu = scale ? 16 : bpc, sh_sq = scale ? 16 : 2 * (bpc - 8);
                fill_rows(fw + 1, 1, w, (1u << bpc) - 1);
                for (int n = 0; n < 2; n++) {
                    poison_mom(&oc[n]);
                    poison_mom(&oa[n]);
                }
                call_ref(oc, src_ref, src_dis, w, nrows, scale, sh_mu, sh_sq);
                call_new(oa, src_ref, src_dis, w, nrows, scale, sh_mu, sh_sq);
                if (cmp_mom_rows(oc, oa, w, nrows)) {
                    checksimd_fail("%d bpc", bpc);
                    break;
                }
            }
            if (scale)
                bench_new_px(2 * (1920 >> scale), oa, src_ref, src_dis, 1920 >> scale, 2, scale, 16, 16);
            else
                bench_new_px(2 * 1920, oa, src_ref, src_dis, 1920, 2, 0, 10, 4);
        }
        report("vfilt_mom_16_s%d", scale);
    }
}

static void check_hfilt_mom(const TvmafVifDSPContext *const c, const TvmafVifMomRow *const in,
                            const TvmafVifFiltRow *const oc, const TvmafVifFiltRow *const oa)
{
    declare_func(void, const TvmafVifFiltRow *out, const TvmafVifMomRow *in, int w, int scale);

    for (int scale = 0; scale < TVMAF_VIF_SCALES; scale++) {
        if (check_func(c->hfilt_mom, "vif_hfilt_mom_s%d", scale)) {
            for (int i = 0; i < N_WIDTHS; i++) {
                const int w = widths[i];
                fill_samples(in->mu1 - TVMAF_VIF_PAD, 1, ROW_ELEMS, 65535);
                fill_samples(in->mu2 - TVMAF_VIF_PAD, 1, ROW_ELEMS, 65535);
                fill_u32(in->xx - TVMAF_VIF_PAD, ROW_ELEMS);
                fill_u32(in->yy - TVMAF_VIF_PAD, ROW_ELEMS);
                fill_u32(in->xy - TVMAF_VIF_PAD, ROW_ELEMS);
                poison_filt(oc);
                poison_filt(oa);
                call_ref(oc, in, w, scale);
                call_new(oa, in, w, scale);
                if (checksimd_check_buf("mu1", oc->mu1, oa->mu1, w, 4) ||
                    checksimd_check_buf("mu2", oc->mu2, oa->mu2, w, 4) ||
                    checksimd_check_buf("xx", oc->xx, oa->xx, w, 4) ||
                    checksimd_check_buf("yy", oc->yy, oa->yy, w, 4) ||
                    checksimd_check_buf("xy", oc->xy, oa->xy, w, 4)) {
                    checksimd_fail("w %d", w);
                    break;
                }
            }
            bench_new_px(1920 >> scale, oa, in, 1920 >> scale, scale);
        }
        report("hfilt_mom_s%d", scale);
    }
}

/* Filtered moments whose sigmas land in every branch of the statistic. */
static void fill_stat_input(const TvmafVifFiltRow *const f, const int n)
{
    for (int j = 0; j < n; j++) {
        const uint32_t mu1 = checksimd_rand_range(0, 3) ? checksimd_rand() : 0;
        const uint32_t mu2 = checksimd_rand_range(0, 3) ? checksimd_rand() : mu1;
        const uint32_t m11 = (uint32_t)(((uint64_t)mu1 * mu1 + 0x80000000u) >> 32);
        const uint32_t m22 = (uint32_t)(((uint64_t)mu2 * mu2 + 0x80000000u) >> 32);
        const uint32_t m12 = (uint32_t)(((uint64_t)mu1 * mu2 + 0x80000000u) >> 32);
        int64_t s1, s2, s12;
        switch (checksimd_rand() % 6) {
        case 0: /* random everything, including wrapped sigmas */
            s1 = (int32_t)checksimd_rand();
            s2 = (int32_t)checksimd_rand();
            s12 = (int32_t)checksimd_rand();
            break;
        case 1: /* near the sigma_n^2 threshold */
            s1 = checksimd_rand_range(131072 - 4, 131072 + 4);
            s2 = checksimd_rand_range(-4, 1 << 20);
            s12 = checksimd_rand_range(-4, 1 << 20);
            break;
        case 2: /* large: g clamped by the gain limit, n2 near 2^45 */
            s1 = checksimd_rand_range(131072, 1 << 18);
            s2 = checksimd_rand_range(1, INT32_MAX);
            s12 = checksimd_rand_range(1, INT32_MAX);
            break;
        default: /* natural: sigma12^2 <= sigma1^2 * sigma2^2 */
            s1 = checksimd_rand_range(0, 1 << 28);
            s2 = checksimd_rand_range(0, 1 << 28);
            s12 = checksimd_rand_range(-(1 << 24), 1 << 27);
            break;
        }
        f->mu1[j] = mu1;
        f->mu2[j] = mu2;
        f->xx[j] = m11 + (uint32_t)s1;
        f->yy[j] = m22 + (uint32_t)s2;
        f->xy[j] = m12 + (uint32_t)s12;
    }
}

static void check_stat(const TvmafVifDSPContext *const c, const TvmafVifFiltRow *const in)
{
    declare_func(void, TvmafVifAccum *acc, const TvmafVifFiltRow *in, int w, double egl);

    if (check_func(c->stat, "vif_stat")) {
        for (int i = 0; i < N_WIDTHS; i++) {
            const int w = widths[i];
            const double egl = i % 3 == 0 ? 100.0 : i % 3 == 1 ? 1.0 : 1.0 + checksimd_rand() % 990 / 10.0;
            fill_stat_input(in, MAXW + TVMAF_VIF_SLACK);
            TvmafVifAccum ac, aa;
            ac.num_log = (int64_t)checksimd_rand() << 20;
            ac.den_log = checksimd_rand();
            ac.num_non_log = -(int64_t)checksimd_rand();
            ac.den_non_log = checksimd_rand() % 100;
            aa = ac;
            call_ref(&ac, in, w, egl);
            call_new(&aa, in, w, egl);
            if (checksimd_check_buf("accumulators (num_log, den_log, num_non_log, den_non_log)",
                                    &ac, &aa, 4, 8)) {
                checksimd_fail("w %d, gain limit %g", w, egl);
                break;
            }
        }
        TvmafVifAccum a = { 0, 0, 0, 0 };
        bench_new_px(1920, &a, in, 1920, 100.0);
    }
    report("stat");
}

static void check_vfilt_sub(const TvmafVifDSPContext *const c, uint16_t *const rc, uint16_t *const dc,
                            uint16_t *const ra, uint16_t *const da)
{
    declare_func(void, uint16_t *ref_out, uint16_t *dis_out, const void *const *ref,
                 const void *const *dis, int w, int scale, int sh);
    const size_t bytes = (MAXW + TVMAF_VIF_SLACK) * 2;

    for (int pix16 = 0; pix16 < 2; pix16++) {
        for (int scale = 1; scale < TVMAF_VIF_SCALES; scale++) {
            if (!pix16 && scale > 1)
                break;
            if (check_func(c->vfilt_sub[pix16], "vif_vfilt_sub_%d_s%d", pix16 ? 16 : 8, scale)) {
                const int fw = tvmaf_vif_filter_width[scale];
                for (int i = 0; i < N_WIDTHS; i++) {
                    const int w = widths[i];
                    /* From the input (scale 1): shift = depth, samples below 2^depth. */
                    const int sh = !pix16 ? 8 : scale > 1 ? 16 : (int[]){ 10, 12, 16 }[i % 3];
                    fill_rows(fw, pix16, w, (1u << sh) - 1);
                    checksimd_poison(rc, bytes);
                    checksimd_poison(dc, bytes);
                    checksimd_poison(ra, bytes);
                    checksimd_poison(da, bytes);
                    call_ref(rc, dc, src_ref, src_dis, w, scale, sh);
                    call_new(ra, da, src_ref, src_dis, w, scale, sh);
                    if (checksimd_check_buf("ref_out", rc, ra, w, 2) ||
                        checksimd_check_buf("dis_out", dc, da, w, 2)) {
                        checksimd_fail("w %d, shift %d", w, sh);
                        break;
                    }
                }
                bench_new_px(1920 >> (scale - 1), ra, da, src_ref, src_dis, 1920 >> (scale - 1), scale,
                             pix16 ? 16 : 8);
            }
            report("vfilt_sub_%d_s%d", pix16 ? 16 : 8, scale);
        }
    }
}

static void check_hfilt_dec(const TvmafVifDSPContext *const c, uint16_t *const rin,
                            uint16_t *const din, uint16_t *const rc, uint16_t *const dc,
                            uint16_t *const ra, uint16_t *const da)
{
    declare_func(void, uint16_t *ref_out, uint16_t *dis_out, const uint16_t *ref_in,
                 const uint16_t *dis_in, int w_out, int scale);
    const size_t bytes = (MAXW + TVMAF_VIF_SLACK) * 2;

    for (int scale = 1; scale < TVMAF_VIF_SCALES; scale++) {
        if (check_func(c->hfilt_dec, "vif_hfilt_dec_s%d", scale)) {
            for (int i = 0; i < N_WIDTHS; i++) {
                const int w_out = widths[i] < MAXW ? widths[i] / 2 + 1 : MAXW / 2;
                fill_samples(rin - TVMAF_VIF_PAD, 1, ROW_ELEMS, 65535);
                fill_samples(din - TVMAF_VIF_PAD, 1, ROW_ELEMS, 65535);
                checksimd_poison(rc, bytes);
                checksimd_poison(dc, bytes);
                checksimd_poison(ra, bytes);
                checksimd_poison(da, bytes);
                call_ref(rc, dc, rin, din, w_out, scale);
                call_new(ra, da, rin, din, w_out, scale);
                if (checksimd_check_buf("ref_out", rc, ra, w_out, 2) ||
                    checksimd_check_buf("dis_out", dc, da, w_out, 2)) {
                    checksimd_fail("w_out %d", w_out);
                    break;
                }
            }
            bench_new_px(1920 >> scale, ra, da, rin, din, 1920 >> scale, scale);
        }
        report("hfilt_dec_s%d", scale);
    }
}

void checksimd_check_vif(void)
{
    TvmafVifDSPContext c;
    tvmaf_vif_dsp_init(&c, checksimd_cpu_flags());

    static int init;
    static TvmafVifMomRow mom_c[2], mom_a[2], mom_in;
    static TvmafVifFiltRow filt_c, filt_a, filt_in;
    static uint16_t *b16[6];
    if (!init) {
        for (int k = 0; k <= TVMAF_VIF_FILTER_MAX; k++) {
            src_ref[k] = checksimd_alloc(MAXW * 2 + 64);
            src_dis[k] = checksimd_alloc(MAXW * 2 + 64);
        }
        for (int n = 0; n < 2; n++) {
            alloc_mom(&mom_c[n]);
            alloc_mom(&mom_a[n]);
        }
        alloc_mom(&mom_in);
        alloc_filt(&filt_c);
        alloc_filt(&filt_a);
        alloc_filt(&filt_in);
        for (int i = 0; i < 6; i++)
            b16[i] = (uint16_t *)checksimd_alloc(ROW_ELEMS * 2) + TVMAF_VIF_PAD;
        init = 1;
    }

    check_vfilt_mom(&c, mom_c, mom_a);
    check_hfilt_mom(&c, &mom_in, &filt_c, &filt_a);
    check_stat(&c, &filt_in);
    check_vfilt_sub(&c, b16[0], b16[1], b16[2], b16[3]);
    check_hfilt_dec(&c, b16[4], b16[5], b16[0], b16[1], b16[2], b16[3]);
}
