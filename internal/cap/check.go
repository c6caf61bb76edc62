package cap

// Check validates doc and returns the alert it holds. It refuses, with an
// [*Error], anything that is not exactly a CAP 1.2 alert difesa supports.
// It does not know about hubs: the sender, identifier uniqueness and
// references are the caller's to check.
func Check(doc []byte) (*Alert, error) { panic("unimplemented") }
