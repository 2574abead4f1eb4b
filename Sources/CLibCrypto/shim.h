// A thin C layer over OpenSSL 3 libcrypto: only what EMC Ledger uses.
// Every function returns 1 on success and 0 (or NULL) on failure.
#ifndef EMC_CLIBCRYPTO_SHIM_H
#define EMC_CLIBCRYPTO_SHIM_H

#define OPENSSL_API_COMPAT 30000
#define OPENSSL_NO_DEPRECATED 1

#include <string.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

/// Sets libcrypto up before its first use, the same on every machine: the system's openssl.cnf is
/// not read (nothing in it may change what EMC Ledger computes), the legacy table of digest names
/// is not built (digests are fetched from the default provider by name, which needs no table), and
/// its error strings are not loaded (4,212 hash-table inserts, 0.9 M instructions, on the first
/// error mark of a process: emc never prints libcrypto's error text, it only clears the queue).
/// Together that takes about 0.8 ms off each process start (issue 17). The cipher table stays:
/// encrypting a PKCS#8 key looks AES-256-CBC up in it.
static inline int emc_init_library(void) {
    return OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_ADD_ALL_DIGESTS
                               | OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS, NULL);
}

/// A password callback that always fails, so an encrypted key is an error, never a prompt.
static inline int emc_refuse_password(char *buf, int size, int rwflag, void *userdata) {
    (void)buf; (void)size; (void)rwflag; (void)userdata;
    return -1;
}

/// SHA-256 fetched once from the default provider. Passing EVP_sha256() instead makes OpenSSL 3
/// look the implementation up again (locks, a hash table) on every digest.
static inline EVP_MD *emc_fetch_sha256(void) {
    return EVP_MD_fetch(NULL, "SHA256", NULL);
}

/// SHA-256 of prefix ‖ data, with `md` from emc_fetch_sha256.
static inline int emc_sha256(const EVP_MD *md, const unsigned char *prefix, size_t prefixLength,
                             const unsigned char *data, size_t length, unsigned char out[32]) {
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    if (context == NULL) return 0;
    unsigned int outLength = 0;
    int ok = EVP_DigestInit_ex(context, md, NULL) == 1
          && (prefixLength == 0 || EVP_DigestUpdate(context, prefix, prefixLength) == 1)
          && EVP_DigestUpdate(context, data, length) == 1
          && EVP_DigestFinal_ex(context, out, &outLength) == 1
          && outLength == 32;
    EVP_MD_CTX_free(context);
    return ok;
}

/// A digest context for callers that hash many small messages in a row (Merkle tree nodes):
/// re-initialising one context is much cheaper than creating one per digest.
static inline EVP_MD_CTX *emc_digest_context_new(void) { return EVP_MD_CTX_new(); }
static inline void emc_digest_context_free(EVP_MD_CTX *context) { EVP_MD_CTX_free(context); }

/// SHA-256 of prefix ‖ first ‖ second with a reused context; `md` from emc_fetch_sha256.
static inline int emc_sha256_reusing(EVP_MD_CTX *context, const EVP_MD *md,
                                     const unsigned char *prefix, size_t prefixLength,
                                     const unsigned char *first, size_t firstLength,
                                     const unsigned char *second, size_t secondLength,
                                     unsigned char out[32]) {
    unsigned int outLength = 0;
    return EVP_DigestInit_ex(context, md, NULL) == 1
        && (prefixLength == 0 || EVP_DigestUpdate(context, prefix, prefixLength) == 1)
        && (firstLength == 0 || EVP_DigestUpdate(context, first, firstLength) == 1)
        && (secondLength == 0 || EVP_DigestUpdate(context, second, secondLength) == 1)
        && EVP_DigestFinal_ex(context, out, &outLength) == 1
        && outLength == 32;
}

static inline int emc_random_bytes(unsigned char *out, int length) {
    return RAND_bytes(out, length) == 1;
}

static inline EVP_PKEY *emc_ed25519_private_from_seed(const unsigned char seed[32]) {
    return EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
}

static inline EVP_PKEY *emc_ed25519_public_from_raw(const unsigned char raw[32]) {
    return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, raw, 32);
}

static inline int emc_pkey_is_ed25519(const EVP_PKEY *key) {
    return EVP_PKEY_get_id(key) == EVP_PKEY_ED25519;
}

static inline int emc_ed25519_raw_public(const EVP_PKEY *key, unsigned char out[32]) {
    size_t length = 32;
    if (EVP_PKEY_get_raw_public_key(key, out, &length) != 1) return 0;
    return length == 32;
}

