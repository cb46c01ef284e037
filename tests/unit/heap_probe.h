/* Bytes the C library's allocator has handed out, to check a module's stated
 * scratch size against what its init really allocates. glibc's mallinfo2():
 * in-use heap chunks plus mmapped blocks. Sanitizers and other allocators
 * may not report through it: heap_probe_works() says whether it does. */
#ifndef TVMAF_TESTS_UNIT_HEAP_PROBE_H
#define TVMAF_TESTS_UNIT_HEAP_PROBE_H

#include <stdlib.h>

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
#include <malloc.h>

static size_t heap_in_use(void)
{
    const struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
}
#else
static size_t heap_in_use(void)
{
    return 0;
}
#endif

/* Allocator overhead one allocation may add to the bytes asked for: chunk
 * header and alignment, or page rounding for an mmapped block. */
#define HEAP_PROBE_SLACK 4160

static int heap_probe_works(void)
{
    const size_t n = (size_t)3 << 20, before = heap_in_use();
    char *volatile p = malloc(n);
    const size_t during = heap_in_use();
    free(p);
    return p && during >= before + n && during <= before + n + HEAP_PROBE_SLACK;
}

#endif /* TVMAF_TESTS_UNIT_HEAP_PROBE_H */
