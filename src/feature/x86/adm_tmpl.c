/*
 * Integer ADM kernels for one vector width: every entry of the DSP table.
 * Included by adm_avx2.c and adm_avx512.c after their vector layer
 * (vec_avx2.h, vec_avx512.h: vec, vmask, vecd, N16, N32, the v_* operations),
 * with FN(name) naming the exported symbol and angle_s123() defined: the
 * scale 1..3 angle test needs int64 -> float conversions, which only AVX-512
 * has in vectors.
 *
 * Bit-exact to the C reference in ../adm.c for every n and every input
 * value; the fixed-point derivations are there and in docs/algorithms.md,
 * section 3. Only the ways the same numbers are reached in vectors are
 * explained here. Recurring devices:
 *  - int16 x int16 sums of two products use pmaddwd (v_madd), which is exact
 *    for our taps (|tap| < 2^15); in the angle test they wrap only at
 *    2 * (-2^15)^2 = 2^31, which v_cvt_sum_ps reads back.
 *  - int64 products come from v_muls32/v_mulu32 on the even 32-bit lanes;
 *    odd lanes are shifted down first (odd32). Where the C result is
 *    wrap32(v >> s) with s <= 32, a logical 64-bit shift gives the same low
 *    32 bits.
 *  - The float steps (angle test, enhancement limit) are the C code's IEEE
 *    operations in the same order, in float or double lanes, never fused.
 *  - Tails run the full vector on over-read input (adm.h contract); stores
 *    write [0, n) only (v_st32_n, v_st16_n) and sums zero the dead lanes
 *    (v_keep32), which then add exactly 0.
 */

#define LO0 15826
#define LO1 27411
#define LO2 7345
#define LO3 (-4240)
#define LO_SUM 46342

#define I4_ONE_BY_30 143165577
#define I4_ONE_BY_15 286331153
/* M_PI is not in strict C11; libvmaf's literal, as in adm.c. */

/* Two int16 taps in one 32-bit lane, for pmaddwd. */
static inline vec tap_pair(const int a, const int b)
{
    return v_set32((int32_t)(((uint32_t)(uint16_t)b << 16) | (uint16_t)a));
}

/* wrap16 of each 32-bit lane, sign-extended back to 32 bits. */
static inline vec wrap16_32(const vec v)
{
    return v_srai32(v_sll32(v, 16), 16);
}

/* rnd64() of adm.c on 64-bit lanes. */
static inline vec rnd64(const vec v, const int s)
{
    if (!s) return v;
    return v_srai64(v_add64(v, v_set64((int64_t)1 << (s - 1))), s);
}

static inline vec odd32(const vec v)
{
    return v_srl64(v, 32);
}

/* Low 32 bits of the 64-bit lanes of e (even pixels) and o (odd pixels), interleaved back. */
static inline vec join_lo32(const vec e, const vec o)
{
    return v_blend_odd32(e, v_sll64(o, 32));
}

/* High 32 bits of the 64-bit lanes of e and o, interleaved back. */
static inline vec join_hi32(const vec e, const vec o)
{
    return v_blend_odd32(v_srl64(e, 32), o);
}

/* --- DWT, scale 0 (dwt_s0_c) --- */

/*
 * Vertical pass on N16 samples. The samples are biased into int16 so that
 * pmaddwd is exact for any uint16 value: x - bias with bias 2^(b-1) for
 * 8-bit and 2^15 otherwise. The C sums are modulo 2^32, so the bias comes
 * back as a constant: LO_SUM * bias on the lo sum, nothing on the hi sum
 * (its taps sum to 0).
 */
