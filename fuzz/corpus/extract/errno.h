/* SPDX-License-Identifier: MIT */
#ifndef MINIKV_ERRNO_H
#define MINIKV_ERRNO_H

#define ENOENT		2	/* No such key */
#define ENOMEM		12	/* Out of memory */
#define EEXIST		17	/* Key already exists */
#define EINVAL		22	/* Invalid argument */

#endif
