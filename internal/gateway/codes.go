package gateway

import "strings"

// codeInfo is what we know of one result code.
type codeInfo struct {
	out    Outcome
	hard   bool
	fr, en string
}

// Shorthands for the tables below.
var (
	ok      = codeInfo{out: Approved}
	unknown = codeInfo{out: Unknown}
	soft    = codeInfo{out: Declined}
	hard    = codeInfo{out: Declined, hard: true}
	// merchant: Paybox refused our own request or configuration (wrong
	// key, site, currency, protocol, frame). Nothing happened, retrying is
	// safe once the configuration is fixed, and the student's card is not
	// at fault: it must never be taken as a decline that blocks an order.
	merchant = codeInfo{out: Unavailable}
)

func (c codeInfo) say(fr, en string) codeInfo { c.fr, c.en = fr, en; return c }

// platformCodes are Paybox's own codes (docs/paybox.md §2.6 and, for the
// hosted page, §3.5). Codes that may hide an action are Unknown; errors in
// a request we built are hard declines: resending the same thing is useless.
var platformCodes = map[string]codeInfo{
	"00000": ok.say("opération réussie", "success"),
	"00001": unknown.say("connexion au centre d'autorisation échouée ou erreur interne", "connection to the authorization centre failed or internal error"),
	"00002": merchant.say("erreur de cohérence", "coherence error"),
	// 00003 is answered after the platform may have forwarded the request.
	"00003": unknown.say("erreur Paybox", "Paybox internal error"),
	"00004": hard.say("numéro de porteur ou cryptogramme invalide", "invalid card number or CVV"),
	// 00005 and 00039 mean the NUMQUESTION was already used: the request it
	// was first used for may have acted, so the reference must be looked up.
	"00005": unknown.say("numéro de question invalide ou déjà utilisé", "invalid or already used question number"),
	"00006": merchant.say("accès refusé ou site/rang/identifiant incorrect", "access refused or wrong site/rang/identifiant"),
	"00007": merchant.say("date invalide", "invalid date"),
	"00008": hard.say("date de fin de validité incorrecte", "bad card expiry date"),
	"00009": hard.say("type d'opération invalide ou erreur de création d'abonné", "invalid operation type or subscriber creation error"),
	"00010": merchant.say("devise inconnue", "unknown currency"),
	"00011": merchant.say("montant incorrect", "wrong amount"),
	"00012": merchant.say("référence de commande invalide", "invalid order reference"),
	"00013": merchant.say("version de protocole plus supportée", "protocol version no longer supported"),
	"00014": merchant.say("trame de requête incohérente", "incoherent request frame"),
	"00015": hard.say("erreur d'accès aux données précédemment référencées (ou paiement déjà effectué)", "error accessing previously referenced data (or payment already done)"),
	"00016": hard.say("abonné déjà existant", "subscriber already exists"),
	"00017": hard.say("abonné inexistant", "subscriber does not exist"),
	"00018": hard.say("transaction non trouvée", "transaction not found"),
	"00019": hard.say("réservé", "reserved"),
	"00020": hard.say("cryptogramme visuel absent", "CVV missing"),
	"00021": hard.say("carte non autorisée", "card (BIN) not authorized"),
	// A ceiling and "already seen today" pass with time: retry later.
	"00022": soft.say("plafond atteint", "ceiling reached"),
	"00023": soft.say("porteur déjà passé aujourd'hui", "cardholder already seen today"),
	"00024": hard.say("code pays filtré pour ce commerçant", "country code filtered for this merchant"),
	"00025": merchant.say("réservé (signature absente)", "reserved (signature missing)"),
	"00026": merchant.say("code ACTIVITE incorrect", "incorrect ACTIVITE code"),
	"00027": merchant.say("réservé (erreur OpenSSL)", "reserved (OpenSSL error)"),
	"00028": merchant.say("réservé (signature invalide)", "reserved (invalid signature)"),
	"00029": hard.say("carte non conforme à l'empreinte", "card does not match PBX_EMPREINTE"),
	"00030": soft.say("temps d'attente dépassé sur la page de paiement", "buyer waited too long on the payment page"),
	"00031": hard.say("réservé", "reserved"),
	"00032": hard.say("réservé", "reserved"),
	"00033": hard.say("pays de l'adresse IP non autorisé", "country of the buyer's IP not allowed"),
	"00039": unknown.say("une requête avec le même numéro de question a déjà été traitée", "a request with the same question number was already processed"),
	"00040": hard.say("porteur enrôlé 3-D Secure mais non authentifié", "cardholder enrolled in 3-D Secure but not authenticated"),
	"00097": unknown.say("timeout de connexion", "connection timeout"),
	"00098": unknown.say("erreur de connexion interne", "internal connection error"),
	"00099": unknown.say("incohérence entre la question et la réponse, réessayer plus tard", "question/answer incoherence, retry later"),
	"99999": unknown.say("paiement en attente de validation", "payment pending the provider's decision"),
}

