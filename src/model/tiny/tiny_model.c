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
    char path[PATH_MAX + 16]; /* as found, for messages */
    int int8_fallback;   /* X.json standing in for X.int8.json */
    char *id, *kind, *sha256, *input_name, *output_name;
    char **features;
    unsigned n_features;
    int64_t input_k; /* input_shape[1], -1 if absent */
    char **data_file, **data_sha256; /* external data pins */
    unsigned n_data;
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
    for (unsigned i = 0; i < s->n_data; i++) {
        free(s->data_file[i]);
        free(s->data_sha256[i]);
    }
    free(s->data_file);
    free(s->data_sha256);
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

static int data_name_ok(const char *s)
{
    const size_t n = strlen(s);
    if (!n || n > 255 || strchr(s, '/'))
        return 0;
    if (!strcmp(s, ".") || !strcmp(s, ".."))
        return 0;
    for (; *s; s++)
        if ((unsigned char)*s < 0x20)
            return 0;
    return 1;
}

/* Parses a sidecar held in memory; in int8-fallback mode the digest is
 * "int8_sha256". */
static int sidecar_parse(Sidecar *s, const uint8_t *buf, size_t len, const TvmafLogger *log)
{
    int err;
    json_error_t jerr;
    json_t *const root = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &jerr);
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
    const json_t *const data = json_object_get(root, "data_sha256");
    if (data) {
        if (!json_is_object(data) || json_object_size(data) > 64) {
            err = sidecar_bad(s, log, "data_sha256 must be an object of at most 64 file: sha256");
            goto end;
        }
        const size_t nd = json_object_size(data);
        s->data_file = calloc(nd ? nd : 1, sizeof(char *));
        s->data_sha256 = calloc(nd ? nd : 1, sizeof(char *));
        if (!s->data_file || !s->data_sha256) {
            err = TVMAF_ERR(ENOMEM);
            goto end;
        }
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)data, key, v) {
            if (!data_name_ok(key) || !tvmaf_tiny_is_sha256(json_string_value(v))) {
                err = sidecar_bad(s, log, "data_sha256 maps file names in the model's directory "
                                          "to 64 lowercase hex digits");
                goto end;
            }
            s->data_file[s->n_data] = strdup(key);
            s->data_sha256[s->n_data] = strdup(json_string_value(v));
            s->n_data++;
            if (!s->data_file[s->n_data - 1] || !s->data_sha256[s->n_data - 1]) {
                err = TVMAF_ERR(ENOMEM);
                goto end;
            }
        }
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

int tvmaf_tiny_sidecar_check(const uint8_t *buf, size_t len, const TvmafLogger *log)
{
    Sidecar sc = { 0 };
    snprintf(sc.path, sizeof(sc.path), "sidecar");
    const int err = sidecar_parse(&sc, buf, len, log);
    sidecar_clear(&sc);
    return err;
}

/* Finds the sidecar of a model given by path: ${path%.onnx}.json, or for
 * X.int8.onnx without one, X.json. *found = 0 when there is none. */
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
        if (lstat(s->path, &st))
            continue;
        char real[PATH_MAX];
        s->int8_fallback = pass;
        uint8_t *buf;
        size_t len;
        int err = tvmaf_tiny_resolve_path(s->path, jail, real, log);
        if (err || (err = tvmaf_tiny_read_file(real, TINY_MAX_JSON_BYTES, &buf, &len, log)))
            return err;
        err = sidecar_parse(s, buf, len, log);
        free(buf);
        if (err)
            return err;
        if (s->int8_fallback && !s->sha256) {
            tvmaf_log(log, TVMAF_LOG_ERROR, "%s: no int8_sha256 for the int8 model", s->path);
            return TVMAF_ERR(EACCES);
        }
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

/* ---- External data ------------------------------------------------------- */

#define MAX_DATA_FILES 8

/* Where a model's external data comes from and what pins it. */
typedef struct External {
    const TvmafTinyRegistry *reg;  /* registry load: files via the registry */
    const char *model_file;        /* ... relative to it */
    const char *dir;               /* path load: the model's canonical directory */
    const char *jail;
    unsigned n_pins;
    const char *const *pin_file, *const *pin_sha;
    int require_pins;              /* registry loads: an unpinned file is refused */
    const TvmafLogger *log;
    struct {
        char *name;
        uint8_t *buf;
        size_t len;
    } cache[MAX_DATA_FILES];
    unsigned n_cache;
} External;

