/*
 * Public tiny-model API: resolve id or path, find the sha256 to trust,
 * verify it on the exact bytes that are then parsed, attach the sidecar's
 * feature list.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "model/tiny/tiny_file.h"
#include "model/tiny/tiny_graph.h"
#include "model/tiny/tiny_registry.h"
#include "tinyvmaf/tiny.h"

#define MAX_FEATURE_NAME 64

struct TvmafTinyModel {
    TinyGraph *g;
    char *id, *kind, *path;
    char sha256[65];
    char **features;
    unsigned n_features;
    TvmafLogger log;
};

/* The order the upstream tiny models were trained on; used only for a
 * model that ships without a sidecar (vmaf_tiny_v1). */
static const char *const canonical6[] = { "adm2",       "vif_scale0", "vif_scale1",
                                          "vif_scale2", "vif_scale3", "motion2" };

typedef struct Sidecar {
    char path[PATH_MAX]; /* as found, for messages */
    int int8_fallback;   /* X.json standing in for X.int8.json */
    char *id, *kind, *sha256, *input_name, *output_name;
    char **features;
    unsigned n_features;
    int64_t input_k; /* input_shape[1], -1 if absent */
} Sidecar;

static void sidecar_clear(Sidecar *s)
{
    free(s->id);
    free(s->kind);
    free(s->sha256);
    free(s->input_name);
    free(s->output_name);
    for (unsigned i = 0; i < s->n_features; i++)
        free(s->features[i]);
    free(s->features);
    memset(s, 0, sizeof(*s));
}

static int ends_with(const char *s, const char *suffix)
{
    const size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

static int feature_name_ok(const char *s)
{
    const size_t n = strlen(s);
    if (!n || n > MAX_FEATURE_NAME)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-' || *s == '.'))
            return 0;
    return 1;
}

static int sidecar_bad(const Sidecar *s, const TvmafLogger *log, const char *what)
{
    tvmaf_log(log, TVMAF_LOG_ERROR, "%s: %s", s->path, what);
    return TVMAF_ERR(EBADMSG);
}

static int opt_string(const json_t *root, const char *key, char **out)
{
    const json_t *const v = json_object_get(root, key);
    if (!v)
        return 0;
    if (!json_is_string(v))
        return -1;
    *out = strdup(json_string_value(v));
    return *out ? 0 : -2;
}

/* Parses a sidecar; in int8-fallback mode the digest is "int8_sha256". */
static int sidecar_read(Sidecar *s, const char *real, const TvmafLogger *log)
{
    uint8_t *buf;
    size_t len;
    int err = tvmaf_tiny_read_file(real, TINY_MAX_JSON_BYTES, &buf, &len, log);
    if (err)
        return err;
    json_error_t jerr;
    json_t *const root = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &jerr);
    free(buf);
    if (!root) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s:%d:%d: %s", s->path, jerr.line, jerr.column,
                  jerr.text);
        return TVMAF_ERR(EBADMSG);
    }
    const char *const sha_key = s->int8_fallback ? "int8_sha256" : "sha256";
    int r;
    if (!json_is_object(root)) {
        err = sidecar_bad(s, log, "not a JSON object");
        goto end;
    }
    if ((r = opt_string(root, "id", &s->id)) || (r = opt_string(root, "kind", &s->kind)) ||
        (r = opt_string(root, sha_key, &s->sha256)) ||
        (r = opt_string(root, "input_name", &s->input_name)) ||
        (r = opt_string(root, "output_name", &s->output_name))) {
        err = r == -2 ? TVMAF_ERR(ENOMEM)
                      : sidecar_bad(s, log, "id, kind, sha256, input_name and output_name "
                                            "must be strings");
        goto end;
    }
    if (s->sha256 && !tvmaf_tiny_is_sha256(s->sha256)) {
        err = sidecar_bad(s, log, "sha256 must be 64 lowercase hex digits");
        goto end;
    }
    if (s->int8_fallback && !s->sha256) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s: no int8_sha256 for the int8 model", s->path);
        err = TVMAF_ERR(EACCES);
        goto end;
    }
    if (s->int8_fallback) {
        /* X.json describes the fp32 model; its id names that one. */
        free(s->id);
        s->id = NULL;
    }
    const json_t *const shape = json_object_get(root, "input_shape");
    s->input_k = -1;
    if (shape) {
        const json_t *const k = json_array_get(shape, 1);
        if (!json_is_array(shape) || json_array_size(shape) != 2 || !json_is_integer(k)) {
            err = sidecar_bad(s, log, "input_shape must be [N, k]");
            goto end;
        }
        s->input_k = json_integer_value(k);
    }
    const json_t *const f = json_object_get(root, "features");
    if (!json_is_array(f) || !json_array_size(f) || json_array_size(f) > 4096) {
        err = sidecar_bad(s, log, "features must be a non-empty array of names");
        goto end;
    }
    s->features = calloc(json_array_size(f), sizeof(*s->features));
    if (!s->features) {
        err = TVMAF_ERR(ENOMEM);
        goto end;
    }
    for (size_t i = 0; i < json_array_size(f); i++) {
        const char *const name = json_string_value(json_array_get(f, i));
        if (!name || !feature_name_ok(name)) {
            err = sidecar_bad(s, log, "feature names must be 1-64 characters of [A-Za-z0-9_.-]");
            goto end;
        }
        for (unsigned j = 0; j < s->n_features; j++)
            if (!strcmp(s->features[j], name)) {
                err = sidecar_bad(s, log, "a feature is listed twice");
                goto end;
            }
        if (!(s->features[s->n_features] = strdup(name))) {
            err = TVMAF_ERR(ENOMEM);
            goto end;
        }
        s->n_features++;
    }
    err = 0;
