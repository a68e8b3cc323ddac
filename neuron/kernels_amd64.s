//go:build amd64 && !purego

#include "textflag.h"
#include "go_asm.h"

// AVX2+FMA dense loops; see kernels_amd64.go. Each loop handles four
// neurons per iteration: R11 is the index, R12 the number of threshold
// crossings written to spk (R10), R8 the count n (a multiple of 4).

// SPIKES appends the lanes set in R13 (bits of VMOVMSKPD) as indices R11+lane
// to spk[R12...], using DI as scratch; again is its own label.
#define SPIKES(again) \
	BSFQ  R13, DI; \
	ADDQ  R11, DI; \
	MOVL  DI, (R10)(R12*4); \
	INCQ  R12; \
	LEAQ  -1(R13), DI; \
	ANDQ  DI, R13; \
	JNE   again

// func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL eaxArg+0(FP), AX
	MOVL ecxArg+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func xgetbv() (eax, edx uint32)
TEXT ·xgetbv(SB), NOSPLIT, $0-8
	MOVL $0, CX
	XGETBV
	MOVL AX, eax+0(FP)
	MOVL DX, edx+4(FP)
	RET

// func deltaDenseAVX(v, vinf, in *float64, n int, pm, vth float64, spk *int32) int
//
//	v = (v - vinf)*pm + (vinf + in)
TEXT ·deltaDenseAVX(SB), NOSPLIT, $0-64
	MOVQ v+0(FP), AX
	MOVQ vinf+8(FP), BX
	MOVQ in+16(FP), SI
	MOVQ n+24(FP), R8
	VBROADCASTSD pm+32(FP), Y10
	VBROADCASTSD vth+40(FP), Y15
	MOVQ spk+48(FP), R10
	XORQ R11, R11
	XORQ R12, R12

	TESTQ R8, R8
	JEQ   delta_done

delta_loop:
	VMOVUPD (BX)(R11*8), Y0
	VMOVUPD (AX)(R11*8), Y1
	VSUBPD  Y0, Y1, Y1
	VADDPD  (SI)(R11*8), Y0, Y0
	VFMADD213PD Y0, Y10, Y1
	VMOVUPD Y1, (AX)(R11*8)
	VCMPPD  $0x1e, Y15, Y1, Y2
	VMOVMSKPD Y2, R13
	TESTQ   R13, R13
	JNE     delta_spikes

delta_next:
	ADDQ $4, R11
	CMPQ R11, R8
	JLT  delta_loop
	JMP  delta_done

delta_spikes:
	SPIKES(delta_spikes)
	JMP delta_next

delta_done:
	VZEROUPPER
	MOVQ R12, ret+56(FP)
	RET

// func expDenseAVX(v, vinf, ie, ii *float64, n int, k *expProp, vth float64, spk *int32) int
//
//	v  = ((v - vinf)*pm + vinf) + ie*ke - ii*ki
//	ie = ie*pe
//	ii = ii*pi
TEXT ·expDenseAVX(SB), NOSPLIT, $0-72
	MOVQ v+0(FP), AX
	MOVQ vinf+8(FP), BX
	MOVQ ie+16(FP), CX
	MOVQ ii+24(FP), DX
	MOVQ n+32(FP), R8
	MOVQ k+40(FP), R9
	VBROADCASTSD expProp_pm(R9), Y10
	VBROADCASTSD expProp_pe(R9), Y11
	VBROADCASTSD expProp_pi(R9), Y12
	VBROADCASTSD expProp_ke(R9), Y13
	VBROADCASTSD expProp_ki(R9), Y14
	VBROADCASTSD vth+48(FP), Y15
	MOVQ spk+56(FP), R10
	XORQ R11, R11
	XORQ R12, R12

	TESTQ R8, R8
	JEQ   exp_done

