/*
 * copy.h — a whole harmony database copied into another (SQLite ↔
 * PostgreSQL, or the same backend twice), and a backup written as a new
 * SQLite file: `harmony db copy` and `harmony db backup` (src/cli/db.c).
 *
 * Only rows travel: uploaded images are files in the media folder, named
 * in the rows (post.image, organisation.logo), and stay where they are.
 */
#ifndef HM_DB_COPY_H
#define HM_DB_COPY_H

#include <stdint.h>

#include "core/core.h"

/* Called once per table copied, after the copy committed, in the order the
 * tables were filled. */
typedef void (*db_copy_each)(const char *table, int64_t rows, void *ctx);

/* The two ends as messages show them (a URI without its password) and the
 * schema version copied; filled by db_copy and db_backup when given. */
struct db_copy_ends {
	char from[512];
	char to[512];
	int version;
};

/* Copies every row of the harmony database from into the database to
 * (each a --db value: a SQLite file or a PostgreSQL URI), in one
 * transaction on the target, so a failure leaves it without data.
 *
 * from must be a harmony database of the schema this binary knows
 * (HM_ENOTFOUND: no such file; HM_ESCHEMA: not harmony's, newer, or older
 * and needing 'harmony init'). to may be a file that does not exist yet, an
 * empty PostgreSQL database or schema, or a harmony database of the latest
 * schema that holds no rows (as 'harmony init' leaves it); a blank one is
 * migrated first. A target that holds any row is refused untouched
 * (HM_EEXIST), one that is not harmony's too (HM_ESCHEMA). A row the
 * target refuses is HM_EDB, and nothing is kept. On PostgreSQL each
 * identity sequence is moved past the largest id copied. A file made here
 * is removed again when the copy fails. err says why on failure. */
enum hm_err db_copy(const char *from, const char *to, db_copy_each each, void *ctx,
		    struct db_copy_ends *ends, char *err, size_t errlen);

/* Writes the database from into the new SQLite file to (which must not
 * exist: HM_EEXIST): from SQLite with the online backup API (a consistent
 * snapshot, while writers go on), from PostgreSQL through db_copy in one
 * REPEATABLE READ snapshot. Built under a temporary name beside to and
 * renamed only when complete; a rollback-journal file (no -wal beside
 * it). each sees the rows per table of the file written. */
enum hm_err db_backup(const char *from, const char *to, db_copy_each each, void *ctx,
		      struct db_copy_ends *ends, char *err, size_t errlen);

#endif
