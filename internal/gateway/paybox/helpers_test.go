package paybox

import (
	"encoding/base64"
	"time"
)

// testNow is the instant every test request is made at.
var testNow = time.Date(2025, 9, 10, 9, 0, 0, 0, paris())

// testConfig is a client configuration for the Paybox test account.
func testConfig(urls ...string) Config {
	return Config{URLs: urls, Site: "1999888", Rang: "32", Identifiant: "107904482", Key: k128, Timeout: 5 * time.Second}
}

func linkConfig(u string) LinkConfig {
	return LinkConfig{URL: u, Site: "1999888", Rang: "32", Identifiant: "107904482",
		Key: k128, IPNURL: "https://inscriptions.example.org/paybox/ipn"}
}

var student = LinkRequest{Amount: 61800, Cmd: "22104567-2025-1-a1", Email: "lea.dupre@etu.example.fr",
	RefAbonne: "22104567", When: testNow, Billing: Address{FirstName: "Léa-Françoise Éloïse Marie", LastName: "Dupré",
		Address1: "12, rue de l'Église & <Cœur>", ZipCode: "63000", City: "Clermont-Ferrand", Country: "France"}}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
