// SPDX-License-Identifier: MIT
#include "hash.h"

#define FNV_OFFSET	2166136261u	/* FNV-1a offset basis */
#define FNV_PRIME	16777619u	/* FNV-1a prime */

unsigned int hash_str(const char *s)
{
	unsigned int h = FNV_OFFSET;

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= FNV_PRIME;
	}
	return h;
}
