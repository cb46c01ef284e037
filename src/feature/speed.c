/*
 * SpEED chroma, after libvmaf 3.2.0's speed.c C path (docs/algorithms.md,
 * "SpEED chroma"). Every expression keeps libvmaf's operand types (float
 * where it uses float, double where a double literal or a libm call
 * promotes) and its operation order; the comments below name only the
 * places where that is not obvious from the code.
 *
 * One structural change, with the same values: libvmaf blurs the whole
 * (prescaled) plane with the anti-alias Gaussian and then keeps every 16th
 * sample of every 16th row. Here the blur is evaluated only where a kept
 * sample needs it: the vertical pass on the kept rows, the horizontal pass
 * at the kept columns. Each kept sample is the same sum of the same
 * products in the same order, so the result is identical, at 1/16 to 1/256
 * of the work.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "feature/arena.h"
#include "feature/speed.h"
#include "tinyvmaf/common.h"
#if TVMAF_ENABLE_SIMD
#include "feature/x86/speed.h"
#endif

/* Not in strict C11; libvmaf's literals. */
#define SPEED_PI 3.14159265358979323846
#define SPEED_E 2.7182818284590452354

#define SCALES 4                /* the blur/decimation is by 2^SCALES = 16 */
#define EIG_EPS (1e-6)          /* libvmaf's EIGENVALUE_EPS (a double) */
#define EIG_MAX_ITERS 500
#define FILTER_MAX 64           /* taps of the widest kernel scale: 35 */
#define MAX_PLANE 32768

static const char *const scaler_names[] = { "nearest", "bilinear", "bicubic", "lanczos4", NULL };

const TvmafOption tvmaf_speed_chroma_options[] = {
    { .name = "speed_kernelscale", .alias = "ks", .type = TVMAF_OPTION_DOUBLE,
      .offset = offsetof(TvmafSpeedChromaOptions, kernelscale), .def = 1.0, .min = 0.1,
      .max = 4.0, .flags = TVMAF_OPTION_KEY },
    { .name = "speed_prescale", .alias = "ps", .type = TVMAF_OPTION_DOUBLE,
      .offset = offsetof(TvmafSpeedChromaOptions, prescale), .def = 1.0, .min = 0.1, .max = 4.0,
      .flags = TVMAF_OPTION_KEY },
    { .name = "speed_prescale_method", .alias = "psm", .type = TVMAF_OPTION_ENUM,
      .offset = offsetof(TvmafSpeedChromaOptions, prescale_method),
      .def = TVMAF_SPEED_SCALE_NEAREST, .names = scaler_names, .flags = TVMAF_OPTION_KEY },
    { .name = "speed_sigma_nn", .alias = "snn", .type = TVMAF_OPTION_DOUBLE,
      .offset = offsetof(TvmafSpeedChromaOptions, sigma_nn), .def = 0.29, .min = 0.1, .max = 2.0,
      .flags = TVMAF_OPTION_KEY },
    { .name = "speed_nn_floor", .alias = "nnf", .type = TVMAF_OPTION_DOUBLE,
      .offset = offsetof(TvmafSpeedChromaOptions, nn_floor), .def = 0.0, .min = 0.0, .max = 1.0,
      .flags = TVMAF_OPTION_KEY },
    { .name = "speed_max_val", .alias = "mxv", .type = TVMAF_OPTION_DOUBLE,
      .offset = offsetof(TvmafSpeedChromaOptions, max_val), .def = 1000.0, .min = 0.0,
      .max = 1000.0, .flags = TVMAF_OPTION_KEY },
    { .name = "speed_weight_var_mode", .alias = "wvm", .type = TVMAF_OPTION_INT,
      .offset = offsetof(TvmafSpeedChromaOptions, weight_var_mode), .def = 0, .min = 0, .max = 6,
      .flags = TVMAF_OPTION_KEY },
    { 0 },
};

const char *const tvmaf_speed_chroma_names[3] = { "speed_chroma_u", "speed_chroma_v",
                                                  "speed_chroma_uv" };

/* libvmaf's list of accepted kernel scales (vif_tools.h), float literals. */
static const float kernelscales[] = {
    1.0f, 1.0f / 2.0f, 3.0f / 2.0f, 2.0f, 2.0f / 3.0f, 24.0f / 10.0f, 360.0f / 97.0f,
    4.0f / 3.0f, 3.5f / 3.0f, 3.75f / 3.0f, 4.25f / 3.0f, 5.0f / 3.0f, 3.0f, 1.0f / 2.25f,
    1.4746f, 1.54f, 1.6f, 1.06667f, 0.711111f, 0.740740f, 1.111111f,
};

typedef struct Dims {
    int w, h;     /* chroma plane as scored */
    int sw, sh;   /* after the prescale */
    int ow, oh;   /* sw >> 4, sh >> 4: the decimated plane */
    int bw, bh;   /* whole 5x5 blocks across, down */
    int nb;       /* bw * bh */
    int mw, mh;   /* positions whose 5x5 neighbourhood fits: 5 * bw - 4, 5 * bh - 4 */
} Dims;

typedef struct Results {
    float *entropy, *variance; /* per block */
} Results;

struct TvmafSpeedChroma {
    TvmafSpeedChromaOptions opt;
    TvmafSpeedDSPContext dsp;
    Dims d;
    int bpc, layout;
    bool prescaled;
    float sigma_nn, nn_floor; /* libvmaf passes both on as float */

