/*
 * registration.h — who comes to an event: its registration settings
 * (mode, window, quotas, the organisers' questions), registrations and
 * their statuses, the waiting list, invitations and check-in.
 *
 * Rights: every write takes the acting principal and checks it here;
 * participants act through the token of their links (no account needed).
 * Writes run in one transaction (SQLite's and PostgreSQL's one writer at
 * a time, so two registrations never take the same last seat) and are
 * audited. Refusals by field are struct field_errors of msgids.
 */
#ifndef HM_REGISTRATION_H
#define HM_REGISTRATION_H

#include <jansson.h>
#include <stdint.h>

#include "auth/auth.h"
#include "core/core.h"
#include "site/kind.h"

struct db;

/* The stored values, NULL-terminated, in display order. */
extern const char *const reg_modes[];     /* open, approval, invitation */
extern const char *const reg_statuses[];  /* pending, approved, waitlisted, offered, declined, cancelled, expired */
extern const char *const reg_genders[];   /* female, male, other, undisclosed */
extern const char *const reg_directories[]; /* none, participants, public */
extern const char *const reg_question_kinds[]; /* text, choice, multiple, yesno, date */

#define REG_QUESTIONS_MAX 30
#define REG_QUOTAS_MAX 60
#define REG_TOKEN_LEN 43 /* the token of an invitation's link */
/* Registrations one address may send to one event in the window: a room
 * of 150 behind one address is far below it. */
#define REG_PER_ADDRESS 600
#define REG_PER_ADDRESS_WINDOW 600 /* seconds */
/* The limit the server holds to (harmony serve
 * --registration-limit-per-address); 0: none. Set before serving. */
void reg_limit_set(int n);
int reg_limit(void);

/* The event of slug in any status with its registration settings:
 * {id, series_id, slug, title, status, timezone, capacity, starts_on,
 *  ends_on, city, country, venue, registration: {mode, opens_at,
 *  closes_at, confirm_hours, directory, questions: [...], quotas: [...]}
 *  or null when it takes none}. NULL: no such event (or a failed read:
 * db_failed says). Runs inside or outside a transaction. */
json_t *reg_event(struct db *db, const char *slug);
/* The same by the event's id. */
json_t *reg_event_by_id(struct db *db, int64_t event_id);

/* 1 if p may manage the registrations of ev (its organisers, admins). */
int reg_may_manage(const struct principal *p, const json_t *ev);

/* Whether ev takes registrations at now: "open", "not_yet", "closed",
 * "none" (no settings, a draft or cancelled event). */
const char *reg_window(const json_t *ev, int64_t now);

/* Saves the settings of ev from in ({mode, capacity, opens_at, closes_at,
 * confirm_hours, directory, quotas, questions}; keys absent keep their
 * value). HM_EINVAL with errs; HM_EFORBIDDEN. Audited as
 * "registration.settings". */
enum hm_err reg_settings_save(struct db *db, const struct principal *p, const json_t *ev,
			      const json_t *in, int64_t now, struct field_errors *errs);

/* Registers a person for ev from in ({name, email, organisation,
 * organisation_id, position, sector, country, gender, languages,
 * accessibility, dietary, consent_directory, answers: {id: value}},
 * "invitation": the token of an invitation link). lang: theirs, for the
 * e-mails. The status follows the mode, the capacity and the quotas:
 * approved, pending or waitlisted. *out: {id, status, token} (the
 * token of the person's links, shown once). HM_EEXIST: the e-mail is
 * registered already (nothing changed); HM_EINVAL with errs;
 * HM_ECONFLICT: registration is not open (errs "" says why). An e-mail
 * tells the person. */
enum hm_err reg_register(struct db *db, const struct principal *p, const json_t *ev,
			 const json_t *in, const char *lang, int64_t now, struct field_errors *errs,
			 json_t **out);

/* A delegation: a focal point registers several delegates at once with
 * one nomination letter (a PDF of at most REG_LETTER_MAX bytes). in:
 * {name, focal_name, focal_email, organisation, organisation_id, sector,
 * country, letter_name, delegates: [{name, email, position, gender, …}]}
 * (each delegate takes the delegation's organisation, sector and country
 * unless it gives its own). All or nothing: refusals in errs under
 * "name_<n>", "email_<n>"… (n from 1). Every delegate is pending (the
 * organisers decide) and gets an e-mail; the focal point gets a summary.
 * *out: {id, registrations: [{id, status}…]}. */
#define REG_DELEGATES_MAX 20
#define REG_LETTER_MAX (5 * 1024 * 1024)
enum hm_err reg_delegation_create(struct db *db, const struct principal *p, const json_t *ev,
				  const json_t *in, const void *letter, size_t letter_len,
				  const char *lang, int64_t now, struct field_errors *errs,
				  json_t **out);
/* The delegations of an event with their members: [{id, name, focal_name,
 * focal_email, organisation, sector, country, created_at, members: [{id,
 * name, email, status}…]}…]; NULL on a failed read. */
json_t *reg_delegations(struct db *db, int64_t event_id);
/* The nomination letter of delegation id of event_id: *pdf (malloc'd) and
 * *len; HM_ENOTFOUND. */
enum hm_err reg_delegation_letter(struct db *db, int64_t event_id, int64_t id, char **pdf,
				  size_t *len);

