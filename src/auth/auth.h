/*
 * auth.h — accounts, roles and the security core: who someone is (a
 * principal, from a session cookie or an API token), what they may do
 * (auth_can over one role × action table), passwords (Argon2id), sessions,
 * CSRF tokens, sign-in throttling, password reset, API tokens, audit log.
 * No HTTP here: the web layer passes strings in and sends strings out.
 *
 * Times: every function that depends on the clock takes `now` (Unix
 * seconds) so tests need not sleep; callers pass time(NULL).
 * Transactions: functions that write open their own; do not call them
 * inside a db_begin.
 * Rights: functions that change accounts check their actor themselves
 * (HM_EFORBIDDEN): AUTH_ACCOUNT_MANAGE, or AUTH_ACCOUNT_SELF for one's own.
 * Secrets: passwords and session, reset and API tokens are never logged
 * nor stored; the database holds Argon2id strings and BLAKE2b hex
 * digests. (CSRF secrets and the anonymous-form key are kept as they are:
 * without a session cookie they are worth nothing.) Token buffers handed
 * out are the only copy: the caller shows or sends them once.
 */
#ifndef HM_AUTH_H
#define HM_AUTH_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "jobs/jobs.h"

struct db;
struct db_stmt;

/* ================================================================ setup */

/* Initialises libsodium and the dummy hash used for unknown e-mails. Safe
 * to call from several threads and several times; every auth function
 * calls it, so the server need only call it once at start to fail early.
 * HM_EINTERNAL when libsodium cannot start. */
enum hm_err auth_init(void);

/* ========================================================= roles, actions */

/* Every account is a participant. Grants add admin (whole site) or
 * organiser (one event, or one series and so all its events). A public
 * visitor is a principal without an account. */
enum auth_role {
	AUTH_ROLE_VISITOR,
	AUTH_ROLE_PARTICIPANT,
	AUTH_ROLE_ORGANISER,
	AUTH_ROLE_ADMIN,
	AUTH_ROLE__MAX
};

/* What a handler is about to do. Each handler calls auth_can with one of
 * these and the scope of the thing it touches; anything not allowed by
 * the table in roles.c is denied. */
enum auth_action {
	AUTH_PUBLIC_READ,          /* published pages, feeds, exports */
	AUTH_DRAFT_READ,           /* unpublished events, series, posts */
	AUTH_SERIES_CREATE,        /* a new series */
	AUTH_SERIES_EDIT,          /* scope: series_id (series grants only) */
	AUTH_EVENT_CREATE,         /* scope: series_id of the new event (series grants only) */
	AUTH_EVENT_EDIT,           /* details, status (publish, cancel) */
	AUTH_PROGRAMME_EDIT,       /* sessions, speakers, rooms */
	AUTH_NEWS_EDIT,            /* posts; site news has no event: admins only */
	AUTH_REGISTRATION_MANAGE,  /* see all, approve, decline, export */
	AUTH_REGISTRATION_OWN,     /* register, edit or cancel: owner_account_id is who */
	AUTH_DIALOGUE_MODERATE,    /* accept or reject statements, seed, close */
	AUTH_DIALOGUE_PARTICIPATE, /* vote and submit statements as oneself */
	AUTH_OUTCOME_EDIT,         /* joint actions, commitments, progress */
	AUTH_ACCOUNT_SELF,         /* own profile, password, API tokens */
	AUTH_ACCOUNT_VIEW,         /* reading them: read-only tokens may */
	AUTH_ACCOUNT_MANAGE,       /* other accounts and their roles */
	AUTH_SITE_ADMIN,           /* site settings, backups */
	AUTH_AUDIT_READ,           /* the audit log */
	AUTH_RECORD_DELETE,        /* a series, event or organisation (admins only) */
	AUTH_ACTION__MAX
};

/* Which thing an action touches. Zero fields mean "none": site-wide news
 * has event_id 0. For anything inside an event the caller sets both the
 * event and its series (auth_scope_event does), so series organisers are
 * recognised. owner_account_id is the account that owns the thing (a
 * registration, a profile) for "own" actions. */