    int aa_n, f4_n;
    float aa[FILTER_MAX], f4[FILTER_MAX];
    int *aa_cols;             /* ow * aa_n mirrored column indices of the kept samples */

    float *src;               /* prescaled only: the plane as float, w x h */
    float *tap[FILTER_MAX];   /* aa_n rows of the (prescaled) plane, sw + slack each */
    float *vrow;              /* one vertically filtered row */
    int *x1, *x2;             /* column tables: bilinear's x1, x2, dx; bicubic's and */
    float *dx;                /* Lanczos' tap indices in x1, weights in dx (taps per column) */
    float *dec, *blur;        /* ow x oh */
    double *centred;          /* mw rows of TVMAF_SPEED_PITCH */
    double *acc;              /* 25 x TVMAF_SPEED_PITCH */
    float means[TVMAF_SPEED_DIM];
    float cov[TVMAF_SPEED_DIM * TVMAF_SPEED_DIM];
    float eig[TVMAF_SPEED_DIM];
    float mat[5][TVMAF_SPEED_DIM * TVMAF_SPEED_DIM]; /* QR and eigen scratch */
    float vec[4 * TVMAF_SPEED_DIM];
    float *indep, *sol, *rect; /* 25 x nb */
    Results res[2];
    void *mem;
};

/* ---------------- C reference kernels ---------------- */

static decl_speed_filter_vert_fn(filter_vert_c)
{
    for (int j = 0; j < w; j++) {
        float acc = 0;
        for (int k = 0; k < n; k++)
            acc += f[k] * rows[k][j];
        dst[j] = acc;
    }
}

static decl_speed_cov_row_fn(cov_row_c)
{
    for (int j = 0; j < n; j++) {
        const double *const cj = c + (size_t)j * TVMAF_SPEED_PITCH;
        for (int x = 0; x < TVMAF_SPEED_DIM; x++) {
            double *const ax = acc + x * TVMAF_SPEED_PITCH;
            for (int y = 0; y <= x; y++)
                ax[y] += cj[x] * cj[y];
        }
    }
}

void tvmaf_speed_dsp_init(TvmafSpeedDSPContext *const c, const unsigned cpu_flags)
{
    c->filter_vert = filter_vert_c;
    c->cov_row = cov_row_c;
#if TVMAF_ENABLE_SIMD
    speed_dsp_init_x86(c, cpu_flags);
#else
    (void)cpu_flags;
#endif
}

/* ---------------- filters (vif_tools.c's Gaussians) ---------------- */

static int filter_size(const int scale, const float ks)
{
    const int n = (1 << (4 - scale)) + 1;
    int odd = (int)ceil(n * ks);
    if (odd % 2 == 0)
        odd++;
    return odd > 3 ? odd : 3;
}

static void gaussian(float *const out, const int size, const float stdev)
{
    float sum = 0;
    const int half = (size - 1) / 2;
    for (int i = 0; i < size; i++) {
        const float x = (float)(i - half);
        /* libvmaf: exp(-0.5 * (x - mean)/stdev * (x - mean)/stdev) with mean 0,
         * over 1 / (stdev * sqrt(2 pi)); double inside, float out. */
        const float num = (float)exp(-0.5 * (x - 0.0f) / stdev * (x - 0.0f) / stdev);
        const float den = (float)(1 / (stdev * sqrt(2 * SPEED_PI)));
        out[i] = num / den;
        sum += out[i];
    }
    for (int i = 0; i < size; i++)
        out[i] /= sum;
}

static int mirror_idx(const int i, const int n)
{
    return i < 0 ? -i : i >= n ? 2 * n - i - 2 : i;
}

/* ---------------- prescalers (vif_tools.c's, float) ---------------- */

static float mirror_f(const float i, const float left, const float right)
{
    return i < left ? -i : i > right ? 2 * right - i : i;
}

static float bicubic_w(float t)
{
    const float a = -0.75f;
    if (t < 0)
        t = -t;
    if (t < 1)
        return ((a + 2) * t - (a + 3)) * t * t + 1;
    if (t < 2)
        return (((t - 5) * t + 8) * t - 4) * a;
    return 0;
}

static float lanczos_w(const float x, const float a)
{
    if (x == 0.0)
        return 1.0f;
    if (x > -a && x < a)
        return (float)(a * sin(SPEED_PI * x) * sin(SPEED_PI * x / a) /
                       (SPEED_PI * SPEED_PI * x * x));
    return 0.0f;
}

/*
 * Bicubic (4 taps, a = -0.75) and Lanczos (9 taps, a = 4) sampling at
 * position xx (float): the first tap's index floor(xx) - (taps/2 - 1 or 4),
 * mirrored (reflect-101), and each tap's weight from the fractional part.
 * Weights depend only on the column (or the row), so they are tabled once;
 * each sample still multiplies them per pixel, as libvmaf does.
 */
static int kernel_taps(const int method)
{
    return method == TVMAF_SPEED_SCALE_BICUBIC ? 4 : 9;
}

static void kernel_at(const int method, const float xx, const int n, float *const wt,
                      int *const idx)
{
    const int taps = kernel_taps(method), first = taps == 4 ? -1 : -4;
    const int x0 = (int)floor(xx);
    const float dx = xx - x0;
    for (int i = 0; i < taps; i++) {
        wt[i] = taps == 4 ? bicubic_w((first + i) - dx) : lanczos_w((first + i) - dx, 4.0f);
        idx[i] = (int)mirror_f((float)(x0 + first + i), 0, (float)(n - 1));
    }
}

