/* SPDX-License-Identifier: MIT */
#ifndef MINIKV_KV_H
#define MINIKV_KV_H

#include "arena.h"
#include "config.h"
#include "list.h"

/**
 * struct kv_entry - one key and its value
 * @node: link in its hash bucket
 * @key: the key, NUL-terminated
 * @value: the value, NUL-terminated
 * @hash: hash of @key, kept to skip string compares
 */
struct kv_entry {
	struct list_head node;
	char *key;
	char *value;
	unsigned int hash;
};

/* what a lookup found, for the statistics */
enum kv_result {
	KV_HIT,		/* the key was there */
	KV_MISS,	/* the key was not there */
};

struct kv_stats {
	unsigned long hits;	/* lookups that found their key */
	unsigned long misses;	/* lookups that did not */
	unsigned long puts;	/* successful stores */
};

/**
 * struct kv_store - a hash table of entries
 * @buckets: the hash buckets
 * @arena: where keys, values and entries live
 * @stats: lookup and store counters
 * @n_entries: number of keys stored
 */
typedef struct kv_store {
	struct list_head buckets[KV_BUCKETS];
	struct arena arena;
	struct kv_stats stats;
	unsigned long n_entries;
} kv_store_t;

/**
 * kv_init - prepare an empty store
 * @kv: the store
 */
void kv_init(kv_store_t *kv);

/**
 * kv_get - look a key up
 * @kv: the store
 * @key: the key
 *
 * Return: the value, or NULL when the key is absent.
 */
const char *kv_get(kv_store_t *kv, const char *key);

/**
 * kv_put - store a value under a key, replacing any older value
 * @kv: the store
 * @key: the key
 * @value: the value
 *
 * Return: 0, -EINVAL for a key or value too long, -ENOMEM when out of memory.
 */
int kv_put(kv_store_t *kv, const char *key, const char *value);

/**
 * kv_del - remove a key
 * @kv: the store
 * @key: the key
 *
 * Return: 0, or -ENOENT when the key is absent.
 */
int kv_del(kv_store_t *kv, const char *key);

#endif