static void external_clear(External *x)
{
    for (unsigned i = 0; i < x->n_cache; i++) {
        free(x->cache[i].name);
        free(x->cache[i].buf);
    }
    x->n_cache = 0;
}

static int external_fetch(void *cookie, const char *location, const uint8_t **data, size_t *len)
{
    External *const x = cookie;
    for (unsigned i = 0; i < x->n_cache; i++)
        if (!strcmp(x->cache[i].name, location)) {
            *data = x->cache[i].buf;
            *len = x->cache[i].len;
            return 0;
        }
    if (x->n_cache == MAX_DATA_FILES) {
        tvmaf_log(x->log, TVMAF_LOG_ERROR, "external data '%s': more than %d files", location,
                  MAX_DATA_FILES);
        return TVMAF_ERR(ENOTSUP);
    }
    if (!data_name_ok(location)) {
        tvmaf_log(x->log, TVMAF_LOG_ERROR,
                  "external data '%s' is outside the model directory", location);
        return TVMAF_ERR(EACCES);
    }
    const char *pin = NULL;
    for (unsigned i = 0; i < x->n_pins; i++)
        if (!strcmp(x->pin_file[i], location))
            pin = x->pin_sha[i];
    uint8_t *buf = NULL;
    size_t n = 0;
    char where[PATH_MAX + 16];
    int err;
    if (x->reg) {
        char name[PATH_MAX];
        if ((err = tvmaf_tiny_sibling(x->model_file, location, name, sizeof(name))))
            return err;
        if (!pin) {
            tvmaf_log(x->log, TVMAF_LOG_ERROR,
                      "%s/%s: the registry pins no sha256 for this external data",
                      x->reg->dir, name);
            return TVMAF_ERR(EACCES);
        }
        err = tvmaf_tiny_registry_file(x->reg, name, TINY_MAX_FILE_BYTES, &buf, &n, where,
                                       sizeof(where));
    } else {
        char path[PATH_MAX], real[PATH_MAX];
        if (snprintf(path, sizeof(path), "%s/%s", x->dir, location) >= (int)sizeof(path))
            return TVMAF_ERR(EINVAL);
        snprintf(where, sizeof(where), "%s", path);
        if ((err = tvmaf_tiny_resolve_path(path, x->dir, real, x->log)) ||
            (err = tvmaf_tiny_resolve_path(path, x->jail, real, x->log)))
            return err;
        err = tvmaf_tiny_read_file(real, TINY_MAX_FILE_BYTES, &buf, &n, x->log);
    }
    if (err)
        return err;
    if (pin) {
        if ((err = tvmaf_tiny_check_pin(x->log, where, buf, n, pin))) {
            free(buf);
            return err;
        }
    } else {
        tvmaf_log(x->log, TVMAF_LOG_WARNING,
                  "%s: external data not pinned by a sidecar or registry (loaded by path)", where);
    }
    if (!(x->cache[x->n_cache].name = strdup(location))) {
        free(buf);
        return TVMAF_ERR(ENOMEM);
    }
    x->cache[x->n_cache].buf = buf;
    x->cache[x->n_cache].len = n;
    *data = buf;
    *len = n;
    x->n_cache++;
    return 0;
}

/* ---- Loading ------------------------------------------------------------- */