end:
    if (err == TVMAF_ERR(ENOMEM))
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s: out of memory", s->path);
    json_decref(root);
    return err;
}

/* Finds the sidecar of `path`: ${path%.onnx}.json, or for X.int8.onnx
 * without one, X.json. *found = 0 when there is none. */
static int sidecar_find(Sidecar *s, const char *path, const char *jail, const TvmafLogger *log,
                        int *found)
{
    *found = 0;
    const size_t n = strlen(path);
    const size_t base = ends_with(path, ".onnx") ? n - 5 : n;
    for (int pass = 0; pass < 2; pass++) {
        size_t stem = base;
        if (pass == 1) {
            if (!ends_with(path, ".int8.onnx"))
                break;
            stem = n - 10;
        }
        if (stem + 6 > sizeof(s->path))
            return TVMAF_ERR(EINVAL);
        memcpy(s->path, path, stem);
        memcpy(s->path + stem, ".json", 6);
        struct stat st;
        if (stat(s->path, &st))
            continue;
        char real[PATH_MAX];
        s->int8_fallback = pass;
        int err = tvmaf_tiny_resolve_path(s->path, jail, real, log);
        if (err || (err = sidecar_read(s, real, log)))
            return err;
        *found = 1;
        return 0;
    }
    return 0;
}

static int looks_like_path(const char *s)
{
    return strchr(s, '/') || ends_with(s, ".onnx");
}

void tvmaf_tiny_model_free(TvmafTinyModel **pm)
{
    if (!pm || !*pm)
        return;
    TvmafTinyModel *const m = *pm;
    tvmaf_tiny_graph_free(&m->g);
    free(m->id);
    free(m->kind);
    free(m->path);
    for (unsigned i = 0; i < m->n_features; i++)
        free(m->features[i]);
    free(m->features);
    free(m);
    *pm = NULL;
}

static char *stem_of(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    const size_t n = strlen(b);
    const size_t keep = ends_with(b, ".onnx") ? n - 5 : n;
    char *const s = malloc(keep + 1);
    if (s) {
        memcpy(s, b, keep);
        s[keep] = 0;
    }
    return s;
}

/* Looks the file up in a registry.json next to it (for a model given by
 * path that has no sidecar). */
static int sha_from_local_registry(const char *real, const char *jail, const TvmafLogger *log,
                                   char **sha, char **id, char **kind)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof(dir), "%s", real);
    char *const slash = strrchr(dir, '/');
    const char *const base = slash + 1;
    char basename[PATH_MAX];
    snprintf(basename, sizeof(basename), "%s", base);
    *slash = 0;
    TvmafTinyRegistry *r;
    int err = tvmaf_tiny_registry_read(&r, dir[0] ? dir : "/", jail, log, 1);
    if (err)
        return err == TVMAF_ERR(ENOENT) ? 0 : err;
    for (unsigned i = 0; i < r->n && !*sha; i++) {
        const TvmafTinyRegistryEntry *const e = &r->e[i];
        const char *const hit = !strcmp(e->file, basename) ? e->sha256
                                : e->int8_file && !strcmp(e->int8_file, basename)
                                    ? e->int8_sha256
                                    : NULL;
        if (!hit)
            continue;
        *sha = strdup(hit);
        *kind = strdup(e->kind);
        if (hit == e->sha256)
            *id = strdup(e->id);
        if (!*sha || !*kind || (hit == e->sha256 && !*id))
            err = TVMAF_ERR(ENOMEM);
    }
    tvmaf_tiny_registry_free(&r);
    return err;
}

