/*
 * ringside-proxy: the TinyGate-style HTTP/1.1 reverse proxy in one of four I/O models
 * over one state machine (proxy.c). Options, routes and the model table live here,
 * and what every model does with a connection's sockets: open the upstream one,
 * allocate and free the connection.
 */
#include <getopt.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "log.h"
#include "models.h"
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
    "  --idle-timeout MS (above) for the proxy: in the epoll and uring models a request\n"
    "                           head must arrive WHOLE within MS of when the proxy began\n"
    "                           waiting for it (accept, or the previous response sent);\n"
    "                           a trickled head does not extend it (slowloris), body\n"
    "                           bytes do. The blocking model applies MS to each receive\n"
    "                           on the client (SO_RCVTIMEO): a client sending a byte\n"
    "                           more often than every MS keeps its thread; a silent one\n"
    "                           is closed.\n"
    "\nexamples:\n"
    "  ringside-proxy --model epoll --threads 1 --cpus 0 --upstream 127.0.0.1:8080\n"
    "  ringside-proxy --model uring --route a.test=127.0.0.1:8081 --route "
    "b.test=127.0.0.1:8082\n";

static const struct server_model *const models[] = {
    &proxy_blocking_model, &proxy_epoll_model, &proxy_uring_model, &proxy_uring_sqpoll_model, NULL,
};

static struct proxy_cfg cfg = {.upstream_timeout_ms = 10000};
static bool have_upstream;

/*
 * net_resolve() without its own message, so that a bad --upstream or --route is the
 * one line of usage_error(); 0 or a getaddrinfo error code.
 */
static int resolve(const char *host, unsigned port, struct proxy_upstream *u)
{
	struct addrinfo hints = {
	    .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
	struct addrinfo *res;
	char portstr[16];
	int err;

	snprintf(portstr, sizeof(portstr), "%u", port);
	err = getaddrinfo(host, portstr, &hints, &res);
	if (err)
		return err;
	memcpy(&u->addr, res->ai_addr, res->ai_addrlen);
	u->addrlen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static void add_upstream(const char *name, const char *hostport, const char *opt)
{
	struct proxy_upstream *u;
	char host[256];
	unsigned port;
	int err;

	if (cfg.nups >= PROXY_MAX_ROUTES)
		usage_error("at most %d upstreams", PROXY_MAX_ROUTES);
	u = &cfg.ups[cfg.nups];
	if (strlen(name) >= sizeof(u->host) || strlen(hostport) >= sizeof(u->addr_s) ||
	    parse_hostport(hostport, host, sizeof(host), &port))
		usage_error("--%s: '%s' is not HOST:PORT", opt, hostport);
	err = resolve(host, port, u);
	if (err)
		usage_error("--%s: cannot resolve '%s': %s", opt, host, gai_strerror(err));
	strcpy(u->host, name);
	strcpy(u->addr_s, hostport);
	cfg.nups++;
}

int proxy_upstream_socket(const struct proxy_upstream *u, bool nonblock)
{
	int fd = socket(u->addr.ss_family,
			SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);

	if (fd < 0)
		return -1;
	net_set_nodelay(fd);
	return fd;
}

struct proxy_conn *proxy_conn_new(const struct proxy_cfg *cfg, int cfd, uint64_t now)
{
	struct proxy_conn *c = malloc(sizeof(*c));

	if (c)
		proxy_conn_init(c, cfg, cfd, now);
	return c;
}

void proxy_conn_free(struct proxy_conn *c)
{
	close(c->cfd);
	if (c->ufd >= 0)
		close(c->ufd);
	free(c);
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
	const struct server_parse parse = {
	    .serves = MODEL_PROXY,
	    .longopts = proxy_longopts,
	    .extra = proxy_opt,
	    .ctx = &cfg,
	    .usage = proxy_usage,
	};
	const struct server_model *m;
	struct server_opts o;

	log_init(argv[0]);
	server_parse_opts(argc, argv, &o, &parse);
	if (have_upstream && cfg.routed)
		usage_error("use --upstream or --route, not both");
	if (!cfg.nups)
		usage_error("--upstream HOST:PORT (or --route) is required");
	m = server_find_model(models, o.model);
	if (!m) /* in the table but not built into this binary */
		usage_error("model '%s' is not built into %s", o.model, rs_prog);
	cfg.idle_timeout_ms = o.idle_timeout_ms;
	server_setup_process();
	return m->run(&o);
}
