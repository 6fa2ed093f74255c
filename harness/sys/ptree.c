/*
 * Process trees (ptree.h): one scan of /proc/PID/stat for every (pid, ppid),
 * then the processes below a root, breadth first.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys/ptree.h"

/* Every process's (pid, ppid), at most max; the count. */
static int scan_parents(pid_t (*pp)[2], int max)
{
	struct dirent *de;
	DIR *d = opendir("/proc");
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		char path[300], buf[512], *p;
		int ppid;
		FILE *f;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
		fclose(f);
		if (p && sscanf(p + 2, "%*c %d", &ppid) == 1) {
			pp[n][0] = (pid_t)atoi(de->d_name);
			pp[n++][1] = (pid_t)ppid;
		}
	}
	closedir(d);
	return n;
}

/* The processes below root (children only unless all), breadth first, at most max. */
static int below_root(pid_t root, bool all, pid_t *out, int max)
{
	enum { SCAN_MAX = 1 << 16 };
	pid_t(*pp)[2] = malloc(SCAN_MAX * sizeof(*pp));
	int n = 0, np;

	if (!pp)
		return 0;
	np = scan_parents(pp, SCAN_MAX);
	/* out[k] for k < done have had their own children collected */
	for (int done = -1; done < n && n < max; done++) {
		pid_t parent = done < 0 ? root : out[done];

		for (int i = 0; i < np && n < max; i++)
			if (pp[i][1] == parent && pp[i][0] != root)
				out[n++] = pp[i][0];
		if (!all)
			break;
	}
	free(pp);
	return n;
}

int ptree_children(pid_t parent, pid_t *out, int max)
{
	return below_root(parent, false, out, max);
}

int ptree_descendants(pid_t root, pid_t *out, int max)
{
	return below_root(root, true, out, max);
}