exp_loop:
	VMOVUPD (BX)(R11*8), Y0
	VMOVUPD (AX)(R11*8), Y3
	VMOVUPD (CX)(R11*8), Y1
	VMOVUPD (DX)(R11*8), Y2
	VSUBPD  Y0, Y3, Y3
	VFMADD213PD Y0, Y10, Y3
	VFMADD231PD Y13, Y1, Y3
	VFNMADD231PD Y14, Y2, Y3
	VMULPD  Y11, Y1, Y4
	VMULPD  Y12, Y2, Y5
	VMOVUPD Y3, (AX)(R11*8)
	VMOVUPD Y4, (CX)(R11*8)
	VMOVUPD Y5, (DX)(R11*8)
	VCMPPD  $0x1e, Y15, Y3, Y6
	VMOVMSKPD Y6, R13
	TESTQ   R13, R13
	JNE     exp_spikes

exp_next:
	ADDQ $4, R11
	CMPQ R11, R8
	JLT  exp_loop
	JMP  exp_done

exp_spikes:
	SPIKES(exp_spikes)
	JMP exp_next

exp_done:
	VZEROUPPER
	MOVQ R12, ret+64(FP)
	RET

// EXPNEG sets Y4 = exp(-Y2) for Y2 in [-700, 700] (clamped first), using
// Y0, Y3, Y5, Y6 and Y7 as scratch (Y2 is lost). With z = r - m ln2, m an
// integer and |r| <= ln2/2:
//
//	exp(-z) = 2^m · sum_{k=0..11} (-r)^k/k!
//
// The truncation error is at most |r|^12/12!·e^|r| < 1e-14 relative; m·ln2
// is split as m·ln2hi + m·ln2lo with m·ln2hi exact. The polynomial is
// evaluated by Estrin's scheme (pairs, then powers r², r⁴), which shortens
// the dependency chain from 11 multiply-adds to 5. 2^m is built from the
// bits of m + 1.5·2^52. A NaN input gives a finite result; the callers' other
// terms carry the NaN.
#define EXPNEG \
	VMINPD  c700<>(SB), Y2, Y2; \
	VMAXPD  cm700<>(SB), Y2, Y2; \
	VMULPD  mlog2e<>(SB), Y2, Y3; \
	VROUNDPD $0, Y3, Y3; \
	VFMADD231PD ln2hi<>(SB), Y3, Y2; \
	VFMADD231PD ln2lo<>(SB), Y3, Y2; \
	VMULPD  Y2, Y2, Y5; \
	VMOVUPD expc1<>(SB), Y6; \
	VFMADD213PD expc0<>(SB), Y2, Y6; \
	VMOVUPD expc3<>(SB), Y7; \
	VFMADD213PD expc2<>(SB), Y2, Y7; \
	VFMADD231PD Y7, Y5, Y6; \
	VMOVUPD expc5<>(SB), Y7; \
	VFMADD213PD expc4<>(SB), Y2, Y7; \
	VMOVUPD expc7<>(SB), Y4; \
	VFMADD213PD expc6<>(SB), Y2, Y4; \
	VFMADD231PD Y4, Y5, Y7; \
	VMOVUPD expc9<>(SB), Y4; \
	VFMADD213PD expc8<>(SB), Y2, Y4; \
	VMOVUPD expc11<>(SB), Y0; \
	VFMADD213PD expc10<>(SB), Y2, Y0; \
	VFMADD231PD Y0, Y5, Y4; \
	VMULPD  Y5, Y5, Y5; \
	VFMADD231PD Y4, Y5, Y7; \
	VFMADD231PD Y7, Y5, Y6; \
	VADDPD  magic<>(SB), Y3, Y3; \
	VPSLLQ  $52, Y3, Y3; \
	VPADDQ  onebits<>(SB), Y3, Y3; \
	VMULPD  Y3, Y6, Y4

// func expNegAVX(z *[4]float64)
TEXT ·expNegAVX(SB), NOSPLIT, $0-8
	MOVQ z+0(FP), AX
	VMOVUPD (AX), Y2
	EXPNEG
	VMOVUPD Y4, (AX)
	VZEROUPPER
	RET

