package analysis

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// RecallMeasureNames are the recall measures of a trial batch, in the
// order they are reported: the mean recall-window rates of the cued (as)
// and uncued (ans) assembly neurons, the control neurons and the
// inhibitory population [Hz], Q, MI [bits] and the entropy H(L) of the
// learning-window rates [bits].
var RecallMeasureNames = []string{"nu_as", "nu_ans", "nu_ctrl", "nu_inh", "Q", "MI", "H_L"}

// RefValue is the mean and the standard deviation across trials of a
// measure in a published batch of N trials.
type RefValue struct {
	Mean, SD float64
	N        int
}

// CI returns the 95 % confidence interval of the batch's mean, mean ±
// t_{0.975, N−1} s.d./√N.
func (r RefValue) CI() (lo, hi float64) {
	h := tHalf(r.SD, r.N)
	return r.Mean - h, r.Mean + h
}

// tHalf is the half-width of the 95 % confidence interval of a mean of n
// samples with standard deviation sd (Student's t with n − 1 degrees of
// freedom); NaN for fewer than two samples.
func tHalf(sd float64, n int) float64 {
	if n < 2 {
		return math.NaN()
	}
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(0.975)
	return t * sd / math.Sqrt(float64(n))
}

// SampleCI returns the mean, the sample standard deviation (divisor n − 1)
// and the 95 % confidence interval of the mean of x.
func SampleCI(x []float64) (mean, sd, lo, hi float64) {
	n := len(x)
	if n == 0 {
		nan := math.NaN()
		return nan, nan, nan, nan
	}
	for _, v := range x {
		mean += v
	}
	mean /= float64(n)
	if n > 1 {
		for _, v := range x {
			sd += (v - mean) * (v - mean)
		}
		sd = math.Sqrt(sd / float64(n-1))
	}
	h := tHalf(sd, n)
	return mean, sd, mean - h, mean + h
}

// LT2021Reference returns the recall measures of Luboeinski & Tetzlaff's
// stand-alone simulator for an assembly of nCA neurons recalled after
// "10 s" or "8 h": their own batch of 50 trials with fresh topologies and
// a random cued half, run with the code of 2024 (repository
// jlubo/memory-consolidation-stc, notebook
// simulator_comparison_memory_recall/figures.ipynb), mean ± s.d. across
// trials, by the names of RecallMeasureNames. ok is false for other
// sizes and protocols.
func LT2021Reference(nCA int, protocol string) (ref map[string]RefValue, ok bool) {
	type row [7][2]float64 // mean, s.d. of each of RecallMeasureNames
	table := map[string]map[int]row{
		"10 s": {
			100: {{92.43, 0.16}, {5.80, 1.45}, {4.19, 0.40}, {16.06, 0.58}, {0.0174, 0.0146}, {0.661, 0.048}, {2.647, 0.083}},
			150: {{92.58, 0.16}, {8.72, 1.58}, {5.88, 0.55}, {21.46, 0.78}, {0.0307, 0.0140}, {0.860, 0.066}, {2.846, 0.085}},
			200: {{92.79, 0.21}, {11.07, 1.78}, {7.45, 0.59}, {26.46, 0.83}, {0.0390, 0.0178}, {1.024, 0.066}, {3.093, 0.078}},
			250: {{93.05, 0.24}, {13.72, 1.81}, {9.04, 0.61}, {31.29, 0.85}, {0.0503, 0.0162}, {1.169, 0.061}, {3.379, 0.085}},
		},
		"8 h": {
			100: {{92.48, 0.19}, {7.11, 1.82}, {4.91, 0.40}, {17.14, 0.63}, {0.0237, 0.0183}, {0.709, 0.051}, {2.649, 0.085}},
			150: {{92.81, 0.25}, {10.19, 1.69}, {7.04, 0.46}, {23.23, 0.72}, {0.0340, 0.0155}, {0.941, 0.062}, {2.861, 0.087}},
			200: {{93.38, 0.80}, {13.95, 2.58}, {9.14, 0.80}, {29.19, 1.46}, {0.0514, 0.0219}, {1.105, 0.059}, {3.077, 0.085}},
			250: {{95.10, 3.09}, {19.65, 4.23}, {11.98, 1.76}, {36.62, 3.99}, {0.0801, 0.0273}, {1.292, 0.070}, {3.361, 0.094}},
		},
	}
	r, ok := table[protocol][nCA]
	if !ok {
		return nil, false
	}
	ref = map[string]RefValue{}
	for i, v := range r {
		ref[RecallMeasureNames[i]] = RefValue{Mean: v[0], SD: v[1], N: 50}
	}
	return ref, true
}
