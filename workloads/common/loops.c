/*
 * Runs the servers' event-loop models (see loops.h): starts and pins one thread per
 * loop, each on its own SO_REUSEPORT listener, waits until all are set up, reports
 * readiness, then sleeps in sigsuspend until SIGTERM/SIGINT and joins them.
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"
#include "loops.h"
#include "net.h"
#include "cpus.h"

struct loop_thread {
	const struct server_opts *o;
	const struct server_loop_ops *ops;
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

static void loop_pin(const struct loop_thread *t)
{
	int cpu = cpu_nth(&t->o->cpus, t->id);
	cpu_set_t one;

	if (cpu < 0)
		return;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (pin_self(&one))
		PLOG_WARN("loop %d: cannot pin to CPU %d", t->id, cpu);
}

static void *loop_main(void *arg)
{
	struct loop_thread *t = arg;
	int rc;

	loop_pin(t);
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
		/* A loop failed at run time: stop the whole server, waking main. */
		server_stop = 1;
		pthread_kill(main_tid, SIGTERM);
	}
	return NULL;
}

/* Sleeps until SIGTERM/SIGINT (race-free: the signals are blocked until sigsuspend). */
static void wait_for_stop(void)
{
	sigset_t mask;

	pthread_sigmask(SIG_SETMASK, NULL, &mask);
	sigdelset(&mask, SIGTERM);
	sigdelset(&mask, SIGINT);
	while (!server_should_stop())
		sigsuspend(&mask);
}

int server_run_loops(const struct server_opts *o, const struct server_loop_ops *ops)
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

	/* Loop threads inherit the blocked mask: only main takes SIGTERM/SIGINT. */
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
