package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"filippo.io/age"
)

// BigResult is what the large-submission run measured. Sizes are in bytes.
type BigResult struct {
	Plaintext  int64   `json:"plaintext_bytes"`
	Ciphertext int64   `json:"ciphertext_bytes"`
	HubLimit   int64   `json:"hub_limit_bytes"`
	ID         string  `json:"id"`
	UploadSecs float64 `json:"upload_seconds"`
	UploadMBps float64 `json:"upload_mb_per_second"`
	// RSSBefore is the server's resident set before the upload; PeakAfter
	// its high-water mark after it; Growth the difference.
	RSSBefore int64 `json:"server_rss_before_bytes"`
	PeakAfter int64 `json:"server_peak_rss_after_bytes"`
	Growth    int64 `json:"server_peak_rss_growth_bytes"`
	// MaxAnon is the largest anonymous (heap and stacks) resident set seen
	// while sampling during the upload.
	MaxAnon int64 `json:"server_max_anon_rss_bytes"`
	// MaxFile is the largest file-backed resident set seen (for difesad,
	// pages of the bbolt file mapped into the process).
	MaxFile      int64   `json:"server_max_file_rss_bytes"`
	DownloadSecs float64 `json:"download_seconds"`
	DownloadMBps float64 `json:"download_mb_per_second"`
	Verified     bool    `json:"sha256_verified"`
}

// countingWriter counts what passes through it.
type countingWriter struct {
	w io.Writer
	n atomic.Int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// Plaintext returns size pseudo-random bytes determined by seed, generated
// on the fly and never held in memory.
func Plaintext(seed uint64, size int64) io.Reader {
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], seed)
	return io.LimitReader(rand.NewChaCha8(s), size)
}

// runBig streams a size-byte plaintext, encrypted on the fly, to the hub,
// watching the server's memory, then downloads and decrypts it, comparing
// SHA-256 digests. hc must be logged in as identity.
func runBig(ctx context.Context, p *Process, hc *HubClient, identity age.Identity, recipients []age.Recipient, size int64) (BigResult, error) {
	res := BigResult{Plaintext: size}
	before, err := p.Memory()
	if err != nil {
		return res, err
	}
	res.RSSBefore = before.RSS

	pr, pw := io.Pipe()
	ct := &countingWriter{w: pw}
	wantSum := make(chan []byte, 1)
	go func() {
		h := sha256.New()
		w, err := age.Encrypt(ct, recipients...)
		if err == nil {
			_, err = io.CopyBuffer(w, io.TeeReader(Plaintext(0, size), h), make([]byte, 1<<20))
		}
		if err == nil {
			err = w.Close()
		}
		wantSum <- h.Sum(nil)
		pw.CloseWithError(err)
	}()

	stopSampling := make(chan struct{})
	sampled := make(chan Memory, 1)
	go func() {
		var peak Memory
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			if m, err := p.Memory(); err == nil {
				peak.Anon, peak.File = max(peak.Anon, m.Anon), max(peak.File, m.File)
			}
			select {
			case <-stopSampling:
				sampled <- peak
				return
			case <-t.C:
			}
		}
	}()

	start := time.Now()
	created, err := hc.Submit(ctx, pr, -1)
	elapsed := time.Since(start)
	pr.CloseWithError(io.ErrClosedPipe) // unblock the encryptor if the upload failed
	close(stopSampling)
	peak := <-sampled
	res.MaxAnon, res.MaxFile = peak.Anon, peak.File
	want := <-wantSum
	res.Ciphertext = ct.n.Load()
	res.UploadSecs = elapsed.Seconds()
	res.UploadMBps = float64(res.Ciphertext) / 1e6 / elapsed.Seconds()
	if after, merr := p.Memory(); merr == nil {
		res.PeakAfter = after.Peak
		res.Growth = after.Peak - before.RSS
	}
	if err != nil {
		return res, fmt.Errorf("uploading %d bytes (%d sent in %v): %w", size, res.Ciphertext, elapsed.Round(time.Millisecond), err)
	}
	res.ID = created.ID
	if created.Size != res.Ciphertext {
		return res, fmt.Errorf("the server stored %d bytes of the %d sent", created.Size, res.Ciphertext)
	}

	start = time.Now()
	body, n, err := hc.Download(ctx, created.ID)
	if err != nil {
		return res, fmt.Errorf("downloading %s: %w", created.ID, err)
	}
	defer body.Close()
	if n != res.Ciphertext {
		return res, fmt.Errorf("the download is %d bytes, the upload was %d", n, res.Ciphertext)
	}
	r, err := age.Decrypt(body, identity)
	if err != nil {
		return res, fmt.Errorf("decrypting %s: %w", created.ID, err)
	}
	h := sha256.New()
	if _, err := io.CopyBuffer(h, r, make([]byte, 1<<20)); err != nil {
		return res, fmt.Errorf("decrypting %s: %w", created.ID, err)
	}
	elapsed = time.Since(start)
	res.DownloadSecs = elapsed.Seconds()
	res.DownloadMBps = float64(res.Ciphertext) / 1e6 / elapsed.Seconds()
	if !bytes.Equal(h.Sum(nil), want) {
		return res, fmt.Errorf("the decrypted download of %s differs from what was sent", created.ID)
	}
	res.Verified = true
	return res, nil
}
