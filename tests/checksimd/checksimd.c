/*
 * checksimd runner: the test and CPU-level tables, function registry,
 * options and reporting. Usage and the test-writing API: checksimd.h.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checksimd.h"
#include "cpu.h"
#include "tinyvmaf/tinyvmaf.h"

static const struct {
    const char *name;
    void (*func)(void);
} tests[] = {
    { "vif", checksimd_check_vif },
    { "motion", checksimd_check_motion },
    { "adm", checksimd_check_adm },
    { "mlp", checksimd_check_mlp },
    { "speed", checksimd_check_speed },
    { "cambi", checksimd_check_cambi },
    { NULL, NULL },
};

/* Cumulative: each level adds its bits to the ones above it. */
static const struct {
    const char *name, *suffix;
    unsigned flag;
} cpus[] = {
    { "AVX2", "avx2",
      TVMAF_CPU_FLAG_SSE2 | TVMAF_CPU_FLAG_SSSE3 | TVMAF_CPU_FLAG_SSE41 |
          TVMAF_CPU_FLAG_AVX2 },
    { "AVX-512", "avx512", TVMAF_CPU_FLAG_AVX512 },
    { "AVX-512 (Ice Lake)", "avx512icl", TVMAF_CPU_FLAG_AVX512ICL },
    { NULL, NULL, 0 },
};

typedef struct FuncVersion {
    struct FuncVersion *next;
    void *func;
    int ok;
    unsigned cpu;
    int iterations;
    uint64_t cycles;
    double pixels; /* per call, 0 when the kernel has no pixel count */
} FuncVersion;

typedef struct Func {
    struct Func *next;
    FuncVersion versions;
    char name[];
} Func;

static struct {
    Func *funcs, *current_func;
    FuncVersion *current_ver;
    const char *current_test, *cpu_name, *test_pattern, *function_pattern;
    unsigned cpu_flags, seed;
    int num_checked, num_failed, bench, list_functions, verbose, name_width;
} state;

typedef struct Alloc {
    struct Alloc *next;
    void *raw;
} Alloc;
static Alloc *allocs;

static uint32_t xs[4];

static void xor128_srand(const unsigned seed)
{
    xs[0] = seed;
    xs[1] = (seed & 0xffff0000u) | (~seed & 0x0000ffffu);
    xs[2] = (~seed & 0xffff0000u) | (seed & 0x0000ffffu);
    xs[3] = ~seed;
}

/* xor128, Marsaglia, "Xorshift RNGs", J. Stat. Softw. 8(14), 2003. */
uint32_t checksimd_rand(void)
{
    const uint32_t x = xs[0], t = x ^ (x << 11);
    xs[0] = xs[1];
    xs[1] = xs[2];
    xs[2] = xs[3];
    xs[3] = xs[3] ^ (xs[3] >> 19) ^ (t ^ (t >> 8));
    return xs[3];
}

int64_t checksimd_rand_range(const int64_t lo, const int64_t hi)
{
    const uint64_t span = (uint64_t)(hi - lo) + 1;
    const uint64_t r = ((uint64_t)checksimd_rand() << 32) | checksimd_rand();
    return lo + (int64_t)(span ? r % span : r);
}

unsigned checksimd_cpu_flags(void)
{
    return state.cpu_flags;
}

void checksimd_poison(void *const buf, const size_t n)
{
    memset(buf, 0xa5, n);
}

void *checksimd_alloc(const size_t n)
{
    Alloc *const a = calloc(1, sizeof(*a));
    uint8_t *const raw = calloc(1, n + 256 + 64);
    if (!a || !raw) {
        fprintf(stderr, "checksimd: out of memory\n");
        exit(1);
    }
    a->raw = raw;
    a->next = allocs;
    allocs = a;
    return raw + (64 - (uintptr_t)raw % 64) % 64;
}

static void free_all(void)
{
    while (allocs) {
        Alloc *const next = allocs->next;
        free(allocs->raw);
        free(allocs);
        allocs = next;
    }
    while (state.funcs) {
        Func *const next = state.funcs->next;
        FuncVersion *v = state.funcs->versions.next;
        while (v) {
            FuncVersion *const vn = v->next;
            free(v);
            v = vn;
        }
        free(state.funcs);
        state.funcs = next;
    }
}

/* ---- float comparisons (dav1d checkasm) ---- */

int float_near_ulp(const float a, const float b, const unsigned max_ulp)
{
    union { float f; uint32_t i; } x = { a }, y = { b };
    if ((x.i >> 31) != (y.i >> 31))
        return a == b; /* -0 == +0 */
    return llabs((long long)x.i - (long long)y.i) <= (long long)max_ulp;
}

int float_near_abs_eps(const float a, const float b, const float eps)
{
    return fabsf(a - b) < eps;
}

int float_near_abs_eps_ulp(const float a, const float b, const float eps, const unsigned max_ulp)
{
    return float_near_ulp(a, b, max_ulp) || float_near_abs_eps(a, b, eps);
}

