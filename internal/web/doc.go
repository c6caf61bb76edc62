// Package web serves the defender's pages of a hub: a landing page, the
// report and urgent-alert forms, the codename screen, replies and
// follow-ups, the admin key's fingerprint, check-ins, an upload form for
// files encrypted offline, and the hub's signed bulletins (news_handlers.go).
// Pages are rendered on the server with html/template; the one script and
// the one style sheet are embedded, so a page loads nothing from any other
// origin.
//
// # Threat model
//
// Everything a defender types is encrypted in the page, with age, to the
// recipients of the hub's manifest after the page has checked the admin
// key's signature on it (web/src, built into assets/app.js). No page and
// no endpoint of this package ever receives plaintext: the forms that hold
// plaintext have no name attributes and stay disabled until the script
// runs, and the two endpoints that work without JavaScript take only
// ciphertext (an .age file, checked by the API's keyless validation) or a
// check-in code. A compromised server can change the script it serves:
// against that, the pages show the admin key's fingerprint for defenders to
// compare out of band (SECURITY.md).
//
// # Cross-site requests
//
// Nothing here uses cookies or any other ambient authority, so a forged
// cross-site request carries nothing an attacker could not send directly.
// The API's defender endpoints need a custom header (a thread token or
// verifier), which a cross-site page cannot set without a CORS preflight
// that the server never grants. The two form endpoints are also behind
// [http.CrossOriginProtection] (Sec-Fetch-Site / Origin), and the pages
// forbid framing. docs/web.md has the reasoning.
//
// # Caveats
//
// Without JavaScript (Tor Browser's Safest level) the forms cannot encrypt;
// the pages say so and offer the offline route with stock age.
package web
