/*
 * The BPF probes (bpf/) behind the cell's probe hooks (probes.c).
 */
#ifndef RS_PROBES_H
#define RS_PROBES_H

#include <stddef.h>

/* Why the probes are off ("" while on). */
extern char cell_probes_reason[256];
/*
 * mode "auto": load the probes if this machine allows, else run without them
 * and keep the reason; "on": the same, but failing to load is an error (-1,
 * said on stderr); "off": never load them.
 */
int probes_init(const char *mode);
void probes_fini(void);
/* 0 when the probes can load here; else -1 with the one-line reason. */
int probes_check(char *why, size_t len);

#endif
