/*
 * Files written so that a reader never sees half of one: every output goes to
 * PATH.tmp.PID, is flushed and fsync'd, and is renamed into place (the
 * directory is fsync'd too). "-" as a path means standard output. Also the
 * small filesystem helpers the harness shares: mkdir -p, a fresh result
 * directory, and the directory of the running executable.
 */
#ifndef RS_FSIO_H
#define RS_FSIO_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

/* An output file in the making. */
struct fs_out {
	FILE *f;
	bool is_stdout;	     /* path was "-": f is stdout, commit only flushes */
	char path[PATH_MAX]; /* where it lands */
	char tmp[PATH_MAX + 32];
};

/* Opens path's temporary file (or stdout for "-"); NULL after logging. */
FILE *fs_out_open(struct fs_out *o, const char *path);
/* Flushes, fsyncs and renames into place; 0, or -1 after logging (tmp removed). */
int fs_out_commit(struct fs_out *o);
/* Drops the temporary file. */
void fs_out_abort(struct fs_out *o);

/*
 * For files another program writes (gnuplot's charts): the temporary name for
 * path into tmp, and the rename of a finished tmp into path. 0, or -1 after
 * logging (tmp removed).
 */
void fs_tmp_name(const char *path, char *tmp, size_t len);
int fs_rename_into(const char *tmp, const char *path);

/*
 * A fresh directory for a run's results: base, else base-2, base-3, ... (an
 * existing empty base, e.g. from mktemp -d, is used as it is), its parents
 * made as needed; its path into out. 0, or -1 after logging.
 */
int fs_mkdir_fresh(const char *base, char *out, size_t len);
/* mkdir -p; 0, or -1 after logging. */
int fs_mkdir_p(const char *path);
/* The directory holding the running executable ("." if /proc cannot say). */
const char *fs_exe_dir(void);

#endif
