/*
 * web_live.c — what the room sees of a conversation's analysis: the
 * report page (opinion groups and what characterises each, common ground,
 * where the groups part, every statement's shares overall and per group
 * as bars), the live view for the venue's projector (counts, the opinion
 * map, the top common-ground and most divisive statements, refreshed
 * through Server-Sent Events), and the opinion map itself: participants
 * as dots in the engine's 2-D projection, coloured by group, drawn here
 * as SVG. Everything reads the stored analysis (dlg_report), never runs
 * the engine.
 */
#include "features/dialogue/dlg_web.h"

#include "site/chart.h"
#include "view/format_extra.h"
#include "view/i18n.h"
#include "view/template.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Dots drawn one per participant up to this many; beyond, the engine's
 * base clusters (about a hundred), each as large as its membership. */
#define MAP_DOTS_MAX 3000
#define MAP_W 600.0
#define MAP_H 400.0
#define MAP_PAD 24.0
/* Groups beyond this many share the last colour class (the engine makes
 * at most five). */
#define MAP_GROUP_CLASSES 6
/* Common-ground and divisive statements shown on the live view. */
#define LIVE_TOP 3
#define REPORT_TOP 5

/* "A", "B", … as Pol.is names its groups. */
static const char *group_label(struct arena *a, int64_t gid)
{
	return gid >= 0 && gid < 26 ? arena_printf(a, "%c", (char)('A' + gid))
				    : arena_printf(a, "%lld", (long long)gid + 1);
}

/* ------------------------------------------------------------- the map */

struct dot {
	double x, y, r;
	int64_t group; /* -1: not in a group */
};

static void dots_bounds(const struct dot *d, size_t n, double *x0, double *x1, double *y0,
			double *y1)
{
	*x0 = *y0 = INFINITY;
	*x1 = *y1 = -INFINITY;
	for (size_t i = 0; i < n; i++) {
		*x0 = fmin(*x0, d[i].x);
		*x1 = fmax(*x1, d[i].x);
		*y0 = fmin(*y0, d[i].y);
		*y1 = fmax(*y1, d[i].y);
	}
	if (!(*x1 > *x0)) {
		*x0 -= 1;
		*x1 += 1;
	}
	if (!(*y1 > *y0)) {
		*y0 -= 1;
		*y1 += 1;
	}
}

/* The dots of the report: one per participant, or per base cluster when
 * there are many participants. */
static struct dot *map_dots(const json_t *r, size_t *n)
{
	json_t *ptpts = json_object_get(r, "participants");
	struct dot *d = NULL;
	*n = 0;
	if (json_object_size(ptpts) <= MAP_DOTS_MAX) {
		d = xcalloc(json_object_size(ptpts) + 1, sizeof(*d));
		const char *k;
		json_t *p;
		json_object_foreach(ptpts, k, p) {
			const json_t *g = json_object_get(p, "group");
			d[*n] = (struct dot){json_number_value(json_object_get(p, "x")),
					     json_number_value(json_object_get(p, "y")), 4,
					     json_is_integer(g) ? json_integer_value(g) : -1};
			(*n)++;
		}
		return d;
	}
	const json_t *bc = json_object_get(r, "base-clusters");
	const json_t *ids = json_object_get(bc, "id"), *xs = json_object_get(bc, "x"),
		     *ys = json_object_get(bc, "y"), *counts = json_object_get(bc, "count");
	size_t nb = json_array_size(ids);
	d = xcalloc(nb + 1, sizeof(*d));
	double most = 1;
	for (size_t i = 0; i < nb; i++)
		most = fmax(most, (double)json_integer_value(json_array_get(counts, i)));
	for (size_t i = 0; i < nb; i++) {
		int64_t bid = json_integer_value(json_array_get(ids, i)), gid = -1;
		size_t gi;
		json_t *gc;
		json_array_foreach(json_object_get(r, "group-clusters"), gi, gc) {
			size_t mi;
			json_t *m;
			json_array_foreach(json_object_get(gc, "members"), mi, m)
				if (json_integer_value(m) == bid)
					gid = json_integer_value(json_object_get(gc, "id"));
		}
		double c = (double)json_integer_value(json_array_get(counts, i));
		d[(*n)++] = (struct dot){json_number_value(json_array_get(xs, i)),
					 json_number_value(json_array_get(ys, i)),
					 3 + 9 * sqrt(c / most), gid};
	}
	return d;
}

