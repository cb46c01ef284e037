/*
 * Small internal helpers shared by the library, the CLI (tools/) and the
 * training toolkit (train/): atomic file output, the "output is one of the
 * inputs" check, escaping per output format, the CSV reader, checked
 * stdout, and sha256. Built as the static library tinyvmaf_util, linked
 * whole into tinyvmaf_internal; nothing here is exported from libtinyvmaf.
 *
 * Errors are negative errno values (TVMAF_ERR() of common.h); where a
 * caller needs words, a one-line reason without the path goes to `err`.
 */
#ifndef TVMAF_SRC_UTIL_UTIL_H
#define TVMAF_SRC_UTIL_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* ------------------------------------------------------ atomic output */

/**
 * A file being replaced atomically. The data goes to a new temporary file
 * in the target's directory, named ".tvXXXXXX" (short, so targets whose
 * names use the whole NAME_MAX still work), created with
 * O_CREAT|O_EXCL|O_NOFOLLOW and mode 0600. tvmaf_atomic_commit() flushes,
 * fsyncs, gives it the final mode and renames it over the target; until
 * then the target is untouched, and any failure removes the temporary.
 *
 * The target:
 *   - does not exist: created with mode 0666 & ~umask;
 *   - is a regular file: replaced, keeping its mode (and, where allowed,
 *     its owner and group);
 *   - is a symbolic link: written through, i.e. the file it resolves to
 *     is replaced and the link stays; a dangling link is refused (ENOENT);
 *   - is a regular file with more than one hard link: refused (EMLINK),
 *     since a rename would leave the other names on the old data;
 *   - is "-", a FIFO, a character device or a socket (/dev/null, a
 *     pipe), or names an open descriptor (/dev/stdout, /dev/stderr,
 *     /dev/fd/N, /proc/...): written directly (appending), without a
 *     temporary;
 *   - is a directory: refused (EISDIR).
 *
 * While a temporary exists its path sits in a small process-wide registry;
 * the first open installs handlers for SIGINT, SIGTERM and SIGHUP (only
 * where the disposition is still the default) that unlink the registered
 * temporaries, restore the default action and re-raise the signal. When
 * the handler runs while another thread is creating a temporary, that
 * thread removes its file and re-raises the signal itself. Once a cleanup
 * signal has been handled, no new temporary is made: in a thread whose own
 * mask still blocks that signal, tvmaf_atomic_open() fails with -EINTR.
 * At most TVMAF_ATOMIC_MAX_LIVE temporaries exist at once.
 */
typedef struct TvmafAtomicFile {
    FILE *f;           ///< write here; NULL once committed or aborted
    char *target;      ///< the path the commit renames over (resolved); NULL when direct
    char *tmp;         ///< the temporary's path; NULL when direct
    int slot;          ///< registry slot, -1 when none
    int direct;        ///< 1: f is the target itself (or stdout)
    int existed;       ///< the target existed: keep mode/owner
    mode_t mode;       ///< mode the file gets at commit
    uid_t uid;
    gid_t gid;
} TvmafAtomicFile;

#define TVMAF_ATOMIC_MAX_LIVE 16

/**
 * Starts replacing `path` ("-" = stdout). On success af->f is open for
 * writing. @return 0; -ENOENT (no such directory, dangling link),
 * -EISDIR, -EMLINK (hard links), -ENOMEM, -EMFILE (registry full) or the
 * errno of the failing call. On failure nothing is left behind, *af is
 * cleared and `err` says why.
 */
int tvmaf_atomic_open(TvmafAtomicFile *af, const char *path, char *err, size_t errlen);

/**
 * Finishes: flushes and checks the stream, fsyncs, sets the mode, renames
 * over the target and fsyncs the directory. On failure the temporary is
 * removed and the target is untouched. Either way *af is released.
 * @return 0 or a negative errno, with `err` set.
 */
int tvmaf_atomic_commit(TvmafAtomicFile *af, char *err, size_t errlen);

/** Gives up: closes and removes the temporary; the target is untouched. NULL-safe. */
void tvmaf_atomic_abort(TvmafAtomicFile *af);

/** Writes len bytes to path through tvmaf_atomic_open()/commit(). */
int tvmaf_atomic_write(const char *path, const void *data, size_t len, char *err, size_t errlen);

/**
 * Creates a new file at `tmpl`, whose trailing "XXXXXX" (if any) is
 * replaced by random characters, with O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC
 * and mode 0600: an existing file or symbolic link at that name is never
 * opened. @return the open descriptor, or a negative errno.
 */
int tvmaf_tmpfile_create(char *tmpl);

/* ------------------------------------------------------ same-file check */

/**
 * 1 when writing `out` would overwrite the input `in`: both name the same
 * existing regular file (st_dev and st_ino, symbolic links followed). "-"
 * is stdin for `in` and stdout for `out`. 0 otherwise, including when
 * either does not exist or is not a regular file (two names for one
 * terminal are not a clobbered input).
 */
int tvmaf_same_file(const char *in, const char *out);

/**
 * 1 when a run would destroy what it reads or lose what it writes: an
 * output (NULL entries skipped) names one of the inputs (same string, or
 * tvmaf_same_file()), or two outputs name one file; `err` then says which.
 * 0 otherwise.
 */
