/*
 * The workloads `ringside run --workload` knows: which binaries a cell spawns,
 * how the load generator talks to them, and their models. Proxy cells also run
 * an origin; "nginx" and "haproxy" are peers (peers.c), not ringside binaries.
 */
#include <stddef.h>

#include "models.h"

static const char *const echo_models[] = {"blocking",	       "epoll", "uring", "uring-sqpoll",
					  "uring-sqpoll-busy", NULL};
static const char *const echo_model_help[] = {
    "one thread per connection, blocking read/write",
    "one epoll loop per server CPU, non-blocking sockets",
    "io_uring with multishot accept/recv and provided buffers",
    "io_uring with a kernel SQPOLL thread (submission without syscalls)",
    "SQPOLL, and the loop busy-polls the completion queue (no syscalls; spins a CPU)",
};

const struct rs_workload rs_workload_echo = {
    .name = "echo",
    .server_bin = "ringside-echo",
    .origin_bin = NULL,
    .load_mode = "echo",
    .size_opt = "--payload",
    .size_key = "payload_bytes",
    .models = echo_models,
    .model_help = echo_model_help,
};

static const char *const proxy_models[] = {"blocking", "epoll",	  "uring", "uring-sqpoll",
					   "nginx",    "haproxy", NULL};
static const char *const proxy_model_help[] = {
    "one thread per client connection, blocking reads and writes",
    "one epoll loop per server CPU, non-blocking sockets",
    "io_uring with multishot accept/recv and provided buffers",
    "io_uring with a kernel SQPOLL thread (submission without syscalls)",
    "nginx (Debian package): one worker per server CPU, keepalive 64 upstream",
    "haproxy (Debian package): one thread per server CPU, http-reuse always",
};

const struct rs_workload rs_workload_proxy = {
    .name = "proxy",
    .server_bin = "ringside-proxy",
    .origin_bin = "ringside-origin",
    .load_mode = "http",
    .size_opt = NULL, /* the origin sets the body size; the load generator expects it */
    .size_key = "body_bytes",
    .models = proxy_models,
    .model_help = proxy_model_help,
};
