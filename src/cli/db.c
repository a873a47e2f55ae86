/*
 * db.c — `harmony db copy --from SRC --to DST` and `harmony db backup
 * --db SRC --to FILE`: parse, call src/db/copy.c, print the rows per
 * table and where the uploaded images are (they are files, not rows).
 * A restore is `db copy --from BACKUP --to TARGET`.
 */
#include "cli/db.h"

#include "db/copy.h"
#include "db/db.h"
#include "media/media.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_DB "harmony.db"

static const char usage[] =
	"usage: harmony db copy --from SRC --to DST\n"
	"       harmony db backup [--db SRC] --to FILE\n"
	"SRC and DST are each a SQLite file or a PostgreSQL URI (postgresql://...).\n"
	"copy:   every row of the harmony database SRC (of this harmony's schema) into\n"
	"        DST, which must hold no data (a new file, an empty PostgreSQL database,\n"
	"        or one 'harmony init' made), in one transaction. A restore is a copy\n"
	"        from the backup file.\n"
	"backup: SRC (default " DEFAULT_DB ") into the new SQLite file FILE: a consistent\n"
	"        snapshot, also while the server runs.\n"
	"Uploaded images are files in the media folder, not rows: copy that folder too.\n";

static int fail_usage(const char *cmd, const char *what)
{
	fprintf(stderr, "harmony db %s: %s\n%s", cmd, what, usage);
	return 2;
}

struct totals {
	int64_t rows;
	int tables;
};

static void print_table(const char *table, int64_t rows, void *ctx)
{
	struct totals *t = ctx;
	printf("  %-24s %10lld\n", table, (long long)rows);
	t->rows += rows;
	t->tables++;
}

/* Where the images of the database spec are unless --media named another
 * folder: beside a SQLite file, ./media for PostgreSQL. */
static void print_media(const char *spec)
{
	char *dir = media_default_dir(db_file_of(spec));
	printf("uploaded images are not in the database: the rows name them, the files stay in the\n"
	       "media folder (%s by default, or the --media the server is given); serve the\n"
	       "new database with that folder: copy it beside it or name it with --media\n",
	       dir);
	free(dir);
}

/* Parses --from/--db and --to; 0 when done, else the exit code. */
static int parse(const char *cmd, int argc, char **argv, const char **from, const char **to,
		 int *help)
{
	static const struct option opts[] = {
		{"from", required_argument, NULL, 'f'}, {"db", required_argument, NULL, 'd'},
		{"to", required_argument, NULL, 't'},   {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int is_copy = strcmp(cmd, "copy") == 0, c;
	char what[160];
	optind = 0; /* a full restart of getopt */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
		case 'd':
			if ((c == 'f') != is_copy) {
				snprintf(what, sizeof(what), "%s takes %s", cmd,
					 is_copy ? "--from, not --db" : "--db, not --from");
				return fail_usage(cmd, what);
			}
			*from = optarg;
			break;
		case 't': *to = optarg; break;
		case 'h': *help = 1; return 0;
		default:
			snprintf(what, sizeof(what), "unknown or incomplete option '%s'", argv[optind - 1]);
			return fail_usage(cmd, what);
		}
	}
	if (optind < argc) {
		snprintf(what, sizeof(what), "unexpected argument '%s'", argv[optind]);
		return fail_usage(cmd, what);
	}
	if (!*from || !**from)
		return fail_usage(cmd, "--from SRC is missing");
	if (!*to || !**to)
		return fail_usage(cmd, "--to is missing");
	return 0;
}

/* What copy and backup share: parse, run fn, print its refusal or each
 * table's rows and the total. -1 when fn went through (*from and *ends
 * say what it did), else the exit code. */
static int transfer(const char *cmd, const char *from_default,
		    enum hm_err (*fn)(const char *, const char *, db_copy_each, void *,
				      struct db_copy_ends *, char *, size_t),
		    int argc, char **argv, const char **from, struct db_copy_ends *ends)
{
	const char *to = NULL;
	int help = 0;
	*from = from_default;
	int rc = parse(cmd, argc, argv, from, &to, &help);
	if (help) {
		fputs(usage, stdout);
		return 0;
	}
	if (rc)
		return rc;
	char err[1024];
	struct totals t = {0};
	enum hm_err e = fn(*from, to, print_table, &t, ends, err, sizeof(err));
	if (e != HM_OK) {
		fprintf(stderr, "harmony db %s: %s\n", cmd, err);
		if (fn == db_copy && (e == HM_EDB || e == HM_EBUSY || e == HM_EINVAL))
			fprintf(stderr, "harmony db copy: nothing was copied (one transaction, rolled "
					"back)\n");
		return hm_err_exit_code(e);
	}
	printf("  %-24s %10lld rows in %d tables\n", "total", (long long)t.rows, t.tables);
	return -1;
}

static int cmd_copy(int argc, char **argv)
{
	const char *from;
	struct db_copy_ends ends = {0};
	int rc = transfer("copy", NULL, db_copy, argc, argv, &from, &ends);
	if (rc >= 0)
		return rc;
	printf("copied %s to %s (schema version %d), in one transaction\n", ends.from, ends.to,
	       ends.version);
	print_media(from);
	return 0;
}

static int cmd_backup(int argc, char **argv)
{
	const char *from;
	struct db_copy_ends ends = {0};
	int rc = transfer("backup", DEFAULT_DB, db_backup, argc, argv, &from, &ends);
	if (rc >= 0)
		return rc;
	printf("backed up %s to %s (schema version %d); restore it with\n"
	       "  harmony db copy --from %s --to EMPTY-DATABASE\n",
	       ends.from, ends.to, ends.version, ends.to);
	print_media(from);
	return 0;
}

int cli_db(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "copy") == 0)
		return cmd_copy(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "backup") == 0)
		return cmd_backup(argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(usage, stdout);
		return 0;
	}
	fprintf(stderr, "harmony db: %s\n%s",
		argc < 2 ? "which command? (copy, backup)" : "unknown command", usage);
	return 2;
}
