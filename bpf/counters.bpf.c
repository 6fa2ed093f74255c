/*
 * ringside's kernel-side counters: syscalls by id, voluntary/involuntary context
 * switches and io_uring SQEs/CQEs, per role (server, client), for the tgids in
 * the targets map and the processes they fork. Needs BTF (CO-RE, tp_btf) and
 * raw tracepoints; no tracefs. Counting is exact: no sampling, per-CPU slots.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "counters.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Settings, written by the loader between open and load. */
const volatile __u32 max_syscall = PROBE_NR_SYSCALLS; /* ids >= this are ignored */
const volatile bool follow_forks = true;

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

/* [role - 1] -> everything else, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PROBE_ROLES);
	__type(key, __u32);
	__type(value, struct probe_role_counts);
} roles SEC(".maps");

#define RS_TASK_DEAD 0x80 /* include/linux/sched.h; a #define, so not in BTF */

/* The switch counters of a task as last seen at sched_switch (see on_switch). */
struct csw_seen {
	unsigned long nvcsw;
	unsigned long nivcsw;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct csw_seen);
} csw SEC(".maps");

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
#define COUNT(p) __sync_fetch_and_add(&(p), 1)

SEC("raw_tp/sys_enter")
int BPF_PROG(on_sys_enter, struct pt_regs *regs, long id)
{
	__u32 role = current_role();
	__u64 *slot;
	__u32 idx;

	if (!role || role > PROBE_ROLES || (unsigned long)id >= max_syscall ||
	    (unsigned long)id >= PROBE_NR_SYSCALLS)
		return 0;
	idx = (role - 1) * PROBE_NR_SYSCALLS + (__u32)id;
	slot = bpf_map_lookup_elem(&syscalls, &idx);
	if (slot)
		COUNT(*slot);
	return 0;
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
	struct probe_role_counts *c;
	struct csw_seen *seen;
	bool voluntary;

	if (!v)
		return 0;
	c = counts(*v & PROBE_ROLE_MASK);
	if (!c)
		return 0;
	seen = bpf_task_storage_get(&csw, prev, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
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
	}
	if (voluntary)
		COUNT(c->vcsw);
	else
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
	struct csw_seen *seen;

	if (!c)
		return 0;
	/* New tasks start at nvcsw = nivcsw = 0: their switches classify exactly. */
	seen = bpf_task_storage_get(&csw, child, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
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
 * Completions may be posted from another task's context (task_work, softirq,
 * io-wq), so attribute them by ring, falling back to the current task.
 */
SEC("tp_btf/io_uring_complete")
int BPF_PROG(on_complete, struct io_ring_ctx *ring, void *req, struct io_uring_cqe *cqe)
{
	__u64 key = (__u64)ring;
	__u32 *r = bpf_map_lookup_elem(&rings, &key);
	struct probe_role_counts *c = counts(r ? *r : current_role());

	if (c)
		COUNT(c->cqes);
	return 0;
}
