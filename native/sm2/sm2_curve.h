/* The SM2 curve for signature verification (public data only): see sm2_curve.c. */
#ifndef ELICENSE_SM2_CURVE_H
#define ELICENSE_SM2_CURVE_H
#include <stdint.h>

/* An affine point in the internal (Montgomery) representation. */
typedef struct {
  uint64_t x[4];
  uint64_t y[4];
} sm2_affine;

/* Sets up the generator's table from its big-endian coordinates; 1 on success. */
int sm2_curve_init(const unsigned char gx[32], const unsigned char gy[32]);
/* The table of 1·Q … 15·Q of a public point given as big-endian x ‖ y (already known to be on the curve); 1 on success. */
int sm2_public_table(sm2_affine table[15], const unsigned char xy[64]);
/* x of [u]G + [v]Q (u, v big-endian 32 bytes, Q by its table) as big-endian bytes; 0 when the sum is infinity. */
int sm2_double_mul_x(unsigned char x_out[32], const unsigned char u[32], const unsigned char v[32], const sm2_affine q_table[15]);

#endif
