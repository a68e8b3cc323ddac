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

// func condDenseAVX(v, hd, ge, gi, be, bi *float64, n int, k *condConst, vth float64, spk *int32) int
//
//	a  = hm + ge*hmhe + gi*hmhi            (= (1 + ge*he + gi*hi)*dt/tau_m)
//	b  = hd + gi*kInh
//	v  = v + φ(a)*(b - a*(v - eExc))       (φ(a) = (1 - exp(-a))/a)
//	ge = ge*pe (+ be, be = 0 if be != nil)
//	gi = gi*pi (+ bi, bi = 0 if be != nil)
//
// (see condConst.step). φ is the polynomial condPhi in r = a - condPhiC,
// as condPhiPoly evaluates it, when |r| <= condPhiR in all four lanes (at
// dt/tau_m = 0.005 that is a total conductance below 69 g_L); else the four
// lanes take cond_far, the form v = vi + (v - vi)*exp(-a) with
// vi = eExc + b/a and exp(-a) by EXPNEG. The loop constants live in Y8-Y15;
// SI and R9 hold be and bi (SI = 0: no input).
TEXT ·condDenseAVX(SB), NOSPLIT, $0-88
	MOVQ v+0(FP), AX
	MOVQ hd+8(FP), BX
	MOVQ ge+16(FP), CX
	MOVQ gi+24(FP), DX
	MOVQ be+32(FP), SI
	MOVQ n+48(FP), R8
	MOVQ k+56(FP), R9
	VBROADCASTSD vth+64(FP), Y15
	MOVQ spk+72(FP), R10
	XORQ R11, R11
	XORQ R12, R12

	TESTQ R8, R8
	JEQ   cond_done

	VBROADCASTSD condConst_hm(R9), Y14
	VBROADCASTSD condConst_hmhe(R9), Y13
	VBROADCASTSD condConst_hmhi(R9), Y12
	VBROADCASTSD condConst_kInh(R9), Y11
	VBROADCASTSD condConst_eExc(R9), Y10
	VBROADCASTSD condConst_pe(R9), Y9
	VBROADCASTSD condConst_pi(R9), Y8
	MOVQ bi+40(FP), R9

cond_loop:
	VMOVUPD (CX)(R11*8), Y0
	VMOVUPD (DX)(R11*8), Y1
	VMOVAPD Y14, Y4
	VFMADD231PD Y13, Y0, Y4
	VFMADD231PD Y12, Y1, Y4
	VMOVUPD (BX)(R11*8), Y5
	VFMADD231PD Y11, Y1, Y5
	// r = a - c; cond_far unless |r| <= condPhiR in every lane
	VSUBPD  ·condPhiCv(SB), Y4, Y6
	VANDPD  absmask<>(SB), Y6, Y7
	VCMPPD  $0x1e, ·condPhiRv(SB), Y7, Y7
	VMOVMSKPD Y7, R13
	TESTQ   R13, R13
	JNE     cond_far
	TESTQ   SI, SI
	JNE     cond_in
	VMULPD  Y9, Y0, Y0
	VMULPD  Y8, Y1, Y1

cond_g:
	VMOVUPD Y0, (CX)(R11*8)
	VMOVUPD Y1, (DX)(R11*8)
	VMOVUPD (AX)(R11*8), Y2
	VSUBPD  Y10, Y2, Y3
	VFNMADD231PD Y4, Y3, Y5
	// φ = E(r²) + r·O(r²), E and O by Horner's rule
	VMULPD  Y6, Y6, Y7
	VMOVUPD ·condPhi+192(SB), Y0
	VFMADD213PD ·condPhi+128(SB), Y7, Y0
	VFMADD213PD ·condPhi+64(SB), Y7, Y0
	VFMADD213PD ·condPhi+0(SB), Y7, Y0
	VMOVUPD ·condPhi+224(SB), Y1
	VFMADD213PD ·condPhi+160(SB), Y7, Y1
	VFMADD213PD ·condPhi+96(SB), Y7, Y1
	VFMADD213PD ·condPhi+32(SB), Y7, Y1
	VFMADD231PD Y1, Y6, Y0
	VFMADD231PD Y5, Y0, Y2

cond_v:
	VMOVUPD Y2, (AX)(R11*8)
	VCMPPD  $0x1e, Y15, Y2, Y6
	VMOVMSKPD Y6, R13
	TESTQ   R13, R13
	JNE     cond_spikes

