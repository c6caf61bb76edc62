package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/form"
)

// formFlags are submit's options for a hub's own form.
type formFlags struct {
	id      string
	answers multiFlag
	file    string
	ask     bool
}

func (f *formFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.id, "form", "", "the hub's form to answer")
	fs.Var(&f.answers, "answer", "FIELD=VALUE")
	fs.StringVar(&f.file, "answers", "", "a file of answers")
	fs.BoolVar(&f.ask, "ask", false, "ask the questions on standard input")
}

// check refuses the report options that do not go with -form.
func (f *formFlags) check(fs *flag.FlagSet, attach []string) error {
	for _, name := range []string{"category", "m", "when", "where", "who", "needs", "contact"} {
		if isSet(fs, name) {
			return usageErrorf("submit", "-%s does not go with -form: the form has its own questions", name).hint(
				"answer them with -answer FIELD=VALUE, -answers FILE, or in the terminal")
		}
	}
	if len(attach) > 0 {
		return usageErrorf("submit", "-attach does not go with -form").hint(
			"give files as the answer of the form's files question: -answer FIELD=PATH")
	}
	return nil
}

// fill verifies the form against the pinned admin key, collects the
// answers (options, file, then questions in the terminal), checks them
// and returns the bundle entries and the attachments they name.
func (f *formFlags) fill(ctx context.Context, e *env, c *client.Client, v *client.Verified, lang string) (*bundle.FormAnswers, []bundle.Attachment, func(), error) {
	ps, err := pinStore()
	if err != nil {
		return nil, nil, nil, err
	}
	vf, err := c.VerifiedForm(ctx, ps, v.AdminKey, f.id)
	if err != nil {
		return nil, nil, nil, explainFormError(c, f.id, err)
	}
	fm := vf.Form
	if lang == "" {
		lang = envLocale(os.Getenv)
	}
	e.printf("form %q version %d of hub %q, signed by its admin key: %s", fm.ID, fm.Version, c.HubID(), fm.In(fm.Title, lang))
	answers := map[string][]string{}
	if f.file != "" {
		if err := readAnswersFile(fm, e.lang, f.file, answers); err != nil {
			return nil, nil, nil, err
		}
	}
	for _, a := range f.answers {
		id, val, ok := strings.Cut(a, "=")
		if !ok {
			return nil, nil, nil, usageErrorf("submit", "-answer %q is not FIELD=VALUE", a)
		}
		if err := addAnswer(fm, e.lang, answers, id, val); err != nil {
			return nil, nil, nil, err
		}
	}
	if f.ask || isTerminal(e.stdin) {
		if err := askQuestions(e, fm, lang, answers); err != nil {
			return nil, nil, nil, err
		}
	}
	// Files answers are paths here; in the bundle, names.
	var paths []string
	for _, fl := range fm.Fields {
		if fl.Type != form.TypeFiles {
			continue
		}
		for i, p := range answers[fl.ID] {
			paths = append(paths, p)
			answers[fl.ID][i] = filepath.Base(p)
		}
	}
	a := &form.Answers{Form: fm.ID, Version: fm.Version, Hash: vf.Hash, Answers: answers}
	fa, err := form.BundleEntries(vf.Signed, a)
	if err != nil {
		return nil, nil, nil, withHints(fmt.Errorf("the answers do not fit form %q (%s): %w", fm.ID, form.Code(err), err),
			"answer every required question; a question asked only after some answers must not be answered otherwise",
			fmt.Sprintf("the questions: %s", fieldList(fm)))
	}
	files, closeFiles, err := openAttachments(paths)
	if err != nil {
		return nil, nil, nil, err
	}
	return fa, files, closeFiles, nil
}

func fieldList(fm *form.Form) string {
	ids := make([]string, len(fm.Fields))
	for i, fl := range fm.Fields {
		ids[i] = fl.ID + " (" + fl.Type + ")"
	}
	return strings.Join(ids, ", ")
}

// addAnswer adds one value to the answer of field id, normalising yes/no.
func addAnswer(fm *form.Form, lang string, answers map[string][]string, id, val string) error {
	fl := fm.Field(id)
	if fl == nil {
		return usageErrorf("submit", "form %q has no question %q", fm.ID, id).hint(fmt.Sprintf("its questions: %s", fieldList(fm)))
	}
	if fl.Type == form.TypeYesNo {
		if yn, ok := yesNo(lang, val); ok {
			val = yn
		}
	}
	if val == "" {
		return nil
	}
	answers[id] = append(answers[id], val)
	return nil
}

