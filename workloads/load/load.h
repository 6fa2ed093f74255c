/*
 * ringside-load: a wrk-like load generator. main.c parses options, starts one
 * pinned thread per --threads, runs warmup and the measured window and prints
 * JSON; loop.c is one thread's loop over its share of the connections (state,
 * schedule, timeouts, stats), doing its I/O through an engine (struct
 * load_engine: loop_uring.c, loop_epoll.c); a protocol (struct load_proto:
 * proto_echo.c, proto_http.c) writes requests and checks responses.
 *
 * Design notes:
 *  - The engines differ only in how bytes move: io_uring queues sends and a
 *    multishot recv per connection and enters the kernel once per loop pass;
 *    epoll registers each socket once, edge-triggered, and reads and writes
 *    with one syscall each per batch. Everything above the bytes is loop.c's.
 *  - A request's bytes are a pure function of (connection, sequence number),
 *    so nothing is allocated per request: the thread's scratch buffer is filled
 *    from the write cursor (sent, sent_off) and a partial write just leaves the
 *    cursor where the kernel stopped.
 *  - Latency runs from the request's send time (closed loop) or its intended
 *    send time (open loop, so a busy connection's wait is included: no
 *    coordinated omission). With --new-connection-per-request it includes the
 *    connect. Only answered requests with a good status count as requests and
 *    get a latency; "bytes" is echoed payload bytes (echo) or response bytes as
 *    received, head included (http).
 *  - Open loop paces by tick (pace.h): a thread wakes at most once per tick,
 *    sends every request that is due in one pass and sleeps on a timer that
 *    responses do not cut short; a request it could not send within
 *    --max-lag-ms is skipped and counted.
 *  - Open loop also records the client's own schedule lag per request: the
 *    time it was issued minus the later of its intended time and the moment
 *    its connection had a free slot (a response came back). A server that is
 *    slow to answer delays requests but adds no lag; a client that wakes late
 *    (its CPU is busy) does. The harness reads it as "client bound".
 *  - Counters and the histograms are per thread and merged once at the end.
 */
#ifndef RS_LOAD_H
#define RS_LOAD_H

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "hist.h"
#include "http_resp.h"
#include "pace.h"

enum load_mode { LOAD_ECHO, LOAD_HTTP };

struct load_opts {
	const char *target; /* HOST:PORT as given */
	char host[256];
	unsigned port;
	unsigned connections;
	unsigned threads; /* must not exceed connections (usage error) */
	cpu_set_t cpus;	  /* empty = unpinned; thread i on cpu_nth(i) */
	double duration_s, warmup_s;
	double rate; /* requests/s over all threads; 0 = closed loop */
	double timeout_s;
	double tick_max_us; /* open loop: the longest tick (pace.h) */
	double max_lag_ms;  /* open loop: later than this, a request is skipped */
	enum load_mode mode;
	unsigned payload; /* echo request size */
	unsigned depth;	  /* requests in flight per connection */
	const char *path, *host_header;
	bool churn;		/* http: a new connection per request */
	int64_t expect_body;	/* http: required body length; -1 = any */
	int phase_fd;		/* -1 = none; may be 1 (stdout, before the JSON) */
	bool exit_on_stdin_eof; /* a thread exits the process when stdin ends */
	const struct load_engine *engine;

	struct sockaddr_storage addr; /* target, resolved once */
	socklen_t addrlen;
};

enum load_err { LERR_CONNECT, LERR_RESET, LERR_TIMEOUT, LERR_MISMATCH, LERR_STATUS, LERR_KINDS };

struct load_stats {
	uint64_t requests, bytes, body_bytes;
	uint64_t errors[LERR_KINDS];
	uint64_t skipped; /* open loop: requests not sent within --max-lag-ms */
	uint64_t wakeups; /* voluntary context switches of the load threads */
	uint64_t passes;  /* open loop: pacing passes (at most one per tick) */
	double tick_ns;	  /* open loop: the tick (summed over threads in a total) */
	double wake_ns;	  /* open loop: one wake's CPU, measured (summed likewise) */
	double user_s, system_s;
	struct hist lat; /* ns */
	/* Open loop: how late each request was issued against its schedule (ns). */
	struct hist lag;
};

/* What the protocol says about one complete response. */
struct load_resp {
	uint64_t bytes, body_bytes;
	bool ok;	  /* false: a well-formed response with a bad status */
	bool close_after; /* the server closes after it: reconnect, not an error */
};

enum load_rc {
	LOAD_MORE, /* all bytes consumed, response incomplete (eof: nothing was pending) */
	LOAD_DONE, /* one response complete, *used bytes consumed */
	LOAD_BAD,  /* not the expected response: mismatch */
};

enum conn_state { CONN_IDLE, CONN_BACKOFF, CONN_CONNECTING, CONN_ACTIVE };

struct load_thread;
struct load_conn;

/*
 * An I/O engine, chosen once at start-up (--engine). Each thread has its own
 * engine state (t->eng); init() runs on the thread itself (io_uring's
 * SINGLE_ISSUER binds the ring to it). The engine calls back into loop.c with
 * load_conn_established/_input/_eof/_fail as its events arrive.
 */
