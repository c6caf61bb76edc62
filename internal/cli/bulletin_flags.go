package cli

import (
	"errors"
	"flag"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"difesa.org/difesa/internal/cap"
)

// The CAP 1.2 enumerations "difesa bulletin new" offers, spelled as CAP
// spells them. Flags take them in any case.
var (
	capStatuses    = []string{"Actual", "Exercise", "System", "Test", "Draft"}
	capMsgTypes    = []string{"Alert", "Update", "Cancel"}
	capCategories  = []string{"Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra", "CBRNE", "Other"}
	capUrgencies   = []string{"Immediate", "Expected", "Future", "Past", "Unknown"}
	capSeverities  = []string{"Extreme", "Severe", "Moderate", "Minor", "Unknown"}
	capCertainties = []string{"Observed", "Likely", "Possible", "Unlikely", "Unknown"}
)

// oneOf returns the CAP spelling of v if it is one of allowed, ignoring
// case; the error lists the allowed values.
func oneOf(allowed []string) func(string) (string, error) {
	return func(v string) (string, error) {
		for _, a := range allowed {
			if strings.EqualFold(a, strings.TrimSpace(v)) {
				return a, nil
			}
		}
		return "", fmt.Errorf("must be one of %s", strings.Join(allowed, ", "))
	}
}

// bulletinSpec is what the flags of "difesa bulletin new" describe. The
// info flags apply to the block the latest -lang started; before the first
// -lang they go to common, which is the only block if there is no -lang,
// and otherwise gives its values to every block that does not set them.
type bulletinSpec struct {
	sender, id string
	status     string
	msgType    string
	sent       string
	references []cap.Reference
	updates    []string // identifiers to look up on the hub
	cancels    []string
	common     infoSpec
	blocks     []*infoSpec
}

// infoSpec is one info block as given: single values and repeated ones
// (-area, -category) by flag name.
type infoSpec struct {
	lang   string
	values map[string]string
	lists  map[string][]string
}

func (s *bulletinSpec) current() *infoSpec {
	if len(s.blocks) > 0 {
		return s.blocks[len(s.blocks)-1]
	}
	return &s.common
}

// textFlags are the info flags in one language: with -lang they belong in
// a language's block, never before the first -lang.
var textFlags = []string{"headline", "description", "instruction"}

// infoFlag is an info-block flag: it applies to the current block.
type infoFlag struct {
	spec   *bulletinSpec
	name   string
	repeat bool
	check  func(string) (string, error)
}

func (f *infoFlag) String() string { return "" }

func (f *infoFlag) Set(v string) error {
	if f.check != nil {
		var err error
		if v, err = f.check(v); err != nil {
			return err
		}
	}
	b := f.spec.current()
	if f.repeat {
		if b.lists == nil {
			b.lists = map[string][]string{}
		}
		b.lists[f.name] = append(b.lists[f.name], v)
		return nil
	}
	if _, dup := b.values[f.name]; dup {
		if b.lang != "" {
			return fmt.Errorf("given twice for language %s", b.lang)
		}
		return errors.New("given twice; to write it in another language start a block with -lang")
	}
	if b.values == nil {
		b.values = map[string]string{}
	}
	b.values[f.name] = v
	return nil
}

// langFlag is -lang: it starts a new info block.
type langFlag struct{ spec *bulletinSpec }

func (f *langFlag) String() string { return "" }

var langTag = regexp.MustCompile(`^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$`)

func (f *langFlag) Set(v string) error {
	if !langTag.MatchString(v) {
		return errors.New("must be a language tag like it, en or pt-BR")
	}
	for _, b := range f.spec.blocks {
		if strings.EqualFold(b.lang, v) {
			return fmt.Errorf("language %s given twice", v)
		}
	}
	f.spec.blocks = append(f.spec.blocks, &infoSpec{lang: v})
	return nil
}

// checkedString is a single string flag whose value is checked (and maybe
// normalised) when set.
type checkedString struct {
	v     *string
	check func(string) (string, error)
}

func (f *checkedString) String() string {
	if f.v == nil {
		return ""
	}
	return *f.v
}

func (f *checkedString) Set(v string) error {
	v, err := f.check(v)
	if err != nil {
		return err
	}
	*f.v = v
	return nil
}

// referencesFlag is -references "sender,identifier,sent", repeatable.
type referencesFlag struct{ refs *[]cap.Reference }

func (f *referencesFlag) String() string { return "" }

