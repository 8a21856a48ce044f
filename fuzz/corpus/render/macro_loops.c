//- /list.h
struct list_head { struct list_head *next, *prev; };

/**
 * list_for_each_entry - iterate over list of given type
 * @pos: the type * to use as a loop cursor.
 * @head: the head for your list.
 * @member: the name of the list_head within the struct.
 */
#define list_for_each_entry(pos, head, member) for (;;)

#define for_each_cpu(cpu, mask) for (;;)
#define my_loop(x) for (;;)
//- /loops.c
#include "list.h"

struct item {
	struct list_head node;
	int value;	/* the stored value */
};

int sum(struct list_head *head)
{
	struct item *it;
	int cpu, total = 0;

	list_for_each_entry(it, head, node) {
		total += it->value;
	}
	list_for_each_entry(it, head, node)
		if (it->value)
			total--;
	for_each_cpu(cpu, head)
		flush(cpu);
	my_loop(total) {
		total--;
	}
	do {
		total++;
	} for_each_cpu(cpu, head);
	return total;
}
