/*
 * The subcommands' one-line messages on stderr: "tinyvmaf CMD: ..." for
 * their own errors and the library's, "tinyvmaf CMD: warning: ..." for the
 * library's warnings.
 */
#ifndef TVMAF_TOOLS_CLI_LOG_H
#define TVMAF_TOOLS_CLI_LOG_H

#include "tinyvmaf/tinyvmaf.h"

typedef struct TvmafCliLog {
    const char *cmd;  ///< the subcommand's name
    int keep;         ///< 1: keep the library's first error in msg instead of printing it
    char msg[1024];
    int have;         ///< msg holds an error
} TvmafCliLog;

/** A library logger writing through `l` (which must outlive it). */
TvmafLogger tvmaf_cli_logger(TvmafCliLog *l);

/** Prints "tinyvmaf CMD: <message>" and returns `status`. */
int tvmaf_cli_fail(const char *cmd, int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif /* TVMAF_TOOLS_CLI_LOG_H */
