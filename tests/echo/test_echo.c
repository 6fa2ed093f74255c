/*
 * Integration test for ringside-echo: starts the server ($RS_BUILD/ringside-echo,
 * --port 0 --ready-fd), drives it over loopback and verifies every echoed byte,
 * then SIGTERMs it and requires exit 0. Usage: test_echo MODEL CASE, CASE one of
 * basic many reset noread c10k emfile idle threads badopts. Exit 0/1/77.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "net.h"
#include "clock.h"

#define MAX_MSG (64 * 1024)

struct server {
	pid_t pid;
	unsigned port;
	int errfd; /* the server's stderr (a memfd), shown when something goes wrong */
};

struct cconn {
	int fd;
	uint64_t rng; /* seeds each message's contents and size */
	unsigned msgs_left;
	size_t len, sent, recvd;
	char *msg;
};

static const char *model;
static char server_path[4096];

static double now_s(void)
{
	return now_ns() / 1e9;
}

static uint64_t rng_next(uint64_t *s)
{
	/* splitmix64 */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void fill(char *buf, size_t len, uint64_t seed)
{
	for (size_t i = 0; i < len; i += 8) {
		uint64_t v = rng_next(&seed);

		memcpy(buf + i, &v, len - i < 8 ? len - i : 8);
	}
}

static void show_server_stderr(const struct server *s)
{
	char buf[4096];
	ssize_t n;

	lseek(s->errfd, 0, SEEK_SET);
	while ((n = read(s->errfd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, n, stderr);
}

/* Starts the server; nofile > 0 caps its RLIMIT_NOFILE. Exits 77 if it exits 3. */
static void server_start(struct server *s, const char *const *extra, unsigned long nofile)
{
	const char *argv[32] = {server_path, "--model", model, "--port", "0", "--ready-fd", "3"};
	int pfd[2], argc = 7, status;
	char line[64] = "";
	ssize_t n = 0;

	while (extra && *extra && argc < 30)
		argv[argc++] = *extra++;
	s->errfd = memfd_create("server-stderr", MFD_CLOEXEC);
	if (s->errfd < 0 || pipe2(pfd, O_CLOEXEC)) {
		perror("memfd/pipe");
		exit(1);
	}
	s->pid = fork();
	if (s->pid == 0) {
		struct rlimit rl = {nofile, nofile};

		dup2(pfd[1], 3);
		dup2(s->errfd, 2);
		if (nofile && setrlimit(RLIMIT_NOFILE, &rl))
			_exit(126);
		execv(server_path, (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	struct pollfd p = {.fd = pfd[0], .events = POLLIN};
	if (poll(&p, 1, 10000) == 1)
		n = read(pfd[0], line, sizeof(line) - 1);
	close(pfd[0]);
	if (n > 0 && sscanf(line, "ready %u", &s->port) == 1 && s->port)
		return;
	kill(s->pid, SIGKILL);
	waitpid(s->pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 3) {
		printf("skip: %s refused by the kernel (server exit 3):\n", model);
		fflush(stdout);
		show_server_stderr(s);
		exit(77);
	}
	fprintf(stderr, "FAIL: server did not become ready (status %#x); its stderr:\n", status);
	show_server_stderr(s);
	exit(1);
}

/* SIGTERM, bounded wait; 0 if it exited 0. */
static int server_stop(struct server *s)
{
	int status = 0;
	double end = now_s() + 5;

	kill(s->pid, SIGTERM);
	while (waitpid(s->pid, &status, WNOHANG) == 0) {
		if (now_s() > end) {
			fprintf(stderr, "FAIL: server ignored SIGTERM for 5 s\n");
			kill(s->pid, SIGKILL);
			waitpid(s->pid, &status, 0);
			return -1;
		}
		usleep(5000);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "FAIL: server exit status %#x after SIGTERM; its stderr:\n",
			status);
		show_server_stderr(s);
		return -1;
	}
	return 0;
}

static int connect_one(unsigned port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("connect");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	net_set_nodelay(fd);
	return fd;
}

static void reset_close(int fd)
{
	struct linger lg = {.l_onoff = 1, .l_linger = 0};

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

static void msg_new(struct cconn *c, size_t max)
{
	unsigned bits = rng_next(&c->rng) % 17;
	size_t len = 1 + rng_next(&c->rng) % (1u << bits);

	c->len = len < max ? len : max;
	c->sent = c->recvd = 0;
	fill(c->msg, c->len, rng_next(&c->rng));
}

/*
 * Echoes msgs messages (sizes 1..max, log-uniform) on each of n connections at
 * once, verifying every byte. Returns the number of failed connections.
 */
static int run_echo(struct cconn *cs, int n, unsigned msgs, size_t max, double timeout_s,
		    uint64_t *bytes)
{
	int ep = epoll_create1(EPOLL_CLOEXEC), active = n, errors = 0;
	struct epoll_event evs[256];
	static char rbuf[MAX_MSG];
	double end = now_s() + timeout_s;

	for (int i = 0; i < n; i++) {
		struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLET,
					 .data.ptr = &cs[i]};

		net_set_nonblock(cs[i].fd, true);
		cs[i].msgs_left = msgs;
		if (!cs[i].msg)
			cs[i].msg = malloc(max);
		msg_new(&cs[i], max);
		epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
	}
	while (active > 0 && now_s() < end) {
		int k = epoll_wait(ep, evs, 256, 100);

		for (int e = 0; e < k; e++) {
			struct cconn *c = evs[e].data.ptr;
			bool fail = false;
			ssize_t r;

			if (!c->msgs_left)
				continue;
			while (c->sent < c->len) {
				r = write(c->fd, c->msg + c->sent, c->len - c->sent);
				if (r <= 0) {
					fail = r < 0 && errno != EAGAIN;
					break;
				}
				c->sent += r;
			}
			while (!fail && c->msgs_left) {
				r = read(c->fd, rbuf, sizeof(rbuf));
				if (r < 0 && errno == EAGAIN)
					break;
				if (r <= 0 || c->recvd + r > c->sent ||
				    memcmp(rbuf, c->msg + c->recvd, r)) {
					fprintf(stderr, "conn %d: %s after %zu of %zu bytes\n",
						(int)(c - cs),
						r < 0	 ? strerror(errno)
						: r == 0 ? "EOF"
							 : "wrong bytes",
						c->recvd, c->len);
					fail = true;
					break;
				}
				c->recvd += r;
				*bytes += r;
				if (c->recvd == c->len && --c->msgs_left) {
					msg_new(c, max);
					while (c->sent < c->len) {
						r = write(c->fd, c->msg + c->sent,
							  c->len - c->sent);
						if (r <= 0)
							break;
						c->sent += r;
					}
				}
			}
			if (fail) {
				errors++;
				c->msgs_left = 0;
			}
			if (!c->msgs_left)
				active--;
		}
	}
	if (active > 0)
		fprintf(stderr, "%d connections unfinished after %.0f s\n", active, timeout_s);
	close(ep);
	return errors + (active > 0 ? active : 0);
}

static struct cconn *open_conns(unsigned port, int n, uint64_t seed)
{
	struct cconn *cs = calloc(n, sizeof(*cs));

	for (int i = 0; i < n; i++) {
		cs[i].fd = connect_one(port);
		cs[i].rng = seed + i;
		if (cs[i].fd < 0) {
			fprintf(stderr, "FAIL: connect %d of %d\n", i + 1, n);
			exit(1);
		}
	}
	return cs;
}

static void close_conns(struct cconn *cs, int n)
{
	for (int i = 0; i < n; i++) {
		close(cs[i].fd);
		free(cs[i].msg);
	}
	free(cs);
}

static int finish(struct server *s, int errors, const char *what)
{
	int stop = server_stop(s);

	printf("%s %s: %s, %d errors, exit after SIGTERM %s\n", model,
	       errors || stop ? "FAIL" : "ok", what, errors, stop ? "wrong" : "0");
	if (errors && !stop) {
		fflush(stdout);
		fprintf(stderr, "server stderr:\n");
		show_server_stderr(s);
	}
	return errors || stop ? 1 : 0;
}

/* N connections, M messages each of 1 B .. 64 KiB, all at once. */
static int case_basic(const char *const *extra, int n, unsigned msgs)
{
	struct server s;
	uint64_t bytes = 0;
	char what[128];
	int errors;

	server_start(&s, extra, 0);
	struct cconn *cs = open_conns(s.port, n, 42);
	errors = run_echo(cs, n, msgs, MAX_MSG, 30, &bytes);
	close_conns(cs, n);
	snprintf(what, sizeof(what), "%d conns x %u msgs, %llu bytes verified", n, msgs,
		 (unsigned long long)bytes);
	return finish(&s, errors, what);
}

static bool nofile_at_least(unsigned long want)
{
	struct rlimit rl;

	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_max < want) {
		printf("skip: RLIMIT_NOFILE hard limit %llu < %lu needed\n",
		       (unsigned long long)rl.rlim_max, want);
		return false;
	}
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	return true;
}

/* n connections all open at once, then each echoes one message (<= 1 KiB). */
static int case_many(int n)
{
	struct server s;
	uint64_t bytes = 0;
	char what[128];
	double t0 = now_s();
	int errors;

	if (!nofile_at_least(n + 64))
		return 77;
	server_start(&s, NULL, 0);
	struct cconn *cs = open_conns(s.port, n, 7);
	errors = run_echo(cs, n, 1, 1024, 30, &bytes);
	close_conns(cs, n);
	snprintf(what, sizeof(what), "%d concurrent conns, %llu bytes verified in %.1f s", n,
		 (unsigned long long)bytes, now_s() - t0);
	return finish(&s, errors, what);
}

/* Peers that send half a message and reset must not disturb the others. */
static int case_reset(void)
{
	struct server s;
	uint64_t bytes = 0;
	int errors = 0, good = 20;
	static char half[MAX_MSG / 2];

	server_start(&s, NULL, 0);
	struct cconn *cs = open_conns(s.port, good, 99);
	fill(half, sizeof(half), 5);
	for (int round = 0; round < 10; round++) {
		int bad = connect_one(s.port);

		if (bad < 0 || write(bad, half, sizeof(half)) != (ssize_t)sizeof(half))
			errors++;
		if (round % 2)
			usleep(2000); /* let the server echo some of it into the void */
		if (bad >= 0)
			reset_close(bad);
		errors += run_echo(cs, good, 10, MAX_MSG, 20, &bytes);
	}
	close_conns(cs, good);
	/* And new connections still work afterwards. */
	cs = open_conns(s.port, 5, 123);
	errors += run_echo(cs, 5, 5, MAX_MSG, 20, &bytes);
	close_conns(cs, 5);
	return finish(&s, errors, "10 mid-message resets beside 20 echoing conns");
}

/*
 * A peer that sends but never reads: the server must keep serving others, and
 * once the peer reads, hand back exactly the bytes it sent.
 */
static int case_noread(void)
{
	struct server s;
	uint64_t bytes = 0, seed = 77;
	size_t sent = 0, got = 0, cap = 64 << 20;
	int errors = 0, stuck;
	char *data = malloc(cap), *rbuf = malloc(MAX_MSG);
	double idle_since = now_s();
	char what[128];

	server_start(&s, NULL, 0);
	stuck = connect_one(s.port);
	fill(data, cap, seed);
	net_set_nonblock(stuck, true);
	/* Send until the whole path (both socket buffer pairs and the server) is full. */
	while (sent < cap && now_s() - idle_since < 0.3) {
		ssize_t r = write(stuck, data + sent, cap - sent < MAX_MSG ? cap - sent : MAX_MSG);

		if (r > 0) {
			sent += r;
			idle_since = now_s();
		} else {
			usleep(1000);
		}
	}
	struct cconn *cs = open_conns(s.port, 10, 11);
	errors += run_echo(cs, 10, 20, MAX_MSG, 20, &bytes);
	close_conns(cs, 10);
	/* Now read it all back (and keep sending nothing). */
	double end = now_s() + 20;
	while (got < sent && now_s() < end) {
		ssize_t r = read(stuck, rbuf, MAX_MSG);

		if (r > 0) {
			if (got + r > sent || memcmp(rbuf, data + got, r)) {
				fprintf(stderr, "stuck peer: wrong bytes at %zu\n", got);
				errors++;
				break;
			}
			got += r;
		} else if (r == 0 || errno != EAGAIN) {
			fprintf(stderr, "stuck peer: %s at %zu of %zu\n",
				r ? strerror(errno) : "EOF", got, sent);
			errors++;
			break;
		} else {
			usleep(1000);
		}
	}
	if (got != sent && !errors) {
		fprintf(stderr, "stuck peer: %zu of %zu bytes came back\n", got, sent);
		errors++;
	}
	close(stuck);
	snprintf(what, sizeof(what), "peer not reading %zu KiB, 10 others served, all echoed",
		 sent >> 10);
	free(data);
	free(rbuf);
	return finish(&s, errors, what);
}

/*
 * CPU seconds of the server's own threads. The kernel's iou-sqp thread is left
 * out: with SQPOLL it spins by design until --sq-idle-ms of idleness.
 */
static double cpu_s(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut, st, total = 0;
	struct dirent *d;
	DIR *dir;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	while (dir && (d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.16s/stat", pid, d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
		p = strrchr(buf, ')');
		if (!p || strstr(buf, "(iou-"))
			continue;
		if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut,
			   &st) == 2)
			total += ut + st;
	}
	if (dir)
		closedir(dir);
	return total / (double)sysconf(_SC_CLK_TCK);
}

/* Server out of descriptors: no crash, no busy spin, recovers once some close. */
static int case_emfile(void)
{
	bool spins_by_design = !strcmp(model, "uring-sqpoll-busy");
	struct server s;
	uint64_t bytes = 0;
	int n = 100, errors = 0;
	char what[160];

	server_start(&s, NULL, 48);
	struct cconn *cs = open_conns(s.port, n, 3);
	usleep(100000);
	double c0 = cpu_s(s.pid), t0 = now_s();
	usleep(500000);
	double busy = (cpu_s(s.pid) - c0) / (now_s() - t0);
	/*
	 * uring-sqpoll-busy spins on its CQ by design (~100% of a CPU whether or not
	 * it is out of descriptors), so CPU cannot tell an EMFILE spin apart there:
	 * only the functional part below is checked for it.
	 */
	if (busy > 0.3 && !spins_by_design) {
		fprintf(stderr, "server busy %.0f%% of a CPU while out of descriptors\n",
			busy * 100);
		errors++;
	}
	errors += run_echo(cs, 10, 3, 4096, 10, &bytes); /* the first ones were accepted */
	for (int i = 0; i < 60; i++)
		close(cs[i].fd);
	errors += run_echo(cs + 60, n - 60, 3, 4096, 10, &bytes);
	for (int i = 60; i < n; i++)
		close(cs[i].fd);
	for (int i = 0; i < n; i++)
		free(cs[i].msg);
	free(cs);
	snprintf(what, sizeof(what),
		 "100 conns against 48 descriptors: %.0f%% CPU while full%s, all echoed after "
		 "closes",
		 busy * 100, spins_by_design ? " (busy-polls: not checked)" : "");
	return finish(&s, errors, what);
}

#define IDLE_MS 500 /* the server's --idle-timeout in case_idle */

/*
 * One round of case_idle: a silent connection and an active one (an echo every
 * 20 ms), waiting on the silent one's EOF with a deadline. Returns 0 (dropped no
 * sooner than IDLE_MS, active one kept), 1 (wrong), or -1: inconclusive, because
 * this process was stalled for IDLE_MS between two echoes (a loaded machine), so
 * the server may rightly have dropped the active connection too.
 */
static int idle_round(struct server *s, uint64_t seed, double *dropped)
{
	struct cconn *cs;
	double t0 = now_s(), prev = t0, max_gap = 0;
	int silent = connect_one(s->port), errors = 0;
	struct pollfd p = {.fd = silent, .events = POLLIN};
	uint64_t bytes = 0;
	char c;

	cs = open_conns(s->port, 1, seed);
	*dropped = -1;
	while (now_s() - t0 < 10 && *dropped < 0) {
		double start = now_s();

		if (run_echo(cs, 1, 1, 64, 5, &bytes)) {
			errors++;
			break;
		}
		/* From the previous echo's start: bounds the server's view of the gap. */
		if (now_s() - prev > max_gap)
			max_gap = now_s() - prev;
		prev = start;
		if (poll(&p, 1, 20) == 1 && read(silent, &c, 1) <= 0)
			*dropped = now_s() - t0;
	}
	/* The silent one is gone; the active one still echoes. */
	if (!errors && *dropped >= 0 && run_echo(cs, 1, 1, 64, 5, &bytes))
		errors++;
	close(silent);
	close_conns(cs, 1);
	if (max_gap * 1000 >= IDLE_MS * 0.8) {
		printf("round inconclusive: %.2f s between two echoes (timeout %.2f s)\n", max_gap,
		       IDLE_MS / 1000.0);
		return -1;
	}
	if (*dropped < 0)
		fprintf(stderr, "silent connection not dropped within 10 s\n");
	else if (*dropped < IDLE_MS / 1000.0 - 0.02)
		fprintf(stderr, "silent connection dropped after %.2f s, before its %.2f s\n",
			*dropped, IDLE_MS / 1000.0);
	else if (errors)
		fprintf(stderr, "the active connection was not kept\n");
	else
		return 0;
	return 1;
}

/*
 * --idle-timeout drops a silent connection (not before the timeout) and keeps an
 * active one. Rounds a stalled machine made inconclusive are run again; if every
 * one is, the test skips (77) saying so.
 */
static int case_idle(void)
{
	char ms[16], what[128];
	const char *extra[] = {"--idle-timeout", ms, NULL};
	struct server s;
	double dropped = -1;
	int rc = -1;

	snprintf(ms, sizeof(ms), "%d", IDLE_MS);
	server_start(&s, extra, 0);
	for (int round = 0; round < 5 && rc < 0; round++)
		rc = idle_round(&s, 1 + round, &dropped);
	if (rc < 0) {
		server_stop(&s);
		printf("skip: every round inconclusive: this machine stalls the test for "
		       "longer than the idle timeout\n");
		return 77;
	}
	snprintf(what, sizeof(what),
		 "silent conn dropped after %.2f s (timeout %.2f s), active conn kept", dropped,
		 IDLE_MS / 1000.0);
	return finish(&s, rc, what);
}

/* Runs the server with bad arguments: exit 2 and exactly one line on stderr. */
static int case_badopts(void)
{
	static const char *const bad[][4] = {
	    {"--model", "nosuch", NULL},
	    {"--model", "epoll", "--threads", "0"},
	    {"--model", "epoll", "--port", "70000"},
	    {"--model", "epoll", "--bogus", NULL},
	    {"--port", "0", NULL},
	    {"--model", "uring", "--sq-cpu", "0"}, /* SQPOLL models only */
	};
	int failures = 0;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *argv[8] = {server_path};
		int errfd = memfd_create("err", MFD_CLOEXEC), status, lines = 0;
		char buf[1024] = "";
		ssize_t n;
		pid_t pid;

		for (int a = 0; a < 4 && bad[i][a]; a++)
			argv[a + 1] = bad[i][a];
		pid = fork();
		if (pid == 0) {
			dup2(errfd, 2);
			execv(server_path, (char *const *)argv);
			_exit(127);
		}
		waitpid(pid, &status, 0);
		n = pread(errfd, buf, sizeof(buf) - 1, 0);
		for (ssize_t k = 0; k < n; k++)
			lines += buf[k] == '\n';
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 2 || lines != 1 ||
		    buf[n - 1] != '\n') {
			fprintf(stderr, "FAIL: %s %s: status %#x, %d lines: %s", bad[i][0],
				bad[i][1], status, lines, buf);
			failures++;
		}
		close(errfd);
	}
	printf("badopts %s: %zu bad command lines\n", failures ? "FAIL" : "ok",
	       sizeof(bad) / sizeof(bad[0]));
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *build = getenv("RS_BUILD"), *cs;
	static const char *const sqpoll_extra[] = {"--sq-idle-ms", "50", NULL};

	if (argc != 3) {
		fprintf(stderr, "usage: test_echo MODEL CASE\n");
		return 1;
	}
	model = argv[1];
	cs = argv[2];
	snprintf(server_path, sizeof(server_path), "%s/ringside-echo", build ? build : ".");
	signal(SIGPIPE, SIG_IGN);
	bool sqpoll = !strncmp(model, "uring-sqpoll", strlen("uring-sqpoll"));

	if (!strcmp(cs, "basic"))
		return case_basic(sqpoll ? sqpoll_extra : NULL, 50, 200);
	if (!strcmp(cs, "threads")) {
		static const char *const two[] = {"--threads", "2", NULL};
		static const char *const two_sqpoll[] = {"--threads", "2", "--sq-idle-ms", "50",
							 NULL};
		return case_basic(sqpoll ? two_sqpoll : two, 50, 50);
	}
	if (!strcmp(cs, "many"))
		return case_many(1000);
	if (!strcmp(cs, "c10k"))
		return case_many(10000);
	if (!strcmp(cs, "reset"))
		return case_reset();
	if (!strcmp(cs, "noread"))
		return case_noread();
	if (!strcmp(cs, "emfile"))
		return case_emfile();
	if (!strcmp(cs, "idle"))
		return case_idle();
	if (!strcmp(cs, "badopts"))
		return case_badopts();
	fprintf(stderr, "unknown case '%s'\n", cs);
	return 1;
}
