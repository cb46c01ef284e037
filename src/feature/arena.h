/*
 * Offsets into one scratch block, planned before it is allocated: each
 * buffer starts 64-byte aligned and is followed by `slack` bytes the SIMD
 * kernels may over-read. An impossible size sets `overflow` (checked once
 * after planning) instead of wrapping.
 */
#ifndef TVMAF_SRC_FEATURE_ARENA_H
#define TVMAF_SRC_FEATURE_ARENA_H

#include <stddef.h>
#include <stdint.h>

typedef struct TvmafArena {
    size_t off;   ///< bytes planned so far (the block's size at the end)
    int overflow; ///< a request could not be represented
} TvmafArena;

/** Plans n elements of elem bytes plus slack; returns their offset. */
static inline size_t tvmaf_arena_take(TvmafArena *const a, const size_t n, const size_t elem,
                                      const size_t slack)
{
    const size_t at = a->off;
    if (elem && n > (SIZE_MAX / 4) / elem) {
        a->overflow = 1;
        return 0;
    }
    const size_t bytes = (n * elem + slack + 63) & ~(size_t)63;
    if (bytes > SIZE_MAX / 4 - a->off) {
        a->overflow = 1;
        return 0;
    }
    a->off += bytes;
    return at;
}

#endif /* TVMAF_SRC_FEATURE_ARENA_H */
