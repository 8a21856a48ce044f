//! A .c file calls its own definition of a function (mm/mmap.c's grow, not
//! mm/nommu.c's better documented one, which gets no caller from mmap.c); a
//! header's own definition (a wrapper of the documented one) does not hide
//! the others; nor does a __weak one (x86's arch_idle replaces it). An
//! undocumented global definition borrows the kernel-doc of another one of
//! the name (SLUB's kfree, SLAB's doc), never its plain comment (grow).
//- /include/linux/mm.h
#define MM_H

/* Generic grow, up or down */
extern int grow(int by);

static inline int mylen(const char *p)
{
	return __builtin_strlen(p);
}

static inline int header_user(const char *p)
{
	return mylen(p);
}
//- /lib/string.c
/**
 * mylen - find the length of a string
 * @p: the string
 */
int mylen(const char *p)
{
	return 0;
}
//- /mm/mmap.c
#include <linux/mm.h>

int grow(int by)
{
	return by;
}

int mmap_user(int n)
{
	return grow(n);
}
//- /mm/nommu.c
#include <linux/mm.h>

/*
 * grow the stack
 * - not supported under NOMMU conditions
 */
int grow(int by)
{
	return -1;
}
//- /kernel/idle.c
void __weak arch_idle(void)
{
	cpu_relax();
}

void idle_call(void)
{
	arch_idle();
}
//- /arch/x86/process.c
int x86_idle_flag;

/*
 * Called from the generic idle code.
 */
void arch_idle(void)
{
	halt();
}
//- /mm/slab.c
int slab_flag;

/**
 * kfree - free previously allocated memory
 * @objp: pointer returned by kmalloc.
 */
void kfree(const void *objp)
{
	slab_free(objp);
}
//- /mm/slub.c
void kfree(const void *x)
{
	slub_free(x);
}

void slub_user(void *p)
{
	kfree(p);
}
