/*
 * fuzz_registration.c — libFuzzer target for what a registration's
 * settings and a registration accept from outside: the first byte picks
 * the settings (a JSON object, as PATCH /api/v1/events/{slug}/registration
 * sends it) or a registration (a JSON object, as the form's twin sends
 * it), read by the store on a real SQLite file. What must hold whatever
 * comes: a refusal names a field and writes nothing; the settings saved
 * read back as valid ones; never more seated than the capacity nor past a
 * cap — the rules checked against the store's own counts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/auth.h"
#include "db/db.h"
#include "features/registration/admission.h"
#include "features/registration/reg_internal.h"
#include "features/registration/registration.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct db *db;
static struct principal admin, visitor;

static int64_t count(const char *sql)
{
	struct db_stmt *st = db_prepare(db, sql);
	int64_t n = st && db_step(st) == 1 ? db_col_int(st, 0) : -1;
	if (st)
		db_done(st);
	return n;
}

static void setup(void)
{
	char path[] = "/tmp/hm-fuzz-reg-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		abort();
	close(fd);
	unlink(path);
	char err[256];
	log_min_level = LOG_ERROR;
	if (auth_init() != HM_OK || db_open(path, DB_OPEN_CREATE, 1, &db, err, sizeof(err)) != HM_OK ||
	    db_exec_script(db,
			   "INSERT INTO event (id, slug, title, starts_on, ends_on, status, created_at, "
			   "updated_at) VALUES (1, 'e', 'E', '2100-01-01', '2100-01-02', 'published', "
			   "'x', 'x');",
			   err, sizeof(err)) != HM_OK)
		abort();
	auth_principal_cli(&admin);
	visitor.via = AUTH_VIA_NONE;
}

/* The seated never pass the capacity nor a cap: counted by the store. */
static void check_room(void)
{
	json_t *ev = reg_event(db, "e");
	if (!ev)
		abort();
	struct reg_room_buf rb;
	if (reg_room_load(&rb, db, ev, 0) != HM_OK)
		abort();
	if (rb.room.capacity >= 0 && rb.room.nseated > (size_t)rb.room.capacity)
		__builtin_trap();
	for (size_t i = 0; i < rb.room.nquotas; i++) {
		int cap = reg_cap_seats(&rb.room.quotas[i], rb.room.capacity);
		if (cap >= 0 && reg_count(&rb.room, &rb.room.quotas[i]) > cap)
			__builtin_trap();
	}
	reg_room_free(&rb);
	json_decref(ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!db)
		setup();
	if (size < 1)
		return 0;
	json_t *in = json_loadb((const char *)data + 1, size - 1, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(in)) {
		json_decref(in);
		return 0;
	}
	json_t *ev = reg_event(db, "e");
	struct field_errors errs = {0};
	int64_t rows = count("SELECT count(*) FROM registration");
	int64_t quotas = count("SELECT count(*) FROM registration_quota");
	if (data[0] & 1) {
		json_t *out = NULL;
		enum hm_err e = reg_register(db, &visitor, ev, in, "en", 4000000000LL - 86400 * 365 * 60,
					     &errs, &out);
		if (e == HM_OK && (errs.n || !out))
			__builtin_trap();
		if (e != HM_OK && count("SELECT count(*) FROM registration") != rows)
			__builtin_trap();
		if ((e == HM_EINVAL || e == HM_ECONFLICT) && errs.n == 0)
			__builtin_trap();
		json_decref(out);
	} else {
		enum hm_err e = reg_settings_save(db, &admin, ev, in, 2000000000, &errs);
		if (e == HM_EINVAL && (errs.n == 0 ||
				       count("SELECT count(*) FROM registration_quota") != quotas))
			__builtin_trap();
		if (e == HM_OK) {
			/* what was saved is accepted as it is */
			json_t *now = reg_event(db, "e");
			struct field_errors again = {0};
			json_t *r = json_deep_copy(json_object_get(now, "registration"));
			json_object_set(r, "capacity", json_object_get(now, "capacity"));
			if (reg_settings_save(db, &admin, now, r, 2000000001, &again) != HM_OK)
				__builtin_trap();
			json_decref(r);
			json_decref(now);
		}
	}
	json_decref(in);
	json_decref(ev);
	check_room();
	/* keep the file small: a fuzzer run makes many */
	if (count("SELECT count(*) FROM registration") > 400)
		db_exec_script(db, "DELETE FROM registration; DELETE FROM audit_log; "
				   "DELETE FROM mail_outbox;", NULL, 0);
	return 0;
}
