#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal_api.h"
#include "rng.h"
#include "train.h"

#if defined(__GNUC__)
#  define PREFETCH(p) __builtin_prefetch(p)
#else
#  define PREFETCH(p) ((void)0)
#endif

/* Stream ids for tvmaf_rng_seed(): one per use of the seed. */
#define STREAM_INIT 1
#define STREAM_SHUFFLE 2

void tvmaf_recipe_default(TvmafRecipe *const r)
{
    memset(r, 0, sizeof(*r));
    tvmaf_recipe_set_arch(r, "mlp_medium");
    r->epochs = 90;
    r->batch = 256;
    r->lr = 1e-3;
    r->beta1 = 0.9;
    r->beta2 = 0.999;
    r->eps = 1e-8;
    r->seed = 0;
}

int tvmaf_recipe_set_arch(TvmafRecipe *const r, const char *const name)
{
    static const struct {
        const char *name;
        int n;
        int hidden[3];
    } archs[] = {
        { "mlp_small", 2, { 16, 8 } },
        { "mlp_medium", 2, { 32, 16 } },
        { "mlp_large", 3, { 64, 32, 16 } },
    };
    for (size_t a = 0; a < sizeof(archs) / sizeof(archs[0]); a++) {
        if (strcmp(name, archs[a].name))
            continue;
        snprintf(r->arch, sizeof(r->arch), "%s", archs[a].name);
        r->n_hidden = archs[a].n;
        for (int i = 0; i < archs[a].n; i++)
            r->hidden[i] = archs[a].hidden[i];
        return 0;
    }
    return TVMAF_ERR(EINVAL);
}

int tvmaf_recipe_set_hidden(TvmafRecipe *const r, const char *const list)
{
    int hidden[TVMAF_TRAIN_MAX_HIDDEN], n = 0;
    const char *p = list;
    for (;;) {
        char *end;
        errno = 0;
        const long v = strtol(p, &end, 10);
        if (end == p || errno || v < 1 || v > TVMAF_TRAIN_MAX_WIDTH || n == TVMAF_TRAIN_MAX_HIDDEN)
            return TVMAF_ERR(EINVAL);
        hidden[n++] = (int)v;
        if (*end == '\0')
            break;
        if (*end != ',')
            return TVMAF_ERR(EINVAL);
        p = end + 1;
    }
    snprintf(r->arch, sizeof(r->arch), "custom");
    memcpy(r->hidden, hidden, sizeof(hidden[0]) * n);
    r->n_hidden = n;
    return 0;
}

int tvmaf_mlp_alloc(TvmafMlp *const m, const int n_in, const int *const hidden,
                    const int n_hidden)
{
    memset(m, 0, sizeof(*m));
    if (n_in < 1 || n_in > TVMAF_TRAIN_MAX_FEATURES || n_hidden < 0 ||
        n_hidden > TVMAF_TRAIN_MAX_HIDDEN)
        return TVMAF_ERR(EINVAL);
    m->n_in = n_in;
    m->n_layers = n_hidden + 1;
    m->width[0] = n_in;
    for (int l = 0; l < n_hidden; l++) {
        if (hidden[l] < 1 || hidden[l] > TVMAF_TRAIN_MAX_WIDTH)
            return TVMAF_ERR(EINVAL);
        m->width[l + 1] = hidden[l];
    }
    m->width[m->n_layers] = 1;
    size_t n = 0;
    for (int l = 0; l < m->n_layers; l++)
        n += (size_t)m->width[l + 1] * (m->width[l] + 1);
    m->params = calloc(n, sizeof(float));
    if (!m->params)
        return TVMAF_ERR(ENOMEM);
    m->n_params = n;
    /* PyTorch's parameters() order: each layer's weight, then its bias. */
    float *p = m->params;
    for (int l = 0; l < m->n_layers; l++) {
        m->w[l] = p;
        p += (size_t)m->width[l + 1] * m->width[l];
        m->b[l] = p;
        p += m->width[l + 1];
    }
    for (int i = 0; i < n_in; i++) {
        m->mean[i] = 0.0;
        m->std[i] = 1.0;
        m->meanf[i] = 0.0f;
        m->stdf[i] = 1.0f;
    }
    return 0;
}