/* Row y of the prescaled plane (sw samples) from the float plane s->src. */
static void scale_row(const TvmafSpeedChroma *const s, const int y, float *const dst)
{
    const Dims *const d = &s->d;
    const float *const src = s->src;
    if (d->sw == d->w && d->sh == d->h) {
        memcpy(dst, src + (size_t)y * d->w, sizeof(float) * d->w);
        return;
    }
    const float ry = (float)d->h / d->sh, rx = (float)d->w / d->sw;
    switch (s->opt.prescale_method) {
    case TVMAF_SPEED_SCALE_NEAREST: {
        const float *const row = src + (size_t)(int)(y * ry) * d->w;
        for (int x = 0; x < d->sw; x++)
            dst[x] = row[(int)(x * rx)];
        break;
    }
    case TVMAF_SPEED_SCALE_BILINEAR: {
        const float yy = (float)((y + 0.5) * ry - 0.5);
        const int y1 = (int)mirror_f((float)floor(yy), 0, (float)(d->h - 1));
        const int y2 = (int)mirror_f((float)ceil(yy), 0, (float)(d->h - 1));
        const float dy = yy - y1;
        const float *const r1 = src + (size_t)y1 * d->w, *const r2 = src + (size_t)y2 * d->w;
        for (int x = 0; x < d->sw; x++) {
            const int x1 = s->x1[x], x2 = s->x2[x];
            const float dx = s->dx[x];
            dst[x] = (1 - dy) * (1 - dx) * r1[x1] + (1 - dy) * dx * r1[x2] +
                     dy * (1 - dx) * r2[x1] + dy * dx * r2[x2];
        }
        break;
    }
    case TVMAF_SPEED_SCALE_BICUBIC:
    case TVMAF_SPEED_SCALE_LANCZOS4: {
        const int taps = kernel_taps(s->opt.prescale_method);
        const bool lanczos = taps == 9;
        float wy[9];
        int iy[9];
        kernel_at(s->opt.prescale_method, (float)((y + 0.5) * ry - 0.5), d->h, wy, iy);
        for (int x = 0; x < d->sw; x++) {
            const float *const wx = s->dx + (size_t)x * taps;
            const int *const ix = s->x1 + (size_t)x * taps;
            float v = 0.0f, wsum = 0.0f;
            for (int j = 0; j < taps; j++) {
                const float *const row = src + (size_t)iy[j] * d->w;
                for (int i = 0; i < taps; i++) {
                    const float wt = wx[i] * wy[j];
                    if (lanczos)
                        wsum += wt;
                    v += row[ix[i]] * wt;
                }
            }
            dst[x] = lanczos ? v / wsum : v;
        }
        break;
    }
    }
}

/* libvmaf's picture_copy: samples to float, high depths down to the 8-bit
 * range, minus 128. */
static void convert_row(const TvmafPlane *const p, const int y, const int w, float *const dst)
{
    const uint8_t *const row = (const uint8_t *)p->data + (ptrdiff_t)y * p->stride;
    if (p->bpc == 8) {
        for (int x = 0; x < w; x++)
            dst[x] = (float)row[x] + -128;
        return;
    }
    const float scaler = p->bpc == 10 ? 4.0f : p->bpc == 12 ? 16.0f : 256.0f;
    const uint16_t *const r16 = (const uint16_t *)row;
    for (int x = 0; x < w; x++)
        dst[x] = (float)r16[x] / scaler + -128;
}

/* The plane, prescaled, anti-alias blurred and decimated by 16 into s->dec,
 * then minus its own local mean (the scale-4 Gaussian) in place. */
static void decimate(TvmafSpeedChroma *const s, const TvmafPlane *const p)
{
    const Dims *const d = &s->d;
    if (s->prescaled)
        for (int y = 0; y < d->h; y++)
            convert_row(p, y, d->w, s->src + (size_t)y * d->w);

    const int n = s->aa_n, half = n / 2;
    for (int i = 0; i < d->oh; i++) {
        for (int k = 0; k < n; k++) {
            const int r = mirror_idx(16 * i - half + k, d->sh);
            if (s->prescaled)
                scale_row(s, r, s->tap[k]);
            else
                convert_row(p, r, d->w, s->tap[k]);
        }
        s->dsp.filter_vert(s->vrow, (const float *const *)s->tap, s->aa, n, d->sw);
        float *const out = s->dec + (size_t)i * d->ow;
        for (int j = 0; j < d->ow; j++) {
            const int *const cols = s->aa_cols + (size_t)j * n;
            float acc = 0;
            for (int k = 0; k < n; k++)
                acc += s->aa[k] * s->vrow[cols[k]];
            out[j] = acc;
        }
    }

    /* Scale-4 Gaussian of the decimated plane (vif_filter1d_s: per row, the
     * vertical sum then the horizontal one, reflect-101 borders). */
    const int m = s->f4_n, mh = m / 2;
    float *const tmp = s->vrow;
    for (int i = 0; i < d->oh; i++) {
        for (int j = 0; j < d->ow; j++) {
            float acc = 0;
            for (int k = 0; k < m; k++)
                acc += s->f4[k] * s->dec[(size_t)mirror_idx(i - mh + k, d->oh) * d->ow + j];
            tmp[j] = acc;
        }
        for (int j = 0; j < d->ow; j++) {
            float acc = 0;
            for (int k = 0; k < m; k++)
                acc += s->f4[k] * tmp[mirror_idx(j - mh + k, d->ow)];
            s->blur[(size_t)i * d->ow + j] = acc;
        }
    }
    const size_t np = (size_t)d->ow * d->oh;
    for (size_t k = 0; k < np; k++)
        s->dec[k] -= s->blur[k];
}

