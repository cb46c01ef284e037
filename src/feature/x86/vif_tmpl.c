/*
 * Integer VIF filters for one vector width, included by vif_avx2.c and
 * vif_avx512.c after the vector layer (vec_avx2.h, vec_avx512.h):
 *
 *   vec, N16, N32                 integer vector, its 16- and 32-bit lane counts
 *   FN(name)                      exported name for this ISA
 *   v_zero v_set16 v_set32        constants
 *   v_ld v_st                     unaligned load/store of one vector
 *   v_ld_u8(p)                    N16 bytes, zero-extended to 16-bit lanes
 *   v_add32 v_sub32 v_sub16       lane arithmetic
 *   v_xor v_or
 *   v_srl32 v_sll32 (v, n)        shifts by a run-time count
 *   v_mullo16 v_mulhiu16 v_madd   16-bit products, pmaddwd
 *   v_dpadd(acc, a, b)            acc + pmaddwd(a, b) mod 2^32 (one vpdpwssd with VNNI)
 *   v_unlo16 v_unhi16             16-bit interleave within each 128-bit lane
 *   v_packus32(lo, hi)            32 -> 16 bits of two unpacked halves, natural order
 *   v_fix32(lo, hi, o0, o1)       32-bit results of two unpacked halves, natural order
 *   v_pack32(a, b)                32 -> 16 bits of two natural-order vectors
 *   v_blend_odd16(a, b)           even 16-bit words of a, odd words of b
 *
 * The numerics are those of the C reference (vif.c: the derivation and the
 * formats). What is specific here is how the sums reach pmaddwd, a signed
 * 16 x 16 -> 32 multiply-add of adjacent lanes:
 *
 *  - Vertically, rows k and k+1 are interleaved so one pmaddwd applies taps
 *    (f_k, f_k+1); an odd tap count pairs the last row with a zero tap
 *    (tap_pairs() has the one exception).
 *  - Unsigned 16-bit operands u are fed as u ^ 0x8000 = u - 32768 (signed).
 *    Since the taps sum to 65536 this subtracts exactly 2^31 from the sum,
 *    and the true sum is below 2^32, so adding 2^31 back (mod 2^32, an xor of
 *    the top bit) restores it.
 *  - 8-bit samples: x' = x - 128 gives x'^2 <= 16384 and |x'y'| <= 16384, so
 *    squares stay in int16, and with S = sum f*x (exact, < 2^24)
 *      sum f*x^2 = sum f*x'^2 + 256*S - 2^30,
 *      sum f*x*y = sum f*x'y' + 128*(Sx + Sy) - 2^30        (mod 2^32).
 *  - Deeper samples: x*x = hi*2^16 + lo with 16-bit halves (pmullw,
 *    pmulhuw); their sums combine as in vif.c's join_hi_lo.
 *  - Horizontally, the row is first rewritten as 32-bit lanes holding
 *    (v[j], v[j+1]), so output j applies taps (f_2p, f_2p+1) to lane j+2p
 *    with one unaligned load and one pmaddwd per tap pair. 32-bit moments
 *    are split into 16-bit hi and lo rows.
 *  - Decimation keeps even columns, whose tap pairs are already adjacent in
 *    memory: no rewrite is needed.
 *
 * Every result is an exact integer, so these kernels equal the C reference
 * bit for bit (tests/checksimd/vif.c).
 */

#define V_OFF16 0x8000
#define V_OFF32 ((int)0x80000000u)

/*
 * Tap pair p applies (f_a, f_b) to samples a = pair_first(p), a + 1 (rows
 * vertically, columns horizontally); an odd tap count leaves the last pair
 * with f_b = 0. pmaddwd taps are int16: scale 3's centre tap 43728 is not,
 * so that filter runs as (f0, 21864) on samples 0,1 and (21864, f2) on 1,2.
 */
static inline int pair_count(const int fw) { return fw == 3 ? 2 : (fw + 1) / 2; }
static inline int pair_first(const int p, const int fw) { return fw == 3 ? p : 2 * p; }
static inline int pair_has_b(const int p, const int fw) { return fw == 3 || 2 * p + 1 < fw; }

