/*
 * mail.c — the e-mails of registration, each in the person's language
 * with the event's facts and the link to their registration; and the
 * invitations, each a single-use link bound to the invited address.
 * Sentences are msgids of their own and values stand on lines of their
 * own: no translated format strings.
 */
#include "features/registration/reg_internal.h"

#include "core/text.h"
#include "db/db.h"
#include "features/events/events.h"
#include "mail/mail.h"
#include "view/format_extra.h"
#include "view/i18n.h"

#include <sodium.h>
#include <string.h>

static const char SQL_INVITATION_BY_HASH[] =
	"SELECT id, email, name FROM registration_invitation "
	"WHERE event_id = ? AND token_hash = ? AND used_at IS NULL";
static const char SQL_INVITED[] =
	"SELECT 1 FROM registration_invitation WHERE event_id = ? AND email_key = ? "
	"UNION ALL SELECT 1 FROM registration WHERE event_id = ? AND email_key = ?";
static const char SQL_INVITE[] =
	"INSERT INTO registration_invitation (event_id, email, email_key, name, token_hash, "
	"created_at, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char SQL_INVITATIONS[] =
	"SELECT i.id, i.email, i.name, i.created_at, i.sent_at, i.reminded_at, i.used_at, "
	"r.id AS registration_id, r.status FROM registration_invitation i "
	"LEFT JOIN registration r ON r.invitation_id = i.id WHERE i.event_id = ? "
	"ORDER BY i.created_at, i.id";

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* The event's title, dates and place, one per line. */
static void event_facts(struct buf *b, struct arena *a, const json_t *ev, const char *lang)
{
	buf_printf(b, "%s\n", jstr(ev, "title"));
	const char *dates = fmt_date_range(a, lang, jstr(ev, "starts_on"), jstr(ev, "ends_on"));
	if (dates)
		buf_printf(b, "%s\n", dates);
	const char *city = jstr(ev, "city"), *cc = jstr(ev, "country");
	const char *country = cc ? fmt_country(a, lang, cc) : NULL;
	if (jstr(ev, "venue") && *jstr(ev, "venue"))
		buf_printf(b, "%s\n", jstr(ev, "venue"));
	if (city && *city && country)
		buf_printf(b, "%s, %s\n", city, country);
	else if (country)
		buf_printf(b, "%s\n", country);
}

static const struct {
	const char *status, *subject, *sentence;
} texts[] = {
	{"received", N_("Your registration has been received"),
	 N_("We have received your registration. The organisers will decide on it and write "
	    "to you.")},
	{"approved", N_("Your registration is confirmed"),
	 N_("Your registration is approved: a seat is kept for you.")},
	{"waitlisted", N_("You are on the waiting list"),
	 N_("The event is full for now, so you are on the waiting list. When a seat frees, it "
	    "will be offered to you by e-mail.")},
	{"offered", N_("A seat is free for you: please confirm"),
	 N_("A seat has become free for you. Please confirm it with the link below before the "
	    "time given, or it goes to the next person on the waiting list.")},
	{"declined", N_("Your registration was not accepted"),
	 N_("We are sorry: the organisers could not accept your registration.")},
	{"cancelled", N_("Your registration is cancelled"),
	 N_("Your registration is cancelled. If this is a mistake, please register again.")},
	{"expired", N_("The seat offered to you has lapsed"),
	 N_("The seat offered to you was not confirmed in time and has gone to the next person "
	    "on the waiting list.")},
	{"reminder", N_("A reminder: the event is coming up"),
	 N_("We look forward to welcoming you. Here are the event's details once more; your "
	    "badge will be ready at the registration desk.")},
	{"pending", N_("Your registration is being considered again"),
	 N_("The organisers are considering your registration again and will write to you.")},
};

