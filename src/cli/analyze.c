/*
 * analyze.c — `harmony analyze`: reads an export folder, runs the dialogue
 * analysis (cold, replayed, or with membership given by a Pol.is math
 * blob), adds bridging and declared-group consensus, prints text or JSON.
 * All computation lives in src/dialogue/analysis/; this file does the I/O.
 */
#include "cli/analyze.h"

#include "core/core.h"
#include "dialogue/analysis/analysis.h"
#include "dialogue/analysis/bridging.h"
#include "dialogue/analysis/dataset.h"
#include "dialogue/analysis/declared.h"
#include "dialogue/analysis/import.h"
#include "dialogue/analysis/report.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

static const char usage[] =
	"usage: harmony analyze PATH [--format text|json] [--mode compat|scale]\n"
	"                            [--groups-from FILE] [--membership FILE]\n"
	"                            [--replay] [--tick N | --tick-ms MS] [--keep-clustered]\n"
	"                            [--meta IDS] [--no-bridging] [--output FILE]\n"
	"PATH is a Pol.is export folder (votes.csv or participants-votes.csv, and\n"
	"comments.csv) or a folder with votes.json and comments.json.\n"
	"--meta 0-14,20 marks statements as meta when the export lacks is-meta.\n";

struct opts {
	const char *path;
	int json;
	enum analysis_mode mode;
	const char *groups_from;
	const char *membership;
	const char *output;
	const char *meta;
	int replay;
	int keep_clustered;
	uint32_t tick;
	int64_t tick_ms;
	int bridging;
};

/*
 * A run reads and builds a few tens of MB once, and on a virtual machine
 * each 4 KiB page first touched costs a trap (about 15 µs measured here:
 * 3,000 of them were half of a run's CPU time). So for this command:
 * blocks up to 32 MB come from the heap rather than fresh mappings, freed
 * memory stays there for reuse, and the heap is reserved up front and
 * advised to use 2 MiB pages (one trap and one clear per 2 MiB). Only
 * advice: memory not touched costs nothing, and any failure leaves the
 * allocator as it was.
 */
static void heap_setup(void)
{
#if defined(__GLIBC__) && defined(MADV_HUGEPAGE)
	const size_t huge = 2u << 20, reserve = 256u << 20;
	/* one arena: the reading and computing threads allocate from this
	 * heap too (rarely, so without contention), and what one frees
	 * another reuses instead of touching fresh pages of its own arena */
	if (!mallopt(M_MMAP_THRESHOLD, 32 << 20) || !mallopt(M_TRIM_THRESHOLD, (int)(reserve * 2)) ||
	    !mallopt(M_TOP_PAD, (int)reserve) || !mallopt(M_ARENA_MAX, 1))
		return;
	char *b0 = sbrk(0);
	/* more than the heap has free: it grows by this and the pad
	 * (volatile: the compiler may not drop this malloc/free pair) */
	void *volatile p = malloc(16u << 20);
	char *b1 = sbrk(0);
	free(p);
	if (b0 == (char *)-1 || b1 == (char *)-1 || b1 <= b0)
		return;
	uintptr_t a = ((uintptr_t)b0 + huge - 1) & ~(uintptr_t)(huge - 1), e = (uintptr_t)b1 & ~(uintptr_t)(huge - 1);
	if (e > a)
		(void)madvise((void *)a, e - a, MADV_HUGEPAGE);
#endif
}

static int read_whole(const char *path, char **data, size_t *len, char *err, size_t err_len)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char tmp[65536];
	size_t n;
	struct stat st;
	if (!f) {
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf_init(&b);
	/* a regular file: its size up front, so the buffer is not regrown */
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		buf_grow(&b, (size_t)st.st_size);
	while (b.cap > b.len + 1 && (n = fread(b.data + b.len, 1, b.cap - b.len - 1, f)) > 0) {
		b.len += n;
		b.data[b.len] = '\0';
	}
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_append(&b, tmp, n);
	if (ferror(f)) {
		snprintf(err, err_len, "%s: read error", path);
		fclose(f);
		buf_free(&b);
		return -1;
	}
	fclose(f);
	*len = b.len;
	*data = buf_steal(&b);
	return 0;
}

