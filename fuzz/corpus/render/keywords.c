//! langs: en zh
//- /kw.c
int every_keyword(int a, int b)
{
	int i;

	if (a == b && a != 0 || !b)
		return a;
	else if (a < b)
		a = b;
	else
		b = a;
	while (a > 0)
		a--;
	for (i = 0; i <= b; i++)
		continue;
	for (;;)
		break;
	do {
		a++;
	} while (a >= b);
	switch (a) {
	case 1:
		break;
	default:
		a = a ? b : 0;
	}
	a = b ?: 1;
	a = sizeof(int) + sizeof a;
	goto done;
done:
	return;
}
