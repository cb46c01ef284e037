/* Integer VIF: the shipped log2 table against its published checks, the
 * row-streamed kernels against a direct whole-frame evaluation of the
 * formulas in docs/algorithms.md (section 2) at every depth and on odd sizes,
 * depth invariance for content x*2^(b-8) (algorithms.md 4.5), scores pinned to libvmaf's
 * C path, and the argument checks. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feature/vif.h"

#include "unit_check.h"

static uint32_t rng;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static unsigned table_at(unsigned i)
{
    return tvmaf_vif_log2_table[i - TVMAF_VIF_LOG2_TABLE_BASE];
}

static void test_log2_table(void)
{
    uint64_t sum = 0;
    uint32_t fnv = 0x811c9dc5u;
    for (unsigned i = 32767; i <= 65535; i++) {
        const unsigned v = table_at(i);
        sum += v;
        fnv = (fnv ^ (v & 0xff)) * 16777619u;
        fnv = (fnv ^ (v >> 8)) * 16777619u;
    }
    CHECK(table_at(32768) == 30720, "L[32768] = %u", table_at(32768));
    CHECK(table_at(65535) == 32768, "L[65535] = %u", table_at(65535));
    CHECK(sum == 1044062817u, "table sum %llu", (unsigned long long)sum);
    CHECK(fnv == 0x228f7ce9u, "table FNV-1a-32 %08x", (unsigned)fnv);
}

/* ---- direct evaluation: whole frames, uint64 sums, full-size filtering ---- */

static int m101(int i, int n) { return i < 0 ? -i : i >= n ? 2 * n - 2 - i : i; }

static int log2q11(uint64_t v)
{
    int k = 0;
    while ((v >> k) > 65535)
        k++;
    return (int)table_at((unsigned)(v >> k)) + 2048 * k;
}

/* Scale s of the pair (w x h, samples in a and b) with input depth `bits`
 * (8 at scales >= 1, where the images are Q8 and use the 16-bit shifts). */
static double naive_scale(const uint16_t *a, const uint16_t *b, int w, int h, int s, int q8,
                          int bits, double egl)
{
    const uint16_t *f = tvmaf_vif_filter[s];
    const int fw = tvmaf_vif_filter_width[s], r = fw / 2;
    const int sh_mu = q8 ? 16 : bits, sh_sq = q8 ? 16 : 2 * (bits - 8);
    const size_t n = (size_t)w * h;
    uint64_t *v = malloc(sizeof(*v) * 5 * n);
    int64_t A = 0, D = 0, N = 0, S = 0;

    for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++) {
            uint64_t m1 = 0, m2 = 0, xx = 0, yy = 0, xy = 0;
            for (int k = 0; k < fw; k++) {
                const size_t o = (size_t)m101(i - r + k, h) * w + j;
                m1 += (uint64_t)f[k] * a[o];
                m2 += (uint64_t)f[k] * b[o];
                xx += (uint64_t)f[k] * a[o] * a[o];
                yy += (uint64_t)f[k] * b[o] * b[o];
                xy += (uint64_t)f[k] * a[o] * b[o];
            }
            const uint64_t rs = sh_sq ? 1ull << (sh_sq - 1) : 0;
            v[0 * n + i * w + j] = (m1 + (1ull << (sh_mu - 1))) >> sh_mu;
            v[1 * n + i * w + j] = (m2 + (1ull << (sh_mu - 1))) >> sh_mu;
            v[2 * n + i * w + j] = (xx + rs) >> sh_sq;
            v[3 * n + i * w + j] = (yy + rs) >> sh_sq;
            v[4 * n + i * w + j] = (xy + rs) >> sh_sq;
        }
    for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++) {
            uint64_t t[5] = { 0 };
            for (int c = 0; c < 5; c++)
                for (int k = 0; k < fw; k++)
                    t[c] += f[k] * v[c * n + (size_t)i * w + m101(j - r + k, w)];
            const uint32_t mu1 = (uint32_t)t[0], mu2 = (uint32_t)t[1];
            const uint32_t exx = (uint32_t)((t[2] + 32768) >> 16);
            const uint32_t eyy = (uint32_t)((t[3] + 32768) >> 16);
            const uint32_t exy = (uint32_t)((t[4] + 32768) >> 16);
            const int32_t s1 = (int32_t)(exx - (uint32_t)(((uint64_t)mu1 * mu1 + (1u << 31)) >> 32));
            int32_t s2 = (int32_t)(eyy - (uint32_t)(((uint64_t)mu2 * mu2 + (1u << 31)) >> 32));
            const int32_t s12 = (int32_t)(exy - (uint32_t)(((uint64_t)mu1 * mu2 + (1u << 31)) >> 32));
            if (s2 < 0)
                s2 = 0;
            if (s1 < 131072) {
                N++;
                S += s2;
                continue;
            }
            D += log2q11(131072u + (uint32_t)s1) - 17 * 2048;
            if (s12 > 0 && s2 > 0) {
                double g = s12 / (s1 + 65536 * 1.0e-10);
                int32_t sv = (int32_t)(s2 - g * s12);
                if (sv < 0)
                    sv = 0;
                if (g > egl)
                    g = egl;
                const uint32_t n1 = (uint32_t)sv + 131072u;
                A += log2q11((uint64_t)((int64_t)(g * g * s1) + n1)) - log2q11(n1);
            }
        }
    free(v);
    const float num = (float)(A / 2048.0 + (N - (S / 16384.0) / 65025.0));
    const float den = (float)(D / 2048.0 + N);
    return (double)(num / den);
}

