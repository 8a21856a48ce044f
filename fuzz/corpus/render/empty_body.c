//! langs: en zh
//- /empty.c
void nothing(void)
{
}

void only_decl(void)
{
	int unused;
	/* nothing else */
}
