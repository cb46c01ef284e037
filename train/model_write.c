/*
 * Writes a trained model: the ONNX file and its sidecar JSON, shaped like
 * upstream's (shared/reference/tiny-upstream/vmaf_tiny_v2.json) plus a
 * `provenance` block saying how the model was made.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "internal_api.h"
#include "train.h"

static void json_doubles(TvmafStr *const b, const double *const v, const int n)
{
    tvmaf_str_printf(b, "[\n");
    for (int i = 0; i < n; i++) {
        tvmaf_str_printf(b, "    ");
        tvmaf_str_json_double(b, v[i]);
        tvmaf_str_printf(b, "%s\n", i + 1 < n ? "," : "");
    }
    tvmaf_str_printf(b, "  ]");
}

static void json_kv_double(TvmafStr *const b, const char *const indent, const char *const key,
                           const double v, const int last)
{
    tvmaf_str_printf(b, "%s", indent);
    tvmaf_str_json_string(b, key);
    tvmaf_str_printf(b, ": ");
    tvmaf_str_json_double(b, v);
    tvmaf_str_printf(b, "%s\n", last ? "" : ",");
}

void tvmaf_json_recipe(TvmafStr *const b, const TvmafRecipe *const r, const char *const ind)
{
    tvmaf_str_printf(b, "%s\"arch\": ", ind);
    tvmaf_str_json_string(b, r->arch);
    tvmaf_str_printf(b, ",\n%s\"hidden\": [", ind);
    for (int i = 0; i < r->n_hidden; i++)
        tvmaf_str_printf(b, "%s%d", i ? ", " : "", r->hidden[i]);
    tvmaf_str_printf(b, "],\n%s\"activation\": \"relu\",\n", ind);
    tvmaf_str_printf(b, "%s\"optimizer\": \"adam\",\n", ind);
    json_kv_double(b, ind, "lr", r->lr, 0);
    json_kv_double(b, ind, "beta1", r->beta1, 0);
    json_kv_double(b, ind, "beta2", r->beta2, 0);
    json_kv_double(b, ind, "eps", r->eps, 0);
    tvmaf_str_printf(b, "%s\"loss\": \"mse\",\n", ind);
    tvmaf_str_printf(b, "%s\"batch_size\": %d,\n", ind, r->batch);
    tvmaf_str_printf(b, "%s\"epochs\": %d,\n", ind, r->epochs);
    tvmaf_str_printf(b, "%s\"shuffle\": \"xoshiro256** Fisher-Yates, fresh per epoch\",\n", ind);
    tvmaf_str_printf(b, "%s\"init\": \"torch.nn.Linear default (U(+-1/sqrt(fan_in)))\",\n", ind);
    tvmaf_str_printf(b, "%s\"scaler\": \"standard (population std, < 1e-8 -> 1)\"\n", ind);
}

static int sidecar_json(TvmafStr *const b, const TvmafMlp *const m,
                        const char *const *const feature_names, const char *const sha_hex,
                        const TvmafProvenance *const p)
{
    const int k = m->n_in;
    tvmaf_str_printf(b, "{\n  \"id\": ");
    tvmaf_str_json_string(b, p->id);
    tvmaf_str_printf(b, ",\n  \"kind\": \"fr\",\n  \"onnx\": ");
    tvmaf_str_json_string(b, p->onnx_name);
    tvmaf_str_printf(b, ",\n  \"opset\": 17,\n  \"sha256\": ");
    tvmaf_str_json_string(b, sha_hex);
    tvmaf_str_printf(b, ",\n");
    tvmaf_str_printf(b, "  \"input_name\": \"features\",\n");
    tvmaf_str_printf(b, "  \"input_shape\": [\n    -1,\n    %d\n  ],\n", k);
    tvmaf_str_printf(b, "  \"output_name\": \"vmaf\",\n");
    tvmaf_str_printf(b, "  \"output_shape\": [\n    -1\n  ],\n");
    tvmaf_str_printf(b, "  \"features\": [\n");
    for (int i = 0; i < k; i++) {
        tvmaf_str_printf(b, "    ");
        tvmaf_str_json_string(b, feature_names[i]);
        tvmaf_str_printf(b, "%s\n", i + 1 < k ? "," : "");
    }
    tvmaf_str_printf(b, "  ],\n  \"input_mean\": ");
    json_doubles(b, m->mean, k);
    tvmaf_str_printf(b, ",\n  \"input_std\": ");
    json_doubles(b, m->std, k);
    tvmaf_str_printf(b, ",\n  \"arch\": ");
    tvmaf_str_json_string(b, p->recipe->arch);
    tvmaf_str_printf(b, ",\n  \"n_params\": %zu,\n  \"notes\": ", m->n_params);
    if (p->notes) {
        tvmaf_str_json_string(b, p->notes);
    } else {
        TvmafStr n = { 0 };
        tvmaf_str_printf(&n, "%s -- %d features + StandardScaler + %s (", p->id, k,
                         p->recipe->arch);
        for (int l = 0; l <= m->n_layers; l++)
            tvmaf_str_printf(&n, "%s%d", l ? "-" : "", m->width[l]);
        tvmaf_str_printf(&n, ", %zu params), %d epochs Adam @ lr=%g, MSE, batch %d, seed %llu. "
                             "Trained by tinyvmaf %s; scaler (mean, std) baked into the ONNX "
                             "graph as initializers so the runtime feeds raw feature values.",
                         m->n_params, p->recipe->epochs, p->recipe->lr, p->recipe->batch,
                         (unsigned long long)p->recipe->seed, TVMAF_VERSION);
        if (n.oom) {
            tvmaf_str_free(&n);
            return TVMAF_ERR(ENOMEM);
        }
        tvmaf_str_json_string(b, n.s);
        tvmaf_str_free(&n);
    }
    char data_hex[65];
    tvmaf_hex(p->data_sha256, 32, data_hex);
    tvmaf_str_printf(b, ",\n  \"provenance\": {\n    \"corpus\": {\n      \"file\": ");
    tvmaf_str_json_string(b, p->data_path);
    tvmaf_str_printf(b, ",\n      \"sha256\": ");
    tvmaf_str_json_string(b, data_hex);
    tvmaf_str_printf(b, ",\n      \"rows\": %zu,\n", p->n_rows);
    tvmaf_str_printf(b, "      \"target\": ");
    tvmaf_str_json_string(b, p->target);
    tvmaf_str_printf(b, "\n    },\n    \"recipe\": {\n");
    tvmaf_json_recipe(b, p->recipe, "      ");
    tvmaf_str_printf(b, "    },\n    \"seed\": %llu,\n", (unsigned long long)p->recipe->seed);
    tvmaf_str_printf(b, "    \"metrics\": {\n");
    json_kv_double(b, "      ", "train_plcc", p->train->plcc, 0);
    json_kv_double(b, "      ", "train_srocc", p->train->srocc, 0);
    json_kv_double(b, "      ", "train_rmse", p->train->rmse, 0);
    json_kv_double(b, "      ", "final_epoch_loss", p->train_loss, 1);
    tvmaf_str_printf(b, "    },\n    \"tool\": {\n      \"name\": \"tinyvmaf\",\n"
                        "      \"version\": ");
    tvmaf_str_json_string(b, TVMAF_VERSION);
    tvmaf_str_printf(b, "\n    }\n  }\n}\n");
    return b->oom ? TVMAF_ERR(ENOMEM) : 0;
}

/* Opens an atomic replacement of path holding n bytes; logs on failure. */
static int open_filled(TvmafAtomicFile *const af, const char *const path, const void *const data,
                       const size_t n, const TvmafLogger *const log)
{
    char err[256];
    int ret = tvmaf_atomic_open(af, path, err, sizeof(err));
    if (ret >= 0 && n && fwrite(data, 1, n, af->f) != n) {
        snprintf(err, sizeof(err), "write failed: %s", strerror(errno));
        tvmaf_atomic_abort(af);
        ret = -EIO;
    }
    if (ret < 0)
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s: %s", path, err);
    return ret;
}

