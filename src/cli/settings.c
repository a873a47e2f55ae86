/*
 * settings.c — `harmony settings list|get|set|unset`: reads and changes
 * the site's settings as the "cli" principal, checked by the same rules
 * and audited as the admin page's changes are.
 */
#include "cli/settings.h"

#include "auth/auth.h"
#include "db/db.h"
#include "features/system/settings.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_DB "harmony.db"

static const char usage[] =
	"usage: harmony settings list [--db PATH] [--format text|json]\n"
	"       harmony settings get [--db PATH] KEY\n"
	"       harmony settings set [--db PATH] KEY VALUE\n"
	"       harmony settings unset [--db PATH] KEY\n"
	"keys: site_name (required), site_tagline, mail_from (\"Name <address>\" or an\n"
	"address; the sender of every e-mail), timezone (an IANA zone, such as\n"
	"Asia/Shanghai)\n";

static int fail_usage(const char *what)
{
	fprintf(stderr, "harmony settings: %s\n%s", what, usage);
	return 2;
}

int cli_settings(int argc, char **argv)
{
	static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
					     {"format", required_argument, NULL, 'f'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *path = DEFAULT_DB, *format = "text";
	if (argc < 2)
		return fail_usage("say list, get, set or unset");
	const char *cmd = argv[1];
	int c;
	optind = 1;
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd')
			path = optarg;
		else if (c == 'f')
			format = optarg;
		else if (c == 'h') {
			fputs(usage, stdout);
			return 0;
		} else
			return fail_usage("unknown or incomplete option");
	}
	int nargs = argc - optind;
	char **args = argv + optind;
	int want = strcmp(cmd, "list") == 0 ? 0
		   : strcmp(cmd, "get") == 0 || strcmp(cmd, "unset") == 0 ? 1
		   : strcmp(cmd, "set") == 0 ? 2
					     : -1;
	if (want < 0)
		return fail_usage("say list, get, set or unset");
	if (nargs != want)
		return fail_usage(want == 0 ? "list takes no argument"
				  : want == 1 ? "name one setting"
					      : "name one setting and its value");
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)
		return fail_usage("--format is text or json");
	const struct setting_def *d = want ? settings_def(args[0]) : NULL;
	if (want && !d) {
		fprintf(stderr, "harmony settings: there is no setting %s\n%s", args[0], usage);
		return 2;
	}
	if (want == 2) {
		const char *why = settings_problem(d, args[1]);
		if (why) {
			fprintf(stderr, "harmony settings set %s: %s\n", d->key, why);
			return 2;
		}
	}
	struct db *db = NULL;
	char err[512];
	enum hm_err e = db_open(path, DB_OPEN_EXISTING, 0, &db, err, sizeof(err));
	if (e != HM_OK) {
		fprintf(stderr, "harmony settings %s: %s\n", cmd, err);
		return hm_err_exit_code(e);
	}
	int rc = 0;
	json_t *values = NULL, *changes = NULL;
	if (want < 2 && strcmp(cmd, "unset") != 0) {
		values = settings_values(db);
		if (!d && strcmp(format, "json") == 0) {
			char *s = json_dumps(values, JSON_SORT_KEYS | JSON_INDENT(2));
			puts(s);
			free(s);
		} else if (!d) {
			size_t n;
			const struct setting_def *all = settings_defs(&n);
			for (size_t i = 0; i < n; i++) {
				const char *v = json_string_value(json_object_get(values, all[i].key));
				printf("%s\t%s\n", all[i].key, v ? v : "");
			}
		} else {
			const char *v = json_string_value(json_object_get(values, d->key));
			if (v)
				puts(v);
			else {
				fprintf(stderr, "harmony settings get: %s is not set\n", d->key);
				rc = hm_err_exit_code(HM_ENOTFOUND);
			}
		}
		goto out;
	}
	if (strcmp(cmd, "unset") == 0 && d->required) {
		fprintf(stderr, "harmony settings unset: %s is required; set another value\n", d->key);
		rc = 2;
		goto out;
	}
	struct principal cli;
	auth_principal_cli(&cli);
	changes = json_pack("{s:s}", d->key, want == 2 ? args[1] : "");
	const char *bad = NULL, *why = NULL;
	e = settings_update(db, &cli, changes, (int64_t)time(NULL), &bad, &why);
	if (e != HM_OK) {
		fprintf(stderr, "harmony settings %s %s: %s\n", cmd, d->key, why ? why : hm_err_str(e));
		rc = e == HM_EINVAL ? 2 : hm_err_exit_code(e);
		goto out;
	}
	printf("%s %s\n", d->key, want == 2 ? "set" : "unset");
out:
	json_decref(values);
	json_decref(changes);
	db_close(db);
	return rc;
}
