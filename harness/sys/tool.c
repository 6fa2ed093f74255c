/*
 * Finding an installed tool (tool.h): the sbin and bin directories, in order.
 */
#include <stdio.h>
#include <unistd.h>

#include "sys/tool.h"

int tool_find(const char *tool, char *path, size_t len)
{
	static const char *const dirs[] = {"/usr/sbin", "/usr/bin",	   "/sbin",
					   "/bin",	"/usr/local/sbin", "/usr/local/bin"};

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, len, "%s/%s", dirs[i], tool);
		if (!access(path, X_OK))
			return 0;
	}
	path[0] = '\0';
	return -1;
}

int tool_missing(const char *tool, char *why, size_t len)
{
	char path[256];

	if (!tool_find(tool, path, sizeof(path)))
		return 0;
	snprintf(why, len, "%s is not installed (apt-get install %s)", tool, tool);
	return -1;
}
