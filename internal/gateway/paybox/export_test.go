package paybox

// Test fixtures exported to the external test package (paybox_test), which
// runs the client against the sandbox: package sandbox imports paybox, so
// those tests cannot live in package paybox.
var (
	FixedNow = testNow
	Student  = student
)

// IPNVector1 and IPNVector2 are the real Paybox signatures of
// docs/paybox.md §6.2.
const (
	IPNVector1 = ipnVector1
	IPNVector2 = ipnVector2
)

// NewTestConfig is testConfig.
func NewTestConfig(urls ...string) Config { return testConfig(urls...) }

// LinkConfigForTest is linkConfig.
func LinkConfigForTest(u string) LinkConfig { return linkConfig(u) }
