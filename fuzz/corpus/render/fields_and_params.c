//- /timer.h
struct timer_list;

/**
 * setup_timer - prepare a timer for first use
 * @timer: the timer to set up
 * @fn: callback run when it expires
 * @flags: %TIMER_* flags
 */
void setup_timer(struct timer_list *timer, void (*fn)(struct timer_list *),
		 unsigned int flags);
//- /timer.c
#include "timer.h"

void setup_timer(struct timer_list *timer, void (*fn)(struct timer_list *),
		 unsigned int flags)
{
	timer_init(timer, fn, flags);
}

static unsigned long __must_check jiffies_left(void)
{
	return 0;
}

const char *name_of(const char __user *buf, int n, ...)
{
	return buf;
}
