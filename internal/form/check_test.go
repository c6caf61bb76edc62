package form

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	src := strings.Replace(string(exampleSource(t)), `"label": {"it": "Quando?", "en": "When?"}`, `"label": {"it": "Quando?"}`, 1)
	src = strings.Replace(src, `"label": {"it": "Casa", "en": "Housing"}, "code": "S1"`, `"label": {"it": "Casa", "en": "Housing"}`, 1)
	f, issues := Check([]byte(src), []string{"it", "sl"})
	if f == nil {
		t.Fatalf("Check refused: %v", issues)
	}
	var got []string
	for _, i := range issues {
		if i.Severity != SeverityWarning {
			t.Errorf("unexpected %s", i)
		}
		got = append(got, i.Code+": "+i.Message)
	}
	want := []string{
		"missing_translation: the hub offers sl, but the form has no sl texts: visitors in sl see it",
		"choice_without_code: field setting: choice housing has no vocabulary code",
		"missing_translation: field when has no en text (shown in it instead)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("issues:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	broken := strings.Replace(string(exampleSource(t)), `"field": "safe_now"`, `"field": "details"`, 1)
	f, issues = Check([]byte(broken), nil)
	if f != nil || len(issues) != 1 || issues[0].Severity != SeverityError || issues[0].Code != "form_bad_condition" {
		t.Fatalf("Check(broken condition) = %v", issues)
	}
	unknown := strings.Replace(string(exampleSource(t)), `"type": "place"`, `"type": "address"`, 1)
	if _, issues = Check([]byte(unknown), nil); len(issues) != 1 || issues[0].Code != "form_invalid" || !strings.Contains(issues[0].Message, `unknown type "address"`) {
		t.Fatalf("Check(unknown type) = %v", issues)
	}
}
