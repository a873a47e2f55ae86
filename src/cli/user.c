/*
 * user.c — `harmony user add|list|passwd|grant|revoke`: account
 * administration by whoever can open the database file, through the same
 * auth functions the web pages use (acting as the "cli" principal, so the
 * audit log says so). Everything is checked before a password is asked.
 */
#include "cli/user.h"

#include "auth/auth.h"
#include "db/db.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_DB "harmony.db"

static const char usage[] =
	"usage: harmony user add [--db PATH] --email E --name N [--organisation O] [--lang L]\n"
	"                        [--role participant|admin|organiser [--event SLUG|--series SLUG]]\n"
	"       harmony user list [--db PATH] [--format text|json]\n"
	"       harmony user passwd [--db PATH] --email E\n"
	"       harmony user grant|revoke [--db PATH] --email E --role admin|organiser\n"
	"                        [--event SLUG|--series SLUG]\n"
	"The password is asked on the terminal (twice, without echo), or read as one\n"
	"line from standard input when that is not a terminal; never from arguments.\n";

struct user_opts {
	const char *db;
	const char *email;
	const char *name;
	const char *organisation;
	const char *lang;
	const char *role;
	const char *event;
	const char *series;
	int json;
};

enum { OPT_DB = 1, OPT_EMAIL, OPT_NAME, OPT_ORG, OPT_LANG, OPT_ROLE, OPT_EVENT, OPT_SERIES,
       OPT_FORMAT, OPT_PASSWORD, OPT_HELP };

static int fail_usage(const char *cmd, const char *what)
{
	fprintf(stderr, "harmony user %s: %s\n%s", cmd, what, usage);
	return 2;
}

/* Parses flags after the subcommand; returns 0, or an exit code. Each
 * subcommand says which flags it takes in allowed (a string of OPT_*). */
static int parse(int argc, char **argv, const char *cmd, const char *allowed,
		 struct user_opts *o)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, OPT_DB},
		{"email", required_argument, NULL, OPT_EMAIL},
		{"name", required_argument, NULL, OPT_NAME},
		{"organisation", required_argument, NULL, OPT_ORG},
		{"lang", required_argument, NULL, OPT_LANG},
		{"role", required_argument, NULL, OPT_ROLE},
		{"event", required_argument, NULL, OPT_EVENT},
		{"series", required_argument, NULL, OPT_SERIES},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"password", optional_argument, NULL, OPT_PASSWORD},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0},
	};
	int c;
	memset(o, 0, sizeof(*o));
	o->db = DEFAULT_DB;
	optind = 0; /* 0, not 1: a full restart of getopt, so tests may call us repeatedly */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == OPT_PASSWORD) {
			fprintf(stderr, "harmony user %s: passwords are never taken from the command "
					"line (they would show in the process list and shell history);\n"
					"type it when asked, or give it on standard input\n",
				cmd);
			return 2;
		}
		if (c == OPT_HELP) {
			fputs(usage, stdout);
			return -1;
		}
		if (c == '?' || c == ':' || c <= 0 || !strchr(allowed, c)) {
			char what[160];
			snprintf(what, sizeof(what), "unknown or incomplete option '%s'",
				 argv[optind - 1]);
			return fail_usage(cmd, what);
		}
		switch (c) {
		case OPT_DB: o->db = optarg; break;
		case OPT_EMAIL: o->email = optarg; break;
		case OPT_NAME: o->name = optarg; break;
		case OPT_ORG: o->organisation = optarg; break;
		case OPT_LANG: o->lang = optarg; break;
		case OPT_ROLE: o->role = optarg; break;
		case OPT_EVENT: o->event = optarg; break;
		case OPT_SERIES: o->series = optarg; break;
		case OPT_FORMAT:
			if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0)
				return fail_usage(cmd, "--format takes text or json");
			o->json = strcmp(optarg, "json") == 0;
			break;
		}
	}
	if (optind < argc) {
		char what[160];
		snprintf(what, sizeof(what), "unexpected argument '%s'", argv[optind]);
		return fail_usage(cmd, what);
	}
	return 0;
}

static int open_db(const char *cmd, const char *path, struct db **db)
{
	char err[512];
	enum hm_err e = db_open(path, DB_OPEN_EXISTING, 0, db, err, sizeof(err));
	if (e != HM_OK) {
		fprintf(stderr, "harmony user %s: %s\n", cmd, err);
		return hm_err_exit_code(e);
	}
	return 0;
}

/* --------------------------------------------------------------- passwords */

static struct termios saved_tty;
static volatile sig_atomic_t tty_changed;

