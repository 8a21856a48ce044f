// SPDX-License-Identifier: MIT
#include <string.h>

#include "errno.h"
#include "hash.h"
#include "kv.h"

void kv_init(kv_store_t *kv)
{
	int i;

	for (i = 0; i < KV_BUCKETS; i++)
		INIT_LIST_HEAD(&kv->buckets[i]);
	memset(&kv->stats, 0, sizeof(kv->stats));
	kv->n_entries = 0;
}

/* find the entry of a key, or NULL */
static struct kv_entry *kv_find(kv_store_t *kv, const char *key, unsigned int hash)
{
	struct kv_entry *e;
	struct list_head *bucket = &kv->buckets[hash_bucket(hash, KV_BUCKETS)];

	list_for_each_entry(e, bucket, node)
		if (e->hash == hash && !strcmp(e->key, key))
			return e;
	return NULL;
}

static void kv_count(kv_store_t *kv, enum kv_result result)
{
	switch (result) {
	case KV_HIT:
		kv->stats.hits++;
		break;
	case KV_MISS:
		kv->stats.misses++;
		break;
	}
}

const char *kv_get(kv_store_t *kv, const char *key)
{
	struct kv_entry *e = kv_find(kv, key, hash_str(key));

	kv_count(kv, e ? KV_HIT : KV_MISS);
	return e ? e->value : NULL;
}

int kv_put(kv_store_t *kv, const char *key, const char *value)
{
	unsigned int hash;
	struct kv_entry *e;
	int err = 0;

	if (strlen(key) >= KV_MAX_KEY || strlen(value) >= KV_MAX_VALUE)
		return -EINVAL;
	hash = hash_str(key);
	e = kv_find(kv, key, hash);
	if (!e) {
		e = arena_alloc(&kv->arena, sizeof(*e));
		if (!e)
			goto nomem;
		e->key = arena_strdup(&kv->arena, key);
		if (!e->key)
			goto nomem;
		e->hash = hash;
		list_add(&e->node, &kv->buckets[hash_bucket(hash, KV_BUCKETS)]);
		kv->n_entries++;
	}
	e->value = arena_strdup(&kv->arena, value);
	if (!e->value)
		goto nomem;
	kv->stats.puts++;
	return err;
nomem:
	return -ENOMEM;
}

int kv_del(kv_store_t *kv, const char *key)
{
	struct kv_entry *e = kv_find(kv, key, hash_str(key));

	if (!e)
		return -ENOENT;
	list_del(&e->node);
	kv->n_entries--;
	return 0;
}
