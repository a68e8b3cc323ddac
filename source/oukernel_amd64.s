//go:build amd64 && !purego

#include "textflag.h"

// The one-step OU update of eight neurons per iteration; see
// oukernel_amd64.go. The generator is math/rand/v2's PCG (128-bit LCG
// state = state·mul + inc, output DXSM), the deviate the ziggurat's
// (normal in normal.go: the fast path, then for the refused lanes the
// wedge test with its squeeze and the fresh draws after a rejection), the
// update that of OUCurrent.Advance.

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

// The lane offsets 0..7: a lane's neuron is the group's first plus its own.
DATA ouiota<>+0(SB)/8, $0
DATA ouiota<>+8(SB)/8, $1
DATA ouiota<>+16(SB)/8, $2
DATA ouiota<>+24(SB)/8, $3
DATA ouiota<>+32(SB)/8, $4
DATA ouiota<>+40(SB)/8, $5
DATA ouiota<>+48(SB)/8, $6
DATA ouiota<>+56(SB)/8, $7
GLOBL ouiota<>(SB), RODATA|NOPTR, $64

// Byte offsets of the rows of zigKernel (oukernel_amd64.go), 129 float64
// each: x, ratio, f (ZF1: f[i+1] for index i), the squeeze's reject and
// accept lines, and the constants ε and 2^-53.
#define ZX 0
#define ZRATIO 1032
#define ZF 2064
#define ZF1 2072
#define ZREJ0 3096
#define ZREJ1 4128
#define ZACC0 5160
#define ZACC1 6192
#define ZEPS 7224
#define ZUNIT 7232

// PCGNEXT computes the next state of the generators (Z8 hi, Z10 lo) into
// Z7 (hi) and Z11 (lo), as PCG.Uint64 steps them (state·mul + inc, 128
// bits). Temporaries Z3–Z6, Z9 and K7.
#define PCGNEXT \
	VPSRLQ   $32, Z10, Z3; \
	VPMULUDQ Z20, Z10, Z4; \
	VPMULUDQ Z18, Z10, Z5; \
	VPMULUDQ Z20, Z3, Z6; \
	VPMULUDQ Z18, Z3, Z7; \
	VPSRLQ   $32, Z4, Z9; \
	VPANDQ   Z25, Z5, Z11; \
	VPADDQ   Z11, Z9, Z9; \
	VPANDQ   Z25, Z6, Z11; \
	VPADDQ   Z11, Z9, Z9; \
	VPSRLQ   $32, Z5, Z5; \
	VPSRLQ   $32, Z6, Z6; \
	VPSRLQ   $32, Z9, Z9; \
	VPADDQ   Z5, Z7, Z7; \
	VPADDQ   Z6, Z7, Z7; \
	VPADDQ   Z9, Z7, Z7; \
	VPMULLQ  Z20, Z10, Z11; \
	VPMULLQ  Z20, Z8, Z4; \
	VPMULLQ  Z21, Z10, Z5; \
	VPADDQ   Z4, Z7, Z7; \
	VPADDQ   Z5, Z7, Z7; \
	VPADDQ   Z22, Z11, Z11; \
	VPCMPUQ  $1, Z22, Z11, K7; \
	VPADDQ   Z23, Z7, Z7; \
	VPADDQ   Z26, Z7, K7, Z7

// PCGSTEP steps the generators (Z8 hi, Z10 lo) of the lanes in mask k,
// leaving the others as they are; PCGSTEPALL steps all.
#define PCGSTEP(k) \
	PCGNEXT; \
	VMOVDQA64 Z7, k, Z8; \
	VMOVDQA64 Z11, k, Z10

#define PCGSTEPALL \
	PCGNEXT; \
	VMOVDQA64 Z7, Z8; \
	VMOVDQA64 Z11, Z10

// DXSM sets out to the DXSM output of the generators (Z8 hi, Z10 lo), in
// the lanes of mask k. Temporaries Z3, Z4.
#define DXSM(k, out) \
	VPSRLQ  $32, Z8, Z3; \
	VPXORQ  Z8, Z3, Z3; \
	VPMULLQ Z24, Z3, Z3; \
	VPSRLQ  $48, Z3, Z4; \
	VPXORQ  Z4, Z3, Z3; \
	VPORQ   Z26, Z10, Z4; \
	VPMULLQ Z4, Z3, k, out

// func ouStepAVX512(x *float64, pcg *rand.PCG, idx *int64, bl *uint64, n int, m, a, s float64, zk *float64) int
TEXT ·ouStepAVX512(SB), NOSPLIT, $0-80
	MOVQ x+0(FP), AX
	MOVQ pcg+8(FP), BX
	MOVQ idx+16(FP), CX
	MOVQ bl+24(FP), DI
	MOVQ n+32(FP), R8
	VBROADCASTSD m+40(FP), Z30
	VBROADCASTSD a+48(FP), Z31
	VBROADCASTSD s+56(FP), Z19
	MOVQ zk+64(FP), R9
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
	VMOVDQU64 ouiota<>(SB), Z14     // the lanes' neuron indices
	MOVQ $8, R12
	VPBROADCASTQ R12, Z15

	XORQ R11, R11 // neuron index
	XORQ R14, R14 // byte offset into pcg (16 per neuron)
	XORQ R13, R13 // length of the lists idx and bl
	TESTQ R8, R8
	JEQ  done

