/*
 * dialogue.h — the store of the dialogue: an event's conversations, the
 * people taking part (an account or an anonymous identity), statements
 * (organisers' seeds and participants' own) and their moderation, votes
 * (the current one and every one cast), the next statement to show, and
 * the report: the analysis engine (src/dialogue/analysis/) run on the
 * current votes, as `harmony analyze --format json` prints it.
 *
 * Rights: organisers of the conversation's event (AUTH_DIALOGUE_MODERATE
 * in its scope) create, change, seed and moderate, audited; participants
 * act through struct dlg_who (who the request says, or the anonymous
 * identity of its cookie where the conversation admits anyone). Each
 * write is one transaction, committed before the function returns.
 * Refusals by field are struct field_errors of msgids.
 */
#ifndef HM_DIALOGUE_H
#define HM_DIALOGUE_H

#include <jansson.h>
#include <stdint.h>

#include "auth/auth.h"
#include "core/core.h"
#include "site/kind.h"

struct db;

/* The stored values, NULL-terminated, in display order. */
extern const char *const dlg_statuses[];        /* draft, open, closed, archived */
extern const char *const dlg_participations[];  /* registered, signed-in, anyone */
extern const char *const dlg_moderations[];     /* strict, permissive */
extern const char *const dlg_visibilities[];    /* public, participants, organisers */
extern const char *const dlg_stmt_statuses[];   /* pending, accepted, rejected, meta */

#define DLG_TOPIC_MAX 200       /* bytes */
#define DLG_QUESTION_MAX 1000   /* bytes */
#define DLG_DESCRIPTION_MAX 20000
#define DLG_REASON_MAX 500
#define DLG_SEED_MAX 500        /* statements in one paste */
/* Groups are not meaningful below this many participants in the analysis
 * (Pol.is's in-conversation threshold counts 7 votes each). */
#define DLG_REPORT_MIN_PARTICIPANTS 7
#define DLG_ANON_TOKEN_LEN 43   /* the token of the anonymous cookie */
/* One file of a Pol.is export uploaded by an organiser (the request body
 * is 10 MiB at most; larger exports go through `harmony conversation
 * import`). */
#define DLG_IMPORT_FILE_MAX (10 * 1024 * 1024)
#define DLG_EMBED_ORIGINS_MAX 20     /* sites that may embed a conversation */
#define DLG_EMBED_ORIGINS_BYTES 4000 /* embed_origins as sent */
#define DLG_XID_MAX 100         /* bytes of a host site's participant id */

/* A conversation with its event: {id, event_id, event_slug, event_status,
 * series_id, topic, question, description_md, status, participation,
 * moderation, participants_submit (bool), max_length, report_visibility,
 * embed_origins, created_at, updated_at, session_id, session_title,
 * session_starts_at (UTC), session_visibility, event_timezone}:
 * embed_origins the sites that may frame its voting page, one origin per
 * line ("" none); session_id the session of the event's programme it
 * belongs to (null: none; the session's columns null too). NULL: none
 * (or a failed read: db_failed). */
json_t *dlg_conversation(struct db *db, int64_t id);
/* The conversations of an event, newest first (the same keys). */
json_t *dlg_conversations(struct db *db, int64_t event_id);
/* The open and closed conversations of a programme session, oldest
 * first (the same keys). */
json_t *dlg_session_conversations(struct db *db, int64_t session_id);

/* 1 if p may change and moderate conv (organisers of its event, admins). */
int dlg_may_moderate(const struct principal *p, const json_t *conv);
/* 1 if p may see conv at all: moderators always; others once it is not a
 * draft and its event is published. */
int dlg_may_see(const struct principal *p, const json_t *conv);

/* Creates a conversation of ev ({id, series_id}: reg_event's) from in
 * ({topic, question, description_md, status, participation, moderation,
 * participants_submit, max_length, report_visibility, embed_origins,
 * session}; topic required). session: the id of a session of ev's
 * programme, or null (or "") for none; another event's, or unknown: an
 * error in errs. embed_origins: a string of lines or an array of
 * strings, each an origin (http_origin_valid; a trailing "/" and case
 * forgiven), at most DLG_EMBED_ORIGINS_MAX; stored one per line.
 * *id: the new one. HM_EFORBIDDEN; HM_EINVAL with errs. Audited as
 * "conversation.create". */
