/*
 * news_admin.h — the write side of news: creating, editing, publishing,
 * unpublishing and deleting posts, and managing categories, plus the
 * organiser's reads (every post whatever its status). No HTTP here: the
 * web handlers and any command call these with a principal.
 *
 * Rights (checked here, HM_EFORBIDDEN): AUTH_NEWS_EDIT in the scope of the
 * post's event; site news (no event) and categories are for admins only.
 * Moving a post to another event needs the right in both.
 * Transactions: every write opens its own and records one audit entry
 * ("post.create", "post.update", "post.publish", "post.unpublish",
 * "post.delete", "category.create"…) with the object before and after.
 * Times: `now` is Unix seconds; stored times are RFC 3339 UTC. A published
 * post whose published_at is later than now is "scheduled": the public
 * pages show it from that time on.
 * JSON: functions returning json_t give a new reference (caller owns it).
 */
#ifndef HM_NEWS_ADMIN_H
#define HM_NEWS_ADMIN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "site/kind.h"

struct db;
struct principal;
struct auth_scope;

#define POST_TITLE_MAX 200
#define POST_SUMMARY_MAX 600
#define POST_BODY_MAX 100000
#define POST_ALT_MAX 300
#define POST_CREDIT_MAX 200
#define POST_CATEGORIES_MAX 20
#define CATEGORY_NAME_MAX 100

/* Field-level refusals are a struct field_errors (site/kind.h): the
 * field's name as the forms and the API call it ("slug", "event_slug",
 * "categories", "image", "image_alt"…) and an untranslated message. */

/* Posts are written through kind_save, kind_set_status, kind_publish_now
 * and kind_delete of post_kind, addressed by id (its key is the id in decimal). A change
 * takes title (required, up to POST_TITLE_MAX bytes), slug (made from the
 * title when empty), summary, body_md, status ("draft" or "published"),
 * published_at (RFC 3339; a post published without one is published now,
 * to the minute; a later time makes it scheduled), is_featured,
 * event_slug (none: site news), image (a stored original's media name),
 * image_alt (required with an image), image_credit and categories (their
 * slugs). Refused fields come back in errs (an unknown event, category or
 * image, a malformed or taken slug, a bad time); HM_EFORBIDDEN when p may
 * not post news for the event (or site news). Publishing keeps a set
 * published_at, so a planned time stays planned and a post published
 * before keeps its date and permalink; unpublishing keeps it too. Editors
 * of a post's news delete it. */
extern const struct kind post_kind;

/* The scope of post id (its event and series; zero for site news).
 * HM_ENOTFOUND. */
enum hm_err post_scope(struct db *db, int64_t id, struct auth_scope *out);

/* Post id whatever its status: {id, slug, title, summary, body_md, status,
 * state ("draft", "scheduled", "published"), published_at, ymd,
 * is_featured, image, image_alt, image_credit, event_slug, event_title,
 * categories: [{slug, name}…], created_at, updated_at}, or NULL. */
json_t *post_admin_get(struct db *db, int64_t id, int64_t now);

/* Before a post (post_admin_get's) is shown to p: the event it names is
 * left out (event_slug and event_title null) when that event is a draft p
 * may not read, and the "event_status" the reads carry for this goes.
 * post_admin_list does it itself. */
void post_hide_unseen_event(const struct principal *p, json_t *post, const struct auth_scope *s);

/* 1 if p may read post (a post_admin_get object) of scope s: published and
 * due, or p may read drafts there. */
int post_visible_to(const struct principal *p, const json_t *post, const struct auth_scope *s);

struct post_filter {
	const char *event_slug;    /* NULL: any */
	const char *category_slug; /* NULL: any */
	const char *state;         /* "draft", "scheduled", "published" or NULL */
	int editable_only;         /* only posts actor may edit */
};

/* The posts actor may see (as post_admin_get without body_md, plus
 * can_edit), newest first, drafts without a date first. */
json_t *post_admin_list(struct db *db, const struct principal *actor, int64_t now,
			const struct post_filter *f);

/* 1 if p may edit some news (site news, or that of an event or series it
 * organises): the gate of the admin news pages. */
int news_can_edit_any(const struct principal *p);

/* Events actor may post news for: [{slug, title, starts_on}…], newest
 * first. */
json_t *news_event_choices(struct db *db, const struct principal *actor);

/* ----------------------------------------------------------- categories */

/* Categories are site-wide: only those who edit all news change them,
 * through kind_save and kind_delete of category_kind (addressed by id:
 * its key is the id in decimal). A category in use is never deleted
 * (HM_ECONFLICT): posts keep their categories unless someone edits them,
 * and the audit log stays one entry per change. */
extern const struct kind category_kind;

/* {id, slug, name, posts} with posts counting every post (drafts too), or
 * NULL; the list is by name. */
json_t *category_admin_get(struct db *db, int64_t id);
json_t *category_admin_list(struct db *db);

/* ----------------------------------------------------------------- time */

/* The site's time zone: the site setting "timezone" when it names a zone
 * ICU knows, else "UTC". In the arena. */
const char *news_site_timezone(struct db *db, struct arena *a);

#endif
