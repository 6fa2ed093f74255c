/*
 * nginx as a peer (peers.h): the reverse proxy of the proxy workload, or its
 * origin (--origin nginx). One worker per CPU of its set, pinned; upstream
 * keepalive sized to the connections so no client waits on a connect.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run/servers/peers.h"

/* nginx's worker_cpu_affinity: one mask per CPU of set, CPU n = '1' then n zeros. */
static void masks(const cpu_set_t *set, char *buf, size_t len)
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

/*
 * Sized for conns clients: each takes a client and an upstream connection in one
 * worker (worst case all in one), so 2 x conns + slack per worker.
 */
static void nginx_size(struct peer_conf *pc, unsigned long conns, bool origin)
{
	pc->keepalive = origin ? 0 : conns; /* an origin has no upstream */
	pc->worker_connections = 2 * conns + PEER_FD_SLACK;
	if (pc->worker_connections < 1024)
		pc->worker_connections = 1024;
	pc->worker_rlimit_nofile = pc->worker_connections + PEER_FD_SLACK;
}

/* The top of every nginx config: processes, pinning, files in the temp dir. */
static void head(FILE *f, const char *dir, const char *tag, const cpu_set_t *cpus,
		 const struct peer_conf *pc)
{
	char m[1024];

	masks(cpus, m, sizeof(m));
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
		CPU_COUNT(cpus), m, pc->worker_rlimit_nofile, dir, tag, dir, tag,
		pc->worker_connections, dir, tag, dir, tag, dir, tag, dir, tag, dir, tag);
}

static int write_proxy(const struct peer_env *e, unsigned port, unsigned upstream,
		       const struct peer_conf *pc, char *conf, size_t len)
{
	FILE *f = peer_open_conf(e->tmpdir, "nginx-proxy.conf", conf, len);

	if (!f)
		return -1;
	head(f, e->tmpdir, "nginx-proxy", &e->cpus, pc);
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

/* The origin's body: a file of exactly e->body_bytes bytes, served for every path. */
static int write_origin(const struct peer_env *e, unsigned port, const struct peer_conf *pc,
			char *conf, size_t len)
{
	char body[PATH_MAX];
	FILE *f;

	snprintf(body, sizeof(body), "%s/origin-www", e->tmpdir);
	if (mkdir(body, 0700) && errno != EEXIST)
		return -1;
	snprintf(body, sizeof(body), "%s/origin-www/body", e->tmpdir);
	f = fopen(body, "we");
	if (!f)
		return -1;
	for (unsigned long i = 0; i < e->body_bytes; i++)
		fputc('x', f);
	if (fclose(f))
		return -1;
	f = peer_open_conf(e->tmpdir, "nginx-origin.conf", conf, len);
	if (!f)
		return -1;
	head(f, e->tmpdir, "nginx-origin", &e->cpus, pc);
	fprintf(f,
		"  sendfile on;\n"
		"  server {\n"
		"    listen 127.0.0.1:%u backlog=4096;\n"
		"    root %s/origin-www;\n"
		"    location / { try_files /body =404; }\n"
		"  }\n"
		"}\n",
		port, e->tmpdir);
	return fclose(f);
}

static int nginx_write(const struct peer_env *e, bool origin, unsigned port, unsigned upstream,
		       const struct peer_conf *pc, char *conf, size_t len)
{
	return origin ? write_origin(e, port, pc, conf, len)
		      : write_proxy(e, port, upstream, pc, conf, len);
}

static void nginx_argv(const struct peer_env *e, bool origin, const char *bin, const char *conf,
		       struct peer_argv *a)
{
	snprintf(a->store, sizeof(a->store), "%s/nginx-%s.startup.log", e->tmpdir,
		 origin ? "origin" : "proxy");
	a->n = 0;
	a->argv[a->n++] = (char *)bin;
	a->argv[a->n++] = "-c";
	a->argv[a->n++] = (char *)conf;
	a->argv[a->n++] = "-p";
	a->argv[a->n++] = (char *)e->tmpdir;
	a->argv[a->n++] = "-e";
	a->argv[a->n++] = a->store;
	a->argv[a->n++] = "-g";
	a->argv[a->n++] = "daemon off;";
	a->argv[a->n] = NULL;
}

const struct peer_tool peer_nginx = {
    .name = "nginx",
    .serves_origin = true,
    .version = {.name = "nginx", .cmd = "nginx -v 2>&1", .after = "nginx/"},
    .size = nginx_size,
    .write = nginx_write,
    .argv = nginx_argv,
    .json = NULL, /* keepalive, worker_connections, worker_rlimit_nofile: peer_conf_json */
};
