/*
 * The peers ringside runs beside its own servers: nginx (reverse proxy or origin)
 * and haproxy (reverse proxy). Their configs go into the run's temporary
 * directory, sized for the cell's connections, with a copy in the result
 * directory's peers/; they run in the foreground, pinned like our servers, and
 * are ready once their port accepts a connection (they have no ready fd).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "peers.h"
#include "sys/port.h"
#include "sys/tool.h"
#include "custom.h"
#include "fsio.h"
#include "log.h"
#include "models.h"
#include "net.h"
#include "clock.h"
#include "opts.h"

/* Descriptors beyond two per client connection: listeners, logs, the odd file. */
#define PEER_FD_SLACK 256
/* haproxy keeps idle upstream connections until this share of its descriptors is used. */
#define PEER_POOL_LOW_FD_PCT  80
#define PEER_POOL_HIGH_FD_PCT 90

bool peer_is(const char *model)
{
	const struct model_info *m = models_find(model);

	return m && m->flags & MODEL_PEER;
}

/* nginx's worker_cpu_affinity: one mask per CPU of set, CPU n = '1' then n zeros. */
static void nginx_masks(const cpu_set_t *set, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int cpu = 0; cpu < CPU_SETSIZE && used + 2 < len; cpu++) {
		if (!CPU_ISSET(cpu, set))
			continue;
		if (used && used + 1 < len)
			buf[used++] = ' ';
		if (used + cpu + 2 >= len)
			break;
		buf[used++] = '1';
		for (int i = 0; i < cpu; i++)
			buf[used++] = '0';
		buf[used] = '\0';
	}
}

static FILE *open_conf(const char *dir, const char *name, char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s", dir, name);
	f = fopen(path, "we");
	if (!f)
		PLOG_ERR("cannot write %s", path);
	return f;
}

/*
 * nginx sized for conns clients: each takes a client and an upstream connection
 * in one worker (worst case all in one), so 2 x conns + slack per worker.
 */
static void nginx_size(struct peer_conf *pc, unsigned long conns)
{
	pc->tool = "nginx";
	pc->keepalive = conns;
	pc->worker_connections = 2 * conns + PEER_FD_SLACK;
	if (pc->worker_connections < 1024)
		pc->worker_connections = 1024;
	pc->worker_rlimit_nofile = pc->worker_connections + PEER_FD_SLACK;
}

/* The top of every nginx config: processes, pinning, files in the temp dir. */
static void nginx_head(FILE *f, const char *dir, const char *tag, const cpu_set_t *cpus,
		       const struct peer_conf *pc)
{
	char masks[1024];

	nginx_masks(cpus, masks, sizeof(masks));
	if (geteuid() == 0)
		fprintf(f, "user root root;\n"); /* workers read files in the 0700 temp dir */
	fprintf(f,
		"master_process on;\n"
		"worker_processes %d;\n"
		"worker_cpu_affinity %s;\n"
		"worker_rlimit_nofile %lu;\n"
		"pid %s/%s.pid;\n"
		"error_log %s/%s.error.log warn;\n"
		"events { worker_connections %lu; }\n"
		"http {\n"
		"  access_log off;\n"
		"  default_type application/octet-stream;\n"
		"  keepalive_requests 100000000;\n"
		"  keepalive_timeout 300s;\n"
		"  client_body_temp_path %s/%s-body;\n"
		"  proxy_temp_path %s/%s-proxy;\n"
		"  fastcgi_temp_path %s/%s-fastcgi;\n"
		"  uwsgi_temp_path %s/%s-uwsgi;\n"
		"  scgi_temp_path %s/%s-scgi;\n",
		CPU_COUNT(cpus), masks, pc->worker_rlimit_nofile, dir, tag, dir, tag,
		pc->worker_connections, dir, tag, dir, tag, dir, tag, dir, tag, dir, tag);
}

static int write_nginx_proxy(const char *dir, const struct run_opts *o, unsigned port,
			     unsigned upstream, const struct peer_conf *pc, char *conf, size_t len)
{
	FILE *f = open_conf(dir, "nginx-proxy.conf", conf, len);

	if (!f)
		return -1;
	nginx_head(f, dir, "nginx-proxy", &o->server_cpus, pc);
	/* keepalive is per worker: conns idle upstreams, so no client ever waits on a connect. */
	fprintf(f,
		"  upstream origin {\n"
		"    server 127.0.0.1:%u;\n"
		"    keepalive %lu;\n"
		"    keepalive_requests 100000000;\n"
		"  }\n"
		"  server {\n"
		"    listen 127.0.0.1:%u backlog=4096;\n"
		"    location / {\n"
		"      proxy_pass http://origin;\n"
		"      proxy_http_version 1.1;\n"
		"      proxy_set_header Connection \"\";\n"
		"    }\n"
		"  }\n"
		"}\n",
		upstream, pc->keepalive, port);
	return fclose(f);
}