/* A signal while echo is off: put the terminal back, then die as asked. */
static void restore_tty_and_die(int sig)
{
	if (tty_changed)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Reads one line from fd 0 into buf (without the newline) byte by byte,
 * so no copy of it stays in a stdio buffer. 0 ok; -1 end of input before
 * anything; -2 too long; -3 read error. */
static int read_line(char *buf, size_t size)
{
	size_t n = 0;
	for (;;) {
		char ch;
		ssize_t r = read(STDIN_FILENO, &ch, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -3;
		if (r == 0) {
			if (n == 0)
				return -1;
			break;
		}
		if (ch == '\n')
			break;
		if (n + 1 >= size)
			return -2;
		buf[n++] = ch;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return 0;
}

static int read_tty_line(const char *prompt, char *buf, size_t size)
{
	struct termios quiet;
	struct sigaction sa, old[4];
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	int rc;
	if (tcgetattr(STDIN_FILENO, &saved_tty) != 0)
		return -3;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = restore_tty_and_die;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < HM_ARRAY_LEN(sigs); i++)
		sigaction(sigs[i], &sa, &old[i]);
	quiet = saved_tty;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	tty_changed = 1;
	/* Echo goes off before the prompt shows, so nothing typed after it
	 * can appear on the screen. */
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0) {
		rc = -3;
	} else {
		fputs(prompt, stderr);
		fflush(stderr);
		rc = read_line(buf, size);
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty);
	}
	tty_changed = 0;
	for (size_t i = 0; i < HM_ARRAY_LEN(sigs); i++)
		sigaction(sigs[i], &old[i], NULL);
	fputc('\n', stderr);
	return rc;
}

/* Gets a new password into pw (AUTH_PASSWORD_MAX + 2 bytes) and checks it.
 * Returns 0, or an exit code after saying why. */
static int get_password(const char *cmd, const char *email, char *pw, size_t size)
{
	char again[AUTH_PASSWORD_MAX + 2];
	char msg[160];
	int rc;
	if (isatty(STDIN_FILENO)) {
		char prompt[AUTH_EMAIL_MAX + 64];
		snprintf(prompt, sizeof(prompt), "New password for %s (at least %d characters): ",
			 email, AUTH_PASSWORD_MIN);
		rc = read_tty_line(prompt, pw, size);
		if (rc == 0)
			rc = read_tty_line("Once more: ", again, sizeof(again));
		if (rc == 0 && strcmp(pw, again) != 0) {
			sodium_memzero(again, sizeof(again));
			fprintf(stderr, "harmony user %s: the two passwords differ\n", cmd);
			return 2;
		}
		sodium_memzero(again, sizeof(again));
	} else {
		rc = read_line(pw, size);
	}
	switch (rc) {
	case 0: break;
	case -1:
		fprintf(stderr, "harmony user %s: no password given on standard input\n", cmd);
		return 2;
	case -2:
		fprintf(stderr, "harmony user %s: the password is longer than %d bytes\n", cmd,
			AUTH_PASSWORD_MAX);
		return 2;
	default:
		fprintf(stderr, "harmony user %s: cannot read the password: %s\n", cmd,
			strerror(errno));
		return hm_err_exit_code(HM_EIO);
	}
	/* What the command knows; the account's own check adds its name and
	 * e-mail. */
	enum hm_err e = auth_password_check(pw, NULL, NULL, msg, sizeof(msg));
	if (e != HM_OK) {
		fprintf(stderr, "harmony user %s: %s\n", cmd, msg);
		return hm_err_exit_code(e);
	}
	return 0;
}

/* ------------------------------------------------------------------ roles */

/* Turns --role/--event/--series into a grant (has_grant 0 for a plain
 * participant when allowed). Returns 0 or an exit code. */
static int resolve_grant(const char *cmd, struct db *db, const struct user_opts *o,
			 int participant_ok, struct auth_grant *g, int *has_grant)
{
	struct auth_scope scope;
	enum hm_err e;
	memset(g, 0, sizeof(*g));
	*has_grant = 0;
	const char *role = o->role ? o->role : (participant_ok ? "participant" : NULL);
	if (!role)
		return fail_usage(cmd, "--role admin or --role organiser is required");
	if (strcmp(role, "participant") == 0 && participant_ok) {
		if (o->event || o->series)
			return fail_usage(cmd, "--event and --series go with --role organiser");
		return 0;
	}
	if (strcmp(role, "admin") == 0) {
		if (o->event || o->series)
			return fail_usage(cmd, "an admin is admin of the whole site: drop --event/--series");
		g->role = AUTH_ROLE_ADMIN;
		*has_grant = 1;
		return 0;
	}
	if (strcmp(role, "organiser") != 0)
		return fail_usage(cmd, participant_ok
					       ? "--role is participant, admin or organiser"
					       : "--role is admin or organiser");
	if (!o->event == !o->series)
		return fail_usage(cmd, "--role organiser needs one --event SLUG or one --series SLUG");
	e = o->event ? auth_scope_event(db, o->event, &scope) : auth_scope_series(db, o->series, &scope);
	if (e != HM_OK) {
		if (e == HM_ENOTFOUND)
			fprintf(stderr, "harmony user %s: no %s '%s'\n", cmd,
				o->event ? "event" : "series", o->event ? o->event : o->series);
		return hm_err_exit_code(e);
	}
	g->role = AUTH_ROLE_ORGANISER;
	if (o->event)
		g->event_id = scope.event_id;
	else
		g->series_id = scope.series_id;
	*has_grant = 1;
	return 0;
}

