package vault

import (
	"fmt"
	"sync"
	"testing"
)

// TestConcurrentUse runs Put, Get, Keys, Usage and Purge at once, as the
// desk's sync and its pages do (meant for -race).
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	v := openTest(t, t.TempDir(), newIdentity(t))
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := range 4 {
		wg.Go(func() {
			for i := range 25 {
				key := fmt.Sprintf("w%d_%d", w, i)
				if err := v.Put("reports", key, []byte(key), day); err != nil {
					errs <- err
					return
				}
				got, ok, err := v.Get("reports", key)
				if err != nil || !ok || string(got) != key {
					errs <- fmt.Errorf("Get %s = %q, %v, %v", key, got, ok, err)
					return
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 10 {
			if err := v.Put("drafts", fmt.Sprint("old_", i), []byte("old"), day.AddDate(0, 0, -10)); err != nil {
				errs <- err
				return
			}
			// Each purge deletes a record, so it rewrites the file while
			// the others write.
			if n, err := v.Purge(day.AddDate(0, 0, -1)); err != nil || n != 1 {
				errs <- fmt.Errorf("Purge = %d, %v", n, err)
				return
			}
			if _, err := v.Usage(); err != nil {
				errs <- err
				return
			}
			if _, err := v.Keys("reports"); err != nil {
				errs <- err
				return
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if u, _ := v.Usage(); u.Records != 100 {
		t.Errorf("%d records, want 100", u.Records)
	}
}
