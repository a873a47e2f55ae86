/*
 * media.c — the image store: decoding checks and thumbnails through libgd
 * (opened on first use, gd_load.c), SHA-256 names through libsodium, files
 * written to a temporary name and renamed into place, and reading stored
 * files back for serving. Built without HM_HAVE_GD (no <gd.h>), or when
 * libgd cannot be loaded, storing refuses every file.
 */
#include "media/media.h"
#include "auth/auth.h"
#include "media/gd_load.h"
#include "media/media_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *store_dir; /* set once by media_init, before threads */

/* Held while a file pair is written (media_store) or removed (prune.c), so
 * a sweep never removes what an upload in this process has just found or
 * written, and an original never stays without its thumbnail. */
static pthread_mutex_t store_mu = PTHREAD_MUTEX_INITIALIZER;

void media_store_lock(void)
{
	pthread_mutex_lock(&store_mu);
}

void media_store_unlock(void)
{
	pthread_mutex_unlock(&store_mu);
}

/* ------------------------------------------------------------- folder */

enum hm_err media_init(const char *dir)
{
	if (!dir || !*dir) {
		fprintf(stderr, "harmony: the media folder needs a name\n");
		return HM_EIO;
	}
	if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
		fprintf(stderr, "harmony: cannot create the media folder %s: %s\n", dir,
			strerror(errno));
		return HM_EIO;
	}
	struct stat sb;
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode) || access(dir, W_OK | X_OK) != 0) {
		fprintf(stderr, "harmony: the media folder %s is not a writable folder\n", dir);
		return HM_EIO;
	}
	if (sodium_init() < 0)
		return HM_EINTERNAL;
	free(store_dir);
	store_dir = xstrdup(dir);
	return HM_OK;
}

char *media_default_dir(const char *db_path)
{
	const char *slash = db_path ? strrchr(db_path, '/') : NULL;
	if (!slash)
		return xstrdup("media");
	return xasprintf("%.*s/media", (int)(slash - db_path), db_path);
}

const char *media_dir(void)
{
	return store_dir;
}

static char *path_of(const char *name)
{
	return xasprintf("%s/%s", store_dir, name);
}

int media_exists(const char *name)
{
	if (!store_dir || !media_name_valid(name))
		return 0;
	char *p = path_of(name);
	struct stat sb;
	int ok = stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
	free(p);
	return ok;
}

enum hm_err media_read(const char *name, struct buf *out)
{
	enum hm_err e = HM_ENOTFOUND;
	if (!store_dir || !media_name_valid(name))
		return HM_ENOTFOUND;
	char *p = path_of(name);
	int fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat sb;
	if (fd < 0)
		goto out;
	e = HM_EIO;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size > (off_t)MEDIA_MAX_BYTES * 2)
		goto out;
	buf_grow(out, (size_t)sb.st_size);
	for (;;) {
		buf_grow(out, 65536);
		ssize_t n = read(fd, out->data + out->len, out->cap - out->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto out;
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->data[out->len] = '\0';
	}
	e = HM_OK;
out:
	if (fd >= 0)
		close(fd);
	if (e == HM_EIO)
		log_error("cannot read %s", p);
	free(p);
	return e;
}

/* Writes data as name unless it exists: to a temporary file first, synced
 * and renamed, so a reader sees the whole file or none. *existed says
 * which; an existing file has its modification time set to now, since
 * that time is what keeps an upload nothing refers to yet from the sweep
 * (prune.c). */