static inline void dwt_s0_vert(int16_t *const lo, int16_t *const hi, const vec x[4],
                               const vec cl, const vec ch, const int bpc)
{
    const vec l01 = tap_pair(LO0, LO1), l23 = tap_pair(LO2, LO3);
    const vec h01 = tap_pair(LO3, -LO2), h23 = tap_pair(LO1, -LO0);
    const vec m16 = v_set32(0xffff);
    /* The 16-bit interleaves work within 128-bit lanes; packus puts them back in order. */
    const vec a0 = v_unlo16(x[0], x[1]), a1 = v_unhi16(x[0], x[1]);
    const vec b0 = v_unlo16(x[2], x[3]), b1 = v_unhi16(x[2], x[3]);
    vec l0 = v_add32(v_madd(a0, l01), v_madd(b0, l23));
    vec l1 = v_add32(v_madd(a1, l01), v_madd(b1, l23));
    vec h0 = v_add32(v_madd(a0, h01), v_madd(b0, h23));
    vec h1 = v_add32(v_madd(a1, h01), v_madd(b1, h23));
    /* wrap16 as a truncation: mask, then packus passes [0, 65535] unchanged. */
    l0 = v_and(v_srai32(v_add32(l0, cl), bpc), m16);
    l1 = v_and(v_srai32(v_add32(l1, cl), bpc), m16);
    h0 = v_and(v_srai32(v_add32(h0, ch), bpc), m16);
    h1 = v_and(v_srai32(v_add32(h1, ch), bpc), m16);
    v_st(lo, v_packus32(l0, l1));
    v_st(hi, v_packus32(h0, h1));
}

/* N32 outputs of one horizontal band: taps (t01, t23) on the pairs at row + 2j - 1. */
static inline vec dwt_s0_horiz(const int16_t *const p, const vec t01, const vec t23)
{
    const vec s = v_add32(v_madd(v_ld(p - 1), t01), v_madd(v_ld(p + 1), t23));
    return v_srai32(v_add32(s, v_set32(32768)), 16);
}

TVMAF_ADM_DWT_S0_FN(FN(dwt_s0))
{
    int16_t *const lo = tmp + 32;
    int16_t *const hi = tmp + TVMAF_ADM_DWT_ROW(w) + 32;
    const uint32_t half = 1u << (bpc - 1);
    const uint32_t bias = bpc == 8 ? half : 32768u;
    const uint32_t offset = (uint32_t)LO_SUM * half - half;
    const vec cl = v_set32((int32_t)((uint32_t)LO_SUM * bias - offset));
    const vec ch = v_set32((int32_t)half);

    if (bpc == 8) {
        const vec b = v_set16(128);
        for (int j = 0; j < w; j += N16) {
            vec x[4];
            for (int k = 0; k < 4; k++)
                x[k] = v_sub16(v_ld_u8((const uint8_t *)src[k] + j), b);
            dwt_s0_vert(lo + j, hi + j, x, cl, ch, 8);
        }
    } else {
        const vec b = v_set16((int16_t)0x8000);
        for (int j = 0; j < w; j += N16) {
            vec x[4];
            for (int k = 0; k < 4; k++)
                x[k] = v_xor(v_ld((const uint16_t *)src[k] + j), b);
            dwt_s0_vert(lo + j, hi + j, x, cl, ch, bpc);
        }
    }
    for (int k = 0; k < 2; k++) {
        int16_t *const row = k ? hi : lo;
        row[-1] = row[tvmaf_adm_mirror(-1, w)];
        row[w] = row[tvmaf_adm_mirror(w, w)];
        row[w + 1] = row[tvmaf_adm_mirror(w + 1, w)];
    }

    const vec l01 = tap_pair(LO0, LO1), l23 = tap_pair(LO2, LO3);
    const vec h01 = tap_pair(LO3, -LO2), h23 = tap_pair(LO1, -LO0);
    const int nout = (w + 1) / 2;
    for (int j = 0; j < nout; j += N32) {
        const int16_t *const pl = lo + 2 * j, *const ph = hi + 2 * j;
        const int m = nout - j;
        v_st32_n(a + j, dwt_s0_horiz(pl, l01, l23), m);
        /* The band results are int16 values: the narrowing store is exact. */
        v_st16_n(hvd[1] + j, dwt_s0_horiz(pl, h01, h23), m);
        v_st16_n(hvd[0] + j, dwt_s0_horiz(ph, l01, l23), m);
        v_st16_n(hvd[2] + j, dwt_s0_horiz(ph, h01, h23), m);
    }
}

/* --- DWT, scales 1..3 (dwt_s123_c) --- */

