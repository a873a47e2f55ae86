/*
 * auth_impl.h — what the files of src/auth/ share and nobody else needs:
 * the module's SQL statements (one table, in sql.c), RFC 3339 time
 * stamps, random tokens and their digests.
 */
#ifndef HM_AUTH_IMPL_H
#define HM_AUTH_IMPL_H

#include "auth/auth.h"
#include "db/db.h"

enum auth_sql {
	/* accounts and roles */
	SQL_ACCOUNT_INSERT,
	SQL_ACCOUNT_BY_EMAIL,
	SQL_ACCOUNT_PRINCIPAL,
	SQL_ACCOUNT_GET,
	SQL_ACCOUNT_LIST,
	SQL_ACCOUNT_SET_PASSWORD,
	SQL_ROLES_OF,
	SQL_ROLE_INSERT,
	SQL_ROLE_DELETE,
	SQL_EVENT_SCOPE,
	SQL_SERIES_SCOPE,
	/* sessions */
	SQL_SESSION_INSERT,
	SQL_SESSION_BY_HASH,
	SQL_SESSION_TOUCH,
	SQL_SESSION_LIST,
	SQL_SESSION_DELETE_OWN,
	SQL_SESSION_DELETE_HASH,
	SQL_SESSION_DELETE_ID,
	SQL_SESSION_DELETE_ACCOUNT,
	SQL_SESSION_PURGE,
	/* throttling */
	SQL_THROTTLE_GET,
	SQL_THROTTLE_PUT,
	SQL_THROTTLE_CLEAR,
	SQL_THROTTLE_PURGE,
	/* server keys */
	SQL_KEY_GET,
	SQL_KEY_INSERT,
	/* password reset */
	SQL_RESET_INSERT,
	SQL_RESET_DROP_UNUSED,
	SQL_RESET_BY_HASH,
	SQL_RESET_USE,
	SQL_RESET_PURGE,
	/* API tokens */
	SQL_TOKEN_INSERT,
	SQL_TOKEN_BY_HASH,
	SQL_TOKEN_TOUCH,
	SQL_TOKEN_REVOKE,
	SQL_TOKEN_REVOKE_ALL,
	SQL_TOKEN_LIST,
	/* audit */
	SQL_AUDIT_INSERT,
	SQL_AUDIT_LIST_ENTITY,
	SQL_AUDIT_LIST_ALL,
	AUTH_SQL__MAX
};

/* The cached statement i, or NULL (logged) if it does not compile. */
struct db_stmt *auth_prep(struct db *db, enum auth_sql i);

/* ---- time: "2012-11-29T08:30:00Z" */
#define AUTH_TS_SIZE 32
void auth_ts(int64_t t, char out[AUTH_TS_SIZE]);
/* Seconds since the epoch, or -1 when s is not such a stamp. */
int64_t auth_ts_parse(const char *s);

/* ---- tokens: 32 random bytes as base64url, stored as BLAKE2b hex */
#define AUTH_TOKEN_BYTES 32
#define AUTH_DIGEST_HEX 65
void auth_token_new(char out[AUTH_TOKEN_SIZE]);
/* Decodes a token into its 32 bytes; 0 if it is not exactly one. */
int auth_token_decode(const char *token, unsigned char bin[AUTH_TOKEN_BYTES]);
/* The stored digest of a token; 0 (and nothing written) if malformed. */
int auth_token_digest(const char *token, char hex[AUTH_DIGEST_HEX]);

/* 1 if s is valid UTF-8 of at most max bytes without ASCII controls. */
int auth_text_ok(const char *s, size_t max);

/* Copies src into dst of size n, always NUL-terminated, src NULL as "". */
void auth_copy(char *dst, const char *src, size_t n);

/* Inserts a new session for account_id inside the caller's transaction;
 * token_out receives the cookie value, s the session (session.c). */
enum hm_err auth_session_insert(struct db *db, int64_t account_id, int64_t now,
				const char *address, char token_out[AUTH_TOKEN_SIZE],
				struct auth_session *s);

/* Forgets the failed sign-ins counted against an e-mail (signin.c). */
enum hm_err auth_throttle_clear_account(struct db *db, const char *email);

/* The dummy Argon2 string unknown e-mails are checked against (for the
 * tests: it must parse and carry the current costs). */
const char *auth_password_dummy(void);

/* A new password: checked (auth_password_check, msg says why not) and
 * hashed into hash, before any write lock is taken (hashing is the slow
 * part). password.c */
enum hm_err auth_password_new(const char *password, const char *email, const char *name,
			      char hash[128], char *msg, size_t msglen);

/* Stores hash as the password of account_id (updated_at ts), ends every
 * session of the account and revokes every personal API token it has: a
 * new password locks out whoever knew the old one, or held a token made
 * with it (ASVS 3.3.3). Inside the caller's transaction. *n_ended and
 * *n_revoked (optional) count them. HM_ENOTFOUND for no such account. */
enum hm_err auth_password_store(struct db *db, int64_t account_id, const char *hash,
				const char *ts, int *n_ended, int *n_revoked);

/* Rolls back and returns e: the tail of every failed write transaction. */
enum hm_err auth_fail(struct db *db, enum hm_err e);

/* auth_sign_in without asking for the second factor: for proving a
 * password (auth_password_prove ends the session it makes at once). */
enum hm_err auth_password_only(struct db *db, const char *email, const char *password,
			       const char *client_addr, int64_t now,
			       char token_out[AUTH_TOKEN_SIZE], int64_t *retry_after);

#endif