static inline void tap_pairs(vec *const F, const uint16_t *const f, const int fw)
{
    if (fw == 3) {
        F[0] = v_set32((int)(f[0] | (uint32_t)(f[1] / 2) << 16));
        F[1] = v_set32((int)(f[1] / 2 | (uint32_t)f[2] << 16));
        return;
    }
    for (int p = 0; p < (fw + 1) / 2; p++) {
        const uint32_t hi = 2 * p + 1 < fw ? f[2 * p + 1] : 0;
        F[p] = v_set32((int)(f[2 * p] | hi << 16));
    }
}

/* x = hi*2^16 + lo: R(x, sh) from the two 32-bit sums, 1 <= sh <= 16. */
static inline vec join_hi_lo_v(const vec hi, const vec lo, const int sh)
{
    return v_add32(v_sll32(hi, 16 - sh), v_srl32(v_add32(lo, v_set32(1 << (sh - 1))), sh));
}

static inline void st_fix32(uint32_t *const dst, const vec lo, const vec hi)
{
    vec o0, o1;
    v_fix32(lo, hi, &o0, &o1);
    v_st(dst, o0);
    v_st(dst + N32, o1);
}

/* ---- vertical moments, 8-bit rows (scale 0 only: 17 taps) ---- */

/* The sums of one vector of columns: the means, and the products of the
 * samples less 128. */
typedef struct Mom8Sums {
    vec m1, m2, xx, yy, xy;
} Mom8Sums;

/* x, y: one row pair of each image, interleaved; pxx..pxy: the products of
 * the same less 128. */
static inline __attribute__((always_inline)) void mom8_add(Mom8Sums *const a, const vec F, const vec x,
                                                           const vec y, const vec pxx, const vec pyy,
                                                           const vec pxy)
{
    a->m1 = v_dpadd(a->m1, x, F);
    a->m2 = v_dpadd(a->m2, y, F);
    a->xx = v_dpadd(a->xx, pxx, F);
    a->yy = v_dpadd(a->yy, pyy, F);
    a->xy = v_dpadd(a->xy, pxy, F);
}

/* The product sums with the offsets of the samples undone (mod 2^32). */
static inline __attribute__((always_inline)) void mom8_unoffset(const Mom8Sums *const a, vec *const xx,
                                                                vec *const yy, vec *const xy)
{
    const vec c2_30 = v_set32(1 << 30);
    *xx = v_sub32(v_add32(a->xx, v_sll32(a->m1, 8)), c2_30);
    *yy = v_sub32(v_add32(a->yy, v_sll32(a->m2, 8)), c2_30);
    *xy = v_sub32(v_add32(a->xy, v_sll32(v_add32(a->m1, a->m2), 7)), c2_30);
}

/* An ISA file may bring its own (vif_avx2.c: 16 registers hold half the
 * accumulators of this one). */
#ifndef VIF_OWN_VFILT_MOM_8

/* Columns 0-3 and 8-11 (l), 4-7 and 12-15 (h) of each 128-bit lane. */
typedef struct MomAcc {
    Mom8Sums l, h;
} MomAcc;

static inline __attribute__((always_inline)) void
mom_acc_store(const TvmafVifMomRow *const out, const int j, const MomAcc *const a, const int sh_mu)
{
    const vec rnd_mu = v_set32(1 << (sh_mu - 1));
    vec xxl, yyl, xyl, xxh, yyh, xyh;
    mom8_unoffset(&a->l, &xxl, &yyl, &xyl);
    mom8_unoffset(&a->h, &xxh, &yyh, &xyh);
    v_st(out->mu1 + j, v_packus32(v_srl32(v_add32(a->l.m1, rnd_mu), sh_mu),
                                  v_srl32(v_add32(a->h.m1, rnd_mu), sh_mu)));
    v_st(out->mu2 + j, v_packus32(v_srl32(v_add32(a->l.m2, rnd_mu), sh_mu),
                                  v_srl32(v_add32(a->h.m2, rnd_mu), sh_mu)));
    st_fix32(out->xx + j, xxl, xxh);
    st_fix32(out->yy + j, yyl, yyh);
    st_fix32(out->xy + j, xyl, xyh);
}

