/* Placeholder until this subcommand lands; replaced by its implementation. */
#include "cmd.h"
#include "log.h"

int cmd_report(int argc, char **argv)
{
	LOG_ERR("'report' is not implemented yet");
	return RS_EXIT_USAGE;
}
