/*
 * The workloads `ringside run --workload` knows: which binaries a cell spawns and
 * how the load generator talks to them. Proxy cells also run an origin; the proxy
 * workload's MODEL_PEER models (nginx, haproxy) are peers.c's, not ringside binaries.
 */
#include <stddef.h>

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