/*
 * nrows = 2: rows 0..17 pair up as (0,1) .. (16,17) for both outputs, the
 * first with taps (f_2p, f_2p+1), the second with (f_2p-1, f_2p) (f_-1 =
 * f_17 = 0): loads, interleaves and products are shared.
 */
static inline __attribute__((always_inline)) void
vfilt_mom_8_body(const TvmafVifMomRow *const out, const void *const *const ref,
                 const void *const *const dis, const int w, const int nrows, const int sh_mu)
{
    const uint16_t *const f = tvmaf_vif_filter[0];
    vec FA[9], FB[9];
    tap_pairs(FA, f, 17);
    for (int p = 0; p < 9; p++)
        FB[p] = v_set32((int)((p ? f[2 * p - 1] : 0) | (uint32_t)f[2 * p] << 16));
    const vec c128 = v_set16(128), zero = v_zero();

    for (int j = 0; j < w; j += N16) {
        MomAcc a = { { zero, zero, zero, zero, zero }, { zero, zero, zero, zero, zero } }, b = a;
        for (int p = 0; p < 9; p++) {
            const int has_b = nrows == 2 || p < 8;
            const vec xa = v_ld_u8((const uint8_t *)ref[2 * p] + j);
            const vec ya = v_ld_u8((const uint8_t *)dis[2 * p] + j);
            const vec xb = has_b ? v_ld_u8((const uint8_t *)ref[2 * p + 1] + j) : zero;
            const vec yb = has_b ? v_ld_u8((const uint8_t *)dis[2 * p + 1] + j) : zero;
            const vec xl = v_unlo16(xa, xb), xh = v_unhi16(xa, xb);
            const vec yl = v_unlo16(ya, yb), yh = v_unhi16(ya, yb);
            const vec xl_ = v_sub16(xl, c128), xh_ = v_sub16(xh, c128);
            const vec yl_ = v_sub16(yl, c128), yh_ = v_sub16(yh, c128);
            const vec pxxl = v_mullo16(xl_, xl_), pxxh = v_mullo16(xh_, xh_);
            const vec pyyl = v_mullo16(yl_, yl_), pyyh = v_mullo16(yh_, yh_);
            const vec pxyl = v_mullo16(xl_, yl_), pxyh = v_mullo16(xh_, yh_);
            mom8_add(&a.l, FA[p], xl, yl, pxxl, pyyl, pxyl);
            mom8_add(&a.h, FA[p], xh, yh, pxxh, pyyh, pxyh);
            if (nrows == 2) {
                mom8_add(&b.l, FB[p], xl, yl, pxxl, pyyl, pxyl);
                mom8_add(&b.h, FB[p], xh, yh, pxxh, pyyh, pxyh);
            }
        }
        mom_acc_store(&out[0], j, &a, sh_mu);
        if (nrows == 2)
            mom_acc_store(&out[1], j, &b, sh_mu);
    }
}

decl_vif_vfilt_mom_fn(FN(vfilt_mom_8))
{
    (void)scale;
    (void)sh_sq; /* 0 for 8-bit: the product sums are kept whole */
    if (nrows == 2)
        vfilt_mom_8_body(out, ref, dis, w, 2, sh_mu);
    else
        vfilt_mom_8_body(out, ref, dis, w, 1, sh_mu);
}
#endif /* VIF_OWN_VFILT_MOM_8 */

/* ---- vertical moments, 16-bit rows ---- */

/* Keeps eight sums in tap order: GCC otherwise reassociates them, computes
 * the products first and spills them (at 3 taps it does not, and the
 * statement costs a little). */
#define KEEP_ORDER8(a, b, c, d, e, f, g, h)                                                \
    __asm__("" : "+v"(a), "+v"(b), "+v"(c), "+v"(d), "+v"(e), "+v"(f), "+v"(g), "+v"(h))

/* One image's mean sum and, when both are given, the sums of the hi and lo
 * halves of x*y: two passes keep the accumulators in registers. */
