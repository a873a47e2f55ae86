/*
 * cli.h — the harmony command line: one entry point that dispatches to
 * serve, init, demo, user, media, db and analyze. Exit codes: 0 success, 2 usage, others
 * from enum hm_err (see hm_err_exit_code).
 */
#ifndef HM_CLI_H
#define HM_CLI_H

int cli_main(int argc, char **argv);

#endif
