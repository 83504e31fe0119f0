/*
 * Arithmetic on the SM2 curve (GB/T 32918.5) for signature VERIFICATION only:
 * every input is public, so nothing here tries to be constant time.
 *
 * Field elements are four 64-bit limbs, least significant first, kept in
 * Montgomery form (x·2^256 mod p). Points are Jacobian (X, Y, Z), Z = 0 for
 * infinity; the tables of multiples are affine. [u]G + [v]P is computed with
 * 4-bit fixed windows on both scalars sharing the doublings.
 */
#include "sm2_curve.h"
#include <string.h>

#ifndef __SIZEOF_INT128__
/* No 128-bit integers on this compiler: the addon falls back to OpenSSL's EC_POINT_mul. */
int sm2_curve_init(const unsigned char gx[32], const unsigned char gy[32]) { (void)gx; (void)gy; return 0; }
int sm2_public_table(sm2_affine table[15], const unsigned char xy[64]) { (void)table; (void)xy; return 0; }
int sm2_double_mul_x(unsigned char x_out[32], const unsigned char u[32], const unsigned char v[32], const sm2_affine q_table[15]) {
  (void)x_out; (void)u; (void)v; (void)q_table;
  return 0;
}
#else

typedef unsigned __int128 u128;
typedef struct { uint64_t v[4]; } fe;
typedef struct { fe x, y, z; } jpoint;

/* p = FFFFFFFE FFFFFFFF FFFFFFFF FFFFFFFF FFFFFFFF 00000000 FFFFFFFF FFFFFFFF */
static const uint64_t P[4] = { 0xFFFFFFFFFFFFFFFFULL, 0xFFFFFFFF00000000ULL, 0xFFFFFFFFFFFFFFFFULL, 0xFFFFFFFEFFFFFFFFULL };

static fe R2;        /* 2^512 mod p, to enter Montgomery form */
static fe ONE_MONT;  /* 2^256 mod p, the Montgomery form of 1 */
static sm2_affine G_TABLE[15];
static int ready;

/* r = a − p when a ≥ p (a given as 4 limbs plus a top carry bit), else a. */
static void reduce_once(fe *r, const uint64_t a[4], uint64_t top) {
  uint64_t s[4];
  u128 borrow = 0;
  for (int i = 0; i < 4; i++) {
    u128 d = (u128)a[i] - P[i] - borrow;
    s[i] = (uint64_t)d;
    borrow = (d >> 64) & 1;
  }
  if (top || !borrow) memcpy(r->v, s, sizeof s);
  else memcpy(r->v, a, sizeof s);
}

static void fe_add(fe *r, const fe *a, const fe *b) {
  uint64_t t[4];
  u128 c = 0;
  for (int i = 0; i < 4; i++) {
    c += (u128)a->v[i] + b->v[i];
    t[i] = (uint64_t)c;
    c >>= 64;
  }
  reduce_once(r, t, (uint64_t)c);
}

static void fe_sub(fe *r, const fe *a, const fe *b) {
  uint64_t t[4];
  u128 borrow = 0;
  for (int i = 0; i < 4; i++) {
    u128 d = (u128)a->v[i] - b->v[i] - borrow;
    t[i] = (uint64_t)d;
    borrow = (d >> 64) & 1;
  }
  if (borrow) {
    u128 c = 0;
    for (int i = 0; i < 4; i++) {
      c += (u128)t[i] + P[i];
      t[i] = (uint64_t)c;
      c >>= 64;
    }
  }
  memcpy(r->v, t, sizeof t);
}

/* Montgomery product a·b·2^−256 mod p; −p^−1 mod 2^64 is 1 for this p. */
static void fe_mul(fe *r, const fe *a, const fe *b) {
  uint64_t t[6] = { 0, 0, 0, 0, 0, 0 };
  for (int i = 0; i < 4; i++) {
    u128 c = 0;
    for (int j = 0; j < 4; j++) {
      c += (u128)a->v[j] * b->v[i] + t[j];
      t[j] = (uint64_t)c;
      c >>= 64;
    }
    c += t[4];
    t[4] = (uint64_t)c;
    t[5] = (uint64_t)(c >> 64);
    uint64_t m = t[0];
    c = (u128)m * P[0] + t[0];
    c >>= 64;
    for (int j = 1; j < 4; j++) {
      c += (u128)m * P[j] + t[j];
      t[j - 1] = (uint64_t)c;
      c >>= 64;
    }
    c += t[4];
    t[3] = (uint64_t)c;
    t[4] = t[5] + (uint64_t)(c >> 64);
  }
  reduce_once(r, t, t[4]);
}