static inline int emc_ed25519_sign(EVP_PKEY *key, const unsigned char *message, size_t length,
                                   unsigned char signature[64]) {
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    if (context == NULL) return 0;
    size_t signatureLength = 64;
    int ok = EVP_DigestSignInit(context, NULL, NULL, NULL, key) == 1
          && EVP_DigestSign(context, signature, &signatureLength, message, length) == 1
          && signatureLength == 64;
    EVP_MD_CTX_free(context);
    return ok;
}

static inline int emc_ed25519_verify(EVP_PKEY *key, const unsigned char *message, size_t length,
                                     const unsigned char signature[64]) {
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    if (context == NULL) return 0;
    int ok = EVP_DigestVerifyInit(context, NULL, NULL, NULL, key) == 1
          && EVP_DigestVerify(context, signature, 64, message, length) == 1;
    EVP_MD_CTX_free(context);
    return ok;
}

/// Parses a PEM private key; never prompts for a password.
static inline EVP_PKEY *emc_read_private_pem(const char *pem, int length) {
    BIO *bio = BIO_new_mem_buf(pem, length);
    if (bio == NULL) return NULL;
    EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, NULL, emc_refuse_password, NULL);
    BIO_free(bio);
    return key;
}

static inline EVP_PKEY *emc_read_public_pem(const char *pem, int length) {
    BIO *bio = BIO_new_mem_buf(pem, length);
    if (bio == NULL) return NULL;
    EVP_PKEY *key = PEM_read_bio_PUBKEY(bio, NULL, emc_refuse_password, NULL);
    BIO_free(bio);
    return key;
}

/// Copies what a memory BIO holds into `out` and frees the BIO; returns the length, or -1 when
/// `written` (the PEM writer's result) is not 1 or the text does not fit `capacity`.
static inline int emc_take_bio_text(BIO *bio, int written, char *out, int capacity) {
    int result = -1;
    if (written == 1) {
        char *data = NULL;
        long length = BIO_get_mem_data(bio, &data);
        if (length > 0 && length <= capacity) {
            memcpy(out, data, (size_t)length);
            result = (int)length;
        }
    }
    BIO_free(bio);
    return result;
}

/// Writes a key as PEM into `out` (capacity bytes); returns the length written, or -1.
static inline int emc_write_pem(EVP_PKEY *key, int isPrivate, char *out, int capacity) {
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL) return -1;
    int ok = isPrivate
        ? PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL)
        : PEM_write_bio_PUBKEY(bio, key);
    return emc_take_bio_text(bio, ok, out, capacity);
}

static inline void emc_clear_errors(void) { ERR_clear_error(); }

/// HMAC-SHA256 of data under key (EVP_Q_mac, OpenSSL 3); writes 32 bytes to out.
static inline int emc_hmac_sha256(const unsigned char *key, size_t keyLength,
                                  const unsigned char *data, size_t length, unsigned char out[32]) {
    size_t outLength = 0;
    unsigned char *result = EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, keyLength,
                                      data, length, out, 32, &outLength);
    return result != NULL && outLength == 32;
}

/// A passphrase handed to libcrypto's PEM callback: the bytes and their length (not NUL-terminated).
typedef struct {
    const char *bytes;
    int length;
} emc_passphrase;

static inline int emc_give_passphrase(char *buf, int size, int rwflag, void *userdata) {
    (void)rwflag;
    const emc_passphrase *passphrase = (const emc_passphrase *)userdata;
    if (passphrase == NULL || passphrase->length < 0 || passphrase->length > size) return -1;
    memcpy(buf, passphrase->bytes, (size_t)passphrase->length);
    return passphrase->length;
}

/// Parses an encrypted PKCS#8 PEM private key with `passphrase`; NULL when it is wrong or the
/// file is damaged (libcrypto cannot tell the two apart reliably).
static inline EVP_PKEY *emc_read_encrypted_private_pem(const char *pem, int length,
                                                      const char *passphrase, int passphraseLength) {
    BIO *bio = BIO_new_mem_buf(pem, length);
    if (bio == NULL) return NULL;
    emc_passphrase given = { passphrase, passphraseLength };
    EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, NULL, emc_give_passphrase, &given);
    BIO_free(bio);
    return key;
}

/// Writes a private key as encrypted PKCS#8 PEM (PBES2: PBKDF2-HMAC-SHA256 and AES-256-CBC, what
/// `openssl genpkey -aes-256-cbc` writes) into `out`; returns the length written, or -1.
static inline int emc_write_encrypted_pem(EVP_PKEY *key, const char *passphrase, int passphraseLength,
                                          char *out, int capacity) {
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL) return -1;
    int ok = PEM_write_bio_PKCS8PrivateKey(bio, key, EVP_aes_256_cbc(), passphrase, passphraseLength, NULL, NULL);
    return emc_take_bio_text(bio, ok, out, capacity);
}

#endif
