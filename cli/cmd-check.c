/*
 * `hogo check`: decide one request, or a stream of them.
 * CLI layer.
 */
#include "commands.h"

int cmd_check(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cli_errorf("check: not built yet");
    return 2;
}
