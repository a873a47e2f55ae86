/*
 * roles.c — who may do what: the one role × action table and auth_can,
 * which every handler calls before acting. Default deny: a cell left out
 * of the table is zero, which is RULE_DENY. Also loads principals and the
 * scopes of events and series.
 */
#include "auth/auth_impl.h"

#include <string.h>

enum rule {
	RULE_DENY = 0, /* the zero of designated initializers: nothing written, nothing allowed */
	RULE_ANY,      /* wherever */
	RULE_SCOPED,   /* where the grant's event or series covers the scope */
	RULE_OWN       /* when the scope's owner is the principal's account */
};

struct action_rule {
	const char *name;
	unsigned write : 1;        /* refused to read-only API tokens */
	unsigned series_level : 1; /* only series grants cover it, not event grants */
	unsigned char rule[AUTH_ROLE__MAX];
};

#define V AUTH_ROLE_VISITOR
#define P AUTH_ROLE_PARTICIPANT
#define O AUTH_ROLE_ORGANISER
#define A AUTH_ROLE_ADMIN

/* Visitors are everyone; participants every account; organiser and admin
 * columns apply to principals holding such a grant. A principal may do an
 * action if any column it belongs to allows it. */
static const struct action_rule rules[AUTH_ACTION__MAX] = {
	[AUTH_PUBLIC_READ] = {"public.read", 0, 0,
			      {[V] = RULE_ANY, [P] = RULE_ANY, [O] = RULE_ANY, [A] = RULE_ANY}},
	[AUTH_DRAFT_READ] = {"draft.read", 0, 0, {[O] = RULE_SCOPED, [A] = RULE_ANY}},
	[AUTH_SERIES_CREATE] = {"series.create", 1, 0, {[A] = RULE_ANY}},
	[AUTH_SERIES_EDIT] = {"series.edit", 1, 1, {[O] = RULE_SCOPED, [A] = RULE_ANY}},
	[AUTH_EVENT_CREATE] = {"event.create", 1, 1, {[O] = RULE_SCOPED, [A] = RULE_ANY}},
	[AUTH_EVENT_EDIT] = {"event.edit", 1, 0, {[O] = RULE_SCOPED, [A] = RULE_ANY}},
	[AUTH_PROGRAMME_EDIT] = {"programme.edit", 1, 0, {[O] = RULE_SCOPED, [A] = RULE_ANY}},
	[AUTH_NEWS_EDIT] = {"news.edit", 1, 0, {[O] = RULE_SCOPED, [A] = RULE_ANY}},
	[AUTH_REGISTRATION_MANAGE] = {"registration.manage", 1, 0,
				      {[O] = RULE_SCOPED, [A] = RULE_ANY}},
	[AUTH_REGISTRATION_OWN] = {"registration.own", 1, 0,
				   {[P] = RULE_OWN, [O] = RULE_SCOPED, [A] = RULE_ANY}},
	[AUTH_DIALOGUE_MODERATE] = {"dialogue.moderate", 1, 0,
				    {[O] = RULE_SCOPED, [A] = RULE_ANY}},
	[AUTH_DIALOGUE_PARTICIPATE] = {"dialogue.participate", 1, 0,
				       {[P] = RULE_ANY, [A] = RULE_ANY}},
	[AUTH_OUTCOME_EDIT] = {"outcome.edit", 1, 0, {[O] = RULE_SCOPED, [A] = RULE_ANY}},
	[AUTH_ACCOUNT_SELF] = {"account.self", 1, 0, {[P] = RULE_OWN, [A] = RULE_ANY}},
	[AUTH_ACCOUNT_VIEW] = {"account.view", 0, 0, {[P] = RULE_OWN, [A] = RULE_ANY}},
	[AUTH_ACCOUNT_MANAGE] = {"account.manage", 1, 0, {[A] = RULE_ANY}},
	[AUTH_SITE_ADMIN] = {"site.admin", 1, 0, {[A] = RULE_ANY}},
	[AUTH_AUDIT_READ] = {"audit.read", 0, 0, {[A] = RULE_ANY}},
	/* Published permalinks hang on these: organisers never delete them. */
	[AUTH_RECORD_DELETE] = {"record.delete", 1, 0, {[A] = RULE_ANY}},
};

#undef V
#undef P
#undef O
#undef A

const char *auth_action_name(enum auth_action a)
{
	if ((unsigned)a >= AUTH_ACTION__MAX || !rules[a].name)
		return "?";
	return rules[a].name;
}

static int grant_covers(const struct auth_grant *g, const struct auth_scope *s, int series_level)
{
	if (!s)
		return 0;
	if (g->series_id != 0 && s->series_id == g->series_id)
		return 1;
	if (!series_level && g->event_id != 0 && s->event_id == g->event_id)
		return 1;
	return 0;
}

static int rule_allows(enum rule r, const struct principal *p, const struct auth_grant *g,
		       const struct auth_scope *s, int series_level)
{
	switch (r) {
	case RULE_ANY: return 1;
	case RULE_SCOPED: return g && grant_covers(g, s, series_level);
	case RULE_OWN: return s && p->account_id != 0 && s->owner_account_id == p->account_id;
	case RULE_DENY: break;
	}
	return 0;
}

