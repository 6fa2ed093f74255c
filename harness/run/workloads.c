/*
 * The workloads `ringside run --workload` knows: which binaries a cell spawns and
 * how the load generator talks to them. Proxy cells also run an origin; the proxy
 * workload's MODEL_PEER models (nginx, haproxy) are peers.c's, not ringside binaries.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "custom.h"
#include "models.h"
#include "workloads.h"

const struct rs_workload rs_workload_echo = {
    .name = "echo",
    .help = "echo server; the load generator sends --payload bytes and verifies the echo",
    .server_bin = "ringside-echo",
    .origin_bin = NULL,
    .load_mode = "echo",
    .size_opt = "--payload",
    .size_key = "payload_bytes",
    .model_flag = MODEL_ECHO,
};

const struct rs_workload rs_workload_proxy = {
    .name = "proxy",
    .help = "HTTP/1.1 reverse proxy in front of an origin serving --body bytes; the load "
	    "generator checks status and body length",
    .server_bin = "ringside-proxy",
    .origin_bin = "ringside-origin",
    .load_mode = "http",
    .size_opt = NULL, /* the origin sets the body size; the load generator expects it */
    .size_key = "body_bytes",
    .model_flag = MODEL_PROXY,
};

/* The --server models of this run (lib/models.c's table is static). */
static struct model_info custom_models[CUSTOM_MAX];
static char custom_names[CUSTOM_MAX][CUSTOM_NAME_MAX], custom_help[CUSTOM_MAX][160];
static int ncustom;

int workloads_model_add(const char *name, const char *help, unsigned flags)
{
	if (ncustom == CUSTOM_MAX)
		return -1;
	snprintf(custom_names[ncustom], sizeof(custom_names[0]), "%s", name);
	snprintf(custom_help[ncustom], sizeof(custom_help[0]), "%s", help);
	custom_models[ncustom] = (struct model_info){
	    .name = custom_names[ncustom], .help = custom_help[ncustom], .flags = flags};
	ncustom++;
	return 0;
}

const struct model_info *workloads_model_find(const char *name)
{
	const struct model_info *m = models_find(name);

	for (int i = 0; !m && i < ncustom; i++)
		if (!strcmp(custom_models[i].name, name))
			m = &custom_models[i];
	return m;
}

const struct model_info *workloads_model_find_with(const char *name, unsigned all)
{
	const struct model_info *m = workloads_model_find(name);

	return m && (m->flags & all) == all ? m : NULL;
}