struct auth_scope {
	int64_t event_id;
	int64_t series_id;
	int64_t owner_account_id;
};

/* One grant held by a principal: admin (no ids), organiser of an event
 * (event_id) or of a series (series_id). */
struct auth_grant {
	enum auth_role role;
	int64_t event_id;
	int64_t series_id;
};

enum auth_via {
	AUTH_VIA_NONE,      /* public visitor */
	AUTH_VIA_SESSION,   /* browser, session cookie */
	AUTH_VIA_API_TOKEN, /* Authorization: Bearer */
	AUTH_VIA_CLI        /* the harmony command, run by whoever owns the database file */
};

#define AUTH_TOKEN_LEN 43  /* 32 random bytes, base64url without padding */
#define AUTH_TOKEN_SIZE 44 /* with the NUL */
#define AUTH_API_TOKEN_PREFIX "hm_"
#define AUTH_API_TOKEN_SIZE (3 + AUTH_TOKEN_SIZE)
#define AUTH_EMAIL_MAX 254
#define AUTH_NAME_MAX 200   /* bytes, for name and organisation */
#define AUTH_LANG_MAX 35
#define AUTH_GRANTS_MAX 64  /* more are ignored (and logged): fewer rights, never more */

/* The session behind a principal signed in through the browser. */
struct auth_session {
	int64_t id;
	char csrf_secret[AUTH_TOKEN_SIZE]; /* base64url; use auth_csrf_token */
	int64_t created_at;
	int64_t last_seen_at;
	int64_t expires_at; /* absolute end */
};

/* Who is asking. Plain data: copy it, keep it on the stack, no free. */
struct principal {
	enum auth_via via;
	int64_t account_id; /* 0: public visitor */
	int read_only;      /* an API token with scope "read": write actions denied */
	char email[AUTH_EMAIL_MAX + 1];
	char name[AUTH_NAME_MAX + 1];
	char lang[AUTH_LANG_MAX + 1];
	char timezone[65]; /* the account's own zone; "" for the site's */
	size_t ngrants;
	struct auth_grant grants[AUTH_GRANTS_MAX];
	struct auth_session session; /* when via == AUTH_VIA_SESSION */
};

/* 1 if p may do a in scope (scope may be NULL for site-wide things), else
 * 0. p NULL is a public visitor. Default deny: an action, role or scope
 * the table does not allow, or an action out of range, is refused. */
int auth_can(const struct principal *p, enum auth_action a, const struct auth_scope *scope);

/* 1 if p holds an admin grant. */
int auth_is_admin(const struct principal *p);
/* 1 if p holds an admin grant or organises some event or series: the
 * people the admin pages are for. */
int auth_is_staff(const struct principal *p);

/* A stable name for an action ("event.edit") for logs and tests; "?" when
 * out of range. */
const char *auth_action_name(enum auth_action a);

/* Fills p as a public visitor. */
void auth_principal_visitor(struct principal *p);
/* Fills p as the command line: an admin without an account, recorded in
 * the audit log as "cli". */
void auth_principal_cli(struct principal *p);
/* Loads an account and its grants into p (via is set to `via`).
 * HM_ENOTFOUND when there is no such account. */
enum hm_err auth_principal_load(struct db *db, int64_t account_id, enum auth_via via,
				struct principal *p);

/* Scope of an event (with its series) or a series, by slug, drafts
 * included. HM_ENOTFOUND when there is none. */
enum hm_err auth_scope_event(struct db *db, const char *slug, struct auth_scope *out);
enum hm_err auth_scope_series(struct db *db, const char *slug, struct auth_scope *out);
/* The scope in the row of st, a statement already bound that selects
 * (event id, series id) with 0 for none; *out is cleared first and st
 * done after. HM_ENOTFOUND when there is no row. */
enum hm_err auth_scope_row(struct db_stmt *st, struct auth_scope *out);

/* ============================================================ passwords */

/* Production Argon2id costs: libsodium's INTERACTIVE limits (64 MiB, 2
 * passes). MODERATE (256 MiB, 3 passes) took 3.4 s per verification on
 * the development machine, over the 1 s budget for a sign-in. */
