/*
 * balance.c — the room by sector, country and gender: how many are
 * pending, approved, waitlisted, offered a seat and attended, against the
 * quotas; and the seated counts as they would be after a decision.
 */
#include "features/registration/reg_internal.h"

#include "db/db.h"

#include <string.h>

static const char SQL_BALANCE[] =
	"SELECT id, sector, country, gender, status, checked_in_at FROM registration "
	"WHERE event_id = ?";

static const char *const groups[] = {"sector", "country", "gender"};

/* The row of value in list (made when missing). */
static json_t *row_of(json_t *list, const char *value)
{
	size_t i;
	json_t *r;
	json_array_foreach(list, i, r) if (str_eq(json_string_value(json_object_get(r, "value")),
						 value)) return r;
	r = json_pack("{s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:i}", "value", value, "pending", 0,
		      "approved", 0, "waitlisted", 0, "offered", 0, "attended", 0, "seated", 0,
		      "after", 0);
	json_array_append_new(list, r);
	return r;
}

static void bump(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (v)
		json_integer_set(v, json_integer_value(v) + 1);
}

static int picked(int64_t id, const int64_t *ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

/* Larger seated counts first, then by value. */
static int by_seated(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_int_t d = json_integer_value(json_object_get(y, "after")) -
		       json_integer_value(json_object_get(x, "after"));
	if (d)
		return d > 0 ? 1 : -1;
	return strcmp(json_string_value(json_object_get(x, "value")),
		      json_string_value(json_object_get(y, "value")));
}

static json_t *sorted(json_t *list)
{
	size_t n = json_array_size(list);
	json_t **v = xmalloc((n ? n : 1) * sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(list, i));
	qsort(v, n, sizeof(*v), by_seated);
	json_t *out = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(out, v[i]);
	free(v);
	json_decref(list);
	return out;
}

json_t *reg_balance(struct db *db, const json_t *ev, const int64_t *ids, size_t n)
{
	struct db_stmt *st = db_prepare(db, SQL_BALANCE);
	if (!st)
		return NULL;
	db_bind_int(st, 1, json_integer_value(json_object_get(ev, "id")));
	json_t *lists[3] = {json_array(), json_array(), json_array()};
	json_t *statuses = json_object();
	for (int i = 0; reg_statuses[i]; i++)
		json_object_set_new(statuses, reg_statuses[i], json_integer(0));
	json_object_set_new(statuses, "attended", json_integer(0));
	int rc, seated = 0, after = 0;
	while ((rc = db_step(st)) == 1) {
		const char *status = db_col_text(st, 4);
		int attended = !db_col_is_null(st, 5);
		int is_seated = seated_str(status);
		int is_after = is_seated || picked(db_col_int(st, 0), ids, n);
		bump(statuses, status);
		if (attended)
			bump(statuses, "attended");
		seated += is_seated;
		after += is_after;
		for (int g = 0; g < 3; g++) {
			const char *v = db_col_text(st, 1 + g);
			json_t *r = row_of(lists[g], v && *v ? v : "");
			bump(r, status);
			if (attended)
				bump(r, "attended");
			if (is_seated)
				bump(r, "seated");
			if (is_after)
				bump(r, "after");
		}
	}
	db_done(st);
	if (rc < 0) {
		for (int g = 0; g < 3; g++)
			json_decref(lists[g]);
		json_decref(statuses);
		return NULL;
	}
	json_t *out = json_object();
	for (int g = 0; g < 3; g++)
		json_object_set_new(out, groups[g], sorted(lists[g]));
	json_object_set_new(out, "statuses", statuses);
	json_object_set(out, "capacity", json_object_get(ev, "capacity"));
	json_object_set_new(out, "seated", json_integer(seated));
	json_object_set_new(out, "after", json_integer(after));
	/* each quota with its limits in seats and how many count towards it */
	struct reg_room_buf rb;
	json_t *quotas = json_array();
	if (reg_room_load(&rb, db, ev, 1) == HM_OK) {
		const json_t *qs = json_object_get(json_object_get(ev, "registration"), "quotas");
		for (size_t i = 0; i < rb.room.nquotas && i < json_array_size(qs); i++) {
			json_t *q = json_deep_copy(json_array_get(qs, i));
			const struct reg_quota *rq = &rb.room.quotas[i];
			int cap = reg_cap_seats(rq, rb.room.capacity);
			json_object_set_new(q, "seated", json_integer(reg_count(&rb.room, rq)));
			json_object_set_new(q, "cap_seats", cap >= 0 ? json_integer(cap) : json_null());
			json_object_set_new(q, "target_seats",
					    json_integer(reg_target_seats(rq, rb.room.capacity)));
			json_array_append_new(quotas, q);
		}
	}
	reg_room_free(&rb);
	json_object_set_new(out, "quotas", quotas);
	return out;
}
