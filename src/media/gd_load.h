/*
 * gd_load.h — libgd, opened with dlopen on first use rather than linked:
 * its dependencies (HEIF, AVIF, TIFF, X11…) would otherwise cost every
 * harmony process tens of milliseconds in the dynamic loader, though only
 * image uploads need them. Types come from <gd.h> at build time; calls go
 * through the table below. Internal to src/media/ (and its tests).
 */
#ifndef HM_MEDIA_GD_LOAD_H
#define HM_MEDIA_GD_LOAD_H

#ifdef HM_HAVE_GD
#include <gd.h>

#define MEDIA_GD_SONAME "libgd.so.3"

/* The libgd functions media.c calls, named without their "gd" prefix. */
struct gd_fns {
	void (*SetErrorMethod)(gdErrorMethod);
	gdImagePtr (*ImageCreateFromJpegPtrEx)(int size, void *data, int ignore_warning);
	gdImagePtr (*ImageCreateFromPngPtr)(int size, void *data);
	gdImagePtr (*ImageCreateFromWebpPtr)(int size, void *data);
	gdImagePtr (*ImageCreateTrueColor)(int sx, int sy);
	void (*ImageDestroy)(gdImagePtr im);
	void (*ImageAlphaBlending)(gdImagePtr im, int blending);
	void (*ImageSaveAlpha)(gdImagePtr im, int save);
	void (*ImageCopyResampled)(gdImagePtr dst, gdImagePtr src, int dst_x, int dst_y,
				   int src_x, int src_y, int dst_w, int dst_h, int src_w,
				   int src_h);
	void (*ImageSetPixel)(gdImagePtr im, int x, int y, int color);
	int (*ImageGetTrueColorPixel)(gdImagePtr im, int x, int y);
	void *(*ImageWebpPtrEx)(gdImagePtr im, int *size, int quality);
	void (*Free)(void *m);
};

/* Messages libgd gave this thread since it last set this to 0: libgd
 * reports through one global callback, which counts them here. */
extern _Thread_local int media_gd_messages;

/* Loads libgd and resolves the table, once per process (any thread may
 * call; the first does the work). Returns the table, or NULL when the
 * library or one of its functions is missing: then *why (when given) is a
 * message for the user, and the reason was logged once. */
const struct gd_fns *media_gd(const char **why);

/* Tests only: load soname instead of MEDIA_GD_SONAME. Returns 0, or -1
 * when loading was already tried and the name can no longer matter. */
int media_gd_use_soname(const char *soname);
#endif

#endif
