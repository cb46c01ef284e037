/*
 * Subcommands backed by the tiny-model API (tools/cmd_tiny.c). Each takes
 * the arguments after "tinyvmaf", argv[0] being the subcommand's name, and
 * returns the process exit status: 0 success, 1 failure (one line on
 * stderr names the file and the cause), 2 usage error.
 */
#ifndef TVMAF_TOOLS_CLI_CMDS_H
#define TVMAF_TOOLS_CLI_CMDS_H

/**
 * tinyvmaf predict --tiny-model ID|PATH --features FILE.csv [--batch N] [--model-dir DIR]
 * (built with the training toolkit, whose table reader and prediction loop it uses).
 */
int tvmaf_cmd_predict(int argc, char **argv);

/** tinyvmaf models [--model-dir DIR]: lists the registry, verifies every sha256. */
int tvmaf_cmd_models(int argc, char **argv);

#endif /* TVMAF_TOOLS_CLI_CMDS_H */