#define AUTH_PWHASH_OPSLIMIT 2ULL
#define AUTH_PWHASH_MEMLIMIT (64u * 1024u * 1024u)
/* 1 when new password hashes are made at libsodium's least cost: the
 * test suite's HARMONY_TEST_PWHASH=min, never a production setting. */
int auth_pwhash_test_cost(void);
#define AUTH_PASSWORD_MIN 12   /* characters (code points) */
#define AUTH_PASSWORD_MAX 1024 /* bytes */

/* What is wrong with a new password, if anything (ASVS 2.1.7, as Django's
 * validators): the length, then too easy to guess — only digits, one
 * thing repeated, a part of the person's e-mail or name, or little
 * guessing work by zxcvbn's estimate (its compiled-in dictionaries of
 * common passwords, names and words, keyboard walks, sequences, dates).
 * email and name may be NULL. A pure function. */
enum auth_pw_problem {
	AUTH_PW_OK,
	AUTH_PW_LONG,     /* over AUTH_PASSWORD_MAX bytes */
	AUTH_PW_INVALID,  /* not UTF-8 */
	AUTH_PW_SHORT,    /* under AUTH_PASSWORD_MIN characters */
	AUTH_PW_DIGITS,
	AUTH_PW_REPEATED,
	AUTH_PW_PERSONAL,
	AUTH_PW_COMMON,
};
enum auth_pw_problem auth_password_quality(const char *password, const char *email,
					   const char *name);

/* HM_OK if password is acceptable as a new password for the person with
 * this e-mail and name (auth_password_quality); HM_ETOOBIG over
 * AUTH_PASSWORD_MAX bytes; HM_EINVAL otherwise. When msg is given it
 * receives a sentence for the user (never the password). */
enum hm_err auth_password_check(const char *password, const char *email, const char *name,
				char *msg, size_t msglen);

/* Hashes password with the current costs into out (crypto_pwhash_STRBYTES
 * = 128 bytes). HM_EINTERNAL if hashing failed (out of memory). */
enum hm_err auth_password_hash(const char *password, char out[128]);
/* 1 if password matches hash (an Argon2 string), else 0. */
int auth_password_verify(const char *hash, const char *password);
/* 1 if hash was made with other costs than the current ones. */
int auth_password_needs_rehash(const char *hash);

/* TESTS ONLY: sets the Argon2id costs used from now on (e.g. libsodium's
 * MIN limits so a test suite hashes in microseconds) and remakes the
 * dummy hash. Not thread-safe. auth_pwhash_reset restores production. */
void auth_pwhash_set_limits(unsigned long long opslimit, size_t memlimit);
void auth_pwhash_reset(void);
void auth_pwhash_limits(unsigned long long *opslimit, size_t *memlimit);

/* ============================================================= accounts */

/* Normalises an e-mail address into out (AUTH_EMAIL_MAX + 1 bytes):
 * surrounding spaces dropped, ASCII letters lowercased. HM_EINVAL unless
 * it is one local part (1–64 bytes) '@' a domain with a dot, no spaces,
 * controls or any of ()<>[]\,;:", valid UTF-8, at most AUTH_EMAIL_MAX. */
enum hm_err auth_email_normalise(const char *email, char *out);

struct account_new {
	const char *email;        /* normalised here */
	const char *name;         /* 1–AUTH_NAME_MAX bytes, UTF-8, no controls */
	const char *organisation; /* NULL or up to AUTH_NAME_MAX bytes */
	const char *lang;         /* NULL ("en") or a language tag: "fr", "zh-Hans" */
	const char *password;     /* NULL: cannot sign in until a reset */
	const struct auth_grant *grant; /* NULL: a participant only */
};

/* HM_OK if every field of a but the password is acceptable (the rules
 * above); else HM_EINVAL or HM_ETOOBIG with a sentence in msg. Lets a
 * caller refuse early, before asking for a password. */
enum hm_err auth_account_check(const struct account_new *a, char *msg, size_t msglen);

