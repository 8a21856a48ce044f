//- /broken.c
int survives(int a)
{
	a = 1;
	a = ) 2 +;
	return a;
}

int next_one(int b)
{
	return b;
}
