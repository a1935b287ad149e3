/* The activation code key: loaded once per process, before any thread. */
#include "core/codekey.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_LEN 32

static unsigned char code_key[KEY_LEN];
static int have_key;
static pthread_once_t ephemeral_once = PTHREAD_ONCE_INIT;

static void
ephemeral_key(void)
{
	if (!have_key && kd_random(code_key, sizeof(code_key)) == KD_OK)
		have_key = 1;
}

/* Writes a new key with O_EXCL: two processes starting at once keep one. */
static int
create_key(const char *path, struct kd_err *e)
{
	unsigned char k[KEY_LEN];
	int fd, r = KD_OK;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
		return errno == EEXIST ? KD_OK : kd_err_set(e, KD_ERR_IO,
		    "cannot create the code key %s: %s", path, strerror(errno));
	if (kd_random(k, sizeof(k)) != KD_OK ||
	    write(fd, k, sizeof(k)) != (ssize_t)sizeof(k) || fsync(fd) != 0) {
		r = kd_err_set(e, KD_ERR_IO, "cannot write the code key %s: %s",
		    path, strerror(errno));
		unlink(path);
	}
	kd_wipe(k, sizeof(k));
	close(fd);
	return r;
}

static int
read_key(const char *path, struct kd_err *e)
{
	struct stat sb;
	ssize_t n;
	int fd, r = KD_OK;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return kd_err_set(e, KD_ERR_IO, "cannot open the code key %s: %s",
		    path, strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
		r = kd_err_set(e, KD_ERR_CONFIG, "code key %s is not a file", path);
	else if ((sb.st_mode & 0077) != 0)
		r = kd_err_set(e, KD_ERR_CONFIG, "code key %s can be read by "
		    "other users (mode %04o): run chmod 600 %s", path,
		    (unsigned)(sb.st_mode & 07777), path);
	else if ((n = read(fd, code_key, sizeof(code_key))) != KEY_LEN ||
	    sb.st_size != KEY_LEN)
		r = kd_err_set(e, KD_ERR_CONFIG, "code key %s: expected %d bytes",
		    path, KEY_LEN);
	close(fd);
	if (r == KD_OK)
		have_key = 1;
	else
		kd_wipe(code_key, sizeof(code_key));
	return r;
}

int
codekey_load(const char *file, const char *db_path, struct kd_err *e)
{
	char path[4096];
	int r;

	if (file == NULL && strcmp(db_path, ":memory:") == 0)
		return KD_OK;	/* nothing outlives the process: ephemeral */
	if (snprintf(path, sizeof(path), "%s%s", file ? file : db_path,
	    file ? "" : ".codekey") >= (int)sizeof(path))
		return kd_err_set(e, KD_ERR_INVALID, "code key path too long");
	if ((r = create_key(path, e)) != KD_OK)
		return r;
	return read_key(path, e);
}

void
codekey_mac(const void *data, size_t len, unsigned char out[32])
{
	unsigned int olen = 32;

	pthread_once(&ephemeral_once, ephemeral_key);
	HMAC(EVP_sha256(), code_key, sizeof(code_key), data, len, out, &olen);
}
