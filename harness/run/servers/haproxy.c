/*
 * haproxy as a peer (peers.h): the reverse proxy of the proxy workload, one
 * process with one thread per server CPU (cpu-map), http-reuse always, its
 * connection limits sized to the cell within the descriptor limit.
 */
#include <stdio.h>
#include <sys/resource.h>

#include "run/servers/peers.h"

/* haproxy keeps idle upstream connections until this share of its descriptors is used. */
#define POOL_LOW_FD_PCT	 80
#define POOL_HIGH_FD_PCT 90

/*
 * Sized for conns clients: maxconn (client connections) at least conns, globally
 * and on the frontend; the server line keeps its unlimited maxconn and idle pool
 * (pool-max-conn -1), so with http-reuse always each client keeps an upstream
 * connection. It refuses to start when 2 x maxconn descriptors exceed the hard
 * limit, so that caps it. Its idle pool also stops at tune.pool-*-fd-ratio of
 * those descriptors (20/25 % by default: a proxy at 1,000 clients and maxconn
 * 1,256 reconnected per request), so the config raises those.
 */
static void haproxy_size(struct peer_conf *pc, unsigned long conns, bool origin)
{
	struct rlimit rl = {0};

	(void)origin;
	pc->maxconn = 2 * conns + PEER_FD_SLACK;
	if (pc->maxconn < 1024)
		pc->maxconn = 1024;
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_max != RLIM_INFINITY &&
	    (rl.rlim_max - PEER_FD_SLACK) / 2 < pc->maxconn)
		pc->maxconn =
		    rl.rlim_max > 2 * PEER_FD_SLACK ? (rl.rlim_max - PEER_FD_SLACK) / 2 : 128;
}

static int haproxy_write(const struct peer_env *e, bool origin, unsigned port, unsigned upstream,
			 const struct peer_conf *pc, char *conf, size_t len)
{
	FILE *f = peer_open_conf(e->tmpdir, "haproxy.conf", conf, len);
	int n = CPU_COUNT(&e->cpus), t = 1;

	(void)origin;
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
		n, pc->maxconn, POOL_LOW_FD_PCT, POOL_HIGH_FD_PCT);
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &e->cpus))
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

static void haproxy_argv(const struct peer_env *e, bool origin, const char *bin, const char *conf,
			 struct peer_argv *a)
{
	(void)e;
	(void)origin;
	a->n = 0;
	a->argv[a->n++] = (char *)bin;
	a->argv[a->n++] = "-f";
	a->argv[a->n++] = (char *)conf;
	a->argv[a->n++] = "-db"; /* foreground, one process, nbthread threads */
	a->argv[a->n] = NULL;
}

static void haproxy_json(const struct peer_conf *pc, json_t *obj)
{
	(void)pc;
	json_object_set_new(obj, "http_reuse", json_string("always"));
}

const struct peer_tool peer_haproxy = {
    .name = "haproxy",
    .serves_origin = false,
    .version = {.name = "haproxy", .cmd = "haproxy -v 2>&1", .after = "version "},
    .size = haproxy_size,
    .write = haproxy_write,
    .argv = haproxy_argv,
    .json = haproxy_json,
};
