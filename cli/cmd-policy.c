/*
 * `hogo policy check|show|diff`: work with policy files.
 * CLI layer.
 */
#include "commands.h"

int cmd_policy(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cli_errorf("policy: not built yet");
    return 2;
}
