/*
 * registry.json: the trust root. Each entry maps an id to a file and the
 * sha256 that file must have. Accepts tinyvmaf's layout (models/registry.
 * schema.json: "file", "license") and the upstream tiny-model layout
 * ("onnx", "int8_sha256"); unknown keys are ignored by the loader and
 * rejected by the schema.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "model/tiny/tiny_config.h"
#include "model/tiny/tiny_file.h"
#include "model/tiny/tiny_graph.h"
#include "model/tiny/tiny_registry.h"

int tvmaf_tiny_is_sha256(const char *s)
{
    if (!s || strlen(s) != 64)
        return 0;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return 0;
    return 1;
}

static int is_id(const char *s)
{
    const size_t n = s ? strlen(s) : 0;
    if (!n || n > 64 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
            return 0;
    return 1;
}

/* Registry file names: relative, no empty or ".." component; the resolved
 * path is checked against the directory again when it is opened. */
static int is_rel_file(const char *s)
{
    const size_t n = s ? strlen(s) : 0;
    if (!n || n > 256 || s[0] == '/' || n < 6 || strcmp(s + n - 5, ".onnx"))
        return 0;
    for (const char *c = s; *c;) {
        const char *e = strchr(c, '/');
        const size_t len = e ? (size_t)(e - c) : strlen(c);
        if (!len || (len == 2 && c[0] == '.' && c[1] == '.'))
            return 0;
        c += len + (e != NULL);
    }
    for (; *s; s++)
        if ((unsigned char)*s < 0x20)
            return 0;
    return 1;
}

const char *tvmaf_tiny_default_model_dir(void)
{
    return TVMAF_TINY_MODEL_DIR;
}

void tvmaf_tiny_default_load_options(TvmafTinyLoadOptions *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof(*o));
    o->logger.callback = tvmaf_log_default_callback;
}

int tvmaf_tiny_opts_resolve(TinyOpts *o, const TvmafTinyLoadOptions *opt)
{
    TvmafTinyLoadOptions def;
    if (!opt) {
        tvmaf_tiny_default_load_options(&def);
        opt = &def;
    }
    memset(o, 0, sizeof(*o));
    o->log = opt->logger;
    for (size_t i = 0; i < sizeof(opt->reserved); i++)
        if (opt->reserved[i]) {
            tvmaf_log(&o->log, TVMAF_LOG_ERROR, "tiny model options: reserved bytes not zero");
            return TVMAF_ERR(EINVAL);
        }
    const char *env = opt->ignore_env ? NULL : getenv(TVMAF_TINY_MODEL_DIR_ENV);
    if (env && !*env)
        env = NULL;
    o->registry_dir = opt->registry_dir ? opt->registry_dir
                      : env             ? env
                                        : TVMAF_TINY_MODEL_DIR;
    const char *const jail = opt->jail_dir ? opt->jail_dir : env;
    if (jail) {
        if (!realpath(jail, o->jail)) {
            const int e = errno;
            tvmaf_log(&o->log, TVMAF_LOG_ERROR, "model directory %s: %s", jail, strerror(e));
            return TVMAF_ERR(e == ENOENT ? ENOENT : EIO);
        }
    }
    return 0;
}

int tvmaf_tiny_resolve_path(const char *path, const char *jail, char real[PATH_MAX],
                            const TvmafLogger *log)
{
    if (!realpath(path, real)) {
        const int e = errno;
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s: %s", path, strerror(e));
        return TVMAF_ERR(e == ENOENT || e == ENOTDIR ? ENOENT : e == EACCES ? EACCES : EIO);
    }
    if (jail && *jail && !tvmaf_tiny_path_inside(real, jail)) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s: resolves to %s, outside the model directory %s",
                  path, real, jail);
        return TVMAF_ERR(EACCES);
    }
    return 0;
}

static char *dup_str(const json_t *v)
{
    return json_is_string(v) ? strdup(json_string_value(v)) : NULL;
}

static void free_entries(TvmafTinyRegistry *r)
{
    for (unsigned i = 0; i < r->n; i++) {
        TvmafTinyRegistryEntry *const e = &r->e[i];
        free((char *)e->id);
        free((char *)e->kind);
        free((char *)e->file);
        free((char *)e->sha256);
        free((char *)e->license);
        free((char *)e->int8_file);
        free((char *)e->int8_sha256);
    }
    free(r->e);
    r->e = NULL;
    r->n = 0;
}

void tvmaf_tiny_registry_free(TvmafTinyRegistry **pr)
{
    if (!pr || !*pr)
        return;
    TvmafTinyRegistry *const r = *pr;
    free_entries(r);
    free(r->dir);
    free(r->json);
    free(r->jail);
    free(r);
    *pr = NULL;
}

