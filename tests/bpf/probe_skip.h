/*
 * The BPF tests' skip rule: without root, or when the probes cannot load (no
 * BTF, BPF refused), a test exits 77 with the reason, never passes.
 */
#ifndef RS_PROBE_SKIP_H
#define RS_PROBE_SKIP_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "probe.h"

/* A loaded (not attached) probe, or exit(77) saying why there is none. */
static inline struct probe *probe_open_or_skip(void)
{
	char why[256];
	struct probe *p;

	if (geteuid() != 0) {
		printf("skip: not root (the BPF probes need CAP_BPF and CAP_PERFMON)\n");
		exit(77);
	}
	if (probe_open(&p, why, sizeof(why))) {
		printf("skip: BPF probes unavailable: %s\n", why);
		exit(77);
	}
	return p;
}

#endif