/* The registrations of an event, oldest first; status NULL: all; q
 * NULL: all, else those whose name, e-mail or organisation contains it.
 * [{id, name, email, organisation, position, sector, country, gender,
 *   languages, accessibility, dietary, consent_directory, answers, lang,
 *   status, offer_expires_at, created_at, status_at, checked_in_at}…] */
json_t *reg_list(struct db *db, int64_t event_id, const char *status, const char *q);
/* One registration (the same keys and event_id); NULL: none. */
json_t *reg_get(struct db *db, int64_t id);

/* An organiser's decision on registration id: "approved", "declined",
 * "waitlisted", "cancelled" (and "pending"). Approving is held to the
 * capacity and the caps (HM_ECONFLICT with *why, a msgid). Freed seats go
 * to the waiting list at once. message: added to the e-mail (NULL:
 * none). HM_ENOTFOUND, HM_EFORBIDDEN, HM_EINVAL (not a status). */
enum hm_err reg_decide(struct db *db, const struct principal *p, int64_t id, const char *status,
		       const char *message, int64_t now, const char **why);

/* The person's own registration by the token of their links; NULL. */
json_t *reg_by_token(struct db *db, const char *token);
/* Their changes (the fields of reg_register but e-mail and invitation),
 * HM_EINVAL with errs. */
enum hm_err reg_self_update(struct db *db, const char *token, const json_t *in, int64_t now,
			    struct field_errors *errs);
/* Cancels (any status but declined, cancelled, expired: HM_ECONFLICT),
 * or confirms a seat offered (HM_ECONFLICT when none is, or it lapsed). */
enum hm_err reg_self_cancel(struct db *db, const char *token, int64_t now);
enum hm_err reg_self_confirm(struct db *db, const char *token, int64_t now);

/* Counts of the room by attribute: {statuses: {approved: n, …}, sector:
 * [{value, pending, approved, waitlisted, offered, attended, cap, target}…],
 * country: […], gender: […], capacity, seated, quotas: [{…, seated, cap,
 * target}]}. With ids (n of them): "after" holds the seated counts as they
 * would be with those registrations approved too. */
json_t *reg_balance(struct db *db, const json_t *ev, const int64_t *ids, size_t n);

/* Offers free seats to the waiting list (best balance first, then time),
 * expires lapsed offers; mails whom it concerns. Called after each change
 * that frees a seat and by the job. */
enum hm_err reg_fill_seats(struct db *db, const json_t *ev, int64_t now);

/* Those approved who agreed to be listed: [{name, organisation,
 * position, sector, country}…] by name; NULL on a failed read. */
json_t *reg_directory(struct db *db, int64_t event_id);
/* 1 if email is approved for the event, 0 if not, -1 on a failed read. */
int reg_is_participant(struct db *db, int64_t event_id, const char *email);
/* The id of the approved registration of email for the event; 0: none,
 * -1: a failed read. */
int64_t reg_participant_id(struct db *db, int64_t event_id, const char *email);
/* The key registrations match an e-mail address by (registration.email_key). */
void reg_email_key(const char *email, char *out, size_t n);

/* The known organisations' names, for suggestions: [{name}…]. */
json_t *reg_org_names(struct db *db);

/* ---- check-in */
/* The signed code on a badge (QR) of registration id: "HM1-<id>-<mac>". */
enum hm_err reg_checkin_code(struct db *db, int64_t id, char out[64]);
/* The same as "checkin_code" of each registration of list (its "id"),
 * with one read of the server's key. */
enum hm_err reg_checkin_codes(struct db *db, json_t *list);
/* Checks in the person of code at now (nonce: the client's id of this
 * attempt: a retry records nothing new). *out: {registration: {id, name,
 * organisation, country, status}, checked_in_at, first: bool,
 * checked_in_by}. HM_ENOTFOUND: no such code for this event;
 * HM_ECONFLICT: not approved. */
enum hm_err reg_checkin(struct db *db, const struct principal *p, const json_t *ev,
			const char *code, const char *nonce, const char *desk, int64_t now,
			json_t **out);

/* ---- invitations */
/* Invites people ({email, name}…) to ev: each a single-use link by
 * e-mail. *added, *skipped (already invited or registered). */
enum hm_err reg_invite(struct db *db, const struct principal *p, const json_t *ev,
		       const json_t *people, int64_t now, int *added, int *skipped);
json_t *reg_invitations(struct db *db, int64_t event_id);
/* The invitation of token for ev, unused: {id, email, name}; NULL. */
json_t *reg_invitation_by_token(struct db *db, int64_t event_id, const char *token);

/* ---- the site's address for the links in e-mails sent by jobs */
void reg_site_url_set(const char *url);
const char *reg_site_url(void);

/* The registration jobs (feature.c declares them): free seats offered to
 * the waiting list and lapsed offers expired; personal data erased after
 * the event. */
void reg_job_seats(struct db *db, int64_t now, int (*stopping)(void));
void reg_job_retention(struct db *db, int64_t now, int (*stopping)(void));
/* Invitations unused REG_REMIND_AFTER after they were sent get one
 * reminder with a new link, while registration is open (the job
 * "registration.reminders"). */
#define REG_REMIND_AFTER (5 * 86400)
void reg_remind_invitations(struct db *db, int64_t now);
/* Approved participants get one reminder REG_REMIND_BEFORE the event
 * starts. */
#define REG_REMIND_BEFORE (3 * 86400)
void reg_remind_participants(struct db *db, int64_t now);
void reg_job_reminders(struct db *db, int64_t now, int (*stopping)(void));

#endif
