//- /sys.c
/**
 * sys_dup2 - duplicate a file descriptor
 */
SYSCALL_DEFINE2(dup2, unsigned int, oldfd, unsigned int, newfd)
{
	return ksys_dup3(oldfd, newfd, 0);
}

SYSCALL_DEFINE0(getpid)
{
	return task_tgid_vnr(current);
}

static int __init __must_check annotated(char __user *buf)
{
	return 0;
}