cond_next:
	ADDQ $4, R11
	CMPQ R11, R8
	JLT  cond_loop
	JMP  cond_done

cond_in:
	// ge = ge*pe + be, gi = gi*pi + bi; be = bi = 0
	VFMADD213PD (SI)(R11*8), Y9, Y0
	VFMADD213PD (R9)(R11*8), Y8, Y1
	VXORPD  Y3, Y3, Y3
	VMOVUPD Y3, (SI)(R11*8)
	VMOVUPD Y3, (R9)(R11*8)
	JMP     cond_g

cond_far:
	TESTQ   SI, SI
	JNE     cond_far_in
	VMULPD  Y9, Y0, Y0
	VMULPD  Y8, Y1, Y1

cond_far_g:
	VMOVUPD Y0, (CX)(R11*8)
	VMOVUPD Y1, (DX)(R11*8)
	VDIVPD  Y4, Y5, Y1
	VADDPD  Y10, Y1, Y1
	VMOVAPD Y4, Y2
	EXPNEG
	VMOVUPD (AX)(R11*8), Y2
	VSUBPD  Y1, Y2, Y2
	VFMADD213PD Y1, Y4, Y2
	JMP     cond_v

cond_far_in:
	VFMADD213PD (SI)(R11*8), Y9, Y0
	VFMADD213PD (R9)(R11*8), Y8, Y1
	VXORPD  Y3, Y3, Y3
	VMOVUPD Y3, (SI)(R11*8)
	VMOVUPD Y3, (R9)(R11*8)
	JMP     cond_far_g

cond_spikes:
	SPIKES(cond_spikes)
	JMP cond_next

cond_done:
	VZEROUPPER
	MOVQ R12, ret+80(FP)
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

// func ampaNmdaDenseAVX(v, ga, gn, gg, thr, drive, be, bi *float64, n int, k *ampaNmdaConst, vth float64, spk *int32) (nc int, low bool)
//
//	c     = (aa*ga + an*gn)*(v - eExc) + gg*(v - eInh) + (v - drive)
//	gn    = (gn + m*ga)*q
//	ga    = ga*pa (+ be, be = 0 if be != nil)
//	gg    = gg*pg (+ bi, bi = 0 if be != nil)
//	thr   = thr*pt
//	v     = min(max(v - h*c, vMin), vMax)
//	spike if v > vth + thr
//	low   = any |ga| <= ampaNmdaGTol (after the update)
//
// (see ampaNmdaConst.step; the clip keeps a NaN, as the Go loop does). The
// loop needs twelve pointers and counters, all the general registers there
// are: the array pointers are advanced by n and the index R11 runs from -n
// to 0, the spike path borrows DI (drive) and saves it in the frame, and
// the constants that are memory operands live in the frame, four copies
// each: aa 0, an 32, eExc 64, eInh 96, h 128, m 160, q 192, pt 224,
// vth 256, ampaNmdaGTol 320; DI is saved at 288. Y10 is zero, Y11 vMin,
// Y12 vMax, Y13 pa, Y14 pg, Y15 the OR of the low masks.
TEXT ·ampaNmdaDenseAVX(SB), NOSPLIT, $352-105
	XORQ R12, R12
	VXORPD Y15, Y15, Y15
	MOVQ n+64(FP), R8
	TESTQ R8, R8
	JEQ   amp_done

	MOVQ k+72(FP), R9
	VBROADCASTSD ampaNmdaConst_aa(R9), Y0
	VMOVUPD Y0, 0(SP)
	VBROADCASTSD ampaNmdaConst_an(R9), Y0
	VMOVUPD Y0, 32(SP)
	VBROADCASTSD ampaNmdaConst_eExc(R9), Y0
	VMOVUPD Y0, 64(SP)
	VBROADCASTSD ampaNmdaConst_eInh(R9), Y0
	VMOVUPD Y0, 96(SP)
	VBROADCASTSD ampaNmdaConst_h(R9), Y0
	VMOVUPD Y0, 128(SP)
	VBROADCASTSD ampaNmdaConst_m(R9), Y0
	VMOVUPD Y0, 160(SP)
	VBROADCASTSD ampaNmdaConst_q(R9), Y0
	VMOVUPD Y0, 192(SP)
	VBROADCASTSD ampaNmdaConst_pt(R9), Y0
	VMOVUPD Y0, 224(SP)
	VBROADCASTSD vth+80(FP), Y0
	VMOVUPD Y0, 256(SP)
	VBROADCASTSD ·ampaNmdaGTolv(SB), Y0
	VMOVUPD Y0, 320(SP)
	VXORPD Y10, Y10, Y10
	VBROADCASTSD ampaNmdaConst_vMin(R9), Y11
	VBROADCASTSD ampaNmdaConst_vMax(R9), Y12
	VBROADCASTSD ampaNmdaConst_pa(R9), Y13
	VBROADCASTSD ampaNmdaConst_pg(R9), Y14

	MOVQ R8, R11
	NEGQ R11
	SHLQ $3, R8
	MOVQ v+0(FP), AX
	ADDQ R8, AX
	MOVQ ga+8(FP), BX
	ADDQ R8, BX
	MOVQ gn+16(FP), CX
	ADDQ R8, CX
	MOVQ gg+24(FP), DX
	ADDQ R8, DX
	MOVQ thr+32(FP), SI
	ADDQ R8, SI
	MOVQ drive+40(FP), DI
	ADDQ R8, DI
	MOVQ spk+88(FP), R10
	MOVQ bi+56(FP), R9
	ADDQ R8, R9
	MOVQ be+48(FP), R13
	TESTQ R13, R13
	JEQ   amp_noin
	ADDQ R13, R8
	JMP   amp_loop

