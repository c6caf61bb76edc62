package ageformat

import (
	"bytes"
	"compress/zlib"
	"io"
	"io/fs"
	"slices"
	"strings"
	"testing"

	agetest "c2sp.org/CCTV/age"
	"filippo.io/age"
)

// vector is one CCTV age test vector, see the README of c2sp.org/CCTV/age.
type vector struct {
	name       string
	expect     string
	comment    string
	identities []age.Identity
	passphrase bool
	armored    bool
	file       []byte // decompressed
}

// loadVectors returns every CCTV vector, sorted by name.
func loadVectors(tb testing.TB) []*vector {
	tb.Helper()
	names, err := fs.Glob(agetest.Vectors, "*")
	if err != nil {
		tb.Fatal(err)
	}
	slices.Sort(names)
	var vs []*vector
	for _, name := range names {
		data, err := fs.ReadFile(agetest.Vectors, name)
		if err != nil {
			tb.Fatal(err)
		}
		vs = append(vs, parseVector(tb, name, data))
	}
	if len(vs) < 100 {
		tb.Fatalf("only %d CCTV vectors found", len(vs))
	}
	return vs
}

func parseVector(tb testing.TB, name string, data []byte) *vector {
	tb.Helper()
	v := &vector{name: name}
	rest := data
	compressed := false
	for {
		line, after, ok := bytes.Cut(rest, []byte("\n"))
		if !ok {
			tb.Fatalf("%s: no empty line before the file", name)
		}
		rest = after
		if len(line) == 0 {
			break
		}
		key, value, _ := strings.Cut(string(line), ": ")
		switch key {
		case "expect":
			v.expect = value
		case "comment":
			v.comment = value
		case "identity":
			id, err := age.ParseX25519Identity(value)
			if err == nil {
				v.identities = append(v.identities, id)
				break
			}
			hid, err := age.ParseHybridIdentity(value)
			if err != nil {
				tb.Fatalf("%s: identity: %v", name, err)
			}
			v.identities = append(v.identities, hid)
		case "passphrase":
			v.passphrase = true
		case "armored":
			v.armored = value == "yes"
		case "compressed":
			if value != "zlib" {
				tb.Fatalf("%s: unknown compression %q", name, value)
			}
			compressed = true
		case "payload", "file key":
		default:
			// The README says vectors with unknown keys should be ignored;
			// fail instead so that a new kind of vector gets looked at.
			tb.Fatalf("%s: unknown header key %q", name, key)
		}
	}
	v.file = rest
	if compressed {
		zr, err := zlib.NewReader(bytes.NewReader(rest))
		if err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		if v.file, err = io.ReadAll(zr); err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
	}
	return v
}

// recipients returns the recipients of the vector's identities, the hub
// policy a server receiving this file would have.
func (v *vector) recipients() []age.Recipient {
	var rs []age.Recipient
	for _, id := range v.identities {
		switch id := id.(type) {
		case *age.X25519Identity:
			rs = append(rs, id.Recipient())
		case *age.HybridIdentity:
			rs = append(rs, id.Recipient())
		}
	}
	return rs
}
