package rules

// ErrorCode is the kind of an amlaks error. The proxy maps each kind to one
// HTTP status in a single table.
type ErrorCode string

// The kinds of errors amlaks reports.
const (
	ErrInvalid      ErrorCode = "invalid"      // the request is malformed or breaks a rule
	ErrUnauthorized ErrorCode = "unauthorized" // nobody is signed in
	ErrForbidden    ErrorCode = "forbidden"    // the policy or Azure refuses this caller
	ErrNotFound     ErrorCode = "not_found"    // the workspace, compute or cluster does not exist
	ErrConflict     ErrorCode = "conflict"     // the name exists, or the cluster is attached already
	ErrTooMany      ErrorCode = "too_many"     // rate limited, by amlaks or by Azure
	ErrQuota        ErrorCode = "quota"        // the subscription lacks quota
	ErrPolicy       ErrorCode = "policy"       // an Azure Policy refused the request
	ErrUnavailable  ErrorCode = "unavailable"  // Azure could not be reached or failed
	ErrInternal     ErrorCode = "internal"     // a bug in amlaks
	ErrTooLarge     ErrorCode = "too_large"    // the request body is over the cap
	ErrUnsupported  ErrorCode = "unsupported"  // Azure refuses what is asked (a version, a size)
)

// Error is the error amlaks shows a person: a kind, a plain message, the field
// when there is one, the ARM error code kept for support, and the findings
// when rules refused the request. Raw SDK text never goes in it.
type Error struct {
	Code     ErrorCode `json:"code"`
	Message  string    `json:"message"`
	Field    string    `json:"field,omitempty"`
	ARMCode  string    `json:"armCode,omitempty"`
	Findings Findings  `json:"findings,omitempty"`
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Field != "" {
		return string(e.Code) + ": " + e.Field + ": " + e.Message
	}
	return string(e.Code) + ": " + e.Message
}

// Errorf returns an *Error of the given kind for a field ("" for none).
func Errorf(code ErrorCode, field, message string) *Error {
	return &Error{Code: code, Field: field, Message: message}
}
