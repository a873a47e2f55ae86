/*
 * sql.c — every SQL statement of the auth module, in one table indexed by
 * enum auth_sql. Portable SQL only ('?' placeholders, coalesce, ON
 * CONFLICT upserts), so the PostgreSQL backend can run the same text.
 */
#include "auth/auth_impl.h"

#define ROLE_COLS                                                                              \
	"r.role, coalesce(r.event_id, 0), coalesce(r.series_id, 0), "                      \
	"e.slug AS event_slug, s.slug AS series_slug "

static const char *const auth_sql[AUTH_SQL__MAX] = {
	[SQL_ACCOUNT_INSERT] =
		"INSERT INTO account (email, name, organisation, lang, password_hash, created_at, "
		"updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
	[SQL_ACCOUNT_BY_EMAIL] = "SELECT id, password_hash FROM account WHERE email = ?",
	[SQL_ACCOUNT_PRINCIPAL] = "SELECT id, email, name, lang, timezone FROM account WHERE id = ?",
	[SQL_ACCOUNT_GET] = "SELECT id, email, name, organisation, lang, timezone, created_at, "
			    "updated_at FROM account WHERE id = ?",
	[SQL_ACCOUNT_LIST] = "SELECT id, email, name, organisation, lang, created_at, updated_at "
			     "FROM account ORDER BY email",
	[SQL_ACCOUNT_SET_PASSWORD] =
		"UPDATE account SET password_hash = ?, updated_at = ? WHERE id = ?",
	[SQL_ROLES_OF] = "SELECT " ROLE_COLS "FROM account_role r "
			 "LEFT JOIN event e ON e.id = r.event_id "
			 "LEFT JOIN series s ON s.id = r.series_id "
			 "WHERE r.account_id = ? ORDER BY r.id",
	[SQL_ROLE_INSERT] = "INSERT INTO account_role (account_id, role, event_id, series_id, "
			    "created_at) VALUES (?, ?, ?, ?, ?)",
	[SQL_ROLE_DELETE] = "DELETE FROM account_role WHERE account_id = ? AND role = ? "
			    "AND coalesce(event_id, 0) = ? AND coalesce(series_id, 0) = ?",
	[SQL_EVENT_SCOPE] = "SELECT id, coalesce(series_id, 0) FROM event WHERE slug = ?",
	[SQL_SERIES_SCOPE] = "SELECT 0, id FROM series WHERE slug = ?",

	[SQL_SESSION_INSERT] =
		"INSERT INTO session (token_hash, account_id, csrf_secret, created_at, "
		"last_seen_at, expires_at, address) VALUES (?, ?, ?, ?, ?, ?, ?)",
	[SQL_SESSION_BY_HASH] = "SELECT id, account_id, csrf_secret, created_at, last_seen_at, "
				"expires_at FROM session WHERE token_hash = ?",
	[SQL_SESSION_TOUCH] = "UPDATE session SET last_seen_at = ?, address = coalesce(?, address) "
			      "WHERE id = ? AND last_seen_at < ?",
	[SQL_SESSION_LIST] = "SELECT id, created_at, last_seen_at, expires_at, address FROM session "
			     "WHERE account_id = ? AND expires_at > ? AND last_seen_at > ? "
			     "ORDER BY last_seen_at DESC, id DESC",
	[SQL_SESSION_DELETE_OWN] = "DELETE FROM session WHERE id = ? AND account_id = ?",
	[SQL_SESSION_DELETE_HASH] = "DELETE FROM session WHERE token_hash = ?",
	[SQL_SESSION_DELETE_ID] = "DELETE FROM session WHERE id = ?",
	[SQL_SESSION_DELETE_ACCOUNT] = "DELETE FROM session WHERE account_id = ?",
	[SQL_SESSION_PURGE] = "DELETE FROM session WHERE expires_at <= ? OR last_seen_at <= ?",

	[SQL_THROTTLE_GET] = "SELECT failures, last_failure_at, blocked_until FROM auth_throttle "
			     "WHERE kind = ? AND throttle_key = ?",
	[SQL_THROTTLE_PUT] =
		"INSERT INTO auth_throttle (kind, throttle_key, failures, last_failure_at, "
		"blocked_until) VALUES (?, ?, ?, ?, ?) ON CONFLICT (kind, throttle_key) DO UPDATE "
		"SET failures = excluded.failures, last_failure_at = excluded.last_failure_at, "
		"blocked_until = excluded.blocked_until",
	[SQL_THROTTLE_CLEAR] = "DELETE FROM auth_throttle WHERE kind = ? AND throttle_key = ?",
	[SQL_THROTTLE_PURGE] =
		"DELETE FROM auth_throttle WHERE last_failure_at <= ? AND blocked_until <= ?",

	[SQL_KEY_GET] = "SELECT secret FROM auth_key WHERE name = ?",
	[SQL_KEY_INSERT] = "INSERT INTO auth_key (name, secret, created_at) VALUES (?, ?, ?)",

	[SQL_RESET_INSERT] = "INSERT INTO password_reset (token_hash, account_id, created_at, "
			     "expires_at) VALUES (?, ?, ?, ?)",
	[SQL_RESET_DROP_UNUSED] =
		"DELETE FROM password_reset WHERE account_id = ? AND used_at IS NULL",
	[SQL_RESET_BY_HASH] = "SELECT id, account_id, expires_at FROM password_reset "
			      "WHERE token_hash = ? AND used_at IS NULL",
	[SQL_RESET_USE] =
		"UPDATE password_reset SET used_at = ? WHERE id = ? AND used_at IS NULL",
	[SQL_RESET_PURGE] = "DELETE FROM password_reset WHERE expires_at <= ?",

	[SQL_TOKEN_INSERT] = "INSERT INTO api_token (token_hash, account_id, label, scope, "
			     "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
	[SQL_TOKEN_BY_HASH] = "SELECT id, account_id, scope, last_used_at, expires_at, last_address "
			      "FROM api_token WHERE token_hash = ? AND revoked_at IS NULL",
	[SQL_TOKEN_TOUCH] = "UPDATE api_token SET last_used_at = ?, "
			    "last_address = coalesce(?, last_address) WHERE id = ?",
	[SQL_TOKEN_REVOKE] = "UPDATE api_token SET revoked_at = ? "
			     "WHERE id = ? AND account_id = ? AND revoked_at IS NULL",
	[SQL_TOKEN_REVOKE_ALL] = "UPDATE api_token SET revoked_at = ? "
				 "WHERE account_id = ? AND revoked_at IS NULL",
	[SQL_TOKEN_LIST] = "SELECT id, label, scope, created_at, last_used_at, last_address, "
			   "revoked_at, expires_at FROM api_token WHERE account_id = ? ORDER BY id DESC",

	[SQL_AUDIT_INSERT] = "INSERT INTO audit_log (at, actor_account_id, actor, action, entity, "
			     "entity_id, before_json, after_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	[SQL_AUDIT_LIST_ENTITY] =
		"SELECT id, at, actor, action, entity, entity_id, before_json, after_json "
		"FROM audit_log WHERE entity = ? AND entity_id = ? ORDER BY id DESC LIMIT ?",
	[SQL_AUDIT_LIST_ALL] =
		"SELECT id, at, actor, action, entity, entity_id, before_json, after_json "
		"FROM audit_log ORDER BY id DESC LIMIT ?",
};

struct db_stmt *auth_prep(struct db *db, enum auth_sql i)
{
	return db_prepare(db, auth_sql[i]);
}
