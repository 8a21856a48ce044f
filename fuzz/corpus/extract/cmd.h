/* SPDX-License-Identifier: MIT */
#ifndef MINIKV_CMD_H
#define MINIKV_CMD_H

#include "kv.h"

/**
 * struct cmd - one parsed command line
 * @op: the command letter: g(et), p(ut), d(elete), s(tats)
 * @key: the key argument
 * @value: the value argument (put only)
 */
struct cmd {
	char op;
	char *key;
	char *value;
};

/**
 * cmd_parse - split a line into a command
 * @line: the line, modified in place
 * @cmd: where the result goes
 *
 * Return: 0, or -EINVAL for a malformed line.
 */
int cmd_parse(char *line, struct cmd *cmd);

/**
 * cmd_run - execute one command against a store
 * @kv: the store
 * @cmd: the command
 */
int cmd_run(kv_store_t *kv, const struct cmd *cmd);

#endif
