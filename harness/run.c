/* Placeholder until `run` lands; replaced by its implementation. */
#include "cmd.h"
#include "log.h"

int cmd_run(int argc, char **argv)
{
	LOG_ERR("'run' is not implemented yet");
	return RS_EXIT_USAGE;
}

int cmd_list(int argc, char **argv)
{
	LOG_ERR("'list' is not implemented yet");
	return RS_EXIT_USAGE;
}
