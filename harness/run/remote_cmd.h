/*
 * Private to remote.c and remote_run.c: the argv that runs a command on one
 * host, under ssh (the words quoted into one remote shell string) or under the
 * --client-exec prefix (the words appended as they are).
 */
#ifndef RS_REMOTE_CMD_H
#define RS_REMOTE_CMD_H

#include <limits.h>

#include "sys/proc.h"
#include "remote.h"

#define REMOTE_ARGV_MAX 96

struct remote_argv {
	char *argv[REMOTE_ARGV_MAX];
	int n;
	char arg0[PATH_MAX];
	char timeout[32], port[16];
	char ctl[96];	/* ControlPath=DIR/%C */
	char cmd[4096]; /* ssh: the remote shell command */
};

/*
 * words (NULL-terminated) on h, or shell_cmd (a remote shell string; ssh
 * hosts only). -1 when it does not fit or the prefix's command is not found.
 */
int remote_argv(const struct remote_set *s, const struct remote_host *h, const char *const *words,
		const char *shell_cmd, struct remote_argv *a);

#endif
