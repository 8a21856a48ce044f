/* SPDX-License-Identifier: MIT */
#ifndef MINIKV_HASH_H
#define MINIKV_HASH_H

/**
 * hash_str - hash a string with FNV-1a
 * @s: the string
 *
 * Return: a 32-bit hash of @s.
 */
unsigned int hash_str(const char *s);

/**
 * hash_bucket - pick the bucket of a hash
 * @hash: the hash value
 * @n: number of buckets, a power of two
 */
#define hash_bucket(hash, n) ((hash) & ((n) - 1))

#endif
