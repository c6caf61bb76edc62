package cap

import (
	"encoding/xml"
	"errors"
	"strings"
	"testing"
)

// leafNode returns a CAP element holding s, as the token pass builds it.
func leafNode(name, s string) *node {
	return &node{name: xml.Name{Space: Namespace, Local: name}, text: []byte(s)}
}

// valueTest runs a value checker over inputs it must accept or refuse.
func valueTest(t *testing.T, name string, check func(string, *node) (string, error), good, bad []string) {
	t.Helper()
	for _, s := range good {
		if got, err := check(name, leafNode(name, s)); err != nil || got != s {
			t.Errorf("%s %q: got %q, %v; want it accepted as is", name, s, got, err)
		}
	}
	for _, s := range bad {
		_, err := check(name, leafNode(name, s))
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeBadValue {
			t.Errorf("%s %q: %v; want a %s error", name, s, err, CodeBadValue)
		}
	}
}

func TestLanguage(t *testing.T) {
	t.Parallel()
	valueTest(t, "language", language,
		[]string{"en", "en-US", "it-IT", "sl", "zh-Hant-TW", "x-difesa", "i-klingon", "abcdefgh-12345678", "de-1996"},
		[]string{"", "-", "en-", "-en", "en--US", "en_US", "abcdefghi", "en-123456789", "1en", "en US", " en", "en\n", "sloveščina", "en-ü"})
}

func TestWeb(t *testing.T) {
	t.Parallel()
	valueTest(t, "web", web,
		[]string{
			"https://hub.example.org/", "http://hub.example.org", "https://hub.example.org:8443/b/42?x=1&y=%20#top",
			"http://abcdefghijklmnopabcdefghijklmnopabcdefghijklmnopabcd.onion/bulletins/7", "https://[2001:db8::1]/",
			"https://hub.example.org", "https://hub.example.org?", "https://hub.example.org#", "https://h:1/", "https://h:65535",
			"https://192.0.2.1/", "https://[::ffff:192.0.2.1]:443/", "https://xn--80ak6aa92e.example/", "https://a_b.example/",
			"https://h//a//", "https://h/?a/b?c#d/e?f", "https://h/%7e%7E~!$&'()*+,;=:@/", "https://" + strings.Repeat("a", 63) + ".org/",
		},
		[]string{
			"", "hub.example.org", "/bulletins/42", "//hub.example.org/", "ftp://hub.example.org/", "javascript:alert(1)",
			"data:text/html,x", "HTTPS://hub.example.org/", "https:hub.example.org", "https://", "https://:443/",
			"https://user@hub.example.org/", "https://user:pw@hub.example.org/", "https://hub.example.org/a b",
			" https://hub.example.org/", "https://hub.example.org/\n", "https://hub.example.org/%zz", "https://hüb.example.org/",
			"https://hub.example.org/<x>", "https://hub.example.org:port/",
			// RFC 3986's grammar, which xs:anyURI processors such as libxml2 apply
			"https://hub.example.org/a[b]", "https://hub.example.org/#a#b", "https://hub.example.org/?a=%zz", "https://hub.example.org/a%",
			"https://hub.example.org/a%4", "https://hub.example.org:/", "https://hub.example.org:65536/", "https://hub.example.org:000080/",
			"https://hub.example.org/?[", "https://hub.example.org/#]", "https://[2001:db8::1/", "https://hub]/", "https://[zz]/",
			"https://[v1.x]/", "https://[fe80::1%25eth0]/", "https://[1.2.3.4]/", "https://%68ub.example.org/", "https://hub..example.org/",
			"https://.hub.example.org/", "https://hub.example.org/a^b", "https://hub.example.org/a|b", "https://hub.example.org/a\\b",
			"https://hub.example.org/{x}", "https://hub.example.org/`", "https://hub.example.org/\"", "https://a@/", "http://h:1:2/",
			"https://" + strings.Repeat("a", 64) + ".org/", "https://" + strings.Repeat("a.", 127) + "org/",
		})
}

func TestIdentifier(t *testing.T) {
	t.Parallel()
	valueTest(t, "identifier", identifier,
		[]string{"bulletin-1", "hub.example.org", "urn:oid:2.49.0.1", "ü-ñ", "a/b:c;d", "x"},
		[]string{"", " ", "a b", "a,b", "a<b", "a&b", "a\tb", "a\nb", "a\u00a0b", "a\u200bb", "a\u202eb", "a\u0085b", "a\x7fb"})
}

func TestText(t *testing.T) {
	t.Parallel()
	valueTest(t, "note", text,
		[]string{"x", " padded ", "line 1\nline 2\r\n\tend", "Città 📢", "👩🏽‍⚕️", "a\u00a0b", "\u200b"},
		[]string{"", " ", "\n\t\r ", "a\x7fb", "a\u0085b", "a\u009fb"})
}

func TestDecimal(t *testing.T) {
	t.Parallel()
	decimalOnly := func(path string, n *node) (string, error) {
		s, _, err := decimal(path, n)
		return s, err
	}
	valueTest(t, "altitude", decimalOnly,
		[]string{"0", "-0", "12", "-12.5", "1500.25", "007", "0.000001", "123456789012345678", "-0.00000000000000001"},
		[]string{"1234567890123456789", "0000000000000000001", "0.000000000000000001", "1234567890123456789012345", "", "+1", "1.", ".5", "-.5", "1e3", "1E3", "0x10", "1,5", " 1", "1 ", "--1", "-", "NaN", "Inf", "١٢"})
}

func TestEnum(t *testing.T) {
	t.Parallel()
	for element, values := range enumerations {
		valueTest(t, element, enum, values, []string{"", " " + values[0], values[0] + " ", values[0] + "\n", "x" + values[0], "unknown"})
	}
}