/* ---------------- 25x25 linear algebra (float) ---------------- */

#define N TVMAF_SPEED_DIM

static int sign_of(const float x)
{
    return x >= 0 ? 1 : -1;
}

static float hypot_f(const float x, const float y)
{
    return (float)sqrt(x * x + y * y);
}

/* dst = x * y, x: r x k, y: k x c (row-major, dense); per element the
 * products are added in k order from 0. */
static void mat_mul(float *const dst, const float *const x, const float *const y, const int r,
                    const int k, const int c)
{
    memset(dst, 0, sizeof(float) * (size_t)r * c);
    for (int i = 0; i < r; i++)
        for (int l = 0; l < k; l++) {
            const float xv = x[i * k + l];
            const float *const yr = y + (size_t)l * c;
            float *const dr = dst + (size_t)i * c;
            for (int j = 0; j < c; j++)
                dr[j] += xv * yr[j];
        }
}

static float norm_f(const float *const v, const int n)
{
    float sum = 0;
    for (int i = 0; i < n; i++)
        sum += v[i] * v[i];
    return (float)sqrt(sum);
}

/*
 * Householder QR of a (N x N) as libvmaf's matrix_qr_decomposition does it,
 * then the system a x = b (b: N x nb) by back-substitution. Note that the
 * reflection sign comes from the original matrix's diagonal, not from the
 * partly reduced one; libvmaf does so and the values depend on it.
 * Returns -EINVAL when a diagonal entry of R is below 1e-6 in magnitude.
 */
static int solve(TvmafSpeedChroma *const s, const float *const a, const float *const b,
                 float *const x, const int nb)
{
    float *const q = s->mat[0], *const r = s->mat[1], *const h = s->mat[2],
                 *const z = s->mat[3];
    float *const v = s->vec;
    memcpy(z, a, sizeof(float) * N * N);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            q[i * N + j] = i == j ? 1 : 0;

    for (int k = 0; k < N - 1; k++) {
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++)
                if (i < k || j < k)
                    z[i * N + j] = i == j ? 1 : 0;
        for (int i = 0; i < N; i++)
            v[i] = z[i * N + k];
        const float nrm = norm_f(v, N);
        v[k] += sign_of(a[k * N + k]) * nrm;
        const float nv = norm_f(v, N);
        for (int i = 0; i < N; i++)
            v[i] = v[i] / nv;
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++)
                h[i * N + j] = -2 * v[i] * v[j];
        for (int i = 0; i < N; i++)
            h[i * N + i] += 1;
        mat_mul(r, h, z, N, N, N);
        memcpy(z, r, sizeof(float) * N * N);
        mat_mul(r, h, q, N, N, N);
        memcpy(q, r, sizeof(float) * N * N);
    }
    /* q now holds Q^T: R = Q^T a; the right-hand side is Q^T b. */
    mat_mul(r, q, a, N, N, N);
    mat_mul(s->rect, q, b, N, N, nb);

    for (int i = N - 1; i >= 0; i--) {
        const float den = r[i * N + i];
        if (fabsf(den) < EIG_EPS)
            return -EINVAL;
        float *const xi = x + (size_t)i * nb;
        const float *const bi = s->rect + (size_t)i * nb;
        for (int j = 0; j < nb; j++) {
            float t = bi[j];
            for (int k = i + 1; k < N; k++)
                t -= x[(size_t)k * nb + j] * r[i * N + k];
            xi[j] = t / den;
        }
    }
    return 0;
}

/* Tridiagonalisation by Householder reflections (GSL's symmtd, as libvmaf
 * adapted it): d gets the diagonal, sd the subdiagonal. a is destroyed. */
static void tridiagonalise(float *const a, float *const d, float *const sd, float *const v,
                           float *const x)
{
    for (int i = 0; i < N - 2; i++) {
        const int c = i, r0 = i + 1;
        float tau = 0.0f;
        if (N - r0 != 1) {
            float xn = 0;
            for (int l = r0 + 1; l < N; l++)
                xn += a[l * N + c] * a[l * N + c];
            xn = (float)sqrt(xn);
            if (xn != 0.0f) {
                const float alpha = a[r0 * N + c];
                const float beta = -sign_of(alpha) * hypot_f(alpha, xn);
                tau = (beta - alpha) / beta;
                const float sc = alpha - beta;
                if (sc != 0.0f) {
                    for (int l = r0; l < N; l++)
                        a[l * N + c] /= sc;
                    a[r0 * N + c] = beta;
                }
            }
        }
        for (int j = r0; j < N; j++)
            v[j] = a[j * N + i];
        if (tau == 0.0f)
            continue;
        a[r0 * N + i] = v[r0];
        v[r0] = 1.0f;
        for (int l = r0; l < N; l++) {
            x[l] = 0.0f;
            for (int j = r0; j < N; j++)
                x[l] += tau * a[l * N + j] * v[j];
        }
        float xv = 0;
        for (int l = r0; l < N; l++)
            xv += x[l] * v[l];
        const float alpha = (float)(-0.5 * tau * xv);
        for (int l = r0; l < N; l++)
            x[l] += alpha * v[l];
        for (int l = r0; l < N; l++)
            for (int j = r0; j < N; j++)
                a[l * N + j] -= x[l] * v[j] + v[l] * x[j];
    }
    for (int i = 0; i < N; i++)
        d[i] = a[i * N + i];
    for (int i = 0; i < N - 1; i++)
        sd[i] = a[(i + 1) * N + i];
}

