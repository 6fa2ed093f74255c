/*
 * Runs the proxy's event-loop models (epoll, uring): one thread per --threads, pinned
 * to cpu_nth(--cpus, i), each with its own SO_REUSEPORT listener. The main thread
 * reports readiness once every loop is set up, then sleeps until SIGTERM/SIGINT.
 * Also the --max-conns counter, the accept-failure backoff and the upstream socket
 * helper all models share.
 */
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "net.h"
#include "proxy.h"

struct loop_thread {
	const struct server_opts *o;
	const struct proxy_loop_ops *ops;
	int id;
	int listen_fd;
	int rc;
	pthread_t tid;
	void *loop;
};

static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t init_cond = PTHREAD_COND_INITIALIZER;
static unsigned inits_done;
static int init_rc;
static pthread_t main_tid;
static atomic_uint conns_open;

bool proxy_conn_get(const struct server_opts *o)
{
	if (atomic_fetch_add_explicit(&conns_open, 1, memory_order_relaxed) < o->max_conns)
		return true;
	atomic_fetch_sub_explicit(&conns_open, 1, memory_order_relaxed);
	return false;
}

void proxy_conn_put(void)
{
	atomic_fetch_sub_explicit(&conns_open, 1, memory_order_relaxed);
}

static atomic_bool accept_starved;

bool proxy_accept_failed(int err)
{
	if (err != EMFILE && err != ENFILE && err != ENOBUFS && err != ENOMEM)
		return false; /* ECONNABORTED and the like: that connection is gone */
	if (!atomic_exchange_explicit(&accept_starved, true, memory_order_relaxed))
		LOG_WARN("accept: %s; pausing accepts while descriptors are short "
			 "(logged once until an accept succeeds)",
			 strerror(err));
	return true;
}

void proxy_accept_ok(void)
{
	if (atomic_load_explicit(&accept_starved, memory_order_relaxed))
		atomic_store_explicit(&accept_starved, false, memory_order_relaxed);
}

int proxy_upstream_socket(const struct proxy_upstream *u, bool nonblock)
{
	int fd = socket(u->addr.ss_family,
			SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);

	if (fd < 0)
		return -1;
	net_set_nodelay(fd);
	return fd;
}

static void *loop_main(void *arg)
{
	struct loop_thread *t = arg;
	int cpu = cpu_nth(&t->o->cpus, t->id), rc;
	cpu_set_t one;

	if (cpu >= 0) {
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		if (pin_self(&one))
			PLOG_WARN("loop %d: cannot pin to CPU %d", t->id, cpu);
	}
	rc = t->ops->init(t->loop, t->o, t->id, t->listen_fd);
	pthread_mutex_lock(&init_lock);
	inits_done++;
	if (rc && !init_rc)
		init_rc = rc;
	pthread_cond_broadcast(&init_cond);
	pthread_mutex_unlock(&init_lock);
	if (rc)
		return NULL;
	t->rc = t->ops->run(t->loop);
	t->ops->fini(t->loop);
	if (t->rc) {
		server_stop = 1;
		pthread_kill(main_tid, SIGTERM);
	}
	return NULL;
}

static void wait_for_stop(void)
{
	sigset_t mask;

	pthread_sigmask(SIG_SETMASK, NULL, &mask);
	sigdelset(&mask, SIGTERM);
	sigdelset(&mask, SIGINT);
	while (!server_should_stop())
		sigsuspend(&mask);
}

int proxy_run_loops(const struct server_opts *o, const struct proxy_loop_ops *ops)
{
	struct loop_thread *t = calloc(o->threads, sizeof(*t));
	unsigned port = o->port, started = 0, i;
	int rc = RS_EXIT_OK, err;

	if (!t)
		DIE("out of memory");
	main_tid = pthread_self();
	if (net_port_free(o->host, port)) {
		free(t);
		return RS_EXIT_FAIL;
	}
	for (i = 0; i < o->threads; i++) {
		t[i] = (struct loop_thread){.o = o, .ops = ops, .id = i, .listen_fd = -1};
		t[i].loop = calloc(1, ops->loop_size);
		if (!t[i].loop)
			DIE("out of memory");
		t[i].listen_fd =
		    net_listen(o->host, port, true, ops->nonblock_listener, o->backlog);
		if (t[i].listen_fd < 0) {
			rc = RS_EXIT_FAIL;
			goto out;
		}
		if (i == 0)
			port = net_local_port(t[i].listen_fd);
	}
	server_block_signals();
	for (i = 0; i < o->threads; i++) {
		err = pthread_create(&t[i].tid, NULL, loop_main, &t[i]);
		if (err) {
			errno = err;
			PLOG_ERR("cannot start loop thread %u", i);
			rc = RS_EXIT_FAIL;
			break;
		}
		started++;
	}
	pthread_mutex_lock(&init_lock);
	while (inits_done < started)
		pthread_cond_wait(&init_cond, &init_lock);
	if (init_rc)
		rc = init_rc;
	pthread_mutex_unlock(&init_lock);
	if (rc == RS_EXIT_OK) {
		server_ready(o, port);
		wait_for_stop();
	}
	server_stop = 1;
	for (i = 0; i < started; i++) {
		pthread_join(t[i].tid, NULL);
		if (t[i].rc && rc == RS_EXIT_OK)
			rc = t[i].rc;
	}
out:
	for (i = 0; i < o->threads; i++) {
		if (t[i].listen_fd >= 0)
			close(t[i].listen_fd);
		free(t[i].loop);
	}
	free(t);
	return rc;
}
