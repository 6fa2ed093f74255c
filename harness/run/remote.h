/*
 * Load generators on other hosts (remote.c): `--client-exec PREFIX` runs
 * ringside-load under a command prefix (ssh -T host, ip netns exec ns1, a
 * container exec); `--client-host [USER@]HOST[:PORT]` is its OpenSSH shorthand.
 *
 * Design:
 *  - A remote load generator reports its window on stdout (`--phase-fd 1`: the
 *    "start" and "stop" lines come before its JSON), since ssh carries no fd 3.
 *    The cell's window is the stretch in which all hosts measure: the server is
 *    snapshotted at the LAST "start" and the FIRST "stop" (remote_hooks.phase).
 *  - Each host prints its histogram's bucket counts (hist_json.h); the cell's
 *    percentiles come from their exact merge (hist_merge), never from averaging.
 *    requests_per_sec is the sum of each host's requests / its own window (the
 *    rate all hosts together offer while all of them measure); window_requests is
 *    that rate times the common window, the denominator for the server's
 *    per-request figures, which cover only the common window.
 *  - Nothing outlives the harness: each load generator runs with
 *    --exit-on-stdin-eof, its stdin a pipe that only we hold, so when ssh (or
 *    ringside) ends for any reason, the remote side sees EOF and exits. ssh -T
 *    does not forward signals, so this is what makes SIGINT reach the far side.
 *  - Every step is bounded: ssh's ConnectTimeout, and a deadline of our own on
 *    each command (mktemp, copy, --version, rm) and on the run.
 *  - One ssh connection per host: every step's ssh is a client of a master
 *    (ControlMaster=auto) whose socket is in a private directory of ours, so
 *    only the first step pays the handshake. remote_cleanup ends the masters
 *    (ssh -O exit) and removes the directory; if ringside is killed outright,
 *    a master ends by itself REMOTE_PERSIST_S after its last client.
 *  - Over ssh the local ringside-load is copied into `mktemp -d` on the host
 *    (removed by remote_cleanup) unless --remote-load names an installed one;
 *    its --version must match ours. With --client-exec the path is used as is.
 */
#ifndef RS_REMOTE_H
#define RS_REMOTE_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "cell.h"
#include "options.h"

#define REMOTE_MAX	 16 /* hosts (--client-host plus --client-exec) */
#define REMOTE_WORDS	 32 /* words in one command prefix */
#define REMOTE_SSH_OPTS	 32
#define REMOTE_PERSIST_S "10" /* ssh -o ControlPersist: an idle master's lifetime */

struct remote_host {
	const char *spec;	   /* as given: [USER@]HOST[:PORT] or the exec prefix */
	bool ssh;		   /* --client-host */
	char dest[256];		   /* ssh: [USER@]HOST */
	unsigned port;		   /* ssh: -p PORT, 0 = ssh's default */
	char *words[REMOTE_WORDS]; /* --client-exec: the prefix split at spaces */
	int nwords;
	char store[512];     /* backing for words */
	char dir[256];	     /* ssh: the temporary directory we made there, "" if none */
	char load[PATH_MAX]; /* the load generator's path on that host */
	bool ready;	     /* copied (if needed) and its version checked */
};

struct remote_set {
	struct remote_host h[REMOTE_MAX];
	int n;
	const char *ssh_opts[REMOTE_SSH_OPTS]; /* raw ssh arguments: RINGSIDE_SSH_OPTS, -o X */
	int nssh_opts;
	char env_store[1024];	   /* backing for the RINGSIDE_SSH_OPTS words */
	char ssh[256];		   /* ssh's absolute path, "" until needed */
	char ctl_dir[64];	   /* ssh: our ControlPath directory, "" until made */
	const char *remote_load;   /* --remote-load PATH, NULL = copy ours (ssh) / use ours */
	const char *server_addr;   /* what the server binds and the load generators dial */
	double connect_timeout_s;  /* ssh -o ConnectTimeout; our deadlines add to it */
	char local_load[PATH_MAX]; /* this build's ringside-load */
};

/* Parsing (the option rows of options.c). Each returns -1 with a one-line why. */
int remote_add_host(struct remote_set *s, const char *spec, char *why, size_t len);
int remote_add_exec(struct remote_set *s, const char *prefix, char *why, size_t len);
/* --ssh-option KEY=VALUE: passed to every ssh as -o KEY=VALUE. */
int remote_add_ssh_option(struct remote_set *s, const char *opt, char *why, size_t len);
/* After the options: reads RINGSIDE_SSH_OPTS (split at white space) and finds ssh. */
int remote_finish(struct remote_set *s, char *why, size_t len);

/* Host i's share of total: total / n, the remainder to the first hosts. */
unsigned long remote_share(unsigned long total, int n, int i);
/* Host i's share of a rate: the whole part split like remote_share, the fraction to host 0. */
double remote_rate_share(double rate, int n, int i);
/* "ADDR:PORT", or "[ADDR]:PORT" for an IPv6 address. */
void remote_target(const char *addr, unsigned port, char *buf, size_t len);
/* config.clients of docs/results.md (also for a local run: s NULL). */
json_t *remote_config_json(const struct remote_set *s, const struct run_opts *o);

/*
 * Makes every host ready that is not yet: over ssh, mktemp -d and a copy of
 * ringside-load (unless --remote-load), then `ringside-load --version` compared
 * with ours. Hosts already ready are not touched again. -1 with why naming the
 * host and the failed step, with ssh's or the remote's last stderr line.
 */
int remote_prepare(struct remote_set *s, char *why, size_t len);
/* Removes the temporary directories remote_prepare made (bounded; never fails). */
void remote_cleanup(struct remote_set *s);

enum remote_rc { REMOTE_OK, REMOTE_FAILED, REMOTE_INTERRUPTED };

/* Called from remote_run_follow; a nonzero return fails the run (the hook sets why). */
struct remote_hooks {
	int (*phase)(void *ctx, bool start); /* the last "start", the first "stop" */
	int (*tick)(void *ctx);		     /* every <= 100 ms: the server alive? */
	void *ctx;
};

struct remote_run;

/*
 * Starts one load generator per host against port on s->server_addr, with its
 * share of the cell's connections and of --rate. NULL with why.
 */
struct remote_run *remote_run_start(struct remote_set *s, const struct run_opts *o,
				    const struct cell_spec *c, unsigned port, char *why,
				    size_t len);
/*
 * Follows them all until every one has exited (REMOTE_OK only if each exited 0
 * and reported its window), one failed (its last stderr line in why), the
 * hooks said stop, limit_s passed, or run_interrupted was set.
 */
enum remote_rc remote_run_follow(struct remote_run *r, const struct remote_hooks *h, double limit_s,
				 char *why, size_t len);
/*
 * After REMOTE_OK: the merged load generator JSON (the shape of one
 * ringside-load's, plus window_requests) and in *clients each host's figures.
 */
json_t *remote_run_merge(struct remote_run *r, json_t **clients, char *why, size_t len);
/* Stops what still runs (SIGTERM, then SIGKILL, to each local ssh/prefix) and frees r. */
void remote_run_free(struct remote_run *r);

#endif
