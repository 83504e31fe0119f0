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
 *   verify(handle, data, rs64, id)      -> boolean (EVP_DigestVerify: the reference path)
 *   verifyFast(handle, data, rs64, id)  -> boolean (the same check written out: e = SM3(Z_A || M) with
 *                                          Z_A cached per key, [s]G + [t]P on sm2_curve.c with per-key tables)
 *   sign(pkcs8Der, data, id)            -> Buffer of 64 bytes r‖s
 *   opensslVersion                      -> string
 */
#define NAPI_VERSION 8
/* EC_GROUP_precompute_mult is deprecated in 3.0 but still exported; verify only, public data. */
#define OPENSSL_SUPPRESS_DEPRECATED
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
#include "sm2_curve.h"

#define SCALAR_BYTES 32

/* Tags the handles publicKey returns, so verify accepts no other object. */
static const napi_type_tag PUBLIC_KEY_TAG = { 0x736d32206b657920ULL, 0x656c6963656e7365ULL };

typedef struct {
  BIGNUM *order;   /* n of the SM2 curve */
  EC_GROUP *group; /* the SM2 curve with a precomputed table of multiples of G (verifyFast) */
  BN_CTX *bn;      /* scratch numbers for verifyFast (one thread per addon instance) */
  EVP_MD *sm3;     /* SM3, fetched once */
  EVP_MD_CTX *md;  /* reused digest context */
  unsigned char curve_bytes[4 * SCALAR_BYTES]; /* a ‖ b ‖ xG ‖ yG, the middle of Z_A */
  int own_curve;   /* sm2_curve.c is set up (its [s]G + [t]P is used instead of EC_POINT_mul) */
} addon_state;