int tvmaf_tiny_model_load(TvmafTinyModel **out, const char *id_or_path,
                          const TvmafTinyLoadOptions *opt)
{
    if (!out)
        return TVMAF_ERR(EINVAL);
    *out = NULL;
    TinyOpts o;
    int err = tvmaf_tiny_opts_resolve(&o, opt);
    if (err)
        return err;
    const TvmafLogger *const log = &o.log;
    if (!id_or_path || !*id_or_path) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "tiny model: no id or path given");
        return TVMAF_ERR(EINVAL);
    }

    TvmafTinyModel *m = calloc(1, sizeof(*m));
    Sidecar sc = { 0 };
    TvmafTinyRegistry *reg = NULL;
    uint8_t *buf = NULL;
    char *want = NULL, *reg_id = NULL, *reg_kind = NULL;
    char path[PATH_MAX], real[PATH_MAX];
    if (!m) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "tiny model: out of memory");
        return TVMAF_ERR(ENOMEM);
    }
    m->log = o.log;

    if (looks_like_path(id_or_path)) {
        if (snprintf(path, sizeof(path), "%s", id_or_path) >= (int)sizeof(path)) {
            tvmaf_log(log, TVMAF_LOG_ERROR, "%s: path too long", id_or_path);
            err = TVMAF_ERR(EINVAL);
            goto fail;
        }
    } else {
        if ((err = tvmaf_tiny_registry_read(&reg, o.registry_dir, o.jail, log, 0)))
            goto fail;
        const TvmafTinyRegistryEntry *hit = NULL;
        int int8 = 0;
        for (unsigned i = 0; i < reg->n && !hit; i++) {
            const TvmafTinyRegistryEntry *const e = &reg->e[i];
            const size_t n = strlen(e->id);
            if (!strcmp(e->id, id_or_path))
                hit = e;
            else if (e->int8_file && !strncmp(e->id, id_or_path, n) &&
                     !strcmp(id_or_path + n, "_int8"))
                hit = e, int8 = 1;
        }
        if (!hit) {
            tvmaf_log(log, TVMAF_LOG_ERROR, "unknown tiny model id '%s' (registry %s)",
                      id_or_path, reg->json);
            err = TVMAF_ERR(ENOENT);
            goto fail;
        }
        snprintf(path, sizeof(path), "%s/%s", reg->dir, int8 ? hit->int8_file : hit->file);
        /* A registry file may not leave the registry's directory. */
        if ((err = tvmaf_tiny_resolve_path(path, reg->dir, real, log)))
            goto fail;
        want = strdup(int8 ? hit->int8_sha256 : hit->sha256);
        reg_id = strdup(id_or_path);
        reg_kind = strdup(hit->kind);
        if (!want || !reg_id || !reg_kind) {
            err = TVMAF_ERR(ENOMEM);
            goto oom;
        }
    }
    if ((err = tvmaf_tiny_resolve_path(path, o.jail, real, log)))
        goto fail;

    int have_sidecar;
    if ((err = sidecar_find(&sc, path, o.jail, log, &have_sidecar)))
        goto fail;
    if (have_sidecar && sc.sha256) {
        if (want && strcmp(want, sc.sha256)) {
            tvmaf_log(log, TVMAF_LOG_ERROR, "%s: sha256 in the registry (%s) and in %s (%s) differ",
                      path, want, sc.path, sc.sha256);
            err = TVMAF_ERR(EACCES);
            goto fail;
        }
        if (!want && !(want = strdup(sc.sha256))) {
            err = TVMAF_ERR(ENOMEM);
            goto oom;
        }
    }
    if (!want && (err = sha_from_local_registry(real, o.jail, log, &want, &reg_id, &reg_kind)))
        goto fail;
    if (!want) {
        tvmaf_log(log, TVMAF_LOG_ERROR,
                  "%s: no sha256 to verify against (no sidecar %s and no registry entry)", path,
                  sc.path);
        err = TVMAF_ERR(EACCES);
        goto fail;
    }

    /* Hash and parse the same bytes: nothing can change between the two. */
    size_t len;
    if ((err = tvmaf_tiny_read_file(real, TINY_MAX_FILE_BYTES, &buf, &len, log)))
        goto fail;
    tvmaf_tiny_sha256_hex(buf, len, m->sha256);
    if (strcmp(m->sha256, want)) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s: sha256 mismatch: expected %s, file has %s", path,
                  want, m->sha256);
        err = TVMAF_ERR(EACCES);
        goto fail;
    }
    char dir[PATH_MAX];
    snprintf(dir, sizeof(dir), "%s", real);
    char *const slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = 0; /* the model sits in / */
    else
        *slash = 0;
    if ((err = tvmaf_tiny_graph_parse(&m->g, buf, len, dir, path, log)))
        goto fail;
    free(buf);
    buf = NULL;

    const int64_t k = m->g->n_features;
    if (have_sidecar) {
        if (sc.n_features != k || (sc.input_k >= 0 && sc.input_k != k)) {
            tvmaf_log(log, TVMAF_LOG_ERROR, "%s: lists %u features, the model takes %lld",
                      sc.path, sc.n_features, (long long)k);
            err = TVMAF_ERR(EBADMSG);
            goto fail;
        }
        const char *const gin = m->g->values[m->g->input].name;
        const char *const gout = m->g->values[m->g->output].name;
        if ((sc.input_name && strcmp(sc.input_name, gin)) ||
            (sc.output_name && strcmp(sc.output_name, gout))) {
            tvmaf_log(log, TVMAF_LOG_ERROR, "%s: tensor names %s -> %s, the model has %s -> %s",
                      sc.path, sc.input_name ? sc.input_name : "?",
                      sc.output_name ? sc.output_name : "?", gin, gout);
            err = TVMAF_ERR(EBADMSG);
            goto fail;
        }
        m->features = sc.features;
        m->n_features = sc.n_features;
        sc.features = NULL;
        sc.n_features = 0;
    } else {
        if (k != 6) {
            tvmaf_log(log, TVMAF_LOG_ERROR, "%s: no sidecar %s to name its %lld features", path,
                      sc.path, (long long)k);
            err = TVMAF_ERR(EBADMSG);
            goto fail;
        }
        tvmaf_log(log, TVMAF_LOG_WARNING, "%s: no sidecar; assuming the canonical 6 features",
                  path);
        if (!(m->features = calloc(6, sizeof(*m->features)))) {
            err = TVMAF_ERR(ENOMEM);
            goto oom;
        }
        for (; m->n_features < 6; m->n_features++)
            if (!(m->features[m->n_features] = strdup(canonical6[m->n_features]))) {
                err = TVMAF_ERR(ENOMEM);
                goto oom;
            }
    }
    m->id = reg_id ? reg_id : sc.id ? strdup(sc.id) : stem_of(path);
    reg_id = NULL;
    m->kind = strdup(reg_kind ? reg_kind : sc.kind ? sc.kind : "fr");
    m->path = strdup(real);
    if (!m->id || !m->kind || !m->path) {
        err = TVMAF_ERR(ENOMEM);
        goto oom;
    }
    free(want);
    free(reg_kind);
    sidecar_clear(&sc);
    tvmaf_tiny_registry_free(&reg);
    *out = m;
    return 0;

