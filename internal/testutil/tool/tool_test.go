package tool

import (
	"testing"
)

func TestNeedFindsAProgram(t *testing.T) {
	if p := Need(t, "go", "it runs this test"); p == "" {
		t.Fatal("go not found, though it runs this test")
	}
}

// fakeTB records what Need and Missing do, without ending the real test.
type fakeTB struct {
	testing.TB
	failed, skipped bool
}

func (f *fakeTB) Helper()               {}
func (f *fakeTB) Fatalf(string, ...any) { f.failed = true }
func (f *fakeTB) Skip(...any)           { f.skipped = true }

func TestMissingToolFailsUnderCI(t *testing.T) {
	for _, ci := range []string{"true", ""} {
		t.Run("CI="+ci, func(t *testing.T) {
			t.Setenv("CI", ci)
			f := &fakeTB{TB: t}
			Need(f, "difesa-no-such-program", "nothing installs it")
			if ci == "true" && (!f.failed || f.skipped) {
				t.Fatalf("under CI a missing tool must fail, got failed=%v skipped=%v", f.failed, f.skipped)
			}
			if ci == "" && (f.failed || !f.skipped) {
				t.Fatalf("outside CI a missing tool must skip, got failed=%v skipped=%v", f.failed, f.skipped)
			}
		})
	}
}
