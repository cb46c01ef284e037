/*
 * File access for the tiny-model loader: bounded reads, sha256, and the
 * path checks behind the directory jail.
 */
#ifndef TVMAF_SRC_MODEL_TINY_TINY_FILE_H
#define TVMAF_SRC_MODEL_TINY_TINY_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "tinyvmaf/tinyvmaf.h"

/**
 * 1 if the canonical path `real` is `dir` itself or lies below it. Both
 * must already be canonical (realpath); the comparison stops at a '/'
 * boundary, so /a/models2 is not inside /a/models.
 */
int tvmaf_tiny_path_inside(const char *real, const char *dir);

/**
 * Reads a whole regular file of at most `max` bytes.
 * @return 0, TVMAF_ERR(ENOENT), TVMAF_ERR(EIO) (not regular, read error),
 *         TVMAF_ERR(ENOTSUP) larger than max, TVMAF_ERR(ENOMEM); the error
 *         is logged with `path`.
 */
int tvmaf_tiny_read_file(const char *path, size_t max, uint8_t **buf, size_t *len,
                         const TvmafLogger *log);

#endif /* TVMAF_SRC_MODEL_TINY_TINY_FILE_H */