/* Creates an account, with its grant if any, in one transaction (audited
 * as "account.create" and "account.role_grant" by actor). HM_EINVAL or
 * HM_ETOOBIG with a sentence in msg (optional) when a field is bad,
 * HM_EEXIST when the e-mail is taken, HM_EFORBIDDEN unless actor may
 * AUTH_ACCOUNT_MANAGE. */
enum hm_err auth_account_create(struct db *db, const struct principal *actor,
				const struct account_new *a, int64_t now, int64_t *id_out,
				char *msg, size_t msglen);

/* The account id for an e-mail (normalised first). HM_ENOTFOUND. */
enum hm_err auth_account_find(struct db *db, const char *email, int64_t *id_out);

/* {id, email, name, organisation, lang, created_at, updated_at,
 *  roles: [{role, event_slug, series_slug}…]}, or NULL. Caller owns it. */
json_t *auth_account_get(struct db *db, int64_t id);
/* Every account as above, by e-mail. Caller owns it. */
json_t *auth_account_list(struct db *db);

/* Sets a new password (checked as auth_password_check) and ends every
 * session of the account, so a stolen session dies with the old password;
 * audited as "account.password". The caller signs its user in again if it
 * was their own change. */
enum hm_err auth_password_set(struct db *db, const struct principal *actor, int64_t account_id,
			      const char *password, int64_t now, char *msg, size_t msglen);

/* Grants or revokes admin (event_id = series_id = 0) or organiser of one
 * event or one series; audited as "account.role_grant"/"role_revoke".
 * Admins may change any grant; organisers of a series may also name and
 * remove the organisers of its events (HM_EFORBIDDEN otherwise).
 * Grant: HM_EEXIST if already held, HM_EINVAL for a malformed grant.
 * Revoke: HM_ENOTFOUND if not held. */
enum hm_err auth_role_grant(struct db *db, const struct principal *actor, int64_t account_id,
			    const struct auth_grant *g, int64_t now);
enum hm_err auth_role_revoke(struct db *db, const struct principal *actor, int64_t account_id,
			     const struct auth_grant *g, int64_t now);

/* Demo access for `harmony demo`: creates organiser@demo.harmony.example
 * (a domain that cannot receive mail) as organiser of event_slug, with a
 * fresh random password of 20 base32 characters in four groups
 * ("abcde-fghij-klmno-pqrst"). Writes both out for printing once.
 * HM_ENOTFOUND: no such event; HM_EEXIST: the account exists. */
#define AUTH_DEMO_PASSWORD_SIZE 24
enum hm_err auth_demo_organiser(struct db *db, const char *event_slug,
				char email_out[AUTH_EMAIL_MAX + 1],
				char password_out[AUTH_DEMO_PASSWORD_SIZE]);
/* The same for admin@demo.harmony.example, the site's administrator (the
 * outbox, the audit log, accounts, settings). */
enum hm_err auth_demo_admin(struct db *db, char email_out[AUTH_EMAIL_MAX + 1],
			    char password_out[AUTH_DEMO_PASSWORD_SIZE]);

/* ============================================================= sessions */

/* The defaults; site settings session_idle_minutes and session_hours
 * change them for sessions made and used from then on. */
#define AUTH_SESSION_IDLE (30 * 60)          /* ends after 30 minutes without a request */
#define AUTH_SESSION_LIFETIME (12 * 3600)    /* and 12 hours after sign-in at most */
#define AUTH_SESSION_TOUCH 60                /* last_seen is written at most once a minute */

/* Sign-in throttling, counted per e-mail typed (whether or not an account
 * has it; counted as the attempt starts, so parallel guesses queue up) and
 * per client network (an IPv4 address, an IPv6 /64; wrong passwords only).
 * After FREE failures, each further failure makes the next attempt wait
 * 2^k seconds (k = failures - FREE), at most DELAY_MAX. Addresses get
 * more free attempts: a whole venue may sit behind one. The count starts
 * again WINDOW seconds after the last failure, and for an e-mail on a
 * successful sign-in or password reset. */
#define AUTH_THROTTLE_ACCOUNT_FREE 5
#define AUTH_THROTTLE_ADDRESS_FREE 30
#define AUTH_THROTTLE_DELAY_MAX 1024
#define AUTH_THROTTLE_WINDOW 3600

