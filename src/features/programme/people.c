/*
 * people.c — the people of an event's programme (speakers, moderators,
 * chairs, rapporteurs): guests entered by its organisers or linked to an
 * account, their store (each write one transaction with its audit
 * entry), and who does what in each session, live or as a release has it.
 */
#include "features/programme/prog_internal.h"

#include "auth/auth.h"
#include "core/text.h"
#include "db/db.h"
#include "features/registration/registration.h"
#include "media/media.h"
#include "view/i18n.h"

#include <string.h>

const char *const prog_roles[] = {"speaker", "moderator", "chair", "rapporteur", NULL};

#define PERSON_COLS                                                                         \
	"p.id, p.event_id, p.name, p.title, p.organisation, p.bio, p.photo, p.account_id, " \
	"a.email AS account_email, p.registration_id, r.email AS participant_email, "       \
	"(SELECT count(*) FROM programme_session_person sp "                                \
	"WHERE sp.person_id = p.id) AS sessions "

enum {
	PP_LIST,
	PP_GET,
	PP_INSERT,
	PP_UPDATE,
	PP_DELETE,
	PP_ACCOUNT,
	PP_LIVE,
	PP_LIVE_ONE,
	PP_RELEASED,
	PP_CLEAR,
	PP_ADD,
	PP_BY_NAME,
	PP__MAX
};

static const char *const sql[PP__MAX] = {
	[PP_LIST] = "SELECT " PERSON_COLS "FROM programme_person p "
		    "LEFT JOIN account a ON a.id = p.account_id "
		    "LEFT JOIN registration r ON r.id = p.registration_id WHERE p.event_id = ? "
		    "ORDER BY p.name, p.id",
	[PP_GET] = "SELECT " PERSON_COLS "FROM programme_person p "
		   "LEFT JOIN account a ON a.id = p.account_id "
		   "LEFT JOIN registration r ON r.id = p.registration_id "
		   "WHERE p.id = ? AND p.event_id = ?",
	[PP_INSERT] = "INSERT INTO programme_person (name, title, organisation, bio, photo, "
		      "account_id, registration_id, updated_at, created_at, event_id) "
		      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[PP_UPDATE] = "UPDATE programme_person SET name = ?, title = ?, organisation = ?, bio = ?, "
		      "photo = ?, account_id = ?, registration_id = ?, updated_at = ? "
		      "WHERE id = ? AND event_id = ?",
	[PP_DELETE] = "DELETE FROM programme_person WHERE id = ? AND event_id = ?",
	[PP_ACCOUNT] = "SELECT id FROM account WHERE email = ?",
	[PP_LIVE] = "SELECT sp.session_id, p.id, p.name, p.title, p.organisation, p.photo, sp.role "
		    "FROM programme_session_person sp JOIN programme_person p ON p.id = sp.person_id "
		    "JOIN programme_session s ON s.id = sp.session_id WHERE s.event_id = ? "
		    "ORDER BY sp.session_id, sp.position, p.name, sp.role",
	[PP_LIVE_ONE] = "SELECT sp.session_id, p.id, p.name, p.title, p.organisation, p.photo, "
			"sp.role "
			"FROM programme_session_person sp "
			"JOIN programme_person p ON p.id = sp.person_id WHERE sp.session_id = ? "
			"ORDER BY sp.session_id, sp.position, p.name, sp.role",
	[PP_RELEASED] = "SELECT rp.session_id, p.id, p.name, p.title, p.organisation, p.photo, "
			"rp.role "
			"FROM programme_release_person rp "
			"JOIN programme_person p ON p.id = rp.person_id WHERE rp.release_id = ? "
			"ORDER BY rp.session_id, rp.position, p.name, rp.role",
	[PP_CLEAR] = "DELETE FROM programme_session_person WHERE session_id = ?",
	[PP_ADD] = "INSERT INTO programme_session_person (session_id, person_id, role, position) "
		   "VALUES (?, ?, ?, ?)",
	[PP_BY_NAME] = "SELECT id FROM programme_person WHERE event_id = ? AND name = ? "
		       "ORDER BY id",
};

