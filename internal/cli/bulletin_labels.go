package cli

import (
	"fmt"
	"strings"

	"difesa.org/difesa/internal/cap"
)

// The words "difesa bulletins" prints around a bulletin's own text —
// "severity:", "What to do:", CAP's values such as Severe or Likely — in
// the languages the hub's web pages speak. The bulletin's text is the
// admin's, in the info block chosen for the reader (see pickInfo); the
// labels are in the reader's language when difesa has it, else in the
// language of the block shown, else in English: a reader who asked for a
// language reads the labels in it, even when the bulletin is not written
// in it. Keys are the English label, or "kind:Value" for CAP's values.
// English is the reference: every catalogue has every key (a test checks).
var bulletinLabels = map[string]map[string]string{
	"en": {
		"severity": "severity", "urgency": "urgency", "certainty": "certainty", "event": "event", "area": "area",
		"sent": "sent", "expires": "expires", "What to do:": "What to do:", "web": "web", "contact": "contact", "id": "id",
		"language": "language", "also in": "also in", "not written in %s; shown in %s": "not written in %s; shown in %s",
		"UPDATED by #%d": "UPDATED by #%d", "CANCELLED by #%d": "CANCELLED by #%d", "EXPIRED": "EXPIRED",
		"updates": "updates", "cancels": "cancels", "not on this hub": "not on this hub", "%s: not a real bulletin": "%s: not a real bulletin",
		"Cancelled: %s":   "Cancelled: %s",
		"status:Exercise": "EXERCISE", "status:Test": "TEST", "status:System": "SYSTEM", "status:Draft": "DRAFT",
		"sev:Extreme": "Extreme", "sev:Severe": "Severe", "sev:Moderate": "Moderate", "sev:Minor": "Minor",
		"urg:Immediate": "Immediate", "urg:Expected": "Expected", "urg:Future": "Future", "urg:Past": "Past",
		"cert:Observed": "Observed", "cert:Likely": "Likely", "cert:Possible": "Possible", "cert:Unlikely": "Unlikely",
		"Unknown": "Unknown",
		"cat:Geo": "Geo", "cat:Met": "Met", "cat:Safety": "Safety", "cat:Security": "Security", "cat:Rescue": "Rescue",
		"cat:Fire": "Fire", "cat:Health": "Health", "cat:Env": "Env", "cat:Transport": "Transport", "cat:Infra": "Infra",
		"cat:CBRNE": "CBRNE", "cat:Other": "Other",
	},
	"it": {
		"severity": "gravità", "urgency": "urgenza", "certainty": "certezza", "event": "evento", "area": "zona",
		"sent": "inviato", "expires": "scade", "What to do:": "Cosa fare:", "web": "web", "contact": "contatto", "id": "id",
		"language": "lingua", "also in": "anche in", "not written in %s; shown in %s": "non scritto in %s; mostrato in %s",
		"UPDATED by #%d": "AGGIORNATO dal #%d", "CANCELLED by #%d": "ANNULLATO dal #%d", "EXPIRED": "SCADUTO",
		"updates": "aggiorna", "cancels": "annulla", "not on this hub": "non su questo hub", "%s: not a real bulletin": "%s: non è un bollettino reale",
		"Cancelled: %s":   "Annullato: %s",
		"status:Exercise": "ESERCITAZIONE", "status:Test": "TEST", "status:System": "SISTEMA", "status:Draft": "BOZZA",
		"sev:Extreme": "Estrema", "sev:Severe": "Grave", "sev:Moderate": "Moderata", "sev:Minor": "Lieve",
		"urg:Immediate": "Immediata", "urg:Expected": "Prevista", "urg:Future": "Futura", "urg:Past": "Passata",
		"cert:Observed": "Osservata", "cert:Likely": "Probabile", "cert:Possible": "Possibile", "cert:Unlikely": "Improbabile",
		"Unknown": "Sconosciuta",
		"cat:Geo": "Geofisica", "cat:Met": "Meteo", "cat:Safety": "Incolumità", "cat:Security": "Sicurezza", "cat:Rescue": "Soccorso",
		"cat:Fire": "Incendio", "cat:Health": "Salute", "cat:Env": "Ambiente", "cat:Transport": "Trasporti", "cat:Infra": "Infrastrutture",
		"cat:CBRNE": "CBRNE", "cat:Other": "Altro",
	},
	"es": {
		"severity": "gravedad", "urgency": "urgencia", "certainty": "certeza", "event": "evento", "area": "zona",
		"sent": "enviado", "expires": "caduca", "What to do:": "Qué hacer:", "web": "web", "contact": "contacto", "id": "id",
		"language": "idioma", "also in": "también en", "not written in %s; shown in %s": "no escrito en %s; se muestra en %s",
		"UPDATED by #%d": "ACTUALIZADO por el #%d", "CANCELLED by #%d": "ANULADO por el #%d", "EXPIRED": "CADUCADO",
		"updates": "actualiza", "cancels": "anula", "not on this hub": "no está en este hub", "%s: not a real bulletin": "%s: no es un boletín real",
		"Cancelled: %s":   "Anulado: %s",
		"status:Exercise": "EJERCICIO", "status:Test": "PRUEBA", "status:System": "SISTEMA", "status:Draft": "BORRADOR",
		"sev:Extreme": "Extrema", "sev:Severe": "Grave", "sev:Moderate": "Moderada", "sev:Minor": "Leve",
		"urg:Immediate": "Inmediata", "urg:Expected": "Prevista", "urg:Future": "Futura", "urg:Past": "Pasada",
		"cert:Observed": "Observada", "cert:Likely": "Probable", "cert:Possible": "Posible", "cert:Unlikely": "Improbable",
		"Unknown": "Desconocida",
		"cat:Geo": "Geofísica", "cat:Met": "Meteorología", "cat:Safety": "Protección", "cat:Security": "Seguridad", "cat:Rescue": "Rescate",
		"cat:Fire": "Incendio", "cat:Health": "Salud", "cat:Env": "Medio ambiente", "cat:Transport": "Transporte", "cat:Infra": "Infraestructura",
		"cat:CBRNE": "NRBQ", "cat:Other": "Otra",
	},
	"fr": {
		"severity": "gravité", "urgency": "urgence", "certainty": "certitude", "event": "événement", "area": "zone",
		"sent": "envoyé", "expires": "expire", "What to do:": "Que faire :", "web": "web", "contact": "contact", "id": "id",
		"language": "langue", "also in": "aussi en", "not written in %s; shown in %s": "pas écrit en %s ; affiché en %s",
		"UPDATED by #%d": "MIS À JOUR par le #%d", "CANCELLED by #%d": "ANNULÉ par le #%d", "EXPIRED": "EXPIRÉ",
		"updates": "met à jour", "cancels": "annule", "not on this hub": "absent de ce hub", "%s: not a real bulletin": "%s : pas un vrai bulletin",
		"Cancelled: %s":   "Annulé : %s",
		"status:Exercise": "EXERCICE", "status:Test": "TEST", "status:System": "SYSTÈME", "status:Draft": "BROUILLON",
		"sev:Extreme": "Extrême", "sev:Severe": "Grave", "sev:Moderate": "Modérée", "sev:Minor": "Mineure",
		"urg:Immediate": "Immédiate", "urg:Expected": "Attendue", "urg:Future": "Future", "urg:Past": "Passée",
		"cert:Observed": "Observée", "cert:Likely": "Probable", "cert:Possible": "Possible", "cert:Unlikely": "Improbable",
		"Unknown": "Inconnue",
		"cat:Geo": "Géophysique", "cat:Met": "Météo", "cat:Safety": "Sûreté", "cat:Security": "Sécurité", "cat:Rescue": "Secours",
		"cat:Fire": "Incendie", "cat:Health": "Santé", "cat:Env": "Environnement", "cat:Transport": "Transport", "cat:Infra": "Infrastructures",
		"cat:CBRNE": "NRBCE", "cat:Other": "Autre",
	},
	"pt": {
		"severity": "gravidade", "urgency": "urgência", "certainty": "certeza", "event": "evento", "area": "área",
		"sent": "enviado", "expires": "expira", "What to do:": "O que fazer:", "web": "web", "contact": "contacto", "id": "id",
		"language": "idioma", "also in": "também em", "not written in %s; shown in %s": "não escrito em %s; mostrado em %s",
		"UPDATED by #%d": "ATUALIZADO pelo #%d", "CANCELLED by #%d": "CANCELADO pelo #%d", "EXPIRED": "EXPIRADO",
		"updates": "atualiza", "cancels": "cancela", "not on this hub": "não está neste hub", "%s: not a real bulletin": "%s: não é um boletim real",
		"Cancelled: %s":   "Cancelado: %s",
		"status:Exercise": "EXERCÍCIO", "status:Test": "TESTE", "status:System": "SISTEMA", "status:Draft": "RASCUNHO",
		"sev:Extreme": "Extrema", "sev:Severe": "Grave", "sev:Moderate": "Moderada", "sev:Minor": "Menor",
		"urg:Immediate": "Imediata", "urg:Expected": "Esperada", "urg:Future": "Futura", "urg:Past": "Passada",
		"cert:Observed": "Observada", "cert:Likely": "Provável", "cert:Possible": "Possível", "cert:Unlikely": "Improvável",
		"Unknown": "Desconhecida",
		"cat:Geo": "Geofísica", "cat:Met": "Meteorologia", "cat:Safety": "Proteção", "cat:Security": "Segurança", "cat:Rescue": "Resgate",
		"cat:Fire": "Incêndio", "cat:Health": "Saúde", "cat:Env": "Ambiente", "cat:Transport": "Transportes", "cat:Infra": "Infraestruturas",
		"cat:CBRNE": "QBRNE", "cat:Other": "Outra",
	},
	"pl": {
		"severity": "powaga", "urgency": "pilność", "certainty": "pewność", "event": "zdarzenie", "area": "obszar",
		"sent": "wysłano", "expires": "wygasa", "What to do:": "Co robić:", "web": "strona", "contact": "kontakt", "id": "id",
		"language": "język", "also in": "także w językach", "not written in %s; shown in %s": "brak wersji %s; pokazano %s",
		"UPDATED by #%d": "ZAKTUALIZOWANY przez #%d", "CANCELLED by #%d": "ODWOŁANY przez #%d", "EXPIRED": "WYGASŁ",
		"updates": "aktualizuje", "cancels": "odwołuje", "not on this hub": "brak w tym hubie", "%s: not a real bulletin": "%s: to nie jest prawdziwy komunikat",
		"Cancelled: %s":   "Odwołany: %s",
		"status:Exercise": "ĆWICZENIA", "status:Test": "TEST", "status:System": "SYSTEM", "status:Draft": "SZKIC",
		"sev:Extreme": "Ekstremalna", "sev:Severe": "Poważna", "sev:Moderate": "Umiarkowana", "sev:Minor": "Niewielka",
		"urg:Immediate": "Natychmiastowa", "urg:Expected": "Oczekiwana", "urg:Future": "Przyszła", "urg:Past": "Miniona",
		"cert:Observed": "Zaobserwowana", "cert:Likely": "Prawdopodobna", "cert:Possible": "Możliwa", "cert:Unlikely": "Mało prawdopodobna",
		"Unknown": "Nieznana",
		"cat:Geo": "Geofizyka", "cat:Met": "Pogoda", "cat:Safety": "Bezpieczeństwo", "cat:Security": "Ochrona", "cat:Rescue": "Ratownictwo",
		"cat:Fire": "Pożar", "cat:Health": "Zdrowie", "cat:Env": "Środowisko", "cat:Transport": "Transport", "cat:Infra": "Infrastruktura",
		"cat:CBRNE": "CBRNE", "cat:Other": "Inne",
	},
	"ro": {
		"severity": "gravitate", "urgency": "urgență", "certainty": "certitudine", "event": "eveniment", "area": "zonă",
		"sent": "trimis", "expires": "expiră", "What to do:": "Ce trebuie făcut:", "web": "web", "contact": "contact", "id": "id",
		"language": "limbă", "also in": "și în", "not written in %s; shown in %s": "nu este scris în %s; afișat în %s",
		"UPDATED by #%d": "ACTUALIZAT de #%d", "CANCELLED by #%d": "ANULAT de #%d", "EXPIRED": "EXPIRAT",
		"updates": "actualizează", "cancels": "anulează", "not on this hub": "nu este pe acest hub", "%s: not a real bulletin": "%s: nu este un buletin real",
		"Cancelled: %s":   "Anulat: %s",
		"status:Exercise": "EXERCIȚIU", "status:Test": "TEST", "status:System": "SISTEM", "status:Draft": "CIORNĂ",
		"sev:Extreme": "Extremă", "sev:Severe": "Gravă", "sev:Moderate": "Moderată", "sev:Minor": "Minoră",
		"urg:Immediate": "Imediată", "urg:Expected": "Așteptată", "urg:Future": "Viitoare", "urg:Past": "Trecută",
		"cert:Observed": "Observată", "cert:Likely": "Probabilă", "cert:Possible": "Posibilă", "cert:Unlikely": "Improbabilă",
		"Unknown": "Necunoscută",
		"cat:Geo": "Geofizic", "cat:Met": "Meteo", "cat:Safety": "Siguranță", "cat:Security": "Securitate", "cat:Rescue": "Salvare",
		"cat:Fire": "Incendiu", "cat:Health": "Sănătate", "cat:Env": "Mediu", "cat:Transport": "Transport", "cat:Infra": "Infrastructură",
		"cat:CBRNE": "CBRN", "cat:Other": "Altele",
	},
	"sl": {
		"severity": "resnost", "urgency": "nujnost", "certainty": "gotovost", "event": "dogodek", "area": "območje",
		"sent": "poslano", "expires": "poteče", "What to do:": "Kaj storiti:", "web": "splet", "contact": "stik", "id": "id",
		"language": "jezik", "also in": "tudi v", "not written in %s; shown in %s": "ni napisano v %s; prikazano v %s",
		"UPDATED by #%d": "POSODOBLJENO z #%d", "CANCELLED by #%d": "PREKLICANO z #%d", "EXPIRED": "POTEKLO",
		"updates": "posodablja", "cancels": "preklicuje", "not on this hub": "ni na tem središču", "%s: not a real bulletin": "%s: ni pravi bilten",
		"Cancelled: %s":   "Preklicano: %s",
		"status:Exercise": "VAJA", "status:Test": "TEST", "status:System": "SISTEM", "status:Draft": "OSNUTEK",
		"sev:Extreme": "Izjemna", "sev:Severe": "Huda", "sev:Moderate": "Zmerna", "sev:Minor": "Manjša",
		"urg:Immediate": "Takojšnja", "urg:Expected": "Pričakovana", "urg:Future": "Prihodnja", "urg:Past": "Pretekla",
		"cert:Observed": "Opažena", "cert:Likely": "Verjetna", "cert:Possible": "Mogoča", "cert:Unlikely": "Malo verjetna",
		"Unknown": "Neznana",
		"cat:Geo": "Geofizika", "cat:Met": "Vreme", "cat:Safety": "Varnost", "cat:Security": "Varovanje", "cat:Rescue": "Reševanje",
		"cat:Fire": "Požar", "cat:Health": "Zdravje", "cat:Env": "Okolje", "cat:Transport": "Promet", "cat:Infra": "Infrastruktura",
		"cat:CBRNE": "KBRJ", "cat:Other": "Drugo",
	},
}

