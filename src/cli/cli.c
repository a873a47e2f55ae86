/*
 * cli.c — subcommand dispatch and the serve, init and demo commands. Each
 * command parses its own flags (unknown ones: usage on stderr, exit 2) and
 * calls into the same code the web server uses.
 */
#include "cli/cli.h"
#include "auth/auth.h"
#include "cli/analyze.h"
#include "cli/conversation.h"
#include "cli/db.h"
#include "cli/media.h"
#include "cli/settings.h"
#include "cli/user.h"
#include "core/embedded.h"
#include "db/db.h"
#include "features/dialogue/dialogue.h"
#include "features/registration/registration.h"
#include "http/server.h"
#include "jobs/jobs.h"
#include "mail/mail.h"
#include "media/media.h"
#include "site/feature.h"
#include "site/web.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define DEFAULT_DB "harmony.db"
#define DEFAULT_LISTEN "127.0.0.1:8080"

static const char usage_text[] =
	"usage: harmony COMMAND [OPTIONS]\n"
	"\n"
	"Run a consultation series: events, news, registration, programme, dialogue, outcomes.\n"
	"\n"
	"commands:\n"
	"  serve [--listen ADDR:PORT] [--db PATH] [--media DIR] [--base-url URL] [--threads N]\n"
	"        [--trust-proxy] [--smtp smtp://HOST:PORT] [--outbox DIR]\n"
	"        serve the site and the JSON API (default " DEFAULT_LISTEN ", " DEFAULT_DB ";\n"
	"        uploaded images in DIR, default: the folder media beside the database)\n"
	"        mail goes through the --smtp relay, or is written as .eml files to the\n"
	"        --outbox folder (default: the folder outbox beside the database)\n"
	"        [--registration-limit-per-address N]: registrations one address may send\n"
	"        to one event in ten minutes (default 600; 0: no limit, for a venue behind\n"
	"        one address)\n"
	"        [--vote-limit-per-address N]: dialogue votes one address may cast in one\n"
	"        conversation a second (default 50, with a burst of five seconds' worth;\n"
	"        0: no limit)\n"
	"        every --db takes a SQLite file (or sqlite:PATH) or a PostgreSQL URI,\n"
	"        postgresql://USER@HOST/DBNAME?sslmode=... (media and outbox: in the\n"
	"        current folder unless named)\n"
	"  init [--db PATH]\n"
	"        create an empty database, or migrate an older one\n"
	"  demo [--db PATH] [--force]\n"
	"        create a database holding the Shanghai 2012 consultation\n"
	"  user add|list|passwd|grant|revoke [--db PATH] ...\n"
	"        manage accounts (passwords are read from the terminal or stdin)\n"
	"  settings list|get|set|unset [--db PATH] [KEY [VALUE]]\n"
	"        the site's name and tagline, the sender of its e-mail (mail_from),\n"
	"        its time zone\n"
	"  media prune [--db PATH] [--media DIR] [--grace HOURS] [--dry-run]\n"
	"        remove uploaded images nothing uses that were not uploaded again for\n"
	"        HOURS (default 24; the server does it every hour)\n"
	"  db copy --from SRC --to DST\n"
	"        copy a whole database into an empty one, in one transaction: SQLite to\n"
	"        PostgreSQL and back (each a file or a URI; SRC of this harmony's schema)\n"
	"  db backup [--db PATH] --to FILE\n"
	"        write a consistent copy into the new SQLite file FILE, also while the\n"
	"        server runs; restore with db copy --from FILE --to DST (uploaded\n"
	"        images are files in the media folder, not rows: back that up too)\n"
	"  analyze PATH [--format text|json] [--mode compat|scale] ...\n"
	"        dialogue analysis of a Pol.is export folder (see harmony(1))\n"
	"  conversation import [--db PATH] --event SLUG PATH\n"
	"        a new conversation of an event from a Pol.is export folder\n"
	"\n"
	"  harmony --help | --version\n";

static int usage(FILE *f, int code)
{
	fputs(usage_text, f);
	return code;
}

/* Runs getopt_long; returns 0 when parsing is done, -1 on an unknown flag
 * (usage already printed). */
static int bad_flag(const char *cmd)
{
	fprintf(stderr, "harmony %s: unknown or incomplete option\n\n", cmd);
	return usage(stderr, 2);
}