// func condDenseAVX(v, drive, ge, gi *float64, n int, k *condConst, vth float64, spk *int32) int
//
//	em, im = ge*he, gi*hi            (conductances at mid-tick)
//	vi     = (drive + em*eExc + im*eInh)/(1 + em + im)
//	z      = hm + ge*(hm*he) + gi*(hm*hi)    (= hm*(1 + em + im))
//	v      = (v - vi)*exp(-z) + vi
//	ge     = ge*pe
//	gi     = gi*pi
//
// exp(-z) is the polynomial condPoly in r = z - condZ0 when |r| <= condRMax
// in all four lanes (at dt/tau_m = 0.005 that is a total conductance below
// 68 g_L), else EXPNEG. The constants are read as 256-bit memory operands
// from k.v4.
TEXT ·condDenseAVX(SB), NOSPLIT, $0-72
	MOVQ v+0(FP), AX
	MOVQ drive+8(FP), BX
	MOVQ ge+16(FP), CX
	MOVQ gi+24(FP), DX
	MOVQ n+32(FP), R8
	MOVQ k+40(FP), R9
	VBROADCASTSD vth+48(FP), Y15
	MOVQ spk+56(FP), R10
	XORQ R11, R11
	XORQ R12, R12

	TESTQ R8, R8
	JEQ   cond_done

cond_loop:
	VMOVUPD (CX)(R11*8), Y8
	VMOVUPD (DX)(R11*8), Y9
	VMOVUPD condConst_v4+condV4_hm(R9), Y2
	VFMADD231PD condConst_v4+condV4_hmhe(R9), Y8, Y2
	VFMADD231PD condConst_v4+condV4_hmhi(R9), Y9, Y2
	VMULPD  condConst_v4+condV4_he(R9), Y8, Y10
	VMULPD  condConst_v4+condV4_hi(R9), Y9, Y11
	VMULPD  condConst_v4+condV4_pe(R9), Y8, Y8
	VMOVUPD Y8, (CX)(R11*8)
	VMULPD  condConst_v4+condV4_pi(R9), Y9, Y9
	VMOVUPD Y9, (DX)(R11*8)
	VADDPD  Y11, Y10, Y12
	VADDPD  one<>(SB), Y12, Y12
	VMOVUPD (BX)(R11*8), Y1
	VFMADD231PD condConst_v4+condV4_eExc(R9), Y10, Y1
	VFMADD231PD condConst_v4+condV4_eInh(R9), Y11, Y1
	VDIVPD  Y12, Y1, Y1
	// r = z - z0; the far path unless |r| <= rmax in every lane
	VSUBPD  ·condZ0v(SB), Y2, Y3
	VANDPD  absmask<>(SB), Y3, Y4
	VCMPPD  $0x1e, ·condRMaxv(SB), Y4, Y4
	VMOVMSKPD Y4, R13
	TESTQ   R13, R13
	JNE     cond_far
	// Estrin: p = (p01 + r²p23) + r⁴((p45 + r²p67) + r⁴ p89)
	VMULPD  Y3, Y3, Y5
	VMOVUPD ·condPoly+32(SB), Y6
	VFMADD213PD ·condPoly+0(SB), Y3, Y6
	VMOVUPD ·condPoly+96(SB), Y7
	VFMADD213PD ·condPoly+64(SB), Y3, Y7
	VFMADD231PD Y7, Y5, Y6
	VMOVUPD ·condPoly+160(SB), Y7
	VFMADD213PD ·condPoly+128(SB), Y3, Y7
	VMOVUPD ·condPoly+224(SB), Y4
	VFMADD213PD ·condPoly+192(SB), Y3, Y4
	VFMADD231PD Y4, Y5, Y7
	VMOVUPD ·condPoly+288(SB), Y4
	VFMADD213PD ·condPoly+256(SB), Y3, Y4
	VMULPD  Y5, Y5, Y5
	VFMADD231PD Y4, Y5, Y7
	VFMADD231PD Y7, Y5, Y6
	VMOVUPD Y6, Y4

cond_v:
	VMOVUPD (AX)(R11*8), Y5
	VSUBPD  Y1, Y5, Y5
	VFMADD213PD Y1, Y4, Y5
	VMOVUPD Y5, (AX)(R11*8)
	VCMPPD  $0x1e, Y15, Y5, Y6
	VMOVMSKPD Y6, R13
	TESTQ   R13, R13
	JNE     cond_spikes

cond_next:
	ADDQ $4, R11
	CMPQ R11, R8
	JLT  cond_loop
	JMP  cond_done