/* Filter with scale-(s+1) taps at full size, then keep even rows/columns. */
static void naive_down(const uint16_t *a, int w, int h, int s_next, int q8, int bits,
                       uint16_t *out)
{
    const uint16_t *f = tvmaf_vif_filter[s_next];
    const int fw = tvmaf_vif_filter_width[s_next], r = fw / 2;
    const int sh = q8 ? 16 : bits;
    uint16_t *t = malloc(sizeof(*t) * (size_t)w * h);
    for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++) {
            uint64_t acc = 0;
            for (int k = 0; k < fw; k++)
                acc += (uint64_t)f[k] * a[(size_t)m101(i - r + k, h) * w + j];
            t[(size_t)i * w + j] = (uint16_t)((acc + (1ull << (sh - 1))) >> sh);
        }
    for (int i = 0; i < h / 2; i++)
        for (int j = 0; j < w / 2; j++) {
            uint64_t acc = 0;
            for (int k = 0; k < fw; k++)
                acc += (uint64_t)f[k] * t[(size_t)(2 * i) * w + m101(2 * j - r + k, w)];
            out[(size_t)i * (w / 2) + j] = (uint16_t)((acc + 32768) >> 16);
        }
    free(t);
}

static void naive_vif(const uint16_t *a, const uint16_t *b, int w, int h, int bits, double egl,
                      double out[4])
{
    uint16_t *ca = malloc(sizeof(*ca) * (size_t)w * h), *cb = malloc(sizeof(*cb) * (size_t)w * h);
    memcpy(ca, a, sizeof(*ca) * (size_t)w * h);
    memcpy(cb, b, sizeof(*cb) * (size_t)w * h);
    for (int s = 0; s < 4; s++) {
        if (s) {
            uint16_t *na = malloc(sizeof(*na) * (size_t)(w / 2) * (h / 2));
            uint16_t *nb = malloc(sizeof(*nb) * (size_t)(w / 2) * (h / 2));
            naive_down(ca, w, h, s, s > 1, bits, na);
            naive_down(cb, w, h, s, s > 1, bits, nb);
            free(ca);
            free(cb);
            ca = na;
            cb = nb;
            w /= 2;
            h /= 2;
        }
        out[s] = naive_scale(ca, cb, w, h, s, s > 0, bits, egl);
    }
    free(ca);
    free(cb);
}

/* ---- the module ---- */

/* Runs the module on 16-bit sample arrays, narrowing them for bpc 8; the
 * planes get a stride wider than w to catch stride mix-ups. */
