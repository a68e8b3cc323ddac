//go:build !amd64 || purego

package neuron

// Without the amd64 assembly every dense loop runs in Go.

var useAVX2 = false

func deltaDenseAVX(v, vinf, in *float64, n int, pm, vth float64, spk *int32) int {
	panic("neuron: no assembly kernels")
}

func expDenseAVX(v, vinf, ie, ii *float64, n int, k *expProp, vth float64, spk *int32) int {
	panic("neuron: no assembly kernels")
}

func condDenseAVX(v, hd, ge, gi, be, bi *float64, n int, k *condConst, vth float64, spk *int32) int {
	panic("neuron: no assembly kernels")
}

func ampaNmdaDenseAVX(v, ga, gn, gg, thr, drive, be, bi *float64, n int, k *ampaNmdaConst, vth float64, spk *int32) (int, bool) {
	panic("neuron: no assembly kernels")
}

func aifDenseAVX(v, ga, gn, gg, a1, thr, drive, be, bi *float64, n int, k *aifConst, vth float64, spk *int32) (int, bool) {
	panic("neuron: no assembly kernels")
}

func expNegAVX(z *[4]float64) { panic("neuron: no assembly kernels") }

func driveAllAVX(vinf, bias *float64, n int, vr, rm, th float64) int {
	panic("neuron: no assembly kernels")
}