int auth_can(const struct principal *p, enum auth_action a, const struct auth_scope *scope)
{
	static const struct principal visitor; /* all zero: no account, no grants */
	if ((unsigned)a >= AUTH_ACTION__MAX)
		return 0;
	if (!p)
		p = &visitor;
	const struct action_rule *r = &rules[a];
	if (r->write && p->read_only)
		return 0;
	if (rule_allows(r->rule[AUTH_ROLE_VISITOR], p, NULL, scope, r->series_level))
		return 1;
	if (p->account_id != 0 &&
	    rule_allows(r->rule[AUTH_ROLE_PARTICIPANT], p, NULL, scope, r->series_level))
		return 1;
	for (size_t i = 0; i < p->ngrants && i < AUTH_GRANTS_MAX; i++) {
		const struct auth_grant *g = &p->grants[i];
		if (g->role != AUTH_ROLE_ORGANISER && g->role != AUTH_ROLE_ADMIN)
			continue;
		if (rule_allows(r->rule[g->role], p, g, scope, r->series_level))
			return 1;
	}
	return 0;
}

int auth_is_admin(const struct principal *p)
{
	for (size_t i = 0; p && i < p->ngrants && i < AUTH_GRANTS_MAX; i++)
		if (p->grants[i].role == AUTH_ROLE_ADMIN)
			return 1;
	return 0;
}

int auth_is_staff(const struct principal *p)
{
	for (size_t i = 0; p && i < p->ngrants && i < AUTH_GRANTS_MAX; i++)
		if (p->grants[i].role == AUTH_ROLE_ADMIN || p->grants[i].role == AUTH_ROLE_ORGANISER)
			return 1;
	return 0;
}

void auth_principal_visitor(struct principal *p)
{
	memset(p, 0, sizeof(*p));
	p->via = AUTH_VIA_NONE;
}

void auth_principal_cli(struct principal *p)
{
	memset(p, 0, sizeof(*p));
	p->via = AUTH_VIA_CLI;
	p->ngrants = 1;
	p->grants[0].role = AUTH_ROLE_ADMIN;
	auth_copy(p->name, "cli", sizeof(p->name));
}

enum hm_err auth_principal_load(struct db *db, int64_t account_id, enum auth_via via,
				struct principal *p)
{
	struct db_stmt *st = auth_prep(db, SQL_ACCOUNT_PRINCIPAL);
	auth_principal_visitor(p);
	if (!st)
		return HM_EDB;
	db_bind_int(st, 1, account_id);
	int rc = db_step(st);
	if (rc != 1) {
		db_done(st);
		return rc == 0 ? HM_ENOTFOUND : HM_EDB;
	}
	p->via = via;
	p->account_id = db_col_int(st, 0);
	auth_copy(p->email, db_col_text(st, 1), sizeof(p->email));
	auth_copy(p->name, db_col_text(st, 2), sizeof(p->name));
	auth_copy(p->lang, db_col_text(st, 3), sizeof(p->lang));
	auth_copy(p->timezone, db_col_text(st, 4) ? db_col_text(st, 4) : "", sizeof(p->timezone));
	db_done(st);

	if (!(st = auth_prep(db, SQL_ROLES_OF))) {
		auth_principal_visitor(p);
		return HM_EDB;
	}
	db_bind_int(st, 1, account_id);
	while ((rc = db_step(st)) == 1) {
		const char *role = db_col_text(st, 0);
		struct auth_grant g = {.event_id = db_col_int(st, 1), .series_id = db_col_int(st, 2)};
		if (str_eq(role, "admin"))
			g.role = AUTH_ROLE_ADMIN;
		else if (str_eq(role, "organiser") && (g.event_id || g.series_id))
			g.role = AUTH_ROLE_ORGANISER;
		else
			continue;
		if (p->ngrants == AUTH_GRANTS_MAX) {
			log_warn("account %lld has more than %d grants; the rest are ignored",
				 (long long)account_id, AUTH_GRANTS_MAX);
			break;
		}
		p->grants[p->ngrants++] = g;
	}
	db_done(st);
	if (rc < 0) {
		auth_principal_visitor(p);
		return HM_EDB;
	}
	return HM_OK;
}

enum hm_err auth_scope_row(struct db_stmt *st, struct auth_scope *out)
{
	memset(out, 0, sizeof(*out));
	if (!st)
		return HM_EDB;
	int rc = db_step(st);
	if (rc == 1) {
		out->event_id = db_col_int(st, 0);
		out->series_id = db_col_int(st, 1);
	}
	db_done(st);
	return rc == 1 ? HM_OK : rc == 0 ? HM_ENOTFOUND : HM_EDB;
}

/* The scope statement i for slug. */
static enum hm_err scope_by_slug(struct db *db, enum auth_sql i, const char *slug, struct auth_scope *out)
{
	struct db_stmt *st = auth_prep(db, i);
	if (st)
		db_bind_text(st, 1, slug);
	return auth_scope_row(st, out);
}

enum hm_err auth_scope_event(struct db *db, const char *slug, struct auth_scope *out)
{
	return scope_by_slug(db, SQL_EVENT_SCOPE, slug, out);
}

enum hm_err auth_scope_series(struct db *db, const char *slug, struct auth_scope *out)
{
	return scope_by_slug(db, SQL_SERIES_SCOPE, slug, out);
}
