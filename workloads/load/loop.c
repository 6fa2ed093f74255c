/*
 * One load thread's loop, whatever the engine: connection state, connect and
 * backoff, timeouts, the open-loop schedule and its pacing by tick (pace.h),
 * feeding responses to the protocol and recording them into the thread's own
 * stats. The engine (loop_uring.c, loop_epoll.c) moves the bytes and reports
 * back through load_conn_*().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "load.h"
#include "log.h"
#include "clock.h"
#include "cpus.h"

#define BACKOFF_MIN_NS 1000000ull    /* second retry after 1 ms, doubling ... */
#define BACKOFF_MAX_NS 1000000000ull /* ... up to 1 s */
#define MAX_WAIT_NS    10000000ull   /* wake at least every 10 ms to see phase changes */
#define WAKE_PROBES    16	     /* sleeps of WAKE_PROBE_NS that measure a wake's cost */
#define WAKE_PROBE_NS  20000ull

struct load_shared load_g = {.win_start = UINT64_MAX, .win_end = UINT64_MAX};

static int conn_flush(struct load_conn *c, uint64_t now);
static int conn_start(struct load_conn *c, uint64_t now);

static bool in_window(uint64_t ts)
{
	return ts >= atomic_load_explicit(&load_g.win_start, memory_order_relaxed) &&
	       ts < atomic_load_explicit(&load_g.win_end, memory_order_relaxed);
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Open loop: the intended send time of c's next scheduled request. */
static uint64_t conn_due(const struct load_conn *c)
{
	const struct load_thread *t = c->t;
	double slot = (double)(c - t->conns) + (double)c->next_k * t->nconns;

	return load_g.begin_ns + (uint64_t)(t->phase_ns + slot * t->interval_ns);
}

/*
 * Open loop: request due at ts is to be issued now; the lag is now minus the
 * later of ts and when c could first have taken it (see load.h), recorded in the
 * window only. Returns false when it is too late (pace.h): skipped and counted.
 */
static bool take_request(struct load_conn *c, uint64_t ts, uint64_t now)
{
	struct load_thread *t = c->t;
	uint64_t ready = ts > c->free_ns ? ts : c->free_ns;

	if (pace_skip(&t->pace, ready, now)) {
		if (in_window(now))
			t->st.skipped++;
		return false;
	}
	if (in_window(now))
		hist_record(&t->st.lag, now > ready ? now - ready : 0);
	return true;
}

/*
 * Open loop: when a slot freed by a response (or a failure) seen at now became
 * free. A response is seen when it comes, or at the first pass after it came;
 * but when the thread resumed later than its wait was to end by more than a
 * tick (it was stopped, descheduled or busy), the response may have come at any
 * time since: it is dated back to when the wait was to end, so that requests
 * due during the thread's own stall count as its lateness (skipped past
 * --max-lag-ms), not as the server's latency.
 */
static uint64_t slot_free_at(const struct load_thread *t, uint64_t now)
{
	if (t->wake_ns && now > t->wake_ns && now - t->wake_ns > t->pace.tick_ns)
		return t->wake_ns;
	return now;
}

/* Closes the socket; requests in flight on it are lost. */
static void conn_close(struct load_conn *c)
{
	if (c->fd >= 0) {
		c->t->eng->close(c);
		c->fd = -1;
	}
	c->sent = c->done = c->issued;
	c->sent_off = 0;
	c->state = CONN_IDLE;
}

/*
 * Counts the error, closes and reconnects: at once after a first failure, then
 * with exponential backoff so a dead server does not make us spin.
 */
void load_conn_fail(struct load_conn *c, enum load_err kind, int err, uint64_t now)
{
	struct load_thread *t = c->t;

	if (in_window(now))
		t->st.errors[kind]++;
	if (kind == LERR_CONNECT)
		atomic_store_explicit(&load_g.connect_errno, err, memory_order_relaxed);
	LOG_DBG("connection %u: %s error: %s", c->id,
		(const char *[]){"connect", "reset", "timeout", "mismatch", "status"}[kind],
		err ? strerror(err) : "-");
	conn_close(c);
	c->free_ns = slot_free_at(t, now); /* its requests are lost: the slots are free */
	if (++c->fails == 1) {
		conn_start(c, now);
		return;
	}
	c->due_ns = now + min_u64(BACKOFF_MIN_NS << min_u64(c->fails - 2, 10), BACKOFF_MAX_NS);
	c->state = CONN_BACKOFF;
	t->next_backoff = min_u64(t->next_backoff, c->due_ns);
}

/* The server closed cleanly or said it would: reconnect without counting an error. */
static void conn_restart(struct load_conn *c, uint64_t now)
{
	conn_close(c);
	conn_start(c, now);
}

void load_conn_established(struct load_conn *c, uint64_t now)
{
	c->state = CONN_ACTIVE;
	if (!atomic_load_explicit(&load_g.connected, memory_order_relaxed))
		atomic_store(&load_g.connected, true);
	if (c->sent < c->issued)
		conn_flush(c, now);
}

/* Starts connecting c through the engine. -1 when it failed at once (already handled). */
static int conn_connect(struct load_conn *c, uint64_t now)
{
	c->since_ns = now;
	c->state = CONN_CONNECTING;
	c->t->proto->conn_reset(c);
	return c->t->eng->connect(c, now);
}

/*
 * Issues the requests that are due (closed loop: up to depth in flight; open
 * loop: those whose intended time has come, as far as depth allows; churn: one
 * per new connection) and writes them if connected. -1 if c was torn down.
 */
static int conn_issue(struct load_conn *c, uint64_t now)
{
	struct load_thread *t = c->t;
	const struct load_opts *o = t->o;
	bool open = o->rate > 0;

	if (o->churn) {
		uint64_t ts = now;

		if (c->state != CONN_IDLE)
			return 0;
		for (; open; c->next_k++) {
			ts = conn_due(c);
			if (ts > now)
				return 0;
			if (take_request(c, ts, now)) {
				c->next_k++;
				break;
			}
		}
		c->ts[c->issued % o->depth] = ts;
		c->issued++;
		return conn_connect(c, now);
	}
	if (c->state != CONN_CONNECTING && c->state != CONN_ACTIVE)
		return 0;
	while (c->issued - c->done < o->depth) {
		uint64_t ts = now;

		if (open) {
			ts = conn_due(c);
			if (ts > now)
				break;
			c->next_k++;
			if (!take_request(c, ts, now))
				continue;
		}
		c->ts[c->issued % o->depth] = ts;
		c->issued++;
	}
	if (c->state == CONN_ACTIVE && c->sent < c->issued)
		return conn_flush(c, now);
	return 0;
}

/* (Re)connects c, or in churn mode waits idle until a request is due. */
static int conn_start(struct load_conn *c, uint64_t now)
{
	if (c->t->o->churn)
		return conn_issue(c, now);
	if (conn_connect(c, now))
		return -1;
	return conn_issue(c, now);
}

static int conn_flush(struct load_conn *c, uint64_t now)
{
	return c->t->eng->flush(c, now);
}

size_t load_conn_fill(const struct load_conn *c, char *buf, size_t cap)
{
	const struct load_thread *t = c->t;
	uint64_t seq = c->sent, off = c->sent_off;
	size_t len = 0;

	while (seq < c->issued && len < cap) {
		size_t k = t->proto->fill(c, seq, off, buf + len, cap - len);

		len += k;
		off += k;
		if (off == t->req_len) {
			seq++;
			off = 0;
		}
	}
	return len;
}

void load_conn_sent(struct load_conn *c, size_t n)
{
	size_t req_len = c->t->req_len;

	c->sent_off += n;
	while (c->sent < c->issued && c->sent_off >= req_len) {
		c->sent_off -= req_len;
		c->sent++;
	}
}

/* One complete response to request c->done. -1 if c was torn down. */
static int conn_response(struct load_conn *c, const struct load_resp *r, uint64_t now)
{
	struct load_thread *t = c->t;
	uint64_t sent_at = c->ts[c->done % t->o->depth];

	c->done++;
	c->free_ns = slot_free_at(t, now);
	if (in_window(now)) {
		if (r->ok) {
			t->st.requests++;
			t->st.bytes += r->bytes;
			t->st.body_bytes += r->body_bytes;
			hist_record(&t->st.lat, now > sent_at ? now - sent_at : 0);
		} else {
			t->st.errors[LERR_STATUS]++;
		}
	}
	if (r->ok)
		c->fails = 0;
	if (t->o->churn || r->close_after) {
		conn_restart(c, now);
		return -1;
	}
	return 0;
}

/* Bytes read from c: feed the protocol response by response. */
int load_conn_input(struct load_conn *c, const char *buf, size_t len, uint64_t now)
{
	while (len) {
		struct load_resp r = {0};
		size_t used = 0;
		enum load_rc rc;

		if (c->done >= c->issued) { /* nothing asked: unsolicited bytes */
			load_conn_fail(c, LERR_MISMATCH, 0, now);
			return -1;
		}
		rc = c->t->proto->consume(c, buf, len, &used, &r);
		if (rc == LOAD_BAD) {
			load_conn_fail(c, LERR_MISMATCH, 0, now);
			return -1;
		}
		if (rc == LOAD_MORE)
			break;
		buf += used;
		len -= used;
		if (conn_response(c, &r, now))
			return -1;
	}
	return conn_issue(c, now);
}

void load_conn_eof(struct load_conn *c, uint64_t now)
{
	struct load_resp r = {0};
	enum load_rc rc = c->done < c->issued ? c->t->proto->eof(c, &r) : LOAD_MORE;

	if (rc == LOAD_DONE) {
		r.close_after = true;
		conn_response(c, &r, now);
	} else if (rc == LOAD_BAD || c->done < c->issued) {
		load_conn_fail(c, LERR_RESET, ECONNRESET, now);
	} else {
		conn_restart(c, now); /* idle connection closed by the server */
	}
}

/* Timeouts and due reconnects: a scan over the thread's connections. */
static void scan(struct load_thread *t, uint64_t now)
{
	uint64_t interval = min_u64(t->timeout_ns / 8, 100000000ull);

	t->next_backoff = UINT64_MAX;
	for (unsigned i = 0; i < t->nconns; i++) {
		struct load_conn *c = &t->conns[i];

		switch (c->state) {
		case CONN_CONNECTING:
			if (now - c->since_ns >= t->timeout_ns)
				load_conn_fail(c, LERR_CONNECT, ETIMEDOUT, now);
			break;
		case CONN_ACTIVE:
			if (c->done < c->issued && now > c->ts[c->done % t->o->depth] &&
			    now - c->ts[c->done % t->o->depth] >= t->timeout_ns)
				load_conn_fail(c, LERR_TIMEOUT, 0, now);
			break;
		case CONN_BACKOFF:
			if (now >= c->due_ns) {
				c->state = CONN_IDLE;
				conn_start(c, now);
			}
			break;
		}
		if (c->state == CONN_BACKOFF)
			t->next_backoff = min_u64(t->next_backoff, c->due_ns);
	}
	t->next_scan = now + (interval ? interval : 1000000);
}

/* Open loop: hands each schedule slot whose time has come to its connection. */
static uint64_t open_loop(struct load_thread *t, uint64_t now)
{
	for (;;) {
		double off = t->phase_ns + (double)t->gk * t->interval_ns;
		uint64_t due = load_g.begin_ns + (uint64_t)off;
		double behind;

		if (due > now)
			return due;
		behind = ((double)(now - load_g.begin_ns) - t->phase_ns) / t->interval_ns;
		if (behind - (double)t->gk > 2.0 * t->nconns) {
			/* Far behind (stalled): every connection sends all it owes. */
			for (unsigned i = 0; i < t->nconns; i++)
				conn_issue(&t->conns[i], now);
			t->gk = (uint64_t)behind + 1;
			continue;
		}
		conn_issue(&t->conns[t->gk % t->nconns], now);
		t->gk++;
	}
}

static double tv_s(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The CPU one sleep and wake costs this thread, on its own CPU (pace.h). */
static uint64_t wake_cost_ns(void)
{
	uint64_t cpu0 = thread_cpu_ns();

	for (int i = 0; i < WAKE_PROBES; i++) {
		struct timespec ts = {.tv_nsec = (long)WAKE_PROBE_NS};

		clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
	}
	return (thread_cpu_ns() - cpu0) / WAKE_PROBES;
}

/* Open loop: the tick and the bounds, once the thread runs where it will run. */
static void pace_setup(struct load_thread *t)
{
	const struct load_opts *o = t->o;
	uint64_t wake = wake_cost_ns();

	t->pace.tick_ns =
	    pace_tick(t->interval_ns * t->nconns, wake, (uint64_t)(o->tick_max_us * 1e3));
	t->pace.spin_ns = wake;
	t->pace.skip_ns = (uint64_t)(o->max_lag_ms * 1e6);
	t->st.tick_ns = (double)t->pace.tick_ns;
	t->st.wake_ns = (double)wake;
}

/*
 * Open loop: until the next pass, asleep on a timer that I/O does not end,
 * spinning, or for a long wait in the engine (pace.h). -1 = fatal.
 */
static int pace_wait(struct load_thread *t, uint64_t wake)
{
	t->wake_ns = wake;
	struct timespec ts = {.tv_sec = (time_t)(wake / 1000000000ull),
			      .tv_nsec = (long)(wake % 1000000000ull)};
	uint64_t now = now_ns();
	enum pace_how how = pace_how(&t->pace, now, wake);

	/* Churn: a request's connect, send and response must not each wait for a pass. */
	if (t->o->churn && how == PACE_SLEEP)
		how = PACE_WAIT_IO;
	switch (how) {
	case PACE_WAIT_IO:
		return t->eng->wait(t, wake - now);
	case PACE_SLEEP:
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		break;
	case PACE_SPIN:
		while (now_ns() < wake)
			;
		break;
	case PACE_NOW:
		break;
	}
	return 0;
}

/*
 * One open-loop pass: send what is due (queued, for io_uring), then one poll
 * submits it and handles the responses that came in since the last pass. -1 = fatal.
 */
static int open_pass(struct load_thread *t, uint64_t now, uint64_t *next)
{
	t->pace.last_ns = now;
	if (in_window(now))
		t->st.passes++;
	*next = min_u64(*next, open_loop(t, now));
	return t->eng->poll(t);
}

void *load_thread_main(void *arg)
{
	struct load_thread *t = arg;
	const struct load_opts *o = t->o;
	struct rusage ru1;
	uint64_t now;

	if (CPU_COUNT(&o->cpus)) {
		cpu_set_t one;

		CPU_ZERO(&one);
		CPU_SET(cpu_nth(&o->cpus, (int)t->idx), &one);
		if (pin_self(&one))
			PLOG_WARN("cannot pin thread %u to CPU %d", t->idx,
				  cpu_nth(&o->cpus, (int)t->idx));
	}
	/* Open loop sends on timers: the default 50 µs slack would show up as latency. */
	if (o->rate > 0) {
		prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
		pace_setup(t);
	}
	if (t->eng->init(t)) {
		atomic_store(&load_g.failed, 1);
		t->eng->fini(t);
		return NULL;
	}
	now = now_ns();
	t->next_scan = now;
	t->next_backoff = UINT64_MAX;
	for (unsigned i = 0; i < t->nconns; i++)
		conn_start(&t->conns[i], now);

	for (;;) {
		uint64_t next;

		now = now_ns();
		if (!t->cpu_started && now >= atomic_load(&load_g.win_start)) {
			getrusage(RUSAGE_THREAD, &t->ru0);
			t->cpu_started = true;
		}
		if (now >= atomic_load(&load_g.win_end))
			break;
		if (now >= t->next_scan || now >= t->next_backoff)
			scan(t, now);
		next = min_u64(min_u64(t->next_scan, t->next_backoff), now + MAX_WAIT_NS);
		if (o->rate > 0) {
			if (open_pass(t, now, &next) || pace_wait(t, pace_wake(&t->pace, next))) {
				atomic_store(&load_g.failed, 1);
				break;
			}
		} else if (t->eng->wait(t, next > now ? next - now : 0)) {
			atomic_store(&load_g.failed, 1);
			break;
		}
	}
	if (t->cpu_started) {
		getrusage(RUSAGE_THREAD, &ru1);
		t->st.user_s = tv_s(&ru1.ru_utime) - tv_s(&t->ru0.ru_utime);
		t->st.system_s = tv_s(&ru1.ru_stime) - tv_s(&t->ru0.ru_stime);
		t->st.wakeups = (uint64_t)(ru1.ru_nvcsw - t->ru0.ru_nvcsw);
	}
	for (unsigned i = 0; i < t->nconns; i++)
		conn_close(&t->conns[i]);
	t->eng->fini(t);
	return NULL;
}

int load_thread_init(struct load_thread *t)
{
	const struct load_opts *o = t->o;

	hist_init(&t->st.lat);
	hist_init(&t->st.lag);
	t->timeout_ns = (uint64_t)(o->timeout_s * 1e9);
	if (o->rate > 0) {
		t->interval_ns = 1e9 * o->threads / o->rate;
		t->phase_ns = t->interval_ns * t->idx / o->threads;
	}
	t->conns = calloc(t->nconns, sizeof(*t->conns));
	t->ts_slots = calloc((size_t)t->nconns * o->depth, sizeof(*t->ts_slots));
	if (!t->conns || !t->ts_slots) {
		LOG_ERR("out of memory for %u connections", t->nconns);
		return -1;
	}
	for (unsigned i = 0; i < t->nconns; i++) {
		struct load_conn *c = &t->conns[i];

		c->fd = -1;
		c->id = t->first_id + i;
		c->t = t;
		c->ts = &t->ts_slots[(size_t)i * o->depth];
		c->state = CONN_IDLE;
	}
	return 0;
}

void load_thread_free(struct load_thread *t)
{
	free(t->conns);
	free(t->ts_slots);
}
