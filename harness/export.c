/* Placeholder until this subcommand lands; replaced by its implementation. */
#include "cmd.h"
#include "log.h"

int cmd_export(int argc, char **argv)
{
	LOG_ERR("'export' is not implemented yet");
	return RS_EXIT_USAGE;
}