// issuerCodes are the network answers appended to "001" (M66 §10.1.1, plus
// the PSD2 alphanumeric ones). Soft: the issuer may say yes another day.
// Hard: lost, stolen, expired, revoked, fraud, or a request the issuer will
// never accept. A code not listed here is hard (Classify).
var issuerCodes = map[string]codeInfo{
	"00": ok.say("transaction approuvée", "approved"),
	"01": hard.say("contacter l'émetteur de la carte", "contact the card issuer"),
	"02": hard.say("contacter l'émetteur de la carte", "contact the card issuer"),
	"03": hard.say("commerçant invalide", "invalid merchant"),
	"04": hard.say("conserver la carte", "keep (capture) the card"),
	"05": soft.say("ne pas honorer", "do not honour"),
	"07": hard.say("conserver la carte, conditions spéciales", "keep the card, special conditions"),
	"08": hard.say("approuver après identification", "approve after identification"),
	"12": hard.say("transaction invalide", "invalid transaction"),
	"13": hard.say("montant invalide", "invalid amount"),
	"14": hard.say("numéro de porteur invalide", "invalid cardholder number"),
	"15": hard.say("émetteur de carte inconnu", "unknown issuer"),
	"17": hard.say("annulation client", "customer cancellation"),
	"19": soft.say("répéter la transaction ultérieurement", "retry later"),
	"20": soft.say("réponse erronée (erreur dans le domaine serveur)", "erroneous response (server domain)"),
	"24": hard.say("mise à jour de fichier non supportée", "file update not supported"),
	"25": hard.say("impossible de localiser l'enregistrement dans le fichier", "record not found in file"),
	"26": hard.say("enregistrement dupliqué, ancien remplacé", "duplicate record, old one replaced"),
	"27": hard.say("erreur en « edit » sur champ de mise à jour fichier", "edit error on file update field"),
	"28": hard.say("accès interdit au fichier", "file access forbidden"),
	"29": hard.say("mise à jour de fichier impossible", "file update impossible"),
	"30": hard.say("erreur de format", "format error"),
	"31": hard.say("identifiant de l'organisme acquéreur inconnu", "unknown acquirer id"),
	"33": hard.say("date de validité de la carte dépassée", "card expired"),
	"34": hard.say("suspicion de fraude", "suspected fraud"),
	"38": hard.say("nombre d'essais code confidentiel dépassé", "PIN tries exceeded"),
	"41": hard.say("carte perdue", "lost card"),
	"43": hard.say("carte volée", "stolen card"),
	"51": soft.say("provision insuffisante ou crédit dépassé", "insufficient funds or over limit"),
	"54": hard.say("date de validité de la carte dépassée", "card validity date passed"),
	"55": hard.say("code confidentiel erroné", "wrong PIN"),
	"56": hard.say("carte absente du fichier", "card not in file"),
	"57": soft.say("transaction non permise à ce porteur", "transaction not permitted to cardholder"),
	"58": hard.say("transaction interdite au terminal", "transaction not permitted to terminal"),
	"59": hard.say("suspicion de fraude", "suspected fraud"),
	"60": hard.say("l'accepteur de carte doit contacter l'acquéreur", "acceptor must contact the acquirer"),
	"61": soft.say("dépasse la limite du montant de retrait", "withdrawal limit exceeded"),
	"63": hard.say("règles de sécurité non respectées", "security rules violated"),
	"68": soft.say("réponse non parvenue ou reçue trop tard", "answer not received or too late"),
	"75": hard.say("nombre d'essais code confidentiel dépassé", "PIN tries exceeded"),
	"76": hard.say("porteur déjà en opposition, ancien enregistrement conservé", "cardholder already opposed"),
	"89": hard.say("échec de l'authentification", "authentication failure"),
	"90": soft.say("arrêt momentané du système", "system temporarily down"),
	"91": soft.say("émetteur de carte inaccessible", "issuer unreachable"),
	"94": soft.say("demande dupliquée", "duplicate request"),
	"96": soft.say("mauvais fonctionnement du système", "system malfunction"),
	"97": soft.say("échéance de la temporisation de surveillance globale", "global surveillance timeout"),
	"98": soft.say("serveur inaccessible", "server unreachable"),
	"99": soft.say("incident domaine initiateur", "initiator domain incident"),
	"A1": soft.say("authentification forte requise (3-D Secure)", "strong customer authentication required (soft decline)"),
	"A4": hard.say("mauvaise utilisation de l'exemption TRA", "incorrect use of the TRA exemption"),
	"R1": hard.say("paiements récurrents révoqués pour ce commerçant", "recurring payments revoked for this merchant"),
	"R3": hard.say("tous les paiements récurrents révoqués pour cette carte", "all recurring payments revoked for this card"),
}