static inline __attribute__((always_inline)) void
vfilt_mom_16_body(const TvmafVifMomRow *const out, const void *const *const ref,
                  const void *const *const dis, const int w, const int fw, const int sh_mu,
                  const int sh_sq)
{
    vec F[9];
    tap_pairs(F, tvmaf_vif_filter[fw == 17 ? 0 : fw == 9 ? 1 : fw == 5 ? 2 : 3], fw);
    const int np = pair_count(fw);
    const vec off16 = v_set16((short)V_OFF16), off32 = v_set32(V_OFF32), zero = v_zero();
    const vec rnd_mu = v_set32(1 << (sh_mu - 1));

    for (int j = 0; j < w; j += N16) {
        /* Pass 1: both means and x*x. */
        vec m1l = zero, m1h = zero, m2l = zero, m2h = zero;
        vec xxll = zero, xxlh = zero, xxhl = zero, xxhh = zero;
        for (int p = 0; p < np; p++) {
            const int a = pair_first(p, fw);
            const vec xa = v_ld((const uint16_t *)ref[a] + j);
            const vec ya = v_ld((const uint16_t *)dis[a] + j);
            const vec xb = pair_has_b(p, fw) ? v_ld((const uint16_t *)ref[a + 1] + j) : zero;
            const vec yb = pair_has_b(p, fw) ? v_ld((const uint16_t *)dis[a + 1] + j) : zero;
            const vec xl = v_unlo16(xa, xb), xh = v_unhi16(xa, xb);
            const vec yl = v_unlo16(ya, yb), yh = v_unhi16(ya, yb);
            m1l = v_dpadd(m1l, v_xor(xl, off16), F[p]);
            m1h = v_dpadd(m1h, v_xor(xh, off16), F[p]);
            m2l = v_dpadd(m2l, v_xor(yl, off16), F[p]);
            m2h = v_dpadd(m2h, v_xor(yh, off16), F[p]);
            xxll = v_dpadd(xxll, v_xor(v_mullo16(xl, xl), off16), F[p]);
            xxlh = v_dpadd(xxlh, v_xor(v_mullo16(xh, xh), off16), F[p]);
            xxhl = v_dpadd(xxhl, v_xor(v_mulhiu16(xl, xl), off16), F[p]);
            xxhh = v_dpadd(xxhh, v_xor(v_mulhiu16(xh, xh), off16), F[p]);
            if (fw > 3)
                KEEP_ORDER8(m1l, m1h, m2l, m2h, xxll, xxlh, xxhl, xxhh);
        }
        m1l = v_xor(m1l, off32);
        m1h = v_xor(m1h, off32);
        m2l = v_xor(m2l, off32);
        m2h = v_xor(m2h, off32);
        v_st(out->mu1 + j, v_packus32(v_srl32(v_add32(m1l, rnd_mu), sh_mu),
                                      v_srl32(v_add32(m1h, rnd_mu), sh_mu)));
        v_st(out->mu2 + j, v_packus32(v_srl32(v_add32(m2l, rnd_mu), sh_mu),
                                      v_srl32(v_add32(m2h, rnd_mu), sh_mu)));
        st_fix32(out->xx + j, join_hi_lo_v(v_xor(xxhl, off32), v_xor(xxll, off32), sh_sq),
                 join_hi_lo_v(v_xor(xxhh, off32), v_xor(xxlh, off32), sh_sq));

        /* Pass 2: y*y and x*y. */
        vec yyll = zero, yylh = zero, yyhl = zero, yyhh = zero;
        vec xyll = zero, xylh = zero, xyhl = zero, xyhh = zero;
        for (int p = 0; p < np; p++) {
            const int a = pair_first(p, fw);
            const vec xa = v_ld((const uint16_t *)ref[a] + j);
            const vec ya = v_ld((const uint16_t *)dis[a] + j);
            const vec xb = pair_has_b(p, fw) ? v_ld((const uint16_t *)ref[a + 1] + j) : zero;
            const vec yb = pair_has_b(p, fw) ? v_ld((const uint16_t *)dis[a + 1] + j) : zero;
            const vec xl = v_unlo16(xa, xb), xh = v_unhi16(xa, xb);
            const vec yl = v_unlo16(ya, yb), yh = v_unhi16(ya, yb);
            yyll = v_dpadd(yyll, v_xor(v_mullo16(yl, yl), off16), F[p]);
            yylh = v_dpadd(yylh, v_xor(v_mullo16(yh, yh), off16), F[p]);
            yyhl = v_dpadd(yyhl, v_xor(v_mulhiu16(yl, yl), off16), F[p]);
            yyhh = v_dpadd(yyhh, v_xor(v_mulhiu16(yh, yh), off16), F[p]);
            xyll = v_dpadd(xyll, v_xor(v_mullo16(xl, yl), off16), F[p]);
            xylh = v_dpadd(xylh, v_xor(v_mullo16(xh, yh), off16), F[p]);
            xyhl = v_dpadd(xyhl, v_xor(v_mulhiu16(xl, yl), off16), F[p]);
            xyhh = v_dpadd(xyhh, v_xor(v_mulhiu16(xh, yh), off16), F[p]);
            if (fw > 3)
                KEEP_ORDER8(yyll, yylh, yyhl, yyhh, xyll, xylh, xyhl, xyhh);
        }
        st_fix32(out->yy + j, join_hi_lo_v(v_xor(yyhl, off32), v_xor(yyll, off32), sh_sq),
                 join_hi_lo_v(v_xor(yyhh, off32), v_xor(yylh, off32), sh_sq));
        st_fix32(out->xy + j, join_hi_lo_v(v_xor(xyhl, off32), v_xor(xyll, off32), sh_sq),
                 join_hi_lo_v(v_xor(xyhh, off32), v_xor(xylh, off32), sh_sq));
    }
}

