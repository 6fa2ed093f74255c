/*
 * Unit tests, no processes: the one ringside-load command line (run/load_cmd.c)
 * gives a local and a remote load generator the same warmup, threads and
 * workload options, differing only in --cpus and how the window is announced;
 * the peer tool table (run/servers/peers.c) knows nginx and haproxy and nothing
 * else (an unknown tool never takes nginx's row); peers size their configs for
 * the cell and write run.peer_config with every key of the schema.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "models.h"
#include "run/load_cmd.h"
#include "run/servers/peers.h"

/* run_opts has a run_interrupted beside it (options.c); the test links none of that. */
volatile sig_atomic_t run_interrupted;

static const char *opt(const struct load_cmd *lc, const char *name)
{
	for (int i = 0; lc->argv[i]; i++)
		if (!strcmp(lc->argv[i], name))
			return lc->argv[i + 1] ? lc->argv[i + 1] : "";
	return NULL;
}

static void test_load_cmd(void)
{
	struct run_opts o = {.duration_s = 2,
			     .warmup_s = 0.3,
			     .warmup_per_conn_s = 0.001,
			     .size = 64,
			     .depth = 1,
			     .churn = true};
	struct cell_spec c = {.workload = &rs_workload_echo, .model = "epoll", .connections = 400};
	struct load_cmd local, remote;

	CPU_ZERO(&o.client_cpus);
	CPU_SET(1, &o.client_cpus);
	CPU_SET(2, &o.client_cpus);
	CHECK(load_cmd_build(&local, &o, &c,
			     &(struct load_cmd_share){.bin = "/x/ringside-load",
						      .target = "127.0.0.1:9",
						      .conns = 400}) == 0);
	CHECK(load_cmd_build(&remote, &o, &c,
			     &(struct load_cmd_share){.bin = "/r/ringside-load",
						      .target = "10.0.0.1:9",
						      .conns = 200,
						      .remote = true}) == 0);
	/* 400 connections at 1 ms beat the suite's 0.3 s: both get 0.4. */
	CHECK(load_cmd_warmup_s(&o, &c) == 0.4);
	CHECKF(!strcmp(opt(&local, "--warmup"), "0.4") && !strcmp(opt(&remote, "--warmup"), "0.4"),
	       "warmup local %s remote %s", opt(&local, "--warmup"), opt(&remote, "--warmup"));
	/* One thread per client CPU, as config.load_threads records, for both. */
	CHECK(!strcmp(opt(&local, "--threads"), "2") && !strcmp(opt(&remote, "--threads"), "2"));
	CHECK(load_cmd_threads(&o, 1) == 1);
	o.load_threads = 8;
	CHECK(load_cmd_threads(&o, 400) == 8);
	CHECK(!strcmp(opt(&remote, "--connections"), "200"));
	CHECK(!strcmp(opt(&local, "--cpus"), "1-2") || !strcmp(opt(&local, "--cpus"), "1,2"));
	CHECK(opt(&remote, "--cpus") == NULL);
	CHECK(!strcmp(opt(&local, "--phase-fd"), "3") && !opt(&local, "--exit-on-stdin-eof"));
	CHECK(!strcmp(opt(&remote, "--phase-fd"), "1") && opt(&remote, "--exit-on-stdin-eof"));
	CHECK(opt(&local, "--new-connection-per-request") &&
	      opt(&remote, "--new-connection-per-request"));
	CHECK(!strcmp(opt(&local, "--payload"), "64") && !strcmp(opt(&remote, "--payload"), "64"));
	CHECK(!opt(&local, "--rate") && !opt(&local, "--depth"));
	/* HTTP: the body length every response must carry. */
	c.workload = &rs_workload_proxy;
	CHECK(load_cmd_build(&local, &o, &c,
			     &(struct load_cmd_share){
				 .bin = "b", .target = "t", .conns = 4, .rate = 1500.5}) == 0);
	CHECK(!strcmp(opt(&local, "--expect-body"), "64") &&
	      !strcmp(opt(&local, "--mode"), "http"));
	CHECK(strtod(opt(&local, "--rate"), NULL) == 1500.5);
}

static void test_peer_table(void)
{
	const struct hostinfo_tool *v = peer_hostinfo_tools();
	int n = 0;

	CHECK(peer_tool_find("nginx") == &peer_nginx);
	CHECK(peer_tool_find("haproxy") == &peer_haproxy);
	CHECK(peer_tool_find("caddy") == NULL);
	CHECK(peer_tool_find("epoll") == NULL);
	CHECK(peer_tool_find(NULL) == NULL);
	CHECK(peer_nginx.serves_origin && !peer_haproxy.serves_origin);
	/* Every peer is a MODEL_PEER row of the model table, and has a version command. */
	for (; v->name; v++, n++) {
		CHECKF(models_find_with(v->name, MODEL_PEER), "%s is no peer model", v->name);
		CHECK(v->cmd && v->after);
	}
	CHECK(n == 2);
}

static void test_peer_conf(void)
{
	struct peer_conf pc = {.tool = "nginx"};
	json_t *j;

	peer_nginx.size(&pc, 2000, false);
	CHECK(pc.keepalive == 2000 && pc.worker_connections == 2 * 2000 + PEER_FD_SLACK);
	CHECK(pc.worker_rlimit_nofile > pc.worker_connections);
	j = peer_conf_json(&pc);
	CHECK(json_integer_value(json_object_get(j, "keepalive")) == 2000);
	CHECK(json_is_null(json_object_get(j, "maxconn")) &&
	      json_is_null(json_object_get(j, "http_reuse")));
	CHECK(json_object_size(j) == 8);
	json_decref(j);
	pc = (struct peer_conf){.tool = "nginx"};
	peer_nginx.size(&pc, 10, true);
	CHECK(pc.keepalive == 0 && pc.worker_connections == 1024); /* an origin: no upstream */

	pc = (struct peer_conf){.tool = "haproxy"};
	peer_haproxy.size(&pc, 10, false);
	CHECK(pc.maxconn >= 128 && pc.keepalive == 0);
	j = peer_conf_json(&pc);
	CHECK(!strcmp(json_string_value(json_object_get(j, "http_reuse")), "always"));
	CHECK(json_is_null(json_object_get(j, "keepalive")));
	json_decref(j);
	/* A --peer-config template: ringside knows none of its settings. */
	pc = (struct peer_conf){.tool = "haproxy", .template_file = "my.cfg"};
	j = peer_conf_json(&pc);
	CHECK(json_is_null(json_object_get(j, "http_reuse")) &&
	      !strcmp(json_string_value(json_object_get(j, "template")), "my.cfg"));
	json_decref(j);
	pc = (struct peer_conf){0};
	j = peer_conf_json(&pc);
	CHECK(json_is_null(j));
	json_decref(j);
}

int main(void)
{
	test_load_cmd();
	test_peer_table();
	test_peer_conf();
	return check_exit();
}
