/*
 * CAMBI, AVX2. Every kernel is integer or one float product per lane in the
 * C reference's order (cambi.c), so results are the same bits; checked by
 * tests/checksimd/cambi.c.
 */
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#include "feature/cambi.h"
#include "feature/x86/cambi.h"

static inline __m256i ld(const void *const p)
{
    return _mm256_loadu_si256((const __m256i *)p);
}

static inline void st(void *const p, const __m256i v)
{
    _mm256_storeu_si256((__m256i *)p, v);
}

void tvmaf_cambi_derivative_row_avx2(const uint16_t *const cur, const uint16_t *const next,
                                     uint16_t *const out, const int w)
{
    const __m256i one = _mm256_set1_epi16(1);
    int j = 0;
    /* Whole vectors up to w-2: the right neighbour of column w-1 is not read. */
    for (; j + 16 <= w - 1; j += 16) {
        const __m256i c = ld(cur + j);
        __m256i eq = _mm256_cmpeq_epi16(c, ld(cur + j + 1));
        if (next)
            eq = _mm256_and_si256(eq, _mm256_cmpeq_epi16(c, ld(next + j)));
        st(out + j, _mm256_and_si256(eq, one));
    }
    for (; j < w - 1; j++)
        out[j] = (uint16_t)((cur[j] == cur[j + 1]) & (!next || cur[j] == next[j]));
    out[w - 1] = !next || cur[w - 1] == next[w - 1];
}

void tvmaf_cambi_mask_row_avx2(const uint16_t *const colsum, uint16_t *const out, const int w,
                               const unsigned threshold)
{
    /* Sums of 7 column sums are at most 49: 16 bits, compared signed. */
    const __m256i t = _mm256_set1_epi16((short)threshold);
    const __m256i one = _mm256_set1_epi16(1);
    int j = 0;
    for (; j + 16 <= w; j += 16) {
        __m256i s = ld(colsum + j);
        for (int k = 1; k < 7; k++)
            s = _mm256_add_epi16(s, ld(colsum + j + k));
        st(out + j, _mm256_and_si256(_mm256_cmpgt_epi16(s, t), one));
    }
    for (; j < w; j++)
        out[j] = tvmaf_cambi_mask7(colsum + j, threshold);
}

void tvmaf_cambi_decimate_row_avx2(const uint16_t *const src, uint16_t *const dst, const int w)
{
    /* In place (dst == src) each store lands at or before what the same
     * iteration already loaded, and behind everything later iterations read. */
    const __m256i lo = _mm256_set1_epi32(0xffff);
    int j = 0;
    for (; j + 16 <= w; j += 16) {
        const __m256i a = _mm256_and_si256(ld(src + 2 * j), lo);
        const __m256i b = _mm256_and_si256(ld(src + 2 * j + 16), lo);
        st(dst + j, _mm256_permute4x64_epi64(_mm256_packus_epi32(a, b), 0xd8));
    }
    for (; j < w; j++)
        dst[j] = src[2 * j];
}

/* The value two of a, b, c share, else the smallest. */
static inline __m256i mode3(const __m256i a, const __m256i b, const __m256i c)
{
    const __m256i a_dup = _mm256_or_si256(_mm256_cmpeq_epi16(a, b), _mm256_cmpeq_epi16(a, c));
    const __m256i bc = _mm256_cmpeq_epi16(b, c);
    const __m256i m = _mm256_min_epu16(_mm256_min_epu16(a, b), c);
    return _mm256_blendv_epi8(_mm256_blendv_epi8(m, b, bc), a, a_dup);
}

void tvmaf_cambi_mode_h_row_avx2(const uint16_t *const src, uint16_t *const dst, const int w)
{
    dst[0] = src[0];
    int j = 1;
    for (; j + 16 <= w - 1; j += 16)
        st(dst + j, mode3(ld(src + j - 1), ld(src + j), ld(src + j + 1)));
    for (; j < w - 1; j++)
        dst[j] = tvmaf_cambi_mode3(src[j - 1], src[j], src[j + 1]);
    dst[w - 1] = src[w - 1];
}

