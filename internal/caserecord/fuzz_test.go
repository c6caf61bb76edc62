package caserecord

import (
	"bytes"
	"slices"
	"testing"
)

func FuzzParse(f *testing.F) {
	f.Add([]byte(validRecord))
	f.Add([]byte(`{"v":1}`))
	f.Add([]byte(`{"v":1,"labels":["a","a"]}`))
	f.Add([]byte(`{"v":1,"assignee":"a","assignee":"b"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Parse(b)
		if err != nil {
			return
		}
		out, err := r.Marshal()
		if err != nil {
			t.Fatalf("a parsed record does not marshal: %v", err)
		}
		r2, err := Parse(out)
		if err != nil {
			t.Fatalf("a marshalled record does not parse: %v", err)
		}
		out2, _ := r2.Marshal()
		if !bytes.Equal(out, out2) {
			t.Fatalf("not stable:\n%s\n%s", out, out2)
		}
	})
}

// FuzzMerge: the merge of any two valid records from a valid base
// is the same in both orders and loses no note, no label or link
// added since base, and no change of the history.
func FuzzMerge(f *testing.F) {
	f.Add([]byte(`{"v":1}`), []byte(validRecord), []byte(`{"v":1,"assignee":"Bo","labels":["x"]}`))
	f.Add([]byte(validRecord), []byte(`{"v":1}`), []byte(validRecord))
	f.Fuzz(func(t *testing.T, bb, mb, tb []byte) {
		base, err1 := Parse(bb)
		mine, err2 := Parse(mb)
		theirs, err3 := Parse(tb)
		if err1 != nil || err2 != nil || err3 != nil {
			return
		}
		a, errA := Merge(base, mine, theirs)
		b, errB := Merge(base, theirs, mine)
		if (errA == nil) != (errB == nil) {
			t.Fatalf("merge errors depend on the order: %v, %v", errA, errB)
		}
		if errA != nil {
			return
		}
		ja, _ := a.Marshal()
		jb, _ := b.Marshal()
		if !bytes.Equal(ja, jb) {
			t.Fatalf("merge depends on the order:\n%s\n%s", ja, jb)
		}
		ids := map[string]bool{}
		for _, n := range a.Notes {
			ids[n.ID] = true
		}
		for _, r := range []*Record{base, mine, theirs} {
			for _, n := range r.Notes {
				if !ids[n.ID] {
					t.Fatalf("note %s lost", n.ID)
				}
			}
			for _, c := range r.History {
				if !slices.Contains(a.History, c) {
					t.Fatalf("change %+v lost", c)
				}
			}
		}
		for _, r := range []*Record{mine, theirs} {
			for _, l := range r.Labels {
				if !slices.Contains(base.Labels, l) && !slices.Contains(a.Labels, l) {
					t.Fatalf("added label %q lost", l)
				}
			}
			for _, l := range r.Links {
				if !slices.Contains(base.Links, l) && !slices.Contains(a.Links, l) {
					t.Fatalf("added link %+v lost", l)
				}
			}
		}
		for _, f := range fields {
			v := *a.field(f)
			if v != *mine.field(f) && v != *theirs.field(f) {
				t.Fatalf("%s = %q, neither side's", f, v)
			}
		}
	})
}
