// SPDX-License-Identifier: MIT
/*
 * minikv: a tiny in-memory key-value store read from standard input.
 * An example tree for cgloss; it compiles with `cc *.c`.
 */
#include <stdio.h>

#include "cmd.h"
#include "log.h"

static kv_store_t store;	/* the one store of the program */

int main(int argc, char **argv)
{
	char line[512];
	struct cmd cmd;
	unsigned long n = 0;

	if (argc > 1)
		log_threshold = LOG_DEBUG;
	kv_init(&store);
	while (fgets(line, sizeof(line), stdin)) {
		n++;
		if (cmd_parse(line, &cmd) < 0)
			continue;
		if (cmd_run(&store, &cmd) < 0)
			log_msg(LOG_ERROR, "line %lu failed\n", n);
	}
	log_msg(LOG_INFO, "%lu lines, %lu keys\n", n, store.n_entries);
	return 0;
}
