/*
 * ringside-load in echo mode, with the engine named in argv[1], against echo
 * servers inside this test: a correct run (every JSON key, exact byte count,
 * phase lines), a server that corrupts echoes (mismatch counted, run goes on),
 * large payloads, the open-loop rate, a server that never answers (timeout), one
 * that resets (reset), a port where nothing listens (exit 1, fast, naming it),
 * and more data in flight than the uring engine has provided buffers (-ENOBUFS).
 */
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "loadtest.h"

static const char *const keys[] = {
    "tool",
    "version",
    "mode",
    "engine",
    "target",
    "connections",
    "threads",
    "depth",
    "rate",
    "payload_bytes",
    "duration_s",
    "requests",
    "bytes",
    "requests_per_sec",
    "bytes_per_sec",
    "latency_us.p50",
    "latency_us.p90",
    "latency_us.p99",
    "latency_us.p999",
    "latency_us.max",
    "latency_us.mean",
    "errors.connect",
    "errors.reset",
    "errors.timeout",
    "errors.mismatch",
    "errors.status",
    "errors.total",
    "cpu.user_s",
    "cpu.system_s",
    "cpu.utilisation",
    "schedule_lag_us",
};

static bool has_key(const json_t *j, const char *path)
{
	char buf[64], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k; k = strtok_r(NULL, ".", &save)) {
		if (!json_is_object(j) || !(j = json_object_get(j, k)))
			return false;
	}
	return true;
}

static void test_correct(const char *target)
{
	struct lt_run r;
	char fdarg[16], phases[64] = "";
	int pfd[2];
	ssize_t n;

	if (pipe(pfd)) {
		perror("pipe");
		exit(1);
	}
	snprintf(fdarg, sizeof(fdarg), "%d", pfd[1]);
	lt_exec(&r,
		(const char *[]){"--target", target, "-c", "4", "-t", "2", "--payload", "100",
				 "--depth", "2", "-d", "0.5", "--warmup", "0.2", "--phase-fd",
				 fdarg, NULL},
		pfd[1], 20);
	close(pfd[1]);
	n = read(pfd[0], phases, sizeof(phases) - 1);
	close(pfd[0]);
	CHECK(r.exit_code == 0);
	CHECK(r.json != NULL);
	if (!r.json) {
		fprintf(stderr, "stdout: %s\nstderr: %s\n", r.out, r.err);
		return;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (!has_key(r.json, keys[i])) {
			fprintf(stderr, "missing key %s\n", keys[i]);
			lt_failures++;
		}
	}
	CHECK(!strcmp(json_string_value(json_object_get(r.json, "tool")), "ringside-load"));
	CHECK(!strcmp(json_string_value(json_object_get(r.json, "mode")), "echo"));
	CHECK(json_is_null(json_object_get(r.json, "rate")));
	/* Closed loop has no schedule to lag behind. */
	CHECK(json_is_null(json_object_get(r.json, "schedule_lag_us")));
	CHECK(json_is_null(json_object_get(r.json, "pacing")));
	CHECK(lt_int(r.json, "skipped") == 0);
	CHECK(lt_num(r.json, "wakeups_per_request") >= 0);
	CHECK(lt_int(r.json, "connections") == 4 && lt_int(r.json, "threads") == 2);
	CHECK(lt_int(r.json, "requests") > 0);
	CHECK(lt_int(r.json, "errors.total") == 0);
	CHECK(lt_int(r.json, "bytes") == 100 * lt_int(r.json, "requests"));
	CHECK(lt_num(r.json, "duration_s") >= 0.49 && lt_num(r.json, "duration_s") < 0.8);
	CHECK(fabs(lt_num(r.json, "requests_per_sec") * lt_num(r.json, "duration_s") -
		   (double)lt_int(r.json, "requests")) < 1);
	CHECK(lt_num(r.json, "latency_us.p50") <= lt_num(r.json, "latency_us.p99"));
	CHECK(lt_num(r.json, "latency_us.p99") <= lt_num(r.json, "latency_us.max"));
	CHECK(lt_num(r.json, "latency_us.p50") >= 1);
	CHECK(lt_num(r.json, "cpu.utilisation") > 0 && lt_num(r.json, "cpu.utilisation") <= 1.05);
	CHECK(n > 0 && !strcmp(phases, "start\nstop\n"));
	fprintf(stderr, "echo: %lld requests, phases %s", lt_int(r.json, "requests"),
		n > 0 ? "start+stop\n" : "missing\n");
	lt_free(&r);
}

/*
 * A run against a faulty server that start() brings up: exit 0 with JSON, some
 * errors of kind, and no errors of any other kind. a1/a2 are extra options.
 */
