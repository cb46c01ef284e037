/*
 * The ADM steps that scale 0 and scales 1..3 share but for the band type:
 * the C decouple kernel, the AIM rows and the row drivers of decouple,
 * masking and denominator. Included by adm.c twice, with
 *   T       the band element: int16_t at scale 0, int32_t above;
 *   TN(x)   x for that type: x_s0 or x_s123 (adm.c's helpers of that name
 *           carry the type's numerics, and the DSP table's entries are named so);
 *   BANDS   the band row buffers of struct TvmafAdm: b16 or b32;
 *   WRAP    the store wrap: wrap16 or wrap32;
 *   DECOUPLE_C  the name of the C decouple kernel: decouple_s0_c or decouple_s123_c.
 */

/* algorithms.md 3.3 decouple, fused with the 3.5 CSF of the impairment. */
static void DECOUPLE_C(T *const r[3], T *const ca[3], T *const cf[3], const T *const ref[3],
                       const T *const dis[3], const int n, const TvmafAdmKernelParams *const p)
{
    const int32_t *const div = p->div_lut + 32768;
    const double egl = p->enhn_gain_limit, cos1sq = p->cos1sq;

    for (int j = 0; j < n; j++) {
        const int angle =
            tvmaf_adm_angle_within_1deg(ref[0][j], ref[1][j], dis[0][j], dis[1][j], cos1sq);
        for (int t = 0; t < 3; t++) {
            const int32_t o = ref[t][j], d = dis[t][j];
            const int64_t k = TN(gain)(div, o, d);
            const T rr = (T)egl_clamp(WRAP((k * o + 16384) >> 15), d, k, o, angle, egl);
            const T c = TN(csf)(p->rf[t], WRAP((int64_t)d - rr), t);
            r[t][j] = rr;
            ca[t][j] = c;
            cf[t][j] = TN(csf_f)(c);
        }
    }
}

/*
 * AIM rows from the decoupled ones: the impairment a = d - r, and the CSF of
 * the restored signal r with its 1/30 share. libvmaf runs its CSF and masking
 * stages a second time with the roles of r and a swapped; the masking kernel
 * is reused as is, these are the only new values. One orientation per loop,
 * restrict rows: simple enough for the compiler to vectorize.
 */
static void TN(aim_rows)(T *const ia[3], T *const ca[3], T *const cf[3], const T *const r[3],
                         const T *const dis[3], const int n, const TvmafAdmKernelParams *const p)
{
    for (int t = 0; t < 3; t++) {
        T *restrict const oa = ia[t], *restrict const oc = ca[t], *restrict const of = cf[t];
        const T *restrict const rr = r[t], *restrict const dd = dis[t];
        const uint32_t rf = p->rf[t];
        for (int j = 0; j < n; j++) {
            oa[j] = WRAP((int64_t)dd[j] - rr[j]);
            oc[j] = TN(csf)(rf, rr[j], t);
            of[j] = TN(csf_f)(oc[j]);
        }
    }
}

/* Decouples n values of the band row from offset o into ring slot `slot` at
 * column c0 (plus the AIM rows) and pads the cf rows. */
static void TN(decouple_row)(TvmafAdm *const a, const AdmScale *const s, const int slot,
                             const ptrdiff_t o, const int c0, const int n)
{
    T *const r[3] = RING_ROWS(T, s, slot, RING_R, c0);
    T *const ca[3] = RING_ROWS(T, s, slot, RING_CA, c0);
    T *const cf[3] = RING_ROWS(T, s, slot, RING_CF, c0);
    const T *const ref[3] = { a->BANDS[0][0] + o, a->BANDS[0][1] + o, a->BANDS[0][2] + o };
    const T *const dis[3] = { a->BANDS[1][0] + o, a->BANDS[1][1] + o, a->BANDS[1][2] + o };
    a->dsp.TN(decouple)(r, ca, cf, ref, dis, n, &s->kp);
    for (int t = 0; t < 3; t++) PAD_CF((T *)s->ring[slot][RING_CF][t], s->w);
    if (!a->aim) return;
    T *const ia[3] = RING_ROWS(T, s, slot, RING_A, c0);
    T *const car[3] = RING_ROWS(T, s, slot, RING_CA_R, c0);
    T *const cfr[3] = RING_ROWS(T, s, slot, RING_CF_R, c0);
    TN(aim_rows)(ia, car, cfr, (const T *const *)r, dis, n, &s->kp);
    for (int t = 0; t < 3; t++) PAD_CF((T *)s->ring[slot][RING_CF_R][t], s->w);
}

/* Masked sum of window row i: value rows of kind kv, masker rows kinds kca,
 * kcf (cf from the ring rows rows[0..2]). */
static void TN(cm_row)(const TvmafAdm *const a, const AdmScale *const s, const int i,
                       const int rows[3], const int kv, const int kca, const int kcf, int64_t cm[3])
{
    const T *r[3], *ca[3], *cf[3][3];
    for (int t = 0; t < 3; t++) {
        r[t] = (const T *)s->ring[i % 3][kv][t] + s->left;
        ca[t] = (const T *)s->ring[i % 3][kca][t] + s->left;
        for (int k = 0; k < 3; k++) cf[t][k] = (const T *)s->ring[rows[k] % 3][kcf][t] + s->left;
    }
    a->dsp.TN(cm)(cm, r, ca, (const T *const(*)[3])cf, s->right - s->left, &s->kp);
}

/* Denominator sums of the reference's band row over the window, from offset o. */
static void TN(den_row)(const TvmafAdm *const a, const AdmScale *const s, const ptrdiff_t o,
                        uint64_t dn[3])
{
    const T *const ref[3] = { a->BANDS[0][0] + o, a->BANDS[0][1] + o, a->BANDS[0][2] + o };
    a->dsp.TN(den)(dn, ref, s->right - s->left, &s->kp);
}
