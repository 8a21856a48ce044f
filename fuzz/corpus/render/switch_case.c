//- /sw.c
int classify(int c)
{
	int kind = 0;

	switch (c) {
	case 0:
		kind = 1;
		break;
	case 'a' ... 'z':
		kind = 2;
		/* fall through */
	case 1:
	case 2:
		kind = 3;
		break;
	default:
		if (c < 0)
			goto bad;
		break;
	}
	return kind;
bad:
	return -1;
}
