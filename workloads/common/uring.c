/*
 * io_uring setup for the servers' io_uring models (see uring.h): the ring's setup
 * flags, why io_uring_setup refused them (disabled by sysctl, no io_uring in the
 * kernel, or flags such as SQPOLL or DEFER_TASKRUN this kernel does not accept), and
 * the registered provided-buffer ring (Linux >= 5.19).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "log.h"
#include "uring.h"

int uring_queue_init(struct io_uring *ring, const struct server_opts *o, unsigned sq_entries,
		     unsigned cq_entries)
{
	struct io_uring_params p = {
	    /* Multishot accept/recv post many CQEs per SQE: a larger CQ avoids overflow. */
	    .flags = IORING_SETUP_CQSIZE,
	    .cq_entries = cq_entries,
	};
	int ret;

	/* Only this loop's thread touches the ring: lets the kernel skip locking. */
	p.flags |= IORING_SETUP_SINGLE_ISSUER;
	if (o->sqpoll) {
		/* A kernel thread polls the SQ and submits: no io_uring_enter to submit. */
		p.flags |= IORING_SETUP_SQPOLL;
		/* 0 means the kernel default (1 s); 1 ms is the least. */
		p.sq_thread_idle = o->sq_idle_ms ? o->sq_idle_ms : 1;
		if (o->sq_cpu >= 0) {
			/* Pin that thread (--sq-cpu) so it does not share the loop's CPU. */
			p.flags |= IORING_SETUP_SQ_AFF;
			p.sq_thread_cpu = o->sq_cpu;
		}
		/* DEFER_TASKRUN is rejected with SQPOLL (EINVAL); SINGLE_ISSUER is allowed. */
	} else {
		/* Run completion work only when we wait for CQEs, in one batch per wait. */
		p.flags |= IORING_SETUP_DEFER_TASKRUN;
	}
	ret = io_uring_queue_init_params(sq_entries, ring, &p);
	if (ret < 0)
		return uring_refused(ret, p.flags);
	return RS_EXIT_OK;
}

static void setup_flags_str(unsigned flags, char *buf, size_t len)
{
	static const struct {
		unsigned flag;
		const char *name;
	} names[] = {
	    {IORING_SETUP_SQPOLL, "SQPOLL"},
	    {IORING_SETUP_SQ_AFF, "SQ_AFF"},
	    {IORING_SETUP_CQSIZE, "CQSIZE"},
	    {IORING_SETUP_SINGLE_ISSUER, "SINGLE_ISSUER"},
	    {IORING_SETUP_DEFER_TASKRUN, "DEFER_TASKRUN"},
	};
	size_t off = 0;

	buf[0] = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && off < len; i++)
		if (flags & names[i].flag)
			off +=
			    snprintf(buf + off, len - off, "%s%s", off ? "|" : "", names[i].name);
}

/* -EINVAL is told apart (flags vs. no io_uring at all) by retrying without flags. */
int uring_refused(int err, unsigned flags)
{
	static atomic_flag said = ATOMIC_FLAG_INIT;
	struct io_uring probe;
	char names[128];
	int disabled = -1, rc = RS_EXIT_UNSUPPORTED;
	FILE *f = fopen("/proc/sys/kernel/io_uring_disabled", "r");

	if (f) {
		if (fscanf(f, "%d", &disabled) != 1)
			disabled = -1;
		fclose(f);
	}
	if (atomic_flag_test_and_set(&said))
		return err == -EINVAL || err == -EPERM || err == -ENOSYS ? rc : RS_EXIT_FAIL;
	setup_flags_str(flags, names, sizeof(names));
	if (err == -ENOSYS) {
		LOG_ERR("io_uring unsupported: this kernel has no io_uring (ENOSYS)");
	} else if (err == -EPERM && disabled > 0) {
		LOG_ERR(
		    "io_uring unsupported: disabled by sysctl kernel.io_uring_disabled=%d (EPERM)",
		    disabled);
	} else if (err == -EPERM) {
		LOG_ERR("io_uring unsupported: io_uring_setup(%s) not permitted (EPERM)", names);
	} else if (err == -EINVAL && io_uring_queue_init(8, &probe, 0) == 0) {
		io_uring_queue_exit(&probe);
		LOG_ERR("io_uring unsupported: kernel rejects setup flags %s (EINVAL); plain "
			"io_uring works, so the kernel is too old for this combination",
			names);
	} else {
		LOG_ERR("io_uring_setup(%s): %s%s", names, strerror(-err),
			err == -EINVAL ? " even without flags (a ringside bug?)" : "");
		rc = RS_EXIT_FAIL;
	}
	return rc;
}

int uring_bufs_init(struct uring_bufs *b, struct io_uring *ring, unsigned bgid, unsigned count,
		    unsigned size, int loop_id)
{
	struct io_uring_buf_reg reg = {.ring_entries = count, .bgid = bgid};
	size_t ring_size = count * sizeof(struct io_uring_buf);
	int ret;

	*b = (struct uring_bufs){.count = count, .size = size};
	b->br = mmap(NULL, ring_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b->br == MAP_FAILED)
		b->br = NULL;
	b->base = mmap(NULL, (size_t)count * size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b->base == MAP_FAILED)
		b->base = NULL;
	if (!b->br || !b->base) {
		PLOG_ERR("loop %d: buffer memory", loop_id);
		return RS_EXIT_FAIL;
	}
	reg.ring_addr = (uintptr_t)b->br;
	ret = io_uring_register_buf_ring(ring, &reg, 0);
	if (ret == -EINVAL || ret == -EOPNOTSUPP) {
		LOG_ERR("io_uring unsupported: kernel has no provided buffer rings "
			"(io_uring_register_buf_ring: %s; needs Linux 5.19 or later)",
			strerror(-ret));
		return RS_EXIT_UNSUPPORTED;
	}
	if (ret < 0) {
		LOG_ERR("loop %d: io_uring_register_buf_ring: %s", loop_id, strerror(-ret));
		return RS_EXIT_FAIL;
	}
	io_uring_buf_ring_init(b->br);
	for (unsigned i = 0; i < count; i++)
		uring_buf_return(b, i);
	uring_bufs_flush(b);
	return RS_EXIT_OK;
}

void uring_bufs_free(struct uring_bufs *b)
{
	if (b->br)
		munmap(b->br, b->count * sizeof(struct io_uring_buf));
	if (b->base)
		munmap(b->base, (size_t)b->count * b->size);
	b->br = NULL;
	b->base = NULL;
}
