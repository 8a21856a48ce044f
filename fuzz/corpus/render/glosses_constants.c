//- /include/errno-base.h
#define ENOMEM		12	/* Out of memory */
#define EINVAL		22	/* Invalid argument */
//- /include/consts.h
#define MAX_ITEMS	64	/* The largest table we accept */
#define NO_DOC		1

enum color {
	RED,		/* the colour of stop */
	/* the colour of go */
	GREEN,
	BLUE,
};

struct ops {
	int (*open)(int);	/* current function */
	int flags;
};
//- /c.c
#include "consts.h"

int check(int n)
{
	static struct ops o = { .open = 0, .flags = MAX_ITEMS };
	int c = GREEN;

	if (n > MAX_ITEMS)
		return -EINVAL;
	if (n == NO_DOC)
		return -ENOMEM;
	return RED + BLUE + c;
}
