/* The secret behind activation code hashes.  Codes are short (about 50
 * bits), so their stored hashes are keyed (HMAC-SHA256) with a key kept
 * outside the database: a copy of the database alone cannot be searched
 * for open codes offline.  Link tokens (256 bits) need no key. */
#ifndef KD_CODEKEY_H
#define KD_CODEKEY_H

#include <stddef.h>

#include "core/kd.h"

/* Loads the key from `file`, or from DB_PATH.codekey when `file` is NULL,
 * creating it (0600, 32 random bytes) when it is missing.  A key file that
 * others can read, or of the wrong size, is refused with a message. */
int	codekey_load(const char *file, const char *db_path, struct kd_err *);
/* HMAC-SHA256 of `data` under the loaded key.  With none loaded (unit
 * tests, an in-memory database) a random key for this process is used:
 * what it hashes matches only within the process, never silently a plain
 * SHA-256. */
void	codekey_mac(const void *data, size_t len, unsigned char out[32]);

#endif