/* votes.csv from this size on is streamed in scale mode */
#define STREAM_MIN_BYTES ((off_t)64 << 20)

/* Size of dir/name, or -1. */
static off_t file_size(const char *dir, const char *name)
{
	char *p = xasprintf("%s/%s", dir, name);
	struct stat st;
	off_t n = stat(p, &st) == 0 && S_ISREG(st.st_mode) ? st.st_size : -1;
	free(p);
	return n;
}

static int file_exists(const char *dir, const char *name)
{
	char *p = xasprintf("%s/%s", dir, name);
	struct stat st;
	int ok = stat(p, &st) == 0 && S_ISREG(st.st_mode);
	free(p);
	return ok;
}

typedef enum hm_err (*reader_fn)(struct dataset *d, const char *data, size_t len, const char *fname,
				 struct import_err *err);

/* Reads dir/name with one of the readers; prints the error. */
static enum hm_err read_folder_log(const char *dir, struct dataset *d);

static enum hm_err load(const char *dir, const char *name, struct dataset *d, int kind, int flag)
{
	char *path = xasprintf("%s/%s", dir, name), *data = NULL, msg[512];
	size_t len = 0;
	struct import_err err;
	enum hm_err rc;
	memset(&err, 0, sizeof(err));
	if (read_whole(path, &data, &len, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "harmony analyze: %s\n", msg);
		free(path);
		return HM_EIO;
	}
	switch (kind) {
	case 0:
		rc = import_comments_csv(d, data, len, path, &err);
		break;
	case 1:
		rc = import_votes_csv(d, data, len, path, flag, &err);
		break;
	case 2:
		rc = import_participants_votes_csv(d, data, len, path, flag, &err);
		break;
	case 3:
		rc = import_comments_json(d, data, len, path, &err);
		break;
	default:
		rc = import_votes_json(d, data, len, path, flag, &err);
		break;
	}
	if (rc) {
		import_err_format(&err, msg, sizeof(msg));
		fprintf(stderr, "harmony analyze: %s\n", msg);
	}
	free(data);
	free(path);
	return rc;
}

static void progress(void *ctx, const char *stage)
{
	(void)ctx;
	fprintf(stderr, "analyze: %s…\n", stage);
}

static void tick_progress(void *ctx, uint32_t tick, uint32_t n_ticks)
{
	(void)ctx;
	if (tick == n_ticks || tick % 50 == 0)
		fprintf(stderr, "\ranalyze: replay tick %u/%u", tick, n_ticks);
	if (tick == n_ticks)
		fputc('\n', stderr);
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->mode = ANALYSIS_COMPAT;
	o->tick = 0;
	o->tick_ms = 0;
	o->bridging = 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--format") && val) {
			if (!strcmp(val, "json"))
				o->json = 1;
			else if (strcmp(val, "text"))
				return -1;
			i++;
		} else if (!strcmp(a, "--mode") && val) {
			if (!strcmp(val, "scale"))
				o->mode = ANALYSIS_SCALE;
			else if (strcmp(val, "compat"))
				return -1;
			i++;
		} else if (!strcmp(a, "--groups-from") && val) {
			o->groups_from = val;
			i++;
		} else if (!strcmp(a, "--membership") && val) {
			o->membership = val;
			i++;
		} else if (!strcmp(a, "--meta") && val) {
			o->meta = val;
			i++;
		} else if (!strcmp(a, "--output") && val) {
			o->output = val;
			i++;
		} else if (!strcmp(a, "--tick") && val) {
			char *end;
			unsigned long t = strtoul(val, &end, 10);
			if (*end || !t || t > 100000000)
				return -1;
			o->tick = (uint32_t)t;
			i++;
		} else if (!strcmp(a, "--tick-ms") && val) {
			char *end;
			long long t = strtoll(val, &end, 10);
			if (*end || t <= 0)
				return -1;
			o->tick_ms = t;
			i++;
		} else if (!strcmp(a, "--replay")) {
			o->replay = 1;
		} else if (!strcmp(a, "--keep-clustered")) {
			o->keep_clustered = 1;
		} else if (!strcmp(a, "--no-bridging")) {
			o->bridging = 0;
		} else if (a[0] == '-' && a[1]) {
			return -1;
		} else if (!o->path) {
			o->path = a;
		} else {
			return -1;
		}
	}
	/* replay ticks: by default what arrived within a second, as Pol.is's
	 * poller batches votes; --tick N for a tick every N votes */
	if (!o->tick && !o->tick_ms)
		o->tick_ms = 1000;
	if (o->tick && o->tick_ms)
		return -1;
	return o->path ? 0 : -1;
}

