/*
 * checksimd: MLP kernels (src/model/mlp.h) against C, bit for bit: gemm as
 * the tiny interpreter calls it (row-major, transposed A, per-column bias,
 * fused ReLU, no bias) and as the trainer does (per-row bias, stride
 * columns), and the trainer's dw, dx and Adam step.
 */
#include <math.h>
#include <string.h>

#include "checksimd.h"
#include "model/mlp.h"

#define MAXR 70
#define MAXK 64
#define MAXM 260

static float frand(void)
{
    /* Mostly in [-1, 1], with exact zeros, negative zeros and a few large
     * values, so ReLU's -0/NaN handling and the sign of zero sums count. */
    const uint32_t r = checksimd_rand();
    switch (r % 16) {
    case 0: return 0.0f;
    case 1: return -0.0f;
    case 2: return (float)((int32_t)(checksimd_rand() % 2001) - 1000);
    default: return (float)((int32_t)(checksimd_rand() >> 8) - (1 << 23)) / (float)(1 << 23);
    }
}

static void fill(float *const v, const size_t n)
{
    for (size_t i = 0; i < n; i++)
        v[i] = frand();
}

static void check_gemm(const TvmafMlpDSPContext *const c, float *const a, float *const b,
                       float *const bias, float *const oc, float *const oa)
{
    static const int rows[] = { 1, 2, 3, 4, 5, 7, 8, 9, 33, 64, 70 };
    static const int ks[] = { 1, 2, 3, 5, 6, 16, 32, 64 };
    static const int ms[] = { 1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 24, 31, 32, 33, 40, 48,
                              64, 100, 256, 260 };
    declare_func(void, float *out, const float *a, int64_t a_rs, int64_t a_ks, const float *b,
                 int64_t rows, int64_t k, int64_t m, const float *bias, int bias_rows, int relu);
    if (check_func(c->gemm, "mlp_gemm")) {
        for (int it = 0; it < 400; it++) {
            const int R = rows[checksimd_rand() % (sizeof(rows) / sizeof(rows[0]))];
            const int K = ks[checksimd_rand() % (sizeof(ks) / sizeof(ks[0]))];
            const int M = ms[checksimd_rand() % (sizeof(ms) / sizeof(ms[0]))];
            const int trans = checksimd_rand() % 3 == 0;
            const int bias_mode = (int)(checksimd_rand() % 3); /* none, column, row */
            const int relu = checksimd_rand() & 1;
            fill(a, (size_t)R * K);
            fill(b, (size_t)K * M);
            fill(bias, MAXM);
            const int64_t a_rs = trans ? 1 : K, a_ks = trans ? R : 1;
            checksimd_poison(oc, sizeof(float) * MAXR * MAXM);
            checksimd_poison(oa, sizeof(float) * MAXR * MAXM);
            const float *const bp = bias_mode ? bias : NULL;
            call_ref(oc, a, a_rs, a_ks, b, R, K, M, bp, bias_mode == 2, relu);
            call_new(oa, a, a_rs, a_ks, b, R, K, M, bp, bias_mode == 2, relu);
            if (checksimd_check_buf("out", oc, oa, (size_t)R * M, sizeof(float))) {
                checksimd_fail("rows %d, k %d, m %d, trans_a %d, bias %d, relu %d", R, K, M,
                               trans, bias_mode, relu);
                break;
            }
        }
        bench_new(oa, a, 32, 1, b, 32, 32, 256, bias, 1, 1);
    }
    report("gemm");
}

