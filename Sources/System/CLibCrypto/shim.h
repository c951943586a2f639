// CLibCrypto: the OpenSSL 3.0 libcrypto headers Lifeboat uses. Only the Cipher module imports this.
// Function-like macros (OPENSSL_free, EVP_MD_CTX_size, ...) do not import into Swift; Cipher calls the real
// functions (CRYPTO_free, EVP_MD_get_size, ...) instead, so no inline wrappers are needed yet.
#ifndef LIFEBOAT_CLIBCRYPTO_SHIM_H
#define LIFEBOAT_CLIBCRYPTO_SHIM_H

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#endif
