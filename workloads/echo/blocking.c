/*
 * Echo, one thread per connection: the classic worker model. The main thread
 * accepts; each connection gets a detached thread with a small stack that blocks
 * in read() and write() until the peer closes. Needs nothing beyond POSIX threads.
 * --idle-timeout is applied as SO_RCVTIMEO/SO_SNDTIMEO on each connection.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "echo.h"
#include "work.h"
#include "log.h"
#include "net.h"
#include "cpus.h"

#define STACK_SIZE (64 * 1024) /* 10,000 threads fit in 640 MiB of address space */
#define BUF_SIZE   (16 * 1024)

static pthread_attr_t conn_attr;
static int listen_fd = -1;

/* Sets a send/receive timeout of ms on fd (0 = none). */
static int set_timeout(int fd, int opt, unsigned ms)
{
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = ms % 1000 * 1000};

	return setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof(tv));
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000L};

	nanosleep(&ts, NULL);
}

static void conn_close(int fd)
{
	close(fd);
	server_conn_put();
}

/* Writes all of buf; -1 if the peer went away (or stopped reading past the timeout). */
static int send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= n;
	}
	return 0;
}

/* The worker: read, write back, until EOF, an error or the idle timeout (EAGAIN). */
static void *conn_main(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char buf[BUF_SIZE];

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0)
			work_do();
		if (n <= 0 || send_all(fd, buf, n))
			break;
	}
	conn_close(fd);
	return NULL;
}

static void on_accept(const struct server_opts *o, int fd)
{
	pthread_t tid;
	int err;

	server_accept_ok();
	if (!server_conn_get(o)) {
		close(fd); /* --max-conns reached */
		return;
	}
	net_set_nodelay(fd);
	if (o->idle_timeout_ms && (set_timeout(fd, SO_RCVTIMEO, o->idle_timeout_ms) ||
				   set_timeout(fd, SO_SNDTIMEO, o->idle_timeout_ms)))
		PLOG_WARN("setsockopt(SO_RCVTIMEO)");
	err = pthread_create(&tid, &conn_attr, conn_main, (void *)(intptr_t)fd);
	if (err) {
		/* Out of threads or memory: refuse this one, keep serving the rest. */
		errno = err;
		PLOG_WARN("pthread_create");
		conn_close(fd);
		sleep_ms(SERVER_ACCEPT_BACKOFF_MS);
	}
}

/*
 * Takes SIGTERM/SIGINT (blocked in every other thread) and wakes the acceptor
 * out of accept() by shutting the listener down: no timeout, no extra syscall
 * per connection, and no race between checking server_stop and blocking.
 */
static void *stopper_main(void *arg)
{
	const sigset_t *stop_signals = arg;
	int sig;

	while (sigwait(stop_signals, &sig))
		;
	server_stop = 1;
	shutdown(listen_fd, SHUT_RDWR);
	return NULL;
}

static int accept_loop(const struct server_opts *o)
{
	while (!server_should_stop()) {
		int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);

		if (fd >= 0) {
			on_accept(o, fd);
			continue;
		}
		if (server_should_stop())
			break; /* the stopper shut the listener down */
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (!server_accept_failed(errno))
			PLOG_WARN("accept");
		sleep_ms(SERVER_ACCEPT_BACKOFF_MS);
	}
	return RS_EXIT_OK;
}

static int blocking_run(const struct server_opts *o)
{
	sigset_t stop_signals;
	pthread_t stopper;
	int rc, err;

	if (pin_self(&o->cpus))
		PLOG_WARN("cannot pin to --cpus");
	listen_fd = net_listen(o->host, o->port, false, false, o->backlog);
	if (listen_fd < 0)
		return RS_EXIT_FAIL;

	/* Every thread, workers included, inherits SIGTERM/SIGINT blocked. */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	server_block_signals();
	err = pthread_create(&stopper, NULL, stopper_main, &stop_signals);
	if (err) {
		errno = err;
		PLOG_ERR("cannot start the stopper thread");
		close(listen_fd);
		return RS_EXIT_FAIL;
	}
	pthread_attr_init(&conn_attr);
	pthread_attr_setdetachstate(&conn_attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&conn_attr, STACK_SIZE);

	server_ready(o, net_local_port(listen_fd));
	rc = accept_loop(o);
	pthread_join(stopper, NULL);
	/* Workers blocked in read() end with the process; exit closes their sockets. */
	close(listen_fd);
	return rc;
}

const struct server_model echo_blocking_model = {.name = "blocking", .run = blocking_run};