/* The opinion map as SVG: an image with a title and a description in
 * words (how many groups, how large), the group letters at their centres. */
static const char *map_svg(struct http_req *req, const json_t *r, const char *id)
{
	size_t n;
	struct dot *d = map_dots(r, &n);
	if (n == 0) {
		free(d);
		return NULL;
	}
	double x0, x1, y0, y1;
	dots_bounds(d, n, &x0, &x1, &y0, &y1);
	double sx = (MAP_W - 2 * MAP_PAD) / (x1 - x0), sy = (MAP_H - 2 * MAP_PAD) / (y1 - y0);
	struct buf o;
	buf_init(&o);
	const json_t *groups = json_object_get(r, "groups");
	struct buf desc;
	buf_init(&desc);
	size_t ng = json_array_size(groups);
	size_t np = json_object_size(json_object_get(r, "participants"));
	buf_puts(&desc, arena_printf(&req->pool,
				     web_nt(req, "%zu participant", "%zu participants", (unsigned long)np),
				     np));
	size_t gi;
	json_t *g;
	json_array_foreach(groups, gi, g) {
		int64_t size = json_integer_value(json_object_get(g, "size"));
		buf_puts(&desc, "; ");
		buf_puts(&desc, arena_printf(&req->pool,
					     web_nt(req, "group %s: %lld person", "group %s: %lld people",
						    (unsigned long)size),
					     group_label(&req->pool, json_integer_value(json_object_get(g, "id"))),
					     (long long)size));
	}
	buf_printf(&o,
		   "<svg class=\"opinion-map\" viewBox=\"0 0 %d %d\" role=\"img\" "
		   "aria-labelledby=\"%s-title %s-desc\" xmlns=\"http://www.w3.org/2000/svg\">"
		   "<title id=\"%s-title\">",
		   (int)MAP_W, (int)MAP_H, id, id, id);
	const char *t = ng >= 2 ? web_t(req, "Opinion map: people who vote alike are close together")
				: web_t(req, "Opinion map: no opinion groups yet");
	html_escape(&o, t, strlen(t));
	buf_printf(&o, "</title><desc id=\"%s-desc\">", id);
	html_escape(&o, desc.data, desc.len);
	buf_free(&desc);
	buf_puts(&o, "</desc><rect class=\"map-frame\" x=\"0.5\" y=\"0.5\" width=\"599\" height=\"399\"/>");
	for (size_t i = 0; i < n; i++) {
		char cls[16];
		if (d[i].group < 0)
			snprintf(cls, sizeof(cls), "g-none");
		else
			snprintf(cls, sizeof(cls), "g%lld",
				 (long long)(d[i].group < MAP_GROUP_CLASSES ? d[i].group : MAP_GROUP_CLASSES - 1));
		buf_printf(&o, "<circle class=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\"/>", cls,
			   MAP_PAD + (d[i].x - x0) * sx, MAP_H - MAP_PAD - (d[i].y - y0) * sy, d[i].r);
	}
	/* the letters, at the centre of each group's dots */
	json_array_foreach(groups, gi, g) {
		int64_t gid = json_integer_value(json_object_get(g, "id"));
		double cx = 0, cy = 0;
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (d[i].group == gid) {
				cx += d[i].x;
				cy += d[i].y;
				k++;
			}
		if (!k)
			continue;
		double px = MAP_PAD + (cx / (double)k - x0) * sx;
		double py = MAP_H - MAP_PAD - (cy / (double)k - y0) * sy;
		const char *label = group_label(&req->pool, gid);
		buf_printf(&o,
			   "<text class=\"map-label halo\" x=\"%.1f\" y=\"%.1f\" aria-hidden=\"true\">%s</text>"
			   "<text class=\"map-label\" x=\"%.1f\" y=\"%.1f\" aria-hidden=\"true\">%s</text>",
			   px, py, label, px, py, label);
	}
	buf_puts(&o, "</svg>");
	free(d);
	const char *s = arena_strdup(&req->pool, o.data);
	buf_free(&o);
	return s;
}

/* ------------------------------------------------------ the statements */

/* tid (as text) → the accepted statement {id, text, n_agree, n_disagree,
 * n_pass, n_votes}. */