/* ---- votes.csv in parts, one thread each (vote_stream_part) ---- */

/* Parts are worth their threads from this size on, each at least this */
#define PART_MIN_BYTES ((off_t)16 << 20)
#define MAX_PARTS 8

struct part_job {
	struct vote_stream *vs;
	int fd;
	off_t from, to;
	enum hm_err rc;
	struct import_err err;
	pthread_t thread;
	int started;
};

/* Feeds bytes [from, to) of the file to the part's stream. */
static void *read_part(void *arg)
{
	struct part_job *j = arg;
	enum { CHUNK = 4 << 20 };
	char *chunk = xmalloc(CHUNK);
	off_t at = j->from;
	while (!j->rc && at < j->to) {
		size_t want = j->to - at < CHUNK ? (size_t)(j->to - at) : CHUNK;
		ssize_t n = pread(j->fd, chunk, want, at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) { /* an error or a file that shrank: one stream decides */
			j->rc = HM_EBUSY;
			break;
		}
		j->rc = vote_stream_feed(j->vs, chunk, (size_t)n, &j->err);
		at += n;
	}
	free(chunk);
	return NULL;
}

/* Reads votes.csv (size bytes, open as fd) into s's dataset in n parts on
 * n threads. HM_EBUSY: read it in one stream instead (s is spent then). */
static enum hm_err read_parts(struct vote_stream *s, int fd, off_t size, unsigned n)
{
	struct part_job job[MAX_PARTS];
	struct vote_stream *parts[MAX_PARTS];
	off_t start[MAX_PARTS + 1];
	enum { PROBE = 1 << 16, WINDOW = 1 << 18 };
	char *buf = xmalloc(WINDOW);
	struct import_err err;
	enum hm_err rc = HM_OK;
	unsigned i;
	memset(job, 0, sizeof(job));
	memset(&err, 0, sizeof(err));
	/* the header, fed alone to s */
	ssize_t got = pread(fd, buf, PROBE, 0);
	const char *nl = got > 0 ? memchr(buf, '\n', (size_t)got) : NULL;
	if (!nl || vote_stream_feed(s, buf, (size_t)(nl - buf + 1), &err)) {
		free(buf);
		return HM_EBUSY;
	}
	start[0] = nl - buf + 1;
	start[n] = size;
	/* the other parts start at a participant's first line near an nth
	 * of the file */
	for (i = 1; i < n && !rc; i++) {
		off_t at = start[0] + (size - start[0]) / n * i;
		size_t off;
		got = pread(fd, buf, WINDOW, at);
		if (got <= 0 || (off = vote_stream_part_start(s, buf, (size_t)got)) == SIZE_MAX ||
		    at + (off_t)off <= start[i - 1])
			rc = HM_EBUSY;
		else
			start[i] = at + (off_t)off;
	}
	free(buf);
	if (rc)
		return rc;
	for (i = 0; i < n; i++) {
		job[i].fd = fd;
		job[i].from = start[i];
		job[i].to = start[i + 1];
		/* the first part sizes its arrays for the whole file, so that the
		 * join appends the others without moving it */
		job[i].vs = parts[i] = vote_stream_part(s, (uint64_t)(i ? start[i + 1] - start[i] : size - start[0]));
		if (!parts[i])
			rc = HM_EBUSY;
	}
	if (rc) {
		for (i = 0; i < n; i++)
			vote_stream_free(parts[i]);
		return rc;
	}
	/* this thread reads the first part */
	for (i = 1; i < n; i++)
		job[i].started = !pthread_create(&job[i].thread, NULL, read_part, &job[i]);
	read_part(&job[0]);
	for (i = 1; i < n; i++) {
		if (job[i].started)
			pthread_join(job[i].thread, NULL);
		else
			read_part(&job[i]);
	}
	for (i = 0; i < n && !rc; i++)
		if (job[i].rc)
			rc = HM_EBUSY;
	if (rc) {
		for (i = 0; i < n; i++)
			vote_stream_free(parts[i]);
		return rc;
	}
	return vote_stream_join(s, parts, n, &err);
}