static int run_vif(const uint16_t *a, const uint16_t *b, int w, int h, int bpc, double egl,
                   double out[4])
{
    const int bps = bpc == 8 ? 1 : 2;
    const ptrdiff_t stride = (ptrdiff_t)(w + 3) * bps;
    uint8_t *pa = calloc((size_t)stride * h, 1), *pb = calloc((size_t)stride * h, 1);
    for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++) {
            const size_t o = (size_t)i * w + j;
            if (bps == 1) {
                pa[i * stride + j] = (uint8_t)a[o];
                pb[i * stride + j] = (uint8_t)b[o];
            } else {
                memcpy(pa + i * stride + 2 * j, &a[o], 2);
                memcpy(pb + i * stride + 2 * j, &b[o], 2);
            }
        }
    TvmafVif *v = NULL;
    const TvmafVifOptions opt = { egl };
    int err = tvmaf_vif_init(&v, w, h, bpc, &opt, 0);
    if (!err) {
        const TvmafPlane r = { pa, stride, w, h, bpc }, d = { pb, stride, w, h, bpc };
        err = tvmaf_vif_compute(v, &r, &d, out);
    }
    tvmaf_vif_free(&v);
    free(pa);
    free(pb);
    return err;
}

/* Smooth texture plus noise, and a distorted copy (blur-ish, noise, gain). */
static void make_pair(uint16_t *a, uint16_t *b, int w, int h, int bits, uint32_t seed)
{
    const int mx = (1 << bits) - 1;
    rng = seed;
    for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++) {
            int x = ((i * 7 + j * 3) % 64) * mx / 80 + (int)(rnd() % (unsigned)(mx / 5 + 1));
            if ((i / 8 + j / 8) % 5 == 0)
                x = (int)(rnd() % (unsigned)(mx + 1));
            a[(size_t)i * w + j] = (uint16_t)(x > mx ? mx : x);
        }
    for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++) {
            const size_t o = (size_t)i * w + j;
            int y = (a[o] + a[(size_t)i * w + (j ? j - 1 : 0)]) / 2;
            y += (int)(rnd() % (unsigned)(mx / 16 + 1)) - mx / 32;
            if (i > h / 2)
                y = y * 5 / 4; /* some enhancement, g > 1 */
            b[o] = (uint16_t)(y < 0 ? 0 : y > mx ? mx : y);
        }
}

static void test_against_direct(void)
{
    static const struct { int w, h, bpc; double egl; } cases[] = {
        { 64, 48, 8, 100.0 }, { 37, 29, 8, 100.0 },  { 53, 16, 10, 100.0 },
        { 16, 21, 12, 100.0 }, { 41, 35, 16, 100.0 }, { 33, 19, 8, 1.0 },
        { 100, 37, 10, 1.5 },
    };
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        const int w = cases[c].w, h = cases[c].h, bpc = cases[c].bpc;
        uint16_t *a = malloc(sizeof(*a) * (size_t)w * h), *b = malloc(sizeof(*b) * (size_t)w * h);
        make_pair(a, b, w, h, bpc, 1000u + (uint32_t)c);
        double got[4], want[4];
        const int err = run_vif(a, b, w, h, bpc, cases[c].egl, got);
        CHECK(!err, "%dx%d bpc %d: error %d", w, h, bpc, err);
        naive_vif(a, b, w, h, bpc, cases[c].egl, want);
        for (int s = 0; s < 4; s++)
            CHECK(!err && got[s] == want[s], "%dx%d bpc %d egl %g scale %d: %.17g, direct %.17g",
                  w, h, bpc, cases[c].egl, s, got[s], want[s]);
        free(a);
        free(b);
    }
}

/* Scores of make_pair(64x48, 8 bits, seed 7) from libvmaf's C path
 * (Netflix/vmaf f85a8536, --cpumask all, VMAF_integer_feature_vif_scale*). */
static const double PINNED[4] = { 0.18158960342407227, 0.59014701843261719,
                                  0.64690637588500977, 0.68807440996170044 };