decl_vif_vfilt_mom_fn(FN(vfilt_mom_16))
{
    for (int n = 0; n < nrows; n++) {
        switch (scale) {
        case 0: vfilt_mom_16_body(&out[n], ref + n, dis + n, w, 17, sh_mu, sh_sq); break;
        case 1: vfilt_mom_16_body(&out[n], ref + n, dis + n, w, 9, sh_mu, sh_sq); break;
        case 2: vfilt_mom_16_body(&out[n], ref + n, dis + n, w, 5, sh_mu, sh_sq); break;
        default: vfilt_mom_16_body(&out[n], ref + n, dis + n, w, 3, sh_mu, sh_sq); break;
        }
    }
}

/* ---- horizontal moments ---- */

/* Output columns per tile; the pair rows of one tile stay in L1. */
#define HT 256
#define HT_PAIRS (HT + 16 + 2 * N32)
/* The rewrite fills whole N16 steps of the n + 2r + 1 <= HT + 17 pairs a
 * tile needs; the sums read up to pair HT + 16 + N32 - 1. */
_Static_assert(HT_PAIRS >= (HT + 17 + N16 - 1) / N16 * N16 && HT_PAIRS >= HT + 16 + N32,
               "pair rows too short");

/* pairs[t] = (v[t], v[t+1]) ^ 0x8000 per half, for t in [0, N16): two
 * full-width loads interleaved word by word (fewer operations than widening
 * N32 samples twice and shifting one into the high half). */
static inline void pairs_u16(int32_t *const dst, const uint16_t *const v)
{
    const vec off = v_set16((short)V_OFF16);
    const vec a = v_xor(v_ld(v), off), b = v_xor(v_ld(v + 1), off);
    st_fix32((uint32_t *)dst, v_unlo16(a, b), v_unhi16(a, b));
}

/* The same for the lo and hi 16-bit halves of 32-bit values. */
static inline void pairs_u32(int32_t *const lo, int32_t *const hi, const uint32_t *const v,
                             const int n)
{
    const vec off = v_set32((int)0x80008000u);
    for (int t = 0; t < n; t += N32) {
        const vec a = v_ld(v + t), b = v_ld(v + t + 1);
        v_st(lo + t, v_xor(v_blend_odd16(a, v_sll32(b, 16)), off));
        v_st(hi + t, v_xor(v_blend_odd16(v_srl32(a, 16), b), off));
    }
}