/* How many parts to read a file of size bytes in: one per core. */
static unsigned parts_for(off_t size)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	off_t n = cores > 1 ? cores : 1;
	if (n > MAX_PARTS)
		n = MAX_PARTS;
	if (n > size / PART_MIN_BYTES)
		n = size / PART_MIN_BYTES;
	return n > 1 ? (unsigned)n : 1;
}

/* dir/votes.csv in chunks straight into m (scale mode), in parts on
 * several threads when parts > 1. HM_ECONFLICT: the file needs the full
 * reader (see vote_stream_finish). HM_EBUSY: the parts could not be
 * joined; d holds some participants and the file must be read again in
 * one stream (parts = 1). */
static enum hm_err stream_votes(const char *dir, struct dataset *d, struct vote_csr *m, int parts)
{
	char *path = xasprintf("%s/votes.csv", dir), msg[512];
	FILE *f = fopen(path, "rb");
	struct import_err err;
	enum hm_err rc = HM_OK;
	memset(&err, 0, sizeof(err));
	if (!f) {
		fprintf(stderr, "harmony analyze: %s: %s\n", path, strerror(errno));
		free(path);
		return HM_EIO;
	}
	enum { CHUNK = 16 << 20 };
	char *chunk = xmalloc(CHUNK);
	struct vote_stream *vs = vote_stream_new(d, path, 1);
	size_t n;
	struct stat sb;
	double total = fstat(fileno(f), &sb) == 0 && sb.st_size > 0 ? (double)sb.st_size : 0, done = 0;
	int tty = isatty(STDERR_FILENO);
	unsigned n_parts = parts && S_ISREG(sb.st_mode) ? parts_for(sb.st_size) : 1;
	if (n_parts > 1) {
		rc = read_parts(vs, fileno(f), sb.st_size, n_parts);
		if (!rc)
			rc = vote_stream_finish(vs, m, &err);
		goto done;
	}
	while (!rc && (n = fread(chunk, 1, CHUNK, f)) > 0) {
		rc = vote_stream_feed(vs, chunk, n, &err);
		done += (double)n;
		if (tty && total > 0)
			fprintf(stderr, "\ranalyze: reading votes.csv %3.0f%%", 100.0 * done / total);
	}
	if (tty && total > 0)
		fputc('\n', stderr);
	if (!rc && ferror(f)) {
		fprintf(stderr, "harmony analyze: %s: read error\n", path);
		rc = HM_EIO;
	} else if (!rc) {
		rc = vote_stream_finish(vs, m, &err);
	}
done:
	if (rc && rc != HM_EIO && rc != HM_ECONFLICT && rc != HM_EBUSY) {
		import_err_format(&err, msg, sizeof(msg));
		fprintf(stderr, "harmony analyze: %s\n", msg);
	}
	vote_stream_free(vs);
	free(chunk);
	fclose(f);
	free(path);
	return rc;
}

/* Reads the folder into d; in streaming mode (scale) votes.csv goes
 * straight into m and *have_m is set. */
