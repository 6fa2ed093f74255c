/* Placeholder until this subcommand lands; replaced by its implementation. */
#include "cmd.h"
#include "log.h"

int cmd_plot(int argc, char **argv)
{
	LOG_ERR("'plot' is not implemented yet");
	return RS_EXIT_USAGE;
}