static void fe_sqr(fe *r, const fe *a) { fe_mul(r, a, a); }

static int fe_is_zero(const fe *a) { return (a->v[0] | a->v[1] | a->v[2] | a->v[3]) == 0; }

/* a^(p−2) = a^−1 (0 for 0). */
static void fe_inv(fe *r, const fe *a) {
  uint64_t e[4];
  memcpy(e, P, sizeof e);
  e[0] -= 2; /* p's low limb is all ones: no borrow */
  fe acc = ONE_MONT;
  for (int i = 255; i >= 0; i--) {
    fe_sqr(&acc, &acc);
    if ((e[i / 64] >> (i % 64)) & 1) fe_mul(&acc, &acc, a);
  }
  *r = acc;
}

/* Big-endian 32 bytes (must be < p) into Montgomery form, and back. */
static void fe_from_bytes(fe *r, const unsigned char b[32]) {
  fe plain;
  for (int i = 0; i < 4; i++) {
    uint64_t w = 0;
    for (int k = 0; k < 8; k++) w = (w << 8) | b[(3 - i) * 8 + k];
    plain.v[i] = w;
  }
  fe_mul(r, &plain, &R2);
}

static void fe_to_bytes(unsigned char b[32], const fe *a) {
  fe one = { { 1, 0, 0, 0 } }, plain;
  fe_mul(&plain, a, &one);
  for (int i = 0; i < 4; i++)
    for (int k = 0; k < 8; k++) b[(3 - i) * 8 + k] = (unsigned char)(plain.v[i] >> (56 - 8 * k));
}

static int bytes_below_p(const unsigned char b[32]) {
  for (int i = 0; i < 4; i++) {
    uint64_t w = 0;
    for (int k = 0; k < 8; k++) w = (w << 8) | b[i * 8 + k];
    uint64_t limb = P[3 - i];
    if (w != limb) return w < limb;
  }
  return 0;
}

/* Doubling for a = −3 (Z = 0 stays 0). */
static void point_double(jpoint *r, const jpoint *a) {
  fe delta, gamma, beta, alpha, t1, t2;
  fe_sqr(&delta, &a->z);
  fe_sqr(&gamma, &a->y);
  fe_mul(&beta, &a->x, &gamma);
  fe_sub(&t1, &a->x, &delta);
  fe_add(&t2, &a->x, &delta);
  fe_mul(&alpha, &t1, &t2);
  fe_add(&t1, &alpha, &alpha);
  fe_add(&alpha, &t1, &alpha);
  /* Z3 = (Y + Z)^2 − gamma − delta */
  fe_add(&t1, &a->y, &a->z);
  fe_sqr(&t1, &t1);
  fe_sub(&t1, &t1, &gamma);
  fe_sub(&r->z, &t1, &delta);
  /* X3 = alpha^2 − 8·beta */
  fe beta4, beta8;
  fe_add(&beta4, &beta, &beta);
  fe_add(&beta4, &beta4, &beta4);
  fe_add(&beta8, &beta4, &beta4);
  fe x3;
  fe_sqr(&x3, &alpha);
  fe_sub(&x3, &x3, &beta8);
  /* Y3 = alpha·(4·beta − X3) − 8·gamma^2 */
  fe_sub(&t1, &beta4, &x3);
  fe_mul(&t1, &alpha, &t1);
  fe_sqr(&t2, &gamma);
  fe_add(&t2, &t2, &t2);
  fe_add(&t2, &t2, &t2);
  fe_add(&t2, &t2, &t2);
  fe_sub(&r->y, &t1, &t2);
  r->x = x3;
}

