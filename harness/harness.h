/*
 * What the `run`, `list` and `doctor` modules share: the effective options of a
 * run, the workload table, process control (proc.c), one cell (cell.c), the
 * results document (results.c), output (table.c) and host facts (hostinfo.c).
 * The results document follows docs/results.md; cells are built as JSON directly.
 */
#ifndef RS_HARNESS_H
#define RS_HARNESS_H

#include <jansson.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define RS_MAX_MODELS 8
#define RS_MAX_CONNS  16

/* A workload: which binaries a cell spawns and how the load generator talks to them. */
struct rs_workload {
	const char *name;	/* "echo" | "proxy" */
	const char *server_bin; /* next to the ringside binary */
	const char *origin_bin; /* NULL when the workload has no origin */
	const char *load_mode;	/* ringside-load --mode */
	const char *size_opt;	/* ringside-load option for the message size */
	const char *size_key;	/* results key: payload_bytes | body_bytes */
	const char *const *models;
	const char *const *model_help; /* one line per model, same order */
};

extern const struct rs_workload rs_workload_echo, rs_workload_proxy;

/* The effective options of `ringside run` (run.c fills them, everything reads them). */
struct run_opts {
	const char *suite;
	const struct rs_workload *workload;
	const char *models[RS_MAX_MODELS];
	int nmodels;
	unsigned long conns[RS_MAX_CONNS];
	int nconns;
	unsigned long size; /* payload (echo) or body (proxy) bytes */
	const char *origin; /* proxy: "ringside" | "nginx" */
	char tmpdir[64];    /* the run's temporary directory (peer configs), "" if none */
	double duration_s, warmup_s;
	unsigned long repeat;
	cpu_set_t server_cpus, client_cpus, origin_cpus;
	int sq_cpu;		    /* CPU for the SQPOLL thread; -1 = leave it unpinned */
	unsigned long load_threads; /* 0 = one per client CPU */
	unsigned long depth;
	double rate; /* 0 = closed loop */
	double timeout_s;
	const char *probes; /* "auto" | "on" | "off" */
	const char *out;
	bool quiet;
	bool shared_cpu; /* one CPU: server and client share it */
	char *const *argv;
	int argc;
};

/* Set from the SIGINT/SIGTERM handler: the signal number, 0 while running. */
extern volatile sig_atomic_t run_interrupted;

/* ---- proc.c: children and /proc sampling ---- */

struct proc_child {
	pid_t pid;	  /* 0 when not running */
	int pidfd;	  /* readable once the child exits */
	int out_fd;	  /* memfd holding the child's stdout, -1 if inherited /dev/null */
	int err_fd;	  /* memfd holding the child's stderr */
	int status;	  /* waitpid status once reaped */
	bool reaped;	  /* status is valid */
	bool forced;	  /* needed SIGKILL after SIGTERM */
	const char *name; /* for messages: "server", "load generator" */
};

/*
 * Spawns argv[0] (an absolute path) in its own process group with
 * PR_SET_PDEATHSIG(SIGKILL), stdin /dev/null, stdout and stderr into memfds,
 * fd3 (if >= 0) as its fd 3, and the CPU affinity cpus (if non-NULL and non-empty)
 * before exec, so threads it creates before pinning them stay off other roles' CPUs.
 * Every other descriptor is close-on-exec.
 */
int proc_spawn(struct proc_child *c, const char *name, char *const argv[], int fd3,
	       const cpu_set_t *cpus);
/* Reaps the child if it has exited; true once it has. Never blocks. */
bool proc_try_reap(struct proc_child *c);
/* SIGTERM to its group, up to wait_ms for it to exit, then SIGKILL; reaps it. */
void proc_stop(struct proc_child *c, int wait_ms);
/* Closes the child's descriptors (after it was reaped). */
void proc_release(struct proc_child *c);
/* "exited with code 3", "exited with signal 11 (Segmentation fault)" */
void proc_describe(int status, char *buf, size_t len);
/* The last non-empty line the child wrote to fd (a memfd), "" if none. */
void proc_last_line(int fd, char *buf, size_t len);
/* The whole memfd contents, NUL-terminated; caller frees. NULL if empty. */
char *proc_read_all(int fd);

enum proc_class { PROC_USER, PROC_SQPOLL, PROC_IOU_WRK };

struct proc_thread {
	pid_t tid;
	enum proc_class cls;
	uint64_t utime, stime; /* clock ticks */
	uint64_t vol, invol;
};

/*
 * One reading of every thread of a process, and of the process as a whole: its
 * utime/stime also hold the time of threads that have exited (a blocking server's
 * connection threads end as their clients close, often before the second reading).
 */
struct proc_snap {
	struct proc_thread *t;
	int n, cap;
	uint64_t utime, stime; /* the whole process (or group), clock ticks */
	long rss_kib, hwm_kib; /* -1 if unreadable */
};

/*
 * What the process spent between two snapshots: user and system time from the
 * process totals, less what its io_uring kernel threads (matched by tid) spent.
 */
struct proc_usage {
	double user_us, system_us, sqpoll_us, iou_wrk_us;
	uint64_t voluntary, involuntary;
	int threads; /* in the later snapshot */
};

int proc_snapshot(pid_t pid, struct proc_snap *s);
void proc_snap_free(struct proc_snap *s);
void proc_usage_delta(const struct proc_snap *a, const struct proc_snap *b, struct proc_usage *u);
/*
 * pid and the processes in more (e.g. nginx's workers) as one: their threads
 * together (tids are unique, so window deltas still match by tid), RSS summed.
 */
int proc_snapshot_group(pid_t pid, const pid_t *more, int nmore, struct proc_snap *s);
long proc_rss_group_kib(pid_t pid, const pid_t *more, int nmore);
/* VmRSS and VmHWM of pid in KiB; -1 on failure. */
long proc_rss_kib(pid_t pid, long *hwm_kib);