/* A parsed public key: the EVP key (reference path) and its point, Z_A cached for the last ID seen. */
typedef struct {
  EVP_PKEY *pkey;
  EC_POINT *point;           /* on state->group; NULL until first verifyFast */
  unsigned char xy[2 * SCALAR_BYTES];
  int have_xy;
  unsigned char *za_id;      /* the ID Z_A was computed for */
  size_t za_id_length;
  int have_za;
  unsigned char za[32];
  sm2_affine *table;         /* 1·P … 15·P for sm2_curve.c; NULL until first verifyFast */
} public_key_handle;

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
  public_key_handle *key = (public_key_handle *)data;
  EVP_PKEY_free(key->pkey);
  EC_POINT_free(key->point);
  free(key->table);
  free(key->za_id);
  free(key);
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
  public_key_handle *key = (public_key_handle *)calloc(1, sizeof(public_key_handle));
  if (key == NULL) {
    EVP_PKEY_free(pkey);
    return throw_error(env, "SM2_INTERNAL", "out of memory");
  }
  key->pkey = pkey;
  unsigned char *encoded = NULL;
  size_t encoded_length = EVP_PKEY_get1_encoded_public_key(pkey, &encoded);
  if (encoded_length == 1 + 2 * SCALAR_BYTES && encoded[0] == 0x04) {
    memcpy(key->xy, encoded + 1, 2 * SCALAR_BYTES);
    key->have_xy = 1;
  }
  OPENSSL_free(encoded);
  ERR_clear_error();
  napi_value handle;
  if (napi_create_external(env, key, free_public_key, NULL, &handle) != napi_ok) {
    free_public_key(env, key, NULL);
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
  public_key_handle *key = NULL;
  if (napi_get_value_external(env, argv[0], (void **)&key) != napi_ok || key == NULL) return throw_error(env, "SM2_ARGUMENT", "key must come from publicKey()");
  EVP_PKEY *pkey = key->pkey;
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

/* The point of a key on the precomputed group, made on first use; NULL when it has none. */
static const EC_POINT *point_of(addon_state *state, public_key_handle *key) {
  if (key->point != NULL) return key->point;
  if (!key->have_xy) return NULL;
  unsigned char encoded[1 + 2 * SCALAR_BYTES];
  encoded[0] = 0x04;
  memcpy(encoded + 1, key->xy, 2 * SCALAR_BYTES);
  EC_POINT *point = EC_POINT_new(state->group);
  if (point == NULL || !EC_POINT_oct2point(state->group, point, encoded, sizeof encoded, state->bn)) {
    EC_POINT_free(point);
    ERR_clear_error();
    return NULL;
  }
  key->point = point;
  return point;
}

/* Z_A = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA), cached per key for the last ID; 0 when the ID is too long. */
static int za_of(addon_state *state, public_key_handle *key, const unsigned char *id, size_t id_length, unsigned char out[32]) {
  if (id_length >= 65535 / 8) return 0; /* as OpenSSL: ENTL must fit 16 bits */
  if (key->have_za && key->za_id_length == id_length && (id_length == 0 || memcmp(key->za_id, id, id_length) == 0)) {
    memcpy(out, key->za, 32);
    return 1;
  }
  unsigned char entl[2] = { (unsigned char)((id_length * 8) >> 8), (unsigned char)(id_length * 8) };
  unsigned int length = 0;
  if (!EVP_DigestInit_ex(state->md, state->sm3, NULL) || !EVP_DigestUpdate(state->md, entl, 2) || !EVP_DigestUpdate(state->md, id, id_length) ||
      !EVP_DigestUpdate(state->md, state->curve_bytes, sizeof state->curve_bytes) || !EVP_DigestUpdate(state->md, key->xy, sizeof key->xy) ||
      !EVP_DigestFinal_ex(state->md, out, &length) || length != 32)
    return 0;
  unsigned char *copy = (unsigned char *)malloc(id_length > 0 ? id_length : 1);
  if (copy != NULL) {
    memcpy(copy, id, id_length);
    free(key->za_id);
    key->za_id = copy;
    key->za_id_length = id_length;
    memcpy(key->za, out, 32);
    key->have_za = 1;
  }
  return 1;
}

/* GB/T 32918.2 verification: 1 ≤ r,s ≤ n−1, t = (r + s) mod n ≠ 0, (x1, y1) = [s]G + [t]P_A, (e + x1) mod n == r. */
static int fast_check(addon_state *state, public_key_handle *key, const unsigned char *data, size_t data_length, const unsigned char *rs, const unsigned char *id, size_t id_length) {
  const EC_POINT *point = state->own_curve ? NULL : point_of(state, key);
  if (state->own_curve && key->table == NULL && key->have_xy) {
    sm2_affine *table = (sm2_affine *)malloc(15 * sizeof(sm2_affine));
    if (table != NULL && sm2_public_table(table, key->xy)) key->table = table;
    else free(table);
  }
  if (state->own_curve && key->table == NULL) return 0;
  if (!state->own_curve && point == NULL) return 0;
  unsigned char za[32], e_bytes[32];
  unsigned int e_length = 0;
  if (!za_of(state, key, id, id_length, za)) return 0;
  if (!EVP_DigestInit_ex(state->md, state->sm3, NULL) || !EVP_DigestUpdate(state->md, za, 32) || !EVP_DigestUpdate(state->md, data, data_length) ||
      !EVP_DigestFinal_ex(state->md, e_bytes, &e_length) || e_length != 32)
    return 0;
  BN_CTX *bn = state->bn;
  BN_CTX_start(bn);
  int ok = 0;
  BIGNUM *r = BN_CTX_get(bn), *s = BN_CTX_get(bn), *t = BN_CTX_get(bn), *e = BN_CTX_get(bn), *x1 = BN_CTX_get(bn);
  EC_POINT *sum = EC_POINT_new(state->group);
  if (sum == NULL || x1 == NULL) goto done;
  if (BN_bin2bn(rs, SCALAR_BYTES, r) == NULL || BN_bin2bn(rs + SCALAR_BYTES, SCALAR_BYTES, s) == NULL || BN_bin2bn(e_bytes, 32, e) == NULL) goto done;
  if (BN_is_zero(r) || BN_cmp(r, state->order) >= 0 || BN_is_zero(s) || BN_cmp(s, state->order) >= 0) goto done;
  if (!BN_mod_add(t, r, s, state->order, bn) || BN_is_zero(t)) goto done;
  if (state->own_curve) {
    unsigned char t_bytes[SCALAR_BYTES], x1_bytes[SCALAR_BYTES];
    if (BN_bn2binpad(t, t_bytes, SCALAR_BYTES) != SCALAR_BYTES || !sm2_double_mul_x(x1_bytes, rs + SCALAR_BYTES, t_bytes, key->table)) goto done;
    if (BN_bin2bn(x1_bytes, SCALAR_BYTES, x1) == NULL) goto done;
  } else {
    if (!EC_POINT_mul(state->group, sum, s, point, t, bn) || EC_POINT_is_at_infinity(state->group, sum)) goto done;
    if (!EC_POINT_get_affine_coordinates(state->group, sum, x1, NULL, bn)) goto done;
  }
  if (!BN_mod_add(e, e, x1, state->order, bn)) goto done;
  ok = BN_cmp(e, r) == 0;
done:
  EC_POINT_free(sum);
  BN_CTX_end(bn);
  ERR_clear_error();
  return ok;
}

static napi_value verify_fast(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  addon_state *state = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, (void **)&state) != napi_ok || argc < 4) return throw_error(env, "SM2_ARGUMENT", "verifyFast(key, data, signature, id) takes four arguments");
  bool tagged = false;
  if (napi_check_object_type_tag(env, argv[0], &PUBLIC_KEY_TAG, &tagged) != napi_ok || !tagged) return throw_error(env, "SM2_ARGUMENT", "key must come from publicKey()");
  public_key_handle *key = NULL;
  if (napi_get_value_external(env, argv[0], (void **)&key) != napi_ok || key == NULL) return throw_error(env, "SM2_ARGUMENT", "key must come from publicKey()");
  const unsigned char *data, *signature, *id;
  size_t data_length, signature_length, id_length;
  if (!bytes_of(env, argv[1], &data, &data_length) || !bytes_of(env, argv[2], &signature, &signature_length) || !bytes_of(env, argv[3], &id, &id_length))
    return throw_error(env, "SM2_ARGUMENT", "data, signature and id must be Uint8Arrays");
  if (signature_length != 2 * SCALAR_BYTES) return make_boolean(env, 0);
  return make_boolean(env, fast_check(state, key, data, data_length, signature, id, id_length));
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
  EC_GROUP_free(state->group);
  BN_CTX_free(state->bn);
  EVP_MD_free(state->sm3);
  EVP_MD_CTX_free(state->md);
  free(state);
}

