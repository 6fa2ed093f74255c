/* Placeholder until `doctor` lands; replaced by its implementation. */
#include "cmd.h"
#include "log.h"

int cmd_doctor(int argc, char **argv)
{
	LOG_ERR("'doctor' is not implemented yet");
	return RS_EXIT_USAGE;
}