/* ---- cell.c: one cell ---- */

struct cell_spec {
	const struct rs_workload *workload;
	const char *model;
	unsigned long connections;
	int index, total; /* position in the suite, for progress */
};

/*
 * Probe hook points. When cell_probes is non-NULL each repetition runs twice:
 * unprobed, then probed (run.probed = true). In a probed run, cell.c calls
 *   attach(server)      once the server is ready, before the load generator exists;
 *   add_server(pid)     after attach, for each process the server forked before it
 *                       was ready (nginx workers); later forks are followed by BPF;
 *   add_client(load)    right after the load generator is spawned (before it connects);
 *   start() / stop()    at the load generator's "start" / "stop" lines, next to the
 *                       /proc snapshots, to snapshot the BPF counters;
 *   detach()            after the load generator exited, before the server is stopped
 *                       (also on every failure path once attach() succeeded);
 *   fill(run, requests) after detach on a run that completed, to set "syscalls",
 *                       "io_uring" and "context_switches_bpf" (per request).
 * A nonzero return marks the run failed with the message in err.
 */
struct cell_probe_ops {
	int (*attach)(pid_t server, char *err, size_t errlen);
	int (*add_server)(pid_t pid, char *err, size_t errlen);
	int (*add_client)(pid_t load, char *err, size_t errlen);
	int (*start)(char *err, size_t errlen);
	int (*stop)(char *err, size_t errlen);
	void (*detach)(void);
	void (*fill)(json_t *run, double requests);
};
extern const struct cell_probe_ops *cell_probes;

/* ---- probes.c: the BPF probes behind cell_probes ---- */

/* Why the probes are off ("" while on). */
extern char cell_probes_reason[256];
/*
 * mode "auto": load the probes if this machine allows, else run without them
 * and keep the reason; "on": the same, but failing to load is an error (-1,
 * said on stderr); "off": never load them.
 */
int probes_init(const char *mode);
void probes_fini(void);
/* 0 when the probes can load here; else -1 with the one-line reason. */
int probes_check(char *why, size_t len);

/* Progress callback: repetition rep (0-based) of the cell is starting. */
typedef void (*cell_progress_fn)(const struct cell_spec *c, int rep, bool probed);

/* Measures one cell; returns its JSON (without summary), or NULL when interrupted. */
json_t *cell_measure(const struct run_opts *o, const struct cell_spec *c,
		     cell_progress_fn progress);
/* The directory holding the ringside binary (and the workload binaries). */
const char *cell_bin_dir(void);

/* ---- peers.c: nginx and haproxy, run like our own servers ---- */

/* True for the models that are peers ("nginx", "haproxy"). */
bool peer_is(const char *model);
/* The tool's absolute path into path; -1 if it is not installed. */
int peer_find(const char *tool, char *path, size_t len);
/* 0 if tool is installed; else -1 and why = "nginx is not installed (apt-get ...)". */
int peer_missing(const char *tool, char *why, size_t len);
/*
 * Writes tool's config into o->tmpdir and starts it pinned (role "proxy": the
 * server CPUs, forwarding to 127.0.0.1:upstream; "origin": nginx on the origin
 * CPUs serving o->size bytes), on a free port returned in *port, and waits until
 * the port accepts. -1 with why on failure (the child is stopped by then).
 */
int peer_start(struct proc_child *c, const char *name, const char *tool, const char *role,
	       const struct run_opts *o, unsigned upstream, unsigned *port, char *why, size_t len);
/* The pids whose parent is parent (e.g. nginx workers), at most max. */
int peer_children(pid_t parent, pid_t *out, int max);
/* Removes the run's temporary directory and what the peers left in it. */
void peer_tmp_remove(const char *dir);

/* ---- results.c: the results document ---- */

json_t *results_new(const struct run_opts *o, const char *command);
/* Adds the cell's summary (from its runs) and appends it to doc.cells. */
void results_add_cell(json_t *doc, json_t *cell);
/* status: "running", "complete", "interrupted"; sets finished_at unless running. */
void results_set_status(json_t *doc, const char *status);
/* Writes path atomically (temp file in the same dir, fsync, rename); -1 on error. */
int results_write(const char *path, const json_t *doc);
/* Creates a fresh result directory (base, base-2, base-3, ...) into out. */
int results_make_dir(const char *base, char *out, size_t len);
/* The shell-quoted command line. Caller frees. */
char *results_quote_argv(int argc, char *const argv[]);
/* RFC 3339 UTC timestamp of now. */
void results_utc_now(char *buf, size_t len, bool compact);
/* Fills cell.summary from cell.runs; exposed for tests and for re-summarising. */
json_t *results_summarise(const json_t *cell);

/* ---- table.c: output ---- */

void table_progress(const struct run_opts *o, const struct cell_spec *c, int rep, bool probed,
		    double eta_s);
void table_progress_done(void);
void table_cell_line(const struct run_opts *o, const struct cell_spec *c, const json_t *cell);
void table_print(FILE *f, const json_t *doc);
void table_fmt_duration(double s, char *buf, size_t len);

/* ---- hostinfo.c: host and environment facts ---- */

json_t *hostinfo_json(void);
/* The first line of `cmd` (run through /bin/sh, stderr merged), NULL if it fails. */
char *hostinfo_cmd_line(const char *cmd);
/* Versions of peer tools: NULL when not installed. Caller frees. */
char *hostinfo_tool_version(const char *tool);
const char *hostinfo_liburing_version(void);
/* The value of a one-line file, trimmed; NULL if unreadable. Caller frees. */
char *hostinfo_read_line(const char *path);

#endif
