package manifest

import "testing"

func TestDetachedSignature(t *testing.T) {
	sk, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	other, _ := GenerateKey()
	msg := []byte("<alert/>")
	sig := sk.SignDetached(msg)
	tests := []struct {
		name string
		pub  PublicKey
		msg  []byte
		sig  []byte
		want bool
	}{
		{"good", sk.Public(), msg, sig, true},
		{"other key", other.Public(), msg, sig, false},
		{"changed byte", sk.Public(), []byte("<alert/ >"), sig, false},
		{"short signature", sk.Public(), msg, sig[:63], false},
		{"no key", PublicKey{}, msg, sig, false},
	}
	for _, tt := range tests {
		if got := tt.pub.VerifyDetached(tt.msg, tt.sig); got != tt.want {
			t.Errorf("%s: VerifyDetached = %v, want %v", tt.name, got, tt.want)
		}
	}
}
