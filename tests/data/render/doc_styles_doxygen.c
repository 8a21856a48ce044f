//- /include/git2/repository.h
/*
 * Copyright (C) the libgit2 contributors. All rights reserved.
 */
#ifndef INCLUDE_git_repository_h__
#define INCLUDE_git_repository_h__

/**
 * @file git2/repository.h
 * @brief Git repository management routines
 * @defgroup git_repository Git repository management routines
 * @ingroup Git
 * @{
 */

/**
 * Open a git repository.
 *
 * The 'path' argument must point to either a git repository
 * folder, or an existing work dir.
 *
 * @param[out] out pointer to the repo which will be opened
 * @param path the path to the repository
 * @return 0 or an error code
 */
int git_repository_open(git_repository **out, const char *path);

/** @brief Free a previously allocated repository. @param repo repository handle to close; NULL does nothing */
void git_repository_free(git_repository *repo);

/** @} */
#endif
//- /src/repository.c
#include "git2/repository.h"

/* the real work, not the API doc */
int git_repository_open(git_repository **out, const char *path)
{
	return git_repository_open_ext(out, path, 0);
}

void git_repository_free(git_repository *repo)
{
	if (repo == NULL)
		return;
	git__free(repo);
}
//- /lib/zstd.h
#define ZSTD_VERSION_MAJOR 1

/*! ZSTD_compress() :
 *  Compresses `src` content as a single zstd compressed frame into already allocated `dst`.
 *  NOTE: Providing `dstCapacity >= ZSTD_compressBound(srcSize)` guarantees that zstd will have
 *        enough space to successfully compress the data.
 *  @return : compressed size written into `dst` (<= `dstCapacity),
 *            or an error code if it fails (which can be tested using ZSTD_isError()). */
size_t ZSTD_compress(void* dst, size_t dstCapacity,
                     const void* src, size_t srcSize,
                     int compressionLevel);

size_t ZSTD_compressBound(size_t srcSize); /*!< maximum compressed size in worst case single-pass scenario */

/*!
 * \brief Decompresses one frame.
 * \param dst where the output goes
 * \param[in] src the compressed frame
 * \returns the decompressed size
 */
size_t frame_decompress(void *dst, const void *src);

/// Whether @p code is an error.
/// @param code a result code
/// @returns 1 if it is an error
unsigned is_error(size_t code);
//- /lib/zstd_compress.c
#include "zstd.h"

size_t ZSTD_compressBound(size_t srcSize)
{
	return srcSize + (srcSize >> 8);
}

size_t ZSTD_compress(void* dst, size_t dstCapacity,
                     const void* src, size_t srcSize,
                     int compressionLevel)
{
	if (dstCapacity < ZSTD_compressBound(srcSize))
		return 0;
	if (is_error(frame_decompress(dst, src)))
		return 1;
	return srcSize;
}
//- /lib/thrdpool.h
#include "curl_setup.h"

/* Create a new thread pool.
 * @param name         name of pool for tracing purposes
 * @param min_threads  minimum number of threads to have always running
 * @param max_threads  maximum number of threads running, ever.
 */
int Curl_thrdpool_create(const char *name, unsigned min_threads, unsigned max_threads);
//- /lib/thrdpool.c
#include "thrdpool.h"

int Curl_thrdpool_create(const char *name, unsigned min_threads, unsigned max_threads)
{
	return min_threads > max_threads;
}

/*
 * Curl_thrdpool_destroy()
 *
 * Stops every thread of the pool and frees it.
 *
 * Returns nothing.
 */
void Curl_thrdpool_destroy(int pool)
{
	Curl_thrdpool_create("x", 0, pool);
}