enum hm_err dlg_create(struct db *db, const struct principal *p, const json_t *ev,
		       const json_t *in, int64_t now, struct field_errors *errs, int64_t *id);
/* Changes the keys present in in. HM_ENOTFOUND, HM_EFORBIDDEN, HM_EINVAL
 * with errs. Audited as "conversation.update" with what changed. */
enum hm_err dlg_update(struct db *db, const struct principal *p, int64_t id, const json_t *in,
		       int64_t now, struct field_errors *errs);

/* Who is taking part: the request's principal and, where the
 * conversation admits anyone, the token of its anonymous cookie (NULL:
 * none), or the participant id a host site embedding the conversation
 * gives (xid; NULL: none), which counts only where dlg_admits_xid and
 * then instead of the cookie. A principal with an account is that
 * account, a cookie or an xid or not. */
struct dlg_who {
	const struct principal *p;
	const char *anon_token;
	const char *xid;
};
/* 1 if conv (dlg_conversation's) takes a host site's participant id:
 * it admits anyone and lists the sites that may embed it. */
int dlg_admits_xid(const json_t *conv);
/* 1 if xid may be a host site's participant id: 1 to DLG_XID_MAX
 * printable ASCII characters (space to '~'). */
int dlg_xid_ok(const char *xid);
/* The participant id of who in conversation cid without creating one:
 * 0 when they have not taken part yet, -1 on a failed read. */
int64_t dlg_participant_of(struct db *db, int64_t cid, const struct dlg_who *who);
/* 1 when conv asks its participants to declare attribute ("sector",
 * "country"; NULL: any) — never where participation is "registered":
 * registration tells. */
int dlg_asks(const json_t *conv, const char *attribute);
/* who declares their sector and country (each optional, NULL or "": not
 * said) in conversation cid, which must ask for them (HM_ECONFLICT
 * otherwise); a value the conversation does not ask for, a sector not of
 * the list or an unknown country code: HM_EINVAL with errs; values are
 * kept only with consent (errs "consent"); nothing chosen records that
 * they declined (not asked again). Makes the participant if need be. The
 * report's declared groups read them for participants registration does
 * not tell. HM_EUNAUTH/HM_EFORBIDDEN as for a vote. */
enum hm_err dlg_declare(struct db *db, int64_t cid, const struct dlg_who *who, const char *sector,
			const char *country, int consent, int64_t now, struct field_errors *errs);
/* {sector, country} as participant pid declared them (null values: not
 * said), JSON null when they have not answered (or pid 0); NULL on a
 * failed read. */
json_t *dlg_declared(struct db *db, int64_t pid);

/* Excludes (1) or readmits (0) a participant's votes from the analysis
 * (their votes are kept; the analysis runs again). Moderators; audited
 * "dialogue.exclude" with the value before and after; nothing written
 * when it is so already. HM_ENOTFOUND, HM_EFORBIDDEN. */
enum hm_err dlg_exclude(struct db *db, const struct principal *p, int64_t participant_id,
			int excluded, int64_t now);
/* The same reached through conversation cid's address: HM_ENOTFOUND
 * when the participant is not one of its (cid 0: any). */
enum hm_err dlg_exclude_in(struct db *db, const struct principal *p, int64_t cid,
			   int64_t participant_id, int excluded, int64_t now);
/* A page of the participants of conversation cid, by id, for its
 * organisers (the caller checks): [{id, kind ("account", "anonymous", or
 * "host": the embedding site's xid), name (the account's display name;
 * null otherwise, never an e-mail), votes (current ones), statements
 * (written), excluded (bool), created_at}…]; excluded_only: those
 * excluded alone. *total: how many there are in all (of the filter).
 * NULL on a failed read. */
json_t *dlg_participants_page(struct db *db, int64_t cid, int excluded_only, int64_t offset,
			      int64_t limit, int64_t *total);
/* Participant pid of conversation cid, the same keys; NULL: none there
 * (or a failed read: db_failed). */
json_t *dlg_participant(struct db *db, int64_t cid, int64_t pid);
/* How many participants conversation cid has, and how many of them are
 * excluded. HM_EDB. */
enum hm_err dlg_participant_tally(struct db *db, int64_t cid, int64_t *all, int64_t *excluded);

