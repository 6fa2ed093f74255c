/*
 * What every ringside server (echo, proxy, origin) shares: one options struct,
 * the model table, readiness reporting, shutdown, the --max-conns counter and the
 * accept backoff. A model is a `const struct server_model` whose run() owns its
 * loop until stop is asked (event-loop models run under loops.h).
 *
 * Process contract (the harness relies on it):
 *   - `--ready-fd FD`: once every listener is listening, the server writes
 *     "ready PORT\n" to FD and closes it. Without it, the same line goes to stdout.
 *   - SIGTERM or SIGINT: stop accepting, close, exit 0.
 *   - exit 2: bad option (one line on stderr); exit 3: the kernel refuses the
 *     model (io_uring disabled, SQPOLL not permitted), one line naming why.
 */
#ifndef RS_SERVER_H
#define RS_SERVER_H

#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>

struct server_opts {
	const char *model;	  /* a name from lib/models.h the binary serves */
	const char *host;	  /* default 127.0.0.1 */
	unsigned port;		  /* 0 = ephemeral, reported through ready */
	unsigned threads;	  /* event loops (epoll, uring); ignored by blocking */
	cpu_set_t cpus;		  /* empty = no pinning; loop i pinned to cpu_nth(i) */
	unsigned max_conns;	  /* per process; further accepts are closed at once */
	unsigned idle_timeout_ms; /* 0 = never; drop a connection silent this long */
	bool sqpoll;		  /* the model has MODEL_SQPOLL */
	/*
	 * MODEL_CQ_BUSY_POLL: the loop spins on the CQ ring instead of waiting in
	 * io_uring_enter(GETEVENTS), so steady state makes no syscall at all (SQPOLL
	 * alone still enters the kernel to wait), at the cost of a second busy CPU.
	 */
	bool cq_busy_poll;
	int sq_cpu;	     /* -1 = unpinned SQPOLL thread */
	unsigned sq_idle_ms; /* SQPOLL idle before the thread sleeps */
	int ready_fd;	     /* -1 = print ready line to stdout */
	unsigned backlog;
	unsigned work_us; /* simulated work per request (work.h), µs; 0 = none */

	/* Workload-specific settings; the echo server leaves them alone. */
	void *workload;
};

struct server_model {
	const char *name;
	/* Runs until server_should_stop(); returns an RS_EXIT_* code. */
	int (*run)(const struct server_opts *o);
};

/*
 * Set by the SIGTERM/SIGINT handler (or a thread that ends the server). Loops on
 * every thread poll it between waits, so it is atomic: volatile sig_atomic_t is
 * enough for a handler and the thread it interrupts, not across threads (a data
 * race ThreadSanitizer reports). A lock-free atomic is async-signal-safe.
 */
extern atomic_int server_stop;
static inline bool server_should_stop(void)
{
	return server_stop != 0;
}

/*
 * Installs SIGTERM/SIGINT handlers (without SA_RESTART, so blocking calls return
 * EINTR), ignores SIGPIPE and raises RLIMIT_NOFILE.
 */
void server_setup_process(void);
/*
 * Blocks SIGTERM/SIGINT in the calling thread; call before creating worker
 * threads so only the main thread takes them, then server_unblock_signals().
 */
void server_block_signals(void);
void server_unblock_signals(void);
/* Reports readiness once (thread-safe; later calls do nothing). */
void server_ready(const struct server_opts *o, unsigned port);

/* Connections open in this process, for --max-conns (shared by all loops and threads). */
bool server_conn_get(const struct server_opts *o);
void server_conn_put(void);

/* After accept fails for lack of descriptors or memory, stop accepting this long. */
#define SERVER_ACCEPT_BACKOFF_MS 10

/*
 * accept failed with err (a positive errno): true if it is a resource shortage
 * (EMFILE, ENFILE, ENOBUFS, ENOMEM), after which the caller must pause accepting for
 * SERVER_ACCEPT_BACKOFF_MS instead of retrying at once: the listener stays readable
 * and the loop would spin. Warns once per episode; server_accept_ok() (call it after
 * every successful accept) ends the episode. False for the rest (ECONNABORTED and the
 * like: that connection is gone), which it does not log.
 */
bool server_accept_failed(int err);
void server_accept_ok(void);

/*
 * How a binary parses its options: which models of lib/models.h it serves, the
 * model it runs without --model (the origin has one), and its own options.
 */
struct option;
struct server_parse {
	unsigned serves;	       /* MODEL_ECHO | MODEL_PROXY | MODEL_ORIGIN */
	const char *model;	       /* the model without --model; NULL = --model is required */
	const struct option *longopts; /* the binary's own options (NULL-terminated) or NULL */
	/* An option of longopts: 0 if handled, -1 if unknown. */
	int (*extra)(int opt, const char *arg, void *ctx);
	void *ctx; /* for extra, and o->workload */
	const char *usage;
};

/*
 * Parses the common options (see server_usage) out of argv, checks --model
 * against the table (models the binary does not serve are refused) and sets
 * o->sqpoll and o->cq_busy_poll from the model's flags. Exits 2 with one line
 * on any bad option or value; --help prints the models the binary serves.
 */
void server_parse_opts(int argc, char **argv, struct server_opts *o, const struct server_parse *p);

/* Looks up a model by name; NULL if unknown. */
const struct server_model *server_find_model(const struct server_model *const *models,
					     const char *name);

#endif
