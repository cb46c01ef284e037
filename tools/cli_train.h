/*
 * Subcommands of the training toolkit (tools/cmd_train.c, train/):
 *   tinyvmaf train   train an MLP on a feature table, export ONNX + sidecar
 *   tinyvmaf eval    cross-validate a recipe, or score a model on a table
 *   tinyvmaf export  re-export a training checkpoint as ONNX + sidecar
 * Each takes argv[0] = its own name and returns the process exit status:
 * 0 success, 1 bad input or failure (one line on stderr), 2 usage error.
 */
#ifndef TVMAF_TOOLS_CLI_TRAIN_H
#define TVMAF_TOOLS_CLI_TRAIN_H

int tvmaf_cmd_train(int argc, char **argv);
int tvmaf_cmd_eval(int argc, char **argv);
int tvmaf_cmd_export(int argc, char **argv);

#endif /* TVMAF_TOOLS_CLI_TRAIN_H */