static void chop(const float *const d, float *const sd, const int n)
{
    for (int i = 0; i < n - 1; i++)
        if (fabsf(sd[i]) < EIG_EPS * (fabsf(d[i]) + fabsf(d[i + 1])))
            sd[i] = 0.0f;
}

static void givens(const float a, const float b, float *const c, float *const s)
{
    if (b == 0) {
        *c = 1;
        *s = 0;
    } else if (fabsf(b) > fabsf(a)) {
        const float t = -a / b;
        const float s1 = (float)(1.0 / sqrt(1 + t * t));
        *s = s1;
        *c = s1 * t;
    } else {
        const float t = -b / a;
        const float c1 = (float)(1.0 / sqrt(1 + t * t));
        *c = c1;
        *s = c1 * t;
    }
}

/* One implicit symmetric QR step with Wilkinson shift on the unreduced
 * block d[0..n-1], sd[0..n-2] (GSL's qrstep). */
static void qr_step(float *const d, float *const sd, const int n)
{
    float mu;
    {
        const float ta = d[n - 2], tb = d[n - 1], tab = sd[n - 2];
        const float dt = (float)((ta - tb) / 2.0);
        if (dt > 0)
            mu = tb - tab * (tab / (dt + hypot_f(dt, tab)));
        else if (dt == 0)
            mu = tb - fabsf(tab);
        else
            mu = tb + tab * (tab / (-dt + hypot_f(dt, tab)));
    }
    if (EIG_EPS * fabsf(mu) > fabsf(d[0]) + fabsf(sd[0]))
        mu = 0;

    float x = d[0] - mu, z = sd[0];
    float bk = 0, zk = 0;
    float ap = d[0], bp = sd[0], aq = d[1];

    if (n == 2) {
        float c, s;
        givens(x, z, &c, &s);
        const float ap1 = c * (c * ap - s * bp) + s * (s * aq - c * bp);
        const float bp1 = c * (s * ap + c * bp) - s * (s * bp + c * aq);
        const float aq1 = s * (s * ap + c * bp) + c * (s * bp + c * aq);
        d[0] = ap1;
        sd[0] = bp1;
        d[1] = aq1;
        return;
    }

    float bq = sd[1];
    for (int k = 0; k < n - 1; k++) {
        float c, s;
        givens(x, z, &c, &s);
        const float bk1 = c * bk - s * zk;
        const float ap1 = c * (c * ap - s * bp) + s * (s * aq - c * bp);
        const float bp1 = c * (s * ap + c * bp) - s * (s * bp + c * aq);
        const float zp1 = -s * bq;
        const float aq1 = s * (s * ap + c * bp) + c * (s * bp + c * aq);
        const float bq1 = c * bq;
        const float ak = ap1;
        bk = bp1;
        zk = zp1;
        ap = aq1;
        bp = bq1;
        if (k < n - 2)
            aq = d[k + 2];
        if (k < n - 3)
            bq = sd[k + 2];
        d[k] = ak;
        if (k > 0)
            sd[k - 1] = bk1;
        if (k < n - 2)
            sd[k + 1] = bp;
        x = bk;
        z = zk;
    }
    d[n - 1] = ap;
    sd[n - 2] = bk;
}

/* Eigenvalues of the symmetric N x N matrix a, unsorted (GSL's symm). */
static void eigenvalues(TvmafSpeedChroma *const s, const float *const a, float *const ev)
{
    float *const t = s->mat[4];
    float *const d = s->vec, *const sd = s->vec + N, *const v = s->vec + 2 * N,
                 *const x = s->vec + 3 * N;
    memcpy(t, a, sizeof(float) * N * N);
    tridiagonalise(t, d, sd, v, x);
    chop(d, sd, N);
    int b = N - 1, iter = 0;
    while (b > 0 && iter < EIG_MAX_ITERS) {
        if (sd[b - 1] == 0.0f) {
            b--;
            continue;
        }
        int a0 = b - 1;
        while (a0 > 0 && sd[a0 - 1] != 0.0f)
            a0--;
        qr_step(d + a0, sd + a0, b - a0 + 1);
        chop(d + a0, sd + a0, b - a0 + 1);
        iter++;
    }
    memcpy(ev, d, sizeof(float) * N);
}

/* ---------------- SpEED statistics ---------------- */

static double log2_2pie(void)
{
    return log2(2 * SPEED_PI * SPEED_E);
}

/*
 * libvmaf's est_params on the mean-subtracted decimated plane s->dec: the
 * 25x25 covariance of 5x5 neighbourhoods, its eigenvalues, the per-block
 * variance estimate S (solution of K X = Y, then sum of X .* Y / 25) and the
 * per-block entropy. Returns -EINVAL when K is singular (S is then 0).
 */
