/*
 * wxpay_crypto.c: AEAD_AES_256_GCM decryption of notification
 * resources (§7.5 step 2) and base64 helpers.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "base/base.h"
#include "services/wxpay.h"

char *
wxpay_b64enc(const unsigned char *p, size_t n)
{
	char	*out = xmalloc(4 * ((n + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)out, p, (int)n);
	return out;
}

unsigned char *
wxpay_b64dec(const char *s, size_t *outlen)
{
	size_t		 n = strlen(s), pad = 0;
	unsigned char	*out;
	int		 r;

	if (n == 0 || n % 4 != 0)
		return NULL;
	out = xmalloc(n / 4 * 3 + 1);
	/* EVP_DecodeBlock counts '=' padding as zero bytes. */
	if ((r = EVP_DecodeBlock(out, (const unsigned char *)s,
	    (int)n)) < 0) {
		free(out);
		return NULL;
	}
	if (s[n - 1] == '=')
		pad++;
	if (s[n - 2] == '=')
		pad++;
	*outlen = (size_t)r - pad;
	return out;
}

char *
wxpay_decrypt(const char *key, const char *nonce, const char *aad,
    const char *ct_b64, size_t *outlen)
{
	EVP_CIPHER_CTX	*c;
	unsigned char	*data, *out = NULL;
	size_t		 n;
	int		 l, l2, ok = 0;

	if (key == NULL || strlen(key) != 32 || nonce == NULL ||
	    strlen(nonce) != 12 || ct_b64 == NULL)
		return NULL;
	if (aad == NULL)
		aad = "";
	if ((data = wxpay_b64dec(ct_b64, &n)) == NULL)
		return NULL;
	if (n < 16 || (c = EVP_CIPHER_CTX_new()) == NULL) {
		free(data);
		return NULL;
	}
	out = xmalloc(n - 16 + 1);
	if (EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1 &&
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) == 1 &&
	    EVP_DecryptInit_ex(c, NULL, NULL, (const unsigned char *)key,
	    (const unsigned char *)nonce) == 1 &&
	    EVP_DecryptUpdate(c, NULL, &l, (const unsigned char *)aad,
	    (int)strlen(aad)) == 1 &&
	    EVP_DecryptUpdate(c, out, &l, data, (int)(n - 16)) == 1 &&
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16,
	    data + n - 16) == 1 &&
	    EVP_DecryptFinal_ex(c, out + l, &l2) == 1) {
		ok = 1;
		out[l + l2] = '\0';
		*outlen = (size_t)(l + l2);
	}
	EVP_CIPHER_CTX_free(c);
	free(data);
	if (!ok) {
		free(out);
		return NULL;
	}
	return (char *)out;
}
