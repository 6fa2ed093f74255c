/*
 * ringside's kernel-side counters: syscalls by id with their on-CPU and blocked
 * time, voluntary/involuntary context switches, wakeups and run-queue delay,
 * io_uring SQEs/CQEs and hidden work, per role (server, client), for the tgids in
 * the targets map and the processes they fork. Needs BTF (CO-RE, tp_btf, task
 * storage) and raw tracepoints; no tracefs. Exact: no sampling, per-CPU slots.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "counters.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Settings, written by the loader between open and load. */
const volatile __u32 max_syscall = PROBE_NR_SYSCALLS; /* ids >= this are ignored */
const volatile bool follow_forks = true;

/*
 * Bumped by the loader at every attach and clear: per-task timestamps taken
 * under another epoch (before a detach, for a forgotten target) are stale.
 */
volatile __u64 epoch;

/* tgid -> role | flags. Filled by user space; forks of a target join it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PROBE_MAX_TARGETS);
	__type(key, __u32);
	__type(value, __u32);
} targets SEC(".maps");

/* io_uring ctx pointer -> role, learned where a target task used the ring. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PROBE_MAX_RINGS);
	__type(key, __u64);
	__type(value, __u32);
} rings SEC(".maps");

/* [(role - 1) * PROBE_NR_SYSCALLS + id] -> calls, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PROBE_ROLES *PROBE_NR_SYSCALLS);
	__type(key, __u32);
	__type(value, __u64);
} syscalls SEC(".maps");

/* Same index -> time inside those syscalls, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PROBE_ROLES *PROBE_NR_SYSCALLS);
	__type(key, __u32);
	__type(value, struct probe_syscall_time);
} syscall_time SEC(".maps");

/* [role - 1] -> everything else, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PROBE_ROLES);
	__type(key, __u32);
	__type(value, struct probe_role_counts);
} roles SEC(".maps");

#define RS_TASK_DEAD 0x80 /* include/linux/sched.h; a #define, so not in BTF */

/*
 * What a target thread is doing, for the intervals that end in another event.
 * The times are bpf_ktime_get_ns(), 0 when no interval is open, and belong to
 * epoch; the switch counters are as last seen at sched_switch (see on_switch).
 */
struct task_state {
	unsigned long nvcsw;
	unsigned long nivcsw;
	__u64 epoch;
	__u64 sys_mark;	 /* in a syscall, on CPU since (enter or switch-in) */
	__u64 off_since; /* in a syscall, switched out since */
	__u64 rq_since;	 /* runnable, waiting for a CPU since */
	__u32 sys_idx;	 /* syscall_time index of the syscall it is in */
	__u32 rq_role;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_state);
} tasks SEC(".maps");

static __always_inline __u32 role_of_tgid(__u32 tgid)
{
	__u32 *v = bpf_map_lookup_elem(&targets, &tgid);

	return v ? (*v & PROBE_ROLE_MASK) : 0;
}

static __always_inline __u32 current_role(void)
{
	return role_of_tgid(bpf_get_current_pid_tgid() >> 32);
}

static __always_inline struct probe_role_counts *counts(__u32 role)
{
	__u32 idx = role - 1;

	if (idx >= PROBE_ROLES)
		return NULL;
	return bpf_map_lookup_elem(&roles, &idx);
}

/*
 * Per-CPU slots, but the atomic add still matters: syscall tracepoints may run
 * preemptibly, so two tasks on one CPU can interleave a plain read-modify-write.
 */
#define ADD(p, n) __sync_fetch_and_add(&(p), (n))
#define COUNT(p)  ADD(p, 1)

/* A task's state, its intervals closed if they belong to an older epoch. */
static __always_inline struct task_state *task_state(struct task_struct *t, bool create)
{
	struct task_state *st =
	    bpf_task_storage_get(&tasks, t, NULL, create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);

	if (st && st->epoch != epoch) {
		st->epoch = epoch;
		st->sys_mark = 0;
		st->off_since = 0;
		st->rq_since = 0;
	}
	return st;
}

static __always_inline struct probe_syscall_time *syscall_time_at(__u32 idx)
{
	if (idx >= PROBE_ROLES * PROBE_NR_SYSCALLS)
		return NULL;
	return bpf_map_lookup_elem(&syscall_time, &idx);
}

