/*
 * tinyvmaf models: each registry entry's pinned files verified, then the
 * model loaded through the registry.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli_log.h"
#include "output/models.h"
#include "tinyvmaf/tiny.h"

/* Lists one registry's entries: every pinned file verified, then the model
 * loaded through the registry as a scoring run would (which also checks
 * what only the ONNX names, e.g. external data). Counts into *listed / *bad. */
static void list_registry(TvmafTinyRegistry *r, const TvmafTinyLoadOptions *lo, TvmafCliLog *sink,
                          unsigned *listed, unsigned *bad, FILE *out)
{
    const unsigned n = tvmaf_tiny_registry_count(r);
    for (unsigned i = 0; i < n; i++) {
        const TvmafTinyRegistryEntry *const e = tvmaf_tiny_registry_entry(r, i);
        for (int int8 = 0; int8 < 2; int8++) {
            if (int8 && !e->int8_file)
                break;
            sink->have = 0;
            char id[80];
            snprintf(id, sizeof(id), "%s%s", e->id, int8 ? "_int8" : "");
            int err = tvmaf_tiny_registry_verify(r, i, int8);
            if (!err) {
                TvmafTinyModel *m;
                err = tvmaf_tiny_model_load(&m, id, lo);
                tvmaf_tiny_model_free(&m);
            }
            const char *const status = !err                          ? "ok"
                                       : err == TVMAF_ERR(ENOENT)    ? "MISSING"
                                       : err == TVMAF_ERR(EACCES)    ? "MISMATCH"
                                                                     : "ERROR";
            char opset[16] = "-";
            if (e->opset)
                snprintf(opset, sizeof(opset), "%d", e->opset);
            fprintf(out, "%-24s %-6s %-5s %-8s %-8s %s\n", id, e->kind, opset, status,
                    e->builtin ? "built-in" : "external", int8 ? e->int8_file : e->file);
            if (err) {
                (*bad)++;
                fprintf(stderr, "tinyvmaf models: %s\n",
                        sink->have ? sink->msg : "verification failed");
            }
            (*listed)++;
        }
    }
}

int tvmaf_models_list(const char *const model_dir, FILE *const out)
{
    TvmafCliLog sink = { .cmd = "models", .keep = 1 };
    TvmafTinyLoadOptions o;
    tvmaf_tiny_default_load_options(&o);
    o.logger = tvmaf_cli_logger(&sink);
    TvmafTinyRegistry *r;
    int err = tvmaf_tiny_registry_open_builtin(&r, &o);
    if (err < 0)
        return tvmaf_cli_fail("models", 1, "built-in registry: %s",
                              sink.have ? sink.msg : strerror(-err));
    unsigned bad = 0, listed = 0;
    fprintf(out, "%-24s %-6s %-5s %-8s %-8s %s\n", "id", "kind", "opset", "sha256", "source",
            "file");
    TvmafTinyLoadOptions lb = o;
    lb.ignore_env = 1; /* built-in ids resolve in the built-in registry first */
    list_registry(r, &lb, &sink, &listed, &bad, out);
    const unsigned n_builtin = listed;
    tvmaf_tiny_registry_free(&r);

    /* The external registry: asked for, named by the environment, or the
     * installed one when it exists. */
    const char *const env = getenv(TVMAF_TINY_MODEL_DIR_ENV);
    const char *const dir = model_dir ? model_dir
                            : env && *env ? env : tvmaf_tiny_default_model_dir();
    const int optional = !model_dir && !(env && *env);
    char path[4096];
    struct stat st;
    snprintf(path, sizeof(path), "%s/registry.json", dir);
    if (optional && stat(path, &st)) {
        fprintf(out, "%u built-in models, %u verified, %u failed; no external registry (%s)\n",
                listed, listed - bad, bad, path);
        return bad ? 1 : 0;
    }
    o.registry_dir = dir;
    sink.have = 0;
    if ((err = tvmaf_tiny_registry_open(&r, &o)) < 0)
        return tvmaf_cli_fail("models", 1, "%s", sink.have ? sink.msg : strerror(-err));
    list_registry(r, &o, &sink, &listed, &bad, out);
    fprintf(out, "%u built-in models and %u in %s/registry.json, %u verified, %u failed\n",
            n_builtin, listed - n_builtin, tvmaf_tiny_registry_dir(r), listed - bad, bad);
    tvmaf_tiny_registry_free(&r);
    return bad ? 1 : 0;
}
