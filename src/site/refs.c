/*
 * refs.c — what the site hands the platform's background work, gathered
 * from the platform's modules and the features' descriptors: the columns
 * that hold uploaded images (kept by every sweep of unused uploads, the
 * server's and `harmony media prune`'s) and the jobs the server's
 * scheduler runs.
 */
#include "auth/auth.h"
#include "jobs/jobs.h"
#include "mail/mail.h"
#include "media/media.h"
#include "site/feature.h"
#include "site/web.h"

#include <pthread.h>

/* The trash forgets what was deleted TRASH_DAYS ago (trash.c). */
static void trash_run(struct db *db, int64_t now, int (*stopping)(void))
{
	(void)stopping;
	if (trash_purge(db, now) != HM_OK)
		log_warn("trash: could not forget old deletions");
}

static const struct job site_jobs[] = {
	{"site.trash", 3600, trash_run},
};
static const size_t site_njobs = HM_ARRAY_LEN(site_jobs);

/* The images of what is in the trash are kept with it. */
static const struct media_ref site_refs[] = {
	{"SELECT media FROM trash WHERE media IS NOT NULL",
	 "SELECT 1 FROM trash WHERE media = ? LIMIT 1"},
};

/* The platform's own jobs, in the order they run at start: mail first, so
 * messages that waited go out at once; then each feature's. */
static const struct {
	const struct job *jobs;
	const size_t *n;
} platform_jobs[] = {
	{mail_jobs, &mail_njobs},
	{auth_jobs, &auth_njobs},
	{media_jobs, &media_njobs},
	{site_jobs, &site_njobs},
};

static const struct job **jobs;
static size_t njobs;
static struct media_ref *refs;
static size_t nrefs;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Both lists are kept for the process's life. */
static void gather(void)
{
	size_t nj = 0, nr = HM_ARRAY_LEN(site_refs);
	for (size_t i = 0; i < HM_ARRAY_LEN(platform_jobs); i++)
		nj += *platform_jobs[i].n;
	for (const struct feature *const *f = site_features; *f; f++) {
		nj += (*f)->njobs;
		nr += (*f)->nmedia_refs;
	}
	jobs = xcalloc(nj ? nj : 1, sizeof(*jobs));
	refs = xcalloc(nr ? nr : 1, sizeof(*refs));
	for (size_t i = 0; i < HM_ARRAY_LEN(platform_jobs); i++)
		for (size_t j = 0; j < *platform_jobs[i].n; j++)
			jobs[njobs++] = &platform_jobs[i].jobs[j];
	for (size_t j = 0; j < HM_ARRAY_LEN(site_refs); j++)
		refs[nrefs++] = site_refs[j];
	for (const struct feature *const *f = site_features; *f; f++) {
		for (size_t j = 0; j < (*f)->njobs; j++)
			jobs[njobs++] = &(*f)->jobs[j];
		for (size_t j = 0; j < (*f)->nmedia_refs; j++)
			refs[nrefs++] = (*f)->media_refs[j];
	}
}

const struct media_ref *web_media_refs(size_t *n)
{
	pthread_once(&once, gather);
	*n = nrefs;
	return refs;
}

const struct job *const *web_jobs(size_t *n)
{
	pthread_once(&once, gather);
	*n = njobs;
	return jobs;
}