static enum hm_err read_folder(const char *dir, struct dataset *d, struct vote_csr *m, int stream,
			       int *have_m)
{
	*have_m = 0;
	/* Streaming saves memory on big files. A small one is read whole:
	 * real exports have a participant's repeated votes out of time order,
	 * which streaming reads only to start over (HM_ECONFLICT below). */
	if (stream && file_size(dir, "votes.csv") < STREAM_MIN_BYTES)
		stream = 0;
	if (stream && file_exists(dir, "comments.csv") && file_exists(dir, "votes.csv")) {
		enum hm_err rc = load(dir, "comments.csv", d, 0, 0);
		if (!rc)
			rc = stream_votes(dir, d, m, 1);
		if (rc == HM_EBUSY) {
			/* not in parts: again, in one stream */
			dataset_free(d);
			dataset_init(d);
			rc = load(dir, "comments.csv", d, 0, 0);
			if (!rc)
				rc = stream_votes(dir, d, m, 0);
		}
		if (!rc) {
			*have_m = 1;
			if (file_exists(dir, "participants-votes.csv"))
				rc = load(dir, "participants-votes.csv", d, 2, 0);
			return rc;
		}
		if (rc != HM_ECONFLICT)
			return rc;
		/* out of time order with repeats: start over with the log */
		dataset_free(d);
		dataset_init(d);
	}
	return read_folder_log(dir, d);
}

static enum hm_err read_folder_log(const char *dir, struct dataset *d)
{
	enum hm_err rc;
	if (file_exists(dir, "comments.csv") &&
	    (file_exists(dir, "votes.csv") || file_exists(dir, "participants-votes.csv"))) {
		rc = load(dir, "comments.csv", d, 0, 0);
		if (!rc && file_exists(dir, "votes.csv")) {
			rc = load(dir, "votes.csv", d, 1, 1);
			/* group-id, for the comparison with Pol.is's groups */
			if (!rc && file_exists(dir, "participants-votes.csv"))
				rc = load(dir, "participants-votes.csv", d, 2, 0);
		} else if (!rc) {
			rc = load(dir, "participants-votes.csv", d, 2, 1);
		}
		return rc;
	}
	if (file_exists(dir, "votes.json") && file_exists(dir, "comments.json")) {
		rc = load(dir, "comments.json", d, 3, 0);
		if (!rc)
			rc = load(dir, "votes.json", d, 4, 1);
		return rc;
	}
	fprintf(stderr,
		"harmony analyze: %s: no votes.csv or participants-votes.csv with comments.csv, "
		"nor votes.json with comments.json\n",
		dir);
	return HM_ENOTFOUND;
}

static enum hm_err read_membership(const char *path, const struct dataset *d,
				   struct membership_dense *g)
{
	char *data = NULL, msg[512];
	size_t len;
	struct membership mb;
	struct import_err err;
	enum hm_err rc;
	memset(&err, 0, sizeof(err));
	if (read_whole(path, &data, &len, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "harmony analyze: %s\n", msg);
		return HM_EIO;
	}
	rc = import_membership_json(&mb, data, len, path, &err);
	free(data);
	if (!rc) {
		rc = membership_resolve(&mb, d, g, path, &err);
		membership_free(&mb);
	}
	if (rc) {
		import_err_format(&err, msg, sizeof(msg));
		fprintf(stderr, "harmony analyze: %s\n", msg);
	}
	return rc;
}

static enum hm_err read_groups(const char *path, const struct dataset *d, struct declared_attrs *g)
{
	char *data = NULL, msg[512];
	size_t len;
	struct import_err err;
	memset(&err, 0, sizeof(err));
	if (read_whole(path, &data, &len, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "harmony analyze: %s\n", msg);
		return HM_EIO;
	}
	enum hm_err rc = import_groups_csv(g, d, data, len, path, &err);
	free(data);
	if (rc) {
		import_err_format(&err, msg, sizeof(msg));
		fprintf(stderr, "harmony analyze: %s\n", msg);
	}
	return rc;
}

/* --meta "0-14,20": marks those statements meta (Pol.is exports other
 * than bg2050's carry no is-meta column). Returns -1 on a bad list or an
 * id the comments do not have. */