void tvmaf_mlp_free(TvmafMlp *const m)
{
    if (!m)
        return;
    free(m->params);
    memset(m, 0, sizeof(*m));
}

/* sklearn's StandardScaler: population std, and 1 where a feature is
 * (numerically) constant so the division stays finite. */
static void fit_scaler(TvmafMlp *const m, const float *const x, const size_t n, const int k)
{
    for (int i = 0; i < k; i++) {
        double s = 0.0;
        for (size_t r = 0; r < n; r++)
            s += x[r * k + i];
        const double mean = s / (double)n;
        double ss = 0.0;
        for (size_t r = 0; r < n; r++) {
            const double d = x[r * k + i] - mean;
            ss += d * d;
        }
        double sd = sqrt(ss / (double)n);
        if (!(sd >= 1e-8))
            sd = 1.0;
        m->mean[i] = mean;
        m->std[i] = sd;
        m->meanf[i] = (float)mean;
        m->stdf[i] = (float)sd;
    }
}

/* The graph's Sub then Div, in float32, so training sees exactly the
 * inputs the exported model will compute. */
static inline float standardise(const TvmafMlp *const m, const float v, const int i)
{
    return (v - m->meanf[i]) / m->stdf[i];
}

/* nn.Linear.reset_parameters(): kaiming_uniform_(a=sqrt(5)) on the weight,
 * which works out to U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and the same
 * bound for the bias. Drawn layer by layer, weight before bias. */
static void init_params(TvmafMlp *const m, const uint64_t seed)
{
    TvmafRng rng;
    tvmaf_rng_seed(&rng, seed, STREAM_INIT);
    for (int l = 0; l < m->n_layers; l++) {
        const double bound = 1.0 / sqrt((double)m->width[l]);
        const size_t nw = (size_t)m->width[l + 1] * m->width[l];
        for (size_t j = 0; j < nw; j++)
            m->w[l][j] = (float)(-bound + 2.0 * bound * tvmaf_rng_double(&rng));
        for (int j = 0; j < m->width[l + 1]; j++)
            m->b[l][j] = (float)(-bound + 2.0 * bound * tvmaf_rng_double(&rng));
    }
}

/* Per-batch activations and gradients, feature-major (model/mlp.h). */
typedef struct Work {
    int stride;
    float *act[TVMAF_TRAIN_MAX_HIDDEN + 2];  /* act[0] = scaled input, act[L] = output */
    float *grad[TVMAF_TRAIN_MAX_HIDDEN + 2]; /* d loss / d pre-activation of layer l */
    float *block;
} Work;

static int work_alloc(Work *const w, const TvmafMlp *const m, const int batch, const int grads)
{
    memset(w, 0, sizeof(*w));
    w->stride = (batch + TVMAF_MLP_TILE - 1) / TVMAF_MLP_TILE * TVMAF_MLP_TILE;
    size_t units = 0;
    for (int l = 0; l <= m->n_layers; l++)
        units += (size_t)m->width[l] * (grads && l ? 2 : 1);
    w->block = aligned_alloc(64, units * w->stride * sizeof(float));
    if (!w->block)
        return TVMAF_ERR(ENOMEM);
    /* Padding rows must hold finite values: they flow through the kernels
     * (their gradient is zero, so they never reach a parameter). */
    memset(w->block, 0, units * w->stride * sizeof(float));
    float *p = w->block;
    for (int l = 0; l <= m->n_layers; l++) {
        w->act[l] = p;
        p += (size_t)m->width[l] * w->stride;
        if (grads && l) {
            w->grad[l] = p;
            p += (size_t)m->width[l] * w->stride;
        }
    }
    return 0;
}

static void work_free(Work *const w)
{
    free(w->block);
    w->block = NULL;
}

/* Each layer is the tiny interpreter's Gemm kernel (model/mlp.h) on the
 * transposed problem: act[l+1] [out][stride] = W [out][in] x act[l]
 * [in][stride], bias per row, so an exported model computes these bits. */
