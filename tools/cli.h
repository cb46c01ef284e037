/*
 * The tinyvmaf command line: options of the scoring command and the
 * subcommand table.
 */
#ifndef TVMAF_TOOLS_CLI_H
#define TVMAF_TOOLS_CLI_H

#include "input/input.h"
#include "output/output.h"
#include "tinyvmaf/model.h"
#include "tinyvmaf/tinyvmaf.h"

#define CLI_MAX_MODELS 8

typedef struct CliModel {
    const char *spec;     ///< the --model argument as given
} CliModel;

typedef struct CliOptions {
    const char *ref_path, *dis_path, *out_path;
    const char *plot_path; ///< --plot FILE.svg, or NULL
    TvmafRawParams raw;
    enum TvmafOutputFormat out_fmt;
    int out_fmt_given;
    int n_threads;
    unsigned cpu_mask;
    unsigned memory_limit_mib; ///< --memory-limit (0 = the library's default)
    unsigned subsample;
    unsigned frame_cnt;   ///< 0 = all
    int frame_cnt_given;  ///< --frame_cnt was on the command line
    unsigned skip_ref, skip_dis;
    enum TvmafMotionCompat motion_compat;
    int quiet;
    int no_prediction;
    int precision;        ///< --precision N: "%.{N}g" (1..17); 0 = libvmaf's formatting
    CliModel models[CLI_MAX_MODELS];
    int n_models;
    const char *tiny_models[CLI_MAX_MODELS];
    int n_tiny_models;
    TvmafInputPair pair;  ///< raw.pair points here under -q without --frame_cnt
    TvmafInputLink link;  ///< raw.link points here: --scale and the progress line
} CliOptions;

/**
 * Parses the scoring command's arguments. Returns 0 to run, 1 when --help
 * or --version was handled (exit 0), -1 on a usage error (already printed).
 * Refuses non-decimal numbers, -r - with -d - (one stdin), and -o naming
 * the reference or distorted file. Arms the exit-time stdout check
 * (tvmaf_stdout_guard()). `o` must stay where it is while inputs opened
 * with o->raw exist (o->raw.pair and o->raw.link point into it).
 */
int tvmaf_cli_parse(int argc, char **argv, CliOptions *o);

#define CLI_MAX_OVERRIDES 16

/** One "extractor.option=value" of a --model argument (libvmaf's feature
 *  overload: "cambi.enc_width=1280"). */
typedef struct CliModelOverride {
    const char *extractor, *option, *value;
} CliModelOverride;

/**
 * Splits a --model argument, libvmaf's
 * "version=NAME:name=foo:enable_transform:cambi.enc_width=1280" (keys
 * path=, version=, name=, disable_clip, enable_transform and
 * EXTRACTOR.OPTION=VALUE), into `buf` (a copy): exactly one of *path /
 * *version is set, the name and flags go to cfg, the extractor options to
 * ov[0 .. *n_ov - 1] (at most CLI_MAX_OVERRIDES). Returns 0, or -1 after
 * one line on stderr.
 */
int tvmaf_cli_model_spec(const char *spec, char *buf, size_t size, const char **path,
                         const char **version, TvmafModelConfig *cfg, CliModelOverride *ov,
                         int *n_ov);

/** Prints the usage text. */
void tvmaf_cli_usage(FILE *f);

#endif /* TVMAF_TOOLS_CLI_H */
