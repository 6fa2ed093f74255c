/* Placeholder until this subcommand lands; replaced by its implementation. */
#include "cmd.h"
#include "log.h"

int cmd_trace(int argc, char **argv)
{
	LOG_ERR("'trace' is not implemented yet");
	return RS_EXIT_USAGE;
}
