/*
 * migrate.h — numbered schema migrations (migrations/NNNN_name.sql, compiled
 * into the binary), applied in order, each in its own transaction, and
 * recorded in schema_migrations. A landed migration is never edited.
 */
#ifndef HM_MIGRATE_H
#define HM_MIGRATE_H

#include "core/core.h"

struct db;

/* The highest migration number this binary carries. */
int migrate_latest(void);

/* Applies every migration newer than the database's. On failure the
 * failing migration is rolled back and err says which and why. */
enum hm_err migrate_run(struct db *db, char *err, size_t errlen);

#endif
