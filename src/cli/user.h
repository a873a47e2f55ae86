/*
 * user.h — `harmony user`: add, list, passwd, grant and revoke accounts
 * from the command line. Passwords are read from the terminal without
 * echo, or as one line of standard input; never from the arguments.
 */
#ifndef HM_CLI_USER_H
#define HM_CLI_USER_H

/* argv[0] is "user". Returns the process exit code: 0 done, 2 usage or
 * invalid input, 3 no such account/event/series, 4 exists, others from
 * hm_err_exit_code. */
int cli_user(int argc, char **argv);

#endif
