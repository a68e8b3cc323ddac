//go:build amd64 && !purego

#include "textflag.h"

// func postUpdateAVX(ws *float64, syn, src *int32, n int, off int64, zp *float64, k *postConst) int
//
// For four synapses s = off+syn[m] per iteration (R11 = m), with w and w̃
// gathered from ws[2s] and ws[2s+1], the lanes compute, as zenke.PostUpdate:
//
//	r  = float32(w); x = float64(r)
//	v  = x + a*zp[src[m]];  v = v - b*(x - w̃) where bMask
//	v  = wMax where v > wMax; v = wMin where v < wMin
//	nb = float32(v); dw = float64(nb) - x
//	y  = w + dw; y = 0 where y < 0; y = cap where y > cap
//	w  = y where nb ≠ r (as bits) and dw ≠ 0 and y ≠ w
//
// and store w back lane by lane. AX accumulates the lanes that changed.
TEXT ·postUpdateAVX(SB), NOSPLIT, $0-64
	MOVQ ws+0(FP), DI
	MOVQ syn+8(FP), SI
	MOVQ src+16(FP), DX
	MOVQ n+24(FP), CX
	VPBROADCASTQ off+32(FP), Y15
	MOVQ zp+40(FP), R8
	MOVQ k+48(FP), R9
	VBROADCASTSD 0(R9), Y14  // a
	VBROADCASTSD 8(R9), Y13  // b
	VBROADCASTSD 16(R9), Y12 // wMin
	VBROADCASTSD 24(R9), Y11 // wMax
	VBROADCASTSD 32(R9), Y10 // cap
	VBROADCASTSD 40(R9), Y9  // bMask
	VXORPD Y8, Y8, Y8        // +0
	XORQ AX, AX
	XORQ R11, R11
	TESTQ CX, CX
	JEQ post_done

post_loop:
	VPMOVSXDQ (SI)(R11*4), Y0 // syn[m] as int64
	VPADDQ Y15, Y0, Y0
	VPSLLQ $4, Y0, Y0          // byte offsets of w
	VPCMPEQD Y1, Y1, Y1
	VGATHERQPD Y1, (DI)(Y0*1), Y2 // w
	VPCMPEQD Y1, Y1, Y1
	VGATHERQPD Y1, 8(DI)(Y0*1), Y3 // w̃
	VMOVDQU (DX)(R11*4), X4
	VPCMPEQD Y1, Y1, Y1
	VGATHERDPD Y1, (R8)(X4*8), Y5 // zp[src[m]]
	VCVTPD2PSY Y2, X6          // r
	VCVTPS2PD X6, Y7           // x
	VMULPD Y5, Y14, Y5
	VADDPD Y5, Y7, Y5          // v = x + a*zp
	VSUBPD Y3, Y7, Y4          // x - w̃
	VMULPD Y4, Y13, Y4
	VSUBPD Y4, Y5, Y4          // v - b*(x - w̃)
	VBLENDVPD Y9, Y4, Y5, Y5
	VCMPPD $0x1e, Y11, Y5, Y1  // v > wMax (ordered)
	VBLENDVPD Y1, Y11, Y5, Y5
	VCMPPD $0x11, Y12, Y5, Y1  // v < wMin (ordered)
	VBLENDVPD Y1, Y12, Y5, Y5
	VCVTPD2PSY Y5, X4          // nb
	VPCMPEQD X4, X6, X1        // nb == r, as bits
	VPMOVSXDQ X1, Y1
	VCVTPS2PD X4, Y4
	VSUBPD Y7, Y4, Y4          // dw = float64(nb) - x
	VCMPPD $0x04, Y8, Y4, Y3   // dw != 0 (true for NaN, as Go's !=)
	VANDNPD Y3, Y1, Y3         // nb ≠ r and dw ≠ 0
	VADDPD Y4, Y2, Y4          // y = w + dw
	VCMPPD $0x11, Y8, Y4, Y1   // y < 0
	VBLENDVPD Y1, Y8, Y4, Y4
	VCMPPD $0x1e, Y10, Y4, Y1  // y > cap
	VBLENDVPD Y1, Y10, Y4, Y4
	VCMPPD $0x04, Y2, Y4, Y1   // y != w
	VANDPD Y1, Y3, Y3
	VBLENDVPD Y3, Y4, Y2, Y2   // the new w
	VMOVMSKPD Y3, BX
	ORQ BX, AX
	VMOVQ X0, BX
	VPEXTRQ $1, X0, R10
	VEXTRACTI128 $1, Y0, X0
	VMOVQ X0, R12
	VPEXTRQ $1, X0, R13
	VMOVSD X2, (DI)(BX*1)
	VMOVHPD X2, (DI)(R10*1)
	VEXTRACTF128 $1, Y2, X2
	VMOVSD X2, (DI)(R12*1)
	VMOVHPD X2, (DI)(R13*1)
	ADDQ $4, R11
	CMPQ R11, CX
	JLT post_loop

post_done:
	VZEROUPPER
	MOVQ AX, ret+56(FP)
	RET