static void run_faulty(struct lt_run *r, struct lt_server *s, void (*start)(struct lt_server *),
		       const char *kind, const char *a1, const char *a2)
{
	char target[64], key[32];

	start(s);
	snprintf(target, sizeof(target), "127.0.0.1:%u", s->port);
	snprintf(key, sizeof(key), "errors.%s", kind);
	lt_exec(r,
		(const char *[]){"--target", target, "-c", "2", "-d", "0.5", "--warmup", "0.1", a1,
				 a2, NULL},
		-1, 20);
	CHECK(r->exit_code == 0 && r->json);
	CHECKF(lt_int(r->json, key) > 0, "no %s errors", kind);
	CHECK(lt_int(r->json, "errors.total") == lt_int(r->json, key));
	fprintf(stderr, "%s: %lld requests, %lld %s errors\n", kind, lt_int(r->json, "requests"),
		lt_int(r->json, key), kind);
}

static void test_corrupt(void)
{
	static struct lt_server s = {.corrupt_every = 50};
	struct lt_run r;

	run_faulty(&r, &s, lt_echo_start, "mismatch", NULL, NULL);
	CHECK(lt_int(r.json, "requests") > 0);
	lt_free(&r);
}

static void test_large(const char *target)
{
	struct lt_run r;

	lt_exec(&r,
		(const char *[]){"--target", target, "-c", "2", "--payload", "50000", "--depth",
				 "3", "-d", "0.4", "--warmup", "0.1", NULL},
		-1, 20);
	CHECK(r.exit_code == 0 && r.json);
	CHECK(lt_int(r.json, "requests") > 0);
	CHECK(lt_int(r.json, "errors.total") == 0);
	CHECK(lt_int(r.json, "bytes") == 50000 * lt_int(r.json, "requests"));
	lt_free(&r);
}

/* Stops ringside-load for 200 ms, 0.5 s after it started. */
static void *pause_client(void *arg)
{
	struct timespec half = {0, 500000000}, stop = {0, 200000000};
	pid_t pid;

	while (!(pid = atomic_load(&lt_child)))
		sched_yield();
	nanosleep(&half, NULL);
	kill(pid, SIGSTOP);
	nanosleep(&stop, NULL);
	kill(pid, SIGCONT);
	return NULL;
}

/*
 * More data arrives at once than the uring engine has provided buffers (8 x
 * 16 kB here, through the RINGSIDE_LOAD_BUFS test knob): 64 connections with
 * 150 kB each in flight (small enough for the sanitizer builds' time), and the client stopped for
 * 200 ms so their receive queues fill. On SIGCONT the multishot recvs end with -ENOBUFS and must be
 * armed again (a regression hangs them into timeouts or loses bytes).
 */
static void test_out_of_buffers(void)
{
	static struct lt_server s = {0};
	struct lt_run r;
	char target[64];
	pthread_t t;

	lt_echo_start(&s); /* its own: the 64 echo threads may still be busy after the run */
	snprintf(target, sizeof(target), "127.0.0.1:%u", s.port);
	setenv("RINGSIDE_VERBOSE", "1", 1);
	setenv("RINGSIDE_LOAD_BUFS", "8", 1);
	if (pthread_create(&t, NULL, pause_client, NULL)) {
		perror("pthread_create");
		exit(1);
	}
	lt_exec(&r,
		(const char *[]){"--target", target, "-c", "64", "--payload", "50000", "--depth",
				 "3", "-d", "1", "--warmup", "0.1", NULL},
		-1, 20);
	pthread_join(t, NULL);
	unsetenv("RINGSIDE_VERBOSE");
	unsetenv("RINGSIDE_LOAD_BUFS");
	CHECK(r.exit_code == 0 && r.json);
	CHECK(lt_int(r.json, "requests") > 0);
	CHECK(lt_int(r.json, "errors.total") == 0);
	CHECK(lt_int(r.json, "bytes") == 50000 * lt_int(r.json, "requests"));
	if (!strcmp(lt_engine, "uring"))
		CHECKF(strstr(r.err, "ran out of buffers"), "no -ENOBUFS seen: %.200s", r.err);
	fprintf(stderr, "64 x 150 kB in flight, client paused: %lld requests, -ENOBUFS %s\n",
		lt_int(r.json, "requests"),
		strstr(r.err, "ran out of buffers") ? "seen" : "not seen");
	lt_free(&r);
}