// readAnswersFile reads -answers: a JSON object of FIELD: VALUE or
// [VALUES], or lines FIELD=VALUE with # comments.
func readAnswersFile(fm *form.Form, lang, path string, answers map[string][]string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading the answers: %w", err)
	}
	if len(data) > form.MaxAnswersSize {
		return errorWithHints(fmt.Sprintf("%s is larger than %s", path, humanSize(form.MaxAnswersSize)), "send long texts as files")
	}
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(t, &m); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		ids := make([]string, 0, len(m))
		for id := range m {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			var one string
			var many []string
			if json.Unmarshal(m[id], &one) == nil {
				many = []string{one}
			} else if err := json.Unmarshal(m[id], &many); err != nil {
				return fmt.Errorf("%s: %s: a value is a string or a list of strings", path, id)
			}
			for _, v := range many {
				if err := addAnswer(fm, lang, answers, id, v); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, val, ok := strings.Cut(line, "=")
		if !ok {
			return fmt.Errorf("%s, line %d: not FIELD=VALUE", path, n+1)
		}
		if err := addAnswer(fm, lang, answers, strings.TrimSpace(id), strings.TrimSpace(val)); err != nil {
			return err
		}
	}
	return nil
}

// askQuestions asks, in order, every shown question not answered yet, on
// standard error, reading the answers from standard input. A condition is
// decided by the answers before it, so what is asked follows what was
// answered.
func askQuestions(e *env, fm *form.Form, lang string, answers map[string][]string) error {
	in := bufio.NewReader(e.stdin)
	readLine := func() (string, bool) {
		line, err := in.ReadString('\n')
		if err != nil && line == "" {
			return "", false
		}
		return strings.TrimRight(line, "\r\n"), true
	}
	for i := range fm.Fields {
		fl := &fm.Fields[i]
		if len(answers[fl.ID]) > 0 || !fm.Shown(answers)[fl.ID] {
			continue
		}
		for try := 0; ; try++ {
			fmt.Fprintf(e.stderr, "\n%s%s\n", clean(fm.In(fl.Label, lang)), map[bool]string{true: " *", false: ""}[fl.Required])
			if len(fl.Help) > 0 {
				fmt.Fprintf(e.stderr, "  %s\n", clean(fm.In(fl.Help, lang)))
			}
			for n, c := range fl.Choices {
				fmt.Fprintf(e.stderr, "  %d) %s\n", n+1, clean(fm.In(c.Label, lang)))
			}
			var vals []string
			switch fl.Type {
			case form.TypeLongText:
				fmt.Fprintln(e.stderr, e.translate("  (end with a line holding only a dot)"))
				var lines []string
				for {
					l, ok := readLine()
					if !ok || l == "." {
						break
					}
					lines = append(lines, l)
				}
				if t := strings.Join(lines, "\n"); strings.TrimSpace(t) != "" {
					vals = []string{t}
				}
			case form.TypeFiles:
				fmt.Fprintln(e.stderr, e.translate("  (one file a line, an empty line to end)"))
				for {
					l, ok := readLine()
					if !ok || strings.TrimSpace(l) == "" {
						break
					}
					vals = append(vals, strings.TrimSpace(l))
				}
			default:
				switch fl.Type {
				case form.TypeYesNo:
					fmt.Fprint(e.stderr, e.translate("  [y/n] "))
				case form.TypeMultipleChoice:
					fmt.Fprint(e.stderr, e.translate("  (numbers separated by commas) "))
				}
				fmt.Fprint(e.stderr, "> ")
				l, ok := readLine()
				if !ok {
					return nil // end of input: the checks say what is missing
				}
				vals = questionValues(fl, e.lang, l)
			}
			if len(vals) == 0 {
				if !fl.Required || try >= 2 {
					break
				}
				fmt.Fprintln(e.stderr, e.translate("  this question needs an answer"))
				continue
			}
			if fl.Type != form.TypeFiles {
				if err := form.CheckValue(fl, vals); err != nil {
					var why = err.Error()
					if _, after, ok := strings.Cut(why, fl.ID+": "); ok {
						why = after
					}
					fmt.Fprintf(e.stderr, "  %s\n", clean(e.translate(why)))
					if try >= 2 {
						return withHints(err, fmt.Sprintf("answer with -answer %s=VALUE", fl.ID))
					}
					continue
				}
			}
			answers[fl.ID] = vals
			break
		}
	}
	return nil
}

// questionValues reads a one-line answer: choice numbers or ids, y/n.
func questionValues(fl *form.Field, lang, line string) []string {
	line = strings.TrimSpace(line)
	if line == "" {
		return nil
	}
	switch fl.Type {
	case form.TypeYesNo:
		if yn, ok := yesNo(lang, line); ok {
			return []string{yn}
		}
	case form.TypeSingleChoice, form.TypeMultipleChoice:
		var out []string
		for _, part := range strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ' ' }) {
			if n, err := strconv.Atoi(part); err == nil && n >= 1 && n <= len(fl.Choices) {
				part = fl.Choices[n-1].ID
			}
			out = append(out, part)
		}
		return out
	}
	return []string{line}
}
