#include <stdio.h>

#include "log.h"

void tvmaf_log_default_callback(void *cookie, enum TvmafLogLevel level, const char *fmt,
                                va_list ap)
{
    (void)cookie;
    if (level > TVMAF_LOG_WARNING)
        return;
    /* One fputs of a formatted line, so concurrent workers don't interleave. */
    char buf[1024];
    vsnprintf(buf, sizeof(buf), fmt, ap);
    fprintf(stderr, "tinyvmaf: %s%s\n", level == TVMAF_LOG_WARNING ? "warning: " : "", buf);
}

void tvmaf_log(const TvmafLogger *l, enum TvmafLogLevel level, const char *fmt, ...)
{
    if (!l || !l->callback)
        return;
    va_list ap;
    va_start(ap, fmt);
    l->callback(l->cookie, level, fmt, ap);
    va_end(ap);
}
