package manifest

import "crypto/ed25519"

// SignDetached signs msg with the admin key and returns the 64-byte Ed25519
// signature. It is for documents other than manifests that a hub's admin
// vouches for (CAP bulletins); the signed bytes are the document exactly as
// published, so anyone holding the admin public key can check them with any
// Ed25519 implementation.
func (sk *SecretKey) SignDetached(msg []byte) []byte {
	return ed25519.Sign(sk.k, msg)
}

// VerifyDetached reports whether sig is pk's Ed25519 signature of msg.
func (pk PublicKey) VerifyDetached(msg, sig []byte) bool {
	return pk.k != nil && len(sig) == ed25519.SignatureSize && ed25519.Verify(pk.k, msg, sig)
}