/* Organisers' seed statements: each string of texts is split into lines,
 * each trimmed, empty ones dropped; each at most max_length characters,
 * none the same as another of the paste or one already there (case and
 * spaces aside). All or nothing: refusals in errs under "texts" ("" for
 * the whole). Accepted at once, marked by_organiser. *ids: [id…] in the
 * order given. HM_EFORBIDDEN, HM_ENOTFOUND, HM_EINVAL, HM_ECONFLICT
 * (an archived conversation). Audited "statement.seed". */
enum hm_err dlg_seed(struct db *db, const struct principal *p, int64_t cid, const json_t *texts,
		     int64_t now, struct field_errors *errs, json_t **ids);
/* The same with the language the seeds are written in (one of the six;
 * NULL: not said). dlg_seed leaves it unsaid. */
enum hm_err dlg_seed_lang(struct db *db, const struct principal *p, int64_t cid,
			  const json_t *texts, const char *lang, int64_t now,
			  struct field_errors *errs, json_t **ids);
/* Changes a seed's text while it has no vote (HM_ECONFLICT after: a
 * change is then a new statement). Its translations were of the old
 * text: a change of the text removes them (the audit entry keeps them).
 * Audited "statement.edit". */
enum hm_err dlg_seed_edit(struct db *db, const struct principal *p, int64_t sid,
			  const char *text, int64_t now, struct field_errors *errs);

/* A participant's own statement, where the conversation is open
 * (HM_ECONFLICT) and lets participants write (HM_EFORBIDDEN): pending
 * under strict moderation, accepted under permissive; refused under
 * "text" when it says what another statement says. *out: {id, status,
 * participant}. HM_EUNAUTH/HM_EFORBIDDEN: who may not take part. */
enum hm_err dlg_submit(struct db *db, int64_t cid, const struct dlg_who *who, const char *text,
		       const char *lang, int64_t now, struct field_errors *errs, json_t **out);

/* ---- translations of statements (translation.c, table
 * statement_translation). A statement is written in one language (its
 * "lang": the author's page language when sent, or what a moderator
 * sets; null: not known, as for imported ones). Its moderators enter its
 * version in another of the site's languages: entering it is reviewing
 * it. A reader sees the version in their language where there is one;
 * the vote is the statement's, whatever language it was read in. A
 * translation may be DLG_TR_FACTOR times the conversation's max_length
 * (translations run longer than their original). */
#define DLG_TR_FACTOR 2
/* {lang: {"text": …}} of statement sid. NULL on a failed read. */
json_t *dlg_translations(struct db *db, int64_t sid);
/* {"sid": {lang: {"text": …}}} of every statement of conversation cid
 * that has one. NULL on a failed read. */
json_t *dlg_conv_translations(struct db *db, int64_t cid);
/* In the caller's transaction: forgets statement sid's translations. */
enum hm_err dlg_translations_forget(struct db *db, int64_t sid);
/* Statement sid's version in lang becomes text (tidied as a statement
 * is), by a moderator of its conversation (who is recorded as its
 * reviewer). HM_ENOTFOUND, HM_EFORBIDDEN; HM_EINVAL with errs: "lang"
 * not one of the six, "text" empty, too long, not text, or lang the
 * original's own. Nothing written when it is so already. *out: {lang,
 * fields: {text}}. Audited "statement.translate" (before/after {lang,
 * text}). */
enum hm_err dlg_translate(struct db *db, const struct principal *p, int64_t sid, const char *lang,
			  const char *text, int64_t now, struct field_errors *errs, json_t **out);
/* The moderators' form in one transaction: the original's language own
 * (NULL: unchanged), then for each {lang: text} of versions the version
 * in lang becomes text, or goes when text is empty (a version in the
 * original's own language is left as it is). All or nothing: refusals in
 * errs under "text_<lang>". */
enum hm_err dlg_translate_all(struct db *db, const struct principal *p, int64_t sid,
			      const char *own, json_t *versions, int64_t now,
			      struct field_errors *errs);
/* Removes statement sid's version in lang (HM_OK also when there was
 * none). HM_ENOTFOUND, HM_EFORBIDDEN. Audited "statement.translate". */
enum hm_err dlg_untranslate(struct db *db, const struct principal *p, int64_t sid,
			    const char *lang, int64_t now);
/* Sets the language statement sid is written in (one of the six:
 * HM_EINVAL otherwise). A version in that language stays, unused while
 * the original is in it. Moderators; audited "statement.language". */
