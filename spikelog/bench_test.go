package spikelog

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"
)

// The benchmarks run on cubaStream: 4000 neurons at 5.5 Hz on a 0.1 ms
// grid, about 2.2 spikes per tick. Inputs are generated once from a fixed
// seed so every run and every sub-benchmark sees the same spikes.
//
// Command (short enough for a shared machine; use -count 10 and benchstat
// to compare changes):
//
//	go test -run '^$' -bench . -benchtime 3x -count 1 ./spikelog/
//
// Metrics: BenchmarkWriter feeds spikes as fast as it can, faster than the
// encoder compresses them, so its ns/spike-calls (time in Spikes) includes
// waiting for the encoder, and ns/spike-total (until Close returns) is the
// encoder's throughput; BenchmarkSpikes gives the caller's own cost.
// B/spike is the file size per spike, header and end block included;
// spikes/s is Reader throughput.
const benchTicks = 200_000 // 20 s of simulated time, about 440 000 spikes

var benchStream = sync.OnceValue(func() []record { return cubaStream(2007, benchTicks) })

// countingWriter counts the bytes written.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

func BenchmarkWriter(b *testing.B) {
	recs := benchStream()
	spikes := float64(countSpikes(recs))
	for _, bs := range []int{16 << 10, 64 << 10, 256 << 10} {
		for _, level := range []int{1, 3, 7, 11} {
			b.Run(fmt.Sprintf("block=%dKiB/level=%d", bs>>10, level), func(b *testing.B) {
				b.ReportAllocs()
				var calls, total time.Duration
				var size int64
				for b.Loop() {
					var cw countingWriter
					w, err := NewWriter(&cw, testHeader(), Options{BlockSize: bs, Level: level, FlushInterval: -1})
					if err != nil {
						b.Fatal(err)
					}
					t0 := time.Now()
					for _, r := range recs {
						if err := w.Spikes(r.T, r.IDs); err != nil {
							b.Fatal(err)
						}
					}
					t1 := time.Now()
					if err := w.Close(); err != nil {
						b.Fatal(err)
					}
					calls += t1.Sub(t0)
					total += time.Since(t0)
					size = cw.n
				}
				b.ReportMetric(float64(calls.Nanoseconds())/float64(b.N)/spikes, "ns/spike-calls")
				b.ReportMetric(float64(total.Nanoseconds())/float64(b.N)/spikes, "ns/spike-total")
				b.ReportMetric(float64(size)/spikes, "B/spike")
			})
		}
	}
}

func BenchmarkReader(b *testing.B) {
	recs := benchStream()
	data := writeLog(b, testHeader(), Options{FlushInterval: -1}, spikeEvents(recs), false)
	spikes := countSpikes(recs)
	for _, mode := range []string{"next", "stats", "filter-pop"} {
		b.Run("mode="+mode, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				r, err := NewReader(bytes.NewReader(data))
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				switch mode {
				case "next", "filter-pop":
					if mode == "filter-pop" {
						r.SetFilter(Filter{Lo: 3200, Hi: 4000})
					}
					var sum int64
					for r.Next() {
						sum += int64(r.Spike().ID)
						n++
					}
					if mode == "filter-pop" {
						n = spikes
					}
				case "stats":
					st, _ := r.Stats()
					n = int(st.Spikes)
				}
				if r.Err() != nil || n != spikes {
					b.Fatalf("read %d spikes, err %v", n, r.Err())
				}
				r.Close()
			}
			b.ReportMetric(float64(spikes)*float64(b.N)/b.Elapsed().Seconds(), "spikes/s")
		})
	}
}
