package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"difesa.org/difesa/internal/form"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/wire"
)

func (b *bulletinServer) publishForm(t *testing.T, hub string, body []byte) response {
	t.Helper()
	return do(t, "POST", b.api(hub)+"/forms", "application/json", "", bytes.NewReader(body))
}

func TestPublishForm(t *testing.T) {
	t.Parallel()
	b := newBulletinServer(t)
	sk := b.it.AdminKey
	v2 := testserver.SignForm(t, sk, testserver.NewForm("it", "safety", 2))
	if r := b.publishForm(t, "it", form.MarshalSigned(v2)); r.status != http.StatusCreated {
		t.Fatalf("publish: %d %s", r.status, r.body)
	}
	v1 := testserver.SignForm(t, sk, testserver.NewForm("it", "safety", 1))
	other := *v2
	other.Form = bytes.Replace(v2.Form, []byte(`"Altro"`), []byte(`"Nome e indirizzo"`), 1)
	big := testserver.NewForm("it", "safety", 3)
	big.Title["it"] = strings.Repeat("x", form.MaxTitle+1)
	bigBytes, _ := json.Marshal(big)
	loop := testserver.NewForm("it", "safety", 3)
	loop.Fields[2].ShowIf.Field = "danger"
	loopBytes, _ := json.Marshal(loop)
	sign := func(b []byte) []byte {
		return form.MarshalSigned(&wire.SignedForm{Form: b, Signature: sk.SignDetached(b)})
	}
	for _, tt := range []struct {
		name, hub string
		body      []byte
		status    int
		code      string
	}{
		{"rolled back", "it", form.MarshalSigned(v1), http.StatusConflict, wire.CodeFormRollback},
		{"replayed", "it", form.MarshalSigned(v2), http.StatusConflict, wire.CodeFormRollback},
		{"changed after signing", "it", form.MarshalSigned(&other), http.StatusUnprocessableEntity, wire.CodeFormUnsigned},
		{"another hub's key", "si", form.MarshalSigned(testserver.SignForm(t, sk, testserver.NewForm("si", "safety", 1))), http.StatusUnprocessableEntity, wire.CodeFormUnsigned},
		{"signed for another hub", "it", form.MarshalSigned(testserver.SignForm(t, sk, testserver.NewForm("si", "safety", 9))), http.StatusUnprocessableEntity, wire.CodeFormWrongHub},
		{"over a limit", "it", sign(bigBytes), http.StatusRequestEntityTooLarge, wire.CodeFormTooLarge},
		{"condition on itself", "it", sign(loopBytes), http.StatusBadRequest, wire.CodeFormBadCondition},
		{"not canonical", "it", sign(append(bytes.Clone(v2.Form), ' ')), http.StatusBadRequest, wire.CodeFormInvalid},
		{"duplicate member", "it", []byte(`{"form":"e30=","form":"e30=","signature":"` + strings.Repeat("A", 86) + `=="}`), http.StatusBadRequest, wire.CodeFormInvalid},
		{"body too large", "it", bytes.Repeat([]byte(" "), form.MaxSignedSize+1), http.StatusRequestEntityTooLarge, wire.CodeFormTooLarge},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := b.publishForm(t, tt.hub, tt.body)
			if r.status != tt.status || r.code() != tt.code {
				t.Fatalf("got %d %s, want %d %s: %s", r.status, r.code(), tt.status, tt.code, r.body)
			}
		})
	}

	// What is served is exactly what was signed, latest and by version.
	v3 := testserver.SignForm(t, sk, testserver.NewForm("it", "safety", 3))
	if r := b.publishForm(t, "it", form.MarshalSigned(v3)); r.status != http.StatusCreated {
		t.Fatalf("publish v3: %d %s", r.status, r.body)
	}
	for path, want := range map[string]*wire.SignedForm{"/forms/safety": v3, "/forms/safety/2": v2, "/forms/safety/3": v3} {
		r := do(t, "GET", b.api("it")+path, "", "", nil)
		if r.status != 200 {
			t.Fatalf("GET %s: %d %s", path, r.status, r.body)
		}
		got, err := form.ParseSigned(r.body)
		if err != nil || !bytes.Equal(got.Form, want.Form) || !bytes.Equal(got.Signature, want.Signature) {
			t.Fatalf("GET %s: %v", path, err)
		}
	}
	for _, path := range []string{"/forms/safety/1", "/forms/safety/02", "/forms/nothing", "/forms/safety/0"} {
		if r := do(t, "GET", b.api("it")+path, "", "", nil); r.status != http.StatusNotFound {
			t.Fatalf("GET %s: %d", path, r.status)
		}
	}
	r := do(t, "GET", b.api("it")+"/forms", "", "", nil)
	var l wire.FormList
	if err := json.Unmarshal(r.body, &l); err != nil || len(l.Forms) != 1 {
		t.Fatalf("list: %s", r.body)
	}
	if f := l.Forms[0]; f.ID != "safety" || f.Version != 3 || f.Hash != form.Hash(v3.Form) || f.Title["en"] != "Safety" {
		t.Fatalf("list: %+v", f)
	}
	if r := do(t, "GET", b.api("si")+"/forms", "", "", nil); !strings.Contains(string(r.body), `"forms":[]`) {
		t.Fatalf("si list: %s", r.body)
	}
}
