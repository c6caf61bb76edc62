package e2e

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"filippo.io/age"

	"difesa.org/difesa/internal/caserecord"
)

// TestCaseServerCanary runs the session of [TestCaseEditsFromProcesses]
// on a difesad that logs at level debug, then writes unique markers into
// the case: a label, a sub-status, a note (from standard input) with an
// attachment reference, and an assignment to Cleo, whose responder label
// is a marker that only a case record could carry to the server. Once the
// server has stopped, its bbolt file (the raw bytes) and every line it
// logged are scanned: no marker, no follow-up day, no member of a case
// record's plaintext, no piece of any ciphertext it received, and no time
// finer than the hour. The markers are first read back from the record as
// Cleo decrypts it: the scan looks for what was really written.
func TestCaseServerCanary(t *testing.T) {
	s := newCaseSession(t)
	s.editConcurrently(t)
	m := s.marker
	label, status, note, attachment := "LABEL-"+m, "SUBSTATUS-"+m, "NOTE-STDIN-"+m, "ATTACH-"+m+".pdf"
	s.ana.must(t, s.viaHub, "labels", "+"+label)
	s.ana.must(t, s.viaHub, "statuses", "+"+status)
	s.ana.must(t, s.viaHub, "label", s.id, "+"+label)
	s.bo.must(t, s.viaHub, "substatus", s.id, status)
	s.bo.must(t, s.viaHub, "assign", s.id, s.cleo.label)
	if res := difesaIn(t, s.ana.pins, note+"\nsecond line\n", s.ana.caseArgs(s.viaHub, "note", s.id)...); res.code != 0 {
		t.Fatalf("note from standard input: exit %d\n%s", res.code, res.stderr)
	}
	// The CLI writes no attachment reference; a desk does, over the same
	// API, as Ana does here.
	ana := login(t, s.direct, s.ana)
	ctx := context.Background()
	ct, version, err := ana.GetCase(ctx, s.id)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := caserecord.Open(ct, s.ana.id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rec.AddNote("Ana", rec.Notes[0].Hour, "see the attachment "+m, attachment); err != nil {
		t.Fatal(err)
	}
	sealed, err := caserecord.Seal(rec, []age.Recipient{s.ana.id.Recipient(), s.bo.id.Recipient(), s.cleo.id.Recipient()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ana.PutCase(ctx, s.id, sealed, version); err != nil {
		t.Fatal(err)
	}

	// What Cleo reads is what the scan looks for.
	cleo := login(t, s.direct, s.cleo)
	ct, _, err = cleo.GetCase(ctx, s.id)
	if err != nil {
		t.Fatal(err)
	}
	got, err := caserecord.Open(ct, s.cleo.id)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := got.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	// Cleo's label is in the manifest, which difesad reads from its file
	// and does not copy into its database, and in no audit entry, as she
	// never writes: only the record can say she is the assignee.
	canaries := []string{label, status, note, attachment, s.cleo.label, "NOTE-" + m}
	for _, c := range canaries {
		if !bytes.Contains(plain, []byte(c)) {
			t.Fatalf("the record Cleo reads lacks the marker %q: the scan would prove nothing", c)
		}
	}
	// Every follow-up day of the session, and the names of the record's
	// members, which only its plaintext holds.
	canaries = append(canaries, "2031-0", "2032-0", `"assignee"`, `"sub_status"`, `"follow_up"`, `"history"`, `"author"`)
	ciphertexts := [][]byte{ct, sealed}

	s.srv.stop(t)
	db := s.srv.database(t)
	logs := s.srv.logs(t)
	if !strings.Contains(logs, "difesad started") {
		t.Fatalf("the log capture does not work; the scan below would prove nothing:\n%s", logs)
	}
	for name, data := range map[string][]byte{"database file": db, "log": []byte(logs)} {
		for _, c := range canaries {
			if bytes.Contains(data, []byte(c)) {
				t.Errorf("the %s holds %q in plaintext", name, c)
			}
		}
		for _, m := range timestamp.FindAllSubmatch(data, -1) {
			if string(m[1]) != "00" || len(m[2]) > 0 && string(m[2]) != "00" || strings.Trim(string(m[3]), "0") != "" {
				t.Errorf("the %s holds a time finer than the hour: %q", name, m[0])
			}
		}
	}
	// The database keeps the ciphertext it was sent; the log keeps none of
	// it, nor of any age file: no request body is ever logged.
	if !bytes.Contains(db, ct) {
		t.Error("the database does not hold the record as it was sent")
	}
	if strings.Contains(logs, "age-encryption.org") {
		t.Error("the log holds an age header: a request body was logged")
	}
	for _, c := range ciphertexts {
		// The header's stanzas are text, which a log would keep as it is;
		// the payload is binary, which it might keep raw.
		header, _, _ := bytes.Cut(c, []byte("\n--- "))
		for _, line := range bytes.Split(header, []byte("\n")) {
			if len(line) >= 16 && strings.Contains(logs, string(line)) {
				t.Errorf("the log holds a line of a case record's age header: %.40q", line)
				break
			}
		}
		for i := len(header); i+32 <= len(c); i += 16 {
			if strings.Contains(logs, string(c[i:i+32])) {
				t.Errorf("the log holds bytes %d to %d of a case record's ciphertext", i, i+32)
				break
			}
		}
	}
}
