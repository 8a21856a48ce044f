//- /hdr.h
/*
 * hdr.h - a header whose first comment is the file header
 */
int first_after_header(void);

/**
 * borrowed() - documented at the prototype only
 * @x: the input
 *
 * Longer description that the summary does not include.
 */
int borrowed(int x);

int lends(int y);

/* first of a run */
#define RUN_A	1
#define RUN_B	2

#ifdef CONFIG_X
#define AFTER_IF	3
#else /* CONFIG_X */
#define AFTER_ELSE	4
#endif

struct rec {
	/* leading comment */
	int lead;
	int trail;	/* trailing comment
			 * that continues */
	int bare;
};
//- /impl.c
// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2020 Someone
 */
int first_after_copyright(void)
{
	return 0;
}

int borrowed(int x)
{
	return x;
}

/**
 * lends - documented at the definition
 * @y: the value
 */
int lends(int y)
{
	return y;
}

/* a plain comment right above */
int plain_doc(struct rec *r)
{
	r->lead = borrowed(RUN_A);
	r->trail = lends(RUN_B);
	r->bare = AFTER_IF + AFTER_ELSE;
	return first_after_header();
}

/* not directly above */

int gap_doc(void)
{
	return 0;
}
