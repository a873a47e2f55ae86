/*
 * fuzz_password.c — libFuzzer target for auth_password_quality, which
 * reads what a visitor types as a new password (and the e-mail and name it
 * is compared with) through zxcvbn. The input is cut at NUL bytes into
 * password, e-mail and name; the answer must be one of the problems, and
 * the same input must give the same answer twice.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096) /* the forms refuse more than AUTH_PASSWORD_MAX anyway */
		return 0;
	char *buf = malloc(size + 3);
	memcpy(buf, data, size);
	buf[size] = buf[size + 1] = buf[size + 2] = '\0';
	const char *pw = buf;
	const char *email = pw + strlen(pw) + 1;
	if (email > buf + size)
		email = buf + size + 1;
	const char *name = email + strlen(email) + 1;
	if (name > buf + size + 2)
		name = buf + size + 2;
	enum auth_pw_problem a = auth_password_quality(pw, *email ? email : NULL, name);
	enum auth_pw_problem b = auth_password_quality(pw, *email ? email : NULL, name);
	if (a != b || (unsigned)a > AUTH_PW_COMMON)
		__builtin_trap();
	/* Nothing too short passes, nor anything over the limit. */
	if (a == AUTH_PW_OK && (strlen(pw) < AUTH_PASSWORD_MIN || strlen(pw) > AUTH_PASSWORD_MAX))
		__builtin_trap();
	free(buf);
	return 0;
}