void reg_mail_status(struct db *db, const json_t *ev, int64_t id, const char *status,
		     const char *message, int64_t now)
{
	size_t k = 0;
	while (k < HM_ARRAY_LEN(texts) && !str_eq(texts[k].status, status))
		k++;
	json_t *r = reg_get(db, id);
	if (k == HM_ARRAY_LEN(texts) || !r || jstr(r, "erased_at")) {
		json_decref(r);
		return;
	}
	const char *lang = jstr(r, "lang");
	char token[REG_TOKEN_SIZE];
	if (reg_token_of(db, id, jstr(r, "manage_salt"), token) != HM_OK) {
		json_decref(r);
		return;
	}
	struct arena a;
	arena_init(&a);
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "%s %s,\n\n%s\n\n", i18n_gettext(lang, "Hello"), jstr(r, "name"),
		   i18n_gettext(lang, texts[k].sentence));
	event_facts(&b, &a, ev, lang);
	if (str_eq(status, "offered") && jstr(r, "offer_expires_at")) {
		const char *tz = jstr(ev, "timezone");
		const char *until = fmt_datetime(&a, lang, tz ? tz : "UTC",
						 time_parse_rfc3339(jstr(r, "offer_expires_at")),
						 FMT_LONG);
		if (until)
			buf_printf(&b, "\n%s\n%s\n", i18n_gettext(lang, "Please confirm before:"),
				   until);
	}
	if (message && *message)
		buf_printf(&b, "\n%s\n%s\n", i18n_gettext(lang, "A message from the organisers:"),
			   message);
	int followup = 0;
	size_t qi;
	const json_t *q;
	json_array_foreach(json_object_get(json_object_get(ev, "registration"), "questions"), qi, q)
		followup |= str_eq(json_string_value(json_object_get(q, "stage")), "approved");
	if (followup && str_eq(status, "approved"))
		buf_printf(&b, "\n%s\n", i18n_gettext(lang, "The organisers have a few questions for "
							"participants (travel, accommodation, "
							"visa): please answer them on your "
							"registration's page, at the link below."));
	const char *base = reg_site_url();
	buf_printf(&b, "\n%s\n%s/registration/%s\n",
		   i18n_gettext(lang, str_eq(status, "offered")
					      ? "Confirm your seat, or let it go, here:"
					      : "See or change your registration, or cancel it, here:"),
		   base, token);
	if (str_eq(status, "approved"))
		buf_printf(&b, "\n%s\n%s/events/%s/calendar.ics\n",
			   i18n_gettext(lang, "Add the event to your calendar:"), base,
			   jstr(ev, "slug"));
	const char *subject = arena_printf(&a, "%s · %s", i18n_gettext(lang, texts[k].subject),
					   text_truncate(&a, jstr(ev, "title"), 120));
	struct mail_opts o = {.to_name = jstr(r, "name"), .secret = token};
	/* the event's calendar file, as its public page offers it */
	struct buf ics;
	buf_init(&ics);
	json_t *pub = event_get(db, jstr(ev, "slug"));
	const char *cc = jstr(ev, "country");
	if (pub && events_ical(&ics, &a, pub, base, cc ? fmt_country(&a, lang, cc) : NULL)) {
		buf_putc(&ics, '\0');
		o.attachment = ics.data;
		o.attachment_name = arena_printf(&a, "%s.ics", jstr(ev, "slug"));
		o.attachment_type = "text/calendar";
	}
	json_decref(pub);
	if (mail_send(db, jstr(r, "email"), subject, b.data, &o, now, NULL) != HM_OK)
		log_warn("cannot queue the %s message of registration %lld", status, (long long)id);
	buf_free(&ics);
	sodium_memzero(token, sizeof(token));
	buf_free(&b);
	arena_free(&a);
	json_decref(r);
}

/* ------------------------------------------------------------ invitations */

static void token_hash(const char *token, char hex[65])
{
	unsigned char d[32];
	crypto_generichash(d, sizeof(d), (const unsigned char *)token, strlen(token), NULL, 0);
	sodium_bin2hex(hex, 65, d, sizeof(d));
}

json_t *reg_invitation_by_token(struct db *db, int64_t event_id, const char *token)
{
	if (!token || strlen(token) != REG_TOKEN_LEN)
		return NULL;
	char hex[65];
	token_hash(token, hex);
	struct db_stmt *st = db_prepare(db, SQL_INVITATION_BY_HASH);
	if (!st)
		return NULL;
	db_bind_int(st, 1, event_id);
	db_bind_text(st, 2, hex);
	json_t *o = db_step(st) == 1 ? db_row_json(st) : NULL;
	db_done(st);
	return o;
}

json_t *reg_invitations(struct db *db, int64_t event_id)
{
	struct db_stmt *st = db_prepare(db, SQL_INVITATIONS);
	if (!st)
		return NULL;
	db_bind_int(st, 1, event_id);
	return db_rows_json(st);
}

