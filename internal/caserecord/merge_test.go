package caserecord

import (
	"slices"
	"testing"
)

const (
	h13 = "2026-12-03T13:00:00Z"
	h14 = "2026-12-03T14:00:00Z"
)

func mustSet(t *testing.T, r *Record, f, v, who, hour string) {
	t.Helper()
	if err := r.Set(f, v, who, hour); err != nil {
		t.Fatal(err)
	}
}

func clone(t *testing.T, r *Record) *Record {
	t.Helper()
	b, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mergeBoth(t *testing.T, base, mine, theirs *Record) *Record {
	t.Helper()
	a, err := Merge(base, mine, theirs)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Merge(base, theirs, mine)
	if err != nil {
		t.Fatal(err)
	}
	ja, _ := a.Marshal()
	jb, _ := b.Marshal()
	if string(ja) != string(jb) {
		t.Fatalf("merge depends on the order:\n%s\n%s", ja, jb)
	}
	return a
}

func TestMergeKeepsBothSidesNotes(t *testing.T) {
	t.Parallel()
	base := New()
	if _, err := base.AddNote("Ana", h13, "first", ""); err != nil {
		t.Fatal(err)
	}
	mine, theirs := clone(t, base), clone(t, base)
	nm, _ := mine.AddNote("Ana", h14, "mine", "")
	nt, _ := theirs.AddNote("Bo", h14, "theirs", "photo.jpg")
	theirs.Notes = slices.DeleteFunc(theirs.Notes, func(n Note) bool { return n.Text == "first" })
	out := mergeBoth(t, base, mine, theirs)
	if len(out.Notes) != 3 || !slices.Contains(out.Notes, nm) || !slices.Contains(out.Notes, nt) || !slices.Contains(out.Notes, base.Notes[0]) {
		t.Fatalf("notes after the merge: %+v", out.Notes)
	}
}

func TestMergeLabelsAndLinksAsSets(t *testing.T) {
	t.Parallel()
	base := New()
	_ = base.AddLabel("urgent")
	_ = base.AddLabel("detention")
	_ = base.AddLink(LinkDuplicate, "s1")
	mine, theirs := clone(t, base), clone(t, base)
	mine.RemoveLabel("urgent")
	_ = mine.AddLabel("legal")
	_ = theirs.AddLabel("medical")
	theirs.RemoveLink(LinkDuplicate, "s1")
	_ = theirs.AddLink(LinkSameIncident, "s2")
	out := mergeBoth(t, base, mine, theirs)
	if want := []string{"detention", "legal", "medical"}; !slices.Equal(out.Labels, want) {
		t.Errorf("labels %v, want %v", out.Labels, want)
	}
	if want := []Link{{LinkSameIncident, "s2"}}; !slices.Equal(out.Links, want) {
		t.Errorf("links %v, want %v", out.Links, want)
	}
}

func TestMergeLastWriterKeepsLoserInHistory(t *testing.T) {
	t.Parallel()
	base := New()
	mustSet(t, base, FieldAssignee, "Ana", "Ana", h13)
	mine, theirs := clone(t, base), clone(t, base)
	mustSet(t, mine, FieldAssignee, "Bo", "Bo", h14)
	mustSet(t, theirs, FieldAssignee, "Cy", "Cy", h14)
	mustSet(t, theirs, FieldFollowUp, "2027-01-01", "Cy", h13)
	mustSet(t, mine, FieldSubStatus, "waiting", "Bo", h13)
	out := mergeBoth(t, base, mine, theirs)
	if out.Assignee != "Cy" {
		t.Errorf("assignee %q, want Cy, the later author at the same hour", out.Assignee)
	}
	if out.FollowUp != "2027-01-01" || out.SubStatus != "waiting" {
		t.Errorf("one-sided changes lost: %+v", out)
	}
	lost := Change{Author: "Bo", Hour: h14, Field: FieldAssignee, Old: "Ana", New: "Bo"}
	if !slices.Contains(out.History, lost) {
		t.Errorf("the loser's change is not in the history: %+v", out.History)
	}
	if len(out.History) != 5 {
		t.Errorf("history has %d changes, want 5: %+v", len(out.History), out.History)
	}
}

func TestMergeLaterHourWins(t *testing.T) {
	t.Parallel()
	base := New()
	mine, theirs := clone(t, base), clone(t, base)
	mustSet(t, mine, FieldSubStatus, "a", "Zed", h13)
	mustSet(t, theirs, FieldSubStatus, "b", "Al", h14)
	if out := mergeBoth(t, base, mine, theirs); out.SubStatus != "b" {
		t.Fatalf("sub-status %q, want b, the later hour", out.SubStatus)
	}
}

func TestMergeNilBase(t *testing.T) {
	t.Parallel()
	mine, theirs := New(), New()
	_, _ = mine.AddNote("Ana", h13, "one", "")
	_, _ = theirs.AddNote("Bo", h13, "two", "")
	if out := mergeBoth(t, nil, mine, theirs); len(out.Notes) != 2 {
		t.Fatalf("notes %+v", out.Notes)
	}
}
