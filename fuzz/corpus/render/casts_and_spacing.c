//- /ops.c
long ops(int a, char *p)
{
	long x = (long)a;

	x = -a + ~a * (a - 1) / 2 % 3;
	x <<= 2;
	x = *p + p[1] + *(char *)p;
	x = (unsigned long)&p[0];
	x = a++ + --a;
	return (x);
}
