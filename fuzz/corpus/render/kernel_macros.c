//- /include/mutex.h
struct mutex {
	long owner;		/* the task holding the lock */
};

struct list_head {
	struct list_head *next;	/* the following entry */
	struct list_head *prev;
};

struct wait_queue_entry {
	unsigned int flags;	/* WQ_FLAG_* bits */
};
//- /k.c
#include "mutex.h"

static DEFINE_MUTEX(big_lock);
LIST_HEAD(all_items);

int kernel_macros(void)
{
	DEFINE_WAIT(wait);
	LIST_HEAD(local);

	wait.flags = 0;
	local.next = all_items.next;
	return big_lock.owner;
}