loop:
	// load eight generators and split them into hi (Z8) and lo (Z10)
	VMOVDQU64 (BX)(R14*1), Z0
	VMOVDQU64 64(BX)(R14*1), Z1
	VMOVDQU64 ouidxhi<>(SB), Z8
	VPERMI2Q  Z1, Z0, Z8
	VMOVDQU64 ouidxlo<>(SB), Z10
	VPERMI2Q  Z1, Z0, Z10

	KXNORB K0, K0, K1
	PCGSTEPALL

	// store the new states, interleaved again
	VMOVDQU64 ouidx0<>(SB), Z0
	VPERMI2Q  Z10, Z8, Z0
	VMOVDQU64 ouidx1<>(SB), Z1
	VPERMI2Q  Z10, Z8, Z1
	VMOVDQU64 Z0, (BX)(R14*1)
	VMOVDQU64 Z1, 64(BX)(R14*1)

	// output b (Z0)
	DXSM(K1, Z0)

	// ziggurat fast path: layer Z1, u = (b>>11)·2^-52 − 1 (Z2), accept
	// where |u| < ratio[layer] (K4), deviate u·x[layer]
	VPANDQ     Z13, Z0, Z1
	VPSRLQ     $11, Z0, Z2
	VCVTUQQ2PD Z2, Z2
	VMULPD     Z28, Z2, Z2
	VSUBPD     Z29, Z2, Z2
	KXNORB     K0, K0, K2
	VGATHERQPD ZX(R9)(Z1*8), K2, Z3
	KXNORB     K0, K0, K3
	VGATHERQPD ZRATIO(R9)(Z1*8), K3, Z4
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

	// keep the draws; append the refused lanes (K5) to the list
	VMOVDQU64   Z0, (DI)(R11*8)
	KNOTB       K4, K5
	VPCOMPRESSQ Z14, K5, Z16
	VMOVDQU64   Z16, (CX)(R13*8)
	KMOVB       K5, R12
	POPCNTL     R12, R12
	ADDQ        R12, R13

	VPADDQ Z15, Z14, Z14
	ADDQ $8, R11
	ADDQ $128, R14
	CMPQ R11, R8
	JLT  loop

done:
	MOVQ R13, ret+72(FP)
	VZEROUPPER
	RET

// func ouSlowAVX512(x *float64, pcg *rand.PCG, idx *int64, bl *uint64, cnt int, m, a, s float64, zk *float64, first, second *uint64, fail *uint8)
TEXT ·ouSlowAVX512(SB), NOSPLIT, $0-96
	MOVQ x+0(FP), AX
	MOVQ pcg+8(FP), BX
	MOVQ idx+16(FP), SI
	MOVQ bl+24(FP), R10
	MOVQ cnt+32(FP), R8
	VBROADCASTSD m+40(FP), Z30
	VBROADCASTSD a+48(FP), Z31
	VBROADCASTSD s+56(FP), Z19
	MOVQ zk+64(FP), R9
	MOVQ first+72(FP), CX
	MOVQ second+80(FP), DI
	MOVQ fail+88(FP), DX
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

	XORQ R11, R11 // list position
	XORQ R15, R15 // index into fail (one per 8 positions)
	TESTQ R8, R8
	JEQ  sdone

sloop:
	// K1: the positions R11 .. min(R11+8, cnt)−1
	MOVQ R8, R12
	SUBQ R11, R12
	MOVL $0xff, R13
	CMPQ R12, $8
	JGE  full
	MOVQ R12, CX
	MOVL $1, R13
	SHLL CX, R13
	DECL R13
	MOVQ first+72(FP), CX
full:
	KMOVB R13, K1

	// the neurons (Z12), their generators (Z8 hi, Z10 lo) and draws b (Z0)
	VMOVDQU64  (SI)(R11*8), Z12
	VPSLLQ     $1, Z12, Z16
	KMOVB      K1, K2
	VPGATHERQQ (BX)(Z16*8), K2, Z8
	KMOVB      K1, K2
	VPGATHERQQ 8(BX)(Z16*8), K2, Z10
	KMOVB      K1, K2
	VPGATHERQQ (R10)(Z12*8), K2, Z0
	VPANDQ     Z13, Z0, Z1
	VPSRLQ     $11, Z0, Z3
	VCVTUQQ2PD Z3, Z3
	VMULPD     Z28, Z3, Z3
	VSUBPD     Z29, Z3, Z3
	KMOVB      K1, K2
	VGATHERQPD ZX(R9)(Z1*8), K2, Z16
	VMULPD     Z16, Z3, Z2
	KMOVB      K1, K5     // the lanes still drawing
	KXORB      K4, K4, K4 // accepted
	KXORB      K6, K6, K6 // left to Go

	// Each lane K5 has its last draw b (Z0), layer (Z1), deviate candidate
	// u·x[layer] (Z2) and generator (Z8, Z10).