func (f *referencesFlag) Set(v string) error {
	parts := strings.Split(v, ",")
	if len(parts) != 3 {
		return errors.New(`must be "sender,identifier,sent"`)
	}
	r := cap.Reference{Sender: parts[0], Identifier: parts[1], Sent: parts[2]}
	if _, err := checkCAPName(r.Sender); err != nil {
		return fmt.Errorf("sender: %v", err)
	}
	if _, err := checkCAPName(r.Identifier); err != nil {
		return fmt.Errorf("identifier: %v", err)
	}
	// The sent is written as -sent writes it (UTC as -00:00, CAP's
	// spelling), so that a reference typed as the earlier -sent was names
	// the document that -sent made: the hub compares references exactly.
	sent, err := checkCAPTime(r.Sent)
	if err != nil {
		return errors.New(`sent must be a CAP date-time like 2026-11-23T14:00:00+01:00`)
	}
	r.Sent = sent
	*f.refs = append(*f.refs, r)
	return nil
}

// checkCAPName checks a sender or identifier: CAP forbids spaces, commas,
// "<" and "&" in them.
func checkCAPName(v string) (string, error) {
	switch {
	case v == "":
		return "", errors.New("must not be empty")
	case strings.IndexFunc(v, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || r == ',' || r == '<' || r == '&'
	}) >= 0:
		return "", errors.New("must not contain spaces, commas, < or &")
	}
	return v, nil
}

// checkCAPTime checks a CAP date-time and writes it in CAP's form: as
// given, except UTC, which CAP spells -00:00 (+00:00 is rewritten). -sent,
// -expires and the sent of -references all go through it, so they agree.
func checkCAPTime(v string) (string, error) {
	t, err := cap.ParseTime(v)
	if err != nil {
		return "", errors.New("must be a CAP date-time like 2026-11-23T14:00:00+01:00")
	}
	return cap.FormatTime(t), nil
}

// checkExpires takes a duration after -sent (48h, 90m, 7d) or a CAP
// date-time.
func checkExpires(v string) (string, error) {
	if _, err := parseAfter(v); err == nil {
		return v, nil
	}
	if t, err := cap.ParseTime(v); err == nil {
		return cap.FormatTime(t), nil
	}
	return "", errors.New("must be a duration after -sent like 48h or 7d, or a CAP date-time like 2026-11-25T14:00:00+01:00")
}

// parseAfter reads a positive duration, with days ("7d") besides Go's units.
func parseAfter(v string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(v, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days <= 0 || days > 3660 {
			return 0, errors.New("bad number of days")
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, errors.New("bad duration")
	}
	return d, nil
}

// checkWeb takes what cap.Check accepts in <web>: an http:// or https://
// address in RFC 3986's form, with no user name.
func checkWeb(v string) (string, error) {
	if cap.CheckWeb(v) != nil {
		return "", errors.New(`must be an http:// or https:// address like https://example.org/news, in RFC 3986's form (percent-encode spaces, brackets and non-ASCII characters; no user name)`)
	}
	return v, nil
}

func checkText(v string) (string, error) {
	switch {
	case strings.TrimSpace(v) == "":
		return "", errors.New("must not be empty")
	case !utf8.ValidString(v):
		return "", errors.New("must be text (UTF-8)")
	case strings.IndexFunc(v, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) >= 0:
		return "", errors.New("must not contain control characters")
	}
	return v, nil
}

// register adds the flags that describe the bulletin to fs.
func (s *bulletinSpec) register(fs *flag.FlagSet) {
	fs.Var(&checkedString{&s.sender, checkCAPName}, "sender", "the CAP sender")
	fs.Var(&checkedString{&s.id, checkCAPName}, "id", "the identifier")
	s.status = "Actual"
	fs.Var(&checkedString{&s.status, oneOf(capStatuses)}, "status", "the status")
	s.msgType = "Alert"
	fs.Var(&checkedString{&s.msgType, oneOf(capMsgTypes)}, "type", "the message type")
	fs.Var(&checkedString{&s.sent, checkCAPTime}, "sent", "when it is sent")
	fs.Var(&referencesFlag{&s.references}, "references", "sender,identifier,sent of an earlier bulletin")
	fs.Var((*multiFlag)(&s.updates), "updates", "identifier of the bulletin this one updates")
	fs.Var((*multiFlag)(&s.cancels), "cancels", "identifier of the bulletin this one cancels")
	fs.Var(&langFlag{s}, "lang", "starts the info block of a language")
	for _, f := range []*infoFlag{
		{name: "event", check: checkText},
		{name: "headline", check: checkText},
		{name: "description", check: checkText},
		{name: "instruction", check: checkText},
		{name: "area", check: checkText, repeat: true},
		{name: "category", check: oneOf(capCategories), repeat: true},
		{name: "urgency", check: oneOf(capUrgencies)},
		{name: "severity", check: oneOf(capSeverities)},
		{name: "certainty", check: oneOf(capCertainties)},
		{name: "expires", check: checkExpires},
		{name: "web", check: checkWeb},
		{name: "contact", check: checkText},
	} {
		f.spec = s
		fs.Var(f, f.name, "info block: "+f.name)
	}
}
