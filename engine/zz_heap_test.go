package engine

import (
	"context"
	"os"
	"runtime"
	"runtime/pprof"
	"testing"

	"github.com/snnsim/snnsim/scenario"
)

func TestZZHeap(t *testing.T) {
	if os.Getenv("ZZHEAP") == "" {
		t.Skip()
	}
	runtime.MemProfileRate = 4096
	sc, err := scenario.LoadOverrides("../scenarios/zenke2015_orchestrated.toml", []string{"population.input.params.first=1 s"})
	if err != nil {
		t.Fatal(err)
	}
	net, err := sc.Compile()
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(net, Config{})
	if err != nil {
		t.Fatal(err)
	}
	step, _ := net.Clock.Ticks(500)
	if err := e.Run(context.Background(), step); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	f, _ := os.Create(os.Getenv("ZZHEAP"))
	pprof.Lookup("heap").WriteTo(f, 0)
	f.Close()
	runtime.KeepAlive(e)
}
