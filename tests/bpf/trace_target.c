/*
 * A process with known kernel activity, for the probe tests to trace:
 *   getppid N [M]  N getppid syscalls (and M getsid, which no runtime calls)
 *   block K        blocks K times in read(2) on a pipe fed one byte per block
 *   uring K B      K io_uring NOPs in batches of B, one io_uring_enter each
 *   sqpoll K B     the same on an SQPOLL ring: the kernel thread submits
 *   fork N         a forked child makes N getppid calls
 *   nanosleep N MS N nanosleep(2) calls of MS milliseconds each
 *   uring-async K  K io_uring reads of a pipe holding data, each forced to an
 *                  io-wq worker with IOSQE_ASYNC (one punt each)
 *   uring-poll K   K io_uring recvs on an empty socket, each submitted first (the
 *                  kernel arms a poll) and then fed one byte (task work completes it)
 *   uring-async-nop K  K io_uring NOPs, each flagged IOSQE_ASYNC (one punt each)
 *   pingpong K     two threads pinned to one CPU wake each other K times through
 *                  pipes while a third thread spins on that CPU
 *   pingpong-procs K A B  a parent pinned to CPU A and its child pinned to CPU B
 *                  make K round trips of a byte through two pipes; with A == B
 *                  both run SCHED_FIFO (root), so each side sleeps exactly once
 *                  per round trip but the child's first: 2K - 1 sleeps, and two
 *                  exits (docs/time.md)
 *   spin [getsid]  getppid (and getsid) in a loop until killed, for `trace -p`
 * Exits 0 when it did exactly that, 1 otherwise, 77 if io_uring is refused.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <liburing.h>

static void calls(long nr, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		syscall(nr, 0);
}

/* pid's voluntary context switches so far (its main thread), or -1. */
static long voluntary_switches(pid_t pid)
{
	char file[64], line[128];
	long v = -1;
	FILE *f;

	snprintf(file, sizeof(file), "/proc/%d/status", (int)pid);
	f = fopen(file, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "voluntary_ctxt_switches: %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

/*
 * True once pid sleeps inside read(2) after a voluntary switch newer than *seen;
 * bounded to ~5 s. Waiting for the switch itself, not only for /proc/PID/syscall's
 * "in read" (which a task reports from the moment it is about to sleep), makes every
 * write below follow a block the kernel really counted.
 */
static int blocked_in_read(pid_t pid, long *seen)
{
	char file[64], buf[64];

	snprintf(file, sizeof(file), "/proc/%d/syscall", (int)pid);
	for (int tries = 0; tries < 50000; tries++) {
		long v = voluntary_switches(pid);
		FILE *f = fopen(file, "r");
		int ok;

		if (!f || v < 0) {
			if (f)
				fclose(f);
			return 0;
		}
		ok = fgets(buf, sizeof(buf), f) && !strncmp(buf, "0 ", 2) && v > *seen;
		fclose(f);
		if (ok) {
			*seen = v;
			return 1;
		}
		usleep(100);
	}
	return 0;
}

static int block(unsigned long k)
{
	pid_t reader = getpid(), writer;
	long seen = voluntary_switches(reader); /* before the reader can block */
	int fds[2], status;
	char c;

	if (pipe(fds) || seen < 0)
		return 1;
	writer = fork();
	if (writer < 0)
		return 1;
	if (writer == 0) {
		close(fds[0]);
		for (unsigned long i = 0; i < k; i++) {
			if (!blocked_in_read(reader, &seen) || write(fds[1], "x", 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	close(fds[1]);
	for (unsigned long i = 0; i < k; i++) {
		if (read(fds[0], &c, 1) != 1) {
			fprintf(stderr, "trace_target: pipe closed after %lu bytes\n", i);
			return 1;
		}
	}
	if (waitpid(writer, &status, 0) != writer || !WIFEXITED(status) || WEXITSTATUS(status))
		return 1;
	return 0;
}

/* 0 with the ring set up; 77 when io_uring is refused here, 1 on other errors. */
static int ring_init(struct io_uring *ring, struct io_uring_params *params)
{
	int ret = io_uring_queue_init_params(64, ring, params);

	if (ret == -ENOSYS || ret == -EPERM || ret == -EINVAL) {
		fprintf(stderr, "trace_target: io_uring unavailable: %s\n", strerror(-ret));
		return 77;
	}
	return ret < 0 ? 1 : 0;
}

static int uring(unsigned long k, unsigned long b, bool sqpoll)
{
	/* SQPOLL: a kernel thread (iou-sqp-PID, a thread of this process) submits. */
	struct io_uring_params params = {.flags = sqpoll ? IORING_SETUP_SQPOLL : 0,
					 .sq_thread_idle = 100};
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	int ret = ring_init(&ring, &params);

	if (ret)
		return ret;
	if (b == 0 || b > 64 || k % b)
		return 1;
	for (unsigned long done = 0; done < k; done += b) {
		unsigned head, seen = 0;

		for (unsigned long i = 0; i < b; i++)
			io_uring_prep_nop(io_uring_get_sqe(&ring));
		/*
		 * One io_uring_enter submits the batch and waits for all of it
		 * (with SQPOLL it only waits, or wakes the thread).
		 */
		ret = io_uring_submit_and_wait(&ring, b);
		/*
		 * SQPOLL: the SQEs are in the ring already and an interrupted wait is
		 * waited again below. liburing returns tail minus the kernel's SQ head,
		 * and the SQ thread posts a batch's CQEs before it commits the head past
		 * it, so the count can still hold the previous batch (16 for 8) or miss
		 * entries the thread has already taken. The CQEs are the real check.
		 */
		if (sqpoll && (ret >= 0 || ret == -EINTR || ret == -EAGAIN || ret == -EBUSY))
			ret = (int)b;
		if (ret != (int)b) {
			fprintf(stderr, "trace_target: submit_and_wait: %d, want %lu\n", ret, b);
			return 1;
		}
		/*
		 * On an SQPOLL ring io_uring_enter returns the count it was asked to submit
		 * even when its wait ended before every CQE was posted (the SQ thread may
		 * not have run yet): wait for the rest, once more at most in practice.
		 */
		while (io_uring_cq_ready(&ring) < b) {
			ret = io_uring_wait_cqe_nr(&ring, &cqe, (unsigned)b);
			if (ret < 0 && ret != -EINTR && ret != -EAGAIN) {
				fprintf(stderr, "trace_target: wait_cqe_nr: %s\n", strerror(-ret));
				return 1;
			}
		}
		io_uring_for_each_cqe(&ring, head, cqe)
		{
			if (cqe->res < 0)
				return 1;
			seen++;
		}
		if (seen != b)
			return 1;
		io_uring_cq_advance(&ring, seen);
	}
	io_uring_queue_exit(&ring);
	return 0;
}

/* Waits for the one CQE in flight; its result, or -1 on error. */
static int one_cqe(struct io_uring *ring)
{
	struct io_uring_cqe *cqe;
	int res;

	if (io_uring_wait_cqe(ring, &cqe))
		return -1;
	res = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

static int uring_async(unsigned long k)
{
	struct io_uring_params params = {0};
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int fds[2], ret = ring_init(&ring, &params);
	char c;

	if (ret)
		return ret;
	if (pipe(fds))
		return 1;
	for (unsigned long i = 0; i < k; i++) {
		/* The byte is there first: the worker's read never blocks. */
		if (write(fds[1], "x", 1) != 1)
			return 1;
		sqe = io_uring_get_sqe(&ring);
		io_uring_prep_read(sqe, fds[0], &c, 1, 0);
		io_uring_sqe_set_flags(sqe, IOSQE_ASYNC); /* always punt to io-wq */
		if (io_uring_submit(&ring) != 1 || one_cqe(&ring) != 1)
			return 1;
	}
	io_uring_queue_exit(&ring);
	return 0;
}

static int uring_poll(unsigned long k)
{
	struct io_uring_params params = {0};
	struct io_uring ring;
	int sv[2], ret = ring_init(&ring, &params);
	char c;

	if (ret)
		return ret;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return 1;
	for (unsigned long i = 0; i < k; i++) {
		/* Nothing to read at submit: the recv gets -EAGAIN and a poll armed. */
		io_uring_prep_recv(io_uring_get_sqe(&ring), sv[0], &c, 1, 0);
		if (io_uring_submit(&ring) != 1 || write(sv[1], "x", 1) != 1 || one_cqe(&ring) != 1)
			return 1;
	}
	io_uring_queue_exit(&ring);
	return 0;
}

static int uring_async_nop(unsigned long k)
{
	struct io_uring_params params = {0};
	struct io_uring ring;
	int ret = ring_init(&ring, &params);

	if (ret)
		return ret;
	for (unsigned long i = 0; i < k; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

		io_uring_prep_nop(sqe);
		io_uring_sqe_set_flags(sqe, IOSQE_ASYNC); /* queued to io-wq, not run inline */
		if (io_uring_submit(&ring) != 1 || one_cqe(&ring) != 0)
			return 1;
	}
	io_uring_queue_exit(&ring);
	return 0;
}

struct pong {
	int in, out; /* reads a byte from in, writes it to out */
	unsigned long k;
	int failed;
};

static void *ponger(void *arg)
{
	struct pong *p = arg;
	char c;

	for (unsigned long i = 0; i < p->k; i++)
		if (read(p->in, &c, 1) != 1 || write(p->out, &c, 1) != 1)
			p->failed = 1;
	return NULL;
}

static volatile bool spin_stop;

static void *spinner(void *arg)
{
	(void)arg;
	while (!spin_stop)
		;
	return NULL;
}

/* Every thread on the CPU this one runs on: wakeups must queue behind the spinner. */
static int pingpong(unsigned long k)
{
	struct pong pong = {.k = k};
	int ping[2], back[2], cpu = sched_getcpu(), failed = 0;
	pthread_t t, busy;
	cpu_set_t one;
	char c = 'x';

	CPU_ZERO(&one);
	CPU_SET(cpu < 0 ? 0 : cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one) || pipe(ping) || pipe(back))
		return 1;
	pong.in = ping[0];
	pong.out = back[1];
	if (pthread_create(&busy, NULL, spinner, NULL) || pthread_create(&t, NULL, ponger, &pong))
		return 1;
	for (unsigned long i = 0; i < k && !failed; i++)
		failed = write(ping[1], &c, 1) != 1 || read(back[0], &c, 1) != 1;
	spin_stop = true;
	pthread_join(t, NULL);
	pthread_join(busy, NULL);
	return failed || pong.failed;
}

/*
 * Pins the caller to cpu (a sleep, for the migration, unless it runs there
 * already); with fifo, SCHED_FIFO 1 as well. 0 or -1.
 */
static int pin_to(unsigned long cpu, bool fifo)
{
	struct sched_param sp = {.sched_priority = 1};
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one))
		return -1;
	return fifo ? sched_setscheduler(0, SCHED_FIFO, &sp) : 0;
}

/*
 * On one CPU at SCHED_FIFO a woken side never preempts the side that woke it:
 * the parent's write leaves the child runnable, the parent sleeps in its read,
 * the child reads without sleeping, writes (waking the parent), and sleeps in
 * its next read. The parent sleeps K times, the child K - 1 (its first byte is
 * there before it first runs); the child exits before the parent runs again, so
 * the parent's wait4 finds it dead without sleeping.
 */
static int pingpong_procs(unsigned long k, unsigned long a, unsigned long b)
{
	int ab[2], ba[2], status;
	bool fifo = a == b;
	char c = 'x';
	pid_t pid;

	if (pipe(ab) || pipe(ba) || pin_to(a, fifo))
		return 1;
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		if (pin_to(b, false))
			_exit(1);
		for (unsigned long i = 0; i < k; i++)
			if (read(ab[0], &c, 1) != 1 || write(ba[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	for (unsigned long i = 0; i < k; i++)
		if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1)
			return 1;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return 1;
	return 0;
}

static _Noreturn void spin(bool getsid_too)
{
	for (;;) {
		syscall(SYS_getppid);
		if (getsid_too)
			syscall(SYS_getsid, 0);
	}
}

static int sleeps(unsigned long n, unsigned long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	for (unsigned long i = 0; i < n; i++)
		if (syscall(SYS_nanosleep, &ts, NULL))
			return 1;
	return 0;
}

static int forked(unsigned long n)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return 1;
	if (pid == 0) {
		calls(SYS_getppid, n);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return 1;
	return 0;
}

static unsigned long arg(int argc, char **argv, int i)
{
	return i < argc ? strtoul(argv[i], NULL, 10) : 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "spin"))
		spin(argc > 2 && !strcmp(argv[2], "getsid"));
	if (argc < 3) {
		fprintf(stderr, "usage: trace_target getppid|block|uring|sqpoll|fork|nanosleep|"
				"uring-async|uring-poll|uring-async-nop|pingpong N [M] | "
				"pingpong-procs K A B | "
				"spin [getsid]\n");
		return 2;
	}
	if (!strcmp(argv[1], "getppid")) {
		calls(SYS_getppid, arg(argc, argv, 2));
		calls(SYS_getsid, arg(argc, argv, 3));
		return 0;
	}
	if (!strcmp(argv[1], "block"))
		return block(arg(argc, argv, 2));
	if (!strcmp(argv[1], "uring"))
		return uring(arg(argc, argv, 2), arg(argc, argv, 3), false);
	if (!strcmp(argv[1], "sqpoll"))
		return uring(arg(argc, argv, 2), arg(argc, argv, 3), true);
	if (!strcmp(argv[1], "fork"))
		return forked(arg(argc, argv, 2));
	if (!strcmp(argv[1], "nanosleep"))
		return sleeps(arg(argc, argv, 2), arg(argc, argv, 3));
	if (!strcmp(argv[1], "uring-async"))
		return uring_async(arg(argc, argv, 2));
	if (!strcmp(argv[1], "uring-poll"))
		return uring_poll(arg(argc, argv, 2));
	if (!strcmp(argv[1], "uring-async-nop"))
		return uring_async_nop(arg(argc, argv, 2));
	if (!strcmp(argv[1], "pingpong"))
		return pingpong(arg(argc, argv, 2));
	if (!strcmp(argv[1], "pingpong-procs"))
		return pingpong_procs(arg(argc, argv, 2), arg(argc, argv, 3), arg(argc, argv, 4));
	fprintf(stderr, "trace_target: unknown mode %s\n", argv[1]);
	return 2;
}
