/* Placeholder until this subcommand lands; replaced by its implementation. */
#include "cmd.h"
#include "log.h"

int cmd_compare(int argc, char **argv)
{
	LOG_ERR("'compare' is not implemented yet");
	return RS_EXIT_USAGE;
}
