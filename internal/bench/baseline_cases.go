package bench

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"

	"difesa.org/difesa/internal/wire"
)

var baselineCaseBucket = []byte("cases")

// errBaselineStale ends a baseline write whose version is not the
// record's.
var errBaselineStale = errors.New("bench: stale version")

// baselineCaseHandler is the least a durable compare-and-swap record
// endpoint can do, for the soak's case records: PUT /case/KEY with
// If-Match: "VERSION" reads the body and, in one fsync'd bbolt
// transaction (db.Update, as difesa's store does), checks the version
// and stores the body under KEY with the next one; GET /case/KEY returns
// the body with its version as the ETag. No login, no age check, no
// audit: what is left is HTTP, bbolt and one fsync per write.
func baselineCaseHandler(db *bolt.DB) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := []byte(strings.TrimPrefix(r.URL.Path, "/case/"))
		switch r.Method {
		case http.MethodGet:
			var body []byte
			var version uint64
			db.View(func(tx *bolt.Tx) error {
				if v := tx.Bucket(baselineCaseBucket).Get(key); v != nil {
					version, body = binary.BigEndian.Uint64(v), bytes.Clone(v[8:])
				}
				return nil
			})
			if body == nil {
				http.Error(w, "no record", http.StatusNotFound)
				return
			}
			w.Header().Set("ETag", wire.FormatVersion(version))
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.Write(body)
		case http.MethodPut:
			base, ok := wire.ParseVersion(r.Header.Get("If-Match"))
			if !ok {
				http.Error(w, "bad If-Match", http.StatusBadRequest)
				return
			}
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, wire.MaxCaseRecordSize))
			if err != nil {
				http.Error(w, "bad body", http.StatusBadRequest)
				return
			}
			var current uint64
			err = db.Update(func(tx *bolt.Tx) error {
				b := tx.Bucket(baselineCaseBucket)
				if v := b.Get(key); v != nil {
					current = binary.BigEndian.Uint64(v)
				}
				if current != base {
					return errBaselineStale
				}
				current++
				return b.Put(key, append(binary.BigEndian.AppendUint64(nil, current), body...))
			})
			switch {
			case errors.Is(err, errBaselineStale):
				w.Header().Set("ETag", wire.FormatVersion(current))
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusConflict)
				json.NewEncoder(w).Encode(map[string]wire.Error{"error": {Code: wire.CodeStaleVersion, Message: "stale version"}})
			case err != nil:
				http.Error(w, "internal error", http.StatusInternalServerError)
			default:
				w.Header().Set("ETag", wire.FormatVersion(current))
				w.Header().Set("Content-Type", "application/json")
				json.NewEncoder(w).Encode(wire.CaseRecord{Version: current, Size: len(body)})
			}
		default:
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		}
	})
}

// caseStore is where the soak's case responders read and write case
// records: a hub of difesad ([HubClient]) or the baseline
// ([baselineCases]).
type caseStore interface {
	GetCase(ctx context.Context, id string) ([]byte, uint64, error)
	PutCase(ctx context.Context, id string, body []byte, base uint64) (uint64, error)
}

// baselineCases is the client of the baseline's case records, which
// answers as [HubClient]'s case methods do.
type baselineCases struct {
	base string // the baseline's URL
	http *http.Client
}

func (b *baselineCases) GetCase(ctx context.Context, id string) ([]byte, uint64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.base+"/case/"+id, nil)
	if err != nil {
		return nil, 0, err
	}
	resp, err := b.http.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		io.Copy(io.Discard, resp.Body)
		return nil, 0, nil
	}
	if resp.StatusCode != http.StatusOK {
		return nil, 0, statusError(resp)
	}
	v, ok := wire.ParseVersion(resp.Header.Get("ETag"))
	if !ok {
		return nil, 0, &StatusError{Status: resp.StatusCode, Message: "a record without a version in its ETag"}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, wire.MaxCaseRecordSize+1))
	return body, v, err
}

func (b *baselineCases) PutCase(ctx context.Context, id string, body []byte, base uint64) (uint64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, b.base+"/case/"+id, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("If-Match", wire.FormatVersion(base))
	resp, err := b.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, statusError(resp)
	}
	var rec wire.CaseRecord
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&rec); err != nil {
		return 0, err
	}
	return rec.Version, nil
}
