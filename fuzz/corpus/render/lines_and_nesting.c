//- /lines.c
int compute(int a, int b)
{
	int x, y = 1, z = 2;
	struct pair *p = NULL, *q;

	/* a comment, dropped */
	x = a +
	    b *
	    (y - z);
	{
		int inner = x;
		inner++;
	}
	// another comment
	return x;
}
