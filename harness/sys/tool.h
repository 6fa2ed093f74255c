/*
 * Tools ringside runs but does not build (tool.c): nginx, haproxy, wrk, found in
 * the usual system directories, never through $PATH (root's may differ).
 */
#ifndef RS_TOOL_H
#define RS_TOOL_H

#include <stddef.h>

/* The tool's absolute path into path; -1 if it is not installed. */
int tool_find(const char *tool, char *path, size_t len);
/* 0 if tool is installed; else -1 and why = "nginx is not installed (apt-get ...)". */
int tool_missing(const char *tool, char *why, size_t len);

#endif
