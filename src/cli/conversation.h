/*
 * conversation.h — `harmony conversation import`: a new conversation of
 * an event from a Pol.is export folder.
 */
#ifndef HM_CLI_CONVERSATION_H
#define HM_CLI_CONVERSATION_H

/* argv[0] is "conversation". Returns the process exit code: 0 done (the
 * new conversation's id on stdout), 2 usage or a bad folder (nothing
 * written), others from hm_err_exit_code. */
int cli_conversation(int argc, char **argv);

#endif
