/* SPDX-License-Identifier: MIT */
#ifndef MINIKV_LOG_H
#define MINIKV_LOG_H

/* how chatty the store is */
enum log_level {
	LOG_ERROR,	/* something failed */
	LOG_INFO,	/* normal progress */
	LOG_DEBUG,	/* everything */
};

extern enum log_level log_threshold;	/* messages above this are dropped */

/**
 * log_msg - print a message when its level is enabled
 * @level: how important the message is
 * @fmt: printf-style format
 */
void log_msg(enum log_level level, const char *fmt, ...);

#endif