amp_noin:
	XORQ R8, R8

amp_loop:
	VMOVUPD (AX)(R11*8), Y0
	VMOVUPD (BX)(R11*8), Y1
	VMOVUPD (CX)(R11*8), Y2
	VMOVUPD (DX)(R11*8), Y3
	VMULPD  0(SP), Y1, Y4
	VFMADD231PD 32(SP), Y2, Y4
	VSUBPD  64(SP), Y0, Y5
	VSUBPD  96(SP), Y0, Y6
	VSUBPD  (DI)(R11*8), Y0, Y7
	VFMADD231PD Y4, Y5, Y7
	VFMADD231PD Y3, Y6, Y7
	VFNMADD231PD 128(SP), Y7, Y0
	VMAXPD  Y0, Y11, Y0
	VMINPD  Y0, Y12, Y0
	VFMADD231PD 160(SP), Y1, Y2
	VMULPD  192(SP), Y2, Y2
	TESTQ   R8, R8
	JNE     amp_in
	VMULPD  Y13, Y1, Y1
	VMULPD  Y14, Y3, Y3

amp_g:
	VANDPD  absmask<>(SB), Y1, Y4
	VCMPPD  $0x02, 320(SP), Y4, Y4
	VORPD   Y4, Y15, Y15
	VMOVUPD Y1, (BX)(R11*8)
	VMOVUPD Y2, (CX)(R11*8)
	VMOVUPD Y3, (DX)(R11*8)
	VMOVUPD (SI)(R11*8), Y8
	VMULPD  224(SP), Y8, Y8
	VMOVUPD Y8, (SI)(R11*8)
	VMOVUPD Y0, (AX)(R11*8)
	VADDPD  256(SP), Y8, Y9
	VCMPPD  $0x1e, Y9, Y0, Y9
	VMOVMSKPD Y9, R13
	TESTQ   R13, R13
	JNE     amp_spikes

amp_next:
	ADDQ $4, R11
	JNE  amp_loop
	JMP  amp_done

amp_in:
	// ga = ga*pa + be, gg = gg*pg + bi; be = bi = 0
	VFMADD213PD (R8)(R11*8), Y13, Y1
	VFMADD213PD (R9)(R11*8), Y14, Y3
	VMOVUPD Y10, (R8)(R11*8)
	VMOVUPD Y10, (R9)(R11*8)
	JMP     amp_g

amp_spikes:
	MOVQ DI, 288(SP)

amp_spikes_loop:
	BSFQ  R13, DI
	ADDQ  R11, DI
	ADDQ  n+64(FP), DI
	MOVL  DI, (R10)(R12*4)
	INCQ  R12
	LEAQ  -1(R13), DI
	ANDQ  DI, R13
	JNE   amp_spikes_loop
	MOVQ  288(SP), DI
	JMP   amp_next

amp_done:
	VMOVMSKPD Y15, R13
	TESTQ R13, R13
	SETNE low+104(FP)
	VZEROUPPER
	MOVQ R12, nc+96(FP)
	RET