NAPI_MODULE_INIT() {
  addon_state *state = (addon_state *)calloc(1, sizeof(addon_state));
  if (state == NULL) return NULL;
  state->group = EC_GROUP_new_by_curve_name(NID_sm2);
  state->bn = BN_CTX_new();
  state->sm3 = EVP_MD_fetch(NULL, "SM3", NULL);
  state->md = EVP_MD_CTX_new();
  if (state->group != NULL) state->order = BN_dup(EC_GROUP_get0_order(state->group));
  int fast_ready = 0;
  if (state->order != NULL && state->bn != NULL && state->sm3 != NULL && state->md != NULL) {
    BN_CTX_start(state->bn);
    BIGNUM *a = BN_CTX_get(state->bn), *b = BN_CTX_get(state->bn), *x = BN_CTX_get(state->bn), *y = BN_CTX_get(state->bn);
    fast_ready = y != NULL && EC_GROUP_get_curve(state->group, NULL, a, b, state->bn) &&
                 EC_POINT_get_affine_coordinates(state->group, EC_GROUP_get0_generator(state->group), x, y, state->bn) &&
                 BN_bn2binpad(a, state->curve_bytes, SCALAR_BYTES) == SCALAR_BYTES && BN_bn2binpad(b, state->curve_bytes + SCALAR_BYTES, SCALAR_BYTES) == SCALAR_BYTES &&
                 BN_bn2binpad(x, state->curve_bytes + 2 * SCALAR_BYTES, SCALAR_BYTES) == SCALAR_BYTES &&
                 BN_bn2binpad(y, state->curve_bytes + 3 * SCALAR_BYTES, SCALAR_BYTES) == SCALAR_BYTES &&
                 EC_GROUP_precompute_mult(state->group, state->bn) && EC_GROUP_have_precompute_mult(state->group);
    BN_CTX_end(state->bn);
    if (fast_ready)
      state->own_curve = sm2_curve_init(state->curve_bytes + 2 * SCALAR_BYTES, state->curve_bytes + 3 * SCALAR_BYTES);
  }
  ERR_clear_error();
  if (state->order == NULL) {
    free_state(env, state, NULL);
    throw_error(env, "SM2_INTERNAL", "this OpenSSL has no SM2 curve");
    return NULL;
  }
  napi_set_instance_data(env, state, free_state, NULL);

  napi_value fn;
  napi_create_function(env, "publicKey", NAPI_AUTO_LENGTH, public_key, state, &fn);
  napi_set_named_property(env, exports, "publicKey", fn);
  napi_create_function(env, "verify", NAPI_AUTO_LENGTH, verify, state, &fn);
  napi_set_named_property(env, exports, "verify", fn);
  if (fast_ready) {
    napi_create_function(env, "verifyFast", NAPI_AUTO_LENGTH, verify_fast, state, &fn);
    napi_set_named_property(env, exports, "verifyFast", fn);
  }
  napi_create_function(env, "sign", NAPI_AUTO_LENGTH, sign, state, &fn);
  napi_set_named_property(env, exports, "sign", fn);
  napi_value version;
  napi_create_string_utf8(env, OpenSSL_version(OPENSSL_VERSION), NAPI_AUTO_LENGTH, &version);
  napi_set_named_property(env, exports, "opensslVersion", version);
  return exports;
}