struct load_engine {
	const char *name;
	/* Can this kernel run it? 0, or a negative errno with a reason in why. */
	int (*probe)(char *why, size_t len);
	/* -1 on failure (logged); fini() is called either way. */
	int (*init)(struct load_thread *t);
	void (*fini)(struct load_thread *t);
	/* Starts connecting c (c->fd is the engine's): -1 if it failed at once (handled). */
	int (*connect)(struct load_conn *c, uint64_t now);
	/* Writes, or queues, c's issued requests from the cursor; -1 if c was torn down. */
	int (*flush)(struct load_conn *c, uint64_t now);
	/* Drops c's socket; whatever is in flight on it is abandoned. */
	void (*close)(struct load_conn *c);
	/* Submits what is queued, waits up to wait_ns, handles events; -1 = fatal. */
	int (*wait)(struct load_thread *t, uint64_t wait_ns);
	/*
	 * Open loop's pass: submits what is queued, handles the events already there
	 * without waiting, and submits what handling them queued; -1 = fatal.
	 */
	int (*poll)(struct load_thread *t);
};

extern const struct load_engine load_engine_uring, load_engine_epoll;

struct load_conn {
	int fd;
	uint8_t state;
	uint32_t id;	   /* global connection number */
	uint32_t fails;	   /* consecutive failures since the last good response */
	uint64_t due_ns;   /* CONN_BACKOFF: when to reconnect */
	uint64_t since_ns; /* when the current connect started */
	/* Request sequence numbers: issued (timestamped) >= sent (fully written) >= done. */
	uint64_t issued, sent, done;
	uint64_t sent_off; /* bytes of request `sent` already written */
	uint64_t next_k;   /* open loop: this connection's next scheduled request */
	uint64_t free_ns;  /* when a slot of depth last became free (0: from the start) */
	uint64_t *ts;	   /* depth slots: (intended) send time of request seq % depth */
	struct load_thread *t;
	union {
		struct {
			uint64_t off; /* bytes of response `done` verified */
		} echo;
		struct hresp http;
	} p;
};

struct load_proto {
	const char *name;
	/* Once before the threads start; returns the request size, 0 on failure. */
	size_t (*setup)(const struct load_opts *o);
	/* A new socket for c: forget any partial response. */
	void (*conn_reset)(struct load_conn *c);
	/* Copies up to cap bytes of request seq, from byte off, into buf; returns the count. */
	size_t (*fill)(const struct load_conn *c, uint64_t seq, uint64_t off, char *buf,
		       size_t cap);
	/* Response bytes for request c->done. */
	enum load_rc (*consume)(struct load_conn *c, const char *buf, size_t len, size_t *used,
				struct load_resp *r);
	/* The peer closed: LOAD_DONE ends a close-delimited response, LOAD_MORE = clean. */
	enum load_rc (*eof)(struct load_conn *c, struct load_resp *r);
};

extern const struct load_proto load_proto_echo, load_proto_http;

/* State every thread reads; written by main. Times are now_ns() values. */
struct load_shared {
	_Atomic uint64_t win_start, win_end; /* UINT64_MAX until set */
	_Atomic bool connected;		     /* some connect ever succeeded */
	_Atomic int connect_errno;	     /* the last connect failure */
	_Atomic int failed;		     /* a thread could not set up */
	uint64_t begin_ns;		     /* open-loop schedules start here */
};
extern struct load_shared load_g;

struct load_thread {
	unsigned idx;
	pthread_t tid;
	const struct load_opts *o;
	const struct load_proto *proto;
	size_t req_len;
	struct load_conn *conns;
	unsigned nconns;
	uint32_t first_id;
	uint64_t *ts_slots;
	const struct load_engine *eng;
	void *es; /* the engine's state for this thread */
	uint64_t timeout_ns;
	uint64_t next_scan, next_backoff;
	double interval_ns; /* open loop: between this thread's scheduled requests */
	double phase_ns;    /* open loop: this thread's offset in the schedule */
	uint64_t gk;	    /* open loop: next schedule slot to trigger */
	struct pace pace;   /* open loop: tick, spin and skip bounds */
	uint64_t wake_ns;   /* open loop: when the last wait was to end (0: none yet) */
	bool cpu_started;
	struct rusage ru0;
	struct load_stats st;
};

/* Allocates the thread's connections; -1 on failure (logged). */
int load_thread_init(struct load_thread *t);
/* pthread entry: sets up the engine, runs the loop until the window ends. */
void *load_thread_main(void *arg);
void load_thread_free(struct load_thread *t);

/* What an engine reports about c; each returns -1 if c was torn down. */
void load_conn_established(struct load_conn *c, uint64_t now);
/* Response bytes arrived (they are consumed before this returns). */
int load_conn_input(struct load_conn *c, const char *buf, size_t len, uint64_t now);
/* The peer closed its side. */
void load_conn_eof(struct load_conn *c, uint64_t now);
/* Counts the error, closes and reconnects (with backoff after repeated failures). */
void load_conn_fail(struct load_conn *c, enum load_err kind, int err, uint64_t now);
/* Copies up to cap request bytes from the write cursor into buf; returns the count. */
size_t load_conn_fill(const struct load_conn *c, char *buf, size_t cap);
/* n bytes from the write cursor went out: moves it on. */
void load_conn_sent(struct load_conn *c, size_t n);

#endif
