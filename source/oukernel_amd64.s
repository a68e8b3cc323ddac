//go:build amd64 && !purego

#include "textflag.h"

// The one-step OU update of eight neurons per iteration; see
// oukernel_amd64.go. The generator is math/rand/v2's PCG (128-bit LCG
// state = state·mul + inc, output DXSM), the deviate the fast path of the
// ziggurat (zigFast in normal.go), the update that of OUCurrent.Advance.

// Index vectors for VPERMI2Q: de-interleave eight (hi, lo) pairs held in
// two registers into a hi and a lo register, and interleave them back.
DATA ouidxhi<>+0(SB)/8, $0
DATA ouidxhi<>+8(SB)/8, $2
DATA ouidxhi<>+16(SB)/8, $4
DATA ouidxhi<>+24(SB)/8, $6
DATA ouidxhi<>+32(SB)/8, $8
DATA ouidxhi<>+40(SB)/8, $10
DATA ouidxhi<>+48(SB)/8, $12
DATA ouidxhi<>+56(SB)/8, $14
GLOBL ouidxhi<>(SB), RODATA|NOPTR, $64

DATA ouidxlo<>+0(SB)/8, $1
DATA ouidxlo<>+8(SB)/8, $3
DATA ouidxlo<>+16(SB)/8, $5
DATA ouidxlo<>+24(SB)/8, $7
DATA ouidxlo<>+32(SB)/8, $9
DATA ouidxlo<>+40(SB)/8, $11
DATA ouidxlo<>+48(SB)/8, $13
DATA ouidxlo<>+56(SB)/8, $15
GLOBL ouidxlo<>(SB), RODATA|NOPTR, $64

DATA ouidx0<>+0(SB)/8, $0
DATA ouidx0<>+8(SB)/8, $8
DATA ouidx0<>+16(SB)/8, $1
DATA ouidx0<>+24(SB)/8, $9
DATA ouidx0<>+32(SB)/8, $2
DATA ouidx0<>+40(SB)/8, $10
DATA ouidx0<>+48(SB)/8, $3
DATA ouidx0<>+56(SB)/8, $11
GLOBL ouidx0<>(SB), RODATA|NOPTR, $64

DATA ouidx1<>+0(SB)/8, $4
DATA ouidx1<>+8(SB)/8, $12
DATA ouidx1<>+16(SB)/8, $5
DATA ouidx1<>+24(SB)/8, $13
DATA ouidx1<>+32(SB)/8, $6
DATA ouidx1<>+40(SB)/8, $14
DATA ouidx1<>+48(SB)/8, $7
DATA ouidx1<>+56(SB)/8, $15
GLOBL ouidx1<>(SB), RODATA|NOPTR, $64

// func ouStepAVX512(x *float64, pcg *rand.PCG, first *uint64, fail *uint8, n int, m, a, s float64, zx, zr *float64)
TEXT ·ouStepAVX512(SB), NOSPLIT, $0-80
	MOVQ x+0(FP), AX
	MOVQ pcg+8(FP), BX
	MOVQ first+16(FP), CX
	MOVQ fail+24(FP), DX
	MOVQ n+32(FP), R8
	VBROADCASTSD m+40(FP), Z30
	VBROADCASTSD a+48(FP), Z31
	VBROADCASTSD s+56(FP), Z19
	MOVQ zx+64(FP), R9
	MOVQ zr+72(FP), R10

	MOVQ $4865540595714422341, R12  // mulLo
	VPBROADCASTQ R12, Z20
	SHRQ $32, R12
	VPBROADCASTQ R12, Z18           // mulLo >> 32
	MOVQ $2549297995355413924, R12  // mulHi
	VPBROADCASTQ R12, Z21
	MOVQ $1442695040888963407, R12  // incLo
	VPBROADCASTQ R12, Z22
	MOVQ $6364136223846793005, R12  // incHi
	VPBROADCASTQ R12, Z23
	MOVQ $0xda942042e4dd58b5, R12   // DXSM multiplier
	VPBROADCASTQ R12, Z24
	MOVQ $0xffffffff, R12
	VPBROADCASTQ R12, Z25
	MOVQ $1, R12
	VPBROADCASTQ R12, Z26
	MOVQ $0x7fffffffffffffff, R12   // |·| of a float64
	VPBROADCASTQ R12, Z27
	MOVQ $0x3cb0000000000000, R12   // 2^-52
	VPBROADCASTQ R12, Z28
	MOVQ $0x3ff0000000000000, R12   // 1.0
	VPBROADCASTQ R12, Z29
	MOVQ $127, R12                  // layer bits
	VPBROADCASTQ R12, Z13
	VMOVDQU64 ouidxhi<>(SB), Z17
	VMOVDQU64 ouidxlo<>(SB), Z16
	VMOVDQU64 ouidx0<>(SB), Z15
	VMOVDQU64 ouidx1<>(SB), Z14

	XORQ R11, R11 // neuron index
	XORQ R14, R14 // byte offset into pcg (16 per neuron)
	XORQ R15, R15 // index into fail (one per 8 neurons)
	TESTQ R8, R8
	JEQ  done