/* Sum of taps x lanes as int64, for the even lanes of x[0..3]. */
static inline vec taps64(const vec x[4], const vec t[4])
{
    return v_add64(v_add64(v_muls32(x[0], t[0]), v_muls32(x[1], t[1])),
                   v_add64(v_muls32(x[2], t[2]), v_muls32(x[3], t[3])));
}

static inline vec taps32(const vec x[4], const vec t[4])
{
    return v_add32(v_add32(v_mullo32(x[0], t[0]), v_mullo32(x[1], t[1])),
                   v_add32(v_mullo32(x[2], t[2]), v_mullo32(x[3], t[3])));
}

/* wrap32(rnd64(sum, s)) for N32 lanes, s in [1, 32]. */
static inline vec taps_rnd(const vec x[4], const vec t[4], const vec rnd, const int s)
{
    const vec xo[4] = { odd32(x[0]), odd32(x[1]), odd32(x[2]), odd32(x[3]) };
    const vec e = v_srl64(v_add64(taps64(x, t), rnd), s);
    const vec o = v_srl64(v_add64(taps64(xo, t), rnd), s);
    return join_lo32(e, o);
}

/* N32 / 2 outputs (in the even 64-bit lanes) of one horizontal band at row + 2j - 1. */
static inline vec dwt_s123_horiz_half(const int32_t *const p, const vec t[4], const vec rnd,
                                      const int s)
{
    const vec x[4] = { v_ld(p - 1), v_ld(p), v_ld(p + 1), v_ld(p + 2) };
    return v_srl64(v_add64(taps64(x, t), rnd), s);
}

/* N32 outputs in order, from the halves at row + 2j - 1 and row + 2j - 1 + N32. */
static inline vec dwt_s123_horiz(const int32_t *const p, const vec t[4], const vec rnd,
                                 const int s)
{
    return v_narrow64x2(dwt_s123_horiz_half(p, t, rnd, s),
                        dwt_s123_horiz_half(p + N32, t, rnd, s));
}

TVMAF_ADM_DWT_S123_FN(FN(dwt_s123))
{
    static const int vshift[3] = { 0, 16, 16 };
    static const int hshift[3] = { 15, 16, 15 };
    const int vs = vshift[scale - 1], hs = hshift[scale - 1];
    int32_t *const lo = tmp + 32;
    int32_t *const hi = tmp + TVMAF_ADM_DWT_ROW(w) + 32;
    const vec tl[4] = { v_set32(LO0), v_set32(LO1), v_set32(LO2), v_set32(LO3) };
    const vec th[4] = { v_set32(LO3), v_set32(-LO2), v_set32(LO1), v_set32(-LO0) };

    if (vs == 0) {
        /* No shift: wrap32 of the sum is the sum modulo 2^32. */
        for (int j = 0; j < w; j += N32) {
            const vec x[4] = { v_ld(src[0] + j), v_ld(src[1] + j), v_ld(src[2] + j),
                               v_ld(src[3] + j) };
            v_st(lo + j, taps32(x, tl));
            v_st(hi + j, taps32(x, th));
        }
    } else {
        const vec rnd = v_set64((int64_t)1 << (vs - 1));
        for (int j = 0; j < w; j += N32) {
            const vec x[4] = { v_ld(src[0] + j), v_ld(src[1] + j), v_ld(src[2] + j),
                               v_ld(src[3] + j) };
            v_st(lo + j, taps_rnd(x, tl, rnd, vs));
            v_st(hi + j, taps_rnd(x, th, rnd, vs));
        }
    }
    for (int k = 0; k < 2; k++) {
        int32_t *const row = k ? hi : lo;
        row[-1] = row[tvmaf_adm_mirror(-1, w)];
        row[w] = row[tvmaf_adm_mirror(w, w)];
        row[w + 1] = row[tvmaf_adm_mirror(w + 1, w)];
    }

    const vec rnd = v_set64((int64_t)1 << (hs - 1));
    const int nout = (w + 1) / 2;
    for (int j = 0; j < nout; j += N32) {
        const int32_t *const pl = lo + 2 * j, *const ph = hi + 2 * j;
        const int m = nout - j;
        v_st32_n(a + j, dwt_s123_horiz(pl, tl, rnd, hs), m);
        v_st32_n(hvd[0] + j, dwt_s123_horiz(ph, tl, rnd, hs), m);
        v_st32_n(hvd[1] + j, dwt_s123_horiz(pl, th, rnd, hs), m);
        v_st32_n(hvd[2] + j, dwt_s123_horiz(ph, th, rnd, hs), m);
    }
}

