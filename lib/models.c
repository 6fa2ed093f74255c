/*
 * The model table (models.h): one entry per I/O model a ringside server or a
 * peer offers, with its one-line help and its properties as flags.
 */
#include <stdio.h>
#include <string.h>

#include "models.h"

const struct model_info models_table[] = {
    {"blocking", "one thread per connection, blocking reads and writes", MODEL_ECHO | MODEL_PROXY},
    {"epoll", "one epoll loop per server CPU, non-blocking sockets",
     MODEL_ECHO | MODEL_PROXY | MODEL_ORIGIN},
    {"uring", "io_uring with multishot accept/recv and provided buffers", MODEL_ECHO | MODEL_PROXY},
    {"uring-sqpoll", "io_uring with a kernel SQPOLL thread (submission without syscalls)",
     MODEL_ECHO | MODEL_PROXY | MODEL_SQPOLL},
    {"uring-sqpoll-busy",
     "SQPOLL, and the loop busy-polls the completion queue (no syscalls; spins a CPU)",
     MODEL_ECHO | MODEL_SQPOLL | MODEL_CQ_BUSY_POLL | MODEL_OPT_IN},
    {"nginx",
     "nginx (Debian package): one worker per server CPU, upstream keepalive sized to the "
     "connections",
     MODEL_PROXY | MODEL_PEER},
    {"haproxy", "haproxy (Debian package): one thread per server CPU, http-reuse always",
     MODEL_PROXY | MODEL_PEER},
    {NULL, NULL, 0},
};

const struct model_info *models_find(const char *name)
{
	for (const struct model_info *m = models_table; m->name; m++)
		if (!strcmp(m->name, name))
			return m;
	return NULL;
}

const struct model_info *models_find_with(const char *name, unsigned all)
{
	const struct model_info *m = models_find(name);

	return m && (m->flags & all) == all ? m : NULL;
}

int models_join(unsigned all, unsigned none, const char *sep, char *buf, size_t len)
{
	size_t used = 0;
	int n = 0;

	if (len)
		buf[0] = '\0';
	for (const struct model_info *m = models_table; m->name; m++) {
		if ((m->flags & all) != all || (m->flags & none))
			continue;
		if (used < len) {
			int w = snprintf(buf + used, len - used, "%s%s", n ? sep : "", m->name);

			used += w > 0 ? (size_t)w : 0;
		}
		n++;
	}
	return n;
}
