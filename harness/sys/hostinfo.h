/*
 * Facts about the host and its environment, for results.host and doctor.
 */
#ifndef RS_HOSTINFO_H
#define RS_HOSTINFO_H

#include <jansson.h>
#include <stdbool.h>

/*
 * How loopback TCP is processed here: { tcp_congestion_control, rps_cpus,
 * rps_flow_cnt, rps_sock_flow_entries } of lo's rx-0 (null where unreadable).
 * With RPS/RFS on lo a packet's receive processing moves to another CPU, so
 * who pays for it, client or server, differs between hosts that differ here.
 */
json_t *hostinfo_loopback_json(void);
/* How to read a tool's version: the first token starting with a digit after "after"
 * in the first line of cmd's output. */
struct hostinfo_tool {
	const char *name, *cmd, *after;
	bool drop_epoch; /* a Debian version: drop "1:" */
};

/* results.host; versions has ringside's libraries, wrk, and the tools in more
 * ({NULL}-terminated, e.g. peer_hostinfo_tools(); NULL for none). */
json_t *hostinfo_json(const struct hostinfo_tool *more);
/* The first line of `cmd` (run through /bin/sh, stderr merged), NULL if it fails. */
char *hostinfo_cmd_line(const char *cmd);
/* t's version, NULL when it is not installed. Caller frees. */
char *hostinfo_version(const struct hostinfo_tool *t);
/* The version of wrk, gnuplot, libbpf or a tool in more; NULL if none. Caller frees. */
char *hostinfo_tool_version(const char *tool, const struct hostinfo_tool *more);
const char *hostinfo_liburing_version(void);
/*
 * CONFIG_IRQ_TIME_ACCOUNTING of the running kernel, from /boot/config-RELEASE or
 * /proc/config.gz: 1 on, 0 off, -1 unknown. With it on, softirq work is charged
 * to no process, so only the per-core CPU figures include network processing.
 */
int hostinfo_irq_time_accounting(void);
/*
 * What sets the cost of a sleep and wake (docs/time.md): { driver, governor,
 * states: [names of cpu0's idle states], guest_halt_poll_ns (haltpoll's; null
 * without it) }, each null where unreadable.
 */
json_t *hostinfo_cpuidle_json(void);
/*
 * The hypervisor this runs under: its name (/sys/hypervisor/type, else CPUID's
 * vendor, e.g. "KVMKVMKVM"), "" on bare metal, NULL when it cannot tell.
 * Caller frees.
 */
char *hostinfo_hypervisor(void);
/* The value of a one-line file, trimmed; NULL if unreadable. Caller frees. */
char *hostinfo_read_line(const char *path);

#endif
