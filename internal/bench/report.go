package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"text/tabwriter"
)

// postBody sends body to url and expects 201.
func postBody(ctx context.Context, rt http.RoundTripper, url string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := rt.RoundTrip(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return nil
}

// judge holds the results to the goals.
func (r *Results) judge() {
	if r.Difesa != nil && r.Baseline != nil {
		r.Goals = append(r.Goals,
			Goal{fmt.Sprintf("difesa ≥ %.1f× baseline", goalRatio), r.Ratio >= goalRatio},
			Goal{fmt.Sprintf("difesa ≥ %d submissions/s", goalPerSecond), r.Difesa.PerSecond >= goalPerSecond},
		)
	}
	if r.Big != nil {
		r.Goals = append(r.Goals,
			Goal{fmt.Sprintf("large upload grows server RSS by ≤ %d MiB", goalRSSGrowth>>20), r.Big.Verified && r.Big.Growth <= goalRSSGrowth},
			Goal{"large submission downloads and decrypts to what was sent", r.Big.Verified},
		)
	}
	if n := r.Notify; n != nil && n.Alerts > 0 {
		r.Goals = append(r.Goals,
			Goal{fmt.Sprintf("urgent alert 201 → webhook p99 < %v, every alert delivered", goalAlertP99),
				n.Delivered == n.Alerts && n.P99ms < ms(goalAlertP99)})
	}
	if n := r.Notify; n != nil && n.On != nil && n.Off != nil {
		r.Goals = append(r.Goals,
			Goal{fmt.Sprintf("ingest with a webhook channel ≥ %.1f× without", goalNotifyRatio), n.Ratio >= goalNotifyRatio})
	}
	if s := r.Soak; s != nil && s.Seconds > 0 {
		r.Goals = append(r.Goals,
			Goal{fmt.Sprintf("soak: the server's open files do not grow (slack %d)", fdSlack), s.FDsFlat},
			Goal{"soak: the server's anonymous memory does not grow", s.RSSFlat},
			Goal{"soak: no unexpected error, every alert's webhook arrives", s.Unexpected == 0},
		)
	}
}

func passFail(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// print writes the results as a table.
func (r *Results) print(w io.Writer) {
	fmt.Fprintf(w, "\ndifesa-bench on %s\n", r.Machine)
	if r.Difesa != nil && r.Baseline != nil {
		fmt.Fprintf(w, "\nSmall durable submissions: %d concurrent clients, %d-byte plaintext (%d-byte age file)\n\n",
			r.Concurrency, r.Plaintext, r.AgeFile)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "server\tsubmissions\terrors\tseconds\tper second\tp50 ms\tp99 ms\tmax ms\t")
		for _, row := range []struct {
			name string
			l    *LoadResult
		}{{"baseline (net/http + bbolt)", r.Baseline}, {"difesa", r.Difesa}} {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%.0f\t%.2f\t%.2f\t%.1f\t\n",
				row.name, row.l.Requests, row.l.Errors, row.l.Seconds, row.l.PerSecond, row.l.P50ms, row.l.P99ms, row.l.MaxMs)
		}
		tw.Flush()
		fmt.Fprintf(w, "\nratio difesa/baseline: %.2f\n", r.Ratio)
		for _, l := range []*LoadResult{r.Baseline, r.Difesa} {
			if l.FirstError != "" {
				fmt.Fprintf(w, "first error: %s\n", l.FirstError)
			}
		}
	}
	if b := r.Big; b != nil {
		fmt.Fprintf(w, "\nLarge streamed submission: %d bytes of plaintext, %d-byte age file (hub limit %d)\n\n",
			b.Plaintext, b.Ciphertext, b.HubLimit)
		if b.ID == "" {
			fmt.Fprintln(w, "  upload:    FAILED (see the error above)")
		}
		if b.UploadSecs > 0 {
			fmt.Fprintf(w, "  upload:    %.1f s, %.0f MB/s\n", b.UploadSecs, b.UploadMBps)
			fmt.Fprintf(w, "  server:    RSS before %s, peak after %s, growth %s\n", mib(b.RSSBefore), mib(b.PeakAfter), mib(b.Growth))
			fmt.Fprintf(w, "             largest seen while sampling: anonymous (heap) %s, file-backed (bbolt mmap) %s\n", mib(b.MaxAnon), mib(b.MaxFile))
		}
		if b.Verified {
			fmt.Fprintf(w, "  download:  %.1f s, %.0f MB/s, decrypted SHA-256 matches\n", b.DownloadSecs, b.DownloadMBps)
		}
	}
	if n := r.Notify; n != nil {
		fmt.Fprintf(w, "\nNotifications: webhook to a receiver on 127.0.0.1\n\n")
		fmt.Fprintf(w, "  urgent alerts: %d sent, %d delivered in %d webhooks; 201 → webhook p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
			n.Alerts, n.Delivered, n.Notifications, n.P50ms, n.P99ms, n.MaxMs)
		if n.On != nil && n.Off != nil {
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintln(tw, "\nhub\tsubmissions\terrors\tseconds\tper second\tp50 ms\tp99 ms\tmax ms\t")
			for _, row := range []struct {
				name string
				l    *LoadResult
			}{{"no channels", n.Off}, {"webhook channel", n.On}} {
				fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%.0f\t%.2f\t%.2f\t%.1f\t\n",
					row.name, row.l.Requests, row.l.Errors, row.l.Seconds, row.l.PerSecond, row.l.P50ms, row.l.P99ms, row.l.MaxMs)
			}
			tw.Flush()
			fmt.Fprintf(w, "\nratio with/without a webhook channel: %.2f\n", n.Ratio)
		}
	}
	if r.Soak != nil {
		r.Soak.print(w)
	}
	fmt.Fprintln(w, "\nGoals")
	for _, g := range r.Goals {
		fmt.Fprintf(w, "  %s  %s\n", passFail(g.Pass), g.Name)
	}
}