/* Signs in (an account with a second factor cannot: auth_sign_in_code):
 * on HM_OK a NEW session is made (whatever old_token, the
 * session cookie the browser presented, was; that session is deleted, so
 * a token planted before sign-in is never upgraded), its token is written
 * to token_out for the cookie, and p (if given) is the principal.
 * A password hashed with other costs is rehashed.
 *
 * Errors, identical for an unknown e-mail and a wrong password (the same
 * Argon2 work is spent on a dummy hash):
 *   HM_EUNAUTH      wrong e-mail or password
 *   HM_EFORBIDDEN   too many failures: *retry_after seconds to wait
 *                   (no password was checked)
 * client_addr may be NULL (no per-address throttling). */
enum hm_err auth_sign_in(struct db *db, const char *email, const char *password,
			 const char *client_addr, const char *old_token, int64_t now,
			 char token_out[AUTH_TOKEN_SIZE], struct principal *p,
			 int64_t *retry_after);

/* ----------------------------------------------------- second factor */

#define AUTH_TOTP_SECRET_SIZE 64      /* base32 of 160 bits, with room */
#define AUTH_RECOVERY_CODES 10
#define AUTH_RECOVERY_CODE_SIZE 12    /* "k7m2p-9qx4a" */

/* 0: no second factor; 1: a secret given, waiting for its first code;
 * 2: on. -1 on error. two_factor.c */
int auth_two_factor_state(struct db *db, int64_t account_id);
/* Makes a new TOTP secret for actor's own account (replacing one that was
 * never confirmed) and writes it, base32, to secret_out for the app.
 * HM_EEXIST when a second factor is on already. */
enum hm_err auth_two_factor_begin(struct db *db, const struct principal *actor, int64_t now,
				  char secret_out[AUTH_TOTP_SECRET_SIZE]);
/* The secret given but not yet confirmed (to show it again), base32.
 * HM_ENOTFOUND when there is none. */
enum hm_err auth_two_factor_pending(struct db *db, int64_t account_id,
				    char secret_out[AUTH_TOTP_SECRET_SIZE]);
/* Turns the second factor on with a code from the app; codes_out gets the
 * recovery codes, shown once (only their digests are kept). HM_EUNAUTH
 * for a wrong code, HM_ENOTFOUND when no secret was given, HM_EEXIST when
 * it is on already. Audited as account.two_factor_on. */
enum hm_err auth_two_factor_confirm(struct db *db, const struct principal *actor,
				    const char *code, int64_t now,
				    char codes_out[AUTH_RECOVERY_CODES][AUTH_RECOVERY_CODE_SIZE]);
/* Turns it off (the caller asked for the password again). HM_ENOTFOUND
 * when it was not on. Audited as account.two_factor_off. */
enum hm_err auth_two_factor_disable(struct db *db, const struct principal *actor, int64_t now);
/* HM_OK when the account has no second factor, or code is a code of its
 * app not used before, or one of its unused recovery codes (then spent);
 * HM_EUNAUTH otherwise. Inside the caller's transaction, if any. */
enum hm_err auth_two_factor_check(struct db *db, int64_t account_id, const char *code,
				  int64_t now);

/* Signs in as auth_sign_in does, with the second factor: when the account
 * has one, code must pass auth_two_factor_check, else HM_EUNAUTH with
 * *code_required set (the password was right; a wrong code counts as a
 * failed attempt). */
enum hm_err auth_sign_in_code(struct db *db, const char *email, const char *password,
			      const char *code, const char *client_addr, const char *old_token,
			      int64_t now, char token_out[AUTH_TOKEN_SIZE], struct principal *p,
			      int64_t *retry_after, int *code_required);

/* The principal of a session token. HM_EUNAUTH when the token is malformed,
 * unknown, idle too long or past its lifetime (such a session is deleted).
 * Moves last_seen forward when it is more than AUTH_SESSION_TOUCH old, and
 * notes address (the client's; NULL: unknown) as where it was used. */
enum hm_err auth_session_lookup_at(struct db *db, const char *token, int64_t now,
				   const char *address, struct principal *p);