// lookupCode finds what we know of code; ok is false for a code we have no
// table entry for.
func lookupCode(code string) (codeInfo, bool) {
	if c, ok := platformCodes[code]; ok {
		return c, true
	}
	if len(code) == 5 && strings.HasPrefix(code, "001") {
		c, ok := issuerCodes[code[3:]]
		return c, ok
	}
	return codeInfo{}, false
}

// Classify maps a CODEREPONSE (or a hosted-page E code) to an outcome and,
// for declines, whether the decline is hard. Issuer codes (001xx) and
// platform codes we do not know are hard declines: a human looks at them.
// Anything that is not a 5-character code is Unknown (a garbled answer).
func Classify(code string) (Outcome, bool) {
	code = strings.TrimSpace(code)
	if c, ok := lookupCode(code); ok {
		return c.out, c.hard
	}
	if len(code) == 5 && isAlnum(code) {
		return Declined, true
	}
	return Unknown, false
}

// Describe gives the meaning of a result code for display, in French then
// English: "provision insuffisante ou crédit dépassé (insufficient funds or
// over limit)". Unknown codes get a generic text.
func Describe(code string) string {
	code = strings.TrimSpace(code)
	if c, ok := lookupCode(code); ok {
		return c.fr + " (" + c.en + ")"
	}
	if len(code) == 5 && strings.HasPrefix(code, "001") {
		return "refus de l'émetteur, code " + code[3:] + " (issuer refusal, code " + code[3:] + ")"
	}
	if code == "" {
		return "pas de réponse (no answer)"
	}
	return "code inconnu (unknown code)"
}

func isAlnum(s string) bool {
	for _, r := range s {
		if !('0' <= r && r <= '9' || 'A' <= r && r <= 'Z' || 'a' <= r && r <= 'z') {
			return false
		}
	}
	return true
}

// DescribeFR is Describe in French alone, for messages to students:
// "provision insuffisante ou crédit dépassé".
func DescribeFR(code string) string {
	code = strings.TrimSpace(code)
	if c, ok := lookupCode(code); ok {
		return c.fr
	}
	if len(code) == 5 && strings.HasPrefix(code, "001") {
		return "refus de l'émetteur de la carte, code " + code[3:]
	}
	if code == "" {
		return "pas de réponse"
	}
	return "refus, code " + code
}
