//- /api.h
/**
 * kzalloc - allocate zeroed memory
 * @size: how many bytes
 * @flags: the type of memory to allocate
 */
void *kzalloc(unsigned long size, unsigned int flags);

/**
 * printk - print a kernel message
 * @fmt: format string
 */
int printk(const char *fmt, ...);

/**
 * get_tick - read the tick counter
 */
unsigned long get_tick(void);

/**
 * clamp - keep a value within bounds
 * @val: the value
 * @lo: lowest allowed
 * @hi: highest allowed
 */
#define clamp(val, lo, hi) ((val) < (lo) ? (lo) : (val))

int undocumented(int x);
//- /use.c
#include "api.h"

int use(int n, int (*cb)(int))
{
	void *buf = kzalloc(n * 2, 0);

	printk("%d %d\n", n, get_tick());
	n = clamp(n, 0, undocumented(n));
	n = cb(n);
	return n;
}