slow:
	// the base layer: the tail, drawn by the Go code from b
	VPTESTNMQ Z1, Z1, K5, K7
	VMOVDQU64 Z0, K7, (CX)(R11*8)
	KORB      K7, K6, K6
	KANDNB    K5, K7, K5
	KORTESTB  K5, K5
	JEQ       slowdone

	// the wedge: y = f[i] + U·(f[i+1] − f[i]) from the next draw b2 (Z14)
	PCGSTEP(K5)
	DXSM(K5, Z14)
	VPSRLQ       $11, Z14, Z15
	VCVTUQQ2PD   Z15, Z15
	VBROADCASTSD ZUNIT(R9), Z16
	VMULPD       Z16, Z15, Z15
	KMOVB        K5, K2
	VGATHERQPD   ZF(R9)(Z1*8), K2, Z16
	KMOVB        K5, K2
	VGATHERQPD   ZF1(R9)(Z1*8), K2, Z17
	VSUBPD       Z16, Z17, Z17
	VMULPD       Z17, Z15, Z15
	VADDPD       Z15, Z16, Z15

	// the squeeze (ziggurat.wedge): reject where y >= rej0 + rej1·|x| + ε
	// (K2), accept where y < acc0 + acc1·|x| − ε (K3)
	VANDPD       Z27, Z2, Z5
	VBROADCASTSD ZEPS(R9), Z6
	KMOVB        K5, K2
	VGATHERQPD   ZREJ1(R9)(Z1*8), K2, Z16
	VMULPD       Z5, Z16, Z16
	KMOVB        K5, K2
	VGATHERQPD   ZREJ0(R9)(Z1*8), K2, Z17
	VADDPD       Z16, Z17, Z16
	VADDPD       Z6, Z16, Z16
	VCMPPD       $0x1d, Z16, Z15, K5, K2
	KMOVB        K5, K3
	VGATHERQPD   ZACC1(R9)(Z1*8), K3, Z16
	VMULPD       Z5, Z16, Z16
	KMOVB        K5, K3
	VGATHERQPD   ZACC0(R9)(Z1*8), K3, Z17
	VADDPD       Z16, Z17, Z16
	VSUBPD       Z6, Z16, Z16
	VCMPPD       $0x11, Z16, Z15, K5, K3

	// undecided lanes (K7) go to Go with b and b2; accepted ones are done
	KORB      K2, K3, K7
	KANDNB    K5, K7, K7
	VMOVDQU64 Z0, K7, (CX)(R11*8)
	VMOVDQU64 Z14, K7, (DI)(R11*8)
	KORB      K7, K6, K6
	KORB      K3, K4, K4

	// rejected lanes (K2) draw afresh: the fast path on a new b
	KMOVB      K2, K5
	KORTESTB   K5, K5
	JEQ        slowdone
	PCGSTEP(K5)
	DXSM(K5, Z0)
	VPANDQ     Z13, Z0, K5, Z1
	VPSRLQ     $11, Z0, Z3
	VCVTUQQ2PD Z3, Z3
	VMULPD     Z28, Z3, Z3
	VSUBPD     Z29, Z3, Z3
	KMOVB      K5, K2
	VGATHERQPD ZX(R9)(Z1*8), K2, Z16
	KMOVB      K5, K2
	VGATHERQPD ZRATIO(R9)(Z1*8), K2, Z17
	VANDPD     Z27, Z3, Z5
	VCMPPD     $0x11, Z17, Z5, K5, K7
	VMULPD     Z16, Z3, K5, Z2
	KORB       K7, K4, K4
	KANDNB     K5, K7, K5
	KORTESTB   K5, K5
	JNE        slow

slowdone:
	// the generators, past the lanes' draws
	VPSLLQ      $1, Z12, Z16
	KMOVB       K1, K2
	VPSCATTERQQ Z8, K2, (BX)(Z16*8)
	KMOVB       K1, K2
	VPSCATTERQQ Z10, K2, 8(BX)(Z16*8)

	// x = m + (x − m)·a + s·n where accepted
	KMOVB       K4, K2
	VGATHERQPD  (AX)(Z12*8), K2, Z6
	VSUBPD      Z30, Z6, Z6
	VMULPD      Z31, Z6, Z6
	VADDPD      Z30, Z6, Z6
	VMULPD      Z19, Z2, Z2
	VADDPD      Z2, Z6, Z6
	KMOVB       K4, K2
	VSCATTERQPD Z6, K2, (AX)(Z12*8)
	KMOVB       K6, R12
	MOVB        R12, (DX)(R15*1)

	ADDQ $8, R11
	INCQ R15
	CMPQ R11, R8
	JLT  sloop

sdone:
	VZEROUPPER
	RET
