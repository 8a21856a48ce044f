//- /types.h
struct list_head { struct list_head *next, *prev; };

/**
 * container_of - cast a member of a structure out to the containing structure
 * @ptr: the pointer to the member.
 * @type: the type of the container struct this is embedded in.
 * @member: the name of the member within the struct.
 */
#define container_of(ptr, type, member) ((type *)(ptr))

#define list_entry(ptr, type, member) container_of(ptr, type, member)

struct inode {
	unsigned long i_ino;	/* inode number */
	int count;		/* inode use count */
	union {
		int i_pipe;	/* pipe state */
		int i_cdev;	/* char device */
	};
	struct {
		int lock;	/* protects the stats */
	} stats;
};

struct file {
	struct inode *f_inode;	/* cached inode */
	struct list_head f_list;	/* on the open-files list */
	int count;		/* file use count */
	int f_only;		/* a member only files have */
};

typedef struct file file_t;

struct super {
	int s_magic;		/* filesystem magic */
};

struct other {
	int s_magic;
};

struct inode *global_inode;	/* the root inode */
//- /use.c
#include "types.h"

int via_param(struct file *f)
{
	return f->f_inode->i_ino + f->count;
}

int via_local_and_typedef(void *p)
{
	file_t *f = p;
	struct inode *ino;

	ino = f->f_inode;
	return ino->count + global_inode->i_ino;
}

int via_cast_and_container(struct list_head *pos, void *v)
{
	struct file *f = container_of(pos, struct file, f_list);

	f->count = ((struct inode *)v)->count;
	return list_entry(pos, struct file, f_list)->count;
}

int nested(struct inode *inode)
{
	inode->stats.lock = inode->i_pipe;
	return inode->i_cdev;
}

int unknown_types(struct unknown *u)
{
	/* count is in struct inode and struct file: never glossed */
	/* f_only is in one struct only: glossed */
	return get_it()->count + get_it()->f_only + u->f_only;
}

int wrong_struct_never(struct other *o)
{
	/* s_magic is documented in struct super only; o is a struct other */
	return o->s_magic;
}
