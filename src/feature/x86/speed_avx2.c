/*
 * SpEED chroma, AVX2. Numerics: the C reference, speed.c; every lane does
 * the same multiply and add, in the same order, as one C iteration (no FMA),
 * so results are bit-identical.
 */
#include <immintrin.h>

#include "feature/speed.h"
#include "feature/x86/speed.h"

decl_speed_filter_vert_fn(tvmaf_speed_filter_vert_avx2)
{
    /* Whole vectors: w rounded up to 16 stays within TVMAF_SPEED_SLACK. */
    for (int j = 0; j < w; j += 16) {
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
        for (int k = 0; k < n; k++) {
            const __m256 fk = _mm256_broadcast_ss(&f[k]);
            a0 = _mm256_add_ps(a0, _mm256_mul_ps(fk, _mm256_loadu_ps(rows[k] + j)));
            a1 = _mm256_add_ps(a1, _mm256_mul_ps(fk, _mm256_loadu_ps(rows[k] + j + 8)));
        }
        _mm256_storeu_ps(dst + j, a0);
        _mm256_storeu_ps(dst + j + 8, a1);
    }
}

/* Row x of the covariance sums, kept in ng registers over all n positions. */
static inline void cov_x(double *const acc, const double *const c, const int n, const int x,
                         const int ng)
{
    __m256d a[7];
    double *const ax = acc + x * TVMAF_SPEED_PITCH;
    for (int g = 0; g < ng; g++)
        a[g] = _mm256_loadu_pd(ax + 4 * g);
    for (int j = 0; j < n; j++) {
        const double *const cj = c + (size_t)j * TVMAF_SPEED_PITCH;
        const __m256d bx = _mm256_broadcast_sd(cj + x);
        for (int g = 0; g < ng; g++)
            a[g] = _mm256_add_pd(a[g], _mm256_mul_pd(bx, _mm256_loadu_pd(cj + 4 * g)));
    }
    for (int g = 0; g < ng; g++)
        _mm256_storeu_pd(ax + 4 * g, a[g]);
}

decl_speed_cov_row_fn(tvmaf_speed_cov_row_avx2)
{
    /* A constant group count per call lets the compiler keep a[] in registers. */
    for (int x = 0; x < TVMAF_SPEED_DIM; x++) {
        switch (x / 4 + 1) {
        case 1: cov_x(acc, c, n, x, 1); break;
        case 2: cov_x(acc, c, n, x, 2); break;
        case 3: cov_x(acc, c, n, x, 3); break;
        case 4: cov_x(acc, c, n, x, 4); break;
        case 5: cov_x(acc, c, n, x, 5); break;
        case 6: cov_x(acc, c, n, x, 6); break;
        default: cov_x(acc, c, n, x, 7); break;
        }
    }
}