static int est_params(TvmafSpeedChroma *const s, Results *const out)
{
    const Dims *const d = &s->d;
    const float *const data = s->dec;
    const int st = d->ow, nb = d->nb;
    const float cnt = (float)((size_t)d->mw * d->mh);

    /* Offset of each of the 25 shifted windows; the 25 sums advance together,
     * each still over its window in row-major order. */
    ptrdiff_t off[N];
    float sum[N];
    for (int o = 0; o < N; o++) {
        off[o] = (ptrdiff_t)(o / TVMAF_SPEED_BLOCK) * st + o % TVMAF_SPEED_BLOCK;
        sum[o] = 0;
    }
    for (int i = 0; i < d->mh; i++)
        for (int j = 0; j < d->mw; j++) {
            const float *const p = data + (size_t)i * st + j;
            for (int o = 0; o < N; o++)
                sum[o] += p[off[o]];
        }
    for (int o = 0; o < N; o++)
        s->means[o] = sum[o] / cnt;
    memset(s->acc, 0, sizeof(double) * N * TVMAF_SPEED_PITCH);
    for (int i = 0; i < d->mh; i++) {
        for (int j = 0; j < d->mw; j++) {
            double *const cj = s->centred + (size_t)j * TVMAF_SPEED_PITCH;
            const float *const p = data + (size_t)i * st + j;
            for (int o = 0; o < N; o++)
                cj[o] = (double)p[off[o]] - (double)s->means[o];
        }
        s->dsp.cov_row(s->acc, s->centred, d->mw);
    }
    const double dcnt = (double)((size_t)d->mw * d->mh);
    for (int x = 0; x < N; x++)
        for (int y = 0; y <= x; y++)
            s->cov[x * N + y] = s->cov[y * N + x] =
                (float)(s->acc[x * TVMAF_SPEED_PITCH + y] / dcnt);

    eigenvalues(s, s->cov, s->eig);

    for (int o = 0; o < N; o++) {
        const int r = o / TVMAF_SPEED_BLOCK, c = o % TVMAF_SPEED_BLOCK;
        float *const row = s->indep + (size_t)o * nb;
        for (int bi = 0; bi < d->bh; bi++)
            for (int bj = 0; bj < d->bw; bj++)
                row[bi * d->bw + bj] =
                    data[(size_t)(bi * TVMAF_SPEED_BLOCK + r) * st + bj * TVMAF_SPEED_BLOCK + c];
    }

    bool regular = true;
    for (int k = 0; k < N; k++)
        if (s->eig[k] < EIG_EPS)
            regular = false;
    int err = regular ? solve(s, s->cov, s->indep, s->sol, nb) : 0;
    const bool singular = !regular || err;
    if (singular)
        memset(s->sol, 0, sizeof(float) * N * nb);

    const float div = (float)N;
    for (size_t k = 0; k < (size_t)N * nb; k++)
        s->sol[k] = (s->sol[k] * s->indep[k]) / div;
    for (int o = 1; o < N; o++)
        for (int b = 0; b < nb; b++)
            s->sol[b] += s->sol[(size_t)o * nb + b];

    const double c2pie = log2_2pie();
    memset(out->entropy, 0, sizeof(float) * nb);
    for (int k = 0; k < N; k++) {
        const float l = s->eig[k] < 0 ? 0 : s->eig[k];
        for (int b = 0; b < nb; b++)
            out->entropy[b] += log2(l * s->sol[b] + s->sigma_nn) + c2pie;
    }
    memcpy(out->variance, s->sol, sizeof(float) * nb);
    return singular ? -EINVAL : 0;
}

static float speed_score(const TvmafSpeedChroma *const s)
{
    const Results *const r = &s->res[0], *const t = &s->res[1];
    const int mode = s->opt.weight_var_mode;
    float score = 0;
    const float base = (float)(N * (log2((1 + s->nn_floor) * s->sigma_nn) + log2_2pie()));
    for (int i = 0; i < s->d.nb; i++) {
        if (r->entropy[i] < base && t->entropy[i] < base)
            continue;
        const float rv = r->variance[i], tv = t->variance[i];
        const float re = r->entropy[i], te = t->entropy[i];
        float sr, sd;
        switch (mode) {
        case 0: sr = re * log2(1 + rv); sd = te * log2(1 + tv); break;
        case 1: sr = re * log2(1 + rv); sd = te * log2(1 + rv); break;
        case 2: sr = re * log2(1 + tv); sd = te * log2(1 + tv); break;
        case 3:
            sr = re * log2(1 + (rv + tv) / 2.0);
            sd = te * log2(1 + (rv + tv) / 2.0);
            break;
        case 4: sr = re * log2(1 + rv); sd = te * log2(1 + (rv + tv) / 2.0); break;
        case 5: sr = re * log2(1 + rv); sd = te * log2(1 + (0.75 * rv + 0.25 * tv)); break;
        default: sr = re * log2(1 + rv); sd = te * log2(1 + (0.25 * rv + 0.75 * tv)); break;
        }
        score += fabsf(sr - sd);
    }
    return score / s->d.nb;
}

/* SpEED of one chroma plane pair; non-zero when either covariance matrix
 * is singular (libvmaf then scores 0 unless both are). */
static int plane_score(TvmafSpeedChroma *const s, const TvmafPlane *const ref,
                       const TvmafPlane *const dis, float *const score)
{
    decimate(s, ref);
    const int er = est_params(s, &s->res[0]);
    decimate(s, dis);
    const int ed = est_params(s, &s->res[1]);
    *score = (!er) != (!ed) ? 0.0f : speed_score(s);
    return er || ed;
}

/* ---------------- instance ---------------- */

static size_t take(TvmafArena *const a, const size_t n, const size_t elem)
{
    return tvmaf_arena_take(a, n, elem, 64);
}

static bool valid_kernelscale(const float ks)
{
    for (size_t i = 0; i < sizeof(kernelscales) / sizeof(kernelscales[0]); i++)
        if (fabsf(ks - kernelscales[i]) < 1e-3)
            return true;
    return false;
}