loop:
	// load eight generators and split them into hi (Z2) and lo (Z3)
	VMOVDQU64 (BX)(R14*1), Z0
	VMOVDQU64 64(BX)(R14*1), Z1
	VMOVDQA64 Z17, Z2
	VPERMI2Q  Z1, Z0, Z2
	VMOVDQA64 Z16, Z3
	VPERMI2Q  Z1, Z0, Z3

	// the 128-bit product lo·mulLo from 32-bit halves: low word Z10,
	// high word Z8
	VPSRLQ   $32, Z3, Z4
	VPMULUDQ Z20, Z3, Z5  // lo0·m0
	VPMULUDQ Z18, Z3, Z6  // lo0·m1
	VPMULUDQ Z20, Z4, Z7  // lo1·m0
	VPMULUDQ Z18, Z4, Z8  // lo1·m1
	VPSRLQ   $32, Z5, Z9
	VPANDQ   Z25, Z6, Z10
	VPADDQ   Z10, Z9, Z9
	VPANDQ   Z25, Z7, Z10
	VPADDQ   Z10, Z9, Z9  // middle column with carries
	VPSRLQ   $32, Z6, Z6
	VPSRLQ   $32, Z7, Z7
	VPSRLQ   $32, Z9, Z9
	VPADDQ   Z6, Z8, Z8
	VPADDQ   Z7, Z8, Z8
	VPADDQ   Z9, Z8, Z8
	VPMULLQ  Z20, Z3, Z10

	// hi word += hi·mulLo + lo·mulHi; then + inc with the carry
	VPMULLQ Z20, Z2, Z11
	VPMULLQ Z21, Z3, Z12
	VPADDQ  Z11, Z8, Z8
	VPADDQ  Z12, Z8, Z8
	VPADDQ  Z22, Z10, Z10
	VPCMPUQ $1, Z22, Z10, K1 // carry: new lo < incLo
	VPADDQ  Z23, Z8, Z8
	VPADDQ  Z26, Z8, K1, Z8

	// store the new states, interleaved again
	VMOVDQA64 Z15, Z0
	VPERMI2Q  Z10, Z8, Z0
	VMOVDQA64 Z14, Z1
	VPERMI2Q  Z10, Z8, Z1
	VMOVDQU64 Z0, (BX)(R14*1)
	VMOVDQU64 Z1, 64(BX)(R14*1)

	// DXSM output b (Z0)
	VPSRLQ  $32, Z8, Z0
	VPXORQ  Z8, Z0, Z0
	VPMULLQ Z24, Z0, Z0
	VPSRLQ  $48, Z0, Z1
	VPXORQ  Z1, Z0, Z0
	VPORQ   Z26, Z10, Z1
	VPMULLQ Z1, Z0, Z0
	VMOVDQU64 Z0, (CX)(R11*8)

	// ziggurat fast path: layer Z1, u = (b>>11)·2^-52 − 1 (Z2), accept
	// where |u| < ratio[layer] (K4), deviate u·x[layer]
	VPANDQ     Z13, Z0, Z1
	VPSRLQ     $11, Z0, Z2
	VCVTUQQ2PD Z2, Z2
	VMULPD     Z28, Z2, Z2
	VSUBPD     Z29, Z2, Z2
	KXNORB     K0, K0, K2
	VGATHERQPD (R9)(Z1*8), K2, Z3
	KXNORB     K0, K0, K3
	VGATHERQPD (R10)(Z1*8), K3, Z4
	VANDPD     Z27, Z2, Z5
	VCMPPD     $0x11, Z4, Z5, K4
	VMULPD     Z3, Z2, Z2

	// x = m + (x − m)·a + s·n where accepted
	VMOVUPD (AX)(R11*8), Z6
	VSUBPD  Z30, Z6, Z6
	VMULPD  Z31, Z6, Z6
	VADDPD  Z30, Z6, Z6
	VMULPD  Z19, Z2, Z2
	VADDPD  Z2, Z6, Z6
	VMOVUPD Z6, K4, (AX)(R11*8)
	KNOTB   K4, K5
	KMOVB   K5, R12
	MOVB    R12, (DX)(R15*1)

	ADDQ $8, R11
	ADDQ $128, R14
	INCQ R15
	CMPQ R11, R8
	JLT  loop

done:
	VZEROUPPER
	RET
