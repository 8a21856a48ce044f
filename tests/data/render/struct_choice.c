//! Which definition of a struct tag a member access uses (RENDERING.md §4,
//! Index::choose_record): the same file's; those having every member the
//! function accesses; never a userspace-only one when another exists; the
//! file's own #includes; and nothing at all when the rest disagree.
//- /include/linux/slab_def.h
struct kmem_cache {
	unsigned int batchcount;	/* SLAB: objects per transfer */
	const char *name;		/* SLAB: cache creation/removal */
	int colour;			/* SLAB: cache colouring range */
};
//- /include/linux/slub_def.h
struct kmem_cache {
	struct kmem_cache_cpu *cpu_slab;	/* SLUB: per-cpu slabs */
	unsigned long min_partial;	/* SLUB: partial slabs to keep */
	const char *name;		/* SLUB: name (only for display!) */
	int size;			/* SLUB: object size with metadata */
};
//- /mm/slub.c
#include <linux/slub_def.h>

/* uses cpu_slab, which only SLUB's struct has: every access is SLUB's */
int slub_user(struct kmem_cache *s)
{
	s->min_partial = 5;
	return s->cpu_slab != 0 && s->name != 0;
}

/* name alone: both definitions have it; this file includes SLUB's */
const char *name_only(struct kmem_cache *s)
{
	return s->name;
}
//- /mm/common.c
/* name alone, and no include to tell: the docs differ, so no gloss */
const char *common_name(struct kmem_cache *s)
{
	return s->name;
}
//- /include/linux/conf.h
#ifdef CONFIG_WIDE
struct conf {
	long width;	/* width in wide mode */
	long only_wide;	/* exists in wide mode only */
};
#else
struct conf {
	int width;	/* width in narrow mode */
};
#endif
//- /conf.c
#include <linux/conf.h>

int conf_width(struct conf *c)
{
	/* #ifdef alternatives disagree on width, nothing tells them apart */
	return c->width;
}
//- /conf_wide.c
#include <linux/conf.h>

long conf_wide(struct conf *c)
{
	/* only_wide picks the wide one, so width is glossed from it too */
	return c->width + c->only_wide;
}

long conf_width_too(struct conf *c)
{
	/* this file uses only_wide elsewhere: it is built with CONFIG_WIDE */
	return c->width;
}
//- /include/uapi/asm/sig.h
#ifndef __KERNEL__
struct sigact {
	void *handler;	/* userspace: the handler */
	unsigned long mask;	/* userspace: blocked signals */
};
#endif
//- /include/linux/sig.h
struct sigact {
	void *handler;	/* kernel: the handler */
	unsigned long mask;	/* kernel: signals blocked while it runs */
};
//- /kernel/signal.c
#include <linux/sig.h>

unsigned long sig_mask(struct sigact *act)
{
	/* the userspace-only uapi variant is never the one */
	return act->mask;
}
//- /drivers/local.h
struct item {
	int id;	/* header: the id */
};
//- /drivers/local.c
struct item {
	int id;	/* this file's own struct item */
};

int item_id(struct item *it)
{
	/* the same file's definition wins */
	return it->id;
}
//- /drivers/other.c
#include "local.h"

int other_id(struct item *it)
{
	/* the header this file includes wins over another file's */
	return it->id;
}
