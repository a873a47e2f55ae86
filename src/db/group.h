/*
 * group.h — group commit: writes that must be on disk before they are
 * acknowledged (a vote), gathered from many requests into one
 * transaction, so that one synchronous commit (SQLite synchronous=FULL:
 * the WAL is fsynced; PostgreSQL synchronous_commit=on) pays for a whole
 * batch. One thread with its own connection takes what has been
 * submitted, applies each item in one transaction, commits, then tells
 * each item how it went. Items come from any thread.
 */
#ifndef HM_DB_GROUP_H
#define HM_DB_GROUP_H

#include "core/core.h"

struct db;
struct db_group;

struct db_group_item {
	/* On the group's thread, inside the batch's transaction: the item's
	 * writes. An error other than HM_EDB (a refusal) must have written
	 * nothing; HM_EDB fails the batch, whose items are then applied
	 * again one transaction each, so that one bad item costs only itself. */
	enum hm_err (*apply)(struct db *db, struct db_group_item *it);
	/* On the group's thread, after the commit (or its failure): e is
	 * apply's result, or HM_EDB when the commit failed. The item is the
	 * caller's again (it may be freed here). */
	void (*done)(struct db_group_item *it, enum hm_err e);
	struct db_group_item *next; /* the group's */
};

/* Starts a group on its own durable connection to db_path (thread with all
 * signals blocked). at_most: items in one batch (0: 1024). HM_EDB with a
 * log line when the database cannot be opened; HM_EINTERNAL when the
 * thread cannot start. */
enum hm_err db_group_start(const char *db_path, unsigned at_most, struct db_group **out);
/* Queues it: done will be called, once, on the group's thread. */
void db_group_submit(struct db_group *g, struct db_group_item *it);
/* Applies what is queued, then stops the thread and closes its
 * connection. NULL: no-op. */
void db_group_stop(struct db_group *g);

#endif
