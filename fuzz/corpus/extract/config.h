/* SPDX-License-Identifier: MIT */
#ifndef MINIKV_CONFIG_H
#define MINIKV_CONFIG_H

#define KV_BUCKETS	64	/* number of hash buckets, a power of two */
#define KV_MAX_KEY	128	/* longest key accepted, in bytes */
#define KV_MAX_VALUE	4096	/* longest value accepted, in bytes */

/* arena chunks are carved out in blocks of this size */
#define ARENA_BLOCK	65536

#endif