static void test_depths_and_pinned(void)
{
    const int w = 64, h = 48;
    uint16_t a[64 * 48], b[64 * 48], a2[64 * 48], b2[64 * 48];
    double s8[4], sb[4];
    make_pair(a, b, w, h, 8, 7);
    CHECK(!run_vif(a, b, w, h, 8, 100.0, s8), "8-bit run");
    for (int s = 0; s < 4; s++)
        CHECK(s8[s] == PINNED[s], "8-bit scale %d: %.17g, libvmaf %.17g", s, s8[s], PINNED[s]);
    static const int depths[3] = { 10, 12, 16 };
    for (int d = 0; d < 3; d++) {
        const int sh = depths[d] - 8;
        for (int i = 0; i < w * h; i++) {
            a2[i] = (uint16_t)(a[i] << sh);
            b2[i] = (uint16_t)(b[i] << sh);
        }
        CHECK(!run_vif(a2, b2, w, h, depths[d], 100.0, sb), "%d-bit run", depths[d]);
        for (int s = 0; s < 4; s++)
            CHECK(sb[s] == s8[s], "bpc %d scale %d: %.17g, 8-bit %.17g", depths[d], s, sb[s],
                  s8[s]);
    }
    CHECK(!run_vif(a, a, w, h, 8, 100.0, sb), "identical run");
    for (int s = 0; s < 4; s++)
        CHECK(sb[s] >= 0.999 && sb[s] <= 1.0001, "ref == dis scale %d: %.17g", s, sb[s]);
}

static void test_args(void)
{
    TvmafVif *v = (TvmafVif *)&fails;
    const TvmafVifOptions bad_lo = { 0.5 }, bad_hi = { 100.5 };
    CHECK(tvmaf_vif_init(&v, 15, 64, 8, NULL, 0) == -EINVAL && !v, "w = 15 accepted");
    CHECK(tvmaf_vif_init(&v, 64, 15, 8, NULL, 0) == -EINVAL, "h = 15 accepted");
    CHECK(tvmaf_vif_init(&v, 64, 64, 9, NULL, 0) == -EINVAL, "bpc 9 accepted");
    CHECK(tvmaf_vif_init(&v, 64, 64, 8, &bad_lo, 0) == -EINVAL, "egl 0.5 accepted");
    CHECK(tvmaf_vif_init(&v, 64, 64, 8, &bad_hi, 0) == -EINVAL, "egl 100.5 accepted");
    CHECK(tvmaf_vif_init(NULL, 64, 64, 8, NULL, 0) == -EINVAL, "NULL out accepted");
    CHECK(tvmaf_vif_init(&v, 64, 64, 10, NULL, 0) == 0 && v, "64x64 10-bit refused");
    uint16_t px[32 * 32] = { 0 };
    double s[4];
    const TvmafPlane p = { px, 64, 32, 32, 10 };
    CHECK(tvmaf_vif_compute(v, &p, &p, s) == -EINVAL, "geometry mismatch accepted");
    tvmaf_vif_free(&v);
    CHECK(!v, "free did not clear the pointer");
    tvmaf_vif_free(&v);
    tvmaf_vif_free(NULL);
}

int main(int argc, char **argv)
{
    /* --dump writes the pinned pair as an 8-bit 4:2:0 y4m, to re-derive
     * PINNED with libvmaf. */
    if (argc > 2 && !strcmp(argv[1], "--dump")) {
        uint16_t a[64 * 48], b[64 * 48];
        make_pair(a, b, 64, 48, 8, 7);
        for (int k = 0; k < 2; k++) {
            char name[512];
            snprintf(name, sizeof(name), "%s_%s.y4m", argv[2], k ? "dis" : "ref");
            FILE *f = fopen(name, "wb");
            if (!f)
                return 1;
            fprintf(f, "YUV4MPEG2 W64 H48 F25:1 Ip A1:1 C420jpeg\nFRAME\n");
            for (int i = 0; i < 64 * 48; i++)
                fputc(k ? b[i] : a[i], f);
            for (int i = 0; i < 2 * 32 * 24; i++)
                fputc(128, f);
            fclose(f);
        }
        return 0;
    }
    test_log2_table();
    test_against_direct();
    test_depths_and_pinned();
    test_args();
    if (fails) {
        fprintf(stderr, "%d check(s) failed\n", fails);
        return 1;
    }
    printf("test_vif: ok\n");
    return 0;
}