static void invitation_mail(struct db *db, const json_t *ev, const char *email, const char *name,
			    const char *token, const char *lang, int reminder, int64_t now)
{
	struct arena a;
	arena_init(&a);
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "%s%s%s,\n\n%s\n\n", i18n_gettext(lang, "Hello"), name && *name ? " " : "",
		   name ? name : "",
		   i18n_gettext(lang, reminder ? "This is a reminder: you are invited to register for:"
					       : "You are invited to register for:"));
	event_facts(&b, &a, ev, lang);
	buf_printf(&b, "\n%s\n%s/events/%s/register?invitation=%s\n",
		   i18n_gettext(lang, "Register with this link. It is yours: it works once, for "
				      "this e-mail address."),
		   reg_site_url(), jstr(ev, "slug"), token);
	const char *subject =
		arena_printf(&a, "%s · %s", i18n_gettext(lang, "Invitation to register"),
			     text_truncate(&a, jstr(ev, "title"), 120));
	struct mail_opts o = {.to_name = name, .secret = token};
	if (mail_send(db, email, subject, b.data, &o, now, NULL) != HM_OK)
		log_warn("cannot queue an invitation for event %lld",
			 (long long)json_integer_value(json_object_get(ev, "id")));
	buf_free(&b);
	arena_free(&a);
}

enum hm_err reg_invite(struct db *db, const struct principal *p, const json_t *ev,
		       const json_t *people, int64_t now, int *added, int *skipped)
{
	*added = *skipped = 0;
	if (!reg_may_manage(p, ev))
		return HM_EFORBIDDEN;
	int64_t event_id = json_integer_value(json_object_get(ev, "id"));
	char ts[REG_TS_SIZE];
	reg_ts(now, ts);
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		return e;
	size_t i;
	const json_t *person;
	json_array_foreach(people, i, person) {
		const char *email = jstr(person, "email"), *name = jstr(person, "name");
		char key[AUTH_EMAIL_MAX + 1];
		if (!reg_email_ok(email)) {
			e = HM_EINVAL;
			break;
		}
		reg_key_of(email, key, sizeof(key));
		struct db_stmt *st = db_prepare(db, SQL_INVITED);
		if (!st) {
			e = HM_EDB;
			break;
		}
		db_bind_int(st, 1, event_id);
		db_bind_text(st, 2, key);
		db_bind_int(st, 3, event_id);
		db_bind_text(st, 4, key);
		int rc = db_step(st);
		db_done(st);
		if (rc < 0) {
			e = HM_EDB;
			break;
		}
		if (rc == 1) {
			(*skipped)++;
			continue;
		}
		unsigned char bin[32];
		char token[48], hex[65];
		randombytes_buf(bin, sizeof(bin));
		sodium_bin2base64(token, sizeof(token), bin, sizeof(bin),
				  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		token_hash(token, hex);
		if (!(st = db_prepare(db, SQL_INVITE))) {
			e = HM_EDB;
			break;
		}
		db_bind_int(st, 1, event_id);
		db_bind_text(st, 2, email);
		db_bind_text(st, 3, key);
		db_bind_text(st, 4, name ? name : "");
		db_bind_text(st, 5, hex);
		db_bind_text(st, 6, ts);
		db_bind_text(st, 7, ts);
		if ((e = db_run(st)) != HM_OK)
			break;
		invitation_mail(db, ev, email, name, token, jstr(person, "lang"), 0, now);
		sodium_memzero(token, sizeof(token));
		(*added)++;
	}
	if (e == HM_OK) {
		json_t *after = json_pack("{s:i, s:i}", "invited", *added, "skipped", *skipped);
		e = audit_record_at(db, p, "registration.invite", "event", event_id, NULL, after, now);
		json_decref(after);
	}
	if (e != HM_OK) {
		db_rollback(db);
		*added = 0;
		return e;
	}
	return db_commit(db);
}

void reg_mail_delegation(struct db *db, const json_t *ev, int64_t id, int64_t now)
{
	json_t *all = reg_delegations(db, json_integer_value(json_object_get(ev, "id")));
	json_t *d = NULL;
	size_t i;
	json_t *o;
	json_array_foreach(all, i, o) if (json_integer_value(json_object_get(o, "id")) == id) d = o;
	if (!d) {
		json_decref(all);
		return;
	}
	/* the focal point's language: the one the form was sent in */
	const char *lang = NULL;
	struct db_stmt *st = db_prepare(db, "SELECT lang FROM registration_delegation WHERE id = ?");
	char lbuf[16] = "en";
	if (st) {
		db_bind_int(st, 1, id);
		if (db_step(st) == 1 && db_col_text(st, 0))
			snprintf(lbuf, sizeof(lbuf), "%s", db_col_text(st, 0));
		db_done(st);
	}
	lang = lbuf;
	struct arena a;
	arena_init(&a);
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "%s %s,\n\n%s\n\n", i18n_gettext(lang, "Hello"),
		   jstr(d, "focal_name"),
		   i18n_gettext(lang, "We have received the nomination of your delegation. The "
				      "organisers will decide on each delegate, who will hear from "
				      "us by e-mail."));
	event_facts(&b, &a, ev, lang);
	buf_printf(&b, "\n%s\n%s\n", i18n_gettext(lang, "Delegation:"), jstr(d, "name"));
	json_array_foreach(json_object_get(d, "members"), i, o)
		buf_printf(&b, "- %s <%s>\n", jstr(o, "name"), jstr(o, "email"));
	const char *subject =
		arena_printf(&a, "%s · %s", i18n_gettext(lang, "Your delegation has been received"),
			     text_truncate(&a, jstr(ev, "title"), 120));
	struct mail_opts mo = {.to_name = jstr(d, "focal_name")};
	if (mail_send(db, jstr(d, "focal_email"), subject, b.data, &mo, now, NULL) != HM_OK)
		log_warn("cannot queue the message of delegation %lld", (long long)id);
	buf_free(&b);
	arena_free(&a);
	json_decref(all);
}

