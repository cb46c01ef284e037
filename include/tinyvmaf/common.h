/*
 * tinyvmaf — common definitions shared by every public header.
 */
#ifndef TVMAF_COMMON_H
#define TVMAF_COMMON_H

#include <errno.h>

#if defined(_WIN32) && defined(TVMAF_BUILDING_DLL)
#  define TVMAF_API __declspec(dllexport)
#elif defined(__GNUC__) && __GNUC__ >= 4
#  define TVMAF_API __attribute__((visibility("default")))
#else
#  define TVMAF_API
#endif

#if defined(__GNUC__)
#  define TVMAF_WARN_UNUSED __attribute__((warn_unused_result))
#else
#  define TVMAF_WARN_UNUSED
#endif

/**
 * Every fallible call returns 0 on success or a negative errno value made
 * with TVMAF_ERR(). The meaning of each code never changes:
 *   - TVMAF_ERR(EINVAL)   bad argument or bad option value
 *   - TVMAF_ERR(ENOMEM)   allocation failed
 *   - TVMAF_ERR(ENOENT)   unknown file, feature, model id or frame index
 *   - TVMAF_ERR(EBADMSG)  malformed input (Y4M, JSON, ONNX, CSV)
 *   - TVMAF_ERR(ENOTSUP)  well-formed but unsupported (op, opset, format)
 *   - TVMAF_ERR(EAGAIN)   more input is needed before a value exists
 *   - TVMAF_ERR(EIO)      an operating-system read or write failed
 *   - TVMAF_ERR(EACCES)   refused by policy (checksum, directory jail)
 * Details go to the logger.
 */
#if EPERM > 0
#  define TVMAF_ERR(e) (-(e))
#else
#  define TVMAF_ERR(e) (e)
#endif

/*
 * Object lifetimes. Each object has one constructor and one teardown call;
 * the teardown is NULL-safe, and where it takes the object's address it
 * sets the pointer to NULL. Its verb says what kind of object it ends:
 *   - *_close()  something that runs, or that others may still be using:
 *                a context or a scorer with their worker threads
 *                (tvmaf_close, tvmaf_scorer_close), a picture pool whose
 *                pictures may still be out (tvmaf_picture_pool_close).
 *                The constructor is *_open().
 *   - *_free()   a passive object that only its owner holds: a model
 *                (tvmaf_model_free, tvmaf_tiny_model_free) or a registry
 *                (tvmaf_tiny_registry_free; its constructor predates this
 *                rule and is tvmaf_tiny_registry_open()).
 *   - *_unref()  one reference to shared, reference-counted storage
 *                (tvmaf_picture_unref; tvmaf_picture_ref adds one).
 * Code inside the tree (src/, tools/, train/) follows the same rule.
 *
 * "Pool" alone means pooling per-frame scores over time (tvmaf_pool,
 * enum TvmafPoolMethod, tvmaf_scorer_pool). The other two pools are always
 * named in full: the picture pool (tvmaf_picture_pool_*) and, internally,
 * the thread pool (tvmaf_thread_pool_*).
 */

#endif /* TVMAF_COMMON_H */
