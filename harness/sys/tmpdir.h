/*
 * The run's temporary directory (tmpdir.c): what the peers and --server commands
 * leave there is removed with it at the end of a run.
 */
#ifndef RS_TMPDIR_H
#define RS_TMPDIR_H

/* Removes dir and what is in it (up to three levels of subdirectories). */
void tmpdir_remove(const char *dir);

#endif