static json_t *statements_by_tid(struct http_req *req, int64_t cid)
{
	json_t *list = dlg_statements(req->db, cid, "accepted"), *by = json_object();
	json_t *trs = list ? dlg_conv_translations(req->db, cid) : NULL;
	/* each in the reader's language where it has a translation */
	dlg_web_read_in_all(req, list, trs, !req->want_json);
	json_decref(trs);
	size_t i;
	json_t *s;
	json_array_foreach(list, i, s) {
		char k[24];
		snprintf(k, sizeof(k), "%lld", (long long)json_integer_value(json_object_get(s, "id")));
		json_object_set(by, k, s);
	}
	json_decref(list);
	return by;
}

/* The last item of list gets statement s's text as its reader reads it
 * (dlg_web_read_in's keys). */
static void with_text(json_t *list, const json_t *s)
{
	static const char *const keys[] = {"text", "lang", "text_lang", "original_text", "translated",
					   "translations", "original_lang", "original_lang_name",
					   "shown_lang"};
	json_t *o = json_array_get(list, json_array_size(list) - 1);
	for (size_t i = 0; o && s && i < HM_ARRAY_LEN(keys); i++) {
		json_t *v = json_object_get(s, keys[i]);
		if (v)
			json_object_set(o, keys[i], v);
	}
}

