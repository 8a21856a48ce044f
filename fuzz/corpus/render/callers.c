//- /a.c
static int helper(int x)
{
	return x + 1;
}

int entry_a(int x)
{
	return helper(x);
}
//- /b.c
/**
 * helper - the b.c helper
 * @y: input
 */
static int helper(int y)
{
	return y - 1;
}

static int b_open(int x)
{
	return x;
}

static const struct b_ops { int (*open)(int); } ops = {
	.open = b_open,
};

int entry_b(int y)
{
	register_cb(b_open);
	return helper(y) + unresolved_fn(y) + entry_a(y);
}
//- /inc/stub.h
#ifdef CONFIG_FEATURE
int feature(int x);
#else
static inline int feature(int x)
{
	return 0;
}
#endif
//- /feature.c
int feature(int x)
{
	return x * 2;
}

int calls_feature(int x)
{
	return feature(x);
}
