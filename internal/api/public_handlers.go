package api

import (
	"html/template"
	"net/http"

	"difesa.org/difesa/internal/wire"
)

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) error {
	if err := s.store.Ping(); err != nil {
		s.log.Error("health check failed", "err", err)
		return apiError(http.StatusServiceUnavailable, wire.CodeUnavailable, "the store is not available")
	}
	return writeJSON(w, http.StatusOK, wire.Health{Status: "ok"})
}

func (s *Server) handleRecipientsFile(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, err := w.Write(hubOf(r).RecipientsFile())
	return err
}

func (s *Server) handleHubInfo(w http.ResponseWriter, r *http.Request) error {
	h := hubOf(r)
	return writeJSON(w, http.StatusOK, wire.HubInfo{
		ID:                h.ID,
		Name:              h.Name,
		Recipients:        h.RecipientStrings(),
		MaxSubmissionSize: h.MaxSubmissionSize,
		Epoch:             h.Epoch(),
		AdminKey:          h.AdminKey,
		AdminFingerprint:  h.AdminFingerprint,
	})
}

// hubPage is a placeholder landing page that works without JavaScript; it
// explains how to submit with the CLI or with stock age.
var hubPage = template.Must(template.New("hub").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Name}} — difesa</title></head>
<body>
<h1>{{.Name}}</h1>
<p>This is a difesa hub. Reports are encrypted on your own device before they are sent; this server only ever stores ciphertext.</p>
<h2>Send a report with the difesa command-line tool</h2>
<pre>difesa submit -hub {{.URL}} -m "what happened"</pre>
<h2>Or with any age tool</h2>
<pre>curl -o recipients.txt {{.URL}}/recipients.txt
age -R recipients.txt -o report.age report.txt
curl -H 'Content-Type: application/vnd.age' --data-binary @report.age {{.API}}/submissions</pre>
<p>Over Tor, add <code>--proxy socks5h://127.0.0.1:9050</code> to curl.</p>
</body></html>
`))

func (s *Server) handleHubPage(w http.ResponseWriter, r *http.Request) error {
	h := hubOf(r)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	base := "http://" + r.Host
	return hubPage.Execute(w, map[string]string{
		"Name": h.Name,
		"URL":  base + "/hubs/" + h.ID,
		"API":  base + "/api/v1/hubs/" + h.ID,
	})
}
