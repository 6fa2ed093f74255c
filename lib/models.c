/*
 * The model table (models.h): one entry per I/O model a ringside server or a
 * peer offers, with its one-line help and its properties as flags.
 */
#include <stdio.h>
#include <string.h>

#include "models.h"

const struct model_info models_table[] = {
    {"blocking", "one thread per connection, blocking reads and writes", MODEL_ECHO | MODEL_PROXY,
     "blocking", "#444444"},
    {"epoll", "one epoll loop per server CPU, non-blocking sockets",
     MODEL_ECHO | MODEL_PROXY | MODEL_ORIGIN, "epoll", "#1f77b4"},
    {"uring", "io_uring with multishot accept/recv and provided buffers", MODEL_ECHO | MODEL_PROXY,
     "io_uring", "#2ca02c"},
    {"uring-sqpoll", "io_uring with a kernel SQPOLL thread (submission without syscalls)",
     MODEL_ECHO | MODEL_PROXY | MODEL_SQPOLL, "io_uring+SQPOLL", "#d62728"},
    {"uring-sqpoll-busy",
     "SQPOLL, and the loop busy-polls the completion queue (no syscalls; spins a CPU)",
     MODEL_ECHO | MODEL_SQPOLL | MODEL_CQ_BUSY_POLL | MODEL_OPT_IN, "io_uring+SQPOLL+busy CQ",
     "#e377c2"},
    {"nginx",
     "nginx (Debian package): one worker per server CPU, upstream keepalive sized to the "
     "connections",
     MODEL_PROXY | MODEL_PEER, "nginx", "#9467bd"},
    {"haproxy", "haproxy (Debian package): one thread per server CPU, http-reuse always",
     MODEL_PROXY | MODEL_PEER, "haproxy", "#ff7f0e"},
    {NULL, NULL, 0, NULL, NULL},
};

const struct model_info *models_find(const char *name)
{
	for (const struct model_info *m = models_table; m->name; m++)
		if (!strcmp(m->name, name))
			return m;
	return NULL;
}

int models_rank(const char *name)
{
	const struct model_info *m = models_find(name);

	return m ? (int)(m - models_table) : -1;
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
