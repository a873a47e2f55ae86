/*
 * sanitizer.c — what the sanitizer builds must not report: the doings of
 * libraries built without the sanitizers, which harmony can neither see
 * into nor fix. Each entry is as narrow as the reports allow, so our own
 * leaks and races through the same libraries still show.
 */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HM_ASAN 1
#endif
#if __has_feature(thread_sanitizer)
#define HM_TSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define HM_ASAN 1
#endif
#if defined(__SANITIZE_THREAD__)
#define HM_TSAN 1
#endif

#ifdef HM_ASAN
const char *__lsan_default_suppressions(void);

/* LeakSanitizer asks for this at start (a weak hook in its runtime).
 * - fontconfig: the font patterns pango's font maps cache; a thread's
 *   map lives until the thread ends (the main thread's never does).
 * - cairo 1.16 loses some 768 bytes per PDF when it subsets a CFF font
 *   (Noto Sans CJK). Its frames have no frame pointers, so the report
 *   names only the library. */
const char *__lsan_default_suppressions(void)
{
	return "leak:libfontconfig.so\n"
	       "leak:libcairo.so\n";
}
#endif

#ifdef HM_TSAN
const char *__tsan_default_suppressions(void);

/* ThreadSanitizer asks for this at start. GLib's mutexes are futexes on
 * Linux and fontconfig and cairo use atomics, all out of its sight, so
 * the C library calls these make (strcmp on a pattern another thread
 * made under such a lock) look like races: called_from_lib ignores the
 * calls made from inside them, not the races in our code. */
const char *__tsan_default_suppressions(void)
{
	return "called_from_lib:libglib-2.0.so\n"
	       "called_from_lib:libgobject-2.0.so\n"
	       "called_from_lib:libfontconfig.so\n"
	       "called_from_lib:libpango-1.0.so\n"
	       "called_from_lib:libpangoft2-1.0.so\n"
	       "called_from_lib:libpangocairo-1.0.so\n"
	       "called_from_lib:libcairo.so\n"
	       "called_from_lib:libharfbuzz.so\n"
	       "called_from_lib:libfreetype.so\n";
}
#endif

typedef int hm_sanitizer_unused; /* ISO C wants something in a file */
