package bidi

import (
	"fmt"
	"sort"
	"strings"
)

// Level is one of Tor Browser's security levels.
type Level int

const (
	// Standard is Tor Browser's default: every browser feature on.
	Standard Level = iota
	// Safer turns off the JavaScript JIT, WebAssembly and asm.js, the
	// native regular-expression compiler, MathML and some font features,
	// and media that plays by itself.
	Safer
	// Safest is Safer with SVG off and no JavaScript at all.
	Safest
)

// Levels lists the three levels, from the most permissive.
var Levels = []Level{Standard, Safer, Safest}

func (l Level) String() string {
	switch l {
	case Standard:
		return "Standard"
	case Safer:
		return "Safer"
	case Safest:
		return "Safest"
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// JavaScript reports whether pages run scripts at this level.
func (l Level) JavaScript() bool { return l != Safest }

// sliderIndex is Tor Browser's browser.security_level.security_slider
// value for the level (4 Standard, 2 Safer, 1 Safest).
func (l Level) sliderIndex() int {
	return map[Level]int{Standard: 4, Safer: 2, Safest: 1}[l]
}

// Prefs returns the preferences Tor Browser sets at level l, and the ones
// it sets at every level that change what a page sees. Tor Browser's
// table is kSecuritySettings in
// toolkit/components/securitylevel/SecurityLevel.sys.mjs (base-browser,
// shared by Tor Browser and Mullvad Browser); docs/web.md lists them.
// Safest's JavaScript ban is done in Tor Browser by NoScript, whose
// equivalent in a bare Firefox is javascript.enabled=false; Safer's
// "no media that plays by itself" is NoScript's too, and was
// media.play-stand-alone=false in Tor Browser's older table.
func (l Level) Prefs() map[string]any {
	std := l == Standard
	p := map[string]any{
		// The level itself, as Tor Browser records it.
		"browser.security_level.security_slider": l.sliderIndex(),
		// kSecuritySettings: all true at Standard, false at Safer and
		// Safest (the *.disabled ones the other way round).
		"javascript.options.ion":                  std,
		"javascript.options.baselinejit":          std,
		"javascript.options.native_regexp":        std,
		"javascript.options.asmjs":                std,
		"javascript.options.wasm":                 std,
		"gfx.font_rendering.graphite.enabled":     std,
		"gfx.font_rendering.opentype_svg.enabled": std,
		"mathml.disabled":                         !std,
		"svg.disabled":                            l == Safest,
		"media.play-stand-alone":                  std,
		"javascript.enabled":                      l != Safest,
		// Every level: fingerprinting resistance and the
		// en-US locale Tor Browser reports whatever the person reads.
		"privacy.resistFingerprinting": true,
		// Letterboxing stays off: it holds the content area to multiples
		// of 200×100 px, and with it Firefox never completes
		// browsingContext.setViewport. The tests set the letterboxed
		// sizes themselves (1000×900, 1400×900), and a phone's, which
		// Tor Browser for Android does not letterbox.
		"privacy.resistFingerprinting.letterboxing": false,
		"privacy.spoof_english":                     2,
		"intl.accept_languages":                     "en-US, en",
		"javascript.use_us_english_locale":          true,
	}
	return p
}

// quiet are preferences for a browser under test: no first-run pages, no
// updates, no telemetry, no request to any server but the one tested.
var quiet = map[string]any{
	"app.update.disabledForTesting":                              true,
	"app.normandy.enabled":                                       false,
	"browser.shell.checkDefaultBrowser":                          false,
	"browser.startup.homepage_override.mstone":                   "ignore",
	"browser.startup.page":                                       0,
	"browser.newtabpage.enabled":                                 false,
	"browser.safebrowsing.malware.enabled":                       false,
	"browser.safebrowsing.phishing.enabled":                      false,
	"browser.safebrowsing.downloads.enabled":                     false,
	"browser.aboutwelcome.enabled":                               false,
	"datareporting.policy.dataSubmissionEnabled":                 false,
	"datareporting.healthreport.uploadEnabled":                   false,
	"toolkit.telemetry.reportingpolicy.firstRun":                 false,
	"extensions.update.enabled":                                  false,
	"network.captive-portal-service.enabled":                     false,
	"network.connectivity-service.enabled":                       false,
	"network.proxy.type":                                         0,
	"services.settings.server":                                   "http://127.0.0.1:9/",
	"browser.download.start_downloads_in_tmp_dir":                true,
	"dom.disable_beforeunload":                                   true,
	"browser.tabs.warnOnClose":                                   false,
	"remote.prefs.recommended":                                   true,
	"browser.topsites.contile.enabled":                           false,
	"browser.newtabpage.activity-stream.feeds.topsites":          false,
	"browser.newtabpage.activity-stream.feeds.system.topstories": false,
}

// userJS renders prefs as a user.js file, sorted.
func userJS(prefs ...map[string]any) string {
	all := map[string]any{}
	for _, p := range prefs {
		for k, v := range p {
			all[k] = v
		}
	}
	keys := make([]string, 0, len(all))
	for k := range all {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		var v string
		switch x := all[k].(type) {
		case string:
			v = fmt.Sprintf("%q", x)
		default:
			v = fmt.Sprint(x)
		}
		fmt.Fprintf(&b, "user_pref(%q, %s);\n", k, v)
	}
	return b.String()
}