/* --- decouple + CSF (decouple_s0_c, decouple_s123_c) --- */

/*
 * The angle test of tvmaf_adm_angle_within_1deg() on int16 values held in 32-bit
 * lanes: each lane pairs (h, v) for one pmaddwd. Dividing dp, |o|^2 and
 * |t|^2 by 4096 is exact and commutes with every later rounding (no under-
 * or overflow), so it is left out.
 */
static inline vmask angle_s0(const vec oh, const vec ov, const vec th, const vec tv, const vecd c)
{
    const vec po = v_blend_odd16(oh, v_sll32(ov, 16)), pt = v_blend_odd16(th, v_sll32(tv, 16));
    return v_dot_ge(v_cvt_sum_ps(v_madd(po, pt)), v_cvt_sum_ps(v_madd(po, po)),
                    v_cvt_sum_ps(v_madd(pt, pt)), c);
}

/* The egl_clamp() selection of adm.c: where use, min (o > 0) or max of r * egl and t. */
static inline vec egl_limit(const vec rr, const vec t, const vec o, const vmask use, const vecd egl)
{
    return v_sel32(use, rr, v_minmax_scaled(rr, t, v_gt32(o, v_zero()), egl));
}

typedef struct DecoupleConsts {
    const int32_t *div; /* centred: div[o] for o in [-32768, 32768] */
    vecd cos1sq, egl;
    vec egl_int;        /* egl when it is an integer (then r * egl is exact in int32) */
    int egl_is_int;
} DecoupleConsts;

static void decouple_consts(DecoupleConsts *const k, const TvmafAdmKernelParams *const p)
{
    const double egl = p->enhn_gain_limit;
    k->div = p->div_lut + 32768;
    k->cos1sq = v_set_pd(p->cos1sq);
    k->egl = v_set_pd(egl);
    k->egl_is_int = egl == (double)(int)egl;
    k->egl_int = v_set32((int)egl);
}

/* The restored value of one scale-0 orientation (gain, rounding, enhancement limit). */
static inline vec restore_s0(const vec o, const vec d, const vmask angle,
                             const DecoupleConsts *const kc)
{
    const vec zero = v_zero(), k32768 = v_set32(32768);
    const vec div = v_gather32(kc->div, o);
    /* (div * d + 2^14) >> 15 without int64: div = dh * 2^15 + dl, dl in [0, 2^15)
     * and d's high half is its sign, so pmaddwd gives dl * d exactly. */
    const vec dh = v_srai32(div, 15), dl = v_and(div, v_set32(0x7fff));
    vec k = v_add32(v_mullo32(dh, d), v_srai32(v_add32(v_madd(dl, d), v_set32(16384)), 15));
    k = v_min32(v_max32(k, zero), k32768);
    const vmask o0 = v_eq32(o, zero);
    k = v_sel32(o0, k, k32768);
    const vec rr = v_srai32(v_add32(v_mullo32(k, o), v_set32(16384)), 15);
    const vmask use = v_mandn(angle, v_mor(o0, v_eq32(k, zero)));
    if (!kc->egl_is_int) return egl_limit(rr, d, o, use, kc->egl);
    const vec re = v_mullo32(rr, kc->egl_int);
    return v_sel32(use, rr, v_sel32(v_gt32(o, zero), v_max32(re, d), v_min32(re, d)));
}