// func preUpdateAVX(ws *float64, tgt *int32, n int, q *float64, k *preConst, dst *float32) int
//
// For four synapses k per iteration (R11 = k), with w and w̃ of synapse k
// at ws[2k] and ws[2k+1], the lanes compute, as zenke.PreUpdate:
//
//	r  = float32(w); v = (float64(r) - c*q[tgt[k]]) + δ
//	v  = wMin where v < wMin
//	nb = float32(v); dw = float64(nb) - float64(r)
//	y  = w + dw; y = 0 where y < 0; y = cap where y > cap
//	w  = y where nb ≠ r (as bits) and dw ≠ 0 and y ≠ w
//	dst[k] = float32(w)
//
// The pairs (w, w̃) of four synapses are two registers: unpacking them
// gives w and w̃ of synapses 0, 2, 1, 3, which VPERMPD puts in order (the
// permutation is its own inverse). AX accumulates the lanes that changed.
TEXT ·preUpdateAVX(SB), NOSPLIT, $0-56
	MOVQ ws+0(FP), DI
	MOVQ tgt+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ q+24(FP), R8
	MOVQ k+32(FP), R9
	MOVQ dst+40(FP), DX
	VBROADCASTSD 0(R9), Y14  // c
	VBROADCASTSD 8(R9), Y13  // δ
	VBROADCASTSD 16(R9), Y12 // wMin
	VBROADCASTSD 24(R9), Y10 // cap
	VXORPD Y8, Y8, Y8        // +0
	XORQ AX, AX
	XORQ R11, R11
	MOVQ DI, BX              // &ws[2k]
	TESTQ CX, CX
	JEQ pre_done

pre_loop:
	VMOVUPD (BX), Y0
	VMOVUPD 32(BX), Y1
	VUNPCKLPD Y1, Y0, Y2       // w of synapses 0, 2, 1, 3
	VUNPCKHPD Y1, Y0, Y9       // w̃ of synapses 0, 2, 1, 3
	VPERMPD $0xd8, Y2, Y2      // w in order
	VMOVDQU (SI)(R11*4), X4
	VPCMPEQD Y1, Y1, Y1
	VGATHERDPD Y1, (R8)(X4*8), Y5 // q[tgt[k]]
	VCVTPD2PSY Y2, X6          // r
	VCVTPS2PD X6, Y7           // float64(r)
	VMULPD Y5, Y14, Y5
	VSUBPD Y5, Y7, Y5          // float64(r) - c*q
	VADDPD Y13, Y5, Y5         // + δ
	VCMPPD $0x11, Y12, Y5, Y1  // v < wMin (ordered)
	VBLENDVPD Y1, Y12, Y5, Y5
	VCVTPD2PSY Y5, X4          // nb
	VPCMPEQD X4, X6, X1        // nb == r, as bits
	VPMOVSXDQ X1, Y1
	VCVTPS2PD X4, Y4
	VSUBPD Y7, Y4, Y4          // dw = float64(nb) - float64(r)
	VCMPPD $0x04, Y8, Y4, Y3   // dw != 0
	VANDNPD Y3, Y1, Y3         // nb ≠ r and dw ≠ 0
	VADDPD Y4, Y2, Y4          // y = w + dw
	VCMPPD $0x11, Y8, Y4, Y1   // y < 0
	VBLENDVPD Y1, Y8, Y4, Y4
	VCMPPD $0x1e, Y10, Y4, Y1  // y > cap
	VBLENDVPD Y1, Y10, Y4, Y4
	VCMPPD $0x04, Y2, Y4, Y1   // y != w
	VANDPD Y1, Y3, Y3
	VBLENDVPD Y3, Y4, Y2, Y2   // the new w
	VMOVMSKPD Y3, R10
	ORQ R10, AX
	VCVTPD2PSY Y2, X6
	VMOVUPS X6, (DX)(R11*4)    // the delivered weights
	VPERMPD $0xd8, Y2, Y2      // w of synapses 0, 2, 1, 3
	VUNPCKLPD Y9, Y2, Y0
	VUNPCKHPD Y9, Y2, Y1
	VMOVUPD Y0, (BX)
	VMOVUPD Y1, 32(BX)
	ADDQ $64, BX
	ADDQ $4, R11
	CMPQ R11, CX
	JLT pre_loop

pre_done:
	VZEROUPPER
	MOVQ AX, ret+48(FP)
	RET

// func prefetchPairs(ws *float64, syn *int32, n int, off int64)
//
// Asks for the cache lines of ws[2s] for the n synapses s = off+syn[m],
// without waiting for any: a prefetch retires at once, so the misses of a
// whole column are in flight together, where loads would hold the
// processor's reorder buffer until the oldest returned.
TEXT ·prefetchPairs(SB), NOSPLIT, $0-32
	MOVQ ws+0(FP), DI
	MOVQ syn+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ off+24(FP), DX
	SHLQ $4, DX
	ADDQ DX, DI          // &ws[2·off]
	XORQ R11, R11
	TESTQ CX, CX
	JEQ fetch_done

fetch_loop:
	MOVLQSX (SI)(R11*4), AX
	SHLQ $4, AX
	PREFETCHT0 (DI)(AX*1)
	INCQ R11
	CMPQ R11, CX
	JLT fetch_loop

fetch_done:
	RET