static long long jint(const json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

static double share(long long part, long long whole)
{
	return whole > 0 ? (double)part / (double)whole : 0;
}

static const char *percent(struct http_req *req, double x)
{
	return arena_printf(&req->pool, web_t(req, "%d%%"), (int)lround(100 * x));
}

/* A group's agree / disagree / pass counts on tid (S counts every vote). */
static int group_counts(const json_t *r, int64_t gid, const char *tid, long long *a,
			long long *d, long long *p)
{
	char g[24];
	snprintf(g, sizeof(g), "%lld", (long long)gid);
	const json_t *v = json_object_get(json_object_get(json_object_get(json_object_get(r, "group-votes"), g), "votes"), tid);
	if (!v)
		return 0;
	*a = jint(v, "A");
	*d = jint(v, "D");
	long long s = jint(v, "S");
	*p = s - *a - *d > 0 ? s - *a - *d : 0;
	return s > 0;
}

struct ranked {
	const char *tid;
	double score;
};

static int by_score_desc(const void *x, const void *y)
{
	const struct ranked *a = x, *b = y;
	if (a->score != b->score)
		return a->score < b->score ? 1 : -1;
	return strcmp(a->tid, b->tid);
}

/* The statements with the most common ground: across the opinion groups
 * (group-aware consensus) when there are groups, else the largest share
 * of agreement overall among those with votes. [{id, text, agree}] */
static json_t *common_ground(struct http_req *req, const json_t *r, json_t *by, size_t top,
			     int grouped)
{
	size_t n = json_object_size(by), k = 0;
	struct ranked *rk = xcalloc(n + 1, sizeof(*rk));
	const char *tid;
	json_t *s;
	json_object_foreach(by, tid, s) {
		long long votes = jint(s, "n_agree") + jint(s, "n_disagree") + jint(s, "n_pass");
		if (!votes)
			continue;
		const json_t *gac = json_object_get(json_object_get(r, "group-aware-consensus"), tid);
		rk[k].tid = tid;
		rk[k].score = grouped && gac ? json_number_value(gac) : share(jint(s, "n_agree"), votes);
		k++;
	}
	qsort(rk, k, sizeof(*rk), by_score_desc);
	json_t *out = json_array();
	for (size_t i = 0; i < k && i < top; i++) {
		s = json_object_get(by, rk[i].tid);
		long long votes = jint(s, "n_agree") + jint(s, "n_disagree") + jint(s, "n_pass");
		json_array_append_new(out, json_pack("{s:O, s:O, s:f, s:s}", "id", json_object_get(s, "id"),
						     "text", json_object_get(s, "text"), "agree",
						     share(jint(s, "n_agree"), votes), "agree_text",
						     percent(req, share(jint(s, "n_agree"), votes))));
		with_text(out, s);
	}
	free(rk);
	return out;
}

/* Where the groups part: the statements whose share of agreement differs
 * most between two groups. [{id, text, spread, detail}] */
static json_t *divisive(struct http_req *req, const json_t *r, json_t *by, size_t top)
{
	const json_t *groups = json_object_get(r, "groups");
	size_t n = json_object_size(by), k = 0;
	struct ranked *rk = xcalloc(n + 1, sizeof(*rk));
	const char *tid;
	json_t *s;
	json_object_foreach(by, tid, s) {
		double lo = 2, hi = -1;
		size_t gi;
		json_t *g;
		json_array_foreach(groups, gi, g) {
			long long a, d, p;
			if (!group_counts(r, json_integer_value(json_object_get(g, "id")), tid, &a, &d, &p))
				continue;
			double x = share(a, a + d + p);
			lo = fmin(lo, x);
			hi = fmax(hi, x);
		}
		if (hi >= lo && hi - lo >= 0.25) {
			rk[k].tid = tid;
			rk[k].score = hi - lo;
			k++;
		}
	}
	qsort(rk, k, sizeof(*rk), by_score_desc);
	json_t *out = json_array();
	for (size_t i = 0; i < k && i < top; i++) {
		s = json_object_get(by, rk[i].tid);
		struct buf b;
		buf_init(&b);
		size_t gi;
		json_t *g;
		json_array_foreach(groups, gi, g) {
			int64_t gid = json_integer_value(json_object_get(g, "id"));
			long long a, d, p;
			if (!group_counts(r, gid, rk[i].tid, &a, &d, &p))
				continue;
			if (b.len)
				buf_puts(&b, " · ");
			buf_puts(&b, arena_printf(&req->pool, web_t(req, "group %s agrees %s"),
						  group_label(&req->pool, gid),
						  percent(req, share(a, a + d + p))));
		}
		json_array_append_new(out, json_pack("{s:O, s:O, s:f, s:s}", "id", json_object_get(s, "id"),
						     "text", json_object_get(s, "text"), "spread",
						     rk[i].score, "detail", b.data ? b.data : ""));
		with_text(out, s);
		buf_free(&b);
	}
	free(rk);
	return out;
}

/* What characterises each group (the engine's representative statements:
 * where the group votes unlike the others). */
static json_t *groups_model(struct http_req *req, const json_t *r, json_t *by)
{
	json_t *out = json_array();
	size_t gi;
	json_t *g;
	json_array_foreach(json_object_get(r, "groups"), gi, g) {
		int64_t gid = json_integer_value(json_object_get(g, "id"));
		long long size = jint(g, "size");
		char key[24];
		snprintf(key, sizeof(key), "%lld", (long long)gid);
		json_t *reps = json_array();
		size_t ri;
		json_t *rep;
		json_array_foreach(json_object_get(json_object_get(r, "repness"), key), ri, rep) {
			char tid[24];
			snprintf(tid, sizeof(tid), "%lld", jint(rep, "tid"));
			const json_t *s = json_object_get(by, tid);
			long long a, d, p;
			if (!s || !group_counts(r, gid, tid, &a, &d, &p))
				continue;
			int agrees = str_eq(json_string_value(json_object_get(rep, "repful-for")), "agree");
			const char *how = agrees ? web_t(req, "%s of this group agree")
						 : web_t(req, "%s of this group disagree");
			json_array_append_new(
				reps, json_pack("{s:O, s:s, s:b}", "text", json_object_get(s, "text"), "detail",
						arena_printf(&req->pool, how,
							     percent(req, share(agrees ? a : d, a + d + p))),
						"agrees", agrees));
			with_text(reps, s);
		}
		json_array_append_new(
			out, json_pack("{s:I, s:s, s:s, s:o}", "id", (json_int_t)gid, "label",
				       group_label(&req->pool, gid), "size_text",
				       arena_printf(&req->pool,
						    web_nt(req, "%lld person", "%lld people", (unsigned long)size),
						    size),
				       "statements", reps));
	}
	return out;
}

/* Every accepted statement with its shares overall and per group, as a
 * bar chart and in words. */
static json_t *statement_rows(struct http_req *req, const json_t *r, json_t *by, int grouped)
{
	int rtl = str_eq(i18n_dir(req->lang), "rtl");
	const json_t *groups = json_object_get(r, "groups");
	size_t ng = grouped ? json_array_size(groups) : 0;
	json_t *out = json_array();
	const char *tid;
	json_t *s;
	json_object_foreach(by, tid, s) {
		struct chart_row *rows = xcalloc(ng + 1, sizeof(*rows));
		size_t nr = 0;
		rows[nr].label = web_t(req, "Everyone");
		rows[nr].values[0] = (long)jint(s, "n_agree");
		rows[nr].values[1] = (long)jint(s, "n_disagree");
		rows[nr].values[2] = (long)jint(s, "n_pass");
		nr++;
		for (size_t gi = 0; gi < ng; gi++) {
			int64_t gid = json_integer_value(json_object_get(json_array_get(groups, gi), "id"));
			long long a = 0, d = 0, p = 0;
			group_counts(r, gid, tid, &a, &d, &p);
			rows[nr].label = arena_printf(&req->pool, web_t(req, "Group %s"),
						      group_label(&req->pool, gid));
			rows[nr].values[0] = (long)a;
			rows[nr].values[1] = (long)d;
			rows[nr].values[2] = (long)p;
			nr++;
		}
		struct chart c = {
			.title = json_string_value(json_object_get(s, "text")),
			.desc = web_t(req, "Agree, disagree and pass, of everyone and of each opinion group."),
			.series = {web_t(req, "Agree"), web_t(req, "Disagree"), web_t(req, "Pass")},
			.nseries = 3,
			.rows = rows,
			.nrows = nr,
			.rtl = rtl,
		};
		struct buf b;
		buf_init(&b);
		chart_bars(&b, &c);
		free(rows);
		json_array_append_new(
			out, json_pack("{s:O, s:s, s:s}", "text", json_object_get(s, "text"), "chart",
				       arena_strdup(&req->pool, b.data ? b.data : ""), "shares_text",
				       arena_printf(&req->pool,
						    web_t(req, "agree %lld · disagree %lld · pass %lld"),
						    jint(s, "n_agree"), jint(s, "n_disagree"),
						    jint(s, "n_pass"))));
		with_text(out, s);
		buf_free(&b);
	}
	return out;
}

/* "Analysed at 14:03 (GMT+8)", in the event's time zone, and whether
 * votes have come since. */
static void computed_model(struct http_req *req, json_t *m, const json_t *r, const json_t *c)
{
	const char *at = json_string_value(json_object_get(r, "computed-at"));
	if (at) {
		struct db_stmt *st = db_prepare(req->db, "SELECT timezone FROM event WHERE id = ?");
		const char *tz = "UTC";
		if (st) {
			db_bind_int(st, 1, json_integer_value(json_object_get(c, "event_id")));
			if (db_step(st) == 1)
				tz = arena_strdup(&req->pool, db_col_text(st, 0));
			db_done(st);
		}
		const char *when = fmt_datetime(&req->pool, req->lang, tz, time_parse_rfc3339(at), FMT_MEDIUM);
		web_set_str(m, "computed_text",
			    arena_printf(&req->pool, web_t(req, "Analysed %s."), when ? when : at));
	}
	if (json_is_true(json_object_get(r, "pending")))
		json_object_set_new(m, "pending", json_true());
}


/* ------------------------------------------------------ declared groups */

/* A declared group's name in the reader's words: a sector's label, a
 * country's name. */
static const char *declared_name(struct http_req *req, const char *attr, const char *value)
{
	if (str_eq(attr, "country")) {
		const char *n = fmt_country(&req->pool, req->lang, value);
		return n ? n : value;
	}
	return adm_label(req, value);
}

/* The report's reading of one declared attribute (sector or country)
 * across the room: the statements every group agrees with (the lower
 * bound of agreement in the least agreeing group, min-lower, at least a
 * half), and per group what sets it apart (its representative
 * statements). NULL when fewer than two groups have enough votes. */
static json_t *declared_model(struct http_req *req, const json_t *r, json_t *by, const char *attr)
{
	const json_t *a = json_object_get(json_object_get(r, "declared"), attr);
	if (!a)
		return NULL;
	size_t gi;
	json_t *g;
	int sufficient = 0;
	json_array_foreach(json_object_get(a, "groups"), gi, g)
		sufficient += !json_is_true(json_object_get(g, "insufficient"));
	if (sufficient < 2)
		return NULL;
	json_t *cons = json_object_get(a, "consensus");
	size_t n = json_object_size(cons), k = 0;
	struct ranked *rk = xcalloc(n + 1, sizeof(*rk));
	const char *tid;
	json_t *c;
	json_object_foreach(cons, tid, c) {
		double lo = json_number_value(json_object_get(c, "min-lower"));
		if (json_object_get(by, tid) && lo >= 0.5 &&
		    json_integer_value(json_object_get(c, "n-sufficient")) >= 2) {
			rk[k].tid = tid;
			rk[k].score = lo;
			k++;
		}
	}
	qsort(rk, k, sizeof(*rk), by_score_desc);
	json_t *agreed = json_array();
	for (size_t i = 0; i < k && i < REPORT_TOP; i++) {
		c = json_object_get(cons, rk[i].tid);
		const char *least = json_string_value(json_object_get(c, "min-lower-group"));
		json_array_append_new(
			agreed,
			json_pack("{s:O, s:s}", "text", json_object_get(json_object_get(by, rk[i].tid), "text"),
				  "detail",
				  arena_printf(&req->pool,
					       str_eq(attr, "country")
						       ? web_t(req, "a majority in every country with enough votes; least in %s")
						       : web_t(req, "a majority in every sector; least in %s"),
					       least ? declared_name(req, attr, least) : "–")));
		with_text(agreed, json_object_get(by, rk[i].tid));
	}
	free(rk);
	json_t *groups = json_array();
	json_array_foreach(json_object_get(a, "groups"), gi, g) {
		if (json_is_true(json_object_get(g, "insufficient")))
			continue;
		json_t *reps = json_array();
		size_t ri;
		json_t *rep;
		json_array_foreach(json_object_get(g, "repness"), ri, rep) {
			char t[24];
			snprintf(t, sizeof(t), "%lld", jint(rep, "tid"));
			const json_t *s = json_object_get(by, t);
			if (!s || json_array_size(reps) >= 2)
				continue;
			int agrees = str_eq(json_string_value(json_object_get(rep, "repful-for")), "agree");
			json_array_append_new(
				reps, json_pack("{s:O, s:s}", "text", json_object_get(s, "text"), "detail",
						arena_printf(&req->pool,
							     agrees ? web_t(req, "%s agree") : web_t(req, "%s disagree"),
							     percent(req, json_number_value(json_object_get(rep, "p-success"))))));
			with_text(reps, s);
		}
		long long members = jint(g, "n-members");
		json_array_append_new(
			groups,
			json_pack("{s:s, s:s, s:o}", "name",
				  declared_name(req, attr, json_string_value(json_object_get(g, "name"))),
				  "size_text",
				  arena_printf(&req->pool, web_nt(req, "%lld person", "%lld people", (unsigned long)members),
					       members),
				  "statements", reps));
	}
	int country = str_eq(attr, "country");
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:b}", "id", attr, "agreed_title",
			 country ? web_t(req, "What every country agrees with")
				 : web_t(req, "What every sector agrees with"),
			 "apart_title",
			 country ? web_t(req, "What sets each country apart")
				 : web_t(req, "What sets each sector apart"),
			 "title",
			 country ? web_t(req, "Across the countries in the room")
				 : web_t(req, "Across the sectors in the room"),
			 "intro",
			 country ? web_t(req, "By the country participants declared when they registered.")
				 : web_t(req, "By the sector participants declared when they registered: government, academia, business, civil society and culture."),
			 "agreed", agreed, "groups", groups, "any_agreed", json_array_size(agreed) > 0);
}