int tvmaf_outputs_clash(const char *const *in, int n_in, const char *const *out, int n_out,
                        char *err, size_t errlen);

/* ------------------------------------------------------------ escaping */

/**
 * `s` as a quoted JSON string: '"' and '\\' escaped, control characters as
 * \n, \t, ... or \u00XX, and bytes that are not valid UTF-8 replaced by
 * \ufffd, so the result always parses. Writes at most `size` bytes
 * (NUL included) to `dst` (may be NULL with size 0) and returns the
 * length the whole text needs, as snprintf does.
 */
size_t tvmaf_json_quote(char *dst, size_t size, const char *s);

/** tvmaf_json_quote() to a stream. @return 0 or -1 on a stream error. */
int tvmaf_json_put(FILE *f, const char *s);

/**
 * `s` as the inside of a double-quoted XML attribute value: & < > " '
 * escaped, tab/newline/carriage return as character references, other
 * control characters and invalid UTF-8 as U+FFFD (XML 1.0 cannot carry
 * them). @return 0 or -1 on a stream error.
 */
int tvmaf_xml_put_attr(FILE *f, const char *s);

/**
 * 1 if `s` can be used as an XML attribute name as written: a letter or
 * '_' first, then letters, digits, '_', '-' and '.' (ASCII only).
 */
int tvmaf_xml_is_name(const char *s);

/**
 * `s` as one CSV field (RFC 4180): written as is unless it holds a comma,
 * a quote, CR, LF or leading/trailing blanks; then quoted with '"'
 * doubled. @return 0 or -1 on a stream error.
 */
int tvmaf_csv_put_field(FILE *f, const char *s);

/**
 * Text from a file (a header, a cell) made safe to echo in a one-line
 * message: at most `max_in` bytes of `s`, with '\\', '"', control bytes
 * and bytes >= 0x7f written as C escapes (\n, \t, \xNN), and "..." when
 * cut. Always NUL-terminates a non-empty dst; returns dst.
 */
char *tvmaf_escape_text(char *dst, size_t size, const char *s, size_t max_in);

/* ---------------------------------------------------------- CSV reader */

/**
 * A CSV file read whole into memory (its bytes stay available, e.g. for a
 * sha256). Records: fields separated by commas, optionally double-quoted
 * ('""' is a quote; quoted fields may hold commas and newlines), LF or
 * CRLF line ends, a UTF-8 byte-order mark skipped, lines that are empty
 * or only blanks skipped. Fields are returned unquoted and untrimmed.
 */
typedef struct TvmafCsv {
    char *buf;          ///< the file's bytes plus a NUL
    size_t len;         ///< bytes in the file
    size_t pos;         ///< parse position
    size_t line;        ///< 1-based line the last record started on
    size_t next_line;   ///< line the next record starts on
    char **fields;      ///< the last record's fields (point into buf)
    size_t cap_fields;
} TvmafCsv;

#define TVMAF_CSV_MAX_FIELDS 4096

/**
 * Reads `path` ("-" = stdin) into c. A file larger than max_bytes is
 * refused (-EFBIG). A read error is an error (-EIO), never an early end.
 * @return 0, -ENOENT, -EACCES, -EISDIR, -EIO, -EFBIG or -ENOMEM, with `err` set.
 */
int tvmaf_csv_load(TvmafCsv *c, const char *path, size_t max_bytes, char *err, size_t errlen);

/**
 * The next record. @return its field count (>= 1) with *fields set;
 * 0 at the end of the file; -EBADMSG for a misplaced or unterminated
 * quote, a NUL byte or more than TVMAF_CSV_MAX_FIELDS fields; -ENOMEM.
 * c->line is the record's first line; `err` says why on failure.
 */
int tvmaf_csv_next(TvmafCsv *c, char ***fields, char *err, size_t errlen);

/** Frees what c owns and zeroes it. NULL-safe. */
void tvmaf_csv_free(TvmafCsv *c);

/* -------------------------------------------------------- checked stdout */

/**
 * Makes a failed write to stdout a failed run: at exit, stdout is flushed
 * and closed, and on an error "PROG: writing to stdout failed: REASON"
 * goes to stderr and the exit status becomes 1. Call once, early (later
 * calls only change PROG); PROG must outlive the process.
 */
void tvmaf_stdout_guard(const char *prog);

/**
 * Flushes stdout now. On an error prints the one line (once per process)
 * and returns -1; the exit status will be 1 as well.
 */
int tvmaf_stdout_flush(void);

/**
 * A failed write to stdout was reported by the caller (tvmaf_atomic_commit()
 * on "-" does this): the exit-time check still makes the status 1 but
 * prints no second line.
 */
void tvmaf_stdout_failure_reported(void);

/* -------------------------------------------------------------- sha256 */

/** SHA-256 of a buffer (needs nettle). */
void tvmaf_sha256(const void *data, size_t len, uint8_t out[32]);

/** Lower-case hex of n bytes; out holds 2 * n + 1 bytes. */
void tvmaf_hex(const uint8_t *d, size_t n, char *out);

/** sha256 of a buffer as 64 lowercase hex digits + NUL. */
void tvmaf_tiny_sha256_hex(const uint8_t *buf, size_t len, char hex[65]);

#endif /* TVMAF_SRC_UTIL_UTIL_H */
