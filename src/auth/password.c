/*
 * password.c — Argon2id password hashing through libsodium, the costs in
 * force (production ones from auth.h, lowered only by tests), the rules
 * for a new password, and the dummy hash that makes an unknown e-mail
 * cost the same work as a wrong password.
 */
#include "auth/auth_impl.h"
#include "core/text.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zxcvbn.h>

static unsigned long long pw_ops = AUTH_PWHASH_OPSLIMIT;
static size_t pw_mem = AUTH_PWHASH_MEMLIMIT;

/* An Argon2id string with the current costs, a random salt and a random
 * digest: verifying against it runs the full Argon2 computation and always
 * fails. Made without hashing anything, so start-up costs nothing. */
static char dummy_hash[crypto_pwhash_STRBYTES];

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_failed;

static void make_dummy(void)
{
	unsigned char salt[crypto_pwhash_SALTBYTES], digest[32];
	char salt64[sodium_base64_ENCODED_LEN(crypto_pwhash_SALTBYTES,
					      sodium_base64_VARIANT_ORIGINAL_NO_PADDING)];
	char digest64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL_NO_PADDING)];
	randombytes_buf(salt, sizeof(salt));
	randombytes_buf(digest, sizeof(digest));
	sodium_bin2base64(salt64, sizeof(salt64), salt, sizeof(salt),
			  sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	sodium_bin2base64(digest64, sizeof(digest64), digest, sizeof(digest),
			  sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	snprintf(dummy_hash, sizeof(dummy_hash), "$argon2id$v=19$m=%u,t=%u,p=1$%s$%s",
		 (unsigned)(pw_mem / 1024), (unsigned)pw_ops, salt64, digest64);
}

static void init_run(void)
{
	if (sodium_init() < 0) {
		log_error("sodium_init failed");
		init_failed = 1;
		return;
	}
	/* The test suite makes hundreds of accounts and signs in as often:
	 * it asks for libsodium's least cost, for new hashes only (a stored
	 * hash is verified at the cost it names). Never set in production;
	 * `serve` says so when it is. */
	const char *t = getenv("HARMONY_TEST_PWHASH");
	if (t && strcmp(t, "min") == 0) {
		pw_ops = crypto_pwhash_OPSLIMIT_MIN;
		pw_mem = crypto_pwhash_MEMLIMIT_MIN;
	}
	make_dummy();
}

int auth_pwhash_test_cost(void)
{
	auth_init();
	return pw_ops == crypto_pwhash_OPSLIMIT_MIN && pw_mem == crypto_pwhash_MEMLIMIT_MIN;
}

enum hm_err auth_init(void)
{
	pthread_once(&init_once, init_run);
	return init_failed ? HM_EINTERNAL : HM_OK;
}

const char *auth_password_dummy(void)
{
	auth_init();
	return dummy_hash;
}

void auth_pwhash_set_limits(unsigned long long opslimit, size_t memlimit)
{
	auth_init();
	pw_ops = opslimit;
	pw_mem = memlimit;
	make_dummy();
}

void auth_pwhash_reset(void)
{
	auth_pwhash_set_limits(AUTH_PWHASH_OPSLIMIT, AUTH_PWHASH_MEMLIMIT);
}

void auth_pwhash_limits(unsigned long long *opslimit, size_t *memlimit)
{
	*opslimit = pw_ops;
	*memlimit = pw_mem;
}

/* The least guessing work (zxcvbn's estimate, in bits) a new password
 * must cost: about 10^9 guesses, far beyond what the sign-in throttle lets
 * an attacker try online. Four ordinary words pass; "iloveyou1234",
 * "qwertyuiop12" or "correcthorse" do not. */
#define PW_MIN_BITS 30.0

/* 1 if s is one shorter string said again and again ("abcabcabc"). */
static int repeated(const char *s, size_t n)
{
	for (size_t unit = 1; unit <= n / 2; unit++) {
		if (n % unit)
			continue;
		size_t i = unit;
		while (i < n && s[i] == s[i - unit])
			i++;
		if (i == n)
			return 1;
	}
	return 0;
}

/* 1 if hay holds needle, ASCII letters compared without case. */
static int contains_nocase(const char *hay, const char *needle, size_t n)
{
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return 0;
}

/* 1 if the password holds a part of who they are: the e-mail's local
 * part, or a word of the name, of at least 3 bytes. */
static int personal(const char *pw, const char *email, const char *name)
{
	if (email) {
		size_t n = strcspn(email, "@");
		if (n >= 3 && contains_nocase(pw, email, n))
			return 1;
	}
	for (const char *w = name; w && *w;) {
		size_t n = strcspn(w, " \t-.'");
		if (n >= 3 && contains_nocase(pw, w, n))
			return 1;
		w += n;
		w += strspn(w, " \t-.'");
	}
	return 0;
}

enum auth_pw_problem auth_password_quality(const char *password, const char *email,
					   const char *name)
{
	size_t len = password ? strlen(password) : 0;
	if (len > AUTH_PASSWORD_MAX)
		return AUTH_PW_LONG;
	if (!password || !utf8_valid(password, len))
		return AUTH_PW_INVALID;
	if (utf8_chars(password) < AUTH_PASSWORD_MIN)
		return AUTH_PW_SHORT;
	if (strspn(password, "0123456789") == len)
		return AUTH_PW_DIGITS;
	if (repeated(password, len))
		return AUTH_PW_REPEATED;
	if (personal(password, email, name))
		return AUTH_PW_PERSONAL;
	/* zxcvbn weighs words from its dictionaries (common passwords,
	 * names, English words…), keyboard walks, sequences, dates and
	 * repeats; the person's own words count as the first guesses. */
	char local[AUTH_EMAIL_MAX + 1] = "";
	if (email)
		snprintf(local, sizeof(local), "%.*s", (int)strcspn(email, "@"), email);
	const char *mine[] = {local, name ? name : "", NULL};
	if (ZxcvbnMatch(password, mine, NULL) < PW_MIN_BITS)
		return AUTH_PW_COMMON;
	return AUTH_PW_OK;
}

enum hm_err auth_password_check(const char *password, const char *email, const char *name,
				char *msg, size_t msglen)
{
	char dummy[8];
	if (!msg) {
		msg = dummy;
		msglen = sizeof(dummy);
	}
	switch (auth_password_quality(password, email, name)) {
	case AUTH_PW_OK:
		return HM_OK;
	case AUTH_PW_LONG:
		snprintf(msg, msglen, "the password is longer than %d bytes", AUTH_PASSWORD_MAX);
		return HM_ETOOBIG;
	case AUTH_PW_INVALID:
		snprintf(msg, msglen, "the password is not valid UTF-8 text");
		break;
	case AUTH_PW_SHORT:
		snprintf(msg, msglen, "the password must have at least %d characters",
			 AUTH_PASSWORD_MIN);
		break;
	case AUTH_PW_DIGITS:
		snprintf(msg, msglen, "the password must not be only digits");
		break;
	case AUTH_PW_REPEATED:
		snprintf(msg, msglen, "the password must not be one thing said again and again");
		break;
	case AUTH_PW_PERSONAL:
		snprintf(msg, msglen, "the password must not contain your name or e-mail address");
		break;
	case AUTH_PW_COMMON:
		snprintf(msg, msglen,
			 "the password is too easy to guess (common words, names or patterns); "
			 "use several words of your own");
		break;
	}
	return HM_EINVAL;
}

enum hm_err auth_password_hash(const char *password, char out[128])
{
	if (auth_init() != HM_OK)
		return HM_EINTERNAL;
	if (crypto_pwhash_str_alg(out, password, strlen(password), pw_ops, pw_mem,
				  crypto_pwhash_ALG_ARGON2ID13) != 0) {
		log_error("crypto_pwhash_str_alg failed (out of memory?)");
		return HM_EINTERNAL;
	}
	return HM_OK;
}

enum hm_err auth_password_new(const char *password, const char *email, const char *name,
			      char hash[128], char *msg, size_t msglen)
{
	enum hm_err e = auth_password_check(password, email, name, msg, msglen);
	return e != HM_OK ? e : auth_password_hash(password, hash);
}

int auth_password_verify(const char *hash, const char *password)
{
	size_t len = password ? strlen(password) : 0;
	if (auth_init() != HM_OK)
		return 0;
	/* Always spend one Argon2 computation, whatever is missing. */
	if (!hash || !password || len > AUTH_PASSWORD_MAX) {
		if (crypto_pwhash_str_verify(dummy_hash, "", 0) == 0)
			log_error("dummy hash verified");
		return 0;
	}
	return crypto_pwhash_str_verify(hash, password, len) == 0;
}

int auth_password_needs_rehash(const char *hash)
{
	if (auth_init() != HM_OK || !hash)
		return 0;
	return crypto_pwhash_str_needs_rehash(hash, pw_ops, pw_mem) != 0;
}