/* floor(log2(v)) for v > 0, without loops. */
static __always_inline __u32 log2_u64(__u64 v)
{
	__u32 r, shift;

	r = (v > 0xffffffffULL) << 5;
	v >>= r;
	shift = (v > 0xffff) << 4;
	v >>= shift;
	r |= shift;
	shift = (v > 0xff) << 3;
	v >>= shift;
	r |= shift;
	shift = (v > 0xf) << 2;
	v >>= shift;
	r |= shift;
	shift = (v > 0x3) << 1;
	v >>= shift;
	r |= shift;
	return r | (__u32)(v >> 1);
}

/* The rq_hist bucket of ns (see PROBE_RQ_BUCKETS in counters.h). */
static __always_inline __u32 rq_bucket(__u64 ns)
{
	__u32 m, idx;

	if (ns < PROBE_RQ_SUB)
		return ns;
	m = log2_u64(ns);
	idx = (m - PROBE_RQ_SUB_BITS + 1) * PROBE_RQ_SUB +
	      ((ns >> (m - PROBE_RQ_SUB_BITS)) & (PROBE_RQ_SUB - 1));
	return idx < PROBE_RQ_BUCKETS ? idx : PROBE_RQ_BUCKETS - 1;
}

/* Counts the call and opens its on-CPU interval (closed at switch-out or exit). */
SEC("raw_tp/sys_enter")
int BPF_PROG(on_sys_enter, struct pt_regs *regs, long id)
{
	__u32 role = current_role();
	struct task_state *st;
	__u64 *slot;
	__u32 idx;

	if (!role || role > PROBE_ROLES || (unsigned long)id >= max_syscall ||
	    (unsigned long)id >= PROBE_NR_SYSCALLS)
		return 0;
	idx = (role - 1) * PROBE_NR_SYSCALLS + (__u32)id;
	slot = bpf_map_lookup_elem(&syscalls, &idx);
	if (slot)
		COUNT(*slot);
	st = task_state(bpf_get_current_task_btf(), true);
	if (st) {
		if (st->off_since) {
			/* The last syscall's switch-in was missed (see on_sys_exit). */
			struct probe_role_counts *c = counts(role);

			if (c)
				COUNT(c->time_lost);
		}
		st->sys_idx = idx;
		st->off_since = 0;
		st->sys_mark = bpf_ktime_get_ns();
	}
	return 0;
}

/*
 * Closes the syscall's last on-CPU interval. Syscalls entered before the attach
 * (or that never return: exit, exit_group) have no open interval here.
 *
 * Task storage is taken with a per-CPU busy flag, and syscall tracepoints run
 * preemptibly: a task preempted while it holds the flag makes that CPU's
 * sched_switch miss its task storage (the switch is lost for the intervals).
 * So only targets touch it here: other tasks' syscalls never hold the flag.
 */
SEC("raw_tp/sys_exit")
int BPF_PROG(on_sys_exit, struct pt_regs *regs, long ret)
{
	struct probe_syscall_time *t;
	struct task_state *st;
	__u64 now;

	if (!current_role())
		return 0;
	st = task_state(bpf_get_current_task_btf(), false);
	if (!st || !st->sys_mark)
		return 0;
	now = bpf_ktime_get_ns();
	t = syscall_time_at(st->sys_idx);
	if (t)
		ADD(t->on_cpu_ns, now - st->sys_mark);
	st->sys_mark = 0;
	return 0;
}

