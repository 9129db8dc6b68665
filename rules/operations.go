package rules

// How long the writes usually take, for the review and the progress page.
// The proxy answers them in OperationState.ExpectedSec and Step.ExpectedSec;
// the page words them in its review before anything is sent.

// expectedSec is how long a v1 create or attach usually takes (O1: creating
// takes about 10 minutes, attaching about 5).
var expectedSec = map[Mode]int{ModeCreate: 600, ModeAttach: 300}

// stepExpectedSec is how long each step of a v2 operation usually takes.
var stepExpectedSec = map[StepName]int{
	StepCluster: 420, StepExtension: 600, StepAttach: 120,
	StepDetachV1: 60, StepLegacyCleanup: 60,
	StepRemoveCompute: 60, StepRemoveExt: 180, StepRemoveCluster: 420,
}

// ExpectedSec is how long a v1 operation of the mode usually takes (O1),
// in seconds; a create's when the mode is neither.
func ExpectedSec(mode Mode) int {
	if s, ok := expectedSec[mode]; ok {
		return s
	}
	return expectedSec[ModeCreate]
}

// StepExpectedSec is how long a step of a v2 operation usually takes, in
// seconds; 0 for a step amlaks does not know.
func StepExpectedSec(step StepName) int { return stepExpectedSec[step] }
