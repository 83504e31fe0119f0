/*
 * SM2 signatures (GB/T 32918, SM3 digest, caller-chosen distinguishing ID)
 * through the OpenSSL that the running Node binary carries. Node's own
 * crypto.sign cannot set the ID, which is why this addon exists.
 *
 * The OpenSSL symbols are not linked here: they are resolved at load time
 * from the node executable, so the addon always uses Node's OpenSSL.
 *
 * Exports:
 *   publicKey(spkiDer)                  -> opaque handle (an SM2 public key, parsed once)
 *   verify(handle, data, rs64, id)      -> boolean
 *   sign(pkcs8Der, data, id)            -> Buffer of 64 bytes r‖s
 *   opensslVersion                      -> string
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/opensslv.h>

#define SCALAR_BYTES 32

/* Tags the handles publicKey returns, so verify accepts no other object. */
static const napi_type_tag PUBLIC_KEY_TAG = { 0x736d32206b657920ULL, 0x656c6963656e7365ULL };

typedef struct {
  BIGNUM *order; /* n of the SM2 curve */
} addon_state;

static napi_value throw_error(napi_env env, const char *code, const char *message) {
  ERR_clear_error();
  napi_throw_error(env, code, message);
  return NULL;
}

/* The bytes of a Uint8Array (a Buffer is one too); 0 when the value is not one. */
static int bytes_of(napi_env env, napi_value value, const unsigned char **data, size_t *length) {
  bool is_typed = false;
  napi_typedarray_type type;
  void *raw = NULL;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) return 0;
  if (napi_get_typedarray_info(env, value, &type, length, &raw, NULL, NULL) != napi_ok) return 0;
  if (type != napi_uint8_array) return 0;
  static const unsigned char empty = 0;
  *data = raw != NULL ? (const unsigned char *)raw : &empty;
  return 1;
}

/* Decodes DER of the given structure as an SM2 key; NULL unless the result is an SM2 key. */
static EVP_PKEY *decode_sm2_key(const unsigned char *der, size_t length, const char *structure, int selection) {
  EVP_PKEY *pkey = NULL;
  OSSL_DECODER_CTX *dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, "DER", structure, "SM2", selection, NULL, NULL);
  if (dctx == NULL) return NULL;
  const unsigned char *cursor = der;
  size_t left = length;
  int ok = OSSL_DECODER_from_data(dctx, &cursor, &left);
  OSSL_DECODER_CTX_free(dctx);
  if (!ok || left != 0 || pkey == NULL || !EVP_PKEY_is_a(pkey, "SM2")) {
    EVP_PKEY_free(pkey);
    ERR_clear_error();
    return NULL;
  }
  return pkey;
}

static void free_public_key(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  EVP_PKEY_free((EVP_PKEY *)data);
}

static napi_value public_key(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) return throw_error(env, "SM2_ARGUMENT", "publicKey(spkiDer) takes one Uint8Array");
  const unsigned char *der;
  size_t length;
  if (!bytes_of(env, argv[0], &der, &length)) return throw_error(env, "SM2_ARGUMENT", "spkiDer must be a Uint8Array");
  EVP_PKEY *pkey = decode_sm2_key(der, length, "SubjectPublicKeyInfo", EVP_PKEY_PUBLIC_KEY);
  if (pkey == NULL) return throw_error(env, "SM2_KEY_NOT_SM2", "not a DER SubjectPublicKeyInfo of an SM2 key");
  napi_value handle;
  if (napi_create_external(env, pkey, free_public_key, NULL, &handle) != napi_ok) {
    EVP_PKEY_free(pkey);
    return throw_error(env, "SM2_INTERNAL", "could not wrap the key");
  }
  napi_type_tag_object(env, handle, &PUBLIC_KEY_TAG);
  return handle;
}

/* A scalar of r‖s as a BIGNUM when 0 < x < n, else NULL. */
static BIGNUM *scalar_in_range(const unsigned char *bytes, const BIGNUM *order) {
  BIGNUM *x = BN_bin2bn(bytes, SCALAR_BYTES, NULL);
  if (x == NULL) return NULL;
  if (BN_is_zero(x) || BN_cmp(x, order) >= 0) {
    BN_free(x);
    return NULL;
  }
  return x;
}

static napi_value make_boolean(napi_env env, int value) {
  napi_value result;
  napi_get_boolean(env, value != 0, &result);
  return result;
}

