/*
 * libsvm regression models (nu-SVR / epsilon-SVR with an RBF kernel) in
 * libsvm's text format, evaluated in libsvm's summation order.
 */
#ifndef TVMAF_SRC_MODEL_SVM_H
#define TVMAF_SRC_MODEL_SVM_H

#include <stddef.h>

typedef struct TvmafSvm {
    int n_features;  ///< input dimension (indices 1..n_features)
    int n_sv;
    double gamma;
    double rho;
    double *coef;    ///< n_sv
    double *sv;      ///< n_sv * n_features, dense; absent entries are 0
} TvmafSvm;

#define TVMAF_SVM_MAX_SV 100000

/**
 * Parses libsvm model text (`len` bytes). On failure returns -EBADMSG or
 * -ENOTSUP with a one-line reason in `err`, or -ENOMEM.
 */
int tvmaf_svm_parse(TvmafSvm *svm, const char *text, size_t len, int n_features, char *err,
                    size_t errlen);

/** Decision value for a dense input of n_features values. */
double tvmaf_svm_predict(const TvmafSvm *svm, const double *x);

void tvmaf_svm_clear(TvmafSvm *svm);

#endif /* TVMAF_SRC_MODEL_SVM_H */