/* Everything after the ONNX bytes are verified: parse, attach features. */
static int finish(TvmafTinyModel *m, const uint8_t *buf, size_t len, const char *what,
                  Sidecar *sc, int have_sidecar, External *x, const TinyOpts *o)
{
    const TvmafLogger *const log = &o->log;
    const TinyParseOptions po = { .what = what, .log = log, .cpu_mask = o->cpu_mask,
                                  .external = external_fetch, .cookie = x };
    int err = tvmaf_tiny_graph_parse(&m->g, buf, len, &po);
    external_clear(x);
    if (err)
        return err;
    const int64_t k = m->g->n_features;
    if (have_sidecar) {
        if (sc->n_features != k || (sc->input_k >= 0 && sc->input_k != k)) {
            tvmaf_log(log, TVMAF_LOG_ERROR, "%s: lists %u features, the model takes %lld",
                      sc->path, sc->n_features, (long long)k);
            return TVMAF_ERR(EBADMSG);
        }
        const char *const gin = m->g->values[m->g->input].name;
        const char *const gout = m->g->values[m->g->output].name;
        if ((sc->input_name && strcmp(sc->input_name, gin)) ||
            (sc->output_name && strcmp(sc->output_name, gout))) {
            tvmaf_log(log, TVMAF_LOG_ERROR, "%s: tensor names %s -> %s, the model has %s -> %s",
                      sc->path, sc->input_name ? sc->input_name : "?",
                      sc->output_name ? sc->output_name : "?", gin, gout);
            return TVMAF_ERR(EBADMSG);
        }
        m->features = sc->features;
        m->n_features = sc->n_features;
        sc->features = NULL;
        sc->n_features = 0;
        return 0;
    }
    if (k != 6) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s: no sidecar %s to name its %lld features", what,
                  sc->path, (long long)k);
        return TVMAF_ERR(EBADMSG);
    }
    tvmaf_log(log, TVMAF_LOG_WARNING, "%s: no sidecar; assuming the canonical 6 features", what);
    if (!(m->features = calloc(6, sizeof(*m->features))))
        return TVMAF_ERR(ENOMEM);
    for (; m->n_features < 6; m->n_features++)
        if (!(m->features[m->n_features] = strdup(canonical6[m->n_features])))
            return TVMAF_ERR(ENOMEM);
    return 0;
}

/* Finds id (or "<id>_int8") in a registry. */
static const TvmafTinyRegistryEntry *registry_find(const TvmafTinyRegistry *reg, const char *id,
                                                   int *int8)
{
    for (unsigned i = 0; i < reg->n; i++) {
        const TvmafTinyRegistryEntry *const e = &reg->e[i];
        const size_t n = strlen(e->id);
        if (!strcmp(e->id, id)) {
            *int8 = 0;
            return e;
        }
        if (e->int8_file && !strncmp(e->id, id, n) && !strcmp(id + n, "_int8")) {
            *int8 = 1;
            return e;
        }
    }
    return NULL;
}

/* A registry load: every file the model is made of comes through the
 * registry and must match its pin. */
static int load_entry(TvmafTinyModel *m, const TvmafTinyRegistry *reg,
                      const TvmafTinyRegistryEntry *e, int int8, const char *id,
                      const TinyOpts *o)
{
    const TvmafLogger *const log = &o->log;
    const char *const file = int8 ? e->int8_file : e->file;
    const char *const pin = int8 ? e->int8_sha256 : e->sha256;
    Sidecar sc = { 0 };
    External x = { .reg = reg, .model_file = file, .n_pins = e->n_data,
                   .pin_file = e->data_file, .pin_sha = e->data_sha256, .require_pins = 1,
                   .log = log };
    uint8_t *buf = NULL, *sbuf = NULL;
    size_t len, slen;
    char where[PATH_MAX + 16], swhere[PATH_MAX + 16];
    int err = tvmaf_tiny_registry_file(reg, file, TINY_MAX_FILE_BYTES, &buf, &len, where,
                                       sizeof(where));
    if (err || (err = tvmaf_tiny_check_pin(log, where, buf, len, pin)))
        goto end;
    tvmaf_tiny_sha256_hex(buf, len, m->sha256);

    /* The sidecar sets the feature order, so it is pinned like the model:
     * X.int8.json (int8_sidecar_sha256) or X.json (sidecar_sha256). */
    int have_sidecar = 0;
    const size_t n = strlen(file);
    for (int pass = 0; pass < 2 && !have_sidecar; pass++) {
        char side[PATH_MAX];
        const char *spin;
        if (pass == 0) {
            snprintf(side, sizeof(side), "%.*s.json", (int)(n - 5), file);
            spin = int8 ? e->int8_sidecar_sha256 : e->sidecar_sha256;
        } else {
            if (!int8)
                break;
            snprintf(side, sizeof(side), "%.*s.json", (int)(strlen(e->file) - 5), e->file);
            spin = e->sidecar_sha256;
            sc.int8_fallback = 1;
        }
        if (!tvmaf_tiny_registry_exists(reg, side)) {
            if (spin) {
                tvmaf_log(log, TVMAF_LOG_ERROR, "%s/%s: pinned sidecar is missing", reg->dir, side);
                err = TVMAF_ERR(ENOENT);
                goto end;
            }
            continue;
        }
        if (!spin) {
            tvmaf_log(log, TVMAF_LOG_ERROR, "%s/%s: the registry pins no sha256 for this sidecar",
                      reg->dir, side);
            err = TVMAF_ERR(EACCES);
            goto end;
        }
        if ((err = tvmaf_tiny_registry_file(reg, side, TINY_MAX_JSON_BYTES, &sbuf, &slen, swhere,
                                            sizeof(swhere))) ||
            (err = tvmaf_tiny_check_pin(log, swhere, sbuf, slen, spin)))
            goto end;
        snprintf(sc.path, sizeof(sc.path), "%s", swhere);
        if ((err = sidecar_parse(&sc, sbuf, slen, log)))
            goto end;
        if (sc.sha256 && strcmp(sc.sha256, pin)) {
            tvmaf_log(log, TVMAF_LOG_ERROR, "%s: sha256 in the registry (%s) and in %s (%s) differ",
                      where, pin, sc.path, sc.sha256);
            err = TVMAF_ERR(EACCES);
            goto end;
        }
        have_sidecar = 1;
    }
    if ((err = finish(m, buf, len, where, &sc, have_sidecar, &x, o)))
        goto end;
    m->id = strdup(id);
    m->kind = strdup(e->kind);
    m->path = strdup(where);
    if (!m->id || !m->kind || !m->path)
        err = TVMAF_ERR(ENOMEM);
end:
    external_clear(&x);
    sidecar_clear(&sc);
    free(buf);
    free(sbuf);
    return err;
}