cond_far:
	EXPNEG
	JMP cond_v

cond_spikes:
	SPIKES(cond_spikes)
	JMP cond_next

cond_done:
	VZEROUPPER
	MOVQ R12, ret+64(FP)
	RET

// Constants, four copies each for 256-bit memory operands: the Taylor
// coefficients (-1)^k/k! of exp(-r), and those of the range reduction
// (ln2hi, ln2lo are fdlibm's split of ln 2; magic = 1.5·2^52).

DATA expc0<>+0(SB)/8, $0x3ff0000000000000
DATA expc0<>+8(SB)/8, $0x3ff0000000000000
DATA expc0<>+16(SB)/8, $0x3ff0000000000000
DATA expc0<>+24(SB)/8, $0x3ff0000000000000
GLOBL expc0<>(SB), RODATA|NOPTR, $32

DATA expc1<>+0(SB)/8, $0xbff0000000000000
DATA expc1<>+8(SB)/8, $0xbff0000000000000
DATA expc1<>+16(SB)/8, $0xbff0000000000000
DATA expc1<>+24(SB)/8, $0xbff0000000000000
GLOBL expc1<>(SB), RODATA|NOPTR, $32

DATA expc2<>+0(SB)/8, $0x3fe0000000000000
DATA expc2<>+8(SB)/8, $0x3fe0000000000000
DATA expc2<>+16(SB)/8, $0x3fe0000000000000
DATA expc2<>+24(SB)/8, $0x3fe0000000000000
GLOBL expc2<>(SB), RODATA|NOPTR, $32

DATA expc3<>+0(SB)/8, $0xbfc5555555555555
DATA expc3<>+8(SB)/8, $0xbfc5555555555555
DATA expc3<>+16(SB)/8, $0xbfc5555555555555
DATA expc3<>+24(SB)/8, $0xbfc5555555555555
GLOBL expc3<>(SB), RODATA|NOPTR, $32

DATA expc4<>+0(SB)/8, $0x3fa5555555555555
DATA expc4<>+8(SB)/8, $0x3fa5555555555555
DATA expc4<>+16(SB)/8, $0x3fa5555555555555
DATA expc4<>+24(SB)/8, $0x3fa5555555555555
GLOBL expc4<>(SB), RODATA|NOPTR, $32

DATA expc5<>+0(SB)/8, $0xbf81111111111111
DATA expc5<>+8(SB)/8, $0xbf81111111111111
DATA expc5<>+16(SB)/8, $0xbf81111111111111
DATA expc5<>+24(SB)/8, $0xbf81111111111111
GLOBL expc5<>(SB), RODATA|NOPTR, $32

DATA expc6<>+0(SB)/8, $0x3f56c16c16c16c17
DATA expc6<>+8(SB)/8, $0x3f56c16c16c16c17
DATA expc6<>+16(SB)/8, $0x3f56c16c16c16c17
DATA expc6<>+24(SB)/8, $0x3f56c16c16c16c17
GLOBL expc6<>(SB), RODATA|NOPTR, $32

DATA expc7<>+0(SB)/8, $0xbf2a01a01a01a01a
DATA expc7<>+8(SB)/8, $0xbf2a01a01a01a01a
DATA expc7<>+16(SB)/8, $0xbf2a01a01a01a01a
DATA expc7<>+24(SB)/8, $0xbf2a01a01a01a01a
GLOBL expc7<>(SB), RODATA|NOPTR, $32

DATA expc8<>+0(SB)/8, $0x3efa01a01a01a01a
DATA expc8<>+8(SB)/8, $0x3efa01a01a01a01a
DATA expc8<>+16(SB)/8, $0x3efa01a01a01a01a
DATA expc8<>+24(SB)/8, $0x3efa01a01a01a01a
GLOBL expc8<>(SB), RODATA|NOPTR, $32

DATA expc9<>+0(SB)/8, $0xbec71de3a556c734
DATA expc9<>+8(SB)/8, $0xbec71de3a556c734
DATA expc9<>+16(SB)/8, $0xbec71de3a556c734
DATA expc9<>+24(SB)/8, $0xbec71de3a556c734
GLOBL expc9<>(SB), RODATA|NOPTR, $32