static int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{"listen", required_argument, NULL, 'l'}, {"db", required_argument, NULL, 'd'},
		{"base-url", required_argument, NULL, 'b'}, {"threads", required_argument, NULL, 't'},
		{"trust-proxy", no_argument, NULL, 'p'}, {"media", required_argument, NULL, 'm'},
		{"smtp", required_argument, NULL, 's'}, {"outbox", required_argument, NULL, 'o'},
		{"registration-limit-per-address", required_argument, NULL, 'r'},
		{"vote-limit-per-address", required_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},	   {NULL, 0, NULL, 0},
	};
	struct server_config cfg = {
		.listen = DEFAULT_LISTEN,
		.db_path = DEFAULT_DB,
		.per_ip_limit = 64,
		.timeout_s = 15,
		.max_body = 10 * 1024 * 1024,
	};
	const char *media = NULL;
	/* Where mail goes: the mail transport's, not the server's. */
	struct mail_transport mail = {0};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'l': cfg.listen = optarg; break;
		case 'd': cfg.db_path = optarg; break;
		case 'b': cfg.base_url = optarg; break;
		case 'p': cfg.trust_proxy = 1; break;
		case 's': mail.smtp_url = optarg; break;
		case 'o': mail.dir = optarg; break;
		case 'm': media = optarg; break;
		case 't': {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || n < 1 || n > 256) {
				fprintf(stderr, "harmony serve: --threads takes a number from 1 to 256\n");
				return 2;
			}
			cfg.threads = (unsigned)n;
			break;
		}
		case 'r': {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || n < 0 || n > 1000000) {
				fprintf(stderr, "harmony serve: --registration-limit-per-address takes "
						"a number from 0 (no limit) to 1000000\n");
				return 2;
			}
			reg_limit_set((int)n);
			break;
		}
		case 'v': {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || n < 0 || n > 1000000) {
				fprintf(stderr, "harmony serve: --vote-limit-per-address takes votes per "
						"second, from 0 (no limit) to 1000000\n");
				return 2;
			}
			dlg_vote_limit_set((int)n);
			break;
		}
		case 'h': return usage(stdout, 0);
		default: return bad_flag("serve");
		}
	}
	if (optind < argc) {
		fprintf(stderr, "harmony serve: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	/* Check the database once here, so a wrong file fails at start with a
	 * clear message rather than on the first request. */
	char err[512];
	struct db *db;
	enum hm_err e = db_open(cfg.db_path, DB_OPEN_EXISTING, 0, &db, err, sizeof(err));
	if (e != HM_OK) {
		fprintf(stderr, "harmony serve: %s\n", err);
		return hm_err_exit_code(e);
	}
	db_close(db);
	/* A folder asked for must work; without one, a read-only place only
	 * turns uploads off. */
	/* Beside a SQLite file; in the current folder for PostgreSQL. */
	char *media_default = media ? NULL : media_default_dir(db_file_of(cfg.db_path));
	e = media_init(media ? media : media_default);
	free(media_default);
	if (e != HM_OK && media)
		return hm_err_exit_code(e);
	if (e != HM_OK)
		fprintf(stderr, "harmony serve: image uploads are off (see --media)\n");
	if ((e = auth_init()) != HM_OK || (e = web_init()) != HM_OK)
		return hm_err_exit_code(e);
	if (auth_pwhash_test_cost())
		fprintf(stderr, "harmony serve: new passwords are hashed at the test suite's least "
				"cost (HARMONY_TEST_PWHASH=min): not for a real site\n");
	/* An https site: cookies always Secure, with the __Host- prefix. */
	auth_cookie_https(cfg.base_url && strncasecmp(cfg.base_url, "https://", 8) == 0);
	cfg.routes = web_route_table(&cfg.nroutes);
	cfg.hooks = web_server_hooks();
	/* Background work runs on the scheduler's thread: mail goes out
	 * through the relay or to .eml files, the hourly clean-ups. What the
	 * jobs need is set before they start. */
	if (mail_config_set(db_file_of(cfg.db_path), &mail) != HM_OK) {
		web_shutdown();
		return 2;
	}
	size_t nrefs, njobs;
	const struct media_ref *refs = web_media_refs(&nrefs);
	media_sweep_refs_set(refs, nrefs);
	const struct job *const *jobs = web_jobs(&njobs);
	if ((e = jobs_start(cfg.db_path, jobs, njobs)) != HM_OK) {
		mail_config_clear();
		web_shutdown();
		return hm_err_exit_code(e);
	}
	if ((e = web_features_start(cfg.db_path)) != HM_OK) {
		jobs_stop();
		mail_config_clear();
		web_shutdown();
		return hm_err_exit_code(e);
	}
	int rc = server_run(&cfg);
	web_features_stop();
	jobs_stop();
	mail_config_clear();
	web_shutdown();
	return rc;
}

/* Parses the --db flag shared by init and demo (and --force for demo). */
static int parse_db_flags(const char *cmd, int argc, char **argv, const char **path, int *force)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"force", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': *path = optarg; break;
		case 'f':
			if (!force)
				return bad_flag(cmd);
			*force = 1;
			break;
		case 'h': usage(stdout, 0); return -1;
		default: return bad_flag(cmd);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "harmony %s: unexpected argument '%s'\n", cmd, argv[optind]);
		return 2;
	}
	return 0;
}

