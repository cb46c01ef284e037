/*
 * registry.json: the trust root. Each entry maps an id to a file and the
 * sha256 that file must have. Accepts tinyvmaf's layout (models/registry.
 * schema.json: "file", "license") and the upstream tiny-model layout
 * ("onnx", "int8_sha256"); unknown keys are ignored by the loader and
 * rejected by the schema.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "model/builtin.h"
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
static int is_rel_name(const char *s)
{
    const size_t n = s ? strlen(s) : 0;
    if (!n || n > 256 || s[0] == '/')
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

static int is_rel_file(const char *s)
{
    const size_t n = s ? strlen(s) : 0;
    return is_rel_name(s) && n >= 6 && !strcmp(s + n - 5, ".onnx");
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
    o->explicit_dir = opt->registry_dir != NULL;
    o->use_builtin = !opt->no_builtin && !opt->registry_dir;
    o->cpu_mask = opt->cpu_mask;
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
        free((char *)e->sidecar_sha256);
        free((char *)e->int8_sidecar_sha256);
        for (unsigned j = 0; j < e->n_data; j++) {
            free((char *)e->data_file[j]);
            free((char *)e->data_sha256[j]);
        }
        free((void *)e->data_file);
        free((void *)e->data_sha256);
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
        const json_t *const sside = json_object_get(m, "sidecar_sha256");
        const json_t *const sside8 = json_object_get(m, "int8_sidecar_sha256");
        const json_t *const sdata = json_object_get(m, "data_sha256");
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
        if ((sside && !tvmaf_tiny_is_sha256(json_string_value(sside))) ||
            (sside8 && !tvmaf_tiny_is_sha256(json_string_value(sside8))))
            return bad(r, i, "\"sidecar_sha256\" and \"int8_sidecar_sha256\" must be 64 "
                             "lowercase hex digits");
        if (sdata && (!json_is_object(sdata) || json_object_size(sdata) > 64))
            return bad(r, i, "\"data_sha256\" must be an object of at most 64 file: sha256");
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
        e->builtin = r->builtin;
        if ((sside && !(e->sidecar_sha256 = dup_str(sside))) ||
            (sside8 && !(e->int8_sidecar_sha256 = dup_str(sside8))))
            return TVMAF_ERR(ENOMEM);
        if (sdata) {
            const size_t nd = json_object_size(sdata);
            const char **const df = calloc(nd ? nd : 1, sizeof(*df));
            const char **const ds = calloc(nd ? nd : 1, sizeof(*ds));
            e->data_file = df;
            e->data_sha256 = ds;
            if (!df || !ds)
                return TVMAF_ERR(ENOMEM);
            const char *key;
            const json_t *v;
            json_object_foreach((json_t *)sdata, key, v) {
                if (!is_rel_name(key) || !tvmaf_tiny_is_sha256(json_string_value(v)))
                    return bad(r, i, "\"data_sha256\" maps relative file names (no ..) to "
                                     "64 lowercase hex digits");
                df[e->n_data] = strdup(key);
                ds[e->n_data] = dup_str(v);
                e->n_data++;
                if (!df[e->n_data - 1] || !ds[e->n_data - 1])
                    return TVMAF_ERR(ENOMEM);
            }
        }
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
    char real[PATH_MAX], path[PATH_MAX];
    if (snprintf(path, sizeof(path), "%s/registry.json", dir) >= (int)sizeof(path)) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s: path too long", dir);
        return TVMAF_ERR(EINVAL);
    }
    if (quiet_missing && !realpath(path, real))
        return TVMAF_ERR(ENOENT);
    uint8_t *buf;
    size_t len;
    int err = tvmaf_tiny_resolve_path(path, jail, real, log);
    if (err || (err = tvmaf_tiny_read_file(real, TINY_MAX_JSON_BYTES, &buf, &len, log)))
        return err;
    TvmafTinyRegistry *r;
    err = tvmaf_tiny_registry_parse(&r, buf, len, path, 0, log);
    free(buf);
    if (err)
        return err;
    /* Files resolve against the registry's canonical directory. */
    char *const slash = strrchr(real, '/');
    *slash = 0; /* realpath() of a file always contains a '/' */
    free(r->dir);
    r->dir = strdup(real[0] ? real : "/");
    r->jail = jail && *jail ? strdup(jail) : NULL;
    if (!r->dir || (jail && *jail && !r->jail)) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s: out of memory", path);
        tvmaf_tiny_registry_free(&r);
        return TVMAF_ERR(ENOMEM);
    }
    *out = r;
    return 0;
}

int tvmaf_tiny_registry_parse(TvmafTinyRegistry **out, const uint8_t *buf, const size_t len,
                              const char *name, const int builtin, const TvmafLogger *log)
{
    *out = NULL;
    TvmafTinyRegistry *const r = calloc(1, sizeof(*r));
    if (!r) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s: out of memory", name);
        return TVMAF_ERR(ENOMEM);
    }
    int err;
    r->log = *log;
    r->builtin = builtin;
    r->dir = strdup(builtin ? "built-in" : name);
    r->json = strdup(name);
    if (!r->dir || !r->json) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s: out of memory", name);
        err = TVMAF_ERR(ENOMEM);
        goto fail;
    }
    json_error_t jerr;
    json_t *const root = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s:%d:%d: %s", r->json, jerr.line, jerr.column, jerr.text);
        err = TVMAF_ERR(EBADMSG);
        goto fail;
    }
    err = parse_entries(r, root);
    json_decref(root);
    if (err == TVMAF_ERR(ENOMEM))
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s: out of memory", name);
    if (err)
        goto fail;
    *out = r;
    return 0;