/* The origin's body: a file of exactly o->size bytes, served for every path. */
static int write_nginx_origin(const char *dir, const struct run_opts *o, unsigned port,
			      const struct peer_conf *pc, char *conf, size_t len)
{
	char body[PATH_MAX];
	FILE *f;

	snprintf(body, sizeof(body), "%s/origin-www", dir);
	if (mkdir(body, 0700) && errno != EEXIST)
		return -1;
	snprintf(body, sizeof(body), "%s/origin-www/body", dir);
	f = fopen(body, "we");
	if (!f)
		return -1;
	for (unsigned long i = 0; i < o->size; i++)
		fputc('x', f);
	if (fclose(f))
		return -1;
	f = open_conf(dir, "nginx-origin.conf", conf, len);
	if (!f)
		return -1;
	nginx_head(f, dir, "nginx-origin", &o->origin_cpus, pc);
	fprintf(f,
		"  sendfile on;\n"
		"  server {\n"
		"    listen 127.0.0.1:%u backlog=4096;\n"
		"    root %s/origin-www;\n"
		"    location / { try_files /body =404; }\n"
		"  }\n"
		"}\n",
		port, dir);
	return fclose(f);
}

/*
 * haproxy sized for conns clients: maxconn (client connections) at least conns,
 * globally and on the frontend; the server line keeps its unlimited maxconn and
 * idle pool (pool-max-conn -1), so with http-reuse always each client keeps an
 * upstream connection. It refuses to start when 2 x maxconn
 * descriptors exceed the hard limit, so that caps it. Its idle pool also stops
 * at tune.pool-*-fd-ratio of those descriptors (20/25 % by default: a proxy at
 * 1,000 clients and maxconn 1,256 reconnected per request), so the config
 * raises those.
 */
static void haproxy_size(struct peer_conf *pc, unsigned long conns)
{
	struct rlimit rl = {0};

	pc->tool = "haproxy";
	pc->maxconn = 2 * conns + PEER_FD_SLACK;
	if (pc->maxconn < 1024)
		pc->maxconn = 1024;
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_max != RLIM_INFINITY &&
	    (rl.rlim_max - PEER_FD_SLACK) / 2 < pc->maxconn)
		pc->maxconn =
		    rl.rlim_max > 2 * PEER_FD_SLACK ? (rl.rlim_max - PEER_FD_SLACK) / 2 : 128;
}

static int write_haproxy(const char *dir, const struct run_opts *o, unsigned port,
			 unsigned upstream, const struct peer_conf *pc, char *conf, size_t len)
{
	FILE *f = open_conf(dir, "haproxy.conf", conf, len);
	int n = CPU_COUNT(&o->server_cpus), t = 1;

	if (!f)
		return -1;
	fprintf(f,
		"global\n"
		/* Never share a port silently with another SO_REUSEPORT listener. */
		"  noreuseport\n"
		"  nbthread %d\n"
		"  maxconn %lu\n"
		"  tune.pool-low-fd-ratio %d\n"
		"  tune.pool-high-fd-ratio %d\n",
		n, pc->maxconn, PEER_POOL_LOW_FD_PCT, PEER_POOL_HIGH_FD_PCT);
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &o->server_cpus))
			fprintf(f, "  cpu-map 1/%d %d\n", t++, cpu);
	fprintf(f,
		"defaults\n"
		"  mode http\n"
		"  timeout connect 5s\n"
		"  timeout client 60s\n"
		"  timeout server 60s\n"
		"  timeout http-keep-alive 60s\n"
		"  http-reuse always\n"
		"frontend fe\n"
		"  maxconn %lu\n"
		"  bind 127.0.0.1:%u\n"
		"  default_backend be\n"
		"backend be\n"
		"  server origin 127.0.0.1:%u\n",
		pc->maxconn, port, upstream);
	return fclose(f);
}