TVMAF_ADM_DECOUPLE_S0_FN(FN(decouple_s0))
{
    static const int shift[3] = { 15, 15, 17 };
    static const int32_t add[3] = { 16384, 16384, 65535 };
    DecoupleConsts kc;
    decouple_consts(&kc, p);
    for (int j = 0; j < n; j += N32) {
        vec o[3], d[3];
        for (int t = 0; t < 3; t++) {
            o[t] = v_ld_s16w(ref[t] + j);
            d[t] = v_ld_s16w(dis[t] + j);
        }
        const vmask angle = angle_s0(o[0], o[1], d[0], d[1], kc.cos1sq);
        for (int t = 0; t < 3; t++) {
            const vec rr = restore_s0(o[t], d[t], angle, &kc);
            const vec a = wrap16_32(v_sub32(d[t], rr));
            const vec c = wrap16_32(v_srai32(
                v_add32(v_mullo32(a, v_set32((int32_t)p->rf[t])), v_set32(add[t])), shift[t]));
            const vec f = wrap16_32(
                v_srai32(v_add32(v_mullo32(v_abs32(c), v_set32(4369)), v_set32(2048)), 12));
            v_st16_n(r[t] + j, rr, n - j);
            v_st16_n(ca[t] + j, c, n - j);
            v_st16_n(cf[t] + j, f, n - j);
        }
    }
}

/*
 * gain_s123() and the restored value of one scale 1..3 orientation. |o| is
 * rounded to 15 significant bits, sh = bitlength - 15: (|o| >> 8) < 2^24
 * converts to float exactly, so its exponent is bitlength(|o|) - 9.
 */
static inline vec restore_s123(const vec o, const vec d, const vmask angle,
                               const DecoupleConsts *const kc)
{
    const vec zero = v_zero();
    const vec m0 = v_abs32(o); /* as uint32: 2^31 for INT32_MIN */
    const vec ex = v_srl32(v_cvt32_fbits(v_srl32(m0, 8)), 23);
    const vec sh = v_sel32(v_gt32(v_srl32(m0, 15), zero), zero, v_sub32(ex, v_set32(127 + 6)));
    const vec half = v_srl32(v_sllv32(v_set32(1), sh), 1);
    const vec dv = v_gather32(kc->div, v_srlv32(v_add32(m0, half), sh));
    const vec sdiv = v_sel32(v_gt32(zero, o), dv, v_sub32(zero, dv));

    /* k = clamp((sdiv * d + 2^(14 + sh)) >> (15 + sh), 0, 32768), in int64. */
    const vec lo32 = v_set64(0xffffffff), r14 = v_set64(1 << 14), c15 = v_set64(15);
    const vec k32768 = v_set64(32768);
    const vec se = v_and(sh, lo32), so = odd32(sh);
    const vec ke = v_shr64_clamp(v_add64(v_muls32(sdiv, d), v_sllv64(r14, se)), v_add64(se, c15),
                                 k32768);
    const vec ko = v_shr64_clamp(v_add64(v_muls32(odd32(sdiv), odd32(d)), v_sllv64(r14, so)),
                                 v_add64(so, c15), k32768);
    const vmask o0 = v_eq32(o, zero);
    const vec k = v_sel32(o0, join_lo32(ke, ko), v_set32(32768));

    const vec rnd14 = v_set64(16384);
    const vec rr = join_lo32(v_srl64(v_add64(v_muls32(k, o), rnd14), 15),
                             v_srl64(v_add64(v_muls32(odd32(k), odd32(o)), rnd14), 15));
    return egl_limit(rr, d, o, v_mandn(angle, v_mor(o0, v_eq32(k, zero))), kc->egl);
}