DATA expc10<>+0(SB)/8, $0x3e927e4fb7789f5c
DATA expc10<>+8(SB)/8, $0x3e927e4fb7789f5c
DATA expc10<>+16(SB)/8, $0x3e927e4fb7789f5c
DATA expc10<>+24(SB)/8, $0x3e927e4fb7789f5c
GLOBL expc10<>(SB), RODATA|NOPTR, $32

DATA expc11<>+0(SB)/8, $0xbe5ae64567f544e4
DATA expc11<>+8(SB)/8, $0xbe5ae64567f544e4
DATA expc11<>+16(SB)/8, $0xbe5ae64567f544e4
DATA expc11<>+24(SB)/8, $0xbe5ae64567f544e4
GLOBL expc11<>(SB), RODATA|NOPTR, $32

DATA absmask<>+0(SB)/8, $0x7fffffffffffffff
DATA absmask<>+8(SB)/8, $0x7fffffffffffffff
DATA absmask<>+16(SB)/8, $0x7fffffffffffffff
DATA absmask<>+24(SB)/8, $0x7fffffffffffffff
GLOBL absmask<>(SB), RODATA|NOPTR, $32

DATA one<>+0(SB)/8, $0x3ff0000000000000
DATA one<>+8(SB)/8, $0x3ff0000000000000
DATA one<>+16(SB)/8, $0x3ff0000000000000
DATA one<>+24(SB)/8, $0x3ff0000000000000
GLOBL one<>(SB), RODATA|NOPTR, $32

DATA c700<>+0(SB)/8, $0x4085e00000000000
DATA c700<>+8(SB)/8, $0x4085e00000000000
DATA c700<>+16(SB)/8, $0x4085e00000000000
DATA c700<>+24(SB)/8, $0x4085e00000000000
GLOBL c700<>(SB), RODATA|NOPTR, $32

DATA cm700<>+0(SB)/8, $0xc085e00000000000
DATA cm700<>+8(SB)/8, $0xc085e00000000000
DATA cm700<>+16(SB)/8, $0xc085e00000000000
DATA cm700<>+24(SB)/8, $0xc085e00000000000
GLOBL cm700<>(SB), RODATA|NOPTR, $32

DATA mlog2e<>+0(SB)/8, $0xbff71547652b82fe
DATA mlog2e<>+8(SB)/8, $0xbff71547652b82fe
DATA mlog2e<>+16(SB)/8, $0xbff71547652b82fe
DATA mlog2e<>+24(SB)/8, $0xbff71547652b82fe
GLOBL mlog2e<>(SB), RODATA|NOPTR, $32

DATA ln2hi<>+0(SB)/8, $0x3fe62e42fee00000
DATA ln2hi<>+8(SB)/8, $0x3fe62e42fee00000
DATA ln2hi<>+16(SB)/8, $0x3fe62e42fee00000
DATA ln2hi<>+24(SB)/8, $0x3fe62e42fee00000
GLOBL ln2hi<>(SB), RODATA|NOPTR, $32

DATA ln2lo<>+0(SB)/8, $0x3dea39ef35793c76
DATA ln2lo<>+8(SB)/8, $0x3dea39ef35793c76
DATA ln2lo<>+16(SB)/8, $0x3dea39ef35793c76
DATA ln2lo<>+24(SB)/8, $0x3dea39ef35793c76
GLOBL ln2lo<>(SB), RODATA|NOPTR, $32

DATA magic<>+0(SB)/8, $0x4338000000000000
DATA magic<>+8(SB)/8, $0x4338000000000000
DATA magic<>+16(SB)/8, $0x4338000000000000
DATA magic<>+24(SB)/8, $0x4338000000000000
GLOBL magic<>(SB), RODATA|NOPTR, $32

DATA onebits<>+0(SB)/8, $0x3ff0000000000000
DATA onebits<>+8(SB)/8, $0x3ff0000000000000
DATA onebits<>+16(SB)/8, $0x3ff0000000000000
DATA onebits<>+24(SB)/8, $0x3ff0000000000000
GLOBL onebits<>(SB), RODATA|NOPTR, $32
