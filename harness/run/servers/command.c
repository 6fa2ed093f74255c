/*
 * A server the user brought (`ringside run --server NAME='COMMAND'`) as a cell's
 * server kind (server.h): a free port, a fresh {tmpdir}, its --server-config
 * expanded there (a copy in DIR/peers/), then /bin/sh -c 'exec COMMAND' pinned to
 * the server CPUs in its own process group, ready once the port accepts a TCP
 * connection; its workers are all its descendants, looked up at every snapshot.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "opts.h"
#include "run/custom.h"
#include "run/servers/server.h"
#include "sys/port.h"
#include "sys/ptree.h"

/* Bytes of an expanded config that go into run.server_config.text as well. */
#define CONFIG_TEXT_MAX 1024

/* {tmpdir}: NAME-cCONNS-rREP, "-probed" for the probed pass, fresh for every run. */
static int make_tmpdir(struct run_state *st, char *dir, size_t len)
{
	snprintf(dir, len, "%s/%s-c%lu-r%d%s", st->o->tmpdir, st->c->model, st->c->connections,
		 st->rep + 1, st->probed ? "-probed" : "");
	if (mkdir(dir, 0700) && errno != EEXIST) {
		cell_fail(st, "cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* Expands and writes the --server-config into dir/NAME.conf (path in conf). */
static int write_config(struct run_state *st, const struct custom_server *s,
			const struct custom_vars *v, const char *dir, char *conf, size_t len)
{
	char why[256];
	FILE *f;

	st->custom_config = custom_expand(s->config_tmpl, v, why, sizeof(why));
	if (!st->custom_config) {
		cell_fail(st, "--server-config %s: %s", s->name, why);
		return -1;
	}
	snprintf(conf, len, "%s/%s.conf", dir, s->name);
	f = fopen(conf, "we");
	/* fclose exactly once, whether fputs failed or not: a second one is undefined. */
	if (!f || (fputs(st->custom_config, f) < 0) | (fclose(f) != 0)) {
		cell_fail(st, "cannot write %s: %s", conf, strerror(errno));
		return -1;
	}
	snprintf(st->custom_config_file, sizeof(st->custom_config_file), "peers/%s-c%lu.conf",
		 s->name, st->c->connections);
	if (peer_save_copy(st->o->result_dir, conf, st->custom_config_file))
		st->custom_config_file[0] = '\0';
	return 0;
}

/* A --server may fork at any time (socat: one process per connection). */
static void command_workers(struct run_state *st)
{
	st->nworkers = ptree_descendants(st->server.pid, st->workers, RS_MAX_WORKERS);
}

static enum run_rc command_spawn(struct run_state *st)
{
	const struct run_opts *o = st->o;
	const struct custom_server *s = run_custom_server(o, st->c->model);
	const char *host = o->server_addr ? o->server_addr : "127.0.0.1";
	char cpus[256], dir[PATH_MAX], conf[PATH_MAX + 64], why[sizeof(st->reason)];
	struct custom_vars v = {.host = host, .cpus = cpus, .tmpdir = dir};
	char *argv[4], *line;

	if (!s) {
		cell_fail(st, "no --server %s", st->c->model);
		return RUN_FAILED;
	}
	if (port_pick_free(host, &st->port)) {
		cell_fail(st, "cannot find a free port on %s: %s", host, strerror(errno));
		return RUN_FAILED;
	}
	if (make_tmpdir(st, dir, sizeof(dir)))
		return RUN_FAILED;
	format_cpu_list(&o->server_cpus, cpus, sizeof(cpus));
	v.port = st->port;
	v.threads = CPU_COUNT(&o->server_cpus);
	if (st->c->workload->origin_bin) {
		v.upstream_host = "127.0.0.1";
		v.upstream_port = st->origin_port;
	}
	if (s->config_tmpl) {
		if (write_config(st, s, &v, dir, conf, sizeof(conf)))
			return RUN_FAILED;
		v.config = conf;
	}
	st->custom_command = custom_expand(s->command, &v, why, sizeof(why));
	if (!st->custom_command) {
		cell_fail(st, "--server %s: %s", s->name, why);
		return RUN_FAILED;
	}
	/* exec: the shell becomes the server, so its pid is the probes' target. */
	if (asprintf(&line, "exec %s", st->custom_command) < 0) {
		cell_fail(st, "out of memory");
		return RUN_FAILED;
	}
	argv[0] = "/bin/sh";
	argv[1] = "-c";
	argv[2] = line;
	argv[3] = NULL;
	if (proc_spawn(&st->server, "server", argv, -1, &o->server_cpus)) {
		free(line);
		cell_fail(st, "cannot start --server %s", s->name);
		return RUN_FAILED;
	}
	free(line);
	if (port_wait(&st->server, host, st->port, o->timeout_s, &run_interrupted, why,
		      sizeof(why))) {
		proc_stop(&st->server, 1000);
		cell_fail(st, "--server %s: %s", s->name, why);
		return run_interrupted ? RUN_INTERRUPTED : RUN_FAILED;
	}
	command_workers(st);
	return RUN_OK;
}

static void command_json(const struct run_state *st, json_t *run)
{
	if (st->custom_config)
		json_object_set_new(run, "server_config",
				    json_pack("{s:o,s:o}", "file",
					      st->custom_config_file[0]
						  ? json_string(st->custom_config_file)
						  : json_null(),
					      "text",
					      strlen(st->custom_config) <= CONFIG_TEXT_MAX
						  ? json_string(st->custom_config)
						  : json_null()));
	if (st->custom_command)
		json_object_set_new(run, "server_command", json_string(st->custom_command));
}

/* Stopped by our SIGTERM: the signal itself, or the shell's 128 + SIGTERM. */
static bool command_clean_exit(int status)
{
	return (WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) ||
	       (WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGTERM);
}

const struct server_kind server_command = {
    .name = "command",
    .spawn = command_spawn,
    .workers = command_workers,
    .clean_exit = command_clean_exit,
    .json = command_json,
};
