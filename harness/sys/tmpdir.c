/*
 * Removing the run's temporary directory (tmpdir.h); never follows a link.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys/tmpdir.h"

/* Removes the files the peers left in dir, then dir (one level of subdirectories). */
static void rm_tree(const char *dir, int depth)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[PATH_MAX];
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!lstat(path, &st) && S_ISDIR(st.st_mode) && depth < 3)
			rm_tree(path, depth + 1);
		else
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

void tmpdir_remove(const char *dir)
{
	if (dir && dir[0])
		rm_tree(dir, 0);
}
