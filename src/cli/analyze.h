/*
 * analyze.h — `harmony analyze PATH`: dialogue analysis of a Pol.is export
 * folder (or red-dwarf style JSON folder), as a text report or JSON.
 */
#ifndef HM_CLI_ANALYZE_H
#define HM_CLI_ANALYZE_H

/* argv[0] is "analyze". Returns the process exit code. */
int cli_analyze(int argc, char **argv);

#endif
