/*
 * media.h — `harmony media prune`: removes the uploaded images nothing
 * refers to any more, as the server does every hour (src/media/prune.c).
 */
#ifndef HM_CLI_MEDIA_H
#define HM_CLI_MEDIA_H

/* argv[0] is "media". Returns the process exit code: 0 done (also when
 * nothing was removed), 2 usage or invalid input, 3 no such media folder,
 * others from hm_err_exit_code. */
int cli_media(int argc, char **argv);

#endif
