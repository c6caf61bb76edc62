package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"difesa.org/difesa/internal/testserver"
)

// TestBrowserNewsWithoutJavaScript reads a bulletin on the news page in
// Italian with JavaScript disabled, as at Tor Browser's Safest level.
func TestBrowserNewsWithoutJavaScript(t *testing.T) {
	srv := testserver.New(t)
	ctx := newBrowser(t)
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	publishBulletin(t, srv, demoAdminKey(t, srv), testserver.NewAlert("difesa-demo", "demo-2026-001", "Alert"))

	step(t, ctx, "home page", chromedp.Navigate(srv.HubURL+"/?lang=it"), chromedp.WaitReady("footer"))
	step(t, ctx, "news link", chromedp.Click(`a[href="/hubs/demo/news?lang=it"]`), chromedp.WaitVisible("article.bulletin"))
	if s := text(t, ctx, "article.bulletin h2"); s != "Auto sospetta davanti alle sedi" {
		t.Errorf("headline %q", s)
	}
	body := text(t, ctx, "article.bulletin")
	for _, want := range []string{"Gravità", "Grave", "Bologna", "Non parlate di casi aperti al telefono.", "Documento CAP", "Firma"} {
		if !strings.Contains(body, want) {
			t.Errorf("the bulletin lacks %q: %q", want, body)
		}
	}
	if s := text(t, ctx, "#news-verify-title"); s != "Verificare un bollettino" {
		t.Errorf("verification heading %q", s)
	}
	screenshot(t, ctx, "news-nojs-it")
}