TVMAF_ADM_DECOUPLE_S123_FN(FN(decouple_s123))
{
    DecoupleConsts kc;
    decouple_consts(&kc, p);
    const vec c30 = v_set32(I4_ONE_BY_30);
    const vec r955 = v_set64((int64_t)1 << 31);
    const vec rnd27 = v_set64(1 << 27);

    for (int j = 0; j < n; j += N32) {
        /* Lanes past n hold over-read values; they are never stored. */
        const vmask angle = angle_s123(ref[0] + j, ref[1] + j, dis[0] + j, dis[1] + j, kc.cos1sq);
        for (int t = 0; t < 3; t++) {
            const vec o = v_ld(ref[t] + j), d = v_ld(dis[t] + j);
            const vec rr = restore_s123(o, d, angle, &kc);
            const vec a = v_sub32(d, rr);
            const vec rf = v_set32((int32_t)p->rf[t]);
            const vec c = join_lo32(v_srl64(v_add64(v_muls32(a, rf), rnd27), 28),
                                    v_srl64(v_add64(v_muls32(odd32(a), rf), rnd27), 28));
            /* (C * |c| - 2^31) >> 32: the high half of the 64-bit difference. */
            const vec u = v_abs32(c);
            const vec f = join_hi32(v_sub64(v_mulu32(u, c30), r955),
                                    v_sub64(v_mulu32(odd32(u), c30), r955));
            v_st32_n(r[t] + j, rr, n - j);
            v_st32_n(ca[t] + j, c, n - j);
            v_st32_n(cf[t] + j, f, n - j);
        }
    }
}

/* --- masking and numerator (cm_s0_c, cm_s123_c) --- */

/*
 * The masked cube of one orientation, added to acc: xm = max(|x| - tq, 0)
 * (zeroed in lanes past n, which then add exactly 0), x2 = wrap32(rnd(xm^2, q)),
 * acc += rnd64(x2 * xm, e). Kept in even/odd 64-bit lanes throughout: each
 * step only reads the low 32 bits of a lane.
 */
static inline vec cube_acc(vec acc, const vec xm, const int q, const int e)
{
    const vec rq = v_set64((int64_t)1 << (q - 1));
    const vec xo = odd32(xm);
    const vec x2e = v_srl64(v_add64(v_mulu32(xm, xm), rq), q);
    const vec x2o = v_srl64(v_add64(v_mulu32(xo, xo), rq), q);
    acc = v_add64(acc, rnd64(v_muls32(x2e, xm), e));
    return v_add64(acc, rnd64(v_muls32(x2o, xo), e));
}

/* v in the first n lanes, 0 after. */
static inline vec live_lanes(const vec v, const int n)
{
    return n >= N32 ? v : v_keep32(v, n);
}

TVMAF_ADM_CM_S0_FN(FN(cm_s0))
{
    static const int usub[3] = { 10, 10, 12 };
    static const int qsq[3] = { 29, 29, 30 };
    vec acc[3] = { v_zero(), v_zero(), v_zero() };
    const vec zero = v_zero();

    for (int j = 0; j < n; j += N32) {
        vec thr = zero;
        for (int t = 0; t < 3; t++) {
            const int16_t *const u = cf[t][0] + j, *const m = cf[t][1] + j, *const b = cf[t][2] + j;
            const vec s0 = v_add32(v_add32(v_ld_s16w(u - 1), v_ld_s16w(u)),
                                   v_add32(v_ld_s16w(u + 1), v_ld_s16w(m - 1)));
            const vec s1 = v_add32(v_add32(v_ld_s16w(m + 1), v_ld_s16w(b - 1)),
                                   v_add32(v_ld_s16w(b), v_ld_s16w(b + 1)));
            const vec cen = wrap16_32(v_srai32(
                v_add32(v_mullo32(v_abs32(v_ld_s16w(ca[t] + j)), v_set32(8738)), v_set32(2048)),
                12));
            thr = v_add32(thr, v_add32(v_add32(s0, s1), cen));
        }
        for (int t = 0; t < 3; t++) {
            const vec x = v_mullo32(v_ld_s16w(r[t] + j), v_set32((int32_t)p->rf[t]));
            const vec xm = v_max32(v_sub32(v_abs32(x), v_sll32(thr, usub[t])), zero);
            acc[t] = cube_acc(acc[t], live_lanes(xm, n - j), qsq[t], p->cube_shift[t]);
        }
    }
    for (int t = 0; t < 3; t++) sum[t] = v_hsum64(acc[t]);
}

