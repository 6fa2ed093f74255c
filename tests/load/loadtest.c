/* Test helpers: child process runner and tiny loopback servers (see loadtest.h). */
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "loadtest.h"

int lt_failures;
const char *lt_engine;
atomic_int lt_child;

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

const char *lt_binary(void)
{
	static char path[4096];
	const char *b = getenv("RS_BUILD");

	snprintf(path, sizeof(path), "%s/ringside-load", b ? b : ".");
	if (access(path, X_OK)) {
		fprintf(stderr, "ringside-load not found at %s (set RS_BUILD)\n", path);
		exit(1);
	}
	return path;
}

const char *lt_init(int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], "uring") && strcmp(argv[1], "epoll"))) {
		fprintf(stderr, "usage: %s uring|epoll\n", argv[0]);
		exit(1);
	}
	lt_engine = argv[1];
	lt_binary();
	fprintf(stderr, "engine: %s\n", lt_engine);
	return lt_engine;
}

void lt_exec(struct lt_run *r, const char *const *args, int extra_fd, double timeout_s)
{
	const char *argv[64];
	int out[2], err[2], n = 0, status;
	size_t olen = 0, elen = 0;
	double t0 = mono_s();
	bool killed = false;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	argv[n++] = lt_binary();
	if (lt_engine) {
		argv[n++] = "--engine";
		argv[n++] = lt_engine;
	}
	for (int i = 0; args[i] && n < 63; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if (pipe(out) || pipe(err)) {
		perror("pipe");
		exit(1);
	}
	pid = fork();
	if (pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		for (int fd = 3; fd < 256; fd++) {
			if (fd != extra_fd)
				close(fd);
		}
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	atomic_store(&lt_child, pid);
	close(out[1]);
	close(err[1]);
	for (int open_fds = 2; open_fds > 0;) {
		struct pollfd p[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
		double left = timeout_s - (mono_s() - t0);

		if (left <= 0) {
			kill(pid, SIGKILL);
			killed = true;
			break;
		}
		if (poll(p, 2, (int)(left * 1000) + 1) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			char *buf = i ? r->err : r->out;
			size_t *len = i ? &elen : &olen, cap = i ? sizeof(r->err) : sizeof(r->out);
			ssize_t k;

			if (!(p[i].revents & (POLLIN | POLLHUP)) || p[i].fd < 0)
				continue;
			k = read(p[i].fd, buf + *len, cap - 1 - *len);
			if (k <= 0) {
				close(i ? err[0] : out[0]);
				if (i)
					err[0] = -1;
				else
					out[0] = -1;
				open_fds--;
				continue;
			}
			*len += (size_t)k;
		}
	}
	if (out[0] >= 0)
		close(out[0]);
	if (err[0] >= 0)
		close(err[0]);
	atomic_store(&lt_child, 0);
	waitpid(pid, &status, 0);
	r->elapsed_s = mono_s() - t0;
	r->exit_code = !killed && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	r->json = json_loads(r->out, 0, NULL);
	if (r->exit_code == 3) {
		fprintf(stderr, "skip: the kernel refuses the %s engine: %s", lt_engine, r->err);
		exit(77);
	}
	if (r->json && lt_engine) {
		const char *e = json_string_value(json_object_get(r->json, "engine"));

		CHECKF(e && !strcmp(e, lt_engine), "JSON engine %s, asked for %s", e ? e : "(none)",
		       lt_engine);
	}
}

void lt_free(struct lt_run *r)
{
	json_decref(r->json);
	r->json = NULL;
}

static const json_t *lt_get(const json_t *j, const char *path)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k && j; k = strtok_r(NULL, ".", &save))
		j = json_object_get(j, k);
	return j;
}

long long lt_int(const json_t *j, const char *path)
{
	j = lt_get(j, path);
	return json_is_integer(j) ? json_integer_value(j) : -1;
}

double lt_num(const json_t *j, const char *path)
{
	j = lt_get(j, path);
	return json_is_number(j) ? json_number_value(j) : NAN;
}

int lt_listen(unsigned *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1024) ||
	    getsockname(fd, (struct sockaddr *)&a, &len)) {
		perror("listen on 127.0.0.1:0");
		exit(1);
	}
	*port = ntohs(a.sin_port);
	return fd;
}

struct conn_arg {
	struct lt_server *s;
	int fd;
};

static bool write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);

		if (k <= 0)
			return false;
		p += k;
		n -= (size_t)k;
	}
	return true;
}

static void *echo_conn(void *arg)
{
	struct conn_arg *a = arg;
	unsigned long reads = 0;
	char buf[65536];
	ssize_t n;

	while ((n = read(a->fd, buf, sizeof(buf))) > 0) {
		if (a->s->corrupt_every && ++reads % a->s->corrupt_every == 0)
			buf[n / 2] ^= 0x5a;
		if (!write_all(a->fd, buf, (size_t)n))
			break;
	}
	close(a->fd);
	free(a);
	return NULL;
}

static void *acceptor(void *arg)
{
	struct lt_server *s = ((void **)arg)[0];
	void *(*fn)(void *) = (void *(*)(void *))((void **)arg)[1];
	int one = 1;

	free(arg);
	for (;;) {
		int fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);
		struct conn_arg *a;
		pthread_t t;

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE)
				continue;
			return NULL;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		atomic_fetch_add(&s->accepted, 1);
		a = malloc(sizeof(*a));
		a->s = s;
		a->fd = fd;
		if (pthread_create(&t, NULL, fn, a)) {
			close(fd);
			free(a);
			continue;
		}
		pthread_detach(t);
	}
}

