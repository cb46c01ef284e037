/*
 * Registry and option plumbing shared by tiny_registry.c and tiny_model.c.
 */
#ifndef TVMAF_SRC_MODEL_TINY_TINY_REGISTRY_H
#define TVMAF_SRC_MODEL_TINY_TINY_REGISTRY_H

#include <limits.h>

#include "tinyvmaf/tiny.h"

#define TINY_MAX_JSON_BYTES (4u << 20)

struct TvmafTinyRegistry {
    char *dir;  /* canonical */
    char *json; /* path of registry.json, for messages */
    char *jail; /* canonical jail, or NULL */
    TvmafTinyRegistryEntry *e;
    unsigned n;
    TvmafLogger log;
};

/* Options with defaults and the environment applied. */
typedef struct TinyOpts {
    const char *registry_dir;
    char jail[PATH_MAX]; /* canonical; empty = no jail */
    TvmafLogger log;
} TinyOpts;

/* Fills `o` from `opt` (NULL = defaults); resolves the jail.
 * @return 0, TVMAF_ERR(EINVAL), TVMAF_ERR(ENOENT) (jail missing). Logged. */
int tvmaf_tiny_opts_resolve(TinyOpts *o, const TvmafTinyLoadOptions *opt);

/* Canonicalises `path` into `real` and checks it against the jail.
 * @return 0, TVMAF_ERR(ENOENT), TVMAF_ERR(EACCES), TVMAF_ERR(EIO). Logged. */
int tvmaf_tiny_resolve_path(const char *path, const char *jail, char real[PATH_MAX],
                            const TvmafLogger *log);

/* Reads <dir>/registry.json. quiet_missing: return ENOENT without logging
 * when the file does not exist. */
int tvmaf_tiny_registry_read(TvmafTinyRegistry **out, const char *dir, const char *jail,
                             const TvmafLogger *log, int quiet_missing);

/* 1 for 64 lowercase hex digits. */
int tvmaf_tiny_is_sha256(const char *s);

#endif /* TVMAF_SRC_MODEL_TINY_TINY_REGISTRY_H */