static napi_value verify(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  addon_state *state = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, (void **)&state) != napi_ok || argc < 4) return throw_error(env, "SM2_ARGUMENT", "verify(key, data, signature, id) takes four arguments");
  bool tagged = false;
  if (napi_check_object_type_tag(env, argv[0], &PUBLIC_KEY_TAG, &tagged) != napi_ok || !tagged) return throw_error(env, "SM2_ARGUMENT", "key must come from publicKey()");
  EVP_PKEY *pkey = NULL;
  if (napi_get_value_external(env, argv[0], (void **)&pkey) != napi_ok || pkey == NULL) return throw_error(env, "SM2_ARGUMENT", "key must come from publicKey()");
  const unsigned char *data, *signature, *id;
  size_t data_length, signature_length, id_length;
  if (!bytes_of(env, argv[1], &data, &data_length) || !bytes_of(env, argv[2], &signature, &signature_length) || !bytes_of(env, argv[3], &id, &id_length))
    return throw_error(env, "SM2_ARGUMENT", "data, signature and id must be Uint8Arrays");
  if (signature_length != 2 * SCALAR_BYTES) return make_boolean(env, 0);

  BIGNUM *r = scalar_in_range(signature, state->order);
  BIGNUM *s = r != NULL ? scalar_in_range(signature + SCALAR_BYTES, state->order) : NULL;
  if (r == NULL || s == NULL) {
    BN_free(r);
    BN_free(s);
    return make_boolean(env, 0);
  }
  ECDSA_SIG *sig = ECDSA_SIG_new();
  if (sig == NULL || !ECDSA_SIG_set0(sig, r, s)) {
    ECDSA_SIG_free(sig);
    BN_free(r);
    BN_free(s);
    return throw_error(env, "SM2_INTERNAL", "out of memory");
  }
  unsigned char *der = NULL;
  int der_length = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (der_length <= 0) return throw_error(env, "SM2_INTERNAL", "could not encode the signature");

  int ok = 0;
  EVP_MD_CTX *mctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX *pctx = NULL;
  if (mctx != NULL && EVP_DigestVerifyInit(mctx, &pctx, EVP_sm3(), NULL, pkey) == 1 && EVP_PKEY_CTX_set1_id(pctx, id, (int)id_length) == 1) {
    ok = EVP_DigestVerify(mctx, der, (size_t)der_length, data, data_length) == 1;
  }
  EVP_MD_CTX_free(mctx);
  OPENSSL_free(der);
  ERR_clear_error();
  return make_boolean(env, ok);
}

static napi_value sign(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3) return throw_error(env, "SM2_ARGUMENT", "sign(pkcs8Der, data, id) takes three arguments");
  const unsigned char *key_der, *data, *id;
  size_t key_length, data_length, id_length;
  if (!bytes_of(env, argv[0], &key_der, &key_length) || !bytes_of(env, argv[1], &data, &data_length) || !bytes_of(env, argv[2], &id, &id_length))
    return throw_error(env, "SM2_ARGUMENT", "pkcs8Der, data and id must be Uint8Arrays");
  EVP_PKEY *pkey = decode_sm2_key(key_der, key_length, "PrivateKeyInfo", EVP_PKEY_KEYPAIR);
  if (pkey == NULL) return throw_error(env, "SM2_KEY_NOT_SM2", "not a DER PKCS#8 PrivateKeyInfo of an SM2 key");

  unsigned char der[80];
  size_t der_length = sizeof der;
  int ok = 0;
  EVP_MD_CTX *mctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX *pctx = NULL;
  if (mctx != NULL && EVP_DigestSignInit(mctx, &pctx, EVP_sm3(), NULL, pkey) == 1 && EVP_PKEY_CTX_set1_id(pctx, id, (int)id_length) == 1) {
    ok = EVP_DigestSign(mctx, der, &der_length, data, data_length) == 1;
  }
  EVP_MD_CTX_free(mctx);
  EVP_PKEY_free(pkey);
  if (!ok) return throw_error(env, "SM2_SIGN_FAILED", "OpenSSL could not sign");

  const unsigned char *cursor = der;
  ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &cursor, (long)der_length);
  const BIGNUM *r = NULL, *s = NULL;
  if (sig != NULL) ECDSA_SIG_get0(sig, &r, &s);
  unsigned char rs[2 * SCALAR_BYTES];
  if (sig == NULL || BN_bn2binpad(r, rs, SCALAR_BYTES) != SCALAR_BYTES || BN_bn2binpad(s, rs + SCALAR_BYTES, SCALAR_BYTES) != SCALAR_BYTES) {
    ECDSA_SIG_free(sig);
    return throw_error(env, "SM2_SIGN_FAILED", "OpenSSL returned an unexpected signature");
  }
  ECDSA_SIG_free(sig);
  ERR_clear_error();
  napi_value result;
  void *out = NULL;
  if (napi_create_buffer_copy(env, sizeof rs, rs, &out, &result) != napi_ok) return throw_error(env, "SM2_INTERNAL", "out of memory");
  return result;
}

static void free_state(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  addon_state *state = (addon_state *)data;
  BN_free(state->order);
  free(state);
}

NAPI_MODULE_INIT() {
  addon_state *state = (addon_state *)calloc(1, sizeof(addon_state));
  if (state == NULL) return NULL;
  EC_GROUP *group = EC_GROUP_new_by_curve_name(NID_sm2);
  if (group != NULL) state->order = BN_dup(EC_GROUP_get0_order(group));
  EC_GROUP_free(group);
  if (state->order == NULL) {
    free(state);
    throw_error(env, "SM2_INTERNAL", "this OpenSSL has no SM2 curve");
    return NULL;
  }
  napi_set_instance_data(env, state, free_state, NULL);

  napi_value fn;
  napi_create_function(env, "publicKey", NAPI_AUTO_LENGTH, public_key, state, &fn);
  napi_set_named_property(env, exports, "publicKey", fn);
  napi_create_function(env, "verify", NAPI_AUTO_LENGTH, verify, state, &fn);
  napi_set_named_property(env, exports, "verify", fn);
  napi_create_function(env, "sign", NAPI_AUTO_LENGTH, sign, state, &fn);
  napi_set_named_property(env, exports, "sign", fn);
  napi_value version;
  napi_create_string_utf8(env, OpenSSL_version(OPENSSL_VERSION), NAPI_AUTO_LENGTH, &version);
  napi_set_named_property(env, exports, "opensslVersion", version);
  return exports;
}