/* r = a + b with b affine (never infinity); handles a = infinity, a = b and a = −b. */
static void point_add_affine(jpoint *r, const jpoint *a, const sm2_affine *b) {
  fe bxv, byv;
  memcpy(bxv.v, b->x, sizeof bxv.v);
  memcpy(byv.v, b->y, sizeof byv.v);
  const fe *bx = &bxv, *by = &byv;
  if (fe_is_zero(&a->z)) {
    r->x = *bx;
    r->y = *by;
    r->z = ONE_MONT;
    return;
  }
  fe z1z1, u2, s2, h, rr, t;
  fe_sqr(&z1z1, &a->z);
  fe_mul(&u2, bx, &z1z1);
  fe_mul(&t, &a->z, &z1z1);
  fe_mul(&s2, by, &t);
  fe_sub(&h, &u2, &a->x);
  fe_sub(&rr, &s2, &a->y);
  if (fe_is_zero(&h)) {
    if (fe_is_zero(&rr)) {
      point_double(r, a);
    } else {
      memset(r, 0, sizeof *r);
    }
    return;
  }
  fe h2, h3, u1h2, x3, y3, z3;
  fe_sqr(&h2, &h);
  fe_mul(&h3, &h2, &h);
  fe_mul(&u1h2, &a->x, &h2);
  fe_sqr(&x3, &rr);
  fe_sub(&x3, &x3, &h3);
  fe_sub(&x3, &x3, &u1h2);
  fe_sub(&x3, &x3, &u1h2);
  fe_sub(&t, &u1h2, &x3);
  fe_mul(&y3, &rr, &t);
  fe_mul(&t, &a->y, &h3);
  fe_sub(&y3, &y3, &t);
  fe_mul(&z3, &a->z, &h);
  r->x = x3;
  r->y = y3;
  r->z = z3;
}

/* Affine form of a Jacobian point; 0 for infinity. */
static int to_affine(fe *x, fe *y, const jpoint *a) {
  if (fe_is_zero(&a->z)) return 0;
  fe zi, zi2, zi3;
  fe_inv(&zi, &a->z);
  fe_sqr(&zi2, &zi);
  fe_mul(x, &a->x, &zi2);
  if (y != NULL) {
    fe_mul(&zi3, &zi2, &zi);
    fe_mul(y, &a->y, &zi3);
  }
  return 1;
}

/* table[i] = (i + 1)·Q for i in 0..14, affine. */
static int build_table(sm2_affine table[15], const fe *x, const fe *y) {
  jpoint q = { *x, *y, ONE_MONT }, acc = q;
  sm2_affine base;
  memcpy(base.x, x->v, sizeof base.x);
  memcpy(base.y, y->v, sizeof base.y);
  table[0] = base;
  for (int i = 1; i < 15; i++) {
    if (i == 1) point_double(&acc, &q);
    else point_add_affine(&acc, &acc, &base);
    fe ax, ay;
    if (!to_affine(&ax, &ay, &acc)) return 0;
    memcpy(table[i].x, ax.v, sizeof table[i].x);
    memcpy(table[i].y, ay.v, sizeof table[i].y);
  }
  return 1;
}

int sm2_curve_init(const unsigned char gx[32], const unsigned char gy[32]) {
  /* 2^256 mod p and 2^512 mod p by doubling 1 (plain arithmetic: fe_add is plain modular addition). */
  fe x = { { 1, 0, 0, 0 } };
  for (int i = 0; i < 512; i++) {
    fe_add(&x, &x, &x);
    if (i == 255) ONE_MONT = x;
  }
  R2 = x;
  if (!bytes_below_p(gx) || !bytes_below_p(gy)) return 0;
  fe mx, my;
  fe_from_bytes(&mx, gx);
  fe_from_bytes(&my, gy);
  ready = build_table(G_TABLE, &mx, &my);
  return ready;
}

int sm2_public_table(sm2_affine table[15], const unsigned char xy[64]) {
  if (!ready || !bytes_below_p(xy) || !bytes_below_p(xy + 32)) return 0;
  fe mx, my;
  fe_from_bytes(&mx, xy);
  fe_from_bytes(&my, xy + 32);
  return build_table(table, &mx, &my);
}

int sm2_double_mul_x(unsigned char x_out[32], const unsigned char u[32], const unsigned char v[32], const sm2_affine p_table[15]) {
  if (!ready) return 0;
  jpoint acc;
  memset(&acc, 0, sizeof acc);
  for (int i = 0; i < 64; i++) {
    if (i > 0) {
      point_double(&acc, &acc);
      point_double(&acc, &acc);
      point_double(&acc, &acc);
      point_double(&acc, &acc);
    }
    int shift = (i & 1) ? 0 : 4;
    int du = (u[i / 2] >> shift) & 15, dv = (v[i / 2] >> shift) & 15;
    if (du) point_add_affine(&acc, &acc, &G_TABLE[du - 1]);
    if (dv) point_add_affine(&acc, &acc, &p_table[dv - 1]);
  }
  fe x;
  if (!to_affine(&x, NULL, &acc)) return 0;
  fe_to_bytes(x_out, &x);
  return 1;
}
#endif