/* A target thread becomes runnable: count it, and start its run-queue delay. */
static __always_inline int on_woken(struct task_struct *p)
{
	__u32 role = role_of_tgid(p->tgid);
	struct probe_role_counts *c = counts(role);
	struct task_state *st;

	if (!c)
		return 0;
	COUNT(c->wakeups);
	st = task_state(p, true);
	if (st) {
		st->rq_role = role;
		st->rq_since = bpf_ktime_get_ns();
	}
	return 0;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(on_wakeup, struct task_struct *p)
{
	return on_woken(p);
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(on_wakeup_new, struct task_struct *p)
{
	return on_woken(p);
}

/*
 * prev leaves the CPU: close its on-CPU interval in a syscall and open the
 * switched-out one; if it stays runnable (preempted), its run-queue wait starts.
 */
static __always_inline void switch_out(struct task_state *st, __u32 role, bool runnable, __u64 now)
{
	struct probe_syscall_time *t;

	if (st->sys_mark) {
		t = syscall_time_at(st->sys_idx);
		if (t)
			ADD(t->on_cpu_ns, now - st->sys_mark);
		st->sys_mark = 0;
		st->off_since = now;
	}
	st->rq_role = role;
	st->rq_since = runnable ? now : 0;
}

/* next gets the CPU: its run-queue delay and its blocked time in a syscall end. */
static __always_inline void switch_in(struct task_struct *next, __u64 now)
{
	struct task_state *st = task_state(next, false);
	struct probe_role_counts *c;
	struct probe_syscall_time *t;
	__u64 d;

	if (!st)
		return;
	if (st->rq_since) {
		d = now - st->rq_since;
		c = counts(st->rq_role);
		if (c) {
			COUNT(c->rq_delays);
			ADD(c->rq_delay_ns, d);
			COUNT(c->rq_hist[rq_bucket(d)]);
		}
		st->rq_since = 0;
	}
	if (st->off_since) {
		t = syscall_time_at(st->sys_idx);
		if (t)
			ADD(t->blocked_ns, now - st->off_since);
		st->off_since = 0;
		st->sys_mark = now;
	}
}

/*
 * __schedule() bumps exactly one of prev->nvcsw / prev->nivcsw just before this
 * tracepoint, so comparing with the values seen last time says which, exactly
 * as /proc and getrusage count. Without a usable history (first switch seen, or
 * switches happened while detached) fall back to the arguments: the kernel
 * counts a switch voluntary when it was not a preemption and the task was not
 * TASK_RUNNING (it can differ only when a signal aborted the sleep).
 */
SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	__u32 tgid = prev->tgid, *v = bpf_map_lookup_elem(&targets, &tgid);
	unsigned long nv = prev->nvcsw, niv = prev->nivcsw;
	__u64 now = bpf_ktime_get_ns();
	struct probe_role_counts *c;
	struct task_state *seen;
	bool voluntary;

	switch_in(next, now);
	if (!v)
		return 0;
	c = counts(*v & PROBE_ROLE_MASK);
	if (!c)
		return 0;
	seen = task_state(prev, true);
	if (seen && nv == seen->nvcsw + 1 && niv == seen->nivcsw) {
		voluntary = true;
	} else if (seen && niv == seen->nivcsw + 1 && nv == seen->nvcsw) {
		voluntary = false;
	} else {
		voluntary = !preempt && prev_state != 0;
		COUNT(c->guessed);
	}
	if (seen) {
		seen->nvcsw = nv;
		seen->nivcsw = niv;
		switch_out(seen, *v & PROBE_ROLE_MASK, preempt || prev_state == 0, now);
	}
	if (voluntary)
		COUNT(c->vcsw);
	if (voluntary && next->pid == 0)
		COUNT(c->idle_sleeps);
	if (!voluntary)
		COUNT(c->ivcsw);
	/*
	 * A followed process leaves the map after its last task's final switch
	 * (do_task_dead), so that switch is counted and its pid can be reused.
	 */
	if ((*v & PROBE_TARGET_FOLLOWED) && (prev_state & RS_TASK_DEAD) &&
	    !prev->signal->live.counter)
		bpf_map_delete_elem(&targets, &tgid);
	return 0;
}

/* A new process forked by a target joins its role (nginx/haproxy workers). */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 tgid = child->tgid, role = role_of_tgid(parent->tgid), val;
	struct probe_role_counts *c = counts(role);
	struct task_state *seen;

	if (!c)
		return 0;
	/* New tasks start at nvcsw = nivcsw = 0: their switches classify exactly. */
	seen = task_state(child, true);
	if (seen) {
		seen->nvcsw = 0;
		seen->nivcsw = 0;
	}
	if (!follow_forks || tgid == (__u32)parent->tgid)
		return 0; /* a thread: its tgid is already covered */
	val = role | PROBE_TARGET_FOLLOWED;
	if (bpf_map_update_elem(&targets, &tgid, &val, BPF_NOEXIST) == 0)
		COUNT(c->forks);
	else if (!bpf_map_lookup_elem(&targets, &tgid))
		COUNT(c->dropped);
	return 0;
}

