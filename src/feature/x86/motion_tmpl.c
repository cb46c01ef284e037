/*
 * Integer motion kernels for one vector width, included by motion_avx2.c and
 * motion_avx512.c after the vector layer (vec_avx2.h / vec_avx512.h) and
 * FN(). Numerics: the C reference, motion.c; every result is an exact
 * integer, equal to C bit for bit (tests/checksimd/motion.c).
 *
 * - Vertical sums take rows (0,1), (2,3), (4,-) interleaved into pmaddwd
 *   with taps (f0,f1), (f2,f3), (f4,0). 8-bit samples and their differences
 *   fit int16 directly; 16-bit samples take the u ^ 0x8000 offset of
 *   vif_tmpl.c (the taps sum to 65536, so the sum is off by exactly 2^31).
 * - The fused 16-bit difference p - c can reach 17 bits, so its sum is
 *   formed as Sp - Sc from two exact unsigned sums:
 *     floor((Sp - Sc + 2^(b-1)) / 2^b) = (A >> b) - (Sc >> b) - [A%2^b < Sc%2^b]
 *   with A = Sp + 2^(b-1) < 2^32.
 * - The fused horizontal sum of y (|y| < 2^16, five taps: up to 2^32) is
 *   split on the folded taps u = y[j-k] + y[j+k] = 256*uh + ul (ul in
 *   0..255): s = 256*Sh + Sl with both parts small, and
 *     (s + 2^15) >> 16 = (Sh + ((Sl + 2^15) >> 8)) >> 8
 *   (nested floor division).
 */

#define M_OFF16 0x8000
#define M_OFF32 ((int)0x80000000u)

static const int32_t m_taps[5] = { 3571, 16004, 26386, 16004, 3571 };

static inline void m_tap_pairs(vec F[3])
{
    F[0] = v_set32(m_taps[0] | m_taps[1] << 16);
    F[1] = v_set32(m_taps[2] | m_taps[3] << 16);
    F[2] = v_set32(m_taps[4]);
}

/* reflect-101 and the classic edge-repeat mirror, as motion.c. */
static inline int m_mirror101(const int i, const int n)
{
    return i < 0 ? -i : i >= n ? 2 * n - 2 - i : i;
}

static inline int m_mirror_classic(const int i, const int n)
{
    return i < 0 ? -i : i >= n ? 2 * n - 1 - i : i;
}

/* Unsigned sums of five 16-bit rows (exact, < 2^32), as lo/hi halves. */
static inline void sum5_u16(vec *const lo, vec *const hi, const uint16_t *const *const r,
                            const int j, const vec F[3])
{
    const vec off16 = v_set16((short)M_OFF16), off32 = v_set32(M_OFF32), zero = v_zero();
    vec l = zero, h = zero;
    for (int p = 0; p < 3; p++) {
        const vec a = v_ld(r[2 * p] + j);
        const vec b = p < 2 ? v_ld(r[2 * p + 1] + j) : zero;
        l = v_add32(l, v_madd(v_xor(v_unlo16(a, b), off16), F[p]));
        h = v_add32(h, v_madd(v_xor(v_unhi16(a, b), off16), F[p]));
    }
    *lo = v_xor(l, off32);
    *hi = v_xor(h, off32);
}

static inline vec fused_round16(const vec sp, const vec sc, const int bpc)
{
    const vec a = v_add32(sp, v_set32(1 << (bpc - 1))), m = v_set32((1 << bpc) - 1);
    return v_sub_if_lt32(v_sub32(v_srl32(a, bpc), v_srl32(sc, bpc)), v_and(a, m), v_and(sc, m));
}

decl_motion_fused_vert_fn(FN(fused_vert))
{
    vec F[3];
    m_tap_pairs(F);
    const vec zero = v_zero();
    vec any = zero;

    if (bpc == 8) {
        const uint8_t *const *const pp = (const uint8_t *const *)p;
        const uint8_t *const *const cc = (const uint8_t *const *)c;
        const vec rnd = v_set32(1 << 7);
        for (int j = 0; j < w; j += N16) {
            vec l = zero, h = zero;
            for (int k = 0; k < 3; k++) {
                const vec a = v_sub16(v_ld_u8(pp[2 * k] + j), v_ld_u8(cc[2 * k] + j));
                const vec b = k < 2 ? v_sub16(v_ld_u8(pp[2 * k + 1] + j), v_ld_u8(cc[2 * k + 1] + j)) : zero;
                l = v_add32(l, v_madd(v_unlo16(a, b), F[k]));
                h = v_add32(h, v_madd(v_unhi16(a, b), F[k]));
            }
            vec o0, o1;
            v_fix32(v_srai32(v_add32(l, rnd), 8), v_srai32(v_add32(h, rnd), 8), &o0, &o1);
            v_st(y + j, o0);
            v_st(y + j + N32, o1);
            /* Lanes past w hold whatever the over-read rows gave. */
            any = v_or(any, v_or(v_keep32(o0, w - j), v_keep32(o1, w - j - N32)));
        }
    } else {
        const uint16_t *const *const pp = (const uint16_t *const *)p;
        const uint16_t *const *const cc = (const uint16_t *const *)c;
        for (int j = 0; j < w; j += N16) {
            vec pl, ph, cl, ch, o0, o1;
            sum5_u16(&pl, &ph, pp, j, F);
            sum5_u16(&cl, &ch, cc, j, F);
            v_fix32(fused_round16(pl, cl, bpc), fused_round16(ph, ch, bpc), &o0, &o1);
            v_st(y + j, o0);
            v_st(y + j + N32, o1);
            any = v_or(any, v_or(v_keep32(o0, w - j), v_keep32(o1, w - j - N32)));
        }
    }
    return (int32_t)v_hor32(any);
}