static void print_grant(const struct user_opts *o, const struct auth_grant *g, int has_grant)
{
	if (!has_grant)
		fputs("participant", stdout);
	else if (g->role == AUTH_ROLE_ADMIN)
		fputs("admin", stdout);
	else if (o->event)
		printf("organiser of event %s", o->event);
	else
		printf("organiser of series %s", o->series);
}

/* ------------------------------------------------------------ subcommands */

static int user_add(int argc, char **argv)
{
	static const char allowed[] = {OPT_DB, OPT_EMAIL, OPT_NAME, OPT_ORG, OPT_LANG, OPT_ROLE,
				       OPT_EVENT, OPT_SERIES, 0};
	struct user_opts o;
	struct db *db = NULL;
	struct auth_grant g;
	struct principal cli;
	char pw[AUTH_PASSWORD_MAX + 2], msg[200];
	int has_grant, rc;
	int64_t id;
	if ((rc = parse(argc, argv, "add", allowed, &o)) != 0)
		return rc < 0 ? 0 : rc;
	if (!o.email || !o.name)
		return fail_usage("add", "--email and --name are required");
	struct account_new a = {.email = o.email, .name = o.name, .organisation = o.organisation,
				.lang = o.lang};
	enum hm_err e = auth_account_check(&a, msg, sizeof(msg));
	if (e != HM_OK) {
		fprintf(stderr, "harmony user add: %s\n", msg);
		return hm_err_exit_code(e);
	}
	if ((rc = open_db("add", o.db, &db)) != 0)
		return rc;
	if ((rc = resolve_grant("add", db, &o, 1, &g, &has_grant)) != 0)
		goto out;
	if (auth_account_find(db, o.email, &id) == HM_OK) {
		fprintf(stderr, "harmony user add: an account with the e-mail %s exists\n", o.email);
		rc = hm_err_exit_code(HM_EEXIST);
		goto out;
	}
	if ((rc = get_password("add", o.email, pw, sizeof(pw))) != 0)
		goto out;
	a.password = pw;
	a.grant = has_grant ? &g : NULL;
	auth_principal_cli(&cli);
	e = auth_account_create(db, &cli, &a, (int64_t)time(NULL), &id, msg, sizeof(msg));
	if (e != HM_OK) {
		fprintf(stderr, "harmony user add: %s\n", msg[0] ? msg : hm_err_str(e));
		rc = hm_err_exit_code(e);
		goto out;
	}
	json_t *acc = auth_account_get(db, id);
	printf("account %lld created: %s, ", (long long)id,
	       json_string_value(json_object_get(acc, "email")));
	json_decref(acc);
	print_grant(&o, &g, has_grant);
	putchar('\n');
out:
	sodium_memzero(pw, sizeof(pw));
	db_close(db);
	return rc;
}

static void print_roles(json_t *roles)
{
	size_t i;
	json_t *r;
	if (json_array_size(roles) == 0) {
		fputs("participant", stdout);
		return;
	}
	json_array_foreach(roles, i, r) {
		const char *role = json_string_value(json_object_get(r, "role"));
		const char *ev = json_string_value(json_object_get(r, "event_slug"));
		const char *se = json_string_value(json_object_get(r, "series_slug"));
		printf("%s%s", i ? ", " : "", role);
		if (ev)
			printf(" of event %s", ev);
		else if (se)
			printf(" of series %s", se);
	}
}

static int user_list(int argc, char **argv)
{
	static const char allowed[] = {OPT_DB, OPT_FORMAT, 0};
	struct user_opts o;
	struct db *db = NULL;
	int rc;
	if ((rc = parse(argc, argv, "list", allowed, &o)) != 0)
		return rc < 0 ? 0 : rc;
	if ((rc = open_db("list", o.db, &db)) != 0)
		return rc;
	json_t *list = auth_account_list(db);
	if (o.json) {
		char *s = json_dumps(list, JSON_INDENT(2));
		puts(s ? s : "[]");
		free(s);
	} else {
		size_t i;
		json_t *a;
		json_array_foreach(list, i, a) {
			printf("%lld\t%s\t%s\t",
			       (long long)json_integer_value(json_object_get(a, "id")),
			       json_string_value(json_object_get(a, "email")),
			       json_string_value(json_object_get(a, "name")));
			print_roles(json_object_get(a, "roles"));
			putchar('\n');
		}
		if (json_array_size(list) == 0)
			fprintf(stderr, "no accounts yet (add one with 'harmony user add')\n");
	}
	json_decref(list);
	db_close(db);
	return 0;
}

