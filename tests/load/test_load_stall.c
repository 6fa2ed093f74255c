/*
 * Open loop without coordinated omission, with the engine named in argv[1]: at
 * 2000 requests/s the echo server (a child process) is stopped for 250 ms. Only
 * 8 requests are in flight then, but the ~500 scheduled during the stall are
 * timed from their intended send time, so the p99 shows the stall (>= 150 ms)
 * while the median stays small, and none is skipped: they waited for the
 * server, not for the client.
 *
 * Then the load generator itself is stopped for 250 ms: the requests due
 * meanwhile that it cannot send within --max-lag-ms (10 ms) of their time are
 * skipped and counted (about 480), even on connections whose response came in
 * during its stop, and the lag of those it sent stays within the bound.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "loadtest.h"

#define STALL_AT_S 1.0 /* after the start: 0.7 s into the measured window */
#define STALL_MS   250
/* The server stall: a skip bound well under the stall, far above a slow client's lag. */
#define SERVER_STALL_LAG_MS "100"

static pid_t server;
static bool stop_client; /* stop the load generator, not the server */

static void sleep_s(double s)
{
	struct timespec ts = {.tv_sec = (time_t)s, .tv_nsec = (long)((s - (time_t)s) * 1e9)};

	while (nanosleep(&ts, &ts))
		;
}

static void *stopper(void *arg)
{
	pid_t who = server;

	sleep_s(STALL_AT_S);
	if (stop_client)
		who = atomic_load(&lt_child);
	if (who <= 0)
		return NULL;
	kill(who, SIGSTOP);
	sleep_s(STALL_MS / 1e3);
	kill(who, SIGCONT);
	return NULL;
}

/* The load generator stalls: its late sends are skipped and counted. */
static void client_stall(const char *target)
{
	struct lt_run r;
	pthread_t t;
	long long n, skipped;
	double lag_max;

	stop_client = true;
	if (pthread_create(&t, NULL, stopper, NULL)) {
		perror("pthread_create");
		exit(1);
	}
	lt_exec(&r,
		(const char *[]){"--target", target, "-c", "8", "--rate", "2000", "-d", "2",
				 "--warmup", "0.3", NULL},
		-1, 30);
	pthread_join(t, NULL);
	CHECK(r.exit_code == 0 && r.json);
	if (!r.json) {
		fprintf(stderr, "stdout: %s\nstderr: %s\n", r.out, r.err);
		return;
	}
	n = lt_int(r.json, "requests");
	skipped = lt_int(r.json, "skipped");
	lag_max = lt_num(r.json, "schedule_lag_us.max");
	/*
	 * About 480 are due in the stop and not sendable within 10 ms of it. The
	 * responses to the 8 requests in flight come in during the stop, but the
	 * generator sees them only after it: they are dated back to when its wait
	 * was to end (loop.c, slot_free_at), else their connections' backlog would
	 * count as ready at the resume and go out unskipped (2 skipped, once, on a
	 * loaded CI host). At least 300; at most 1200, since a loaded host makes the
	 * generator late outside the stop too (714 seen with both CPUs busy), but
	 * never most of the 4000.
	 */
	CHECKF(skipped >= 300 && skipped <= 1200, "%lld skipped after a 250 ms stop", skipped);
	CHECKF(n + skipped >= 3400 && n + skipped <= 4400, "%lld sent + %lld skipped", n, skipped);
	/* Sent within the bound (10 ms), as the histogram rounds it (under 1%). */
	CHECKF(lag_max <= 10000 * 1.01, "lag max %.0f us beyond --max-lag-ms", lag_max);
	CHECK(lt_int(r.json, "errors.total") == 0);
	CHECK(lt_num(r.json, "wakeups_per_request") > 0);
	CHECK(lt_num(r.json, "pacing.tick_us") > 0);
	CHECK(lt_int(r.json, "pacing.passes") > 0);
	fprintf(
	    stderr,
	    "load generator stopped %d ms at %s: %lld requests, %lld skipped, lag max %.0f us\n",
	    STALL_MS, lt_engine, n, skipped, lag_max);
	lt_free(&r);
}

int main(int argc, char **argv)
{
	static struct lt_server s = {0};
	struct lt_run r;
	char target[64];
	pthread_t t;
	double p50, p99;
	long long n;

	lt_init(argc, argv);
	server = lt_echo_fork(&s);
	snprintf(target, sizeof(target), "127.0.0.1:%u", s.port);
	if (pthread_create(&t, NULL, stopper, NULL)) {
		perror("pthread_create");
		return 1;
	}
	lt_exec(&r,
		(const char *[]){"--target", target, "-c", "8", "--rate", "2000", "-d", "2",
				 "--warmup", "0.3", "--max-lag-ms", SERVER_STALL_LAG_MS, NULL},
		-1, 30);
	pthread_join(t, NULL);
	CHECK(r.exit_code == 0 && r.json);
	if (!r.json) {
		fprintf(stderr, "stdout: %s\nstderr: %s\n", r.out, r.err);
		return check_exit();
	}
	n = lt_int(r.json, "requests");
	p50 = lt_num(r.json, "latency_us.p50");
	p99 = lt_num(r.json, "latency_us.p99");
	/* The stalled requests are answered after SIGCONT: about 4000 in all. */
	CHECKF(n >= 3400 && n <= 4400, "%lld requests", n);
	CHECK(lt_int(r.json, "errors.total") == 0);
	CHECKF(p99 >= 150000, "p99 %.0f us does not show the 250 ms stall", p99);
	CHECKF(p99 <= 1000000, "p99 %.0f us: far beyond the stall", p99);
	CHECKF(p50 < 50000, "p50 %.0f us: the stall should touch a few percent", p50);
	/*
	 * They waited for the server: none is skipped. A pacer that counted the stall
	 * as its own lateness would skip the requests due more than --max-lag-ms (100
	 * ms here) before the server woke: about 300. The bound is that long so that
	 * a client that is merely slow (a loaded CI host under ASan: p50 4.7 ms, 137
	 * skipped with a 10 ms bound) skips none: at most 20 and 1%, a third of 300.
	 */
	CHECKF(lt_int(r.json, "skipped") >= 0 && lt_int(r.json, "skipped") <= 20 + n / 100,
	       "%lld skipped: a server stall must not skip", lt_int(r.json, "skipped"));
	fprintf(stderr, "stall %d ms at %s: %lld requests, p50 %.0f us, p99 %.0f us\n", STALL_MS,
		lt_engine, n, p50, p99);
	lt_free(&r);
	client_stall(target);
	return check_exit();
}
