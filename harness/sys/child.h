/*
 * The harness's child processes (child.c): spawned pinned in their own process
 * group, stdout and stderr into memfds, reaped through a pidfd, stopped with a
 * bounded SIGTERM then SIGKILL, and what they wrote read back for messages.
 */
#ifndef RS_CHILD_H
#define RS_CHILD_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct proc_child {
	pid_t pid;	  /* 0 when not running */
	int pidfd;	  /* readable once the child exits */
	int out_fd;	  /* memfd holding the child's stdout, -1 if inherited /dev/null */
	int err_fd;	  /* memfd holding the child's stderr */
	int status;	  /* waitpid status once reaped */
	bool reaped;	  /* status is valid */
	bool forced;	  /* needed SIGKILL after SIGTERM */
	bool group_gone;  /* proc_stop saw no process of its group left */
	const char *name; /* for messages: "server", "load generator" */
};

/*
 * Spawns argv[0] (an absolute path) in its own process group with
 * PR_SET_PDEATHSIG(SIGKILL), stdin /dev/null, stdout and stderr into memfds,
 * fd3 (if >= 0) as its fd 3, and the CPU affinity cpus (if non-NULL and non-empty)
 * before exec, so threads it creates before pinning them stay off other roles' CPUs.
 * Every other descriptor is close-on-exec.
 */
int proc_spawn(struct proc_child *c, const char *name, char *const argv[], int fd3,
	       const cpu_set_t *cpus);
/*
 * proc_spawn with the child's stdin from in_fd and its stdout into out_fd
 * (each -1 for the defaults above: /dev/null, a memfd; out_fd >= 0 leaves
 * c->out_fd at -1). The caller keeps and closes its own descriptors.
 */
int proc_spawn_io(struct proc_child *c, const char *name, char *const argv[], int in_fd, int out_fd,
		  int fd3, const cpu_set_t *cpus);
/* Reaps the child if it has exited; true once it has. Never blocks. */
bool proc_try_reap(struct proc_child *c);
/*
 * SIGTERM to its group, up to wait_ms for it to exit, then SIGKILL; reaps it,
 * then waits (bounded) until the rest of its group is gone too (a --server's
 * forks), reaping those reparented to us.
 */
void proc_stop(struct proc_child *c, int wait_ms);
/* Makes this process the reaper of its children's orphans (PR_SET_CHILD_SUBREAPER). */
void proc_subreaper(void);
/* Closes the child's descriptors (after it was reaped). */
void proc_release(struct proc_child *c);
/* "exited with code 3", "exited with signal 11 (Segmentation fault)" */
void proc_describe(int status, char *buf, size_t len);
/* The last non-empty line the child wrote to fd (a memfd), "" if none. */
void proc_last_line(int fd, char *buf, size_t len);
/* The last len-1 bytes or so the child wrote to fd, its lines joined by " / ". */
void proc_tail(int fd, char *buf, size_t len);
/* The whole memfd contents, NUL-terminated; caller frees. NULL if empty. */
char *proc_read_all(int fd);

#endif
