/*
 * The server kinds' table (server.h): which kind serves a model, the run fields
 * every kind writes, and the readiness handshake of ringside's own servers (fd 3
 * carries "ready PORT"; a child that exits first says why on its stderr).
 */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "models.h"
#include "opts.h"
#include "run/servers/server.h"

#define STOP_WAIT_MS 3000

/* A model's flag and the kind it names; a model with none of them is ours. */
static const struct {
	unsigned flag;
	const struct server_kind *kind;
} kinds[] = {
    {MODEL_PEER, &server_peer},
    {MODEL_CUSTOM, &server_command},
};

const struct server_kind *server_kind_of(const struct model_info *m)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (m->flags & kinds[i].flag)
			return kinds[i].kind;
	return &server_ours;
}

void server_kind_json(const struct run_state *st, json_t *run)
{
	json_object_set_new(run, "server_command", json_null());
	json_object_set_new(run, "server_config", json_null());
	json_object_set_new(run, "peer_config", json_null());
	if (st->kind && st->kind->json)
		st->kind->json(st, run);
}

/*
 * Waits for "ready PORT\n" on fd (bounded; polls the server's pidfd too).
 * Returns RUN_OK with *port set, or the outcome with st->reason filled in.
 */
static enum run_rc wait_ready(struct run_state *st, struct proc_child *p, int fd, unsigned *port)
{
	uint64_t deadline = now_ns() + (uint64_t)(st->o->timeout_s * 1e9);
	char line[128];
	size_t used = 0;

	for (int iter = 0; iter < 100000; iter++) {
		struct pollfd pf[2] = {{.fd = fd, .events = POLLIN},
				       {.fd = p->pidfd, .events = POLLIN}};
		uint64_t now = now_ns();
		char *nl;
		ssize_t n;

		if (run_interrupted)
			return RUN_INTERRUPTED;
		if (now >= deadline) {
			cell_fail(st, "%s did not become ready within %g s", p->name,
				  st->o->timeout_s);
			return RUN_FAILED;
		}
		if (poll(pf, 2, 100) <= 0)
			continue;
		if (pf[0].revents) {
			n = read(fd, line + used, sizeof(line) - 1 - used);
			if (n > 0) {
				used += n;
				line[used] = '\0';
				nl = strchr(line, '\n');
				if (nl && sscanf(line, "ready %u", port) == 1 && *port > 0)
					return RUN_OK;
				if (nl || used == sizeof(line) - 1) {
					cell_fail(st, "%s wrote a bad ready line", p->name);
					return RUN_FAILED;
				}
				continue;
			}
			/* EOF without the line: it is exiting; its status says why. */
			pf[1].revents = POLLIN;
		}
		if (pf[1].revents) {
			char how[96], last[200];

			proc_stop(p, STOP_WAIT_MS);
			proc_last_line(p->err_fd, last, sizeof(last));
			if (WIFEXITED(p->status) && WEXITSTATUS(p->status) == RS_EXIT_UNSUPPORTED) {
				cell_fail(st, "%s",
					  last[0] ? last : "the kernel refuses this model");
				return RUN_SKIPPED;
			}
			proc_describe(p->status, how, sizeof(how));
			cell_fail(st, "%s %s before it was ready%s%s", p->name, how,
				  last[0] ? ": " : "", last);
			return RUN_FAILED;
		}
	}
	cell_fail(st, "%s did not become ready", p->name);
	return RUN_FAILED;
}

enum run_rc server_spawn_ready(struct run_state *st, struct proc_child *p, const char *role,
			       char **argv, const cpu_set_t *cpus, unsigned *port)
{
	enum run_rc rc;
	int pfd[2];

	if (access(argv[0], X_OK)) {
		cell_fail(st, "cannot execute %.200s: %s", argv[0], strerror(errno));
		return RUN_FAILED;
	}
	if (pipe2(pfd, O_CLOEXEC)) {
		cell_fail(st, "pipe: %s", strerror(errno));
		return RUN_FAILED;
	}
	if (proc_spawn(p, role, argv, pfd[1], cpus)) {
		close(pfd[0]);
		close(pfd[1]);
		cell_fail(st, "cannot start the %s", role);
		return RUN_FAILED;
	}
	close(pfd[1]);
	rc = wait_ready(st, p, pfd[0], port);
	close(pfd[0]);
	return rc;
}
