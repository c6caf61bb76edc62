package wire

// CodeQuotaExceeded answers an upload to a hub that holds as much
// ciphertext as its operators allow (max_stored_bytes): 507, without
// Retry-After, since room comes back only when responders delete
// something. Unlike [CodeStorageFull] it concerns one hub, and the
// server's disk is fine.
const CodeQuotaExceeded = "quota_exceeded"
