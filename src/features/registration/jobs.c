/*
 * jobs.c — the registration feature's own background work: seats freed
 * or offers lapsed go to the waiting list even when nobody acts, and the
 * personal data of registrations is erased a while after the event,
 * keeping the anonymous counts.
 */
#include "features/registration/reg_internal.h"

#include "db/db.h"
#include "jobs/jobs.h"
#include "view/i18n.h"

#include <stdio.h>
#include <string.h>

static const char SQL_WAITING_EVENTS[] =
	"SELECT DISTINCT event_id FROM registration WHERE status IN ('offered', 'waitlisted') "
	"ORDER BY event_id";
static const char SQL_RETENTION[] =
	"SELECT e.id, e.ends_on, s.retention_days FROM event e "
	"JOIN registration_setting s ON s.event_id = e.id "
	"WHERE s.retention_days IS NOT NULL AND EXISTS (SELECT 1 FROM registration r WHERE r.event_id = e.id AND r.erased_at IS NULL)";
static const char SQL_ERASE[] =
	"UPDATE registration SET name = '', email = 'erased-' || id, "
	"email_key = 'erased-' || id, organisation_id = NULL, organisation = '', position = '', "
	"languages = '', accessibility = '', dietary = '', answers = '{}', checked_in_by = NULL, "
	"consent_directory = 0, erased_at = ?, updated_at = ? "
	"WHERE event_id = ? AND erased_at IS NULL";
static const char SQL_ERASE_INVITATIONS[] =
	"UPDATE registration_invitation SET email = 'erased-' || id, email_key = 'erased-' || id, "
	"name = '' WHERE event_id = ?";

#define MAX_EVENTS 512

static int64_t read_ids(struct db *db, const char *sql, int64_t *ids)
{
	struct db_stmt *st = db_prepare(db, sql);
	if (!st)
		return -1;
	int64_t n = 0;
	int rc;
	while ((rc = db_step(st)) == 1 && n < MAX_EVENTS)
		ids[n++] = db_col_int(st, 0);
	db_done(st);
	return rc < 0 ? -1 : n;
}

void reg_job_seats(struct db *db, int64_t now, int (*stopping)(void))
{
	int64_t ids[MAX_EVENTS];
	int64_t n = read_ids(db, SQL_WAITING_EVENTS, ids);
	for (int64_t i = 0; i < n && !stopping(); i++) {
		json_t *ev = reg_event_by_id(db, ids[i]);
		if (ev && reg_fill_seats(db, ev, now) != HM_OK)
			log_warn("registration: cannot fill the seats of event %lld", (long long)ids[i]);
		json_decref(ev);
	}
}

void reg_erase_due(struct db *db, int64_t now)
{
	struct db_stmt *st = db_prepare(db, SQL_RETENTION);
	if (!st)
		return;
	int64_t due[MAX_EVENTS];
	size_t n = 0;
	while (db_step(st) == 1 && n < MAX_EVENTS) {
		/* the event's last day, then retention_days whole days */
		char last[32];
		snprintf(last, sizeof(last), "%.10sT23:59:59Z",
			 db_col_text(st, 1) ? db_col_text(st, 1) : "");
		int64_t end = time_parse_rfc3339(last);
		if (end > 0 && end + db_col_int(st, 2) * 86400 < now)
			due[n++] = db_col_int(st, 0);
	}
	db_done(st);
	char ts[REG_TS_SIZE];
	reg_ts(now, ts);
	for (size_t i = 0; i < n; i++) {
		enum hm_err e = db_begin(db);
		if (e == HM_OK && (st = db_prepare(db, SQL_ERASE))) {
			db_bind_text(st, 1, ts);
			db_bind_text(st, 2, ts);
			db_bind_int(st, 3, due[i]);
			e = db_run(st);
		} else if (e == HM_OK)
			e = HM_EDB;
		if (e == HM_OK && (st = db_prepare(db, SQL_ERASE_INVITATIONS))) {
			db_bind_int(st, 1, due[i]);
			e = db_run(st);
		} else if (e == HM_OK)
			e = HM_EDB;
		if (e == HM_OK)
			e = audit_record_at(db, NULL, "registration.erase", "event", due[i], NULL, NULL,
					    now);
		if (e == HM_OK)
			e = db_commit(db);
		else
			db_rollback(db);
		if (e != HM_OK)
			log_warn("registration: cannot erase the registrations of event %lld",
				 (long long)due[i]);
	}
}

void reg_job_retention(struct db *db, int64_t now, int (*stopping)(void))
{
	(void)stopping;
	reg_erase_due(db, now);
}

void reg_job_reminders(struct db *db, int64_t now, int (*stopping)(void))
{
	(void)stopping;
	reg_remind_invitations(db, now);
	reg_remind_participants(db, now);
}

static const char SQL_DUE_EVENT_REMINDERS[] =
	"SELECT r.id, r.event_id FROM registration r JOIN event e ON e.id = r.event_id "
	"WHERE r.status = 'approved' AND r.reminded_at IS NULL AND r.erased_at IS NULL "
	"AND e.status = 'published' AND e.starts_on > ? AND e.starts_on <= ? "
	"ORDER BY r.event_id, r.id LIMIT 500";
static const char SQL_EVENT_REMINDED[] = "UPDATE registration SET reminded_at = ? WHERE id = ?";

void reg_remind_participants(struct db *db, int64_t now)
{
	char today[REG_TS_SIZE], soon[REG_TS_SIZE], ts[REG_TS_SIZE];
	reg_ts(now, today);
	reg_ts(now + REG_REMIND_BEFORE, soon);
	reg_ts(now, ts);
	today[10] = soon[10] = '\0';
	struct db_stmt *st = db_prepare(db, SQL_DUE_EVENT_REMINDERS);
	if (!st)
		return;
	db_bind_text(st, 1, today);
	db_bind_text(st, 2, soon);
	json_t *due = db_rows_json(st);
	size_t i;
	json_t *o, *ev = NULL;
	json_array_foreach(due, i, o) {
		int64_t event_id = json_integer_value(json_object_get(o, "event_id"));
		if (!ev || json_integer_value(json_object_get(ev, "id")) != event_id) {
			json_decref(ev);
			ev = reg_event_by_id(db, event_id);
			if (!ev)
				break;
		}
		int64_t id = json_integer_value(json_object_get(o, "id"));
		if (db_begin(db) != HM_OK)
			break;
		enum hm_err e = (st = db_prepare(db, SQL_EVENT_REMINDED)) ? HM_OK : HM_EDB;
		if (e == HM_OK) {
			db_bind_text(st, 1, ts);
			db_bind_int(st, 2, id);
			e = db_run(st);
		}
		if (e == HM_OK)
			reg_mail_status(db, ev, id, "reminder", NULL, now);
		if (e == HM_OK)
			e = db_commit(db);
		else
			db_rollback(db);
		if (e != HM_OK)
			log_warn("registration: cannot remind registration %lld", (long long)id);
	}
	json_decref(ev);
	json_decref(due);
}