int float_near_ulp_array(const float *const a, const float *const b, const unsigned max_ulp,
                         const int len)
{
    for (int i = 0; i < len; i++)
        if (!float_near_ulp(a[i], b[i], max_ulp))
            return 0;
    return 1;
}

int float_near_abs_eps_array(const float *const a, const float *const b, const float eps,
                             const int len)
{
    for (int i = 0; i < len; i++)
        if (!float_near_abs_eps(a[i], b[i], eps))
            return 0;
    return 1;
}

int double_near_abs_eps(const double a, const double b, const double eps)
{
    return fabs(a - b) < eps;
}

/* ---- registry ---- */

static const char *cpu_suffix(const unsigned cpu)
{
    return cpu & TVMAF_CPU_FLAG_AVX512ICL ? "avx512icl"
           : cpu & TVMAF_CPU_FLAG_AVX512  ? "avx512"
           : cpu & TVMAF_CPU_FLAG_AVX2    ? "avx2"
           : cpu                          ? "sse"
                                          : "c";
}

static int wildcmp(const char *str, const char *pat)
{
    const char *const star = strchr(pat, '*');
    if (!star)
        return strcmp(str, pat);
    const size_t len = (size_t)(star - pat);
    if (strncmp(str, pat, len))
        return 1;
    const char *rest = star + 1;
    while (*rest == '*')
        rest++;
    if (!*rest)
        return 0;
    for (str += len; *str; str++)
        if (!wildcmp(str, rest))
            return 0;
    return 1;
}

static Func *get_func(const char *const name)
{
    Func **pf = &state.funcs;
    for (; *pf; pf = &(*pf)->next)
        if (!strcmp((*pf)->name, name))
            return *pf;
    Func *const f = calloc(1, sizeof(*f) + strlen(name) + 1);
    if (!f) {
        fprintf(stderr, "checksimd: out of memory\n");
        exit(1);
    }
    strcpy(f->name, name);
    *pf = f;
    return f;
}

void *checksimd_check_func(void *const func, const char *const name, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, name);
    const int len = vsnprintf(buf, sizeof(buf), name, ap);
    va_end(ap);
    if (!func || len <= 0 || (size_t)len >= sizeof(buf) ||
        (state.function_pattern && wildcmp(buf, state.function_pattern)))
        return NULL;

    Func *const f = get_func(buf);
    FuncVersion *v = &f->versions;
    if (v->func) {
        FuncVersion *prev;
        do {
            if (v->func == func)
                return NULL; /* this kernel was already checked at a lower level */
            prev = v;
        } while ((v = v->next));
        v = prev->next = calloc(1, sizeof(*v));
        if (!v) {
            fprintf(stderr, "checksimd: out of memory\n");
            exit(1);
        }
    }
    v->func = func;
    v->ok = 1;
    v->cpu = state.cpu_flags;
    state.current_func = f;
    state.current_ver = v;
    const int width = len + 1 + (int)strlen(cpu_suffix(state.cpu_flags));
    if (width > state.name_width)
        state.name_width = width;
    if (state.list_functions)
        return NULL;
    xor128_srand(state.seed);
    if (state.cpu_flags)
        state.num_checked++;
    /* Always compare with C, the first version registered. */
    return f->versions.func;
}

int checksimd_bench_enabled(void)
{
    return state.bench && !state.num_failed;
}

void checksimd_update_bench(const int iterations, const uint64_t cycles, const double pixels)
{
    state.current_ver->iterations += iterations;
    state.current_ver->cycles += cycles;
    state.current_ver->pixels = pixels;
}

static void print_cpu_name(void)
{
    if (state.cpu_name) {
        fprintf(stderr, "%s:\n", state.cpu_name);
        state.cpu_name = NULL;
    }
}

int checksimd_fail(const char *const fmt, ...)
{
    FuncVersion *const v = state.current_ver;
    if (v && v->cpu && v->ok) {
        va_list ap;
        print_cpu_name();
        fprintf(stderr, "   FAILED %s_%s (seed %u): ", state.current_func->name, cpu_suffix(v->cpu),
                state.seed);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        v->ok = 0;
        state.num_failed++;
    }
    return state.verbose;
}

static int64_t elem(const void *const p, const size_t i, const size_t size)
{
    const uint8_t *const b = (const uint8_t *)p + i * size;
    switch (size) {
    case 1: return *b;
    case 2: { uint16_t x; memcpy(&x, b, 2); return x; }
    case 4: { int32_t x; memcpy(&x, b, 4); return x; }
    default: { int64_t x; memcpy(&x, b, 8); return x; }
    }
}

int checksimd_check_buf(const char *const what, const void *const ref, const void *const got,
                        const size_t n, const size_t size)
{
    if (!memcmp(ref, got, n * size))
        return 0;
    size_t i = 0;
    while (i < n && !memcmp((const uint8_t *)ref + i * size, (const uint8_t *)got + i * size, size))
        i++;
    checksimd_fail("%s: first difference at index %zu of %zu: C %lld, SIMD %lld", what, i, n,
                   (long long)elem(ref, i, size), (long long)elem(got, i, size));
    return 1;
}

