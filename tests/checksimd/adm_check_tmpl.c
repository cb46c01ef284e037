/*
 * The decouple, masking and denominator checks of one band type, included by
 * adm.c twice, with
 *   T            the band element: int16_t at scale 0, int32_t above;
 *   TN(x)        adm.c's helper x for T (x##16, x##32);
 *   SCALE_OF(r)  the scale of the parameters of repetition r;
 *   BENCH_W      the benchmark width: about the scoring window of a
 *                1920-wide picture at scale 0 or 1.
 */

/* Three orientations of n band values, allocated with slack and guard. */
typedef struct TN(Bands) {
    T *p[3];
} TN(Bands);

static TN(Bands) TN(alloc)(void)
{
    TN(Bands) b;
    for (int t = 0; t < 3; t++) b.p[t] = checksimd_alloc((MAXW + SLACK + GUARD) * sizeof(T));
    return b;
}

/* o and d with their slack; 4 times in 6, d is related to o (relate(), clamped to T). */
static void TN(fill_pair)(T *const o, T *const d, const int n)
{
    const int64_t hi = sizeof(T) == 2 ? INT16_MAX : INT32_MAX;
    TN(fill)(o, n);
    TN(fill)(d, n);
    const int how = (int)(checksimd_rand() % 6);
    for (int i = 0; how < 4 && i < n + SLACK; i++)
        d[i] = (T)clamp64(relate(o[i], how), -hi - 1, hi);
}

/* Case k of `passes` over the widths: sets *p (for scale SCALE_OF(pass)) and
 * returns the width; 0 after the last case. */
static int TN(next_case)(const int k, const int passes, TvmafAdmKernelParams *const p)
{
    if (k >= passes * N_WIDTHS) return 0;
    rand_params(p, SCALE_OF(k / N_WIDTHS));
    return widths[k % N_WIDTHS];
}

static void TN(check_decouple)(void *const fn, const char *const name)
{
    declare_func(void, T *const r[3], T *const ca[3], T *const cf[3], const T *const ref[3],
                 const T *const dis[3], int n, const TvmafAdmKernelParams *p);
    const TN(Bands) o = TN(alloc)(), d = TN(alloc)();
    TN(Bands) oc[3], oa[3];
    for (int q = 0; q < 3; q++) {
        oc[q] = TN(alloc)();
        oa[q] = TN(alloc)();
    }
    static const char *const names[3] = { "r", "ca", "cf" };

    if (check_func(fn, "adm_%s", name)) {
        TvmafAdmKernelParams p;
        for (int c = 0, n; (n = TN(next_case)(c, 4, &p)) != 0; c++) {
            for (int t = 0; t < 3; t++) TN(fill_pair)(o.p[t], d.p[t], n);
            for (int q = 0; q < 3; q++) {
                for (int t = 0; t < 3; t++) {
                    checksimd_poison(oc[q].p[t], (MAXW + GUARD) * sizeof(T));
                    checksimd_poison(oa[q].p[t], (MAXW + GUARD) * sizeof(T));
                }
            }
            call_ref(oc[0].p, oc[1].p, oc[2].p, (const T *const *)o.p, (const T *const *)d.p,
                     n, &p);
            call_new(oa[0].p, oa[1].p, oa[2].p, (const T *const *)o.p, (const T *const *)d.p,
                     n, &p);
            int bad = 0;
            for (int q = 0; q < 3 && !bad; q++)
                for (int t = 0; t < 3 && !bad; t++)
                    bad = checksimd_check_buf(names[q], oc[q].p[t], oa[q].p[t], n + GUARD,
                                              sizeof(T));
            if (bad) {
                checksimd_fail("n %d, egl %g, rf %u %u %u", n, p.enhn_gain_limit, p.rf[0],
                               p.rf[1], p.rf[2]);
                break;
            }
        }
        rand_params(&p, SCALE_OF(0));
        p.enhn_gain_limit = 100.0;
        for (int t = 0; t < 3; t++) TN(fill_pair)(o.p[t], d.p[t], BENCH_W);
        bench_new_px(BENCH_W, oa[0].p, oa[1].p, oa[2].p, (const T *const *)o.p,
                     (const T *const *)d.p, BENCH_W, &p);
    }
    report("%s", name);
}

/* cf rows are read at columns -1 .. n: one element before each row. */
static void TN(check_cm)(void *const fn, const char *const name)
{
    declare_func(void, int64_t sum[3], const T *const r[3], const T *const ca[3],
                 const T *const cf[3][3], int n, const TvmafAdmKernelParams *p);
    const TN(Bands) r = TN(alloc)(), ca = TN(alloc)();
    TN(Bands) cfb[3];
    const T *cf[3][3];
    for (int k = 0; k < 3; k++) cfb[k] = TN(alloc)();
    for (int t = 0; t < 3; t++)
        for (int k = 0; k < 3; k++) cf[t][k] = cfb[k].p[t] + 1;

    if (check_func(fn, "adm_%s", name)) {
        TvmafAdmKernelParams p;
        for (int c = 0, n; (n = TN(next_case)(c, 4, &p)) != 0; c++) {
            for (int t = 0; t < 3; t++) {
                TN(fill)(r.p[t], n);
                TN(fill)(ca.p[t], n);
                for (int k = 0; k < 3; k++) TN(fill)(cfb[k].p[t], n + 2);
            }
            int64_t sc[3], sa[3];
            checksimd_poison(sc, sizeof(sc));
            checksimd_poison(sa, sizeof(sa));
            call_ref(sc, (const T *const *)r.p, (const T *const *)ca.p,
                     (const T *const(*)[3])cf, n, &p);
            call_new(sa, (const T *const *)r.p, (const T *const *)ca.p,
                     (const T *const(*)[3])cf, n, &p);
            if (checksimd_check_buf("sum", sc, sa, 3, 8)) {
                checksimd_fail("n %d, shifts %d %d %d", n, p.cube_shift[0], p.cube_shift[1],
                               p.cube_shift[2]);
                break;
            }
        }
        rand_params(&p, SCALE_OF(0));
        int64_t s[3];
        bench_new_px(BENCH_W, s, (const T *const *)r.p, (const T *const *)ca.p,
                     (const T *const(*)[3])cf, BENCH_W, &p);
    }
    report("%s", name);
}

static void TN(check_den)(void *const fn, const char *const name)
{
    declare_func(void, uint64_t sum[3], const T *const o[3], int n, const TvmafAdmKernelParams *p);
    const TN(Bands) o = TN(alloc)();
    if (check_func(fn, "adm_%s", name)) {
        TvmafAdmKernelParams p;
        for (int c = 0, n; (n = TN(next_case)(c, 3, &p)) != 0; c++) {
            for (int t = 0; t < 3; t++) TN(fill)(o.p[t], n);
            uint64_t sc[3], sa[3];
            checksimd_poison(sc, sizeof(sc));
            checksimd_poison(sa, sizeof(sa));
            call_ref(sc, (const T *const *)o.p, n, &p);
            call_new(sa, (const T *const *)o.p, n, &p);
            if (checksimd_check_buf("sum", sc, sa, 3, 8)) {
                checksimd_fail("n %d, q %d, e %d", n, p.den_sq_shift, p.den_cube_shift);
                break;
            }
        }
        rand_params(&p, SCALE_OF(0));
        uint64_t s[3];
        bench_new_px(BENCH_W, s, (const T *const *)o.p, BENCH_W, &p);
    }
    report("%s", name);
}