oom:
    tvmaf_log(log, TVMAF_LOG_ERROR, "%s: out of memory", id_or_path);
fail:
    free(buf);
    free(want);
    free(reg_id);
    free(reg_kind);
    sidecar_clear(&sc);
    tvmaf_tiny_registry_free(&reg);
    tvmaf_tiny_model_free(&m);
    return err;
}

int tvmaf_tiny_model_run(const TvmafTinyModel *m, const float *in, const size_t n, float *out)
{
    if (!m || (n && (!in || !out)))
        return TVMAF_ERR(EINVAL);
    const size_t k = m->n_features;
    if (n > (size_t)TINY_MAX_BATCH) {
        tvmaf_log(&m->log, TVMAF_LOG_ERROR, "%s: %zu rows in one run (max %lld)", m->id, n,
                  (long long)TINY_MAX_BATCH);
        return TVMAF_ERR(EINVAL);
    }
    /* Non-finite inputs have no defined score (int8 models even spread
     * them to the whole batch), so they are refused up front. */
    for (size_t i = 0; i < n * k; i++)
        if (!isfinite(in[i])) {
            tvmaf_log(&m->log, TVMAF_LOG_ERROR, "%s: row %zu: feature '%s' is not finite (%g)",
                      m->id, i / k, m->features[i % k], in[i]);
            return TVMAF_ERR(EINVAL);
        }
    const int err = tvmaf_tiny_graph_run(m->g, in, n, out);
    if (err)
        tvmaf_log(&m->log, TVMAF_LOG_ERROR, "%s: run on %zu rows failed: %s", m->id, n,
                  strerror(-err));
    return err;
}

const char *tvmaf_tiny_model_id(const TvmafTinyModel *m)
{
    return m ? m->id : NULL;
}

const char *tvmaf_tiny_model_kind(const TvmafTinyModel *m)
{
    return m ? m->kind : NULL;
}

const char *tvmaf_tiny_model_sha256(const TvmafTinyModel *m)
{
    return m ? m->sha256 : NULL;
}

const char *tvmaf_tiny_model_path(const TvmafTinyModel *m)
{
    return m ? m->path : NULL;
}

unsigned tvmaf_tiny_model_n_features(const TvmafTinyModel *m)
{
    return m ? m->n_features : 0;
}

const char *tvmaf_tiny_model_feature_name(const TvmafTinyModel *m, const unsigned i)
{
    return m && i < m->n_features ? m->features[i] : NULL;
}

int tvmaf_tiny_model_batch_dependent(const TvmafTinyModel *m)
{
    return m ? m->g->batch_dependent : 0;
}