int tvmaf_model_write(const TvmafMlp *const m, const char *const *const feature_names,
                      const char *const path, const char *const sidecar_path,
                      const TvmafProvenance *const prov, const TvmafLogger *const log)
{
    uint8_t *onnx = NULL;
    size_t len = 0;
    TvmafStr js = { 0 };
    int ret = tvmaf_onnx_export(m, feature_names, &onnx, &len);
    if (ret == TVMAF_ERR(ENOTSUP)) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "ONNX export needs protobuf-c (built without it)");
        return ret;
    }
    if (ret < 0) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "ONNX export: out of memory");
        return ret;
    }
    char hex[65];
    tvmaf_tiny_sha256_hex(onnx, len, hex);
    if ((ret = sidecar_json(&js, m, feature_names, hex, prov)) < 0) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "sidecar: out of memory");
        goto end;
    }
    /* Both files are complete in their temporaries before either is
     * renamed, so a failed write leaves the previous pair untouched. */
    TvmafAtomicFile onnx_f, side_f;
    char err[256];
    if ((ret = open_filled(&onnx_f, path, onnx, len, log)) < 0)
        goto io;
    if ((ret = open_filled(&side_f, sidecar_path, js.s, js.len, log)) < 0) {
        tvmaf_atomic_abort(&onnx_f);
        goto io;
    }
    if ((ret = tvmaf_atomic_commit(&onnx_f, err, sizeof(err))) < 0) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s: %s", path, err);
        tvmaf_atomic_abort(&side_f);
    } else if ((ret = tvmaf_atomic_commit(&side_f, err, sizeof(err))) < 0) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s: %s", sidecar_path, err);
    }
io:
    if (ret < 0)
        ret = ret == -ENOMEM ? TVMAF_ERR(ENOMEM) : TVMAF_ERR(EIO);
end:
    tvmaf_str_free(&js);
    free(onnx);
    return ret;
}
