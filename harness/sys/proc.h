/*
 * sys/: what the harness needs from the system, for run/, calibrate, doctor and
 * trace alike, knowing nothing of cells or results: child processes (child.h:
 * spawn pinned, ready, stop, reap), process trees (ptree.h), ports (port.h: a
 * free one, waiting until one accepts), /proc sampling (procstat.h), installed
 * tools (tool.h), the run's temporary directory (tmpdir.h) and host facts
 * (hostinfo.h). This header is child control and /proc sampling together, for
 * the callers that need both.
 */
#ifndef RS_PROC_H
#define RS_PROC_H

#include "sys/child.h"
#include "sys/procstat.h"

#endif