/* The same, noting no address (the command line, tests). */
enum hm_err auth_session_lookup(struct db *db, const char *token, int64_t now,
				struct principal *p);

/* The limits of a session now, in seconds: idle (since its last request)
 * and life (since sign-in), from the site settings session_idle_minutes
 * and session_hours, else AUTH_SESSION_IDLE and AUTH_SESSION_LIFETIME. */
void auth_session_limits(struct db *db, int64_t *idle, int64_t *life);

/* The account's live sessions, last used first: [{id, created_at,
 * last_seen_at, expires_at, address}…]; NULL when they cannot be read. */
json_t *auth_session_list(struct db *db, int64_t account_id, int64_t now);
/* Ends one of actor's own sessions (audited as account.session_end).
 * HM_ENOTFOUND when actor has no such session. */
enum hm_err auth_session_end(struct db *db, const struct principal *actor, int64_t session_id,
			     int64_t now);
/* Ends every session of actor's account, this one included ("sign out
 * everywhere", audited as account.sign_out_everywhere); *n_out (optional)
 * counts them. API tokens are revoked one by one. */
enum hm_err auth_sign_out_everywhere(struct db *db, const struct principal *actor, int64_t now,
				     int *n_out);

/* Signs out: deletes the session of token and records "auth.sign_out"
 * for actor (the session's principal) when there was one. HM_OK even if
 * there was none. */
enum hm_err auth_sign_out_as(struct db *db, const char *token, const struct principal *actor,
			     int64_t now);

/* Deletes the session of token (sign-out). HM_OK even if there was none. */
enum hm_err auth_sign_out(struct db *db, const char *token);

/* Proves that actor (signed in) knows its password, exactly as signing in
 * does — the same throttle per e-mail and address, the same Argon2 work —
 * but leaving no session: asked again before a sensitive change (a new
 * API token, a role granted; ASVS 3.7.1). HM_OK; HM_EUNAUTH when the
 * password is not right; HM_EFORBIDDEN after too many failures
 * (*retry_after seconds, optional). profile.c */
enum hm_err auth_password_prove(struct db *db, const struct principal *actor,
				const char *password, const char *client_addr, int64_t now,
				int64_t *retry_after);

/* Deletes every session of an account; *n_out (optional) says how many. */
enum hm_err auth_sessions_end_all(struct db *db, int64_t account_id, int *n_out);

/* Deletes expired sessions, spent or expired reset tokens and throttle
 * rows past their window. For a periodic job. */
enum hm_err auth_purge(struct db *db, int64_t now);
/* Auth's jobs for the scheduler (src/jobs/jobs.h): "auth.purge", hourly. */
extern const struct job auth_jobs[];
extern const size_t auth_njobs;

/* ======================================================== cookies, CSRF */

/* Set-Cookie values. The session cookie lives as long as the browser
 * session (the server ends it earlier): "session=TOKEN; Path=/; HttpOnly;
 * SameSite=Lax", plus "; Secure" when secure (this request came over TLS).
 * token NULL gives the value that deletes it ("session=; …; Max-Age=0").
 * The pre-session cookie ("presession") is the same with another name.
 * Returns out, which has AUTH_COOKIE_SIZE bytes. */
#define AUTH_COOKIE_SIZE 128
/* DIALOGUE: a browser's anonymous identity in the conversations that
 * admit anyone (features/dialogue); the store keeps only its hash. */
enum auth_cookie { AUTH_COOKIE_SESSION, AUTH_COOKIE_PRESESSION, AUTH_COOKIE_DIALOGUE };
char *auth_cookie_header(enum auth_cookie which, const char *token, int secure,
			 char out[AUTH_COOKIE_SIZE]);
/* The cookie names, for reading them from a request. */
const char *auth_cookie_name(enum auth_cookie which);
/* For a site whose base URL is https (on != 0), called once before the
 * server starts: both cookies are always Secure and named with the
 * __Host- prefix ("__Host-session", "__Host-presession"), and only those
 * names are read, so a cookie planted under the plain name by a sibling
 * host is never taken. Off (the default): as above, for http sites. */
void auth_cookie_https(int on);

