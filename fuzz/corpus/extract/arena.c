// SPDX-License-Identifier: MIT
/*
 * The arena: memory that lives as long as the store.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "config.h"

void *arena_alloc(struct arena *a, size_t len)
{
	void *p;

	len = (len + 7) & ~(size_t)7;
	if (a->used + len > a->size) {
		size_t size = len > ARENA_BLOCK ? len : ARENA_BLOCK;

		a->base = malloc(size);
		if (!a->base)
			return NULL;
		a->size = size;
		a->used = 0;
		a->n_blocks++;
	}
	p = a->base + a->used;
	a->used += len;
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	size_t len = strlen(s) + 1;
	char *copy = arena_alloc(a, len);

	if (copy)
		memcpy(copy, s, len);
	return copy;
}