enum hm_err dlg_statement_lang(struct db *db, const struct principal *p, int64_t sid,
			       const char *lang, int64_t now);

/* A participant's suggested translation of statement sid (accepted, of
 * conversation cid) into lang, waiting for a moderator (table
 * statement_translation_suggestion): who must be able to take part
 * (dlg_may_take_part's refusals); HM_ENOTFOUND: no such accepted
 * statement there; HM_EEXIST: it has a translation into lang already;
 * HM_EINVAL with errs as dlg_translate. One per participant, statement
 * and language: a new one replaces theirs. Makes the participant if need
 * be. *out: {id, statement, lang, status "pending", participant}. */
enum hm_err dlg_suggest(struct db *db, int64_t cid, const struct dlg_who *who, int64_t sid,
			const char *lang, const char *text, int64_t now, struct field_errors *errs,
			json_t **out);
/* The suggestions waiting for statement sid: [{id, lang, text,
 * participant, created_at}…], by language. NULL on a failed read. */
json_t *dlg_suggestions(struct db *db, int64_t sid);
/* A moderator's decision on suggestion id of statement sid: accepted, it
 * becomes the translation into its language (as dlg_translate: errs,
 * audited "statement.translate"), and every suggestion into that language
 * goes; dismissed, it goes (audited "statement.suggestion.dismiss").
 * HM_ENOTFOUND (not one of sid's), HM_EFORBIDDEN. A translation a
 * moderator enters answers the suggestions into its language too. */
enum hm_err dlg_suggestion_decide(struct db *db, const struct principal *p, int64_t sid,
				  int64_t id, int accept, int64_t now, struct field_errors *errs);

/* An organiser's decision on statement sid: "accepted", "rejected" or
 * "meta" with an optional reason (at most DLG_REASON_MAX bytes).
 * HM_EINVAL: not a decision. Audited "statement.moderate". */
enum hm_err dlg_moderate(struct db *db, const struct principal *p, int64_t sid,
			 const char *status, const char *reason, int64_t now);
/* A statement with its conversation id: {id, conversation_id, text,
 * status, reason, by_organiser, participant_id, lang (the language it is
 * written in; null: not known), created_at, moderated_at, n_votes,
 * n_agree, n_disagree, n_pass}. NULL: none. */
json_t *dlg_statement(struct db *db, int64_t sid);
/* The statements of a conversation, oldest first; status NULL: all. */
json_t *dlg_statements(struct db *db, int64_t cid, const char *status);
/* The moderation queue: limit statements from offset, pending first then
 * oldest first (status NULL: all), the keys of dlg_statement plus author
 * ("organiser", "account" or "anonymous"), n_translations (how many
 * languages it is translated into) and n_suggestions (participants'
 * suggested translations waiting). */
json_t *dlg_statements_page(struct db *db, int64_t cid, const char *status, int64_t offset,
			    int64_t limit);
/* {pending, accepted, rejected, meta, statements (all), participants,
 * votes (current ones)} of conversation cid. NULL: a failed read. */
json_t *dlg_counts(struct db *db, int64_t cid);

/* Records who's vote (1 agree, 0 pass, -1 disagree) on statement sid of
 * conversation cid: the current vote replaced, the history appended, the
 * participant made on their first act, all in one transaction, committed
 * when this returns HM_OK. HM_ECONFLICT (nothing written): the
 * conversation is not open, or the statement is not accepted;
 * HM_ENOTFOUND: no such statement in it; HM_EINVAL: not a vote value;
 * HM_EUNAUTH/HM_EFORBIDDEN: who may not take part. *out: {participant,
 * statement, vote, created (the first vote of who on it)}. */
enum hm_err dlg_vote(struct db *db, int64_t cid, const struct dlg_who *who, int64_t sid,
		     int vote, int64_t now, json_t **out);
/* The same inside the caller's transaction (a batch of the vote
 * committer), with the vote limits of addr (the client's address; NULL:
 * none counted): HM_ETOOBIG when over one (nothing written). Any other
 * refusal has written nothing either; HM_EDB: the transaction is to be
 * rolled back. conv: the conversation as the caller read it
 * (dlg_conversation's), for who may take part — its status is read again
 * here; NULL: read here. */
enum hm_err dlg_vote_tx(struct db *db, int64_t cid, const struct dlg_who *who, int64_t sid,
			int vote, int64_t now, const char *addr, const json_t *conv, json_t **out);