static void check_train(const TvmafMlpDSPContext *const c, float *const w, float *const g,
                        float *const in, float *const oc, float *const oa, float *const bc,
                        float *const ba)
{
    static const int shapes[][2] = { { 6, 32 }, { 32, 16 }, { 16, 1 }, { 7, 5 }, { 64, 33 },
                                     { 1, 1 }, { 3, 64 } };
    static const int strides[] = { 16, 48, 112, 256 };
    {
        declare_func(void, float *dw, float *db, const float *g, const float *in, int n_in,
                     int n_out, int stride);
        if (check_func(c->dw, "mlp_dw")) {
            for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++)
                for (size_t q = 0; q < sizeof(strides) / sizeof(strides[0]); q++) {
                    const int ni = shapes[s][0], no = shapes[s][1], st = strides[q];
                    fill(g, (size_t)no * st);
                    fill(in, (size_t)ni * st);
                    checksimd_poison(oc, sizeof(float) * MAXK * MAXK);
                    checksimd_poison(oa, sizeof(float) * MAXK * MAXK);
                    checksimd_poison(bc, sizeof(float) * MAXK);
                    checksimd_poison(ba, sizeof(float) * MAXK);
                    call_ref(oc, bc, g, in, ni, no, st);
                    call_new(oa, ba, g, in, ni, no, st);
                    if (checksimd_check_buf("dw", oc, oa, (size_t)ni * no, sizeof(float)) ||
                        checksimd_check_buf("db", bc, ba, no, sizeof(float))) {
                        checksimd_fail("%dx%d, stride %d", ni, no, st);
                        goto dw_done;
                    }
                }
        dw_done:
            bench_new(oa, ba, g, in, 32, 16, 256);
        }
        report("dw");
    }
    {
        declare_func(void, float *gin, const float *w, const float *g, const float *act,
                     int n_in, int n_out, int stride);
        if (check_func(c->dx, "mlp_dx")) {
            for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++)
                for (size_t q = 0; q < sizeof(strides) / sizeof(strides[0]); q++) {
                    const int ni = shapes[s][0], no = shapes[s][1], st = strides[q];
                    fill(w, (size_t)ni * no);
                    fill(g, (size_t)no * st);
                    fill(in, (size_t)ni * st);
                    checksimd_poison(oc, sizeof(float) * MAXK * MAXM);
                    checksimd_poison(oa, sizeof(float) * MAXK * MAXM);
                    call_ref(oc, w, g, in, ni, no, st);
                    call_new(oa, w, g, in, ni, no, st);
                    if (checksimd_check_buf("gin", oc, oa, (size_t)ni * st, sizeof(float))) {
                        checksimd_fail("%dx%d, stride %d", ni, no, st);
                        goto dx_done;
                    }
                }
        dx_done:
            bench_new(oa, w, g, in, 32, 16, 256);
        }
        report("dx");
    }
    {
        declare_func(void, float *p, float *m, float *v, const float *g, size_t n, float beta1,
                     float one_m_beta1, float beta2, float one_m_beta2, float step_size,
                     float bc2_sqrt, float eps);
        if (check_func(c->adam, "mlp_adam")) {
            static const size_t ns[] = { 1, 7, 16, 33, 769, 4000 };
            float *const p[2] = { oc, oa }, *const m[2] = { bc, ba };
            float *const v[2] = { in, in + 4096 };
            for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
                const size_t n = ns[i];
                fill(p[0], n);
                fill(m[0], n);
                fill(g, n);
                for (size_t j = 0; j < n; j++)
                    v[0][j] = fabsf(frand());
                memcpy(p[1], p[0], n * sizeof(float));
                memcpy(m[1], m[0], n * sizeof(float));
                memcpy(v[1], v[0], n * sizeof(float));
                call_ref(p[0], m[0], v[0], g, n, 0.9f, 0.1f, 0.999f, 0.001f, 1e-3f, 0.5f, 1e-8f);
                call_new(p[1], m[1], v[1], g, n, 0.9f, 0.1f, 0.999f, 0.001f, 1e-3f, 0.5f, 1e-8f);
                if (checksimd_check_buf("p", p[0], p[1], n, sizeof(float)) ||
                    checksimd_check_buf("m", m[0], m[1], n, sizeof(float)) ||
                    checksimd_check_buf("v", v[0], v[1], n, sizeof(float))) {
                    checksimd_fail("n %zu", n);
                    break;
                }
            }
            bench_new(p[1], m[1], v[1], g, 769, 0.9f, 0.1f, 0.999f, 0.001f, 1e-3f, 0.5f, 1e-8f);
        }
        report("adam");
    }
}

void checksimd_check_mlp(void)
{
    TvmafMlpDSPContext c;
    tvmaf_mlp_dsp_init(&c, checksimd_cpu_flags());

    /* Every buffer holds MAXR x MAXM floats: the largest gemm operand, the
     * trainer's [64][256] activations and Adam's 4000 parameters. */
    enum { N = MAXR * MAXM };
    static float *buf[9];
    if (!buf[0])
        for (int i = 0; i < 9; i++)
            buf[i] = checksimd_alloc(sizeof(float) * N);
    check_gemm(&c, buf[0], buf[1], buf[2], buf[3], buf[4]);
    check_train(&c, buf[0], buf[1], buf[2], buf[3], buf[4], buf[5], buf[6]);
}
