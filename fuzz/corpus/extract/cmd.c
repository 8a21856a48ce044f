// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "errno.h"
#include "log.h"

/* skip blanks, return the first other character */
static char *skip_space(char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

int cmd_parse(char *line, struct cmd *cmd)
{
	char *p = skip_space(line);

	memset(cmd, 0, sizeof(*cmd));
	cmd->op = *p++;
	p = skip_space(p);
	cmd->key = p;
	p = strchr(p, ' ');
	if (p) {
		*p++ = '\0';
		cmd->value = skip_space(p);
		p = strchr(cmd->value, '\n');
		if (p)
			*p = '\0';
	} else if ((p = strchr(cmd->key, '\n'))) {
		*p = '\0';
	}
	return cmd->op ? 0 : -EINVAL;
}

int cmd_run(kv_store_t *kv, const struct cmd *cmd)
{
	const char *value;
	int err = 0;

	switch (cmd->op) {
	case 'g':
		value = kv_get(kv, cmd->key);
		printf("%s\n", value ?: "(none)");
		break;
	case 'p':
		if (!cmd->value) {
			err = -EINVAL;
			break;
		}
		err = kv_put(kv, cmd->key, cmd->value);
		break;
	case 'd':
		err = kv_del(kv, cmd->key);
		break;
	case 's':
		printf("%lu keys, %lu hits, %lu misses\n", kv->n_entries,
		       kv->stats.hits, kv->stats.misses);
		break;
	default:
		log_msg(LOG_ERROR, "unknown command %c\n", cmd->op);
		err = -EINVAL;
	}
	return err;
}
