/*
 * The harness's child processes (child.h). Children run in their own process
 * group with PR_SET_PDEATHSIG(SIGKILL), so none outlives ringside; their exit is
 * watched through a pidfd (Linux 5.3+), so waits are bounded polls, never sleeps.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sys/child.h"
#include "log.h"
#include "clock.h"

static int pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* In the child: moves src onto target without CLOEXEC (dup2 keeps it when equal). */
static void child_fd(int src, int target)
{
	if (src == target) {
		int fl = fcntl(src, F_GETFD);
		if (fl >= 0)
			fcntl(src, F_SETFD, fl & ~FD_CLOEXEC);
	} else {
		dup2(src, target);
	}
}

int proc_spawn(struct proc_child *c, const char *name, char *const argv[], int fd3,
	       const cpu_set_t *cpus)
{
	return proc_spawn_io(c, name, argv, -1, -1, fd3, cpus);
}

int proc_spawn_io(struct proc_child *c, const char *name, char *const argv[], int in_fd, int out_fd,
		  int fd3, const cpu_set_t *cpus)
{
	pid_t parent = getpid();
	int devnull, out, err, hi3 = -1;
	sigset_t all, old;

	memset(c, 0, sizeof(*c));
	c->pidfd = c->out_fd = c->err_fd = -1;
	c->name = name;
	/* Sources above 3 so the dup2 order below cannot clobber one with another. */
	devnull =
	    in_fd >= 0 ? fcntl(in_fd, F_DUPFD_CLOEXEC, 10) : open("/dev/null", O_RDWR | O_CLOEXEC);
	out = out_fd >= 0 ? fcntl(out_fd, F_DUPFD_CLOEXEC, 10)
			  : memfd_create("rs-stdout", MFD_CLOEXEC);
	err = memfd_create("rs-stderr", MFD_CLOEXEC);
	if (fd3 >= 0)
		hi3 = fcntl(fd3, F_DUPFD_CLOEXEC, 10);
	if (devnull < 0 || out < 0 || err < 0 || (fd3 >= 0 && hi3 < 0)) {
		PLOG_ERR("cannot set up descriptors for the %s", name);
		goto fail;
	}
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	c->pid = fork();
	if (c->pid < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		PLOG_ERR("fork for the %s", name);
		goto fail;
	}
	if (c->pid == 0) {
		sigset_t none;

		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		child_fd(devnull, 0);
		child_fd(out, 1);
		child_fd(err, 2);
		if (hi3 >= 0)
			child_fd(hi3, 3);
		if (cpus && CPU_COUNT(cpus) > 0)
			sched_setaffinity(0, sizeof(*cpus), cpus);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execv(argv[0], argv);
		fprintf(stderr, "cannot execute %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(c->pid, c->pid); /* also here: no race with a kill before the child ran */
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(devnull);
	if (hi3 >= 0)
		close(hi3);
	if (out_fd >= 0) {
		close(out); /* the caller reads its own pipe */
		out = -1;
	}
	c->out_fd = out;
	c->err_fd = err;
	c->pidfd = pidfd_open_(c->pid);
	if (c->pidfd < 0)
		PLOG_WARN("pidfd_open for the %s", name);
	else
		fcntl(c->pidfd, F_SETFD, FD_CLOEXEC);
	return 0;
fail:
	if (devnull >= 0)
		close(devnull);
	if (out >= 0)
		close(out);
	if (err >= 0)
		close(err);
	if (hi3 >= 0)
		close(hi3);
	c->pid = 0;
	return -1;
}

bool proc_try_reap(struct proc_child *c)
{
	int st;

	if (c->reaped)
		return true;
	if (c->pid <= 0)
		return false;
	if (waitpid(c->pid, &st, WNOHANG) == c->pid) {
		c->status = st;
		c->reaped = true;
		/* Take any stragglers of its group with it. */
		kill(-c->pid, SIGKILL);
	}
	return c->reaped;
}

/* Waits up to ms for the child to exit (pidfd poll; no sleeps as synchronisation). */
static bool wait_exit(struct proc_child *c, int ms)
{
	uint64_t deadline = now_ns() + (uint64_t)ms * 1000000ull;

	for (int i = 0; i < 10000 && !proc_try_reap(c); i++) {
		uint64_t now = now_ns();
		struct pollfd p = {.fd = c->pidfd, .events = POLLIN};

		if (now >= deadline)
			return false;
		/* Without a pidfd, fall back to 10 ms ticks. */
		poll(c->pidfd >= 0 ? &p : NULL, c->pidfd >= 0 ? 1 : 0,
		     c->pidfd >= 0 ? (int)((deadline - now) / 1000000 + 1) : 10);
	}
	return c->reaped;
}

void proc_subreaper(void)
{
	if (prctl(PR_SET_CHILD_SUBREAPER, 1))
		PLOG_WARN("PR_SET_CHILD_SUBREAPER");
}

/*
 * After the leader was reaped (and its group sent SIGKILL): waits, bounded,
 * until no process of its group is left, reaping those that were reparented
 * to us (proc_subreaper), so none is still dying once a run has ended.
 */
static void reap_group(struct proc_child *c, int ms)
{
	uint64_t deadline = now_ns() + (uint64_t)ms * 1000000ull;

	if (c->pid <= 0 || c->group_gone)
		return;
	for (int i = 0; i < 10000; i++) {
		while (waitpid(-c->pid, NULL, WNOHANG) > 0)
			;
		if (kill(-c->pid, 0) && errno == ESRCH) {
			c->group_gone = true;
			return;
		}
		if (now_ns() >= deadline)
			break;
		/* No descriptor says when the last one is gone: 2 ms ticks. */
		poll(NULL, 0, 2);
	}
	LOG_WARN("processes of the %s's group (pgid %d) outlived SIGKILL", c->name, (int)c->pid);
}

void proc_stop(struct proc_child *c, int wait_ms)
{
	if (c->pid <= 0)
		return;
	if (c->reaped || proc_try_reap(c)) {
		reap_group(c, 1000);
		return;
	}
	kill(-c->pid, SIGTERM);
	kill(c->pid, SIGTERM);
	if (wait_exit(c, wait_ms)) {
		reap_group(c, 1000);
		return;
	}
	c->forced = true;
	kill(-c->pid, SIGKILL);
	kill(c->pid, SIGKILL);
	if (!wait_exit(c, 2000))
		LOG_ERR("the %s (pid %d) did not die after SIGKILL", c->name, (int)c->pid);
	else
		reap_group(c, 1000);
}

void proc_release(struct proc_child *c)
{
	if (c->pidfd >= 0)
		close(c->pidfd);
	if (c->out_fd >= 0)
		close(c->out_fd);
	if (c->err_fd >= 0)
		close(c->err_fd);
	c->pidfd = c->out_fd = c->err_fd = -1;
}

void proc_describe(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with code %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "exited with signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "ended with status 0x%x", status);
}

char *proc_read_all(int fd)
{
	struct stat st;
	char *buf;
	ssize_t n;

	if (fd < 0 || fstat(fd, &st) || st.st_size <= 0)
		return NULL;
	if (st.st_size > 64 << 20)
		st.st_size = 64 << 20;
	buf = malloc(st.st_size + 1);
	if (!buf)
		return NULL;
	n = pread(fd, buf, st.st_size, 0);
	if (n <= 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

void proc_last_line(int fd, char *buf, size_t len)
{
	struct stat st;
	char tail[1024];
	off_t off;
	ssize_t n;
	char *end, *start;

	buf[0] = '\0';
	if (fd < 0 || fstat(fd, &st) || st.st_size <= 0)
		return;
	off = st.st_size > (off_t)sizeof(tail) - 1 ? st.st_size - (off_t)sizeof(tail) + 1 : 0;
	n = pread(fd, tail, sizeof(tail) - 1, off);
	if (n <= 0)
		return;
	tail[n] = '\0';
	end = tail + n;
	while (end > tail && isspace((unsigned char)end[-1]))
		*--end = '\0';
	start = strrchr(tail, '\n');
	start = start ? start + 1 : tail;
	snprintf(buf, len, "%s", start);
}

void proc_tail(int fd, char *buf, size_t len)
{
	struct stat st;
	char tail[512];
	size_t want = len - 1 < sizeof(tail) - 1 ? len - 1 : sizeof(tail) - 1, o = 0;
	off_t off;
	ssize_t n;

	buf[0] = '\0';
	if (!len || fd < 0 || fstat(fd, &st) || st.st_size <= 0)
		return;
	off = st.st_size > (off_t)want ? st.st_size - (off_t)want : 0;
	n = pread(fd, tail, want, off);
	while (n > 0 && isspace((unsigned char)tail[n - 1]))
		n--;
	for (ssize_t i = 0; i < n && o + 3 < len; i++) {
		if (tail[i] != '\n') {
			buf[o++] = isprint((unsigned char)tail[i]) ? tail[i] : '?';
		} else if (o) { /* lines joined with " / " */
			buf[o++] = ' ';
			buf[o++] = '/';
			buf[o++] = ' ';
		}
	}
	buf[o] = '\0';
}
