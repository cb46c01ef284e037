#ifndef TVMAF_SRC_LOG_H
#define TVMAF_SRC_LOG_H

#include "tinyvmaf/tinyvmaf.h"

#if defined(__GNUC__)
#  define TVMAF_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#  define TVMAF_PRINTF(a, b)
#endif

/** Sends one message to a logger (NULL logger or callback: dropped). */
void tvmaf_log(const TvmafLogger *l, enum TvmafLogLevel level, const char *fmt, ...)
    TVMAF_PRINTF(3, 4);

/** The default sink: "tinyvmaf: <message>\n" on stderr for ERROR/WARNING. */
void tvmaf_log_default_callback(void *cookie, enum TvmafLogLevel level, const char *fmt,
                                va_list ap);

#endif /* TVMAF_SRC_LOG_H */