int peer_save_copy(const struct run_opts *o, const char *src, const char *rel)
{
	char dir[PATH_MAX], path[PATH_MAX + 128], buf[4096];
	struct fs_out out;
	FILE *in, *f;
	size_t n;

	if (!o->result_dir || !o->result_dir[0] || !strcmp(o->result_dir, "-"))
		return -1;
	snprintf(dir, sizeof(dir), "%s/peers", o->result_dir);
	if (fs_mkdir_p(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/%s", o->result_dir, rel);
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
static void save_conf(const struct run_opts *o, const char *conf, const char *tool,
		      const char *role, unsigned long conns, struct peer_conf *pc)
{
	snprintf(pc->file, sizeof(pc->file), "peers/%s-%s-c%lu.conf", tool, role, conns);
	if (peer_save_copy(o, conf, pc->file))
		pc->file[0] = '\0';
}

/*
 * The user's --peer-config template for tool, expanded for this cell into
 * o->tmpdir/TOOL-ROLE.conf; its sizes are unknown to ringside (0: null in the JSON).
 */
static int write_template(const struct custom_peer *t, const struct run_opts *o, const char *role,
			  unsigned port, unsigned upstream, struct peer_conf *pc, char *conf,
			  size_t len, char *why, size_t wlen)
{
	char cpus[256], name[64];
	struct custom_vars v = {.port = port,
				.host = "127.0.0.1",
				.cpus = cpus,
				.threads = CPU_COUNT(&o->server_cpus),
				.upstream_host = "127.0.0.1",
				.upstream_port = upstream,
				.tmpdir = o->tmpdir};
	char *text;
	FILE *f;
	int rc;

	format_cpu_list(&o->server_cpus, cpus, sizeof(cpus));
	*pc = (struct peer_conf){.tool = t->tool, .template_file = t->file};
	text = custom_expand(t->text, &v, why, wlen);
	if (!text)
		return -1;
	snprintf(name, sizeof(name), "%s-%s.conf", t->tool, role);
	f = open_conf(o->tmpdir, name, conf, len);
	rc = f ? 0 : -1;
	if (f) {
		fputs(text, f);
		rc = fclose(f);
	}
	if (rc)
		snprintf(why, wlen, "cannot write %s: %s", conf, strerror(errno));
	free(text);
	return rc;
}

int peer_start(struct proc_child *c, const char *name, const char *tool, const char *role,
	       const struct run_opts *o, unsigned long conns, unsigned upstream, unsigned *port,
	       struct peer_conf *pc_out, char *why, size_t len)
{
	bool origin = !strcmp(role, "origin");
	const cpu_set_t *cpus = origin ? &o->origin_cpus : &o->server_cpus;
	char bin[256], conf[PATH_MAX], errlog[PATH_MAX + 32];
	const struct custom_peer *tmpl = NULL;
	struct peer_conf pc = {0};
	char *argv[12];
	int n = 0, rc;

	if (tool_missing(tool, why, len))
		return -1;
	tool_find(tool, bin, sizeof(bin));
	if (port_pick_free("127.0.0.1", port)) {
		snprintf(why, len, "cannot find a free port: %s", strerror(errno));
		return -1;
	}
	if (!origin && (tmpl = run_peer_template(o, tool))) {
		if (write_template(tmpl, o, role, *port, upstream, &pc, conf, sizeof(conf), why,
				   len))
			return -1;
		rc = 0;
	} else if (!strcmp(tool, "haproxy")) {
		haproxy_size(&pc, conns);
		rc = write_haproxy(o->tmpdir, o, *port, upstream, &pc, conf, sizeof(conf));
	} else {
		nginx_size(&pc, conns);
		if (origin)
			pc.keepalive = 0; /* it has no upstream */
		rc = origin ? write_nginx_origin(o->tmpdir, o, *port, &pc, conf, sizeof(conf))
			    : write_nginx_proxy(o->tmpdir, o, *port, upstream, &pc, conf,
						sizeof(conf));
	}
	if (rc) {
		snprintf(why, len, "cannot write the %s config in %s: %s", tool, o->tmpdir,
			 strerror(errno));
		return -1;
	}
	save_conf(o, conf, tool, role, conns, &pc);
	if (pc_out)
		*pc_out = pc;
	argv[n++] = bin;
	if (!strcmp(tool, "haproxy")) {
		argv[n++] = "-f";
		argv[n++] = conf;
		argv[n++] = "-db"; /* foreground, one process, nbthread threads */
	} else {
		snprintf(errlog, sizeof(errlog), "%s/nginx-%s.startup.log", o->tmpdir, role);
		argv[n++] = "-c";
		argv[n++] = conf;
		argv[n++] = "-p";
		argv[n++] = (char *)o->tmpdir;
		argv[n++] = "-e";
		argv[n++] = errlog;
		argv[n++] = "-g";
		argv[n++] = "daemon off;";
	}
	argv[n] = NULL;
	if (proc_spawn(c, name, argv, -1, cpus)) {
		snprintf(why, len, "cannot start %s", tool);
		return -1;
	}
	if (port_wait(c, "127.0.0.1", *port, o->timeout_s, &run_interrupted, why, len)) {
		proc_stop(c, 1000);
		return -1;
	}
	return 0;
}
