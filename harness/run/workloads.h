/*
 * The workloads `ringside run` knows: which binaries a cell spawns and how the
 * load generator talks to them (workloads.c). Their models are the entries of
 * lib/models.h that carry the workload's flag.
 */
#ifndef RS_WORKLOADS_H
#define RS_WORKLOADS_H

#define RS_MAX_MODELS 8
#define RS_MAX_CONNS  16

/* A workload: which binaries a cell spawns and how the load generator talks to them. */
struct rs_workload {
	const char *name;	/* "echo" | "proxy" */
	const char *help;	/* one line, for `ringside list` */
	const char *server_bin; /* next to the ringside binary */
	const char *origin_bin; /* NULL when the workload has no origin */
	const char *load_mode;	/* ringside-load --mode */
	const char *size_opt;	/* ringside-load option for the message size */
	const char *size_key;	/* results key: payload_bytes | body_bytes */
	unsigned model_flag;	/* MODEL_ECHO | MODEL_PROXY: the models it has */
};

extern const struct rs_workload rs_workload_echo, rs_workload_proxy;

#endif
