package hub

import (
	"strings"
	"testing"
)

func TestCheckBulletinSender(t *testing.T) {
	t.Parallel()
	tests := []struct {
		sender string
		ok     bool
	}{
		{"difesa-it", true},
		{"alerts@rete.example", true},
		{"urn:oid:2.49.0.1.380", true},
		{"", false},
		{"two words", false},
		{"a,b", false},
		{"a<b", false},
		{"a&amp;b", false},
		{"tab\there", false},
		{"nl\n", false},
		{"nbsp\u00a0x", false},
		{`quote"`, false},
		{"bad\xffutf8", false},
		{strings.Repeat("a", MaxBulletinSenderLen), true},
		{strings.Repeat("a", MaxBulletinSenderLen+1), false},
	}
	for _, tt := range tests {
		t.Run(tt.sender, func(t *testing.T) {
			err := CheckBulletinSender(tt.sender)
			if (err == nil) != tt.ok {
				t.Errorf("CheckBulletinSender(%q) = %v, want ok %v", tt.sender, err, tt.ok)
			}
		})
	}
}

func TestDefaultBulletinSender(t *testing.T) {
	t.Parallel()
	h, err := New("rete-it", "Rete", nil, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if h.BulletinSender != "difesa-rete-it" {
		t.Errorf("default sender %q", h.BulletinSender)
	}
	if err := CheckBulletinSender(h.BulletinSender); err != nil {
		t.Error(err)
	}
}