/* Forms of a signed-in user carry a token derived from the session's
 * secret; a POST is accepted only if auth_csrf_check says 1. The check is
 * constant-time; an empty, malformed or other session's token fails, as
 * does a NULL session. */
void auth_csrf_token(const struct auth_session *s, char out[AUTH_TOKEN_SIZE]);
int auth_csrf_check(const struct auth_session *s, const char *token);

/* Forms shown before sign-in (sign-in, forgotten password, reset) have no
 * session. They use a signed double-submit token:
 *   1. the first GET without a "presession" cookie sets one:
 *      auth_presession_new, auth_cookie_header(AUTH_COOKIE_PRESESSION…);
 *   2. the form carries auth_anon_csrf_token(presession), a BLAKE2b MAC of
 *      the cookie under a server key (auth_key table, made on first use);
 *   3. the POST is accepted only if auth_anon_csrf_check(cookie, field).
 * Another site can neither read the cookie nor compute the MAC, and a
 * cookie planted by a neighbouring host is useless without the key. After
 * sign-in the session takes over and the pre-session cookie may be
 * cleared. */
void auth_presession_new(char out[AUTH_TOKEN_SIZE]);
/* HM_EINVAL when presession is not a well-formed token. */
enum hm_err auth_anon_csrf_token(struct db *db, const char *presession,
				 char out[AUTH_TOKEN_SIZE]);
int auth_anon_csrf_check(struct db *db, const char *presession, const char *token);

/* ======================================================= password reset */

#define AUTH_RESET_LIFETIME 3600              /* a link someone asked for: an hour */
#define AUTH_INVITE_LIFETIME (7 * 24 * 3600) /* an invitation: a week, to be seen */

/* Makes a single-use reset token for the account with this e-mail, valid
 * AUTH_RESET_LIFETIME seconds, to be e-mailed; earlier unused tokens of
 * the account stop working. HM_ENOTFOUND when no account has the e-mail:
 * the page must say the same thing either way ("if an account exists, we
 * sent a link"). */
enum hm_err auth_reset_request(struct db *db, const char *email, int64_t now,
			       char token_out[AUTH_TOKEN_SIZE]);
/* The same, valid `lifetime` seconds (AUTH_INVITE_LIFETIME for the link of
 * an invitation, which waits in an inbox for days). */
enum hm_err auth_reset_request_for(struct db *db, const char *email, int64_t now,
				   int64_t lifetime, char token_out[AUTH_TOKEN_SIZE]);

/* Sets the new password if token is a live reset token, marks it used,
 * ends every session of the account and clears its sign-in throttle.
 * HM_ENOTFOUND for an unknown, used or expired token (one answer for all);
 * HM_EINVAL/HM_ETOOBIG for a bad password, with msg, and then the token
 * stays usable. *account_id_out (optional) is the account. */
enum hm_err auth_reset_complete(struct db *db, const char *token, const char *new_password,
				int64_t now, int64_t *account_id_out, char *msg, size_t msglen);

/* ============================================================ API tokens */

enum auth_token_scope { AUTH_TOKEN_READ, AUTH_TOKEN_WRITE };

/* A token lives one of these many days from its creation; the forms offer
 * them in this order and preselect the default. */
#define AUTH_API_TOKEN_DAYS_DEFAULT 90
extern const int auth_api_token_days[3]; /* 30, 90, 365 */
/* 1 if days is one of auth_api_token_days. */
int auth_api_token_days_ok(int64_t days);

/* When a token made at now for days days expires (what
 * auth_api_token_create stores). */
static inline int64_t auth_api_token_expires(int64_t now, int64_t days)
{
	return now + days * 86400;
}

/* Makes a personal API token for account_id ("hm_" + 43 characters,
 * written to token_out, shown once), valid until
 * auth_api_token_expires(now, expires_days) (expires_days one of
 * auth_api_token_days, else HM_EINVAL and nothing is made).
 * label: up to AUTH_NAME_MAX bytes. HM_EFORBIDDEN for another's account,
 * and for an actor that is itself an API token: tokens do not make
 * tokens. A new password revokes every token of the account. */
