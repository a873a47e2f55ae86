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
#include <string.h>

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
	make_dummy();
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

enum hm_err auth_password_check(const char *password, char *msg, size_t msglen)
{
	char dummy[8];
	size_t len = password ? strlen(password) : 0;
	if (!msg) {
		msg = dummy;
		msglen = sizeof(dummy);
	}
	if (len > AUTH_PASSWORD_MAX) {
		snprintf(msg, msglen, "the password is longer than %d bytes", AUTH_PASSWORD_MAX);
		return HM_ETOOBIG;
	}
	if (!password || !utf8_valid(password, len)) {
		snprintf(msg, msglen, "the password is not valid UTF-8 text");
		return HM_EINVAL;
	}
	if (utf8_chars(password) < AUTH_PASSWORD_MIN) {
		snprintf(msg, msglen, "the password must have at least %d characters",
			 AUTH_PASSWORD_MIN);
		return HM_EINVAL;
	}
	return HM_OK;
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

enum hm_err auth_password_new(const char *password, char hash[128], char *msg, size_t msglen)
{
	enum hm_err e = auth_password_check(password, msg, msglen);
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
