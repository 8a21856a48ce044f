//! Which comment documents what (RENDERING.md §5a): trailing comments first
//! for macros and enum constants, headings document nothing, kernel-doc
//! wherever it stands beats plain comments, a call glosses with the doc its
//! callee's report shows, empty stubs lend nothing when a body exists,
//! one-star `/* name - summary` comments, comments that are only a path,
//! capitals of identifiers, docs that name their own symbol.
//- /include/flags.h
/* cloning flags: */
#define CSIGNAL		0x000000ff	/* signal mask to be sent at exit */
#define CLONE_VM	0x00000100	/* set if VM shared between processes */

/* Used in tsk->state: */
#define TASK_RUNNING		0x0000
#define TASK_INTERRUPTIBLE	0x0001

/* Epoll event masks */
#define EPOLLIN		0x00000001
#define EPOLLPRI	0x00000002

/* PAGE_SHIFT determines the page size */
#define PAGE_SHIFT	12

/* include/flags.h */
#define NO_DOC_AT_ALL	3

enum state {
	/* heading of the run: */
	ST_A,
	ST_B,	/* the b state */
};

/**
 * struct task - a task
 * @flags: the task's flags (kernel-doc)
 */
struct task {
	unsigned int flags;
	int prio;	/* trailing beats kernel-doc: the priority */
};

/* plain comment at the prototype */
int parse(int x);

/**
 * helper - kernel-doc at the prototype
 * @x: the input
 */
int helper(int x);

/* a plain comment at the prototype */
int both(int x);

#ifdef CONFIG_COUNT
void count_event(int item);
#else
/* Disable counters */
static inline void count_event(int item) { }
#endif

/* set_state() includes a barrier, so call it last */
void set_state(int s);
//- /lib/parse.c
#include <flags.h>

/* the definition's own plain comment */
int parse(int x)
{
	return x;
}

/* a plain comment at the definition */
int helper(int x)
{
	return x;
}

/* the definition's comment beats the prototype's */
int both(int x)
{
	return x;
}

void count_event(int item)
{
	helper(item);
}

void set_state(int s)
{
	both(s);
}
//- /arch/setup.c
/*
 * setup_arch - architecture-specific boot-time initializations
 *
 * Note: the blank line below does not stop this.
 */

void setup_arch(char **cmdline_p)
{
	int a = parse(1) + helper(2) + both(3);

	count_event(a);
	set_state(TASK_RUNNING);
}

int flags_of(struct task *t, int x)
{
	if (x & CSIGNAL)
		return EPOLLIN | ST_A | ST_B;
	return t->flags + t->prio + (x >> PAGE_SHIFT) + NO_DOC_AT_ALL;
}
