/*
 * The peer tool table and what every peer shares (peers.h): a free port, its
 * config (ringside's, sized for the cell, or the user's --peer-config template)
 * written into the run's temporary directory with a copy in the result
 * directory's peers/, the tool run in the foreground pinned like our servers,
 * ready once its port accepts a connection (peers have no ready fd).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/custom.h"
#include "fsio.h"
#include "log.h"
#include "opts.h"
#include "run/servers/peers.h"
#include "sys/port.h"
#include "sys/tool.h"

/* One row per peer: its file defines the peer_tool. */
static const struct peer_tool *const peer_tools[] = {&peer_nginx, &peer_haproxy};
#define NPEERS (sizeof(peer_tools) / sizeof(peer_tools[0]))

const struct peer_tool *peer_tool_find(const char *name)
{
	for (size_t i = 0; name && i < NPEERS; i++)
		if (!strcmp(peer_tools[i]->name, name))
			return peer_tools[i];
	return NULL;
}

const struct hostinfo_tool *peer_hostinfo_tools(void)
{
	static struct hostinfo_tool t[NPEERS + 1];

	for (size_t i = 0; i < NPEERS; i++)
		t[i] = peer_tools[i]->version;
	t[NPEERS] = (struct hostinfo_tool){0};
	return t;
}

FILE *peer_open_conf(const char *dir, const char *name, char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s", dir, name);
	f = fopen(path, "we");
	if (!f)
		PLOG_ERR("cannot write %s", path);
	return f;
}

int peer_save_copy(const char *result_dir, const char *src, const char *rel)
{
	char dir[PATH_MAX], path[PATH_MAX + 128], buf[4096];
	struct fs_out out;
	FILE *in, *f;
	size_t n;

	if (!result_dir || !result_dir[0] || !strcmp(result_dir, "-"))
		return -1;
	snprintf(dir, sizeof(dir), "%s/peers", result_dir);
	if (fs_mkdir_p(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/%s", result_dir, rel);
	in = fopen(src, "re");
	f = in ? fs_out_open(&out, path) : NULL;
	if (!f) {
		if (in)
			fclose(in);
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, f);
	fclose(in);
	return fs_out_commit(&out);
}

/* A copy of the config that ran at result_dir/peers/TOOL-ROLE-cCONNS.conf; pc->file names it. */
static void save_conf(const struct peer_env *e, const char *conf, const char *tool,
		      const char *role, unsigned long conns, struct peer_conf *pc)
{
	snprintf(pc->file, sizeof(pc->file), "peers/%s-%s-c%lu.conf", tool, role, conns);
	if (peer_save_copy(e->result_dir, conf, pc->file))
		pc->file[0] = '\0';
}

/*
 * The user's --peer-config template, expanded for this cell into
 * e->tmpdir/TOOL-ROLE.conf; its sizes are unknown to ringside (0: null in the JSON).
 */
static int write_template(const struct peer_env *e, const char *role, unsigned port,
			  unsigned upstream, struct peer_conf *pc, char *conf, size_t len,
			  char *why, size_t wlen)
{
	const struct custom_peer *t = e->tmpl;
	char cpus[256], name[64];
	struct custom_vars v = {.port = port,
				.host = "127.0.0.1",
				.cpus = cpus,
				.threads = CPU_COUNT(&e->cpus),
				.upstream_host = "127.0.0.1",
				.upstream_port = upstream,
				.tmpdir = e->tmpdir};
	char *text;
	FILE *f;
	int rc;

	format_cpu_list(&e->cpus, cpus, sizeof(cpus));
	pc->template_file = t->file;
	text = custom_expand(t->text, &v, why, wlen);
	if (!text)
		return -1;
	snprintf(name, sizeof(name), "%s-%s.conf", t->tool, role);
	f = peer_open_conf(e->tmpdir, name, conf, len);
	rc = f ? 0 : -1;
	/* fclose exactly once, whether fputs failed or not. */
	if (f && (fputs(text, f) == EOF) | (fclose(f) != 0))
		rc = -1;
	if (rc)
		snprintf(why, wlen, "cannot write %s: %s", conf, strerror(errno));
	free(text);
	return rc;
}

int peer_start(struct proc_child *c, const char *name, const char *tool, const char *role,
	       const struct peer_env *e, unsigned long conns, unsigned upstream, unsigned *port,
	       struct peer_conf *pc_out, char *why, size_t len)
{
	const struct peer_tool *t = peer_tool_find(tool);
	bool origin = !strcmp(role, "origin");
	char bin[256], conf[PATH_MAX];
	struct peer_conf pc = {0};
	struct peer_argv a = {0};

	if (!t) {
		snprintf(why, len, "%s is not a peer ringside knows", tool);
		return -1;
	}
	if (origin && !t->serves_origin) {
		snprintf(why, len, "%s cannot be the origin", tool);
		return -1;
	}
	if (tool_missing(tool, why, len))
		return -1;
	tool_find(tool, bin, sizeof(bin));
	if (port_pick_free("127.0.0.1", port)) {
		snprintf(why, len, "cannot find a free port: %s", strerror(errno));
		return -1;
	}
	pc.tool = t->name;
	if (!origin && e->tmpl) {
		if (write_template(e, role, *port, upstream, &pc, conf, sizeof(conf), why, len))
			return -1;
	} else {
		t->size(&pc, conns, origin);
		if (t->write(e, origin, *port, upstream, &pc, conf, sizeof(conf))) {
			snprintf(why, len, "cannot write the %s config in %s: %s", tool, e->tmpdir,
				 strerror(errno));
			return -1;
		}
	}
	save_conf(e, conf, tool, role, conns, &pc);
	if (pc_out)
		*pc_out = pc;
	t->argv(e, origin, bin, conf, &a);
	if (proc_spawn(c, name, a.argv, -1, &e->cpus)) {
		snprintf(why, len, "cannot start %s", tool);
		return -1;
	}
	if (port_wait(c, "127.0.0.1", *port, e->timeout_s, e->interrupted, why, len)) {
		proc_stop(c, 1000);
		return -1;
	}
	return 0;
}

static json_t *setting(unsigned long v)
{
	return v ? json_integer((json_int_t)v) : json_null();
}

json_t *peer_conf_json(const struct peer_conf *pc)
{
	const struct peer_tool *t = pc->tool ? peer_tool_find(pc->tool) : NULL;
	json_t *obj;

	if (!pc->tool)
		return json_null();
	/* Every key of the schema, null unless the tool's own row sets it. */
	obj =
	    json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "tool", pc->tool, "template",
		      pc->template_file ? json_string(pc->template_file) : json_null(), "file",
		      pc->file[0] ? json_string(pc->file) : json_null(), "keepalive",
		      setting(pc->keepalive), "worker_connections", setting(pc->worker_connections),
		      "worker_rlimit_nofile", setting(pc->worker_rlimit_nofile), "maxconn",
		      setting(pc->maxconn), "http_reuse", json_null());
	if (t && t->json && !pc->template_file)
		t->json(pc, obj);
	return obj;
}