static int user_passwd(int argc, char **argv)
{
	static const char allowed[] = {OPT_DB, OPT_EMAIL, 0};
	struct user_opts o;
	struct db *db = NULL;
	struct principal cli;
	char pw[AUTH_PASSWORD_MAX + 2], msg[200];
	int64_t id;
	int rc;
	if ((rc = parse(argc, argv, "passwd", allowed, &o)) != 0)
		return rc < 0 ? 0 : rc;
	if (!o.email)
		return fail_usage("passwd", "--email is required");
	if ((rc = open_db("passwd", o.db, &db)) != 0)
		return rc;
	enum hm_err e = auth_account_find(db, o.email, &id);
	if (e != HM_OK) {
		fprintf(stderr, "harmony user passwd: no account with the e-mail %s\n", o.email);
		rc = hm_err_exit_code(e);
		goto out;
	}
	if ((rc = get_password("passwd", o.email, pw, sizeof(pw))) != 0)
		goto out;
	auth_principal_cli(&cli);
	e = auth_password_set(db, &cli, id, pw, (int64_t)time(NULL), msg, sizeof(msg));
	if (e != HM_OK) {
		fprintf(stderr, "harmony user passwd: %s\n", msg[0] ? msg : hm_err_str(e));
		rc = hm_err_exit_code(e);
		goto out;
	}
	printf("password of %s changed; signed out everywhere\n", o.email);
out:
	sodium_memzero(pw, sizeof(pw));
	db_close(db);
	return rc;
}

static int user_grant_or_revoke(int argc, char **argv, int grant)
{
	static const char allowed[] = {OPT_DB, OPT_EMAIL, OPT_ROLE, OPT_EVENT, OPT_SERIES, 0};
	const char *cmd = grant ? "grant" : "revoke";
	struct user_opts o;
	struct db *db = NULL;
	struct auth_grant g;
	struct principal cli;
	int64_t id;
	int rc, has_grant;
	if ((rc = parse(argc, argv, cmd, allowed, &o)) != 0)
		return rc < 0 ? 0 : rc;
	if (!o.email)
		return fail_usage(cmd, "--email is required");
	if ((rc = open_db(cmd, o.db, &db)) != 0)
		return rc;
	if ((rc = resolve_grant(cmd, db, &o, 0, &g, &has_grant)) != 0)
		goto out;
	enum hm_err e = auth_account_find(db, o.email, &id);
	if (e != HM_OK) {
		fprintf(stderr, "harmony user %s: no account with the e-mail %s\n", cmd, o.email);
		rc = hm_err_exit_code(e);
		goto out;
	}
	auth_principal_cli(&cli);
	e = grant ? auth_role_grant(db, &cli, id, &g, (int64_t)time(NULL))
		  : auth_role_revoke(db, &cli, id, &g, (int64_t)time(NULL));
	if (e != HM_OK) {
		if (e == HM_EEXIST)
			fprintf(stderr, "harmony user grant: %s already has that role\n", o.email);
		else if (e == HM_ENOTFOUND)
			fprintf(stderr, "harmony user revoke: %s does not have that role\n", o.email);
		else
			fprintf(stderr, "harmony user %s: %s\n", cmd, hm_err_str(e));
		rc = hm_err_exit_code(e);
		goto out;
	}
	printf("%s %s: ", o.email, grant ? "is now" : "is no longer");
	print_grant(&o, &g, has_grant);
	putchar('\n');
out:
	db_close(db);
	return rc;
}

static int user_grant(int argc, char **argv)
{
	return user_grant_or_revoke(argc, argv, 1);
}

static int user_revoke(int argc, char **argv)
{
	return user_grant_or_revoke(argc, argv, 0);
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} subcommands[] = {
	{"add", user_add},       {"list", user_list},     {"passwd", user_passwd},
	{"grant", user_grant},   {"revoke", user_revoke},
};

int cli_user(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	if (auth_init() != HM_OK) {
		fprintf(stderr, "harmony user: cannot start the cryptography library\n");
		return hm_err_exit_code(HM_EINTERNAL);
	}
	for (size_t i = 0; i < HM_ARRAY_LEN(subcommands); i++)
		if (strcmp(argv[1], subcommands[i].name) == 0)
			return subcommands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "harmony user: unknown command '%s'\n%s", argv[1], usage);
	return 2;
}
