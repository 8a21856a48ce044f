//- /pp.c
int configured(int a)
{
	a++;
#ifdef CONFIG_FOO
	a = foo(a);
#else /* !CONFIG_FOO */
	a = bar(a);
#endif
#if defined(CONFIG_BAR) && \
    CONFIG_BAR > 2
	a--;
#endif
	asm volatile("nop"
		     ::: "memory");
	return a;
}