// func aifDenseAVX(v, ga, gn, gg, a1, thr, drive, be, bi *float64, n int, k *aifConst, vth float64, spk *int32) (nc int, low bool)
//
//	ga    = ga*pa,  gg = gg*pg,  a1 = a1*p1
//	gn    = (gn + m*ga)*q
//	c     = (aa*ga + an*gn)*(v - eExc) + (gg + a1)*(v - eInh) + (v - drive)
//	v     = min(max(v - h*c, vMin), vMax)
//	thr   = thr*pt
//	ga   += be, gg += bi, be = bi = 0 (if be != nil)
//	spike if v > vth + thr
//	low   = any |ga| <= ampaNmdaGTol (after the input)
//
// (aifDense with g_a2 = 0, which is where dg_a2 = 0 keeps it.) The
// registers are those of ampaNmdaDenseAVX with R12 pointing to a1; the
// spike count lives in the frame at 392, and the spike path borrows DI and
// R12, saved at 288 and 384. Frame constants, four copies each: aa 0,
// an 32, eExc 64, eInh 96, h 128, m 160, q 192, pt 224, vth 256,
// ampaNmdaGTol 320, p1 352. Y10 is zero, Y11 vMin, Y12 vMax, Y13 pa,
// Y14 pg, Y15 the OR of the low masks.
TEXT ·aifDenseAVX(SB), NOSPLIT, $400-113
	MOVQ $0, 392(SP)
	VXORPD Y15, Y15, Y15
	MOVQ n+72(FP), R8
	TESTQ R8, R8
	JEQ   aif_done

	MOVQ k+80(FP), R9
	VBROADCASTSD aifConst_aa(R9), Y0
	VMOVUPD Y0, 0(SP)
	VBROADCASTSD aifConst_an(R9), Y0
	VMOVUPD Y0, 32(SP)
	VBROADCASTSD aifConst_eExc(R9), Y0
	VMOVUPD Y0, 64(SP)
	VBROADCASTSD aifConst_eInh(R9), Y0
	VMOVUPD Y0, 96(SP)
	VBROADCASTSD aifConst_h(R9), Y0
	VMOVUPD Y0, 128(SP)
	VBROADCASTSD aifConst_m(R9), Y0
	VMOVUPD Y0, 160(SP)
	VBROADCASTSD aifConst_q(R9), Y0
	VMOVUPD Y0, 192(SP)
	VBROADCASTSD aifConst_pt(R9), Y0
	VMOVUPD Y0, 224(SP)
	VBROADCASTSD vth+88(FP), Y0
	VMOVUPD Y0, 256(SP)
	VBROADCASTSD ·ampaNmdaGTolv(SB), Y0
	VMOVUPD Y0, 320(SP)
	VBROADCASTSD aifConst_p1(R9), Y0
	VMOVUPD Y0, 352(SP)
	VXORPD Y10, Y10, Y10
	VBROADCASTSD aifConst_vMin(R9), Y11
	VBROADCASTSD aifConst_vMax(R9), Y12
	VBROADCASTSD aifConst_pa(R9), Y13
	VBROADCASTSD aifConst_pg(R9), Y14

	MOVQ R8, R11
	NEGQ R11
	SHLQ $3, R8
	MOVQ v+0(FP), AX
	ADDQ R8, AX
	MOVQ ga+8(FP), BX
	ADDQ R8, BX
	MOVQ gn+16(FP), CX
	ADDQ R8, CX
	MOVQ gg+24(FP), DX
	ADDQ R8, DX
	MOVQ a1+32(FP), R12
	ADDQ R8, R12
	MOVQ thr+40(FP), SI
	ADDQ R8, SI
	MOVQ drive+48(FP), DI
	ADDQ R8, DI
	MOVQ spk+96(FP), R10
	MOVQ bi+64(FP), R9
	ADDQ R8, R9
	MOVQ be+56(FP), R13
	TESTQ R13, R13
	JEQ   aif_noin
	ADDQ R13, R8
	JMP   aif_loop

aif_noin:
	XORQ R8, R8

