package web_test

import (
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/pow"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/testutil/bidi"
)

// TestFirefoxMeasure times, in Firefox ESR at Tor Browser's Safer level
// (no JIT, no WebAssembly), what a defender waits for: the codename's key
// derivation, the proof of work at each difficulty, the encryption of 10
// and 100 MB, and the time from "send" to the codename screen for a 1 MB
// report. Times are taken in Go around each call (the page's clocks are
// coarsened by resistFingerprinting). Run with DIFESA_FIREFOX_MEASURE=1;
// docs/web.md records the figures.
func TestFirefoxMeasure(t *testing.T) {
	if os.Getenv("DIFESA_FIREFOX_MEASURE") == "" {
		t.Skip("set DIFESA_FIREFOX_MEASURE=1 to measure in Firefox at Safer")
	}
	b := firefox(t, bidi.Safer)
	b.SetViewport(1400, 900)
	srv := testserver.New(t)
	id := loadIdentity(t, srv.IdentityFile)
	b.Navigate(srv.HubURL + "/report")
	b.WaitFor(bidi.Visible("#epoch"), ffWait)

	timed := func(expr string, timeout time.Duration) time.Duration {
		start := time.Now()
		b.EvalPage(expr, nil, timeout)
		return time.Since(start)
	}
	if only := os.Getenv("DIFESA_FIREFOX_MEASURE"); only == "pow" {
		ffMeasurePoW(t, b, srv)
		return
	}
	var kdf []time.Duration
	for range 3 {
		kdf = append(kdf, timed(`difesa.deriveKeys(difesa.generateCodename(), 'demo').then(() => true)`, ffWait))
	}
	t.Logf("codename derivation (deriveKeys: Argon2id and the ML-KEM-768 + X25519 key): %s", spread(kdf))
	for _, mb := range []int{10, 100} {
		d := timed(fmt.Sprintf(`difesa.benchEncrypt([%q], %d).then(() => true)`, id.Recipient().String(), mb*1_000_000), 15*time.Minute)
		t.Logf("encryption of %d MB: %.1f s, %.2f MB/s", mb, d.Seconds(), float64(mb)/d.Seconds())
	}

	// From "send" to the codename screen, a 1 MB attachment.
	attachment := filepath.Join(t.TempDir(), "video.bin")
	os.WriteFile(attachment, randomBytes(t, 1<<20), 0o600)
	var sends []time.Duration
	for range 3 {
		sends = append(sends, ffSend(t, b, srv, attachment))
	}
	t.Logf("send to codename screen, 1 MiB report: %s", spread(sends))

	ffMeasurePoW(t, b, srv)
}

// ffMeasurePoW times the proof of work at each difficulty.
func ffMeasurePoW(t *testing.T, b *bidi.Browser, srv *testserver.Server) {
	// Proof of work: a hub that asks for exactly bits, sending a report
	// with no attachment; the solve is the send's time less that of the
	// same send with no proof asked. The page's nonce counts its tries.
	var base []time.Duration
	for range 3 {
		base = append(base, ffSend(t, b, srv, ""))
	}
	t.Logf("send to codename screen, no attachment, no proof of work: %s", spread(base))
	baseline := slices.Min(base)
	var tries float64
	var spent time.Duration
	for _, c := range []struct{ bits, runs int }{{12, 3}, {13, 3}, {14, 3}, {15, 3}, {16, 2}} {
		cfg := config.Default()
		cfg.PoWMinBits, cfg.PoWMaxBits = c.bits, c.bits
		psrv := testserver.NewWithConfig(t, cfg)
		psrv.Instance.PoW.SetLoad(func() pow.Load { return pow.Load{InFlight: 1 << 20} })
		var solves []time.Duration
		var n float64
		for range c.runs {
			d := ffSend(t, b, psrv, "") - baseline
			nonce := ffLastNonce(t, b)
			solves = append(solves, d)
			n += float64(nonce + 1)
			spent += d
		}
		tries += n
		t.Logf("proof of work at %d bits: %s (%.0f tries on average, 2^%d = %d expected)", c.bits, spread(solves), n/float64(c.runs), c.bits, 1<<c.bits)
	}
	rate := tries / spent.Seconds()
	t.Logf("hash rate: %.0f tries/s; expected solve time = 2^bits / rate:", rate)
	for bits := 1; bits <= config.MaxPoWBits; bits++ {
		e := float64(int(1)<<bits) / rate
		t.Logf("  %2d bits: expected %6.2f s, 95 %% within %6.2f s", bits, e, 3*e)
	}
}

// ffSend sends a report from the report page, with the file at attachment
// if not empty, and returns the time from the click on "send" to the
// codename on screen. It records the Difesa-PoW header the page sends.
func ffSend(t *testing.T, b *bidi.Browser, srv *testserver.Server, attachment string) time.Duration {
	t.Helper()
	b.Navigate(srv.HubURL + "/report?lang=en")
	b.WaitFor(bidi.Enabled("#narrative"), ffWait)
	b.EvalPage(`(() => {
  const set = XMLHttpRequest.prototype.setRequestHeader;
  XMLHttpRequest.prototype.setRequestHeader = function (k, v) {
    if (k.toLowerCase() === 'difesa-pow') document.body.dataset.pow = v;
    return set.call(this, k, v);
  };
  return true;
})()`, nil, ffWait)
	b.Type("#narrative", "measured")
	if attachment != "" {
		b.SetFiles("#files", attachment)
	}
	start := time.Now()
	b.Click("#send")
	b.WaitFor(bidi.Visible("#codename")+" || "+bidi.Visible("#error"), 3*time.Minute)
	d := time.Since(start)
	var failed bool
	b.Eval(bidi.Visible("#error"), &failed)
	if failed {
		t.Fatalf("the page failed to send: %s", b.Text("#error"))
	}
	return d
}

// ffLastNonce returns the nonce of the proof of work of the page's last
// upload, as a number of tries less one.
func ffLastNonce(t *testing.T, b *bidi.Browser) uint64 {
	t.Helper()
	var h string
	b.Eval(`document.body.dataset.pow ?? ''`, &h)
	_, nonce, ok := strings.Cut(h, " ")
	n, err := strconv.ParseUint(nonce, 16, 64)
	if !ok || err != nil {
		t.Fatalf("the page sent no proof of work (Difesa-PoW %q)", h)
	}
	return n
}

func spread(ds []time.Duration) string {
	s := slices.Clone(ds)
	slices.Sort(s)
	return fmt.Sprintf("median %.2f s (min %.2f, max %.2f, %d runs)", s[len(s)/2].Seconds(), s[0].Seconds(), s[len(s)-1].Seconds(), len(s))
}

func randomBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}
