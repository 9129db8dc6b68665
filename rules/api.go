package rules

// The JSON bodies the proxy answers and the page decodes: one definition,
// so the two sides cannot drift apart.

// ServerInfo is what the page learns about the proxy it talks to (GET /api/config).
type ServerInfo struct {
	// Backend is "azure" or "emulator".
	Backend             string   `json:"backend"`
	DefaultSubscription string   `json:"defaultSubscription,omitempty"`
	Policy              *Policy  `json:"policy,omitempty"`
	FrameAncestors      []string `json:"frameAncestors,omitempty"`
}

// Accepted is the answer to a write that Azure accepted: where to follow it.
type Accepted struct {
	Operation string `json:"operation"` // the API URL of the operation's state
	Page      string `json:"page"`      // the page that shows its progress
}

// ErrorBody is the JSON of every error answer.
type ErrorBody struct {
	Error struct {
		*Error
		RequestID string `json:"requestId"`
	} `json:"error"`
}
