/*
 * Child control (child.h) and /proc sampling (procstat.h) together, for the
 * callers that need both: the cell, calibrate.
 */
#ifndef RS_PROC_H
#define RS_PROC_H

#include "sys/child.h"
#include "sys/procstat.h"

#endif