static inline __attribute__((always_inline)) vec hsum(const int32_t *const pr, const vec *const F,
                                                     const int fw)
{
    vec acc = v_madd(v_ld(pr), F[0]);
    for (int p = 1; p < pair_count(fw); p++)
        acc = v_dpadd(acc, v_ld(pr + pair_first(p, fw)), F[p]);
    return acc;
}

static inline __attribute__((always_inline)) void
hfilt_mom_body(const TvmafVifFiltRow *const out, const TvmafVifMomRow *const in, const int w,
               const int fw)
{
    vec F[9];
    tap_pairs(F, tvmaf_vif_filter[fw == 17 ? 0 : fw == 9 ? 1 : fw == 5 ? 2 : 3], fw);
    const int r = fw / 2;
    const vec off32 = v_set32(V_OFF32), rnd = v_set32(1 << 15);
    _Alignas(64) int32_t pm1[HT_PAIRS], pm2[HT_PAIRS];
    _Alignas(64) int32_t pxl[HT_PAIRS], pxh[HT_PAIRS], pyl[HT_PAIRS], pyh[HT_PAIRS];
    _Alignas(64) int32_t pzl[HT_PAIRS], pzh[HT_PAIRS];

    for (int j0 = 0; j0 < w; j0 += HT) {
        const int n = w - j0 < HT ? w - j0 : HT;
        /* Output j uses pairs j-r+pair_first(p): columns j-r .. j+r+1. */
        const int c = j0 - r, npairs = n + 2 * r + 1;
        /* One loop over the five rows: a fifth of the loop overhead. */
        for (int t = 0; t < npairs; t += N16) {
            pairs_u16(pm1 + t, in->mu1 + c + t);
            pairs_u16(pm2 + t, in->mu2 + c + t);
            pairs_u32(pxl + t, pxh + t, in->xx + c + t, N16);
            pairs_u32(pyl + t, pyh + t, in->yy + c + t, N16);
            pairs_u32(pzl + t, pzh + t, in->xy + c + t, N16);
        }
        if (n % N32) {
            /* The last vector's lanes past the row read pairs past npairs:
             * their results are discarded, but they must be defined (the
             * statistic turns them into table indices). */
            const int end = (n + N32 - 1) / N32 * N32 + 2 * r + 2;
            const size_t z = sizeof(int32_t) * (size_t)((end < HT_PAIRS ? end : HT_PAIRS) - npairs);
            if (end > npairs) {
                memset(pm1 + npairs, 0, z);
                memset(pm2 + npairs, 0, z);
                memset(pxl + npairs, 0, z);
                memset(pxh + npairs, 0, z);
                memset(pyl + npairs, 0, z);
                memset(pyh + npairs, 0, z);
                memset(pzl + npairs, 0, z);
                memset(pzh + npairs, 0, z);
            }
        }
        for (int t = 0; t < n; t += N32) {
            const int j = j0 + t;
            if (fw == 17) {
                /* Taps outer, the eight rows inner: one tap pair stays in a
                 * register for eight multiply-adds (with the rows outer,
                 * AVX2's 16 registers cannot hold the nine pairs and each
                 * multiply-add reloads its taps). */
                /* The first pair starts the sums (no zeroed accumulators to
                 * add to), and the other eight run unrolled by four: GCC
                 * gives the loop-carried sums of a rolled loop a register
                 * copy per multiply-add, and fully unrolled it hoists the
                 * loads and spills. */
                const vec F0 = F[0];
                vec a0 = v_madd(v_ld(pm1 + t), F0), a1 = v_madd(v_ld(pm2 + t), F0);
                vec a2 = v_madd(v_ld(pxl + t), F0), a3 = v_madd(v_ld(pxh + t), F0);
                vec a4 = v_madd(v_ld(pyl + t), F0), a5 = v_madd(v_ld(pyh + t), F0);
                vec a6 = v_madd(v_ld(pzl + t), F0), a7 = v_madd(v_ld(pzh + t), F0);
#pragma GCC unroll 4
                for (int p = 1; p < 9; p++) {
                    const vec Fp = F[p];
                    const int o = t + 2 * p;
                    a0 = v_dpadd(a0, v_ld(pm1 + o), Fp);
                    a1 = v_dpadd(a1, v_ld(pm2 + o), Fp);
                    a2 = v_dpadd(a2, v_ld(pxl + o), Fp);
                    a3 = v_dpadd(a3, v_ld(pxh + o), Fp);
                    a4 = v_dpadd(a4, v_ld(pyl + o), Fp);
                    a5 = v_dpadd(a5, v_ld(pyh + o), Fp);
                    a6 = v_dpadd(a6, v_ld(pzl + o), Fp);
                    a7 = v_dpadd(a7, v_ld(pzh + o), Fp);
                }
                v_st(out->mu1 + j, v_xor(a0, off32));
                v_st(out->mu2 + j, v_xor(a1, off32));
                v_st(out->xx + j, v_add32(v_xor(a3, off32), v_srl32(v_add32(v_xor(a2, off32), rnd), 16)));
                v_st(out->yy + j, v_add32(v_xor(a5, off32), v_srl32(v_add32(v_xor(a4, off32), rnd), 16)));
                v_st(out->xy + j, v_add32(v_xor(a7, off32), v_srl32(v_add32(v_xor(a6, off32), rnd), 16)));
                continue;
            }
            v_st(out->mu1 + j, v_xor(hsum(pm1 + t, F, fw), off32));
            v_st(out->mu2 + j, v_xor(hsum(pm2 + t, F, fw), off32));
            v_st(out->xx + j, v_add32(v_xor(hsum(pxh + t, F, fw), off32),
                                      v_srl32(v_add32(v_xor(hsum(pxl + t, F, fw), off32), rnd), 16)));
            v_st(out->yy + j, v_add32(v_xor(hsum(pyh + t, F, fw), off32),
                                      v_srl32(v_add32(v_xor(hsum(pyl + t, F, fw), off32), rnd), 16)));
            v_st(out->xy + j, v_add32(v_xor(hsum(pzh + t, F, fw), off32),
                                      v_srl32(v_add32(v_xor(hsum(pzl + t, F, fw), off32), rnd), 16)));
        }
    }
}

