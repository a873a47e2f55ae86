/*
 * dlg_internal.h — what the files of the dialogue feature share and
 * nothing else includes.
 */
#ifndef HM_DLG_INTERNAL_H
#define HM_DLG_INTERNAL_H

#include "core/core.h"
#include "features/dialogue/dialogue.h"

#define DLG_TS_SIZE 32

/* "2012-11-29T08:30:00Z" */
void dlg_ts(int64_t t, char out[DLG_TS_SIZE]);
const char *dlg_jstr(const json_t *o, const char *k);
int dlg_in_list(const char *s, const char *const *list);
/* Rolls back and returns e. */
enum hm_err dlg_fail(struct db *db, enum hm_err e);
/* 1 if s holds nothing but white space. */
int dlg_blank(const char *s);
/* The SHA-256 (hex) of an anonymous token: what the store keeps. */
void dlg_anon_key(const char *token, char out[65]);
/* A statement's text as kept (trimmed, runs of white space one space),
 * malloc'd; NULL: control characters or not UTF-8 (statement.c). */
char *dlg_tidy(const char *s, size_t len);
/* The near-duplicate key of a statement's text (statement.c). malloc'd. */
char *dlg_text_key(const char *text);
/* In the caller's transaction: marks conversation cid changed for the
 * analysis (its revision goes up). HM_EDB. */
enum hm_err dlg_touch(struct db *db, int64_t cid);
/* In the caller's transaction, once the caller has checked that who may
 * take part in conv (dlg_may_take_part): their participant row, made if
 * need be. */
enum hm_err dlg_participant_tx(struct db *db, const json_t *conv, const struct dlg_who *who,
			       int64_t now, int64_t *pid);

/* The dialogue's threads (service.c), started and stopped with the
 * server. The vote committer: NULL when not started (a command, a test):
 * votes are then committed one by one. */
struct db_group;
enum hm_err dlg_service_start(const char *db_path);
void dlg_service_stop(void);
struct db_group *dlg_votes_group(void);
/* Tells the analysis that votes were committed (any thread). */
void dlg_analysis_wake(void);

/* Says this process added statements or changed their status, after
 * its commit: the accepted statements dlg_state keeps are read again
 * (vote.c). */
void dlg_statements_changed(void);

/* The analysis's counters for /metrics (the feature's metrics hook). */
void dlg_analysis_metrics(struct buf *out);

#endif