static bool valid_options(const TvmafSpeedChromaOptions *const o)
{
    return o->kernelscale >= 0.1 && o->kernelscale <= 4.0 &&
           valid_kernelscale((float)o->kernelscale) && o->prescale >= 0.1 &&
           o->prescale <= 4.0 && o->prescale_method >= TVMAF_SPEED_SCALE_NEAREST &&
           o->prescale_method <= TVMAF_SPEED_SCALE_LANCZOS4 && o->sigma_nn >= 0.1 &&
           o->sigma_nn <= 2.0 && o->nn_floor >= 0.0 && o->nn_floor <= 1.0 &&
           o->max_val >= 0.0 && o->max_val <= 1000.0 && o->weight_var_mode >= 0 &&
           o->weight_var_mode <= 6;
}

/* Where init's buffers lie in its one allocation (byte offsets). */
typedef struct Plan {
    TvmafSpeedChromaOptions o;
    Dims d;
    bool prescaled;
    int aa_n;
    size_t cols, src, tap[FILTER_MAX], vrow, x1, x2, dx, dec, blur, cen, acc, ind, sol, rect;
    size_t res[2][2];
    size_t bytes; /* the allocation's size */
} Plan;

/* Checks the arguments and lays out the buffers: what init allocates and
 * tvmaf_speed_chroma_scratch_size() counts. */
static int plan(Plan *const p, const int w, const int h, const int bpc,
                const enum TvmafPixelLayout layout, const TvmafSpeedChromaOptions *const opt)
{
    TvmafSpeedChromaOptions o;
    if (opt)
        o = *opt;
    else
        tvmaf_option_defaults(tvmaf_speed_chroma_options, &o);
    if (!valid_options(&o) || w < 1 || h < 1 || w > MAX_PLANE || h > MAX_PLANE)
        return TVMAF_ERR(EINVAL);
    if (bpc != 8 && bpc != 10 && bpc != 12 && bpc != 16)
        return TVMAF_ERR(EINVAL);

    Dims d = { 0 };
    switch (layout) {
    case TVMAF_PIX_LAYOUT_420: d.w = w / 2; d.h = h / 2; break;
    case TVMAF_PIX_LAYOUT_422: d.w = w / 2; d.h = h; break;
    case TVMAF_PIX_LAYOUT_444: d.w = w; d.h = h; break;
    default: return TVMAF_ERR(EINVAL);
    }
    /* libvmaf skips the prescale within 1e-3 of 1 but still sizes the plane
     * by it; where that rounds to another size it reads samples it never
     * wrote. Here such a prescale keeps the plane size. */
    const bool prescaled = fabs(o.prescale - 1.0) >= 1e-3;
    d.sw = prescaled ? (int)(d.w * o.prescale + 0.5) : d.w;
    d.sh = prescaled ? (int)(d.h * o.prescale + 0.5) : d.h;
    d.ow = d.sw >> SCALES;
    d.oh = d.sh >> SCALES;
    d.bw = d.ow / TVMAF_SPEED_BLOCK;
    d.bh = d.oh / TVMAF_SPEED_BLOCK;
    if (d.bw < 1 || d.bh < 1)
        return TVMAF_ERR(EINVAL);
    d.nb = d.bw * d.bh;
    d.mw = d.bw * TVMAF_SPEED_BLOCK - TVMAF_SPEED_BLOCK + 1;
    d.mh = d.bh * TVMAF_SPEED_BLOCK - TVMAF_SPEED_BLOCK + 1;
    p->o = o;
    p->d = d;
    p->prescaled = prescaled;
    p->aa_n = filter_size(1, (float)o.kernelscale);

    TvmafArena ar = { 0, 0 };
    p->cols = take(&ar, (size_t)d.ow * p->aa_n, sizeof(int));
    p->src = prescaled ? take(&ar, (size_t)d.w * d.h, sizeof(float)) : 0;
    for (int k = 0; k < p->aa_n; k++)
        p->tap[k] = take(&ar, (size_t)d.sw + TVMAF_SPEED_SLACK, sizeof(float));
    p->vrow = take(&ar, (size_t)d.sw + TVMAF_SPEED_SLACK, sizeof(float));
    p->x1 = take(&ar, (size_t)d.sw * 9, sizeof(int));
    p->x2 = take(&ar, d.sw, sizeof(int));
    p->dx = take(&ar, (size_t)d.sw * 9, sizeof(float));
    p->dec = take(&ar, (size_t)d.ow * d.oh, sizeof(float));
    p->blur = take(&ar, (size_t)d.ow * d.oh, sizeof(float));
    p->cen = take(&ar, (size_t)d.mw * TVMAF_SPEED_PITCH, sizeof(double));
    p->acc = take(&ar, (size_t)N * TVMAF_SPEED_PITCH, sizeof(double));
    p->ind = take(&ar, (size_t)N * d.nb, sizeof(float));
    p->sol = take(&ar, (size_t)N * d.nb, sizeof(float));
    p->rect = take(&ar, (size_t)N * d.nb, sizeof(float));
    for (int k = 0; k < 2; k++)
        for (int l = 0; l < 2; l++)
            p->res[k][l] = take(&ar, d.nb, sizeof(float));
    if (ar.overflow)
        return TVMAF_ERR(EINVAL);
    p->bytes = ar.off;
    return 0;
}

size_t tvmaf_speed_chroma_scratch_size(const int w, const int h, const int bpc,
                                       const enum TvmafPixelLayout layout,
                                       const TvmafSpeedChromaOptions *const opt)
{
    Plan p;
    if (plan(&p, w, h, bpc, layout, opt))
        return 0;
    return sizeof(TvmafSpeedChroma) + p.bytes;
}

