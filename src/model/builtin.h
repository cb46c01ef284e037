/*
 * Models compiled into the library (models/embed.py generates the tables
 * from models/): libvmaf's classic JSON models and the tiny-model registry
 * with every file it pins. Each file carries the sha256 it was pinned to;
 * loaders hash the embedded bytes again before use, so a damaged binary is
 * refused the same way a damaged file is.
 */
#ifndef TVMAF_SRC_MODEL_BUILTIN_H
#define TVMAF_SRC_MODEL_BUILTIN_H

#include <stddef.h>

typedef struct TvmafBuiltinFile {
    const char *name;           /* classic: version name; tiny: path relative to models/ */
    const unsigned char *data;
    size_t size;
    const char *sha256;         /* the pin, 64 lowercase hex digits */
} TvmafBuiltinFile;

/* Both tables end with an entry whose name is NULL. */
extern const TvmafBuiltinFile tvmaf_builtin_classic[];
extern const TvmafBuiltinFile tvmaf_builtin_tiny[];

/* The entry called `name` in `table`, or NULL. */
const TvmafBuiltinFile *tvmaf_builtin_find(const TvmafBuiltinFile *table, const char *name);

#endif /* TVMAF_SRC_MODEL_BUILTIN_H */
