/*
 * Allocation-failure injection for the -Dalloc_fail=true test build
 * (docs/security.md, "Allocation-failure walk"). The tinyvmaf executable
 * is linked with -Wl,--wrap for malloc, calloc, realloc, aligned_alloc,
 * posix_memalign, strdup and strndup, so every call made from tinyvmaf's
 * own code (library, CLI, trainer: everything linked statically into the
 * executable) comes here. Calls made inside other libraries (glibc's stdio,
 * getline, open_memstream; jansson; FFmpeg) are neither counted nor failed.
 *
 *   TVMAF_FAIL_ALLOC=N     the N-th counted call (1-based) returns NULL with
 *                          errno ENOMEM; every other call succeeds
 *   TVMAF_ALLOC_TRACE=FILE one line per counted call, "INDEX SITE", SITE
 *                          being the caller's address less the executable's
 *                          load address (the same site in every run)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__real_aligned_alloc(size_t align, size_t n);
int __real_posix_memalign(void **p, size_t align, size_t n);
/* Exported: the FFmpeg input module (tools/input/libav.c), linked with the
 * same --wrap flags, counts through these too. */
#define WRAP __attribute__((visibility("default")))
WRAP void *__wrap_malloc(size_t n);
WRAP void *__wrap_calloc(size_t n, size_t size);
WRAP void *__wrap_realloc(void *p, size_t n);
WRAP void *__wrap_aligned_alloc(size_t align, size_t n);
WRAP int __wrap_posix_memalign(void **p, size_t align, size_t n);
WRAP char *__wrap_strdup(const char *s);
WRAP char *__wrap_strndup(const char *s, size_t n);

static atomic_ulong calls;
static unsigned long fail_at;
static int trace_fd = -1;
static uintptr_t base;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void setup(void)
{
    const char *const n = getenv("TVMAF_FAIL_ALLOC");
    if (n)
        fail_at = strtoul(n, NULL, 10);
    const char *const t = getenv("TVMAF_ALLOC_TRACE");
    if (t)
        trace_fd = open(t, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    Dl_info info;
    if (dladdr((void *)setup, &info))
        base = (uintptr_t)info.dli_fbase;
}

/* 1: this call must fail. */
static int fail_now(const void *site)
{
    pthread_once(&once, setup);
    const unsigned long i = atomic_fetch_add(&calls, 1) + 1;
    if (trace_fd >= 0) {
        char line[64];
        const int len = snprintf(line, sizeof(line), "%lu %lx\n", i,
                                 (unsigned long)((uintptr_t)site - base));
        if (write(trace_fd, line, (size_t)len) != len)
            trace_fd = -1;
    }
    if (i == fail_at) {
        errno = ENOMEM;
        return 1;
    }
    return 0;
}

#define SITE __builtin_return_address(0)

void *__wrap_malloc(size_t n)
{
    return fail_now(SITE) ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return fail_now(SITE) ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    return fail_now(SITE) ? NULL : __real_realloc(p, n);
}

void *__wrap_aligned_alloc(size_t align, size_t n)
{
    return fail_now(SITE) ? NULL : __real_aligned_alloc(align, n);
}

int __wrap_posix_memalign(void **p, size_t align, size_t n)
{
    return fail_now(SITE) ? ENOMEM : __real_posix_memalign(p, align, n);
}

static char *copy(const char *s, size_t n, const void *site)
{
    if (fail_now(site))
        return NULL;
    char *const d = __real_malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

char *__wrap_strdup(const char *s)
{
    return copy(s, strlen(s), SITE);
}

char *__wrap_strndup(const char *s, size_t n)
{
    return copy(s, strnlen(s, n), SITE);
}