static int load_id(TvmafTinyModel *m, const char *id, const TinyOpts *o)
{
    const TvmafLogger *const log = &o->log;
    TvmafTinyRegistry *reg = NULL;
    int err, int8;
    if (o->use_builtin) {
        TvmafTinyLoadOptions lo;
        tvmaf_tiny_default_load_options(&lo);
        lo.logger = o->log;
        lo.ignore_env = 1;
        if ((err = tvmaf_tiny_registry_open_builtin(&reg, &lo)))
            return err;
        const TvmafTinyRegistryEntry *const e = registry_find(reg, id, &int8);
        if (e) {
            err = load_entry(m, reg, e, int8, id, o);
            tvmaf_tiny_registry_free(&reg);
            return err;
        }
        tvmaf_tiny_registry_free(&reg);
    }
    /* The external registry; a missing one is an error only when asked for. */
    err = tvmaf_tiny_registry_read(&reg, o->registry_dir, o->jail, log,
                                   !o->explicit_dir && o->use_builtin);
    if (err == TVMAF_ERR(ENOENT) && !reg && !o->explicit_dir && o->use_builtin) {
        tvmaf_log(log, TVMAF_LOG_ERROR,
                  "unknown tiny model id '%s' (not built in; no registry in %s)", id,
                  o->registry_dir);
        return TVMAF_ERR(ENOENT);
    }
    if (err)
        return err;
    const TvmafTinyRegistryEntry *const e = registry_find(reg, id, &int8);
    if (!e) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "unknown tiny model id '%s' (%sregistry %s)", id,
                  o->use_builtin ? "built-in registry and " : "", reg->json);
        err = TVMAF_ERR(ENOENT);
    } else {
        err = load_entry(m, reg, e, int8, id, o);
    }
    tvmaf_tiny_registry_free(&reg);
    return err;
}

/* A path load: the sidecar (or a registry.json beside the file) pins the
 * ONNX bytes; the sidecar may pin external data. */