static inline int32_t fused_horiz_at(const int32_t *const y, const int j, const int w)
{
    int64_t s = 0;
    for (int k = 0; k < 5; k++)
        s += (int64_t)m_taps[k] * y[m_mirror101(j - 2 + k, w)];
    return (int32_t)((s + (1 << 15)) >> 16);
}

decl_motion_fused_horiz_sad_fn(FN(fused_horiz_sad))
{
    const vec f0 = v_set32(m_taps[0]), f1 = v_set32(m_taps[1]), f2 = v_set32(m_taps[2]);
    const vec c255 = v_set32(255), rnd = v_set32(1 << 15);
    const int end = w - 2;
    uint32_t sad = 0;
    vec acc = v_zero();

    for (int j = 0; j < 2 && j < w; j++)
        sad += (uint32_t)abs(fused_horiz_at(y, j, w));
    for (int j = 2; j < end; j += N32) {
        const vec u0 = v_add32(v_ld(y + j - 2), v_ld(y + j + 2));
        const vec u1 = v_add32(v_ld(y + j - 1), v_ld(y + j + 1));
        const vec u2 = v_ld(y + j);
        const vec sh = v_add32(v_add32(v_mullo32(v_srai32(u0, 8), f0), v_mullo32(v_srai32(u1, 8), f1)),
                               v_mullo32(v_srai32(u2, 8), f2));
        const vec sl = v_add32(v_add32(v_mullo32(v_and(u0, c255), f0), v_mullo32(v_and(u1, c255), f1)),
                               v_mullo32(v_and(u2, c255), f2));
        const vec v = v_srai32(v_add32(sh, v_srai32(v_add32(sl, rnd), 8)), 8);
        acc = v_add32(acc, v_keep32(v_abs32(v), end - j));
    }
    sad += v_hsum32(acc);
    for (int j = end > 2 ? end : 2; j < w; j++)
        sad += (uint32_t)abs(fused_horiz_at(y, j, w));
    return sad;
}

decl_motion_blur_vert_fn(FN(blur_vert))
{
    vec F[3];
    m_tap_pairs(F);
    const vec rnd = v_set32(1 << (bpc - 1)), zero = v_zero();

    for (int j = 0; j < w; j += N16) {
        vec l = zero, h = zero;
        if (bpc == 8) {
            const uint8_t *const *const xx = (const uint8_t *const *)x;
            for (int k = 0; k < 3; k++) {
                const vec a = v_ld_u8(xx[2 * k] + j);
                const vec b = k < 2 ? v_ld_u8(xx[2 * k + 1] + j) : zero;
                l = v_add32(l, v_madd(v_unlo16(a, b), F[k]));
                h = v_add32(h, v_madd(v_unhi16(a, b), F[k]));
            }
        } else {
            sum5_u16(&l, &h, (const uint16_t *const *)x, j, F);
        }
        v_st(t + j, v_packus32(v_srl32(v_add32(l, rnd), bpc), v_srl32(v_add32(h, rnd), bpc)));
    }
}

static inline uint16_t blur_horiz_at(const uint16_t *const t, const int j, const int w)
{
    uint32_t s = 0;
    for (int k = 0; k < 5; k++)
        s += (uint32_t)m_taps[k] * t[m_mirror_classic(j - 2 + k, w)];
    return (uint16_t)((s + (1u << 15)) >> 16);
}

decl_motion_blur_horiz_fn(FN(blur_horiz))
{
    vec F[3];
    m_tap_pairs(F);
    const vec off16 = v_set16((short)M_OFF16), off32 = v_set32(M_OFF32), rnd = v_set32(1 << 15);
    const vec zero = v_zero();

    /* Interior columns first: the last vector may spill into the edge
     * columns, which the scalar loops then overwrite. */
    for (int j = 2; j < w - 2; j += N16) {
        vec l = zero, h = zero;
        for (int k = 0; k < 3; k++) {
            const vec ta = v_ld(t + j - 2 + 2 * k);
            const vec tb = k < 2 ? v_ld(t + j - 1 + 2 * k) : zero;
            l = v_add32(l, v_madd(v_xor(v_unlo16(ta, tb), off16), F[k]));
            h = v_add32(h, v_madd(v_xor(v_unhi16(ta, tb), off16), F[k]));
        }
        v_st(b + j, v_packus32(v_srl32(v_add32(v_xor(l, off32), rnd), 16),
                               v_srl32(v_add32(v_xor(h, off32), rnd), 16)));
    }
    for (int j = 0; j < 2 && j < w; j++)
        b[j] = blur_horiz_at(t, j, w);
    for (int j = w - 2 > 2 ? w - 2 : 2; j < w; j++)
        b[j] = blur_horiz_at(t, j, w);
}

decl_motion_sad_row_fn(FN(sad_row))
{
    const vec zero = v_zero();
    vec acc = zero;
    int j = 0;
    for (; j + N16 <= w; j += N16) {
        const vec d = v_absdiff_u16(v_ld(a + j), v_ld(b + j));
        acc = v_add32(acc, v_add32(v_unlo16(d, zero), v_unhi16(d, zero)));
    }
    uint32_t s = v_hsum32(acc);
    for (; j < w; j++)
        s += (uint32_t)abs((int)a[j] - (int)b[j]);
    return s;
}
