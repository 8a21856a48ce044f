#ifndef DEV_H
#define DEV_H

#define DEV_MAX	8	/* most devices <probed> at once */
#define DEV_NODOC	1

/**
 * struct device - one probed device
 * @name: the name shown to users
 * @id: a number unique among devices
 */
struct device {
	const char *name;
	int id;
	int refs;		/* how many users hold it */
};

/**
 * dev_get - take a reference to a device
 * @dev: the device
 */
void dev_get(struct device *dev);

#endif
