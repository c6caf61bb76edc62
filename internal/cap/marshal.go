package cap

// Marshal returns a's canonical XML document (UTF-8, XML declaration,
// two-space indentation), after checking that [Check] accepts it.
func (a *Alert) Marshal() ([]byte, error) { panic("unimplemented") }
