//! Types through what macros expand to (RENDERING.md §4): `current` is
//! `get_current()`, `this_rq()` is `this_cpu_ptr(&runqueues)` where
//! `runqueues` is a per-CPU variable, a cast in a function-like macro, and
//! a macro whose definitions disagree on the type: its type is unknown, so
//! only a member name that one struct alone has is glossed.
//- /include/linux/sched.h
struct task_struct {
	char comm[16];		/* executable name, excluding path */
	int prio;		/* scheduling priority */
};
//- /arch/x86/include/asm/current.h
struct task_struct;

static inline struct task_struct *get_current(void)
{
	return 0;
}

#define current get_current()
//- /include/asm-generic/current.h
#define current get_current()
//- /kernel/sched/sched.h
struct rq {
	unsigned int nr_running;	/* runnable tasks on this queue */
};

#define this_rq()	this_cpu_ptr(&runqueues)
#define cpu_rq(cpu)	(&per_cpu(runqueues, (cpu)))
#define task_info(t)	((struct rq *)(t))

#ifdef CONFIG_A
#define odd (&runqueues)
#else
#define odd (get_current())
#endif
//- /kernel/sched/core.c
DEFINE_PER_CPU_SHARED_ALIGNED(struct rq, runqueues);

int use_current(void)
{
	return current->prio + this_rq()->nr_running + cpu_rq(0)->nr_running;
}

int use_cast(void *p)
{
	return task_info(p)->nr_running + odd->prio + odd->comm[0];
}