static void forward(const TvmafMlpDSPContext *const dsp, const TvmafMlp *const m,
                    const Work *const w)
{
    for (int l = 0; l < m->n_layers; l++)
        dsp->gemm(w->act[l + 1], m->w[l], m->width[l], 1, w->act[l], m->width[l + 1],
                  m->width[l], w->stride, m->b[l], 1, l + 1 < m->n_layers);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int tvmaf_mlp_train(TvmafMlp *const m, const float *const x, const float *const y, const size_t n,
                    const int k, const TvmafRecipe *const rc, const TvmafTrainProgress progress,
                    void *const cookie, double *const final_loss, const TvmafLogger *const log)
{
    int ret;
    float *xs = NULL, *grad = NULL, *adam_m = NULL, *adam_v = NULL;
    uint32_t *perm = NULL;
    Work w = { 0 };
    memset(m, 0, sizeof(*m));

    if (!n || n > TVMAF_TRAIN_MAX_ROWS || rc->epochs < 1 || rc->epochs > TVMAF_TRAIN_MAX_EPOCHS ||
        rc->batch < 1 || rc->batch > TVMAF_TRAIN_MAX_BATCH || !(rc->lr > 0.0) ||
        !(rc->beta1 >= 0.0 && rc->beta1 < 1.0) || !(rc->beta2 >= 0.0 && rc->beta2 < 1.0) ||
        !(rc->eps > 0.0)) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "invalid training recipe or empty training set");
        return TVMAF_ERR(EINVAL);
    }
    if ((ret = tvmaf_mlp_alloc(m, k, rc->hidden, rc->n_hidden)) < 0) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "invalid network shape");
        return ret;
    }
    fit_scaler(m, x, n, k);
    init_params(m, rc->seed);

    const int batch = (size_t)rc->batch < n ? rc->batch : (int)n;
    ret = TVMAF_ERR(ENOMEM);
    xs = malloc(sizeof(float) * n * k);
    perm = malloc(sizeof(uint32_t) * n);
    grad = calloc(m->n_params, sizeof(float));
    adam_m = calloc(m->n_params, sizeof(float));
    adam_v = calloc(m->n_params, sizeof(float));
    if (!xs || !perm || !grad || !adam_m || !adam_v || work_alloc(&w, m, batch, 1) < 0) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "out of memory");
        goto fail;
    }
    for (size_t r = 0; r < n; r++)
        for (int i = 0; i < k; i++)
            xs[r * k + i] = standardise(m, x[r * k + i], i);
    for (size_t r = 0; r < n; r++)
        perm[r] = (uint32_t)r;

    TvmafMlpDSPContext dsp;
    tvmaf_mlp_dsp_init(&dsp, tvmaf_cpu_flags_usable(rc->cpu_mask));

    /* Gradient slices in the same layout as m->params. */
    float *gw[TVMAF_TRAIN_MAX_HIDDEN + 1], *gb[TVMAF_TRAIN_MAX_HIDDEN + 1];
    for (int l = 0; l < m->n_layers; l++) {
        gw[l] = grad + (m->w[l] - m->params);
        gb[l] = grad + (m->b[l] - m->params);
    }

    TvmafRng rng;
    tvmaf_rng_seed(&rng, rc->seed, STREAM_SHUFFLE);
    const int L = m->n_layers, S = w.stride;
    const float beta1 = (float)rc->beta1, beta2 = (float)rc->beta2;
    const float one_m_beta1 = (float)(1.0 - rc->beta1), one_m_beta2 = (float)(1.0 - rc->beta2);
    const float eps = (float)rc->eps;
    uint64_t step = 0;
    double loss_epoch = 0.0;

    for (int ep = 0; ep < rc->epochs; ep++) {
        const double t0 = progress ? now_s() : 0.0;
        tvmaf_rng_shuffle(&rng, perm, n);
        double loss_sum = 0.0;
        size_t n_batches = 0;
        for (size_t start = 0; start < n; start += batch) {
            const int nb = (int)(n - start < (size_t)batch ? n - start : (size_t)batch);
            const uint32_t *const idx = perm + start;
            /* Rows are scattered over the whole table: fetch the next
             * batch's rows now, so the misses overlap this batch's math. */
            const size_t next_end = start + 2 * (size_t)batch < n ? start + 2 * (size_t)batch : n;
            for (size_t j = start + nb; j < next_end; j++) {
                PREFETCH(xs + (size_t)perm[j] * k);
                PREFETCH(y + perm[j]);
            }
            for (int b = 0; b < nb; b++) {
                const float *const row = xs + (size_t)idx[b] * k;
                for (int i = 0; i < k; i++)
                    w.act[0][(size_t)i * S + b] = row[i];
            }
            for (int i = 0; i < k; i++)
                for (int b = nb; b < S; b++)
                    w.act[0][(size_t)i * S + b] = 0.0f;
            forward(&dsp, m, &w);

            /* MSELoss(reduction='mean') backward: 2 (y' - y) / nb, in
             * float32 like ATen's mse_loss_backward. */
            const float norm = 2.0f / (float)nb;
            const float *const out = w.act[L];
            float *const g = w.grad[L];
            double loss = 0.0;
            for (int b = 0; b < nb; b++) {
                const float d = out[b] - y[idx[b]];
                loss += (double)d * d;
                g[b] = norm * d;
            }
            for (int b = nb; b < S; b++)
                g[b] = 0.0f;
            loss_sum += loss / nb;
            n_batches++;

            for (int l = L - 1; l >= 0; l--) {
                dsp.dw(gw[l], gb[l], w.grad[l + 1], w.act[l], m->width[l], m->width[l + 1], S);
                if (l)
                    dsp.dx(w.grad[l], m->w[l], w.grad[l + 1], w.act[l], m->width[l],
                           m->width[l + 1], S);
            }

            /* torch.optim.Adam (single-tensor path, torch 1.13), float32
             * state, scalars formed in double then rounded. */
            step++;
            const double bc1 = 1.0 - pow(rc->beta1, (double)step);
            const double bc2 = 1.0 - pow(rc->beta2, (double)step);
            const float step_size = (float)(rc->lr / bc1);
            const float bc2_sqrt = (float)sqrt(bc2);
            dsp.adam(m->params, adam_m, adam_v, grad, m->n_params, beta1, one_m_beta1, beta2,
                     one_m_beta2, step_size, bc2_sqrt, eps);
        }
        loss_epoch = loss_sum / (double)n_batches;
        if (progress) {
            const double dt = now_s() - t0;
            progress(cookie, ep + 1, rc->epochs, loss_epoch, dt > 0.0 ? (double)n / dt : 0.0);
        }
    }
    if (final_loss)
        *final_loss = loss_epoch;
    ret = 0;
