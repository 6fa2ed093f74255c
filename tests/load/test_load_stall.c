/*
 * Open loop without coordinated omission, with the engine named in argv[1]: at
 * 2000 requests/s the echo server (a child process) is stopped for 250 ms. Only
 * 8 requests are in flight then, but the ~500 scheduled during the stall are
 * timed from their intended send time, so the p99 shows the stall (>= 150 ms)
 * while the median stays small.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "loadtest.h"

#define STALL_AT_S 1.0 /* after the start: 0.7 s into the measured window */
#define STALL_MS   250

static pid_t server;

static void sleep_s(double s)
{
	struct timespec ts = {.tv_sec = (time_t)s, .tv_nsec = (long)((s - (time_t)s) * 1e9)};

	while (nanosleep(&ts, &ts))
		;
}

static void *stopper(void *arg)
{
	sleep_s(STALL_AT_S);
	kill(server, SIGSTOP);
	sleep_s(STALL_MS / 1e3);
	kill(server, SIGCONT);
	return NULL;
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
				 "--warmup", "0.3", NULL},
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
	fprintf(stderr, "stall %d ms at %s: %lld requests, p50 %.0f us, p99 %.0f us\n", STALL_MS,
		lt_engine, n, p50, p99);
	lt_free(&r);
	return check_exit();
}