enum hm_err auth_api_token_create(struct db *db, const struct principal *actor,
				  int64_t account_id, enum auth_token_scope scope,
				  const char *label, int expires_days, int64_t now,
				  char token_out[AUTH_API_TOKEN_SIZE], int64_t *id_out);

/* Revokes token id of account_id. HM_ENOTFOUND if it is not that
 * account's or already revoked. */
enum hm_err auth_api_token_revoke(struct db *db, const struct principal *actor,
				  int64_t account_id, int64_t token_id, int64_t now);

/* The principal of an API token (via AUTH_VIA_API_TOKEN; read_only for
 * scope read). HM_EUNAUTH when malformed, unknown, revoked or expired
 * (now at or past its expires_at; NULL there is never), one answer for
 * all. */
enum hm_err auth_api_token_lookup(struct db *db, const char *token, int64_t now,
				  struct principal *p);
/* The same, noting address (the client's) as where it was last used. */
enum hm_err auth_api_token_lookup_at(struct db *db, const char *token, int64_t now,
				     const char *address, struct principal *p);

/* [{id, label, scope, created_at, last_used_at, revoked_at, expires_at}…] of an
 * account, newest first. Caller owns it. */
json_t *auth_api_token_list(struct db *db, int64_t account_id);

/* The server's secret key of that name (32 bytes, table auth_key), read,
 * or made on first use: "anon_csrf" for visitors' form tokens,
 * "checkin" for the codes on badges. */
enum hm_err auth_server_key(struct db *db, const char *name, unsigned char key[32]);

/* ============================================================ audit log */

/* Records that actor did action ("event.publish") to entity ("event") id,
 * with before and after as JSON (borrowed; NULL for none). Never put
 * secrets in them. Joins the caller's transaction if there is one.
 * audit_record_at takes the time. */
enum hm_err audit_record(struct db *db, const struct principal *actor, const char *action,
			 const char *entity, int64_t id, const json_t *before,
			 const json_t *after);
enum hm_err audit_record_at(struct db *db, const struct principal *actor, const char *action,
			    const char *entity, int64_t id, const json_t *before,
			    const json_t *after, int64_t now);

/* The newest entries first, at most limit, for one entity (entity NULL:
 * all): [{id, at, actor, action, entity, entity_id, before, after}…]
 * with before and after parsed. Caller owns it. */
json_t *audit_list(struct db *db, const char *entity, int64_t id, int limit);

/* ============================================================== profile */

/* What a person may change about their account. NULL keeps a field. */
struct account_profile {
	const char *name;         /* 1–AUTH_NAME_MAX bytes, UTF-8, no controls */
	const char *organisation; /* "" for none */
	const char *lang;         /* a language tag: "en", "zh-Hans" */
	const char *timezone;     /* an IANA zone ICU knows; "" for the site's */
};

/* Updates name, organisation and language of account_id under the rules
 * of auth_account_check; audited as "account.update" with only the
 * fields that changed (nothing is written or recorded when none did).
 * HM_EFORBIDDEN unless actor may AUTH_ACCOUNT_SELF for the account,
 * HM_ENOTFOUND, HM_EINVAL/HM_ETOOBIG with a sentence in msg. */
enum hm_err auth_account_update(struct db *db, const struct principal *actor, int64_t account_id,
				const struct account_profile *pr, int64_t now, char *msg,
				size_t msglen);

/* Changes actor's own password. The new one is checked first
 * (HM_EINVAL/HM_ETOOBIG with msg, also when it equals the current one);
 * then the current one is proved as at sign-in, with the same throttle
 * (HM_EUNAUTH when wrong, HM_EFORBIDDEN with *retry_after when
 * throttled); then auth_password_set ends every session of the account.
 * When token_out is given a fresh session is made for the caller's
 * cookie. HM_EFORBIDDEN for a principal without an account. */
enum hm_err auth_password_change(struct db *db, const struct principal *actor,
				 const char *current, const char *new_password,
				 const char *client_addr, int64_t now,
				 char token_out[AUTH_TOKEN_SIZE], int64_t *retry_after, char *msg,
				 size_t msglen);

#endif
