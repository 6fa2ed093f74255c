/*
 * wakeup_measure(): the CPU of one sleep and wake, from a pipe ping-pong between
 * two pinned threads; each thread reads its own CPU time (CLOCK_THREAD_CPUTIME_ID,
 * the scheduler's sum_exec_runtime). Needs pthreads and pipes only. See wakeup.h.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "wakeup.h"

struct side {
	int cpu;
	int in, out;		       /* read from in, write to out */
	bool first;		       /* side A: writes first */
	double cpu_ns[WAKEUP_PASSES];  /* thread CPU per pass */
	double wall_ns[WAKEUP_PASSES]; /* wall time per pass */
	int err;		       /* errno of a failure, 0 if none */
};

static double clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int pin(int cpu)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	return sched_setaffinity(0, sizeof(one), &one) ? errno : 0;
}

/* One round trip as this side plays it; false on a short read or write. */
static bool round_trip(const struct side *s)
{
	char c = 'x';

	if (s->first)
		return write(s->out, &c, 1) == 1 && read(s->in, &c, 1) == 1;
	return read(s->in, &c, 1) == 1 && write(s->out, &c, 1) == 1;
}

static void *play(void *arg)
{
	struct side *s = arg;

	s->err = pin(s->cpu);
	for (int i = 0; !s->err && i < WAKEUP_WARMUP; i++)
		if (!round_trip(s))
			s->err = EIO;
	for (int p = 0; !s->err && p < WAKEUP_PASSES; p++) {
		double cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID), wall = clock_ns(CLOCK_MONOTONIC);

		for (int i = 0; !s->err && i < WAKEUP_ROUND_TRIPS; i++)
			if (!round_trip(s))
				s->err = EIO;
		s->cpu_ns[p] = clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu;
		s->wall_ns[p] = clock_ns(CLOCK_MONOTONIC) - wall;
	}
	/* A failed side's peer reads EOF instead of waiting for ever. */
	if (s->err) {
		close(s->out);
		s->out = -1;
	}
	return NULL;
}

/* One thread on cpu: write and read a byte on its own pipe, never sleeping. */
struct pair {
	int cpu;
	double cpu_ns[WAKEUP_PASSES];
	int err;
};

static void *pair_run(void *arg)
{
	struct pair *q = arg;
	int fd[2];
	char c = 'x';

	q->err = pin(q->cpu);
	if (q->err)
		return NULL;
	if (pipe(fd)) {
		q->err = errno;
		return NULL;
	}
	for (int p = 0; !q->err && p < WAKEUP_PASSES; p++) {
		double cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID);

		for (int i = 0; i < WAKEUP_ROUND_TRIPS * 4; i++)
			if (write(fd[1], &c, 1) != 1 || read(fd[0], &c, 1) != 1) {
				q->err = EIO;
				break;
			}
		q->cpu_ns[p] = (clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu) / 4;
	}
	close(fd[0]);
	close(fd[1]);
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v)
{
	qsort(v, WAKEUP_PASSES, sizeof(v[0]), cmp_double);
	return v[WAKEUP_PASSES / 2];
}

static int ping_pong(struct side s[2])
{
	int ab[2], ba[2], err = 0;
	pthread_t t[2];

	if (pipe(ab))
		return errno;
	if (pipe(ba)) {
		err = errno;
		close(ab[0]);
		close(ab[1]);
		return err;
	}
	s[0].in = ba[0];
	s[0].out = ab[1];
	s[1].in = ab[0];
	s[1].out = ba[1];
	err = pthread_create(&t[0], NULL, play, &s[0]);
	if (!err) {
		err = pthread_create(&t[1], NULL, play, &s[1]);
		if (err) { /* side A reads EOF and ends */
			close(ba[1]);
			s[1].out = -1;
		}
		pthread_join(t[0], NULL);
		if (!err)
			pthread_join(t[1], NULL);
	}
	for (int i = 0; i < 2; i++) {
		if (s[i].in >= 0)
			close(s[i].in);
		if (s[i].out >= 0)
			close(s[i].out);
	}
	if (!err)
		err = s[0].err ? s[0].err : s[1].err;
	if (!err && (s[0].cpu_ns[0] <= 0 || s[1].cpu_ns[0] <= 0))
		err = EIO;
	return err;
}

int wakeup_measure(int cpu_a, int cpu_b, struct wakeup_cost *out)
{
	struct side s[2] = {{.cpu = cpu_a, .first = true}, {.cpu = cpu_b}};
	struct pair q = {.cpu = cpu_a};
	pthread_t t;
	double a, b;
	int err;

	if (cpu_a < 0 || cpu_a >= CPU_SETSIZE || cpu_b < 0 || cpu_b >= CPU_SETSIZE) {
		errno = EINVAL;
		return -1;
	}
	err = pthread_create(&t, NULL, pair_run, &q);
	if (err) {
		errno = err;
		return -1;
	}
	pthread_join(t, NULL);
	err = q.err ? q.err : ping_pong(s);
	if (err) {
		errno = err;
		return -1;
	}
	a = median(s[0].cpu_ns) / WAKEUP_ROUND_TRIPS / 1e3;
	b = median(s[1].cpu_ns) / WAKEUP_ROUND_TRIPS / 1e3;
	out->side_us[0] = a;
	out->side_us[1] = b;
	out->pair_us = median(q.cpu_ns) / WAKEUP_ROUND_TRIPS / 1e3;
	out->wall_us = median(s[0].wall_ns) / WAKEUP_ROUND_TRIPS / 1e3;
	out->us = (cpu_a == cpu_b ? (a + b) / 2 : a) - out->pair_us;
	return 0;
}
