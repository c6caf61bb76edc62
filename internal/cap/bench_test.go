package cap

import "testing"

func BenchmarkCheck(b *testing.B) {
	doc := []byte(testdata(b, "rich.xml"))
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Check(doc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshal(b *testing.B) {
	a, err := Check([]byte(testdata(b, "rich.xml")))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Marshal(); err != nil {
			b.Fatal(err)
		}
	}
}