static int apply_meta(struct dataset *d, const char *list)
{
	const char *p = list;
	while (*p) {
		char *end;
		long long a = strtoll(p, &end, 10), b;
		if (end == p)
			return -1;
		b = a;
		p = end;
		if (*p == '-') {
			b = strtoll(p + 1, &end, 10);
			if (end == p + 1 || b < a || b - a > 1000000)
				return -1;
			p = end;
		}
		for (long long id = a; id <= b; id++) {
			uint32_t t = dataset_find_stmt(d, id);
			if (t == UINT32_MAX) {
				fprintf(stderr, "harmony analyze: --meta: no statement %lld in the comments\n", id);
				return -2;
			}
			d->stmt_meta[t] = 1;
		}
		if (*p == ',')
			p++;
		else if (*p)
			return -1;
	}
	return 0;
}

static void compare_polis(const struct dataset *d, const struct analysis_result *r, struct report_compare *c)
{
	uint32_t n = 0;
	int32_t *a = xmalloc(((size_t)r->n_ptpts + 1) * sizeof(*a));
	int32_t *b = xmalloc(((size_t)r->n_ptpts + 1) * sizeof(*b));
	double *xy = xmalloc((2 * (size_t)r->n_ptpts + 1) * sizeof(*xy));
	int32_t pmax = -1;
	memset(c, 0, sizeof(*c));
	for (uint32_t p = 0; p < r->n_ptpts; p++) {
		if (r->ptpt_group[p] < 0 || d->polis_group[p] < 0)
			continue;
		a[n] = r->ptpt_group[p];
		b[n] = d->polis_group[p];
		if (b[n] > pmax)
			pmax = b[n];
		xy[2 * n] = r->proj[2 * p];
		xy[2 * n + 1] = r->proj[2 * p + 1];
		n++;
	}
	c->n_common = n;
	c->n_groups_harmony = r->groups.n;
	uint8_t *used = xcalloc((size_t)pmax + 2, 1);
	for (uint32_t p = 0; p < r->n_ptpts; p++)
		if (d->polis_group[p] >= 0 && !used[d->polis_group[p]]) {
			used[d->polis_group[p]] = 1;
			c->n_groups_polis++;
		}
	free(used);
	c->ari = adjusted_rand_index(a, b, n);
	kmeans_silhouette2(xy, n, a, r->groups.n, b, (uint32_t)(pmax + 1), &c->silhouette_harmony,
			   &c->silhouette_polis);
	free(a);
	free(b);
	free(xy);
}

/* ---- bridging beside the clustering ----
 * The fit needs only the votes and, as its start, the first component, so
 * it runs on a thread of its own from the end of the PCA while the
 * analysis clusters and scores: the same computation, so the same result,
 * as after it. */
struct bridging_job {
	const struct vote_csr *m;
	struct bridging_params bp;
	double *start;         /* a copy of the components */
	struct bridging_result br;
	enum hm_err rc;
	pthread_t thread;
	int started, done;     /* done: fitted here, no thread */
};

static void *bridging_main(void *arg)
{
	struct bridging_job *j = arg;
	j->rc = bridging_fit(j->m, &j->bp, NULL, &j->br);
	return NULL;
}

static void bridging_start(void *ctx, const double *comps, uint32_t n_stmts)
{
	struct bridging_job *j = ctx;
	if (j->started || j->done)
		return;
	if (comps && n_stmts == j->m->n_cols) {
		j->start = xmalloc((2 * (size_t)n_stmts + 1) * sizeof(*j->start));
		memcpy(j->start, comps, 2 * (size_t)n_stmts * sizeof(*j->start));
		j->bp.start_factor = j->start;
	}
	j->started = !pthread_create(&j->thread, NULL, bridging_main, j);
	if (!j->started) { /* no thread: fit here */
		bridging_main(j);
		j->done = 1;
	}
}

