/*
 * Training checkpoints: JSON holding the network (float32 weights printed
 * with %.9g, which reads back exactly), the scaler and what the sidecar's
 * provenance needs, so `tinyvmaf export` rebuilds the same ONNX bytes
 * without the corpus.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "internal_api.h"
#include "train.h"

#if TVMAF_HAVE_JANSSON
#include <jansson.h>
#endif

int tvmaf_checkpoint_write(const char *const path, const TvmafMlp *const m,
                           const char *const *const features, const TvmafProvenance *const p,
                           const TvmafLogger *const log)
{
    TvmafStr b = { 0 };
    char hex[65];
    tvmaf_hex(p->data_sha256, 32, hex);
    tvmaf_str_printf(&b, "{\n  \"format\": \"tinyvmaf-checkpoint\",\n  \"version\": 1,\n");
    tvmaf_str_printf(&b, "  \"features\": [");
    for (int i = 0; i < m->n_in; i++) {
        tvmaf_str_printf(&b, "%s", i ? ", " : "");
        tvmaf_str_json_string(&b, features[i]);
    }
    tvmaf_str_printf(&b, "],\n  \"widths\": [");
    for (int l = 0; l <= m->n_layers; l++)
        tvmaf_str_printf(&b, "%s%d", l ? ", " : "", m->width[l]);
    tvmaf_str_printf(&b, "],\n  \"input_mean\": [");
    for (int i = 0; i < m->n_in; i++) {
        tvmaf_str_printf(&b, "%s", i ? ", " : "");
        tvmaf_str_json_double(&b, m->mean[i]);
    }
    tvmaf_str_printf(&b, "],\n  \"input_std\": [");
    for (int i = 0; i < m->n_in; i++) {
        tvmaf_str_printf(&b, "%s", i ? ", " : "");
        tvmaf_str_json_double(&b, m->std[i]);
    }
    tvmaf_str_printf(&b, "],\n  \"params\": [");
    for (size_t j = 0; j < m->n_params; j++)
        tvmaf_str_printf(&b, "%s%.9g", j ? (j % 8 ? ", " : ",\n    ") : "\n    ", m->params[j]);
    tvmaf_str_printf(&b, "\n  ],\n  \"recipe\": {\n");
    tvmaf_json_recipe(&b, p->recipe, "    ");
    tvmaf_str_printf(&b, "  },\n  \"seed\": %llu,\n", (unsigned long long)p->recipe->seed);
    tvmaf_str_printf(&b, "  \"corpus\": {\"file\": ");
    tvmaf_str_json_string(&b, p->data_path);
    tvmaf_str_printf(&b, ", \"sha256\": ");
    tvmaf_str_json_string(&b, hex);
    tvmaf_str_printf(&b, ", \"rows\": %zu, \"target\": ", p->n_rows);
    tvmaf_str_json_string(&b, p->target);
    tvmaf_str_printf(&b, "},\n  \"metrics\": {\"train_plcc\": ");
    tvmaf_str_json_double(&b, p->train->plcc);
    tvmaf_str_printf(&b, ", \"train_srocc\": ");
    tvmaf_str_json_double(&b, p->train->srocc);
    tvmaf_str_printf(&b, ", \"train_rmse\": ");
    tvmaf_str_json_double(&b, p->train->rmse);
    tvmaf_str_printf(&b, ", \"final_epoch_loss\": ");
    tvmaf_str_json_double(&b, p->train_loss);
    tvmaf_str_printf(&b, "}\n}\n");
    int ret;
    if (b.oom) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "out of memory");
        ret = TVMAF_ERR(ENOMEM);
    } else {
        ret = tvmaf_write_file_atomic(path, b.s, b.len, log);
    }
    tvmaf_str_free(&b);
    return ret;
}

#if TVMAF_HAVE_JANSSON
static int json_doubles(const json_t *const a, double *const out, const size_t n)
{
    if (!json_is_array(a) || json_array_size(a) != n)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const json_t *const e = json_array_get(a, i);
        if (!json_is_number(e))
            return -1;
        out[i] = json_number_value(e);
    }
    return 0;
}

#define BAD(...)                                                                           \
    do {                                                                                   \
        tvmaf_log(log, TVMAF_LOG_ERROR, __VA_ARGS__);                                      \
        goto fail;                                                                         \
    } while (0)

int tvmaf_checkpoint_read(TvmafCheckpoint *const ck, const char *const path,
                          const TvmafLogger *const log)
{
    memset(ck, 0, sizeof(*ck));
    json_error_t jerr;
    json_t *const root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    ck->json = root;
    if (!root)
        BAD("%s:%d: %s", path, jerr.line, jerr.text);
    const json_t *const fmt = json_object_get(root, "format");
    const json_t *const widths = json_object_get(root, "widths");
    const json_t *const feats = json_object_get(root, "features");
    const json_t *const params = json_object_get(root, "params");
    const json_t *const rj = json_object_get(root, "recipe");
    const json_t *const corpus = json_object_get(root, "corpus");
    const json_t *const metrics = json_object_get(root, "metrics");
    if (!json_is_string(fmt) || strcmp(json_string_value(fmt), "tinyvmaf-checkpoint") ||
        !json_is_array(widths) || json_array_size(widths) < 2 ||
        json_array_size(widths) > TVMAF_TRAIN_MAX_HIDDEN + 2 || !json_is_array(feats) ||
        !json_is_array(params) || !json_is_object(rj) || !json_is_object(corpus) ||
        !json_is_object(metrics))
        BAD("%s: not a tinyvmaf checkpoint", path);
    const size_t nw = json_array_size(widths);
    int w[TVMAF_TRAIN_MAX_HIDDEN + 2];
    for (size_t l = 0; l < nw; l++) {
        const json_t *const e = json_array_get(widths, l);
        if (!json_is_integer(e) || json_integer_value(e) < 1 ||
            json_integer_value(e) > TVMAF_TRAIN_MAX_WIDTH)
            BAD("%s: bad layer width", path);
        w[l] = (int)json_integer_value(e);
    }
    TvmafMlp *const m = &ck->mlp;
    if (w[nw - 1] != 1 || (size_t)w[0] != json_array_size(feats) ||
        tvmaf_mlp_alloc(m, w[0], w + 1, (int)nw - 2) < 0 || json_array_size(params) != m->n_params)
        BAD("%s: layer widths, features and parameters disagree", path);
    for (int i = 0; i < m->n_in; i++) {
        const json_t *const e = json_array_get(feats, i);
        if (!json_is_string(e))
            BAD("%s: feature names must be strings", path);
        ck->features[i] = json_string_value(e);
    }
    double *const tmp = malloc(sizeof(double) * m->n_params);
    if (!tmp)
        BAD("out of memory");
    const int bad = json_doubles(params, tmp, m->n_params) ||
                    json_doubles(json_object_get(root, "input_mean"), m->mean, m->n_in) ||
                    json_doubles(json_object_get(root, "input_std"), m->std, m->n_in);
    for (size_t j = 0; j < m->n_params && !bad; j++)
        m->params[j] = (float)tmp[j];
    free(tmp);
    if (bad)
        BAD("%s: params, input_mean and input_std must be number arrays", path);
    for (int i = 0; i < m->n_in; i++) {
        m->meanf[i] = (float)m->mean[i];
        m->stdf[i] = (float)m->std[i];
        if (!isfinite(m->stdf[i]) || m->stdf[i] == 0.0f || !isfinite(m->meanf[i]))
            BAD("%s: input_std must be finite and non-zero", path);
    }

    TvmafRecipe *const rc = &ck->recipe;
    tvmaf_recipe_default(rc);
    const json_t *const arch = json_object_get(rj, "arch");
    snprintf(rc->arch, sizeof(rc->arch), "%s",
             json_is_string(arch) ? json_string_value(arch) : "custom");
    rc->n_hidden = (int)nw - 2;
    for (int l = 0; l < rc->n_hidden; l++)
        rc->hidden[l] = w[l + 1];
    rc->epochs = (int)json_integer_value(json_object_get(rj, "epochs"));
    rc->batch = (int)json_integer_value(json_object_get(rj, "batch_size"));
    rc->lr = json_number_value(json_object_get(rj, "lr"));
    rc->beta1 = json_number_value(json_object_get(rj, "beta1"));
    rc->beta2 = json_number_value(json_object_get(rj, "beta2"));
    rc->eps = json_number_value(json_object_get(rj, "eps"));
    rc->seed = (uint64_t)json_integer_value(json_object_get(root, "seed"));

    const json_t *const sha = json_object_get(corpus, "sha256");
    const char *const hex = json_is_string(sha) ? json_string_value(sha) : "";
    if (strlen(hex) != 64)
        BAD("%s: corpus.sha256 must be 64 hex digits", path);
    for (int i = 0; i < 32; i++) {
        unsigned x;
        if (sscanf(hex + 2 * i, "%2x", &x) != 1)
            BAD("%s: corpus.sha256 must be 64 hex digits", path);
        ck->data_sha256[i] = (uint8_t)x;
    }
    const json_t *const file = json_object_get(corpus, "file");
    const json_t *const target = json_object_get(corpus, "target");
    ck->train = (TvmafScores){
        .plcc = json_number_value(json_object_get(metrics, "train_plcc")),
        .srocc = json_number_value(json_object_get(metrics, "train_srocc")),
        .rmse = json_number_value(json_object_get(metrics, "train_rmse")),
    };
    ck->prov = (TvmafProvenance){
        .data_path = json_is_string(file) ? json_string_value(file) : "",
        .data_sha256 = ck->data_sha256,
        .n_rows = (size_t)json_integer_value(json_object_get(corpus, "rows")),
        .recipe = rc,
        .train = &ck->train,
        .train_loss = json_number_value(json_object_get(metrics, "final_epoch_loss")),
        .target = json_is_string(target) ? json_string_value(target) : "vmaf",
    };
    return 0;
fail:
    tvmaf_checkpoint_free(ck);
    return TVMAF_ERR(EBADMSG);
}

void tvmaf_checkpoint_free(TvmafCheckpoint *const ck)
{
    if (!ck)
        return;
    json_decref(ck->json);
    tvmaf_mlp_free(&ck->mlp);
    memset(ck, 0, sizeof(*ck));
}
#else
int tvmaf_checkpoint_read(TvmafCheckpoint *const ck, const char *const path,
                          const TvmafLogger *const log)
{
    memset(ck, 0, sizeof(*ck));
    (void)path;
    tvmaf_log(log, TVMAF_LOG_ERROR, "export needs jansson (built without it)");
    return TVMAF_ERR(ENOTSUP);
}

void tvmaf_checkpoint_free(TvmafCheckpoint *const ck)
{
    if (ck)
        memset(ck, 0, sizeof(*ck));
}
#endif