int tvmaf_speed_chroma_init(TvmafSpeedChroma **const out, const int w, const int h,
                            const int bpc, const enum TvmafPixelLayout layout,
                            const TvmafSpeedChromaOptions *const opt, const unsigned cpu_flags)
{
    if (!out)
        return TVMAF_ERR(EINVAL);
    *out = NULL;
    Plan p;
    const int err = plan(&p, w, h, bpc, layout, opt);
    if (err)
        return err;
    const TvmafSpeedChromaOptions o = p.o;
    const Dims d = p.d;
    const bool prescaled = p.prescaled;

    TvmafSpeedChroma *const s = calloc(1, sizeof(*s));
    if (!s)
        return TVMAF_ERR(ENOMEM);
    s->opt = o;
    s->d = d;
    s->bpc = bpc;
    s->layout = layout;
    s->prescaled = prescaled;
    s->sigma_nn = (float)o.sigma_nn;
    s->nn_floor = (float)o.nn_floor;
    tvmaf_speed_dsp_init(&s->dsp, cpu_flags);

    s->aa_n = p.aa_n;
    s->f4_n = filter_size(SCALES, (float)o.kernelscale);
    /* The anti-alias kernel has scale 1's size and a sigma sqrt(4) times as
     * wide (libvmaf's "sigma trick" for going straight to scale 4). */
    gaussian(s->aa, s->aa_n, (float)(sqrt(SCALES) * s->aa_n / 5.0f));
    gaussian(s->f4, s->f4_n, s->f4_n / 5.0f);

    char *const m = s->mem = aligned_alloc(64, p.bytes);
    if (!m) {
        free(s);
        return TVMAF_ERR(ENOMEM);
    }
    memset(m, 0, p.bytes);
    s->aa_cols = (int *)(m + p.cols);
    s->src = prescaled ? (float *)(m + p.src) : NULL;
    for (int k = 0; k < s->aa_n; k++)
        s->tap[k] = (float *)(m + p.tap[k]);
    s->vrow = (float *)(m + p.vrow);
    s->x1 = (int *)(m + p.x1);
    s->x2 = (int *)(m + p.x2);
    s->dx = (float *)(m + p.dx);
    s->dec = (float *)(m + p.dec);
    s->blur = (float *)(m + p.blur);
    s->centred = (double *)(m + p.cen);
    s->acc = (double *)(m + p.acc);
    s->indep = (float *)(m + p.ind);
    s->sol = (float *)(m + p.sol);
    s->rect = (float *)(m + p.rect);
    for (int k = 0; k < 2; k++) {
        s->res[k].entropy = (float *)(m + p.res[k][0]);
        s->res[k].variance = (float *)(m + p.res[k][1]);
    }

    for (int j = 0; j < d.ow; j++)
        for (int k = 0; k < s->aa_n; k++)
            s->aa_cols[(size_t)j * s->aa_n + k] = mirror_idx(16 * j - s->aa_n / 2 + k, d.sw);
    const float rx = (float)d.w / d.sw;
    for (int x = 0; prescaled && x < d.sw; x++) {
        const float xx = (float)((x + 0.5) * rx - 0.5);
        if (o.prescale_method == TVMAF_SPEED_SCALE_BILINEAR) {
            s->x1[x] = (int)mirror_f((float)floor(xx), 0, (float)(d.w - 1));
            s->x2[x] = (int)mirror_f((float)ceil(xx), 0, (float)(d.w - 1));
            s->dx[x] = xx - s->x1[x];
        } else if (o.prescale_method != TVMAF_SPEED_SCALE_NEAREST) {
            const int taps = kernel_taps(o.prescale_method);
            kernel_at(o.prescale_method, xx, d.w, s->dx + (size_t)x * taps,
                      s->x1 + (size_t)x * taps);
        }
    }
    *out = s;
    return 0;
}

static bool plane_ok(const TvmafSpeedChroma *const s, const TvmafPlane *const p)
{
    return p->data && p->bpc == s->bpc && p->w >= s->d.w && p->h >= s->d.h &&
           p->stride >= (ptrdiff_t)s->d.w * (s->bpc > 8 ? 2 : 1);
}

int tvmaf_speed_chroma_compute(TvmafSpeedChroma *const s, const TvmafPlane ref[3],
                               const TvmafPlane dis[3], double out[3])
{
    if (!s || !ref || !dis || !out)
        return TVMAF_ERR(EINVAL);
    for (int c = 1; c < 3; c++)
        if (!plane_ok(s, &ref[c]) || !plane_ok(s, &dis[c]))
            return TVMAF_ERR(EINVAL);
    float u, v;
    const int eu = plane_score(s, &ref[1], &dis[1], &u);
    const int ev = plane_score(s, &ref[2], &dis[2], &v);
    /* A flat plane has a singular covariance; then uv is the other plane's
     * score rather than a mean with an arbitrary value. */
    float uv;
    if (eu && !ev)
        uv = v;
    else if (ev && !eu)
        uv = u;
    else
        uv = (float)((u + v) / 2.0);
    const double mx = s->opt.max_val;
    out[0] = u < mx ? u : mx;
    out[1] = v < mx ? v : mx;
    out[2] = uv < mx ? uv : mx;
    return 0;
}

void tvmaf_speed_chroma_free(TvmafSpeedChroma **const s)
{
    if (!s || !*s)
        return;
    free((*s)->mem);
    free(*s);
    *s = NULL;
}
