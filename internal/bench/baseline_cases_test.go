package bench

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"difesa.org/difesa/internal/wire"
)

// TestBaselineCaseCompareAndSwap: the baseline's case records answer as
// difesad's do where the soak looks: a write on the current version wins
// and counts, a stale one is 409 stale_version and keeps nothing, a
// record never written reads as none, and the data is on disk (the
// database reopened holds it).
func TestBaselineCaseCompareAndSwap(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db, err := openBaselineDB(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(baselineHandler(db))
	defer srv.Close()
	st := &baselineCases{base: srv.URL, http: &http.Client{Transport: NewTransport(2)}}
	ctx := context.Background()
	if ct, v, err := st.GetCase(ctx, "a"); err != nil || ct != nil || v != 0 {
		t.Fatalf("a record never written: %q %d %v", ct, v, err)
	}
	for i, body := range []string{"one", "two"} {
		if v, err := st.PutCase(ctx, "a", []byte(body), uint64(i)); err != nil || v != uint64(i+1) {
			t.Fatalf("write %d: version %d, %v", i, v, err)
		}
	}
	for _, base := range []uint64{0, 1, 3} {
		_, err := st.PutCase(ctx, "a", []byte("lost"), base)
		var se *StatusError
		if !errors.As(err, &se) || se.Status != http.StatusConflict || se.Code != wire.CodeStaleVersion {
			t.Errorf("a write on version %d of 2: %v", base, err)
		}
	}
	if ct, v, err := st.GetCase(ctx, "a"); err != nil || string(ct) != "two" || v != 2 {
		t.Fatalf("after the stale writes: %q %d %v", ct, v, err)
	}
	srv.Close()
	db.Close()
	if db, err = openBaselineDB(dir); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv = httptest.NewServer(baselineHandler(db))
	defer srv.Close()
	st.base = srv.URL
	if ct, v, err := st.GetCase(ctx, "a"); err != nil || !bytes.Equal(ct, []byte("two")) || v != 2 {
		t.Fatalf("reopened: %q %d %v", ct, v, err)
	}
	// The submissions endpoint is as it was.
	if err := postBody(ctx, st.http.Transport, srv.URL+"/submit", []byte("report")); err != nil {
		t.Fatal(err)
	}
}