fail:
    work_free(&w);
    free(xs);
    free(perm);
    free(grad);
    free(adam_m);
    free(adam_v);
    if (ret < 0)
        tvmaf_mlp_free(m);
    return ret;
}

int tvmaf_mlp_predict(const TvmafMlp *const m, const float *const x, const size_t n,
                      float *const out, const unsigned cpu_mask)
{
    enum { CHUNK = 256 };
    Work w;
    if (work_alloc(&w, m, CHUNK, 0) < 0)
        return TVMAF_ERR(ENOMEM);
    TvmafMlpDSPContext dsp;
    tvmaf_mlp_dsp_init(&dsp, tvmaf_cpu_flags_usable(cpu_mask));
    const int k = m->n_in;
    for (size_t start = 0; start < n; start += CHUNK) {
        const int nb = (int)(n - start < CHUNK ? n - start : CHUNK);
        for (int i = 0; i < k; i++) {
            float *const dst = w.act[0] + (size_t)i * w.stride;
            for (int b = 0; b < nb; b++)
                dst[b] = standardise(m, x[(start + b) * k + i], i);
            for (int b = nb; b < w.stride; b++)
                dst[b] = 0.0f;
        }
        forward(&dsp, m, &w);
        memcpy(out + start, w.act[m->n_layers], sizeof(float) * nb);
    }
    work_free(&w);
    return 0;
}