/* The vote limits. An anonymous identity votes at most DLG_ANON_RATE a
 * second after a burst of DLG_ANON_BURST (no faster than a person reads
 * and decides); one address at most dlg_vote_limit() a second in one
 * conversation after a burst of DLG_ADDR_BURST_S seconds' worth (a room
 * behind one address stays well within the default). Accounts are
 * limited by the address only. */
#define DLG_ANON_RATE 1.0
#define DLG_ANON_BURST 20.0
#define DLG_ADDR_BURST_S 5
#define DLG_VOTE_LIMIT_DEFAULT 50
/* harmony serve --vote-limit-per-address N (0: no limit). */
void dlg_vote_limit_set(int per_second);
int dlg_vote_limit(void);

/* Whether who may take part in conv: HM_OK, HM_EUNAUTH (signing in would
 * help), HM_EFORBIDDEN (not a participant of the event, a read-only
 * token), HM_ECONFLICT (not open). */
enum hm_err dlg_may_take_part(struct db *db, const json_t *conv, const struct dlg_who *who);

/* The next statement for participant pid (0: one who has not voted): an
 * accepted statement they have not voted on, drawn with the weight of its
 * routing priority (the last analysis's; the heaviest for one it has not
 * seen);
 * {id, text, by_organiser, lang (the original's; null: not known), translations
 * ({lang: {text}})} or JSON null when none is left; NULL on a
 * failed read. */
json_t *dlg_next(struct db *db, int64_t cid, int64_t pid);
/* {voted, total}: pid's votes on accepted statements, and those. */
json_t *dlg_progress(struct db *db, int64_t cid, int64_t pid);
/* Both at once, as the answer to every vote needs them: HM_OK with *next
 * (as dlg_next) and *progress (as dlg_progress), or HM_EDB. */
enum hm_err dlg_state(struct db *db, int64_t cid, int64_t pid, json_t **next, json_t **progress);
/* pid's own current votes: [{statement, vote}…]. */
json_t *dlg_votes_of(struct db *db, int64_t cid, int64_t pid);

/* The report of conversation cid, as its last analysis left it (the
 * analysis runs off the request path: dlg_analyse): the JSON of `harmony
 * analyze --format json` (compat mode, with bridging) of its current
 * votes, excluded participants left out, rejected and meta statements
 * marked, plus "conversation" (its id), "too-few-participants" (true
 * when fewer than DLG_REPORT_MIN_PARTICIPANTS took part or no opinion
 * groups formed: the groups are not meaningful), "computed-at" (RFC 3339;
 * null: never analysed), "took-ms", and "pending" (true when changes have
 * come since). Never analysed or without votes: the counts alone (n 0).
 * NULL on a failed read or no such conversation. */
json_t *dlg_report(struct db *db, int64_t cid);
/* The same as JSON text, appended to out (the stored text as it is,
 * cached in memory by revision: what GET …/report answers). HM_ENOTFOUND
 * (no such conversation), HM_EDB. */
enum hm_err dlg_report_text(struct db *db, int64_t cid, struct buf *out);
/* The same computed now from the current votes ("computed-at" null):
 * for the exports, which must match the votes they list. */
json_t *dlg_report_now(struct db *db, int64_t cid);
/* Analyses conversation cid and stores the result with the revision it
 * read (unless a newer one is stored already) and the statements'
 * routing priorities. Its own transactions. */
enum hm_err dlg_analyse(struct db *db, int64_t cid, int64_t now);

/* The analyses an instance keeps in memory (its analysis thread's; not
 * shared between threads): dlg_analyse_kept applies the votes since the
 * kept analysis of cid with the engine's live update when the changes
 * since are votes alone (the report's "live-votes" counts them), and
 * otherwise — a first run, any other change, or the policy: live votes
 * past DLG_LIVE_MAX_SHARE of those the full analysis read, or a full
 * analysis older than DLG_LIVE_MAX_AGE_MS with live votes on it, but
 * never sooner than DLG_LIVE_MIN_GAP times its duration after it; or a
 * conversation whose full analysis took under DLG_FULL_INLINE_MS — runs
 * dlg_analyse's full analysis and keeps it (the policy's in the
 * background, see dlg_kept_new). dlg_kept_refresh runs the
 * full analyses the policy wants of kept conversations without changes
 * (the live votes then make way for a full result of the same
 * revision), until stop() says so. */
