/* SPDX-License-Identifier: MIT */
#ifndef MINIKV_ARENA_H
#define MINIKV_ARENA_H

#include <stddef.h>

/**
 * struct arena - a bump allocator for keys and values
 * @base: start of the current block
 * @used: bytes handed out from the current block
 * @size: size of the current block
 * @n_blocks: blocks allocated so far
 */
struct arena {
	char *base;
	size_t used;
	size_t size;
	unsigned int n_blocks;
};

/**
 * arena_alloc - carve bytes out of an arena
 * @a: the arena
 * @len: how many bytes are needed
 *
 * Return: the memory, or NULL when no block could be allocated.
 */
void *arena_alloc(struct arena *a, size_t len);

/**
 * arena_strdup - copy a string into an arena
 * @a: the arena
 * @s: the string to copy
 */
char *arena_strdup(struct arena *a, const char *s);

#endif