/* -------------------------------------------------------------- report */

void dlg_report_model(struct http_req *req, json_t *m)
{
	json_t *r = json_object_get(m, "report");
	long long n = jint(r, "n");
	json_object_set_new(m, "counts_text",
			    json_string(arena_printf(&req->pool,
						     web_nt(req, "%lld participant voted", "%lld participants voted",
							    (unsigned long)n),
						     n)));
	const json_t *conv = json_object_get(m, "conversation");
	int64_t cid = json_integer_value(json_object_get(conv, "id"));
	json_t *c = dlg_conversation(req->db, cid);
	computed_model(req, m, r, c);
	json_decref(c);
	int grouped = !json_is_true(json_object_get(r, "too-few-participants"));
	json_t *by = statements_by_tid(req, cid);
	if (grouped) {
		const char *svg = map_svg(req, r, "report-map");
		web_set_str(m, "map_svg", svg);
		json_object_set_new(m, "groups", groups_model(req, r, by));
		json_t *dv = divisive(req, r, by, REPORT_TOP);
		if (json_array_size(dv))
			json_object_set_new(m, "divisive", dv);
		else
			json_decref(dv);
	}
	json_t *cg = common_ground(req, r, by, REPORT_TOP, grouped);
	if (json_array_size(cg))
		json_object_set_new(m, "common_ground", cg);
	else
		json_decref(cg);
	json_object_set_new(m, "shares", statement_rows(req, r, by, grouped));
	json_t *declared = json_array();
	for (int i = 0; i < 2; i++) {
		json_t *d = declared_model(req, r, by, i ? "country" : "sector");
		if (d)
			json_array_append_new(declared, d);
	}
	json_object_set_new(m, "declared", declared);
	json_decref(by);
}