decl_vif_hfilt_mom_fn(FN(hfilt_mom))
{
    switch (scale) {
    case 0: hfilt_mom_body(out, in, w, 17); break;
    case 1: hfilt_mom_body(out, in, w, 9); break;
    case 2: hfilt_mom_body(out, in, w, 5); break;
    default: hfilt_mom_body(out, in, w, 3); break;
    }
}

/* ---- down-sampling ---- */

static inline __attribute__((always_inline)) void
vfilt_sub_body(uint16_t *const ref_out, uint16_t *const dis_out, const void *const *const ref,
               const void *const *const dis, const int w, const int fw, const int sh,
               const int pix16)
{
    vec F[9];
    tap_pairs(F, tvmaf_vif_filter[fw == 9 ? 1 : fw == 5 ? 2 : 3], fw);
    const int np = pair_count(fw);
    /* 8-bit samples are already valid int16; 16-bit ones take the offset. */
    const vec off16 = v_set16(pix16 ? (short)V_OFF16 : 0);
    const vec off32 = v_set32(pix16 ? V_OFF32 : 0), zero = v_zero();
    const vec rnd = v_set32(1 << (sh - 1));

    for (int j = 0; j < w; j += N16) {
        vec al = zero, ah = zero, bl = zero, bh = zero;
        for (int p = 0; p < np; p++) {
            vec xa, xb, ya, yb;
            const int a = pair_first(p, fw), has_b = pair_has_b(p, fw);
            if (pix16) {
                xa = v_ld((const uint16_t *)ref[a] + j);
                ya = v_ld((const uint16_t *)dis[a] + j);
                xb = has_b ? v_ld((const uint16_t *)ref[a + 1] + j) : zero;
                yb = has_b ? v_ld((const uint16_t *)dis[a + 1] + j) : zero;
            } else {
                xa = v_ld_u8((const uint8_t *)ref[a] + j);
                ya = v_ld_u8((const uint8_t *)dis[a] + j);
                xb = has_b ? v_ld_u8((const uint8_t *)ref[a + 1] + j) : zero;
                yb = has_b ? v_ld_u8((const uint8_t *)dis[a + 1] + j) : zero;
            }
            al = v_dpadd(al, v_xor(v_unlo16(xa, xb), off16), F[p]);
            ah = v_dpadd(ah, v_xor(v_unhi16(xa, xb), off16), F[p]);
            bl = v_dpadd(bl, v_xor(v_unlo16(ya, yb), off16), F[p]);
            bh = v_dpadd(bh, v_xor(v_unhi16(ya, yb), off16), F[p]);
            /* Keeps the sums in tap order: GCC otherwise reassociates them,
             * computes every product first and spills them. */
            __asm__("" : "+v"(al), "+v"(ah), "+v"(bl), "+v"(bh));
        }
        v_st(ref_out + j, v_packus32(v_srl32(v_add32(v_xor(al, off32), rnd), sh),
                                     v_srl32(v_add32(v_xor(ah, off32), rnd), sh)));
        v_st(dis_out + j, v_packus32(v_srl32(v_add32(v_xor(bl, off32), rnd), sh),
                                     v_srl32(v_add32(v_xor(bh, off32), rnd), sh)));
    }
}

