/*
 * reg_internal.h — what the files of the registration feature share and
 * nothing else includes.
 */
#ifndef HM_REG_INTERNAL_H
#define HM_REG_INTERNAL_H

#include "core/core.h"
#include "features/registration/admission.h"
#include "features/registration/registration.h"

#define REG_TS_SIZE 32
#define REG_TOKEN_SIZE 64

/* "2012-11-29T08:30:00Z" */
void reg_ts(int64_t t, char out[REG_TS_SIZE]);
/* An address in lower case, the key of "one registration per address". */
void reg_key_of(const char *email, char *out, size_t n);
int reg_email_ok(const char *s);
int reg_date_ok(const char *s);
/* The UN M49 sub-region of a country ("030"); NULL. */
const char *reg_region_of(const char *country);
/* The token of a registration's links from its id and salt. */
enum hm_err reg_token_of(struct db *db, int64_t id, const char *salt, char out[REG_TOKEN_SIZE]);

/* A room read from the store, with the memory its strings live in. */
struct reg_room_buf {
	struct reg_room room;
	struct reg_quota quotas[REG_QUOTAS_MAX];
	size_t nquotas;
	struct arena pool;
};
/* The seated of ev and its quotas; free with reg_room_free in any case. */
enum hm_err reg_room_load(struct reg_room_buf *rb, struct db *db, const json_t *ev,
			  int keep_targets);
void reg_room_free(struct reg_room_buf *rb);

/* A person's fields as sent, checked. */
struct reg_input {
	const char *name, *email, *organisation, *position, *sector, *country, *gender,
		*languages, *accessibility, *dietary, *answers;
	int64_t organisation_id;
	int consent, wants_letter;
};
/* Reads in into out (strings in a), adding to errs; returns errs->n.
 * approved: the questions for approved participants are asked too;
 * -1: no question is asked (a delegate, who answers on their own page);
 * old_answers (or NULL): the answers kept for questions not asked. */
int reg_read_person(struct db *db, const json_t *ev, const json_t *in, int approved,
		    json_t *old_answers, struct arena *a, struct reg_input *out,
		    struct field_errors *errs);

/* 1 for the statuses that hold a seat: approved, offered. */
int seated_str(const char *s);
/* reg_fill_seats in the caller's transaction. */
enum hm_err reg_fill_seats_tx(struct db *db, const json_t *ev, int64_t now);

/* Queues the e-mail that tells registration id of its status (received,
 * approved, waitlisted, offered, declined, cancelled, expired), in its
 * language, with the link to manage it; message: the organisers' words,
 * or NULL. In the caller's transaction; a failure is logged, not
 * returned (the decision stands). */
void reg_mail_status(struct db *db, const json_t *ev, int64_t id, const char *status,
		     const char *message, int64_t now);

/* Erases the personal data of registrations whose event ended longer
 * ago than its retention_days (the job "registration.retention"). */
void reg_erase_due(struct db *db, int64_t now);

/* Tells the focal point of delegation id what was received, in the
 * caller's transaction. */
void reg_mail_delegation(struct db *db, const json_t *ev, int64_t id, int64_t now);

#endif