static int load_path(TvmafTinyModel *m, const char *id_or_path, const TinyOpts *o)
{
    const TvmafLogger *const log = &o->log;
    Sidecar sc = { 0 };
    External x = { .jail = o->jail[0] ? o->jail : NULL, .log = log };
    uint8_t *buf = NULL;
    char *want = NULL, *reg_id = NULL, *reg_kind = NULL;
    char path[PATH_MAX], real[PATH_MAX], dir[PATH_MAX];
    int err;
    if (snprintf(path, sizeof(path), "%s", id_or_path) >= (int)sizeof(path)) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s: path too long", id_or_path);
        return TVMAF_ERR(EINVAL);
    }
    if ((err = tvmaf_tiny_resolve_path(path, o->jail, real, log)))
        goto end;
    int have_sidecar;
    if ((err = sidecar_find(&sc, path, o->jail, log, &have_sidecar)))
        goto end;
    if (have_sidecar && sc.sha256 && !(want = strdup(sc.sha256))) {
        err = TVMAF_ERR(ENOMEM);
        goto end;
    }
    if (!want && (err = sha_from_local_registry(real, o->jail, log, &want, &reg_id, &reg_kind)))
        goto end;
    if (!want) {
        tvmaf_log(log, TVMAF_LOG_ERROR,
                  "%s: no sha256 to verify against (no sidecar %s and no registry entry)", path,
                  sc.path);
        err = TVMAF_ERR(EACCES);
        goto end;
    }
    /* Hash and parse the same bytes: nothing can change between the two. */
    size_t len;
    if ((err = tvmaf_tiny_read_file(real, TINY_MAX_FILE_BYTES, &buf, &len, log)))
        goto end;
    tvmaf_tiny_sha256_hex(buf, len, m->sha256);
    if (strcmp(m->sha256, want)) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s: sha256 mismatch: expected %s, file has %s", path,
                  want, m->sha256);
        err = TVMAF_ERR(EACCES);
        goto end;
    }
    snprintf(dir, sizeof(dir), "%s", real);
    char *const slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = 0; /* the model sits in / */
    else
        *slash = 0;
    x.dir = dir;
    x.n_pins = sc.n_data;
    x.pin_file = (const char *const *)sc.data_file;
    x.pin_sha = (const char *const *)sc.data_sha256;
    if ((err = finish(m, buf, len, path, &sc, have_sidecar, &x, o)))
        goto end;
    m->id = reg_id ? reg_id : sc.id ? strdup(sc.id) : stem_of(path);
    reg_id = NULL;
    m->kind = strdup(reg_kind ? reg_kind : sc.kind ? sc.kind : "fr");
    m->path = strdup(real);
    if (!m->id || !m->kind || !m->path)
        err = TVMAF_ERR(ENOMEM);
end: /* tvmaf_tiny_model_load() names an out-of-memory nobody logged */
    external_clear(&x);
    free(buf);
    free(want);
    free(reg_id);
    free(reg_kind);
    sidecar_clear(&sc);
    return err;
}

/* Counts the errors a load logs, so that it ends with exactly one line. */
typedef struct CountingLog {
    TvmafLogger inner;
    unsigned errors;
} CountingLog;

static void counting_log(void *cookie, enum TvmafLogLevel level, const char *fmt, va_list ap)
{
    CountingLog *const c = cookie;
    c->errors += level == TVMAF_LOG_ERROR;
    if (c->inner.callback)
        c->inner.callback(c->inner.cookie, level, fmt, ap);
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
    if (!id_or_path || !*id_or_path) {
        tvmaf_log(&o.log, TVMAF_LOG_ERROR, "tiny model: no id or path given");
        return TVMAF_ERR(EINVAL);
    }
    TvmafTinyModel *m = calloc(1, sizeof(*m));
    if (!m) {
        tvmaf_log(&o.log, TVMAF_LOG_ERROR, "tiny model: out of memory");
        return TVMAF_ERR(ENOMEM);
    }
    m->log = o.log;
    /* The loaders log each refusal once where it is found; an allocation
     * that fails deep down is named here, when no layer did. */
    CountingLog cl = { o.log, 0 };
    o.log = (TvmafLogger){ .cookie = &cl, .callback = counting_log };
    err = looks_like_path(id_or_path) ? load_path(m, id_or_path, &o) : load_id(m, id_or_path, &o);
    if (err) {
        if (!cl.errors)
            tvmaf_log(&m->log, TVMAF_LOG_ERROR, "%s: %s", id_or_path,
                      err == TVMAF_ERR(ENOMEM) ? "out of memory" : "cannot load");
        tvmaf_tiny_model_free(&m);
        return err;
    }
    *out = m;
    return 0;
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
