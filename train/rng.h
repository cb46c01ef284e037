/*
 * Deterministic random numbers for training: xoshiro256** 1.0 (Blackman &
 * Vigna, https://prng.di.unimi.it/xoshiro256starstar.c), seeded through
 * splitmix64 as its authors recommend. The streams are fixed by this file
 * and never by the C library, so a seed means the same model everywhere.
 */
#ifndef TVMAF_TRAIN_RNG_H
#define TVMAF_TRAIN_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct TvmafRng {
    uint64_t s[4];
} TvmafRng;

static inline uint64_t tvmaf_splitmix64(uint64_t *const x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* `stream` separates independent uses of one seed (weight init, shuffling,
 * synthetic data) so that changing one never shifts another. */
static inline void tvmaf_rng_seed(TvmafRng *const r, const uint64_t seed, const uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xd1b54a32d192ed03ull);
    for (int i = 0; i < 4; i++)
        r->s[i] = tvmaf_splitmix64(&x);
}

static inline uint64_t tvmaf_rng_next(TvmafRng *const r)
{
    uint64_t *const s = r->s;
    const uint64_t x = s[1] * 5;
    const uint64_t result = ((x << 7) | (x >> 57)) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return result;
}

/** Uniform double in [0, 1) with 53 random bits. */
static inline double tvmaf_rng_double(TvmafRng *const r)
{
    return (double)(tvmaf_rng_next(r) >> 11) * 0x1.0p-53;
}

/**
 * Uniform integer in [0, n), n >= 1, without modulo bias: Lemire's
 * multiply-shift with rejection ("Fast Random Integer Generation in an
 * Interval", ACM TOMACS 2019).
 */
static inline uint32_t tvmaf_rng_below(TvmafRng *const r, const uint32_t n)
{
    uint64_t m = (uint64_t)(uint32_t)(tvmaf_rng_next(r) >> 32) * n;
    uint32_t lo = (uint32_t)m;
    if (lo < n) {
        const uint32_t t = (uint32_t)-n % n;
        while (lo < t) {
            m = (uint64_t)(uint32_t)(tvmaf_rng_next(r) >> 32) * n;
            lo = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

/** Fisher-Yates (Durstenfeld) shuffle of idx[0..n). */
static inline void tvmaf_rng_shuffle(TvmafRng *const r, uint32_t *const idx, const size_t n)
{
    for (size_t i = n; i > 1; i--) {
        const uint32_t j = tvmaf_rng_below(r, (uint32_t)i);
        const uint32_t t = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = t;
    }
}

#endif /* TVMAF_TRAIN_RNG_H */