void checksimd_report(const char *const name, ...)
{
    static int prev_checked, prev_failed;
    if (state.num_checked > prev_checked) {
        char buf[256];
        va_list ap;
        va_start(ap, name);
        vsnprintf(buf, sizeof(buf), name, ap);
        va_end(ap);
        print_cpu_name();
        fprintf(stderr, " - %s.%-32s [%s]\n", state.current_test, buf,
                state.num_failed == prev_failed ? "OK" : "FAILED");
        prev_checked = state.num_checked;
        prev_failed = state.num_failed;
    }
}

/* ---- benchmarks ---- */

static double cycles_per_call(const FuncVersion *const v)
{
    return v->iterations ? (double)v->cycles / v->iterations / 4.0 : 0.0;
}

static void print_benchs(void)
{
    printf("%-*s %12s %10s %9s\n", state.name_width, "function", "cycles/call", "cycles/px",
           "vs C");
    for (const Func *f = state.funcs; f; f = f->next) {
        const double base = cycles_per_call(&f->versions);
        for (const FuncVersion *v = &f->versions; v; v = v->next) {
            if (!v->iterations)
                continue;
            char name[300];
            snprintf(name, sizeof(name), "%s_%s", f->name, cpu_suffix(v->cpu));
            const double c = cycles_per_call(v);
            char px[32] = "-";
            if (v->pixels > 0)
                snprintf(px, sizeof(px), "%.3f", c / v->pixels);
            printf("%-*s %12.1f %10s %8.2fx\n", state.name_width, name, c, px,
                   c > 0 ? base / c : 0.0);
        }
    }
}

static void print_functions(void)
{
    for (const Func *f = state.funcs; f; f = f->next) {
        printf("%s (", f->name);
        for (const FuncVersion *v = &f->versions; v; v = v->next)
            printf("%s%s", v == &f->versions ? "" : ", ", cpu_suffix(v->cpu));
        printf(")\n");
    }
}

/* ---- main ---- */

static void run_level(const char *const name, const unsigned flags)
{
    state.cpu_flags = flags;
    state.cpu_name = name;
    for (int i = 0; tests[i].name; i++) {
        if (state.test_pattern && wildcmp(tests[i].name, state.test_pattern))
            continue;
        state.current_test = tests[i].name;
        xor128_srand(state.seed);
        tests[i].func();
    }
}

static int parse_uint(const char *const s, unsigned *const out)
{
    char *end;
    errno = 0;
    const unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || v > 0xffffffffu)
        return -1;
    *out = (unsigned)v;
    return 0;
}

int main(int argc, char **argv)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    state.seed = (unsigned)(ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec);

    for (int i = 1; i < argc; i++) {
        const char *const a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fprintf(stderr, "checksimd [options] [seed]\n"
                            "    --test=PAT          only tests matching PAT (vif, motion, adm)\n"
                            "    --function=PAT      only functions matching PAT ('*' wildcards)\n"
                            "    --bench             benchmark the checked functions\n"
                            "    --seed=N            random seed (also a bare number)\n"
                            "    --list-functions    list functions and their ISA versions\n"
                            "    --list-tests        list tests\n"
                            "    --verbose           more output on failures\n");
            return 0;
        } else if (!strcmp(a, "--bench") || !strcmp(a, "-b")) {
            state.bench = 1;
        } else if (!strncmp(a, "--test=", 7)) {
            state.test_pattern = a + 7;
        } else if (!strncmp(a, "--function=", 11)) {
            state.function_pattern = a + 11;
        } else if (!strcmp(a, "--list-functions")) {
            state.list_functions = 1;
        } else if (!strcmp(a, "--list-tests")) {
            for (int t = 0; tests[t].name; t++)
                printf("%s\n", tests[t].name);
            return 0;
        } else if (!strcmp(a, "--verbose") || !strcmp(a, "-v")) {
            state.verbose = 1;
        } else if (!strncmp(a, "--seed=", 7) ? parse_uint(a + 7, &state.seed)
                                               : parse_uint(a, &state.seed)) {
            fprintf(stderr, "checksimd: unknown option (%s)\n", a);
            return 1;
        }
    }

    const unsigned detected = tvmaf_cpu_flags_detect();
    if (!state.list_functions)
        fprintf(stderr, "checksimd: using random seed %u\n", state.seed);

    run_level(NULL, 0);
    unsigned want = 0;
    for (int i = 0; cpus[i].name; i++) {
        want |= cpus[i].flag;
        const unsigned flags = want & detected;
        if (flags != state.cpu_flags)
            run_level(cpus[i].name, flags);
    }

    int ret = 0;
    if (state.list_functions) {
        print_functions();
    } else if (state.num_failed) {
        fprintf(stderr, "checksimd: %d of %d tests failed (seed %u)\n", state.num_failed,
                state.num_checked, state.seed);
        ret = 1;
    } else {
        if (state.num_checked)
            fprintf(stderr, "checksimd: all %d tests passed\n", state.num_checked);
        else
            fprintf(stderr, "checksimd: no tests to perform\n");
        if (state.bench)
            print_benchs();
    }
    free_all();
    return ret;
}
