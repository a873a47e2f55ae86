/*
 * refs.c — what the site hands the platform's background work: the
 * columns that hold uploaded images (kept by every sweep of unused
 * uploads, the server's and `harmony media prune`'s) and the jobs the
 * server's scheduler runs. For now two plain lists; they are to be
 * gathered from the features' descriptors (struct feature).
 */
#include "auth/auth.h"
#include "jobs/jobs.h"
#include "mail/mail.h"
#include "media/media.h"
#include "site/web.h"

#include <pthread.h>

/* Every column that holds a stored media name: all its names, and whether
 * it holds one name. A new table or setting with images adds its line
 * here, or its files are removed a day after upload. */
static const struct media_ref media_refs[] = {
	{"SELECT image FROM post WHERE image IS NOT NULL",
	 "SELECT 1 FROM post WHERE image = ? LIMIT 1"},
	{"SELECT logo FROM organisation WHERE logo IS NOT NULL",
	 "SELECT 1 FROM organisation WHERE logo = ? LIMIT 1"},
};

const struct media_ref *web_media_refs(size_t *n)
{
	*n = HM_ARRAY_LEN(media_refs);
	return media_refs;
}

/* Each module's table, in the order their jobs run at start: mail first,
 * so messages that waited go out at once. */
static const struct {
	const struct job *jobs;
	const size_t *n;
} job_tables[] = {
	{mail_jobs, &mail_njobs},
	{auth_jobs, &auth_njobs},
	{media_jobs, &media_njobs},
};

static const struct job **jobs;
static size_t njobs;
static pthread_once_t jobs_once = PTHREAD_ONCE_INIT;

static void jobs_gather(void)
{
	size_t n = 0;
	for (size_t i = 0; i < HM_ARRAY_LEN(job_tables); i++)
		n += *job_tables[i].n;
	jobs = xcalloc(n ? n : 1, sizeof(*jobs)); /* kept for the process's life */
	for (size_t i = 0; i < HM_ARRAY_LEN(job_tables); i++)
		for (size_t j = 0; j < *job_tables[i].n; j++)
			jobs[njobs++] = &job_tables[i].jobs[j];
}

const struct job *const *web_jobs(size_t *n)
{
	pthread_once(&jobs_once, jobs_gather);
	*n = njobs;
	return jobs;
}