/* The fit, started or not: joins the thread, or fits now from comps. */
static enum hm_err bridging_finish(struct bridging_job *j, const double *comps, uint32_t n_stmts)
{
	if (j->started) {
		pthread_join(j->thread, NULL);
		j->started = 0;
		j->done = 1;
	}
	if (!j->done)
		bridging_start(j, comps, n_stmts);
	if (j->started) {
		pthread_join(j->thread, NULL);
		j->started = 0;
		j->done = 1;
	}
	return j->rc;
}

int cli_analyze(int argc, char **argv)
{
	struct opts o;
	struct dataset d;
	struct vote_csr m;
	struct analysis_opts ao;
	struct analysis_state st;
	struct analysis_result res;
	struct membership_dense given;
	struct declared_attrs attrs;
	struct declared_result *dres = NULL;
	struct bridging_result br;
	struct bridging_job bj;
	struct report_declared rd;
	struct report_compare cmp;
	struct report_in ri;
	struct buf out;
	enum hm_err rc;
	int have_given = 0, have_br = 0, have_attrs = 0;
	int tty = isatty(STDERR_FILENO);

	if (parse_args(argc, argv, &o) < 0) {
		fputs(usage, stderr);
		return hm_err_exit_code(HM_EINVAL);
	}
	heap_setup();
	memset(&bj, 0, sizeof(bj));
	bj.m = &m; /* filled by the reading; replays fit after the last tick */
	bridging_params_default(&bj.bp);
	/* At scale, stop at Community Notes' own convergence threshold
	 * (|ΔL| ≤ 1e-7) rather than the exact optimum. */
	if (o.mode == ANALYSIS_SCALE)
		bj.bp.tolerance = 1e-7;
	dataset_init(&d);
	memset(&m, 0, sizeof(m));
	memset(&res, 0, sizeof(res));
	memset(&attrs, 0, sizeof(attrs));
	memset(&br, 0, sizeof(br));
	analysis_state_init(&st);
	buf_init(&out);
	if (tty)
		progress(NULL, "reading");
	int have_m = 0;
	rc = read_folder(o.path, &d, &m, o.mode == ANALYSIS_SCALE && !o.replay, &have_m);
	if (rc)
		goto out;
	if (!have_m)
		dataset_finish(&d);
	if (have_m ? !vote_csr_nnz(&m) : !d.log.n) {
		fprintf(stderr, "harmony analyze: %s: no votes\n", o.path);
		rc = HM_EINVAL;
		goto out;
	}
	if (o.meta) {
		int mr = apply_meta(&d, o.meta);
		if (mr == -1)
			fprintf(stderr, "harmony analyze: --meta %s: expected statement ids and ranges such as 0-14,20\n",
				o.meta);
		if (mr < 0) {
			rc = HM_EINVAL;
			goto out;
		}
	}
	if (o.membership) {
		rc = read_membership(o.membership, &d, &given);
		if (rc)
			goto out;
		have_given = 1;
	}
	if (o.groups_from) {
		rc = read_groups(o.groups_from, &d, &attrs);
		if (rc)
			goto out;
		have_attrs = 1;
	}

	uint8_t *mod_out = dataset_mod_out(&d);
	analysis_opts_default(&ao, o.mode);
	if (tty) {
		ao.progress = progress;
		ao.progress_ctx = NULL;
	}
	uint8_t *keep = NULL;
	if (o.keep_clustered) {
		if (!d.polis_group) {
			fprintf(stderr, "harmony analyze: %s: --keep-clustered needs participants-votes.csv with group-id\n",
				o.path);
			free(mod_out);
			rc = HM_EINVAL;
			goto out;
		}
		keep = xcalloc((size_t)d.n_ptpts + 1, 1);
		for (uint32_t p = 0; p < d.n_ptpts; p++)
			keep[p] = d.polis_group[p] >= 0;
		ao.in_conv_only = keep;
	}
	if (o.replay) {
		ao.progress = NULL;
		ao.pca_tol = 1e-12; /* warm-started ticks converge in a few steps */
		ao.cold_restarts = 0; /* Pol.is's own start on the first tick */
		rc = analysis_replay(&d.log, d.n_ptpts, d.n_stmts, mod_out, d.stmt_meta, o.tick, o.tick_ms, &ao, &st,
				     &res, &m, tty ? tick_progress : NULL, NULL);
	} else {
		if (!have_m)
			vote_csr_build(&m, d.n_ptpts, d.n_stmts, d.log.v, d.log.n);
		struct analysis_input in = { .m = &m, .mod_out = mod_out, .is_meta = d.stmt_meta };
		if (o.bridging) {
			/* the first opinion axis is close to the factor: fewer
			 * sweeps; the fit starts as soon as the PCA has it */
			ao.pca_done = bridging_start;
			ao.pca_done_ctx = &bj;
		}
		struct analysis_given ag = {
			.in_conv = given.in_conv, .base = &given.base, .groups = &given.groups, .comps = given.comps,
		};
		rc = analysis_run(&in, &ao, &st, have_given ? &ag : NULL, &res);
		if (rc == HM_EINVAL)
			fprintf(stderr, "harmony analyze: %s: membership does not fit the votes\n",
				o.membership ? o.membership : o.path);
	}
	free(mod_out);
	free(keep);
	if (rc)
		goto out;

	if (o.bridging) {
		if (tty)
			progress(NULL, "bridging");
		rc = bridging_finish(&bj, res.comps, res.n_stmts);
		br = bj.br;
		have_br = 1;
		if (rc)
			goto out;
	}
	if (have_attrs) {
		struct declared_params dp;
		declared_params_default(&dp);
		dp.excluded = res.mod_out;
		dres = xcalloc(attrs.n_attrs + 1, sizeof(*dres));
		for (uint32_t a = 0; a < attrs.n_attrs; a++) {
			struct declared_groups dg = {
				.n_groups = attrs.n_values[a],
				.names = (const char *const *)attrs.value_name[a],
				.group_of = attrs.group + (size_t)a * attrs.n_ptpts,
				.n_participants = attrs.n_ptpts,
			};
			rc = declared_analyze(&m, &dg, &dp, &dres[a]);
			if (rc)
				goto out;
		}
		rd.attrs = &attrs;
		rd.res = dres;
	}

	memset(&ri, 0, sizeof(ri));
	ri.d = &d;
	ri.r = &res;
	ri.bridging = have_br ? &br : NULL;
	ri.declared = have_attrs ? &rd : NULL;
	ri.source = o.path;
	if (d.polis_group && res.groups.n) {
		compare_polis(&d, &res, &cmp);
		ri.compare = &cmp;
	}
	if (o.json)
		report_json(&out, &ri);
	else
		report_text(&out, &ri);
	if (o.output) {
		FILE *f = fopen(o.output, "wb");
		if (!f || fwrite(out.data, 1, out.len, f) != out.len) {
			fprintf(stderr, "harmony analyze: %s: %s\n", o.output, strerror(errno));
			if (f)
				fclose(f);
			rc = HM_EIO;
			goto out;
		}
		if (fclose(f)) {
			fprintf(stderr, "harmony analyze: %s: %s\n", o.output, strerror(errno));
			rc = HM_EIO;
			goto out;
		}
	} else {
		fwrite(out.data, 1, out.len, stdout);
		if (fflush(stdout)) {
			rc = HM_EIO;
			goto out;
		}
	}
out:
	if (bj.started) { /* an error after the PCA: let the fit end */
		pthread_join(bj.thread, NULL);
		bj.done = 1;
	}
	if (bj.done && !have_br)
		bridging_result_free(&bj.br);
	free(bj.start);
	if (dres) {
		for (uint32_t a = 0; a < attrs.n_attrs; a++)
			declared_result_free(&dres[a]);
		free(dres);
	}
	if (have_attrs)
		declared_attrs_free(&attrs);
	if (have_br)
		bridging_result_free(&br);
	if (have_given)
		membership_dense_free(&given);
	analysis_result_free(&res);
	analysis_state_free(&st);
	vote_csr_free(&m);
	dataset_free(&d);
	buf_free(&out);
	return hm_err_exit_code(rc);
}