/* ---------------------------------------------------------------- reads */

json_t *prog_people(struct db *db, int64_t event_id)
{
	return db_rows_of(db, sql[PP_LIST], event_id);
}

json_t *prog_person_get(struct db *db, int64_t event_id, int64_t id)
{
	struct db_stmt *st = db_prepare(db, sql[PP_GET]);
	if (!st)
		return NULL;
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, event_id);
	return db_one_json(st);
}

/* {"<session id>": [{id, name, title, organisation, role}…]} of rows. */
static json_t *by_session(json_t *rows)
{
	json_t *out = json_object();
	size_t i;
	json_t *r;
	char key[24];
	json_array_foreach(rows, i, r) {
		snprintf(key, sizeof(key), "%lld",
			 (long long)json_integer_value(json_object_get(r, "session_id")));
		json_t *list = json_object_get(out, key);
		if (!list) {
			list = json_array();
			json_object_set_new(out, key, list);
		}
		json_object_del(r, "session_id");
		json_array_append(list, r);
	}
	json_decref(rows);
	return out;
}

json_t *prog_session_people(struct db *db, int64_t event_id, int64_t release_id)
{
	json_t *rows = db_rows_of(db, sql[release_id ? PP_RELEASED : PP_LIVE],
				  release_id ? release_id : event_id);
	return rows ? by_session(rows) : NULL;
}

json_t *prog_people_of_session(struct db *db, int64_t session_id)
{
	json_t *rows = db_rows_of(db, sql[PP_LIVE_ONE], session_id);
	json_t *m = rows ? by_session(rows) : NULL;
	if (!m)
		return NULL;
	char key[24];
	snprintf(key, sizeof(key), "%lld", (long long)session_id);
	json_t *list = json_object_get(m, key);
	list = list ? json_incref(list) : json_array();
	json_decref(m);
	return list;
}

void prog_person_photo(json_t *p)
{
	const char *photo = json_string_value(json_object_get(p, "photo"));
	char thumb[MEDIA_NAME_SIZE];
	if (!photo || !media_name_is_original(photo))
		return;
	media_thumb_name(photo, thumb);
	json_object_set_new(p, "photo_url", json_sprintf("/media/%s", photo));
	json_object_set_new(p, "photo_thumb_url", json_sprintf("/media/%s", thumb));
}

void prog_attach_people(json_t *sessions, const json_t *people)
{
	size_t i;
	json_t *s;
	char key[24];
	json_array_foreach(sessions, i, s) {
		json_t *id = json_object_get(s, "session_id");
		if (!id)
			id = json_object_get(s, "id");
		snprintf(key, sizeof(key), "%lld", (long long)json_integer_value(id));
		json_t *list = json_object_get(people, key);
		json_object_set_new(s, "people", list ? json_deep_copy(list) : json_array());
	}
}

/* -------------------------------------------------------------- writes */

#define NAME_MAX_LEN 200
#define LINE_MAX_LEN 200
#define BIO_MAX 4000

