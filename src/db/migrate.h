/*
 * migrate.h — numbered schema migrations (migrations/NNNN_name.sql, compiled
 * into the binary), applied in order, each in its own transaction, and
 * recorded in schema_migrations. A landed migration is never edited.
 */
#ifndef HM_MIGRATE_H
#define HM_MIGRATE_H

#include <stdint.h>

#include "core/core.h"

struct db;

/* The highest migration number this binary carries. */
int migrate_latest(void);

/* Whether a database may be opened, once its backend has identified it:
 * marked, it is harmony's, at schema version (-1: its migration record
 * cannot be read); unmarked, it is empty. An older schema is for migrate
 * (harmony init) only. HM_OK, or HM_ESCHEMA with the reason in err
 * (shown names the database). */
enum hm_err migrate_check(const char *shown, int marked, int64_t version, int migrate,
			  char *err, size_t errlen);

/* Applies every migration newer than the database's. On failure the
 * failing migration is rolled back and err says which and why. */
enum hm_err migrate_run(struct db *db, char *err, size_t errlen);

#endif
