/*
 * Why io_uring_setup refused a ring, in one line for the echo server's io_uring
 * models (uring.c): disabled by sysctl, no io_uring in the kernel, or setup flags
 * (SQPOLL, DEFER_TASKRUN, ...) this kernel does not accept.
 */
#include <liburing.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "echo.h"
#include "log.h"

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
int echo_uring_refused(int err, unsigned flags)
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