static int bad(const TvmafTinyRegistry *r, const size_t i, const char *what)
{
    tvmaf_log(&r->log, TVMAF_LOG_ERROR, "%s: models[%zu]: %s", r->json, i, what);
    return TVMAF_ERR(EBADMSG);
}

static int parse_entries(TvmafTinyRegistry *r, const json_t *root)
{
    if (!json_is_object(root))
        return bad(r, 0, "top level is not an object");
    const json_t *const ver = json_object_get(root, "schema_version");
    if (ver && (!json_is_integer(ver) || json_integer_value(ver) < 0 ||
                json_integer_value(ver) > 1)) {
        tvmaf_log(&r->log, TVMAF_LOG_ERROR, "%s: schema_version must be 0 or 1", r->json);
        return TVMAF_ERR(EBADMSG);
    }
    const json_t *const models = json_object_get(root, "models");
    if (!json_is_array(models)) {
        tvmaf_log(&r->log, TVMAF_LOG_ERROR, "%s: \"models\" must be an array", r->json);
        return TVMAF_ERR(EBADMSG);
    }
    const size_t n = json_array_size(models);
    if (n > 4096) {
        tvmaf_log(&r->log, TVMAF_LOG_ERROR, "%s: %zu models (max 4096)", r->json, n);
        return TVMAF_ERR(ENOTSUP);
    }
    r->e = calloc(n ? n : 1, sizeof(*r->e));
    if (!r->e)
        return TVMAF_ERR(ENOMEM);
    for (size_t i = 0; i < n; i++) {
        const json_t *const m = json_array_get(models, i);
        if (!json_is_object(m))
            return bad(r, i, "not an object");
        const json_t *const id = json_object_get(m, "id");
        const json_t *const kind = json_object_get(m, "kind");
        const json_t *file = json_object_get(m, "file");
        if (!file)
            file = json_object_get(m, "onnx");
        const json_t *const sha = json_object_get(m, "sha256");
        const json_t *const opset = json_object_get(m, "opset");
        const json_t *lic = json_object_get(m, "license");
        if (!lic)
            lic = json_object_get(m, "licence");
        const json_t *const sha8 = json_object_get(m, "int8_sha256");
        if (!is_id(json_string_value(id)))
            return bad(r, i, "\"id\" must match ^[a-z0-9][a-z0-9_-]*$ (at most 64)");
        const char *const k = json_string_value(kind);
        if (!k || (strcmp(k, "fr") && strcmp(k, "nr") && strcmp(k, "filter")))
            return bad(r, i, "\"kind\" must be \"fr\", \"nr\" or \"filter\"");
        if (!is_rel_file(json_string_value(file)))
            return bad(r, i, "\"file\" must be a relative path ending in .onnx, without ..");
        if (!tvmaf_tiny_is_sha256(json_string_value(sha)))
            return bad(r, i, "\"sha256\" must be 64 lowercase hex digits");
        if (opset && (!json_is_integer(opset) || json_integer_value(opset) < 7 ||
                      json_integer_value(opset) > 21))
            return bad(r, i, "\"opset\" must be an integer from 7 to 21");
        if (lic && !json_is_string(lic))
            return bad(r, i, "\"license\" must be a string");
        if (sha8 && !tvmaf_tiny_is_sha256(json_string_value(sha8)))
            return bad(r, i, "\"int8_sha256\" must be 64 lowercase hex digits");
        for (size_t j = 0; j < r->n; j++)
            if (!strcmp(r->e[j].id, json_string_value(id)))
                return bad(r, i, "duplicate id");
        TvmafTinyRegistryEntry *const e = &r->e[r->n++];
        e->id = dup_str(id);
        e->kind = dup_str(kind);
        e->file = dup_str(file);
        e->sha256 = dup_str(sha);
        e->license = lic ? dup_str(lic) : NULL;
        e->opset = opset ? (int)json_integer_value(opset) : 0;
        if (!e->id || !e->kind || !e->file || !e->sha256 || (lic && !e->license))
            return TVMAF_ERR(ENOMEM);
        if (sha8) {
            /* The int8 sibling of "x.onnx" is "x.int8.onnx". */
            const size_t len = strlen(e->file);
            char *const f8 = malloc(len + 6);
            if (!f8)
                return TVMAF_ERR(ENOMEM);
            memcpy(f8, e->file, len - 5);
            memcpy(f8 + len - 5, ".int8.onnx", 11);
            e->int8_file = f8;
            if (!(e->int8_sha256 = dup_str(sha8)))
                return TVMAF_ERR(ENOMEM);
        }
    }
    return 0;
}

