//- /pull.c
int pull(int a)
{
	if (a)
		return 1;
	else if (a > 2)
		a--;
	else
		goto out;
	if (a) {
		a++;
	} else {
		a--;
	}
	if (a)
		if (a > 1)
			a = 0;
	while (a)
		a--;
	for (;;)
		break;
	if (a)
		continue_work(a);
	else
		return 2;
out:
	return 0;
}