/* ------------------------------------------------------------ live view */

/* GET /conversations/{id}/live: the projector's page (its JSON twin: the
 * counts, the groups, the common ground and divisive statements). */
static enum hm_err page_live(struct http_req *req, struct http_res *res)
{
	json_t *c;
	enum hm_err e = dlg_web_conv(req, res, &c);
	if (e != HM_OK)
		return e;
	if ((e = dlg_web_may_read_report(req, res, c)) != HM_OK)
		return e;
	web_private(req, res); /* refreshed by its stream, never from a cache */
	int64_t cid = json_integer_value(json_object_get(c, "id"));
	json_t *r = web_own(req, dlg_report(req->db, cid));
	json_t *counts = dlg_counts(req->db, cid);
	if (!r || !counts) {
		json_decref(counts);
		return HM_EDB;
	}
	int grouped = !json_is_true(json_object_get(r, "too-few-participants"));
	json_t *by = web_own(req, statements_by_tid(req, cid));
	json_t *groups = json_array();
	size_t gi;
	json_t *g;
	json_array_foreach(json_object_get(r, "groups"), gi, g)
		json_array_append_new(groups, json_pack("{s:O, s:s, s:O}", "id", json_object_get(g, "id"),
							"label",
							group_label(&req->pool, json_integer_value(json_object_get(g, "id"))),
							"size", json_object_get(g, "size")));
	json_t *m = json_pack("{s:o, s:{s:O, s:O, s:O}, s:O, s:O, s:b, s:o, s:o, s:o}", "conversation",
			      dlg_web_public_conv(c), "counts", "participants",
			      json_object_get(counts, "participants"), "votes",
			      json_object_get(counts, "votes"), "statements",
			      json_object_get(counts, "accepted"), "computed-at",
			      json_object_get(r, "computed-at"), "pending",
			      json_object_get(r, "pending"), "too-few-participants", !grouped, "groups",
			      grouped ? groups : json_array(), "common-ground",
			      common_ground(req, r, by, LIVE_TOP, grouped), "divisive",
			      grouped ? divisive(req, r, by, LIVE_TOP) : json_array());
	if (!grouped)
		json_decref(groups);
	json_decref(counts);
	if (req->want_json)
		return adm_api_answer(res, 200, m);
	const json_t *k = json_object_get(m, "counts");
	json_object_set_new(m, "participants_text",
			    json_string(arena_printf(&req->pool,
						     web_nt(req, "%lld participant", "%lld participants",
							    (unsigned long)jint(k, "participants")),
						     jint(k, "participants"))));
	json_object_set_new(m, "votes_text",
			    json_string(arena_printf(&req->pool,
						     web_nt(req, "%lld vote", "%lld votes",
							    (unsigned long)jint(k, "votes")),
						     jint(k, "votes"))));
	json_object_set_new(m, "statements_text",
			    json_string(arena_printf(&req->pool,
						     web_nt(req, "%lld statement", "%lld statements",
							    (unsigned long)jint(k, "statements")),
						     jint(k, "statements"))));
	if (grouped)
		web_set_str(m, "map_svg", map_svg(req, r, "live-map"));
	computed_model(req, m, r, c);
	http_res_page(res, m, "pages/conversation_live", dlg_jstr(c, "topic"));
	return HM_OK;
}

/* GET /conversations/{id}/events: the live view's stream, an "event:
 * change" whenever the data moves (at most about once a second); the page
 * then reads itself again. */
static enum hm_err stream_events(struct http_req *req, struct http_res *res)
{
	json_t *c;
	enum hm_err e = dlg_web_conv(req, res, &c);
	if (e != HM_OK)
		return e;
	if ((e = dlg_web_may_read_report(req, res, c)) != HM_OK)
		return e;
	return web_changes_stream(req, res);
}

const struct route dlg_live_routes[] = {
	{GET, "/conversations/{id}/live", page_live, 0},
	{GET, "/conversations/{id}/events", stream_events, WEB_PRIVATE},
	WEB_ROUTES_END,
};