/* Every ring is created here: remember a target's, forget a reused address. */
SEC("tp_btf/io_uring_create")
int BPF_PROG(on_ring_create, int fd, void *ring, __u32 sq_entries, __u32 cq_entries, __u32 flags)
{
	__u64 key = (__u64)ring;
	__u32 role = current_role();

	if (role)
		bpf_map_update_elem(&rings, &key, &role, BPF_ANY);
	else
		bpf_map_delete_elem(&rings, &key);
	return 0;
}

/*
 * SQEs count for the submitting task's role: the SQPOLL thread (iou-sqp-*) is a
 * thread of the ring owner's process, so its tgid matches. A ring first used
 * by a target (created before it became one) is learned here.
 */
SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(on_submit, struct io_kiocb *req)
{
	__u64 key = (__u64)req->ctx;
	__u32 role = current_role(), *r;
	struct probe_role_counts *c;

	if (role) {
		r = bpf_map_lookup_elem(&rings, &key);
		if (!r || *r != role)
			bpf_map_update_elem(&rings, &key, &role, BPF_ANY);
	} else {
		r = bpf_map_lookup_elem(&rings, &key);
		role = r ? *r : 0;
	}
	c = counts(role);
	if (c)
		COUNT(c->sqes);
	return 0;
}

/*
 * Completions and the work behind them may happen in another task's context
 * (task_work, softirq, io-wq), so attribute them by ring, falling back to the
 * current task.
 */
static __always_inline struct probe_role_counts *ring_counts(void *ring)
{
	__u64 key = (__u64)ring;
	__u32 *r = bpf_map_lookup_elem(&rings, &key);

	return counts(r ? *r : current_role());
}

SEC("tp_btf/io_uring_complete")
int BPF_PROG(on_complete, struct io_ring_ctx *ring, void *req, struct io_uring_cqe *cqe)
{
	struct probe_role_counts *c = ring_counts(ring);

	if (c)
		COUNT(c->cqes);
	return 0;
}

/*
 * The optional programs below count io_uring's hidden work; the loader leaves
 * out those whose tracepoint this kernel lacks (PROBE_MISSING_*).
 */

/* A request that cannot complete inline goes to an io-wq worker thread. */
SEC("tp_btf/io_uring_queue_async_work")
int BPF_PROG(on_iowq_punt, struct io_kiocb *req, int rw)
{
	struct probe_role_counts *c = ring_counts(req->ctx);

	if (c)
		COUNT(c->iowq_punts);
	return 0;
}

/* A request on a not-ready file waits for a poll wakeup (no io-wq thread). */
SEC("tp_btf/io_uring_poll_arm")
int BPF_PROG(on_poll_arm, struct io_kiocb *req, int mask, int events)
{
	struct probe_role_counts *c = ring_counts(req->ctx);

	if (c)
		COUNT(c->poll_arms);
	return 0;
}

/*
 * A task runs its queued io_uring task work (completions, poll retries) in its
 * own context: attribute by the current task; count is items run. Older kernels
 * pass a third argument (loops), which is not read.
 */
SEC("tp_btf/io_uring_task_work_run")
int BPF_PROG(on_task_work, void *tctx, unsigned int count)
{
	struct probe_role_counts *c = counts(current_role());

	if (c)
		ADD(c->task_work, count);
	return 0;
}

/* The same for rings with IORING_SETUP_DEFER_TASKRUN (work kept on the ring). */
SEC("tp_btf/io_uring_local_work_run")
int BPF_PROG(on_local_work, void *ring, int count, unsigned int loops)
{
	struct probe_role_counts *c = ring_counts(ring);

	if (c && count > 0)
		ADD(c->task_work, count);
	return 0;
}

/* A CQE that did not fit the CQ ring: kept on the overflow list (or lost). */
SEC("tp_btf/io_uring_cqe_overflow")
int BPF_PROG(on_cq_overflow, void *ring, unsigned long long user_data, int res, unsigned int cflags,
	     void *ocqe)
{
	struct probe_role_counts *c = ring_counts(ring);

	if (c)
		COUNT(c->cq_overflows);
	return 0;
}