static int cmd_init(int argc, char **argv)
{
	const char *path = DEFAULT_DB;
	int rc = parse_db_flags("init", argc, argv, &path, NULL);
	if (rc)
		return rc < 0 ? 0 : rc;
	char err[512];
	struct db *db;
	enum hm_err e = db_open(path, DB_OPEN_CREATE, 1, &db, err, sizeof(err));
	if (e != HM_OK) {
		fprintf(stderr, "harmony init: %s\n", err);
		return hm_err_exit_code(e);
	}
	printf("%s: schema version %d\n", db_path(db), db_schema_version(db));
	db_close(db);
	return 0;
}

static void remove_db_files(const char *path)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < HM_ARRAY_LEN(suffixes); i++) {
		char *p = xasprintf("%s%s", path, suffixes[i]);
		unlink(p);
		free(p);
	}
}

/* Loads the demo data, the site's part then each feature's, into db
 * inside the caller's transaction; on failure err says why. */
static enum hm_err demo_load(struct db *db, char *err, size_t errlen)
{
	const struct embedded_file *f = embedded_find("demo/shanghai-2012.sql");
	enum hm_err e;
	if (!f) {
		snprintf(err, errlen, "this build has no demo data");
		return HM_EINTERNAL;
	}
	if ((e = db_exec_script(db, f->data, err, errlen)) != HM_OK)
		return e;
	for (const struct feature *const *ft = site_features; *ft; ft++) {
		const struct embedded_file *part = (*ft)->demo ? embedded_find((*ft)->demo) : NULL;
		if ((*ft)->demo && !part) {
			snprintf(err, errlen, "%s is not in this build", (*ft)->demo);
			return HM_EINTERNAL;
		}
		/* an empty part (a feature with no demo data yet) is nothing to run:
		 * PostgreSQL refuses an empty query */
		if (part && part->len && (e = db_exec_script(db, part->data, err, errlen)) != HM_OK)
			return e;
	}
	return HM_OK;
}

/* An organiser account and an administrator's, so a newcomer can sign in
 * and try every admin page straight away; their passwords are shown once,
 * by demo_print. */
struct demo_logins {
	char org_email[AUTH_EMAIL_MAX + 1], org_password[AUTH_DEMO_PASSWORD_SIZE];
	char admin_email[AUTH_EMAIL_MAX + 1], admin_password[AUTH_DEMO_PASSWORD_SIZE];
};

static enum hm_err demo_accounts(struct db *db, struct demo_logins *l)
{
	enum hm_err e;
	if ((e = auth_init()) != HM_OK ||
	    (e = auth_demo_organiser(db, "asia-south-pacific-shanghai-2012", l->org_email,
				     l->org_password)) != HM_OK ||
	    (e = auth_demo_admin(db, l->admin_email, l->admin_password)) != HM_OK)
		fprintf(stderr, "harmony demo: cannot create the demo accounts\n");
	return e;
}

static void demo_print(const char *where, struct demo_logins *l)
{
	printf("%s: demo consultation created (Shanghai, 29-30 November 2012)\n", where);
	printf("organiser account: %s\npassword (shown only now): %s\n", l->org_email,
	       l->org_password);
	printf("administrator account: %s\npassword (shown only now): %s\n", l->admin_email,
	       l->admin_password);
	printf("sign in at /sign-in; the organiser edits the Shanghai event and its news, the\n"
	       "administrator everything (accounts, outbox, audit log, settings)\n");
	sodium_memzero(l, sizeof(*l));
}

/* What a PostgreSQL database may hold before the demo goes in without
 * --force: nothing but an empty schema (a new database, or one 'harmony
 * init' made). */
static const char SQL_PG_DATA[] =
	"SELECT (SELECT count(*) FROM site_setting) + (SELECT count(*) FROM organisation) + "
	"(SELECT count(*) FROM series) + (SELECT count(*) FROM event) + "
	"(SELECT count(*) FROM category) + (SELECT count(*) FROM post) + "
	"(SELECT count(*) FROM account)";
/* With --force, every table but the schema's records is emptied: one
 * TRUNCATE naming them, made by the server (quote_ident). */
static const char SQL_PG_EMPTY[] =
	"SELECT 'TRUNCATE ' || string_agg(quote_ident(tablename), ', ') || ' RESTART IDENTITY CASCADE' "
	"FROM pg_tables WHERE schemaname = current_schema() "
	"AND tablename NOT IN ('schema_migrations', 'harmony_meta')";

/* The demo in a PostgreSQL database: made (or migrated) as by init, then
 * emptied (with --force) and filled in one transaction, so a failure
 * leaves what was there. */
