package wire

// Headers of the anonymous two-way channel (docs/api.md, "Conversations").
const (
	// HeaderThreadVerifier, on the first submission, opens a conversation:
	// the verifier of the defender's thread token, base64url.
	HeaderThreadVerifier = "Difesa-Thread-Verifier"
	// HeaderThreadToken authenticates a defender's conversation requests:
	// the thread token derived from the codename, base64url.
	HeaderThreadToken = "Difesa-Thread-Token"
)

// Submission kinds.
const (
	KindReport   = "report"
	KindFollowup = "followup"
	KindReply    = "reply"
)

// Message is one message of a conversation, in order.
type Message struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	Size     int64  `json:"size"`
	Received string `json:"received"`
	Seq      uint32 `json:"seq"`
	Epoch    uint64 `json:"epoch"`
}

// Thread answers GET …/thread (defender) and GET …/threads/{id}
// (responder): the conversation opened by submission ID.
type Thread struct {
	ID       string    `json:"id"`
	Messages []Message `json:"messages"`
}

// Error codes of conversations.
const (
	CodeThreadExists = "thread_exists" // 409 the codename already has a conversation at this hub
	CodeNoThread     = "no_thread"     // 404 unknown codename or conversation
	CodeThreadFull   = "thread_full"   // 409 the conversation holds as many messages as it may
)
