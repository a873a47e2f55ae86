/*
 * gd_load.c — opens libgd on the first image upload (pthread_once) and
 * resolves the functions of struct gd_fns by name, so a process that never
 * decodes an image never maps libgd and its dozens of dependencies.
 */
#include "media/gd_load.h"
#include "core/core.h"
#include "core/dynlib.h"

#ifdef HM_HAVE_GD
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define SYM(f) {"gd" #f, offsetof(struct gd_fns, f)}
static const struct dynlib_sym syms[] = {
	SYM(SetErrorMethod),
	SYM(ImageCreateFromJpegPtrEx),
	SYM(ImageCreateFromPngPtr),
	SYM(ImageCreateFromWebpPtr),
	SYM(ImageCreateTrueColor),
	SYM(ImageDestroy),
	SYM(ImageAlphaBlending),
	SYM(ImageSaveAlpha),
	SYM(ImageCopyResampled),
	SYM(ImageSetPixel),
	SYM(ImageGetTrueColorPixel),
	SYM(ImageWebpPtrEx),
	SYM(Free),
};
#undef SYM

/* Written only inside the once routine, read-only after it. */
static pthread_once_t once = PTHREAD_ONCE_INIT;
static atomic_int tried;
static const char *soname = MEDIA_GD_SONAME;
static struct gd_fns fns;
static int loaded;
static char why_msg[160];

_Thread_local int media_gd_messages;

/* libgd reports through a global callback; decoding errors of uploads are
 * expected and answered to the uploader, so they are counted, not logged. */
static void gd_quiet(int priority, const char *format, va_list args)
{
	(void)priority;
	(void)format;
	(void)args;
	media_gd_messages++;
}

static void load(void)
{
	atomic_store(&tried, 1);
	snprintf(why_msg, sizeof(why_msg),
		 "Image processing is unavailable: %s could not be loaded.", soname);
	if (dynlib_open(soname, syms, HM_ARRAY_LEN(syms), &fns) < 0)
		return;
	fns.SetErrorMethod(gd_quiet);
	loaded = 1;
}

const struct gd_fns *media_gd(const char **why)
{
	pthread_once(&once, load);
	if (loaded)
		return &fns;
	if (why)
		*why = why_msg;
	return NULL;
}

int media_gd_use_soname(const char *name)
{
	if (atomic_load(&tried))
		return -1;
	soname = name;
	return 0;
}
#endif