static enum hm_err write_once(const char *name, const void *data, size_t len, int *existed)
{
	char *final = path_of(name);
	char *tmp = xasprintf("%s/.%s.XXXXXX", store_dir, name);
	enum hm_err e = HM_EIO;
	int fd = -1;
	struct stat sb;
	*existed = 0;
	if (stat(final, &sb) == 0 && S_ISREG(sb.st_mode)) {
		*existed = 1;
		if (utimensat(AT_FDCWD, final, NULL, 0) != 0)
			log_warn("utimensat %s: %s", final, strerror(errno));
		e = HM_OK;
		goto out;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		log_error("mkstemp in %s: %s", store_dir, strerror(errno));
		goto out;
	}
	fchmod(fd, 0640);
	const char *p = data;
	size_t left = len;
	while (left) {
		ssize_t n = write(fd, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_error("write %s: %s", tmp, strerror(errno));
			goto out;
		}
		p += n;
		left -= (size_t)n;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		log_error("sync %s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, final) != 0) {
		log_error("rename %s: %s", final, strerror(errno));
		goto out;
	}
	e = HM_OK;
out:
	if (fd >= 0)
		close(fd);
	if (e != HM_OK)
		unlink(tmp);
	free(tmp);
	free(final);
	return e;
}

/* --------------------------------------------------- decode, thumbnail */

#ifdef HM_HAVE_GD
static gdImagePtr decode(const struct gd_fns *gd, const struct media_info *info,
			 const void *data, size_t len)
{
	void *d = (void *)(uintptr_t)data; /* libgd reads only, but its API is not const */
	gdImagePtr im;
	switch (info->type) {
	case MEDIA_JPEG:
		/* Strict: a warning from libjpeg (a truncated file, corrupt data;
		 * counted in media_gd_messages when not ignored) refuses the
		 * file rather than show a half-grey picture. */
		media_gd_messages = 0;
		im = gd->ImageCreateFromJpegPtrEx((int)len, d, 0);
		if (im && media_gd_messages) {
			gd->ImageDestroy(im);
			im = NULL;
		}
		return im;
	case MEDIA_PNG: return gd->ImageCreateFromPngPtr((int)len, d);
	case MEDIA_WEBP: return gd->ImageCreateFromWebpPtr((int)len, d);
	case MEDIA_NONE: break;
	}
	return NULL;
}

/* The pixel of src that lands at (x, y) of the upright image, for EXIF
 * orientation o of a source w × h. */
static void source_xy(int o, int w, int h, int x, int y, int *sx, int *sy)
{
	switch (o) {
	case 2: *sx = w - 1 - x; *sy = y; break;
	case 3: *sx = w - 1 - x; *sy = h - 1 - y; break;
	case 4: *sx = x; *sy = h - 1 - y; break;
	case 5: *sx = y; *sy = x; break;
	case 6: *sx = y; *sy = h - 1 - x; break;
	case 7: *sx = w - 1 - y; *sy = h - 1 - x; break;
	case 8: *sx = w - 1 - y; *sy = x; break;
	default: *sx = x; *sy = y; break;
	}
}

/* A WebP thumbnail at most MEDIA_THUMB_WIDTH wide, upright. Returns bytes
 * to free with gd->Free, or NULL. */
static void *thumbnail(const struct gd_fns *gd, gdImagePtr im, int orientation, int *size,
		       uint32_t *tw_out, uint32_t *th_out)
{
	int w = gdImageSX(im), h = gdImageSY(im);
	int turned = orientation >= 5; /* width and height swap */
	int uw = turned ? h : w, uh = turned ? w : h;
	int tw = uw > (int)MEDIA_THUMB_WIDTH ? (int)MEDIA_THUMB_WIDTH : uw;
	int th = (int)(((int64_t)uh * tw + uw / 2) / uw);
	if (th < 1)
		th = 1;
	/* Scale first in the stored orientation (small), then turn. */
	int sw = turned ? th : tw, sh = turned ? tw : th;
	gdImagePtr small = gd->ImageCreateTrueColor(sw, sh), up = NULL;
	void *bytes = NULL;
	if (!small)
		return NULL;
	gd->ImageAlphaBlending(small, 0);
	gd->ImageSaveAlpha(small, 1);
	gd->ImageCopyResampled(small, im, 0, 0, 0, 0, sw, sh, w, h);
	if (orientation > 1 && orientation <= 8) {
		up = gd->ImageCreateTrueColor(tw, th);
		if (!up)
			goto out;
		gd->ImageAlphaBlending(up, 0);
		gd->ImageSaveAlpha(up, 1);
		for (int y = 0; y < th; y++)
			for (int x = 0; x < tw; x++) {
				int sx, sy;
				source_xy(orientation, sw, sh, x, y, &sx, &sy);
				gd->ImageSetPixel(up, x, y,
						  gd->ImageGetTrueColorPixel(small, sx, sy));
			}
	}
	bytes = gd->ImageWebpPtrEx(up ? up : small, size, 80);
	*tw_out = (uint32_t)tw;
	*th_out = (uint32_t)th;
out:
	if (up)
		gd->ImageDestroy(up);
	gd->ImageDestroy(small);
	return bytes;
}
#endif

enum hm_err media_store(const void *data, size_t len, struct media_stored *out, const char **why)
{
	const char *msg = NULL;
	enum hm_err e;
	struct media_info info;
	memset(out, 0, sizeof(*out));
	if (len > MEDIA_MAX_BYTES) {
		msg = N_("The image is larger than 8 MiB.");
		e = HM_ETOOBIG;
		goto out;
	}
	e = media_sniff(data, len, &info, &msg);
	if (e != HM_OK)
		goto out;
	if (!store_dir) {
		msg = N_("Uploads are not available on this server.");
		e = HM_EINTERNAL;
		goto out;
	}
#ifdef HM_HAVE_GD
	{
		const struct gd_fns *gd = media_gd(&msg);
		if (!gd) {
			e = HM_EINTERNAL;
			goto out;
		}
		/* what is stored, decoded and hashed is the image without its
		 * metadata: a photo's GPS position must not reach the public */
		struct buf clean;
		buf_init(&clean);
		gdImagePtr im = NULL;
		if (media_strip(data, len, &info, &clean) == HM_OK) {
			data = clean.data;
			len = clean.len;
			im = decode(gd, &info, data, len);
		}
		void *thumb = NULL;
		int tsize = 0, existed = 0;
		if (!im || gdImageSX(im) != (int)info.width || gdImageSY(im) != (int)info.height) {
			msg = N_("The image file is damaged or incomplete.");
			e = HM_EINVAL;
		} else if (!(thumb = thumbnail(gd, im, info.orientation, &tsize, &out->thumb_width,
						&out->thumb_height))) {
			msg = N_("The image could not be resized.");
			e = HM_EINTERNAL;
		}
		if (im)
			gd->ImageDestroy(im);
		if (e == HM_OK) {
			unsigned char digest[crypto_hash_sha256_BYTES];
			crypto_hash_sha256(digest, data, len);
			sodium_bin2hex(out->sha256, sizeof(out->sha256), digest, sizeof(digest));
			snprintf(out->name, sizeof(out->name), "%s.%s", out->sha256,
				 media_type_ext(info.type));
			media_thumb_name(out->name, out->thumb);
			out->type = info.type;
			out->width = info.width;
			out->height = info.height;
			out->bytes = len;
			/* The thumbnail first: once the original exists, so does it. */
			media_store_lock();
			e = write_once(out->thumb, thumb, (size_t)tsize, &existed);
			if (e == HM_OK)
				e = write_once(out->name, data, len, &out->existed);
			media_store_unlock();
			if (e != HM_OK)
				msg = N_("The image could not be saved. Please try again later.");
		}
		if (thumb)
			gd->Free(thumb);
		buf_free(&clean);
	}
#else
	msg = N_("Uploads are not available on this server.");
	e = HM_EINTERNAL;
	(void)write_once;
#endif
out:
	if (e != HM_OK)
		memset(out, 0, sizeof(*out));
	if (why)
		*why = msg;
	return e;
}

enum hm_err media_upload(struct db *db, const struct principal *actor,
			 const struct auth_scope *scope, const void *data, size_t len,
			 struct media_stored *out, const char **why)
{
	if (!auth_can(actor, AUTH_NEWS_EDIT, scope)) {
		memset(out, 0, sizeof(*out));
		if (why)
			*why = "Your account may not do this.";
		return HM_EFORBIDDEN;
	}
	enum hm_err e = media_store(data, len, out, why);
	if (e != HM_OK || out->existed)
		return e;
	json_t *after = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I}", "name", out->name, "thumb",
				  out->thumb, "content_type", media_type_mime(out->type), "bytes",
				  (json_int_t)out->bytes, "width", (json_int_t)out->width, "height",
				  (json_int_t)out->height);
	audit_record(db, actor, "media.upload", "media", 0, NULL, after);
	json_decref(after);
	return HM_OK;
}