int tvmaf_tiny_registry_read(TvmafTinyRegistry **out, const char *dir, const char *jail,
                             const TvmafLogger *log, const int quiet_missing)
{
    *out = NULL;
    TvmafTinyRegistry *const r = calloc(1, sizeof(*r));
    if (!r)
        return TVMAF_ERR(ENOMEM);
    r->log = *log;
    int err;
    char real[PATH_MAX], path[PATH_MAX];
    uint8_t *buf = NULL;
    size_t len;
    json_t *root = NULL;
    if (snprintf(path, sizeof(path), "%s/registry.json", dir) >= (int)sizeof(path)) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s: path too long", dir);
        err = TVMAF_ERR(EINVAL);
        goto fail;
    }
    if (quiet_missing && !realpath(path, real)) {
        err = TVMAF_ERR(ENOENT);
        goto fail;
    }
    if ((err = tvmaf_tiny_resolve_path(path, jail, real, log)))
        goto fail;
    r->json = strdup(path);
    r->jail = jail && *jail ? strdup(jail) : NULL;
    char *const slash = strrchr(real, '/');
    *slash = 0; /* realpath() of a file always contains a '/' */
    r->dir = strdup(real[0] ? real : "/");
    *slash = '/';
    if (!r->json || !r->dir || (jail && *jail && !r->jail)) {
        err = TVMAF_ERR(ENOMEM);
        goto fail;
    }
    if ((err = tvmaf_tiny_read_file(real, TINY_MAX_JSON_BYTES, &buf, &len, log)))
        goto fail;
    json_error_t jerr;
    root = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
        err = TVMAF_ERR(EBADMSG);
        goto fail;
    }
    if ((err = parse_entries(r, root))) {
        if (err == TVMAF_ERR(ENOMEM))
            tvmaf_log(log, TVMAF_LOG_ERROR, "%s: out of memory", path);
        goto fail;
    }
    json_decref(root);
    free(buf);
    *out = r;
    return 0;
fail:
    json_decref(root);
    free(buf);
    TvmafTinyRegistry *tmp = r;
    tvmaf_tiny_registry_free(&tmp);
    return err;
}

int tvmaf_tiny_registry_open(TvmafTinyRegistry **out, const TvmafTinyLoadOptions *opt)
{
    if (!out)
        return TVMAF_ERR(EINVAL);
    *out = NULL;
    TinyOpts o;
    const int err = tvmaf_tiny_opts_resolve(&o, opt);
    if (err)
        return err;
    return tvmaf_tiny_registry_read(out, o.registry_dir, o.jail, &o.log, 0);
}

const char *tvmaf_tiny_registry_dir(const TvmafTinyRegistry *r)
{
    return r ? r->dir : NULL;
}

unsigned tvmaf_tiny_registry_count(const TvmafTinyRegistry *r)
{
    return r ? r->n : 0;
}

const TvmafTinyRegistryEntry *tvmaf_tiny_registry_entry(const TvmafTinyRegistry *r,
                                                        const unsigned i)
{
    return r && i < r->n ? &r->e[i] : NULL;
}

int tvmaf_tiny_registry_verify(const TvmafTinyRegistry *r, const unsigned i, const int int8)
{
    if (!r || i >= r->n)
        return TVMAF_ERR(EINVAL);
    const TvmafTinyRegistryEntry *const e = &r->e[i];
    const char *const file = int8 ? e->int8_file : e->file;
    const char *const want = int8 ? e->int8_sha256 : e->sha256;
    if (!file)
        return TVMAF_ERR(ENOENT);
    char path[PATH_MAX], real[PATH_MAX];
    if (snprintf(path, sizeof(path), "%s/%s", r->dir, file) >= (int)sizeof(path))
        return TVMAF_ERR(EINVAL);
    int err = tvmaf_tiny_resolve_path(path, r->dir, real, &r->log);
    if (err || (err = tvmaf_tiny_resolve_path(path, r->jail, real, &r->log)))
        return err;
    uint8_t *buf;
    size_t len;
    if ((err = tvmaf_tiny_read_file(real, TINY_MAX_FILE_BYTES, &buf, &len, &r->log)))
        return err;
    char hex[65];
    tvmaf_tiny_sha256_hex(buf, len, hex);
    free(buf);
    if (strcmp(hex, want)) {
        tvmaf_log(&r->log, TVMAF_LOG_ERROR, "%s: sha256 mismatch: registry has %s, file has %s",
                  path, want, hex);
        return TVMAF_ERR(EACCES);
    }
    return 0;
}
