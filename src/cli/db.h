/*
 * db.h — `harmony db copy` (a whole database into an empty one, SQLite ↔
 * PostgreSQL) and `harmony db backup` (a new SQLite file, while the server
 * runs); the work is src/db/copy.c's.
 */
#ifndef HM_CLI_DB_H
#define HM_CLI_DB_H

/* argv[0] is "db". Returns the process exit code: 0 done, 2 usage, 3 no
 * such source, 4 the target holds data (or the backup file exists), 6 a
 * row refused or a database error, 7 unreachable, 8 not a harmony
 * database of this schema, 9 busy. */
int cli_db(int argc, char **argv);

#endif