fail:;
    TvmafTinyRegistry *tmp = r;
    tvmaf_tiny_registry_free(&tmp);
    return err;
}

int tvmaf_tiny_registry_open_builtin(TvmafTinyRegistry **out, const TvmafTinyLoadOptions *opt)
{
    if (!out)
        return TVMAF_ERR(EINVAL);
    *out = NULL;
    TinyOpts o;
    const int err = tvmaf_tiny_opts_resolve(&o, opt);
    if (err)
        return err;
    const TvmafBuiltinFile *const f = tvmaf_builtin_find(tvmaf_builtin_tiny, "registry.json");
    /* Built without tiny models: an empty registry. */
    static const uint8_t empty[] = "{\"models\": []}";
    return tvmaf_tiny_registry_parse(out, f ? f->data : empty, f ? f->size : sizeof(empty) - 1,
                                     "built-in registry.json", 1, &o.log);
}

int tvmaf_tiny_registry_file(const TvmafTinyRegistry *r, const char *name, const size_t max,
                             uint8_t **buf, size_t *len, char *where, const size_t where_size)
{
    *buf = NULL;
    *len = 0;
    if (r->builtin) {
        snprintf(where, where_size, "built-in %s", name);
        const TvmafBuiltinFile *const f = tvmaf_builtin_find(tvmaf_builtin_tiny, name);
        if (!f) {
            tvmaf_log(&r->log, TVMAF_LOG_ERROR, "%s: not in the built-in registry", name);
            return TVMAF_ERR(ENOENT);
        }
        if (!(*buf = malloc(f->size + 1))) {
            tvmaf_log(&r->log, TVMAF_LOG_ERROR, "%s: out of memory", where);
            return TVMAF_ERR(ENOMEM);
        }
        memcpy(*buf, f->data, f->size);
        (*buf)[f->size] = 0;
        *len = f->size;
        return 0;
    }
    char path[PATH_MAX], real[PATH_MAX];
    if (snprintf(path, sizeof(path), "%s/%s", r->dir, name) >= (int)sizeof(path)) {
        tvmaf_log(&r->log, TVMAF_LOG_ERROR, "%s/%s: path too long", r->dir, name);
        return TVMAF_ERR(EINVAL);
    }
    snprintf(where, where_size, "%s", path);
    /* A registry file may not leave the registry's directory, nor the jail. */
    int err = tvmaf_tiny_resolve_path(path, r->dir, real, &r->log);
    if (err || (err = tvmaf_tiny_resolve_path(path, r->jail, real, &r->log)))
        return err;
    return tvmaf_tiny_read_file(real, max, buf, len, &r->log);
}

int tvmaf_tiny_registry_exists(const TvmafTinyRegistry *r, const char *name)
{
    if (r->builtin)
        return tvmaf_builtin_find(tvmaf_builtin_tiny, name) != NULL;
    char path[PATH_MAX];
    struct stat st;
    return snprintf(path, sizeof(path), "%s/%s", r->dir, name) < (int)sizeof(path) &&
           lstat(path, &st) == 0;
}

int tvmaf_tiny_check_pin(const TvmafLogger *log, const char *where, const uint8_t *buf,
                         const size_t len, const char *pin)
{
    char hex[65];
    tvmaf_tiny_sha256_hex(buf, len, hex);
    if (strcmp(hex, pin)) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s: sha256 mismatch: pinned %s, file has %s", where,
                  pin, hex);
        return TVMAF_ERR(EACCES);
    }
    return 0;
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

/* "dir/x.onnx" + "x.json" -> "dir/x.json": names relative to the model's directory. */
int tvmaf_tiny_sibling(const char *file, const char *name, char *out, const size_t size)
{
    const char *const slash = strrchr(file, '/');
    const int d = slash ? (int)(slash - file + 1) : 0;
    return snprintf(out, size, "%.*s%s", d, file, name) >= (int)size ? TVMAF_ERR(EINVAL) : 0;
}

static int verify_one(const TvmafTinyRegistry *r, const char *name, const char *pin)
{
    uint8_t *buf;
    size_t len;
    char where[PATH_MAX + 16];
    int err = tvmaf_tiny_registry_file(r, name, TINY_MAX_FILE_BYTES, &buf, &len, where,
                                       sizeof(where));
    if (err)
        return err;
    err = tvmaf_tiny_check_pin(&r->log, where, buf, len, pin);
    free(buf);
    return err;
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
    int err = verify_one(r, file, want);
    if (err)
        return err;
    /* The sidecar: pinned, or absent. */
    char side[PATH_MAX];
    const size_t n = strlen(file);
    snprintf(side, sizeof(side), "%.*s.json", (int)(n - 5), file);
    const char *const spin = int8 ? e->int8_sidecar_sha256 : e->sidecar_sha256;
    if (spin) {
        if ((err = verify_one(r, side, spin)))
            return err;
    } else if (tvmaf_tiny_registry_exists(r, side)) {
        tvmaf_log(&r->log, TVMAF_LOG_ERROR, "%s/%s: the registry pins no sha256 for this sidecar",
                  r->dir, side);
        return TVMAF_ERR(EACCES);
    }
    for (unsigned j = 0; j < e->n_data; j++) {
        char name[PATH_MAX];
        if ((err = tvmaf_tiny_sibling(e->file, e->data_file[j], name, sizeof(name))) ||
            (err = verify_one(r, name, e->data_sha256[j])))
            return err;
    }
    return 0;
}
