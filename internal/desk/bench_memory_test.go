package desk

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// memory is the process's memory at one moment.
type memory struct {
	heapMiB float64 // heap in use after a GC
	rssMiB  float64 // resident set (VmRSS), 0 where /proc is missing
	peakMiB float64 // the resident set's peak (VmHWM)
}

// processMemory collects the garbage and reads the heap in use and the
// resident set of the process.
func processMemory() memory {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m := memory{heapMiB: float64(ms.HeapInuse) / (1 << 20)}
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return m
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
		switch {
		case err != nil:
		case k == "VmRSS":
			m.rssMiB = kb / 1024
		case k == "VmHWM":
			m.peakMiB = kb / 1024
		}
	}
	return m
}
