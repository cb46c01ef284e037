#include <stdarg.h>
#include <stdio.h>

#include "cli_log.h"

static void log_cb(void *const cookie, const enum TvmafLogLevel level, const char *const fmt,
                   va_list ap)
{
    TvmafCliLog *const l = cookie;
    if (level > TVMAF_LOG_WARNING)
        return;
    char buf[1024];
    vsnprintf(buf, sizeof(buf), fmt, ap);
    if (level == TVMAF_LOG_ERROR && l->keep) {
        if (!l->have)
            snprintf(l->msg, sizeof(l->msg), "%s", buf);
        l->have = 1;
        return;
    }
    fprintf(stderr, "tinyvmaf %s: %s%s\n", l->cmd, level == TVMAF_LOG_WARNING ? "warning: " : "",
            buf);
}

TvmafLogger tvmaf_cli_logger(TvmafCliLog *const l)
{
    return (TvmafLogger){ .cookie = l, .callback = log_cb };
}

int tvmaf_cli_fail(const char *const cmd, const int status, const char *const fmt, ...)
{
    char buf[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    fprintf(stderr, "tinyvmaf %s: %s\n", cmd, buf);
    return status;
}