#define DLG_LIVE_MAX_SHARE 0.1
#define DLG_LIVE_MAX_AGE_MS 60000
#define DLG_LIVE_MIN_GAP 20
#define DLG_FULL_INLINE_MS 50
struct dlg_kept;
/* db_path: the full analyses the policy wants run on a thread of their
 * own with a connection to db_path, wake() called when one is done,
 * while this thread goes on applying votes live; NULL: in the caller's
 * thread. */
struct dlg_kept *dlg_kept_new(const char *db_path, void (*wake)(void));
void dlg_kept_free(struct dlg_kept *s);
/* The policy without the gap (tests): max_share, max_age_ms. */
void dlg_kept_policy(struct dlg_kept *s, double max_share, int64_t max_age_ms);
enum hm_err dlg_analyse_kept(struct db *db, struct dlg_kept *s, int64_t cid, int64_t now);
void dlg_kept_refresh(struct db *db, struct dlg_kept *s, int64_t now, int (*stop)(void));
/* [{id}…] of the conversations whose stored analysis is older than their
 * last change (archived ones aside). NULL on a failed read. */
json_t *dlg_stale_conversations(struct db *db);

/* Pol.is's export files, NULL-terminated: summary, comments, votes,
 * participants-votes (export.c says how each is written). */
extern const char *const dlg_export_files[];
/* Appends to out the Pol.is export file (one of dlg_export_files) of
 * conversation conv (dlg_conversation's); url: its address, for
 * summary.csv. HM_ENOTFOUND: no such file; HM_EDB. */
enum hm_err dlg_export(struct db *db, const json_t *conv, const char *file, const char *url,
		       struct buf *out);

/* A conversation read from a Pol.is export folder, in the export's ids
 * (ext): statements in ascending ext id, participants (voters and
 * authors) in ascending ext id, votes in the order they were cast. */
struct dlg_import_stmt {
	int64_t ext;
	int64_t author;     /* a participant's ext id, or -1: none */
	int64_t at;         /* seconds since 1970 */
	const char *text;
	const char *status; /* pending, accepted, rejected, meta */
};
struct dlg_import_vote {
	int64_t stmt, ptpt; /* ext ids */
	int vote;           /* 1 agree, -1 disagree, 0 pass */
	int64_t at;
};
struct dlg_import {
	const char *topic, *description;
	size_t n_stmts, n_ptpts, n_votes;
	const struct dlg_import_stmt *stmts;
	const int64_t *ptpts;
	const struct dlg_import_vote *votes;
};
/* Makes a closed conversation of ev (reg_event's) from in, in one
 * transaction: participants and statements get store ids in the order of
 * their ext ids (harmony's ids are keys of the whole store, so the
 * export's own ids cannot be kept; their order is), votes keep their
 * times, the last vote of a participant on a statement is the current
 * one and each is in the history. Its report is for organisers until
 * they choose otherwise. *cid: the new id. HM_EINVAL: a vote or author
 * naming no participant or statement of in. Audited
 * "conversation.import". */
enum hm_err dlg_import(struct db *db, const struct principal *p, const json_t *ev,
		       const struct dlg_import *in, int64_t now, int64_t *cid);

/* The files of a Pol.is export folder, read whole (NULL: absent), and the
 * topic to use when summary.csv names none (the folder's name). */
struct dlg_polis_files {
	const char *comments, *votes, *participants_votes, *summary;
	size_t comments_len, votes_len, participants_votes_len, summary_len;
	const char *name;
};
/* A Pol.is export read (polis_read.c): in is what dlg_import takes and
 * points into the rest, which the reading owns. */
struct dataset;
struct dlg_polis_read {
	struct dlg_import in;
	char *topic, *description;
	struct dlg_import_stmt *stmts;
	int64_t *ptpts;
	struct dlg_import_vote *votes;
	struct dataset *d; /* the statements' texts */
};
/* Reads f: comments.csv, then votes.csv or else participants-votes.csv
 * (one of them needed), summary.csv for the topic and description;
 * statements without a time get now. HM_EINVAL with "file:line: why" (in
 * English, as the engine's readers say it) in err; then *out holds
 * nothing. */
enum hm_err dlg_polis_read(const struct dlg_polis_files *f, int64_t now, struct dlg_polis_read *out,
			   char *err, size_t errlen);
void dlg_polis_read_free(struct dlg_polis_read *r);

#endif
