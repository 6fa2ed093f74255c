/*
 * ringside-proxy: the TinyGate-style HTTP/1.1 reverse proxy in one of four I/O models
 * over one state machine (proxy.c). Options, routes and the model table live here.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "net.h"
#include "opts.h"
#include "proxy.h"

enum { OPT_UPSTREAM = 512, OPT_ROUTE, OPT_UPSTREAM_TIMEOUT };

static const struct option proxy_longopts[] = {
    {"upstream", required_argument, NULL, OPT_UPSTREAM},
    {"route", required_argument, NULL, OPT_ROUTE},
    {"upstream-timeout", required_argument, NULL, OPT_UPSTREAM_TIMEOUT},
    {NULL, 0, NULL, 0},
};

static const char proxy_usage[] =
    "\nproxy options:\n"
    "  --upstream HOST:PORT     forward every request there\n"
    "  --route NAME=HOST:PORT   forward requests whose Host is NAME there (repeatable;\n"
    "                           unknown hosts get 404; not with --upstream)\n"
    "  --upstream-timeout MS    answer 504 when the upstream is silent this long\n"
    "                           (default 10000)\n"
    "  The blocking model applies --idle-timeout as a receive timeout on the client.\n"
    "\nexamples:\n"
    "  ringside-proxy --model epoll --threads 1 --cpus 0 --upstream 127.0.0.1:8080\n"
    "  ringside-proxy --model uring --route a.test=127.0.0.1:8081 --route "
    "b.test=127.0.0.1:8082\n";

static const struct server_model *const models[] = {
    &proxy_blocking_model, &proxy_epoll_model, &proxy_uring_model, &proxy_uring_sqpoll_model, NULL,
};

static struct proxy_cfg cfg = {.upstream_timeout_ms = 10000};
static bool have_upstream;

static void add_upstream(const char *name, const char *hostport, const char *opt)
{
	struct proxy_upstream *u;
	char host[256];
	unsigned port;

	if (cfg.nups >= PROXY_MAX_ROUTES)
		usage_error("at most %d upstreams", PROXY_MAX_ROUTES);
	u = &cfg.ups[cfg.nups];
	if (strlen(name) >= sizeof(u->host) || strlen(hostport) >= sizeof(u->addr_s) ||
	    parse_hostport(hostport, host, sizeof(host), &port))
		usage_error("--%s: '%s' is not HOST:PORT", opt, hostport);
	if (net_resolve(host, port, &u->addr, &u->addrlen))
		usage_error("--%s: cannot resolve '%s'", opt, host);
	strcpy(u->host, name);
	strcpy(u->addr_s, hostport);
	cfg.nups++;
}

static int proxy_opt(int opt, const char *arg, void *ctx)
{
	char name[256];
	const char *eq;

	switch (opt) {
	case OPT_UPSTREAM:
		if (have_upstream)
			usage_error("--upstream given twice");
		have_upstream = true;
		add_upstream("", arg, "upstream");
		return 0;
	case OPT_ROUTE:
		eq = strchr(arg, '=');
		if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(name))
			usage_error("--route wants NAME=HOST:PORT, got '%s'", arg);
		memcpy(name, arg, eq - arg);
		name[eq - arg] = 0;
		for (unsigned i = 0; i < cfg.nups; i++)
			if (strcasecmp(cfg.ups[i].host, name) == 0)
				usage_error("--route: '%s' given twice", name);
		cfg.routed = true;
		add_upstream(name, eq + 1, "route");
		return 0;
	case OPT_UPSTREAM_TIMEOUT:
		cfg.upstream_timeout_ms = opt_uint("upstream-timeout", arg, 1, 3600000);
		return 0;
	}
	return -1;
}

int main(int argc, char **argv)
{
	const struct server_model *m;
	struct server_opts o;

	log_init(argv[0]);
	server_parse_opts(argc, argv, &o, proxy_longopts, proxy_opt, &cfg, proxy_usage);
	if (have_upstream && cfg.routed)
		usage_error("use --upstream or --route, not both");
	if (!cfg.nups)
		usage_error("--upstream HOST:PORT (or --route) is required");
	m = server_find_model(models, o.model);
	if (!m)
		usage_error("unknown model '%s' (blocking, epoll, uring, uring-sqpoll)", o.model);
	cfg.idle_timeout_ms = o.idle_timeout_ms;
	server_setup_process();
	return m->run(&o);
}