/* ------------------------------------------------------------ reminders */

static const char SQL_DUE_REMINDERS[] =
	"SELECT i.id, i.event_id, i.email, i.name FROM registration_invitation i "
	"JOIN event e ON e.id = i.event_id "
	"WHERE i.used_at IS NULL AND i.reminded_at IS NULL AND i.sent_at <= ? "
	"AND e.starts_on > ? AND e.status = 'published' ORDER BY i.id LIMIT 200";
static const char SQL_REMINDED[] =
	"UPDATE registration_invitation SET token_hash = ?, reminded_at = ? WHERE id = ?";

void reg_remind_invitations(struct db *db, int64_t now)
{
	char before[REG_TS_SIZE], today[REG_TS_SIZE];
	reg_ts(now - REG_REMIND_AFTER, before);
	reg_ts(now, today);
	today[10] = '\0';
	struct db_stmt *st = db_prepare(db, SQL_DUE_REMINDERS);
	if (!st)
		return;
	db_bind_text(st, 1, before);
	db_bind_text(st, 2, today);
	json_t *due = db_rows_json(st);
	size_t i;
	json_t *o;
	json_array_foreach(due, i, o) {
		json_t *ev = reg_event_by_id(db, json_integer_value(json_object_get(o, "event_id")));
		if (!ev || !str_eq(reg_window(ev, now), "open")) {
			json_decref(ev);
			continue;
		}
		/* only the link's hash is kept: the reminder carries a new link,
		 * and the first one stops working */
		unsigned char bin[32];
		char token[48], hex[65], ts[REG_TS_SIZE];
		randombytes_buf(bin, sizeof(bin));
		sodium_bin2base64(token, sizeof(token), bin, sizeof(bin),
				  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		token_hash(token, hex);
		reg_ts(now, ts);
		enum hm_err e = db_begin(db);
		if (e == HM_OK && (st = db_prepare(db, SQL_REMINDED))) {
			db_bind_text(st, 1, hex);
			db_bind_text(st, 2, ts);
			db_bind_int(st, 3, json_integer_value(json_object_get(o, "id")));
			e = db_run(st);
		} else if (e == HM_OK)
			e = HM_EDB;
		if (e == HM_OK)
			invitation_mail(db, ev, jstr(o, "email"), jstr(o, "name"), token, NULL, 1, now);
		if (e == HM_OK)
			e = db_commit(db);
		else
			db_rollback(db);
		if (e != HM_OK)
			log_warn("registration: cannot remind invitation %lld",
				 (long long)json_integer_value(json_object_get(o, "id")));
		sodium_memzero(token, sizeof(token));
		json_decref(ev);
	}
	json_decref(due);
}