decl_vif_vfilt_sub_fn(FN(vfilt_sub_8))
{
    (void)scale; /* 8-bit rows are only down-sampled to scale 1 */
    vfilt_sub_body(ref_out, dis_out, ref, dis, w, 9, sh, 0);
}

decl_vif_vfilt_sub_fn(FN(vfilt_sub_16))
{
    switch (scale) {
    case 1: vfilt_sub_body(ref_out, dis_out, ref, dis, w, 9, sh, 1); break;
    case 2: vfilt_sub_body(ref_out, dis_out, ref, dis, w, 5, sh, 1); break;
    default: vfilt_sub_body(ref_out, dis_out, ref, dis, w, 3, sh, 1); break;
    }
}

/* Output j needs in[2j-r+k]: lane j of an unaligned 32-bit load at
 * in + 2*j0 - r + pair_first(p) holds exactly the pair p. */
static inline __attribute__((always_inline)) vec dec_sum(const uint16_t *const in, const vec *const F,
                                                        const int fw)
{
    const int r = fw / 2;
    const vec off16 = v_set16((short)V_OFF16), off32 = v_set32(V_OFF32);
    vec acc = v_madd(v_xor(v_ld(in - r), off16), F[0]);
    for (int p = 1; p < pair_count(fw); p++)
        acc = v_dpadd(acc, v_xor(v_ld(in - r + pair_first(p, fw)), off16), F[p]);
    return v_srl32(v_add32(v_xor(acc, off32), v_set32(1 << 15)), 16);
}

static inline __attribute__((always_inline)) void
hfilt_dec_body(uint16_t *const ref_out, uint16_t *const dis_out, const uint16_t *const ref_in,
               const uint16_t *const dis_in, const int w_out, const int fw)
{
    vec F[9];
    tap_pairs(F, tvmaf_vif_filter[fw == 9 ? 1 : fw == 5 ? 2 : 3], fw);

    for (int j = 0; j < w_out; j += N16) {
        v_st(ref_out + j, v_pack32(dec_sum(ref_in + 2 * j, F, fw),
                                   dec_sum(ref_in + 2 * j + 2 * N32, F, fw)));
        v_st(dis_out + j, v_pack32(dec_sum(dis_in + 2 * j, F, fw),
                                   dec_sum(dis_in + 2 * j + 2 * N32, F, fw)));
    }
}

decl_vif_hfilt_dec_fn(FN(hfilt_dec))
{
    switch (scale) {
    case 1: hfilt_dec_body(ref_out, dis_out, ref_in, dis_in, w_out, 9); break;
    case 2: hfilt_dec_body(ref_out, dis_out, ref_in, dis_in, w_out, 5); break;
    default: hfilt_dec_body(ref_out, dis_out, ref_in, dis_in, w_out, 3); break;
    }
}
