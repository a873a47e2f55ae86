/*
 * settings.h — `harmony settings list|get|set|unset`: the site's settings
 * (its name, tagline, e-mail sender, time zone) from the command line,
 * through the store the admin page uses (src/features/system/settings.h).
 */
#ifndef HM_CLI_SETTINGS_H
#define HM_CLI_SETTINGS_H

/* argv[0] is "settings". Returns the process exit code: 0 done, 2 usage
 * or a value refused, 3 (not found) for get of a setting that is unset,
 * others from hm_err_exit_code. */
int cli_settings(int argc, char **argv);

#endif