static const char *str_of(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* The text of in[key] within max bytes (errors otherwise). */
static const char *text_field(const json_t *in, const char *key, size_t max, int required,
			      struct field_errors *errs)
{
	json_t *v = json_object_get(in, key);
	if (v && !json_is_string(v) && !json_is_null(v)) {
		field_error_add(errs, key, "Enter text.");
		return "";
	}
	const char *s = str_of(in, key);
	if (required && !*s)
		field_error_add(errs, key, "This field is required.");
	else if (strlen(s) > max || !utf8_valid(s, strlen(s)))
		field_error_add(errs, key, "This is too long.");
	return s;
}

enum hm_err prog_person_save(struct db *db, const struct principal *p, const json_t *ev,
			     int64_t id, const json_t *in, int64_t now, int64_t *id_out,
			     struct field_errors *errs)
{
	struct auth_scope sc = prog_scope(ev);
	int64_t event_id = json_integer_value(json_object_get(ev, "id"));
	json_t *before = NULL, *after = NULL;
	if (!auth_can(p, AUTH_PROGRAMME_EDIT, &sc))
		return HM_EFORBIDDEN;
	if (!json_is_object(in))
		return HM_EINVAL;
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		return e;
	if (id && !(before = prog_person_get(db, event_id, id))) {
		e = db_failed(db) ? HM_EDB : HM_ENOTFOUND;
		goto out;
	}
	/* A change names only what it changes. */
	json_t *m = json_object();
	static const char *const keys[] = {"name", "title", "organisation", "bio", "email", "photo"};
	for (size_t i = 0; i < HM_ARRAY_LEN(keys); i++) {
		json_t *v = json_object_get(in, keys[i]);
		if (!v && before && str_eq(keys[i], "email"))
			v = json_object_get(before, web_str(before, "account_email") ? "account_email"
										: "participant_email");
		else if (!v && before)
			v = json_object_get(before, keys[i]);
		if (v)
			json_object_set(m, keys[i], v);
	}
	const char *name = text_field(m, "name", NAME_MAX_LEN, 1, errs);
	const char *title = text_field(m, "title", LINE_MAX_LEN, 0, errs);
	const char *org = text_field(m, "organisation", LINE_MAX_LEN, 0, errs);
	const char *bio = text_field(m, "bio", BIO_MAX, 0, errs);
	const char *email = text_field(m, "email", 254, 0, errs);
	const char *photo = text_field(m, "photo", MEDIA_NAME_SIZE, 0, errs);
	if (*photo && !media_name_is_original(photo))
		field_error_add(errs, "photo", "This is not an image stored here.");
	int64_t account = 0, registration = 0;
	if (*email && !errs->n) {
		char low[256];
		snprintf(low, sizeof(low), "%s", email);
		for (char *c = low; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		struct db_stmt *st = db_prepare(db, sql[PP_ACCOUNT]);
		int rc = -1;
		if (st) {
			db_bind_text(st, 1, low);
			rc = db_step(st);
			if (rc == 1)
				account = db_col_int(st, 0);
			db_done(st);
		}
		/* not an account: an approved participant of the event */
		if (rc == 0 && (registration = reg_participant_id(db, event_id, low)) < 0)
			rc = -1;
		if (rc < 0) {
			json_decref(m);
			e = HM_EDB;
			goto out;
		}
		if (rc == 0 && registration == 0)
			field_error_add(errs, "email",
					"No account or approved participant of this event has this address.");
	}
	if (errs->n) {
		json_decref(m);
		e = HM_EINVAL;
		goto out;
	}
	struct arena a;
	arena_init(&a);
	const char *ts = time_format_rfc3339(&a, now);
	struct db_stmt *st = db_prepare(db, sql[id ? PP_UPDATE : PP_INSERT]);
	if (st) {
		int k = 1;
		db_bind_text(st, k++, name);
		db_bind_text(st, k++, title);
		db_bind_text(st, k++, org);
		db_bind_text(st, k++, bio);
		if (*photo)
			db_bind_text(st, k++, photo);
		else
			db_bind_null(st, k++);
		if (account)
			db_bind_int(st, k++, account);
		else
			db_bind_null(st, k++);
		if (registration)
			db_bind_int(st, k++, registration);
		else
			db_bind_null(st, k++);
		db_bind_text(st, k++, ts);
		if (id) {
			db_bind_int(st, k++, id);
		} else {
			db_bind_text(st, k++, ts);
		}
		db_bind_int(st, k++, event_id);
		e = db_run(st);
	} else {
		e = HM_EDB;
	}
	arena_free(&a);
	json_decref(m);
	if (e != HM_OK)
		goto out;
	if (!id)
		id = db_last_insert_id(db);
	if (!(after = prog_person_get(db, event_id, id))) {
		e = HM_EDB;
		goto out;
	}
	if ((e = audit_record_at(db, p, before ? "person.update" : "person.create", "person", id,
				 before, after, now)) == HM_OK)
		e = db_commit(db);
	if (e == HM_OK && id_out)
		*id_out = id;
out:
	if (e != HM_OK)
		db_rollback(db);
	json_decref(before);
	json_decref(after);
	return e;
}

enum hm_err prog_person_delete(struct db *db, const struct principal *p, const json_t *ev,
			       int64_t id, int64_t now)
{
	const struct prog_deletion person = {
		sql[PP_GET], NULL, sql[PP_DELETE], "person.delete", "person",
	};
	return prog_delete_of_event(db, p, ev, &person, id, now);
}

/* ------------------------------------------------ a session's people */

/* The person of an entry of "people" ({"person": id or name, "role"}) in
 * the event: its id, 0 when there is none, -1 when the read failed. */
static int64_t person_of(struct db *db, int64_t event_id, const json_t *who)
{
	json_t *v = json_object_get(who, "person");
	if (json_is_integer(v)) {
		json_t *pp = prog_person_get(db, event_id, json_integer_value(v));
		int64_t id = pp ? json_integer_value(v) : db_failed(db) ? -1 : 0;
		json_decref(pp);
		return id;
	}
	if (!json_is_string(v))
		return 0;
	struct db_stmt *st = db_prepare(db, sql[PP_BY_NAME]);
	if (!st)
		return -1;
	db_bind_int(st, 1, event_id);
	db_bind_text(st, 2, json_string_value(v));
	int64_t id = 0;
	int rc = db_step(st);
	if (rc == 1)
		id = db_col_int(st, 0);
	db_done(st);
	return rc < 0 ? -1 : id;
}

int prog_people_check(const json_t *people, struct field_errors *errs)
{
	if (!people)
		return 0;
	if (!json_is_array(people) || json_array_size(people) > 50) {
		field_error_add(errs, "people",
				"Give the people as a list of {\"person\": …, \"role\": …}.");
		return 1;
	}
	size_t i;
	json_t *w;
	json_array_foreach(people, i, w) {
		json_t *v = json_object_get(w, "person");
		const char *role = json_string_value(json_object_get(w, "role"));
		int ok = json_is_object(w) && (json_is_integer(v) || json_is_string(v));
		int known = 0;
		for (const char *const *r = prog_roles; role && *r; r++)
			known |= str_eq(*r, role);
		if (!ok) {
			field_error_add(errs, "people",
					"Give the people as a list of {\"person\": …, \"role\": …}.");
			return 1;
		}
		if (!known) {
			field_error_add(errs, "people",
					"A role is one of speaker, moderator, chair or rapporteur.");
			return 1;
		}
	}
	return 0;
}

enum hm_err prog_people_resolve(struct db *db, int64_t event_id, const json_t *people,
				struct field_errors *errs)
{
	size_t i;
	json_t *w;
	json_array_foreach(people, i, w) {
		int64_t id = person_of(db, event_id, w);
		if (id < 0)
			return HM_EDB;
		if (id == 0) {
			field_error_add(errs, "people", "This event's programme has no such person.");
			return HM_OK;
		}
	}
	return HM_OK;
}

enum hm_err prog_people_write(struct db *db, int64_t event_id, int64_t session_id,
			      const json_t *people)
{
	struct db_stmt *st = db_prepare(db, sql[PP_CLEAR]);
	if (!st)
		return HM_EDB;
	db_bind_int(st, 1, session_id);
	enum hm_err e = db_run(st);
	size_t i;
	json_t *w;
	json_array_foreach(people, i, w) {
		if (e != HM_OK)
			break;
		int64_t id = person_of(db, event_id, w);
		if (id <= 0)
			return HM_EDB;
		/* The same person twice in one role is once. */
		int dup = 0;
		for (size_t j = 0; j < i; j++) {
			const json_t *o = json_array_get(people, j);
			dup |= person_of(db, event_id, o) == id &&
			       str_eq(str_of(o, "role"), str_of(w, "role"));
		}
		if (dup)
			continue;
		if (!(st = db_prepare(db, sql[PP_ADD])))
			return HM_EDB;
		db_bind_int(st, 1, session_id);
		db_bind_int(st, 2, id);
		db_bind_text(st, 3, str_of(w, "role"));
		db_bind_int(st, 4, (int64_t)i);
		e = db_run(st);
	}
	return e;
}