static void test_rate(const char *target)
{
	struct lt_run r;
	long long n;

	lt_exec(&r,
		(const char *[]){"--target", target, "-c", "4", "--rate", "1000", "-d", "1",
				 "--warmup", "0.2", NULL},
		-1, 20);
	CHECK(r.exit_code == 0 && r.json);
	n = lt_int(r.json, "requests");
	CHECKF(n >= 900 && n <= 1100, "%lld requests", n);
	CHECK(lt_num(r.json, "rate") == 1000);
	CHECK(lt_int(r.json, "errors.total") == 0);
	/* Open loop: the lag of every request issued in the window, µs, ordered. */
	CHECK(json_is_object(json_object_get(r.json, "schedule_lag_us")));
	CHECKF(lt_int(r.json, "schedule_lag_us.count") >= n - 4, "%lld lagged of %lld",
	       lt_int(r.json, "schedule_lag_us.count"), n);
	CHECK(lt_num(r.json, "schedule_lag_us.p50") >= 0);
	CHECK(lt_num(r.json, "schedule_lag_us.p50") <= lt_num(r.json, "schedule_lag_us.p99"));
	CHECK(lt_num(r.json, "schedule_lag_us.p99") <= lt_num(r.json, "schedule_lag_us.max"));
	/*
	 * The pacing: a tick, wakes counted, and (no stall here) next to nothing skipped:
	 * at most 10 and 5% of the sends, as a VM that deschedules the client for over
	 * --max-lag-ms (10 ms) skips the sends due then; a pacer that cannot keep 1,000/s
	 * skips most of them.
	 */
	CHECK(lt_num(r.json, "pacing.tick_us") > 0);
	CHECK(lt_num(r.json, "wakeups_per_request") > 0);
	CHECKF(lt_int(r.json, "skipped") >= 0 && lt_int(r.json, "skipped") <= 10 + n / 20,
	       "%lld skipped", lt_int(r.json, "skipped"));
	fprintf(stderr, "rate 1000/s for 1 s: %lld requests, lag p99 %g us\n", n,
		lt_num(r.json, "schedule_lag_us.p99"));
	lt_free(&r);
}

/*
 * A new connection per request works for echo too: every byte checked, no errors,
 * and each of the ~250 scheduled requests sent or counted skipped (a slow,
 * sanitized client skips some: 191 sent once under TSan on a host with steal,
 * 96 another time), so at least 50 sent.
 */
static void test_churn(const char *target)
{
	struct lt_run r;

	lt_exec(&r,
		(const char *[]){"--target", target, "-c", "2", "--rate", "500", "-d", "0.5",
				 "--warmup", "0.1", "--new-connection-per-request", NULL},
		-1, 20);
	CHECK(r.exit_code == 0 && r.json);
	CHECKF(lt_int(r.json, "requests") >= 50 &&
		   lt_int(r.json, "requests") + lt_int(r.json, "skipped") >= 200,
	       "%lld requests, %lld skipped", lt_int(r.json, "requests"),
	       lt_int(r.json, "skipped"));
	CHECK(lt_int(r.json, "errors.total") == 0);
	CHECK(lt_int(r.json, "bytes") == 64 * lt_int(r.json, "requests"));
	lt_free(&r);
}

/* Nothing is ever answered: timeouts, and a connection replaced for each. */
static void test_timeout(void)
{
	static struct lt_server s = {0};
	struct lt_run r;

	run_faulty(&r, &s, lt_silent_start, "timeout", "--timeout", "0.1");
	CHECK(lt_int(r.json, "requests") == 0);
	CHECK(lt_int(r.json, "errors.timeout") >= 2);
	/* Each timeout replaces the connection: the server sees new ones. */
	CHECKF(atomic_load(&s.accepted) >= 4, "%lu accepts", atomic_load(&s.accepted));
	lt_free(&r);
}

/* The server resets each connection after the first request: `reset` errors. */
static void test_reset(void)
{
	static struct lt_server s = {0};
	struct lt_run r;

	run_faulty(&r, &s, lt_reset_start, "reset", NULL, NULL);
	CHECK(lt_int(r.json, "requests") == 0);
	lt_free(&r);
}

static void test_refused(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	char target[64], *nl;
	struct lt_run r;
	int fd;

	/* Bound but not listening: the port stays ours and every connect is refused. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(fd, (struct sockaddr *)&a, &len)) {
		perror("bind");
		exit(1);
	}
	snprintf(target, sizeof(target), "127.0.0.1:%u", ntohs(a.sin_port));
	lt_exec(&r, (const char *[]){"--target", target, "-c", "3", "-d", "10", NULL}, -1, 10);
	close(fd);
	CHECK(r.exit_code == 1);
	CHECK(r.elapsed_s < 5);
	CHECK(strstr(r.err, target) != NULL);
	CHECK(strstr(r.err, "refused") != NULL);
	nl = strchr(r.err, '\n');
	CHECK(nl && nl[1] == '\0'); /* exactly one line */
	CHECK(r.out[0] == '\0');
	fprintf(stderr, "refused: exit %d after %.2f s: %s", r.exit_code, r.elapsed_s, r.err);
	lt_free(&r);
}

int main(int argc, char **argv)
{
	static struct lt_server s = {0};
	char target[64];

	lt_init(argc, argv);
	lt_echo_start(&s);
	snprintf(target, sizeof(target), "127.0.0.1:%u", s.port);
	test_correct(target);
	test_corrupt();
	test_large(target);
	test_rate(target);
	test_churn(target);
	test_timeout();
	test_reset();
	test_refused();
	test_out_of_buffers();
	return check_exit();
}