// labels prints the words around bulletins in one language.
type labels struct{ lang string }

// labelsFor returns the labels for a reader who asked for lang (from -lang
// or the environment, maybe "") and is shown the info block shown (maybe
// nil): lang if difesa has it, else the block's language, else English.
func labelsFor(lang string, shown *cap.Info) labels {
	if l := primaryTag(lang); lang != "" && bulletinLabels[l] != nil {
		return labels{l}
	}
	if shown != nil {
		if l := primaryTag(shown.Language); bulletinLabels[l] != nil {
			return labels{l}
		}
	}
	return labels{"en"}
}

// t returns the label key, formatted with args; a key no catalogue has
// (a value outside CAP's, which cap.Check does not let through) is itself.
func (l labels) t(key string, args ...any) string {
	s, ok := bulletinLabels[l.lang][key]
	if !ok {
		if s, ok = bulletinLabels["en"][key]; !ok {
			s = key
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// value returns CAP's value v of kind (sev, urg, cert, cat, status) in
// the labels' language.
func (l labels) value(kind, v string) string {
	if v == "Unknown" && kind != "cat" && kind != "status" {
		return l.t("Unknown")
	}
	if _, ok := bulletinLabels["en"][kind+":"+v]; !ok {
		return clean(v)
	}
	return l.t(kind + ":" + v)
}

// values returns CAP's values of kind, in the labels' language, joined.
func (l labels) values(kind string, vs []string) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = l.value(kind, v)
	}
	return strings.Join(out, ", ")
}

// time formats a CAP date-time in local time, for people: with English
// day and month names in English, as digits in every other language.
func (l labels) time(s string) string {
	t, err := cap.ParseTime(s)
	if err != nil {
		return clean(s)
	}
	if l.lang == "en" {
		return t.Local().Format("Mon 2 Jan 2006 15:04 MST")
	}
	return t.Local().Format("2006-01-02 15:04 MST")
}