void tvmaf_cambi_mode_v_row_avx2(const uint16_t *const a, const uint16_t *const b,
                                 const uint16_t *const c, uint16_t *const dst, const int w)
{
    int j = 0;
    for (; j + 16 <= w; j += 16)
        st(dst + j, mode3(ld(a + j), ld(b + j), ld(c + j)));
    for (; j < w; j++)
        dst[j] = tvmaf_cambi_mode3(a[j], b[j], c[j]);
}

/* h[l..r-1] += d (mod 2^16), in whole vectors: lanes past r add 0 (the
 * histogram has slack past its last row). */
static inline void add_range(uint16_t *const h, const int l, const int r, const __m256i d,
                             const __m256i lane)
{
    int x = l;
    for (; x + 16 <= r; x += 16)
        st(h + x, _mm256_add_epi16(ld(h + x), d));
    if (x < r) {
        const __m256i keep = _mm256_cmpgt_epi16(_mm256_set1_epi16((short)(r - x)), lane);
        st(h + x, _mm256_add_epi16(ld(h + x), _mm256_and_si256(d, keep)));
    }
}

void tvmaf_cambi_hist_update_avx2(uint16_t *const hist, const int w,
                                  const uint16_t *const sub_img, const uint16_t *const sub_mask,
                                  const uint16_t *const add_img, const uint16_t *const add_mask,
                                  const int ncols, const int pad,
                                  const TvmafCambiParams *const par)
{
    const unsigned base = par->band_base, size = par->band_size;
    const __m256i plus = _mm256_set1_epi16(1), minus = _mm256_set1_epi16(-1);
    const __m256i lane = _mm256_setr_epi16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    for (int j = 0; j < ncols; j++) {
        const unsigned vs = sub_mask && sub_mask[j] ? (uint16_t)(sub_img[j] - base) : size;
        const unsigned va = add_mask && add_mask[j] ? (uint16_t)(add_img[j] - base) : size;
        if (vs == va)
            continue;
        const int l = j - pad > 0 ? j - pad : 0;
        const int r = j + pad + 1 < w ? j + pad + 1 : w;
        if (vs < size)
            add_range(hist + vs * (size_t)w, l, r, minus, lane);
        if (va < size)
            add_range(hist + va * (size_t)w, l, r, plus, lane);
    }
}

