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
    int builtin; /* files come from the built-in table, not from dir */
};

/* Options with defaults and the environment applied. */
typedef struct TinyOpts {
    const char *registry_dir;
    int explicit_dir;  /* registry_dir came from the options: ids resolve there only */
    int use_builtin;   /* ids are looked up in the built-in registry first */
    unsigned cpu_mask;
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

/* Parses a registry.json held in memory (`name` names it in messages;
 * builtin: its files come from the built-in table). Errors are logged. */
int tvmaf_tiny_registry_parse(TvmafTinyRegistry **out, const uint8_t *buf, size_t len,
                              const char *name, int builtin, const TvmafLogger *log);

/* Parses a sidecar held in memory as the loader would; 0 when it is valid.
 * For tests and fuzzing. */
int tvmaf_tiny_sidecar_check(const uint8_t *buf, size_t len, const TvmafLogger *log);

/* Reads file `name` (relative to the registry) from the registry's
 * directory (inside it and the jail) or from the built-in table. `where`
 * receives the name used in messages. Errors are logged. */
int tvmaf_tiny_registry_file(const TvmafTinyRegistry *r, const char *name, size_t max,
                             uint8_t **buf, size_t *len, char *where, size_t where_size);

/* 1 when the registry has a file `name` (a dangling link counts). */
int tvmaf_tiny_registry_exists(const TvmafTinyRegistry *r, const char *name);

/* Compares sha256(buf) with `pin`; logs and returns TVMAF_ERR(EACCES) on a mismatch. */
int tvmaf_tiny_check_pin(const TvmafLogger *log, const char *where, const uint8_t *buf,
                         size_t len, const char *pin);

/* `name` in the directory of the relative path `file`. */
int tvmaf_tiny_sibling(const char *file, const char *name, char *out, size_t size);

/* 1 for 64 lowercase hex digits. */
int tvmaf_tiny_is_sha256(const char *s);

#endif /* TVMAF_SRC_MODEL_TINY_TINY_REGISTRY_H */