/* Serves s->lfd with fn per connection, from a background acceptor thread. */
static void serve(struct lt_server *s, void *(*fn)(void *))
{
	void **arg = malloc(2 * sizeof(void *));
	pthread_t t;

	atomic_init(&s->accepted, 0);
	arg[0] = s;
	arg[1] = (void *)fn;
	if (pthread_create(&t, NULL, acceptor, arg)) {
		perror("pthread_create");
		exit(1);
	}
	pthread_detach(t);
}

static void start(struct lt_server *s, void *(*fn)(void *))
{
	s->lfd = lt_listen(&s->port);
	serve(s, fn);
}

void lt_echo_start(struct lt_server *s)
{
	start(s, echo_conn);
}

static pid_t echo_child;

static void kill_echo_child(void)
{
	if (echo_child > 0) {
		kill(echo_child, SIGKILL);
		waitpid(echo_child, NULL, 0);
	}
}

pid_t lt_echo_fork(struct lt_server *s)
{
	s->lfd = lt_listen(&s->port);
	echo_child = fork();
	if (echo_child < 0) {
		perror("fork");
		exit(1);
	}
	if (echo_child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		serve(s, echo_conn);
		for (;;)
			pause();
	}
	close(s->lfd);
	atexit(kill_echo_child);
	return echo_child;
}

static void *silent_conn(void *arg)
{
	struct conn_arg *a = arg;
	char buf[4096];

	while (read(a->fd, buf, sizeof(buf)) > 0)
		;
	close(a->fd);
	free(a);
	return NULL;
}

void lt_silent_start(struct lt_server *s)
{
	start(s, silent_conn);
}

static void *reset_conn(void *arg)
{
	struct conn_arg *a = arg;
	struct linger lg = {.l_onoff = 1, .l_linger = 0};
	char buf[4096];

	if (read(a->fd, buf, sizeof(buf)) > 0)
		setsockopt(a->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(a->fd); /* with linger 0: an RST, not a FIN */
	free(a);
	return NULL;
}

void lt_reset_start(struct lt_server *s)
{
	start(s, reset_conn);
}

/* One response for path, sent in two writes so the client sees it split. */
static bool http_respond(int fd, const char *path, bool close_req, bool *close_after)
{
	char head[512], body[256];
	const char *extra = close_req ? "Connection: close\r\n" : "";
	size_t hl;

	memset(body, 'b', sizeof(body));
	*close_after = close_req;
	if (!strcmp(path, "/fixed")) {
		hl = (size_t)snprintf(
		    head, sizeof(head),
		    "HTTP/1.1 200 OK\r\nServer: lt\r\n%sContent-Length: 100\r\n\r\n", extra);
		return write_all(fd, head, hl) && write_all(fd, body, 100);
	}
	if (!strcmp(path, "/chunked")) {
		static const char chunks[] = "a;name=value;q=\"x y\"\r\n0123456789\r\n"
					     "1E\r\nabcdefghijklmnopqrstuvwxyz0123\r\n"
					     "0\r\nX-Trailer: done\r\n\r\n";

		hl = (size_t)snprintf(head, sizeof(head),
				      "HTTP/1.1 200 OK\r\n%sTransfer-Encoding: chunked\r\n\r\n",
				      extra);
		/* The first write ends inside the first chunk-size line. */
		return write_all(fd, head, hl) && write_all(fd, chunks, 3) &&
		       write_all(fd, chunks + 3, sizeof(chunks) - 4);
	}
	if (!strcmp(path, "/close")) {
		*close_after = true;
		return write_all(fd, "HTTP/1.0 200 OK\r\nServer: lt\r\n\r\n", 31) &&
		       write_all(fd, body, 50);
	}
	if (!strcmp(path, "/badcl")) {
		hl = (size_t)snprintf(head, sizeof(head),
				      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
				      "Content-Length: 6\r\n%s\r\nhello!",
				      extra);
		return write_all(fd, head, hl);
	}
	hl = (size_t)snprintf(head, sizeof(head),
			      "HTTP/1.1 404 Not Found\r\n%sContent-Length: 9\r\n\r\nnot found",
			      extra);
	return write_all(fd, head, hl);
}

static void *http_conn(void *arg)
{
	struct conn_arg *a = arg;
	char buf[16384];
	size_t len = 0;

	for (;;) {
		ssize_t n = read(a->fd, buf + len, sizeof(buf) - 1 - len);
		char *end;

		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		while ((end = strstr(buf, "\r\n\r\n"))) {
			char path[256] = "";
			size_t used = (size_t)(end + 4 - buf);
			bool close_req, close_after;

			sscanf(buf, "GET %255s HTTP/1.1", path);
			*end = '\0';
			close_req = strstr(buf, "\r\nConnection: close") != NULL;
			if (!http_respond(a->fd, path, close_req, &close_after) || close_after)
				goto out;
			memmove(buf, buf + used, len - used + 1);
			len -= used;
		}
		if (len == sizeof(buf) - 1)
			break;
	}
out:
	close(a->fd);
	free(a);
	return NULL;
}

void lt_http_start(struct lt_server *s)
{
	start(s, http_conn);
}