void tvmaf_cambi_c_values_row_avx2(float *const out, const uint16_t *const hist, const int w,
                                   const uint16_t *const img, const uint16_t *const mask,
                                   const TvmafCambiParams *const par)
{
    const int n = par->num_diffs;
    const __m256i zero = _mm256_setzero_si256();
    const __m256i base = _mm256_set1_epi32(par->band_base);
    const __m256i size = _mm256_set1_epi32(par->band_size);
    const __m256i nd = _mm256_set1_epi32(n);
    const __m256i vlt = _mm256_set1_epi32(par->vlt_luma);
    const __m256i wv = _mm256_set1_epi32(w);
    const __m256i lo16 = _mm256_set1_epi32(0xffff);
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const int *const h32 = (const int *)(const void *)hist;
    int j = 0;
    /* Gathers read 32 bits at 16-bit indices: 2 bytes past the last count,
     * inside the histogram's slack. */
    for (; j + 8 <= w; j += 8) {
        const __m256i m = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(mask + j)));
        const __m256i v = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(img + j)));
        const __m256i cv = _mm256_sub_epi32(v, base);
        const __m256i active = _mm256_andnot_si256(
            _mm256_cmpeq_epi32(m, zero),
            _mm256_and_si256(_mm256_cmpgt_epi32(cv, _mm256_set1_epi32(-1)),
                             _mm256_cmpgt_epi32(size, cv)));
        if (_mm256_testz_si256(active, active)) {
            _mm256_storeu_ps(out + j, _mm256_setzero_ps());
            continue;
        }
        const __m256i col = _mm256_add_epi32(_mm256_set1_epi32(j), lanes);
        const __m256i row0 = _mm256_add_epi32(_mm256_mullo_epi32(cv, wv), col);
        const __m256i p0 = _mm256_and_si256(
            _mm256_mask_i32gather_epi32(zero, h32, row0, active, 2), lo16);
        const __m256i value = _mm256_add_epi32(v, nd);
        __m256 best = _mm256_setzero_ps();
        for (int d = 0; d < n; d++) {
            const __m256i cond = _mm256_and_si256(
                active,
                _mm256_andnot_si256(_mm256_cmpgt_epi32(value, _mm256_set1_epi32(par->tvi[d])),
                                    _mm256_cmpgt_epi32(_mm256_add_epi32(value,
                                                                        _mm256_set1_epi32(d + 1)),
                                                       vlt)));
            if (_mm256_testz_si256(cond, cond))
                continue;
            const __m256i step = _mm256_set1_epi32((d + 1) * w);
            const __m256i p1 = _mm256_and_si256(
                _mm256_mask_i32gather_epi32(zero, h32, _mm256_add_epi32(row0, step), cond, 2), lo16);
            const __m256i has2 = _mm256_and_si256(
                cond, _mm256_cmpgt_epi32(cv, _mm256_set1_epi32(d)));
            const __m256i p2 = _mm256_and_si256(
                _mm256_mask_i32gather_epi32(zero, h32, _mm256_sub_epi32(row0, step), has2, 2), lo16);
            const __m256i pm = _mm256_max_epi32(p1, p2);
            const __m256i prod = _mm256_mullo_epi32(_mm256_set1_epi32(par->weight[d]),
                                                    _mm256_mullo_epi32(p0, pm));
            const __m256 rcp = _mm256_mask_i32gather_ps(_mm256_setzero_ps(), par->recip,
                                                        _mm256_add_epi32(pm, p0),
                                                        _mm256_castsi256_ps(cond), 4);
            const __m256 val = _mm256_and_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(prod), rcp),
                                             _mm256_castsi256_ps(cond));
            best = _mm256_max_ps(best, val);
        }
        _mm256_storeu_ps(out + j, best);
    }
    for (; j < w; j++)
        out[j] = tvmaf_cambi_c_value(hist, w, j, img[j], mask[j], par);
}

int tvmaf_cambi_pool_sum_avx2(const float *const v, const int n, double *const sum)
{
    const __m256 zero = _mm256_setzero_ps();
    const __m256 lo = _mm256_set1_ps(0.5f), hi = _mm256_set1_ps(16384.0f);
    __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
    __m256 bad = _mm256_setzero_ps();
    int nonzero = 0, i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 x = _mm256_loadu_ps(v + i);
        const __m256 nz = _mm256_cmp_ps(x, zero, _CMP_NEQ_UQ);
        const __m256 in = _mm256_and_ps(_mm256_cmp_ps(x, lo, _CMP_GE_OQ),
                                        _mm256_cmp_ps(x, hi, _CMP_LT_OQ));
        bad = _mm256_or_ps(bad, _mm256_andnot_ps(in, nz));
        nonzero += __builtin_popcount((unsigned)_mm256_movemask_ps(nz));
        s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm256_castps256_ps128(x)));
        s1 = _mm256_add_pd(s1, _mm256_cvtps_pd(_mm256_extractf128_ps(x, 1)));
    }
    if (_mm256_movemask_ps(bad))
        return -1;
    double t[4];
    _mm256_storeu_pd(t, _mm256_add_pd(s0, s1));
    double s = (t[0] + t[1]) + (t[2] + t[3]);
    if (tvmaf_cambi_pool_add(v + i, n - i, &s, &nonzero))
        return -1;
    *sum = s;
    return nonzero;
}