aif_loop:
	VMOVUPD (AX)(R11*8), Y0
	VMULPD  (BX)(R11*8), Y13, Y1
	VMULPD  (DX)(R11*8), Y14, Y3
	VMOVUPD (R12)(R11*8), Y8
	VMULPD  352(SP), Y8, Y8
	VMOVUPD Y8, (R12)(R11*8)
	VMOVUPD (CX)(R11*8), Y2
	VFMADD231PD 160(SP), Y1, Y2
	VMULPD  192(SP), Y2, Y2
	VADDPD  Y8, Y3, Y8
	VMULPD  0(SP), Y1, Y4
	VFMADD231PD 32(SP), Y2, Y4
	VSUBPD  64(SP), Y0, Y5
	VSUBPD  96(SP), Y0, Y6
	VSUBPD  (DI)(R11*8), Y0, Y7
	VFMADD231PD Y4, Y5, Y7
	VFMADD231PD Y8, Y6, Y7
	VFNMADD231PD 128(SP), Y7, Y0
	VMAXPD  Y0, Y11, Y0
	VMINPD  Y0, Y12, Y0
	TESTQ   R8, R8
	JNE     aif_in

aif_g:
	VANDPD  absmask<>(SB), Y1, Y4
	VCMPPD  $0x02, 320(SP), Y4, Y4
	VORPD   Y4, Y15, Y15
	VMOVUPD Y1, (BX)(R11*8)
	VMOVUPD Y2, (CX)(R11*8)
	VMOVUPD Y3, (DX)(R11*8)
	VMOVUPD (SI)(R11*8), Y9
	VMULPD  224(SP), Y9, Y9
	VMOVUPD Y9, (SI)(R11*8)
	VMOVUPD Y0, (AX)(R11*8)
	VADDPD  256(SP), Y9, Y9
	VCMPPD  $0x1e, Y9, Y0, Y9
	VMOVMSKPD Y9, R13
	TESTQ   R13, R13
	JNE     aif_spikes

aif_next:
	ADDQ $4, R11
	JNE  aif_loop
	JMP  aif_done

aif_in:
	// ga += be, gg += bi; be = bi = 0
	VADDPD  (R8)(R11*8), Y1, Y1
	VADDPD  (R9)(R11*8), Y3, Y3
	VMOVUPD Y10, (R8)(R11*8)
	VMOVUPD Y10, (R9)(R11*8)
	JMP     aif_g

aif_spikes:
	MOVQ DI, 288(SP)
	MOVQ R12, 384(SP)
	MOVQ 392(SP), R12

aif_spikes_loop:
	BSFQ  R13, DI
	ADDQ  R11, DI
	ADDQ  n+72(FP), DI
	MOVL  DI, (R10)(R12*4)
	INCQ  R12
	LEAQ  -1(R13), DI
	ANDQ  DI, R13
	JNE   aif_spikes_loop
	MOVQ  R12, 392(SP)
	MOVQ  384(SP), R12
	MOVQ  288(SP), DI
	JMP   aif_next

aif_done:
	VMOVMSKPD Y15, R13
	TESTQ R13, R13
	SETNE low+112(FP)
	VZEROUPPER
	MOVQ 392(SP), R12
	MOVQ R12, nc+104(FP)
	RET

// func driveAllAVX(vinf, bias *float64, n int, vr, rm, th float64) int
TEXT ·driveAllAVX(SB), NOSPLIT, $0-56
	MOVQ vinf+0(FP), AX
	MOVQ bias+8(FP), BX
	MOVQ n+16(FP), R8
	VBROADCASTSD vr+24(FP), Y10
	VBROADCASTSD rm+32(FP), Y11
	VBROADCASTSD th+40(FP), Y12
	XORQ R11, R11 // index
	XORQ R12, R12 // count
	TESTQ R8, R8
	JEQ  drive_done

drive_loop:
	VMOVUPD (BX)(R11*8), Y0
	VMULPD  Y11, Y0, Y0
	VADDPD  Y10, Y0, Y0
	VMOVUPD (AX)(R11*8), Y1
	VMOVUPD Y0, (AX)(R11*8)
	VCMPPD  $0x11, Y12, Y0, Y2 // new < th
	VCMPPD  $0x11, Y12, Y1, Y3 // old < th
	VMOVMSKPD Y2, R13
	VMOVMSKPD Y3, R14
	POPCNTQ R13, R13
	POPCNTQ R14, R14
	ADDQ R13, R12
	SUBQ R14, R12
	ADDQ $4, R11
	CMPQ R11, R8
	JLT  drive_loop

drive_done:
	VZEROUPPER
	MOVQ R12, ret+48(FP)
	RET