static int demo_pg(const char *uri, int force)
{
	char err[512] = "";
	struct db *db = NULL;
	enum hm_err e;
	if ((e = db_open(uri, DB_OPEN_CREATE, 1, &db, err, sizeof(err))) != HM_OK) {
		fprintf(stderr, "harmony demo: %s\n", err);
		return hm_err_exit_code(e);
	}
	if ((e = db_begin(db)) != HM_OK) {
		fprintf(stderr, "harmony demo: %s: cannot begin\n", db_path(db));
		goto out;
	}
	struct db_stmt *st = db_prepare(db, SQL_PG_DATA);
	int64_t rows = st && db_step(st) == 1 ? db_col_int(st, 0) : -1;
	db_done(st);
	if (rows != 0 && !force) {
		fprintf(stderr, rows > 0 ? "harmony demo: %s holds data; use --force to replace it\n"
					 : "harmony demo: %s: cannot read it\n",
			db_path(db));
		db_rollback(db);
		db_close(db);
		return rows > 0 ? 4 : hm_err_exit_code(HM_EDB);
	}
	if (rows != 0) {
		st = db_prepare(db, SQL_PG_EMPTY);
		char *empty = st && db_step(st) == 1 && db_col_text(st, 0) ? xstrdup(db_col_text(st, 0))
									  : NULL;
		db_done(st);
		e = empty ? db_exec_script(db, empty, err, sizeof(err)) : HM_EDB;
		free(empty);
	}
	if (e != HM_OK || (e = demo_load(db, err, sizeof(err))) != HM_OK ||
	    (e = db_commit(db)) != HM_OK) {
		fprintf(stderr, "harmony demo: loading the demo failed: %s\n", err);
		db_rollback(db);
		goto out;
	}
	struct demo_logins logins;
	if ((e = demo_accounts(db, &logins)) != HM_OK)
		goto out;
	demo_print(db_path(db), &logins);
out:
	db_close(db);
	return hm_err_exit_code(e);
}

/* Builds the demo in a temporary file beside path and moves it into place
 * only when complete, so a failure never leaves half a database (nor
 * destroys the old one). */
static int cmd_demo(int argc, char **argv)
{
	const char *spec = DEFAULT_DB;
	int force = 0;
	int rc = parse_db_flags("demo", argc, argv, &spec, &force);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (db_backend_of(spec) == DB_POSTGRESQL)
		return demo_pg(spec, force);
	const char *path = db_file_of(spec);
	if (access(path, F_OK) == 0 && !force) {
		fprintf(stderr, "harmony demo: %s exists; use --force to replace it\n", path);
		return 4;
	}
	char *tmp = xasprintf("%s.new-%ld", path, (long)getpid());
	char err[512] = "";
	struct db *db = NULL;
	enum hm_err e;
	remove_db_files(tmp);
	if ((e = db_open(tmp, DB_OPEN_CREATE, 1, &db, err, sizeof(err))) != HM_OK) {
		fprintf(stderr, "harmony demo: %s\n", err);
		goto fail;
	}
	/* The site's part, then each feature's, in one transaction. */
	if ((e = db_begin(db)) != HM_OK || (e = demo_load(db, err, sizeof(err))) != HM_OK ||
	    (e = db_commit(db)) != HM_OK) {
		fprintf(stderr, "harmony demo: loading the demo failed: %s\n", err);
		db_rollback(db);
		goto fail;
	}
	struct demo_logins logins;
	if ((e = demo_accounts(db, &logins)) != HM_OK)
		goto fail;
	/* Fold the WAL into the main file so a single rename moves it all. */
	if ((e = db_exec_script(db, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE",
				err, sizeof(err))) != HM_OK) {
		fprintf(stderr, "harmony demo: %s\n", err);
		goto fail;
	}
	db_close(db);
	db = NULL;
	remove_db_files(path);
	if (rename(tmp, path) != 0) {
		perror("harmony demo: rename");
		e = HM_EIO;
		goto fail;
	}
	free(tmp);
	demo_print(path, &logins);
	return 0;
fail:
	db_close(db);
	remove_db_files(tmp);
	free(tmp);
	return hm_err_exit_code(e);
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{"serve", cmd_serve},
	{"init", cmd_init},
	{"demo", cmd_demo},
	{"analyze", cli_analyze},
	{"conversation", cli_conversation},
	{"user", cli_user},
	{"media", cli_media},
	{"settings", cli_settings},
	{"db", cli_db},
};

int cli_main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr, 2);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0)
		return usage(stdout, 0);
	if (strcmp(argv[1], "--version") == 0) {
		printf("harmony %s\n", HM_VERSION);
		return 0;
	}
	for (size_t i = 0; i < HM_ARRAY_LEN(commands); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "harmony: unknown command '%s'\n\n", argv[1]);
	return usage(stderr, 2);
}
