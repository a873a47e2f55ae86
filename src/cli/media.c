/*
 * media.c — `harmony media prune`: the sweep of src/media/prune.c run by
 * hand (or from cron), printing each file it removes, or with --dry-run
 * would remove, and a summary line. Recorded in the audit log as "cli".
 */
#include "cli/media.h"

#include "auth/auth.h"
#include "db/db.h"
#include "media/media.h"
#include "site/web.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define DEFAULT_DB "harmony.db"
#define GRACE_MAX_HOURS 87600 /* ten years */

static const char usage[] =
	"usage: harmony media prune [--db PATH] [--media DIR] [--grace HOURS] [--dry-run]\n"
	"Removes the uploaded images (and their thumbnails) that no news post or\n"
	"organisation uses and that were not uploaded again for HOURS (default 24).\n"
	"DIR defaults to the folder media beside the database. --dry-run only\n"
	"lists what would be removed.\n";

static int fail_usage(const char *what)
{
	fprintf(stderr, "harmony media prune: %s\n%s", what, usage);
	return 2;
}

static void print_file(const char *name, int64_t bytes, void *ctx)
{
	printf("%s %s (%lld bytes)\n", *(const int *)ctx ? "would remove" : "removed", name,
	       (long long)bytes);
}

static int cmd_prune(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},	 {"media", required_argument, NULL, 'm'},
		{"grace", required_argument, NULL, 'g'}, {"dry-run", no_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},	 {NULL, 0, NULL, 0},
	};
	const char *db_path = DEFAULT_DB, *dir = NULL;
	long hours = MEDIA_PRUNE_GRACE_DEFAULT / 3600;
	int dry = 0, c;
	optind = 0; /* a full restart of getopt */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db_path = optarg; break;
		case 'm': dir = optarg; break;
		case 'n': dry = 1; break;
		case 'h': fputs(usage, stdout); return 0;
		case 'g': {
			char *end;
			hours = strtol(optarg, &end, 10);
			if (end == optarg || *end || hours < 0 || hours > GRACE_MAX_HOURS)
				return fail_usage("--grace takes a whole number of hours from 0 to 87600");
			break;
		}
		default: {
			char what[160];
			snprintf(what, sizeof(what), "unknown or incomplete option '%s'",
				 argv[optind - 1]);
			return fail_usage(what);
		}
		}
	}
	if (optind < argc) {
		char what[160];
		snprintf(what, sizeof(what), "unexpected argument '%s'", argv[optind]);
		return fail_usage(what);
	}

	char err[512];
	struct db *db = NULL;
	enum hm_err e = db_open(db_path, DB_OPEN_EXISTING, 0, &db, err, sizeof(err));
	if (e != HM_OK) {
		fprintf(stderr, "harmony media prune: %s\n", err);
		return hm_err_exit_code(e);
	}
	/* No folder, no uploads: fine where it is the default, an error where
	 * one was named (a mistyped path must not look like a clean sweep). */
	char *media = dir ? xstrdup(dir) : media_default_dir(db_file_of(db_path));
	struct stat sb;
	int rc = 0;
	if (stat(media, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		if (dir) {
			fprintf(stderr, "harmony media prune: there is no media folder %s\n", media);
			rc = 3;
		} else {
			printf("no media folder at %s: nothing to remove\n", media);
		}
		goto out;
	}
	if ((e = media_init(media)) != HM_OK) {
		rc = hm_err_exit_code(e);
		goto out;
	}
	struct principal cli;
	auth_principal_cli(&cli);
	struct media_prune_opts o = {
		.now = (int64_t)time(NULL),
		.grace = (int64_t)hours * 3600,
		.dry_run = dry,
		.actor = &cli,
		.each = print_file,
		.ctx = &dry,
	};
	struct media_prune_result r;
	size_t nrefs;
	const struct media_ref *refs = web_media_refs(&nrefs);
	e = media_prune(db, refs, nrefs, &o, &r);
	int store_failed = e == HM_EDB || e == HM_EBUSY; /* the store, not the folder */
	if (e != HM_OK && !store_failed) {
		fprintf(stderr, "harmony media prune: cannot read the media folder %s\n", media);
		rc = hm_err_exit_code(e);
		goto out;
	}
	if (store_failed && !r.removed) {
		fprintf(stderr, "harmony media prune: cannot read what the database refers to; "
				"nothing removed\n");
		rc = hm_err_exit_code(e);
		goto out;
	}
	printf("%s %zu file%s (%lld bytes); kept %zu in use, %zu uploaded within the last %ld hours\n",
	       dry ? "would remove" : "removed", r.removed, r.removed == 1 ? "" : "s",
	       (long long)r.bytes, r.in_use, r.recent, hours);
	if (store_failed) {
		fprintf(stderr, "harmony media prune: the removals could not be recorded in the "
				"audit log\n");
		rc = hm_err_exit_code(e);
	}
out:
	free(media);
	db_close(db);
	return rc;
}

int cli_media(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "prune") == 0)
		return cmd_prune(argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(usage, stdout);
		return 0;
	}
	fprintf(stderr, "harmony media: %s\n%s",
		argc < 2 ? "which command? (prune)" : "unknown command", usage);
	return 2;
}