TVMAF_ADM_CM_S123_FN(FN(cm_s123))
{
    vec acc[3] = { v_zero(), v_zero(), v_zero() };
    const vec zero = v_zero();
    const vec c15 = v_set32(I4_ONE_BY_15);
    const vec r955 = v_set64((int64_t)1 << 31);
    const vec rnd27 = v_set64(1 << 27);

    for (int j = 0; j < n; j += N32) {
        vec thr = zero;
        for (int t = 0; t < 3; t++) {
            const int32_t *const u = cf[t][0] + j, *const m = cf[t][1] + j, *const b = cf[t][2] + j;
            const vec s0 = v_add32(v_add32(v_ld(u - 1), v_ld(u)), v_add32(v_ld(u + 1), v_ld(m - 1)));
            const vec s1 = v_add32(v_add32(v_ld(m + 1), v_ld(b - 1)), v_add32(v_ld(b), v_ld(b + 1)));
            const vec uc = v_abs32(v_ld(ca[t] + j));
            const vec cen = join_hi32(v_sub64(v_mulu32(uc, c15), r955),
                                      v_sub64(v_mulu32(odd32(uc), c15), r955));
            thr = v_add32(thr, v_add32(v_add32(s0, s1), cen));
        }
        for (int t = 0; t < 3; t++) {
            const vec rv = v_ld(r[t] + j);
            const vec rf = v_set32((int32_t)p->rf[t]);
            const vec x = join_lo32(v_srl64(v_add64(v_muls32(rv, rf), rnd27), 28),
                                    v_srl64(v_add64(v_muls32(odd32(rv), rf), rnd27), 28));
            const vec xm = v_max32(v_sub32(v_abs32(x), thr), zero);
            acc[t] = cube_acc(acc[t], live_lanes(xm, n - j), 30, p->cube_shift[t]);
        }
    }
    for (int t = 0; t < 3; t++) sum[t] = v_hsum64(acc[t]);
}

/* --- denominator (den_s0_c, den_s123_c) --- */

TVMAF_ADM_DEN_S0_FN(FN(den_s0))
{
    (void)p;
    vec acc[3] = { v_zero(), v_zero(), v_zero() };
    for (int j = 0; j < n; j += N32) {
        for (int t = 0; t < 3; t++) {
            /* |o| <= 2^15, so |o|^2 fits 32 bits and the cube 64. */
            const vec v = live_lanes(v_abs32(v_ld_s16w(o[t] + j)), n - j);
            const vec v2 = v_mullo32(v, v);
            acc[t] = v_add64(acc[t], v_mulu32(v2, v));
            acc[t] = v_add64(acc[t], v_mulu32(odd32(v2), odd32(v)));
        }
    }
    for (int t = 0; t < 3; t++) sum[t] = (uint64_t)v_hsum64(acc[t]);
}

/* rndu64(((v * v + 2^q) >> q) * v, e) on the even lanes of v. The square can
 * reach 2^32 + 1 (v = 2^31, q = 30), so its high half is multiplied in too. */
static inline vec den_s123_term(const vec v, const int q, const vec addq, const vec adde,
                                const int e)
{
    const vec sq = v_srl64(v_add64(v_mulu32(v, v), addq), q);
    const vec c = v_add64(v_mulu32(sq, v), v_sll64(v_mulu32(odd32(sq), v), 32));
    return v_srl64(v_add64(c, adde), e);
}

TVMAF_ADM_DEN_S123_FN(FN(den_s123))
{
    const int q = p->den_sq_shift, e = p->den_cube_shift;
    const vec addq = v_set64((int64_t)((uint64_t)1 << q));
    const vec adde = v_set64(e ? (int64_t)1 << (e - 1) : 0);
    vec acc[3] = { v_zero(), v_zero(), v_zero() };
    for (int j = 0; j < n; j += N32) {
        for (int t = 0; t < 3; t++) {
            const vec v = live_lanes(v_abs32(v_ld(o[t] + j)), n - j);
            acc[t] = v_add64(acc[t], den_s123_term(v, q, addq, adde, e));
            acc[t] = v_add64(acc[t], den_s123_term(odd32(v), q, addq, adde, e));
        }
    }
    for (int t = 0; t < 3; t++) sum[t] = (uint64_t)v_hsum64(acc[t]);
}
