// Interface strings of the submission, status, edit-link, moderation, admin and privacy
// pages, in Italian (default) and English. Same language state as the map (./i18n.js); keys
// not found here fall back to the map's dictionary (language switch, version, …).

import { lang, t as mapT } from './i18n.js';

const it = {
  'skip.main': 'Vai al contenuto principale',
  'brand.sub': 'Servizi sociali a Siena',
  'nav.map': 'Mappa dei servizi',
  'nav.submit': 'Segnala il tuo servizio',
  'nav.status': 'Stato della richiesta',
  'nav.privacy': 'Informativa privacy',
  'nav.moderation': 'Moderazione',
  'nav.admin': 'Amministrazione',
  'nav.label': 'Pagine di MappaTU',
  'footer.text': 'MappaTU è la mappa aperta dei servizi sociali dello Sportello Famiglia di Siena.',

  // the service form
  'f.required': '(obbligatorio)',
  'f.optional': '(facoltativo)',
  'f.secAbout': '1. Il servizio',
  'f.secKinds': '2. Tipo di servizio e per chi',
  'f.secWhere': '3. Dove si trova',
  'f.secContacts': '4. Contatti pubblici',
  'f.secHours': '5. Orari di apertura',
  'f.secAccess': '6. Accessibilità',
  'f.secPrivate': '7. Referente – visibile solo ai moderatori del Comune',
  'f.name': 'Nome del servizio',
  'f.nameHelp': 'Come lo conoscono le persone, ad esempio «Centro d\'ascolto Caritas».',
  'f.organisation': 'Ente o associazione',
  'f.organisationHelp': 'Chi gestisce il servizio.',
  'f.description_it': 'Descrizione in italiano',
  'f.descItHelp': 'Che cosa offrite, a chi, come si accede (serve la prenotazione? l\'ISEE?).',
  'f.description_en': 'Descrizione in inglese',
  'f.descEnHelp': 'Se potete: molte persone straniere usano la mappa in inglese.',
  'f.categories': 'Tipo di servizio',
  'f.categoriesHelp': 'Scegline almeno uno.',
  'f.target_groups': 'Per chi è il servizio',
  'f.targetsHelp': 'Lascia vuoto se è per tutti.',
  'f.address': 'Indirizzo',
  'f.addressHelp': 'Via, numero civico e comune, ad esempio «Via di Città 12, Siena».',
  'f.find': 'Trova l\'indirizzo sulla mappa',
  'f.finding': 'Cerco «{q}»…',
  'f.findNone': 'Non ho trovato «{q}». Controlla l\'indirizzo, oppure metti il segnaposto a mano toccando la mappa.',
  'f.findMany': '{n} luoghi trovati: scegli quello giusto.',
  'f.findError': 'La ricerca degli indirizzi non risponde. Metti il segnaposto a mano toccando la mappa, o scrivi le coordinate.',
  'f.placed': 'Segnaposto messo su «{label}». Spostalo sull\'ingresso esatto, se serve.',
  'f.pinMoved': 'Segnaposto spostato.',
  'f.geometry': 'Posizione sulla mappa',
  'f.mapHelp': 'Trascina il segnaposto rosso sull\'ingresso, oppure tocca la mappa. Da tastiera: porta il focus sul segnaposto e usa le frecce (con Maiuscolo per passi più lunghi).',
  'f.noMap': 'La mappa non si può mostrare su questo dispositivo: usa «Trova l\'indirizzo sulla mappa» o scrivi latitudine e longitudine qui sotto.',
  'f.coords': 'Coordinate (latitudine e longitudine)',
  'f.coordsHelp': 'In gradi decimali, ad esempio 43.3188 e 11.3308.',
  'f.lat': 'Latitudine',
  'f.lon': 'Longitudine',
  'f.secContactsHelp': '',
  'f.contactsHelp': 'Questi contatti saranno pubblici, sulla scheda del servizio.',
  'f.phone': 'Telefono',
  'f.phoneHelp': 'Ad esempio +39 0577 123456.',
  'f.email': 'Email del servizio',
  'f.website': 'Sito web',
  'f.websiteHelp': 'L\'indirizzo completo, che inizia con https://',
  'f.opening_hours': 'Orari di apertura',
  'f.wheelchair': 'Accesso in sedia a rotelle',
  'f.wheelchair.yes': 'Sì, accessibile',
  'f.wheelchair.limited': 'In parte (ad esempio un gradino, o serve assistenza)',
  'f.wheelchair.no': 'No, non accessibile',
  'f.wheelchair.unknown': 'Non lo so',
  'f.note_it': 'Note sull\'accessibilità in italiano',
  'f.noteHelp': 'Ad esempio: rampa sul lato, ascensore, bagno accessibile.',
  'f.note_en': 'Note sull\'accessibilità in inglese',
  'f.privateNote': 'Questi dati non compaiono sulla mappa: li vedono solo i moderatori del Comune, per contattarvi su questa richiesta.',
  'f.contact_name': 'Nome e cognome del referente',
  'f.contact_email': 'Email del referente',
  'f.contactEmailHelp': 'Vi scriveremo qui quando la richiesta sarà decisa. Serve l\'email o il telefono.',
  'f.contact_phone': 'Telefono del referente',
  'f.consent': 'Acconsento al trattamento dei dati personali del referente per gestire questa richiesta',
  'f.consentHelp': 'Come usiamo questi dati:',
  'f.privacyLink': 'informativa sulla privacy (si apre in una nuova scheda)',

  // the hours editor
  'hours.help': 'Per ogni giorno: lascia «chiuso», oppure aggiungi una o più fasce orarie (ad esempio mattina e pomeriggio).',
  'hours.open': 'Aperto: aggiungi l\'orario',
  'hours.addInterval': 'Aggiungi un\'altra fascia oraria',
  'hours.removeInterval': 'Togli',
  'hours.intervalN': 'fascia {n}',
  'hours.from': 'Dalle',
  'hours.to': 'Alle',
  'hours.closed': '– chiuso',
  'hours.openState': '– aperto',
  'hours.copy': 'Copia su altri giorni…',
  'hours.copyTo': 'Copia questi orari su:',
  'hours.copyDo': 'Copia',
  'hours.copied': 'Orari copiati su {n} giorni.',
  'hours.closures': 'Chiusure',
  'hours.phOff': 'Chiuso nei giorni festivi',
  'hours.closuresHelp': 'Periodi dell\'anno in cui il servizio è chiuso, ad esempio ad agosto.',
  'hours.addClosure': 'Aggiungi un periodo di chiusura',
  'hours.removeClosure': 'Togli questo periodo',
  'hours.monthFrom': 'Chiuso da',
  'hours.monthTo': 'a',
  'hours.live': 'Orario nel formato di OpenStreetMap:',
  'hours.none': '(nessun orario)',
  'hours.raw': 'Orario scritto a mano (per esperti)',
  'hours.rawHelp': 'Sintassi opening_hours di OpenStreetMap. Quello che scrivi qui è ciò che viene inviato: se modifichi questo campo vale il tuo testo; se poi cambi i giorni qui sopra, il testo viene riscritto.',
  'hours.rawOnly': 'L\'editor settimanale non sa mostrare questo orario: verrà inviato esattamente come l\'hai scritto.',
  'hours.problem.incomplete': 'Scrivi sia l\'ora di inizio sia quella di fine.',
  'hours.problem.order': 'L\'ora di fine deve venire dopo quella di inizio.',
  'hours.problem.overlap': 'Questa fascia si sovrappone a un\'altra dello stesso giorno.',
  'day.0': 'Lunedì', 'day.1': 'Martedì', 'day.2': 'Mercoledì', 'day.3': 'Giovedì',
  'day.4': 'Venerdì', 'day.5': 'Sabato', 'day.6': 'Domenica',
  'month.1': 'gennaio', 'month.2': 'febbraio', 'month.3': 'marzo', 'month.4': 'aprile',
  'month.5': 'maggio', 'month.6': 'giugno', 'month.7': 'luglio', 'month.8': 'agosto',
  'month.9': 'settembre', 'month.10': 'ottobre', 'month.11': 'novembre', 'month.12': 'dicembre',
  'kind.service': 'servizio', 'kind.street': 'via', 'kind.place': 'luogo', 'kind.address': 'indirizzo',

  // the pin map
  'pin.label': 'Segnaposto del servizio: usa le frecce per spostarlo',
  'pin.labelStatic': 'Posizione del servizio',
  'pin.mapLabel': 'Mappa per scegliere la posizione del servizio',
  'pin.mapLabelStatic': 'Mappa con la posizione del servizio',

  // errors
  'err.prefix': 'Errore: ',
  'err.required': 'Questo campo è obbligatorio.',
  'err.chooseCategory': 'Scegli almeno un tipo di servizio.',
  'err.noPoint': 'Metti il segnaposto: usa «Trova l\'indirizzo sulla mappa» o tocca la mappa.',
  'err.noPointCoords': 'Scrivi latitudine e longitudine, o usa «Trova l\'indirizzo sulla mappa».',
  'err.outsideArea': 'Questo punto è fuori dalla zona coperta da MappaTU: sposta il segnaposto sul servizio.',
  'err.coords': 'Latitudine e longitudine non sono valide (usa gradi decimali, ad esempio 43.3188).',
  'err.addressFirst': 'Scrivi prima l\'indirizzo.',
  'err.email': 'Scrivi un indirizzo email valido, ad esempio nome@esempio.it.',
  'err.invisibleChar': 'Contiene un carattere invisibile o di controllo ({cp}, al carattere {at}), spesso arrivato con un copia e incolla: cancellalo o riscrivi il testo.',
  'err.website': 'Scrivi l\'indirizzo completo del sito, che inizia con https://',
  'err.hours': 'Correggi gli orari segnati qui sopra.',
  'err.consent': 'Per inviare la richiesta serve il consenso al trattamento dei dati del referente.',
  'err.invalidField': 'Valore non valido.',
  'err.tooMany': 'Ne puoi scegliere al massimo {max}.',
  'err.emailOrPhone': 'Serve almeno uno tra email e telefono del referente.',
  'err.phone': 'Scrivi un numero di telefono: solo cifre, spazi e + - . / ( ).',
  'err.hoursSyntax': 'Orario non valido nella sintassi di OpenStreetMap (dettaglio tecnico: {detail}).',
  'err.coordsServer': 'Posizione non valida (dettaglio tecnico: {detail}).',
  'err.other': 'Valore non accettato (dettaglio tecnico: {detail}).',
  'err.code.required': 'Questo campo è obbligatorio.',
  'err.code.too_long': 'Il testo è troppo lungo (al massimo {max} caratteri).',
  'err.code.invalid': 'Valore non valido.',
  'err.code.outside_area': 'Questo punto è fuori dalla zona coperta da MappaTU.',
  'err.code.unknown_category': 'Tipo di servizio sconosciuto.',
  'err.code.email': 'Indirizzo email non valido.',
  'err.code.url': 'Indirizzo del sito non valido.',
  'err.code.opening_hours': 'Orario non valido nella sintassi di OpenStreetMap.',
  'sum.title': 'Ci sono {n} problemi da correggere',
  'sum.titleOne': 'C\'è un problema da correggere',
  'sum.intro': 'Niente di ciò che hai scritto è andato perso. Scegli un problema per andare al campo.',
  'err.rateLimited': 'Sono arrivate troppe richieste da questa connessione in poco tempo. Quello che hai scritto è ancora qui: riprova tra qualche minuto.',
  'err.rateLimitedWait': 'Sono arrivate troppe richieste da questa connessione in poco tempo. Quello che hai scritto è ancora qui: riprova tra {n} minuti.',
  'err.network': 'Il server non risponde. Quello che hai scritto è ancora qui: controlla la connessione e riprova.',
  'err.server': 'Il server ha avuto un problema e la richiesta non è stata salvata. Quello che hai scritto è ancora qui: riprova tra poco.',
  'err.rejected': 'La richiesta non è stata accettata: {msg}',
  'err.tooLarge': 'La richiesta è troppo grande: accorcia le descrizioni.',

  // segnala
  'segnala.title': 'Segnala il tuo servizio – MappaTU',
  'segnala.h1': 'Segnala il tuo servizio',
  'segnala.intro': 'Gestite un servizio sociale, sanitario o di volontariato nella provincia di Siena e non siete sulla mappa? Chiedete di esserci: è gratuito.',
  'segnala.intro2': 'I moderatori del Comune controllano ogni richiesta prima di pubblicarla. Riceverete un codice per seguirne lo stato. I campi segnati «obbligatorio» sono necessari; tutto il resto aiuta le persone a trovarvi.',
  'segnala.submit': 'Invia la richiesta',
  'segnala.sending': 'Invio in corso…',
  'segnala.successTitle': 'Richiesta ricevuta, grazie!',
  'segnala.successText': 'La richiesta è stata salvata. I moderatori del Comune la controlleranno; vi scriveremo all\'email del referente quando sarà decisa.',
  'segnala.codeLabel': 'Il vostro codice di controllo',
  'segnala.codeHelp': 'Annotatelo: serve per vedere lo stato della richiesta.',
  'segnala.statusLink': 'Vedi lo stato della richiesta',
  'segnala.editTitle': 'Il vostro link privato per le modifiche',
  'segnala.editHelp': 'Con questo link potrete proporre modifiche alla scheda, una volta pubblicata. È segreto come una password: conservatelo e non condividetelo. Non lo mostreremo più.',
  'segnala.copy': 'Copia il link',
  'segnala.copied': 'Link copiato.',
  'segnala.another': 'Segnala un altro servizio',

  // stato
  'stato.title': 'Stato della richiesta – MappaTU',
  'stato.h1': 'Stato della richiesta',
  'stato.intro': 'Scrivi il codice di controllo che hai ricevuto quando hai inviato la richiesta.',
  'stato.code': 'Codice di controllo',
  'stato.codeHelp': 'Ad esempio ABCD-2345. Maiuscole e minuscole non contano.',
  'stato.check': 'Controlla',
  'stato.checking': 'Controllo in corso…',
  'stato.empty': 'Scrivi il codice di controllo.',
  'stato.notFound': 'Nessuna richiesta con questo codice. Controlla di averlo scritto bene.',
  'stato.result': 'Richiesta {code}',
  'stato.kind.label': 'Tipo di richiesta',
  'stato.kind.new': 'Nuovo servizio',
  'stato.kind.change': 'Proposta di modifica',
  'stato.service': 'Servizio',
  'stato.submittedAt': 'Inviata il',
  'stato.decidedAt': 'Decisa il',
  'stato.status': 'Stato',
  'stato.s.pending': 'In attesa di controllo',
  'stato.s.published': 'Pubblicata',
  'stato.s.rejected': 'Respinta',
  'stato.s.changes_requested': 'Servono modifiche',
  'stato.s.merged': 'Unita a un servizio già presente',
  'stato.t.pending': 'I moderatori del Comune non l\'hanno ancora controllata. Di solito serve qualche giorno lavorativo.',
  'stato.t.published': 'Il servizio è sulla mappa.',
  'stato.t.rejected': 'I moderatori non l\'hanno pubblicata.',
  'stato.t.changes_requested': 'I moderatori chiedono di cambiare qualcosa prima di pubblicarla. Potete inviare una nuova richiesta corretta.',
  'stato.t.merged': 'I dati sono stati aggiunti a un servizio che era già sulla mappa.',
  'stato.viewOnMap': 'Vedi il servizio sulla mappa',
  'stato.reason': 'Motivo indicato dai moderatori',
  'stato.message': 'Messaggio dei moderatori',

  // modifica
  'modifica.title': 'Proponi modifiche al tuo servizio – MappaTU',
  'modifica.h1': 'Proponi modifiche al tuo servizio',
  'modifica.intro': 'Qui sotto ci sono i dati pubblicati sulla mappa. Correggi quello che è cambiato e invia: la scheda pubblica cambierà solo dopo il controllo dei moderatori del Comune.',
  'modifica.noToken': 'Questo indirizzo non contiene il link privato per le modifiche. Apri il link completo che avete ricevuto quando il servizio è stato segnalato.',
  'modifica.badToken': 'Il link per le modifiche non è valido o non è più attivo. Se l\'avete perso, scrivete allo Sportello Famiglia.',
  'modifica.notFound': 'Il servizio di questo link non è (più) sulla mappa.',
  'modifica.loading': 'Carico la scheda pubblicata…',
  'modifica.notYet': 'Il servizio non è ancora pubblicato (stato: {status}). Il link per le modifiche funzionerà quando i moderatori lo avranno pubblicato.',
  'modifica.live': 'Stai modificando: {name}',
  'modifica.submit': 'Invia la proposta di modifica',
  'modifica.note': 'Messaggio per i moderatori',
  'modifica.noteHelp': 'Facoltativo: che cosa è cambiato e perché.',
  'modifica.successTitle': 'Proposta inviata, grazie!',
  'modifica.successText': 'La scheda pubblica resta com\'è finché un moderatore non approva le modifiche.',
  'modifica.nothing': 'Non hai cambiato nulla rispetto alla scheda pubblicata.',

  // privacy
  'privacy.title': 'Informativa privacy – MappaTU',
};

const en = {
  'skip.main': 'Skip to the main content',
  'brand.sub': 'Social services in Siena',
  'nav.map': 'Map of services',
  'nav.submit': 'List your service',
  'nav.status': 'Request status',
  'nav.privacy': 'Privacy notice',
  'nav.moderation': 'Moderation',
  'nav.admin': 'Administration',
  'nav.label': 'MappaTU pages',
  'footer.text': 'MappaTU is the open map of social services of the Family Help Desk of Siena.',

  'f.required': '(required)',
  'f.optional': '(optional)',
  'f.secAbout': '1. The service',
  'f.secKinds': '2. Type of service and for whom',
  'f.secWhere': '3. Where it is',
  'f.secContacts': '4. Public contacts',
  'f.secHours': '5. Opening hours',
  'f.secAccess': '6. Accessibility',
  'f.secPrivate': '7. Contact person – visible only to the municipality\'s moderators',
  'f.name': 'Name of the service',
  'f.nameHelp': 'As people know it, for example “Caritas listening centre”.',
  'f.organisation': 'Organisation or association',
  'f.organisationHelp': 'Who runs the service.',
  'f.description_it': 'Description in Italian',
  'f.descItHelp': 'What you offer, to whom, how to get it (booking? ISEE means test?).',
  'f.description_en': 'Description in English',
  'f.descEnHelp': 'If you can: many foreign residents use the map in English.',
  'f.categories': 'Type of service',
  'f.categoriesHelp': 'Choose at least one.',
  'f.target_groups': 'Who the service is for',
  'f.targetsHelp': 'Leave empty if it is for everyone.',
  'f.address': 'Address',
  'f.addressHelp': 'Street, number and town, for example “Via di Città 12, Siena”.',
  'f.find': 'Find the address on the map',
  'f.finding': 'Looking for “{q}”…',
  'f.findNone': '“{q}” was not found. Check the address, or place the pin yourself by tapping the map.',
  'f.findMany': '{n} places found: choose the right one.',
  'f.findError': 'Address search does not answer. Place the pin by tapping the map, or type the coordinates.',
  'f.placed': 'Pin placed at “{label}”. Move it to the exact entrance if needed.',
  'f.pinMoved': 'Pin moved.',
  'f.geometry': 'Position on the map',
  'f.mapHelp': 'Drag the red pin to the entrance, or tap the map. With a keyboard: focus the pin and use the arrow keys (with Shift for longer steps).',
  'f.noMap': 'The map cannot be shown on this device: use “Find the address on the map” or type the latitude and longitude below.',
  'f.coords': 'Coordinates (latitude and longitude)',
  'f.coordsHelp': 'In decimal degrees, for example 43.3188 and 11.3308.',
  'f.lat': 'Latitude',
  'f.lon': 'Longitude',
  'f.contactsHelp': 'These contacts will be public, on the service card.',
  'f.phone': 'Phone',
  'f.phoneHelp': 'For example +39 0577 123456.',
  'f.email': 'Email of the service',
  'f.website': 'Website',
  'f.websiteHelp': 'The full address, starting with https://',
  'f.opening_hours': 'Opening hours',
  'f.wheelchair': 'Wheelchair access',
  'f.wheelchair.yes': 'Yes, accessible',
  'f.wheelchair.limited': 'Partly (for example one step, or help is needed)',
  'f.wheelchair.no': 'No, not accessible',
  'f.wheelchair.unknown': 'I do not know',
  'f.note_it': 'Accessibility notes in Italian',
  'f.noteHelp': 'For example: ramp at the side, lift, accessible toilet.',
  'f.note_en': 'Accessibility notes in English',
  'f.privateNote': 'These details never appear on the map: only the municipality\'s moderators see them, to contact you about this request.',
  'f.contact_name': 'Contact person\'s full name',
  'f.contact_email': 'Contact person\'s email',
  'f.contactEmailHelp': 'We will write here when the request is decided. Give the email or the phone.',
  'f.contact_phone': 'Contact person\'s phone',
  'f.consent': 'I consent to the processing of the contact person\'s personal data to handle this request',
  'f.consentHelp': 'How we use these details:',
  'f.privacyLink': 'privacy notice (opens in a new tab)',

  'hours.help': 'For each day: leave it “closed”, or add one or more time ranges (for example morning and afternoon).',
  'hours.open': 'Open: add the hours',
  'hours.addInterval': 'Add another time range',
  'hours.removeInterval': 'Remove',
  'hours.intervalN': 'range {n}',
  'hours.from': 'From',
  'hours.to': 'To',
  'hours.closed': '– closed',
  'hours.openState': '– open',
  'hours.copy': 'Copy to other days…',
  'hours.copyTo': 'Copy these hours to:',
  'hours.copyDo': 'Copy',
  'hours.copied': 'Hours copied to {n} days.',
  'hours.closures': 'Closures',
  'hours.phOff': 'Closed on public holidays',
  'hours.closuresHelp': 'Times of the year when the service is closed, for example in August.',
  'hours.addClosure': 'Add a closure period',
  'hours.removeClosure': 'Remove this period',
  'hours.monthFrom': 'Closed from',
  'hours.monthTo': 'to',
  'hours.live': 'Hours in OpenStreetMap format:',
  'hours.none': '(no hours)',
  'hours.raw': 'Hours written by hand (for experts)',
  'hours.rawHelp': 'OpenStreetMap opening_hours syntax. What is written here is what gets sent: if you edit this field your text wins; if you then change the days above, the text is rewritten.',
  'hours.rawOnly': 'The weekly editor cannot show these hours: they will be sent exactly as you wrote them.',
  'hours.problem.incomplete': 'Give both the start and the end time.',
  'hours.problem.order': 'The end time must come after the start time.',
  'hours.problem.overlap': 'This range overlaps another one on the same day.',
  'day.0': 'Monday', 'day.1': 'Tuesday', 'day.2': 'Wednesday', 'day.3': 'Thursday',
  'day.4': 'Friday', 'day.5': 'Saturday', 'day.6': 'Sunday',
  'month.1': 'January', 'month.2': 'February', 'month.3': 'March', 'month.4': 'April',
  'month.5': 'May', 'month.6': 'June', 'month.7': 'July', 'month.8': 'August',
  'month.9': 'September', 'month.10': 'October', 'month.11': 'November', 'month.12': 'December',
  'kind.service': 'service', 'kind.street': 'street', 'kind.place': 'place', 'kind.address': 'address',

  'pin.label': 'Pin of the service: use the arrow keys to move it',
  'pin.labelStatic': 'Position of the service',
  'pin.mapLabel': 'Map to choose the position of the service',
  'pin.mapLabelStatic': 'Map with the position of the service',

  'err.prefix': 'Error: ',
  'err.required': 'This field is required.',
  'err.chooseCategory': 'Choose at least one type of service.',
  'err.noPoint': 'Place the pin: use “Find the address on the map” or tap the map.',
  'err.noPointCoords': 'Type the latitude and longitude, or use “Find the address on the map”.',
  'err.outsideArea': 'This point is outside the area MappaTU covers: move the pin onto the service.',
  'err.coords': 'The latitude and longitude are not valid (use decimal degrees, for example 43.3188).',
  'err.addressFirst': 'Type the address first.',
  'err.email': 'Type a valid email address, for example name@example.org.',
  'err.invisibleChar': 'Contains an invisible or control character ({cp}, at character {at}), often brought in by copy and paste: delete it or retype the text.',
  'err.website': 'Type the full address of the website, starting with https://',
  'err.hours': 'Correct the hours marked above.',
  'err.consent': 'To send the request we need the consent to process the contact person\'s details.',
  'err.invalidField': 'Invalid value.',
  'err.tooMany': 'You can choose {max} at most.',
  'err.emailOrPhone': 'Give at least the contact person\'s email or phone.',
  'err.phone': 'Type a phone number: digits, spaces and + - . / ( ) only.',
  'err.hoursSyntax': 'Invalid hours in OpenStreetMap syntax (technical detail: {detail}).',
  'err.coordsServer': 'Invalid position (technical detail: {detail}).',
  'err.other': 'Value not accepted (technical detail: {detail}).',
  'err.code.required': 'This field is required.',
  'err.code.too_long': 'The text is too long ({max} characters at most).',
  'err.code.invalid': 'Invalid value.',
  'err.code.outside_area': 'This point is outside the area MappaTU covers.',
  'err.code.unknown_category': 'Unknown type of service.',
  'err.code.email': 'Invalid email address.',
  'err.code.url': 'Invalid website address.',
  'err.code.opening_hours': 'Invalid hours in OpenStreetMap syntax.',
  'sum.title': 'There are {n} problems to correct',
  'sum.titleOne': 'There is one problem to correct',
  'sum.intro': 'Nothing you typed has been lost. Choose a problem to go to its field.',
  'err.rateLimited': 'Too many requests have come from this connection in a short time. What you typed is still here: please try again in a few minutes.',
  'err.rateLimitedWait': 'Too many requests have come from this connection in a short time. What you typed is still here: please try again in {n} minutes.',
  'err.network': 'The server does not answer. What you typed is still here: check your connection and try again.',
  'err.server': 'The server had a problem and the request was not saved. What you typed is still here: please try again shortly.',
  'err.rejected': 'The request was not accepted: {msg}',
  'err.tooLarge': 'The request is too large: shorten the descriptions.',

  'segnala.title': 'List your service – MappaTU',
  'segnala.h1': 'List your service',
  'segnala.intro': 'Do you run a social, health or volunteer service in the province of Siena that is not on the map? Ask to be listed: it is free.',
  'segnala.intro2': 'The municipality\'s moderators check every request before publishing it. You will get a code to follow its status. Fields marked “required” are needed; everything else helps people find you.',
  'segnala.submit': 'Send the request',
  'segnala.sending': 'Sending…',
  'segnala.successTitle': 'Request received, thank you!',
  'segnala.successText': 'The request has been saved. The municipality\'s moderators will check it; we will write to the contact person\'s email when it is decided.',
  'segnala.codeLabel': 'Your tracking code',
  'segnala.codeHelp': 'Write it down: you need it to see the status of the request.',
  'segnala.statusLink': 'See the status of the request',
  'segnala.editTitle': 'Your private link for changes',
  'segnala.editHelp': 'With this link you can propose changes to the listing after it is published. Keep it as secret as a password and do not share it. We will not show it again.',
  'segnala.copy': 'Copy the link',
  'segnala.copied': 'Link copied.',
  'segnala.another': 'List another service',

  'stato.title': 'Request status – MappaTU',
  'stato.h1': 'Request status',
  'stato.intro': 'Type the tracking code you received when you sent the request.',
  'stato.code': 'Tracking code',
  'stato.codeHelp': 'For example ABCD-2345. Upper or lower case does not matter.',
  'stato.check': 'Check',
  'stato.checking': 'Checking…',
  'stato.empty': 'Type the tracking code.',
  'stato.notFound': 'No request has this code. Check that you typed it correctly.',
  'stato.result': 'Request {code}',
  'stato.kind.label': 'Kind of request',
  'stato.kind.new': 'New service',
  'stato.kind.change': 'Change proposal',
  'stato.service': 'Service',
  'stato.submittedAt': 'Sent on',
  'stato.decidedAt': 'Decided on',
  'stato.status': 'Status',
  'stato.s.pending': 'Waiting to be checked',
  'stato.s.published': 'Published',
  'stato.s.rejected': 'Rejected',
  'stato.s.changes_requested': 'Changes requested',
  'stato.s.merged': 'Merged into an existing service',
  'stato.t.pending': 'The municipality\'s moderators have not checked it yet. It usually takes a few working days.',
  'stato.t.published': 'The service is on the map.',
  'stato.t.rejected': 'The moderators did not publish it.',
  'stato.t.changes_requested': 'The moderators ask you to change something before publishing. You can send a new, corrected request.',
  'stato.t.merged': 'The details were added to a service that was already on the map.',
  'stato.viewOnMap': 'See the service on the map',
  'stato.reason': 'Reason given by the moderators',
  'stato.message': 'Message from the moderators',

  'modifica.title': 'Propose changes to your service – MappaTU',
  'modifica.h1': 'Propose changes to your service',
  'modifica.intro': 'Below are the details published on the map. Correct what has changed and send: the public listing changes only after the municipality\'s moderators have checked it.',
  'modifica.noToken': 'This address does not contain the private link for changes. Open the full link you received when the service was listed.',
  'modifica.badToken': 'The link for changes is not valid or no longer active. If you have lost it, write to the Family Help Desk.',
  'modifica.notFound': 'The service of this link is not (or no longer) on the map.',
  'modifica.loading': 'Loading the published listing…',
  'modifica.notYet': 'The service is not published yet (status: {status}). The link for changes will work once the moderators have published it.',
  'modifica.live': 'You are editing: {name}',
  'modifica.submit': 'Send the proposed changes',
  'modifica.note': 'Message to the moderators',
  'modifica.noteHelp': 'Optional: what changed and why.',
  'modifica.successTitle': 'Proposal sent, thank you!',
  'modifica.successText': 'The public listing stays as it is until a moderator approves the changes.',
  'modifica.nothing': 'You have not changed anything compared with the published listing.',

  'privacy.title': 'Privacy notice – MappaTU',
};

const dictionaries = { it, en };

/** Adds keys (used by the moderation and admin pages, which keep their strings nearby). */
export function addStrings(more) {
  Object.assign(it, more.it || {});
  Object.assign(en, more.en || {});
}

/** Translates `key` with `{name}` placeholders; falls back to the map's dictionary. */
export function t(key, vars) {
  let s = dictionaries[lang()][key] ?? it[key];
  if (s === undefined) return mapT(key, vars);
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}

/** "3 marzo 2026, 10:15" / "3 March 2026, 10:15" in Siena's time zone. */
export function formatDate(iso, l = lang()) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso || '';
  return new Intl.DateTimeFormat(l === 'en' ? 'en-GB' : 'it-IT', {
    day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Rome',
  }).format(d);
}

/**
 * Swaps the texts under `root`: `[data-i18n]` text (with `data-i18n-vars` JSON), `[data-date]` dates, `[data-i18n-attr="attr:key;…"]`
 * attributes, `[data-text-it][data-text-en]` text from data (e.g. category labels), and
 * `[data-lang-block]` blocks shown only in their language (long texts such as the privacy
 * notice).
 */
export function applyPage(root = document) {
  const l = lang();
  const all = (sel) => {
    const list = [...root.querySelectorAll(sel)];
    if (root.matches && root.matches(sel)) list.unshift(root);
    return list;
  };
  for (const el of all('[data-i18n]')) {
    el.textContent = t(el.dataset.i18n, el.dataset.i18nVars ? JSON.parse(el.dataset.i18nVars) : undefined);
  }
  for (const el of all('[data-date]')) el.textContent = formatDate(el.dataset.date, l);
  for (const el of all('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':');
      el.setAttribute(attr, t(key));
    }
  }
  for (const el of all('[data-text-it]')) el.textContent = l === 'en' ? el.dataset.textEn : el.dataset.textIt;
  for (const el of all('[data-lang-block]')) el.hidden = el.dataset.langBlock !== l;
}

/**
 * An element whose text is `t(key, vars)` and follows language changes (`applyPage`).
 * Values in `vars` are data and end up as text, never markup.
 */
export function tEl(tag, key, vars, attrs = {}) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v != null) el.setAttribute(k, String(v));
  el.dataset.i18n = key;
  if (vars) el.dataset.i18nVars = JSON.stringify(vars);
  el.textContent = t(key, vars);
  return el;
}

/** A `<time>` showing an ISO date in the page's language (follows language changes). */
export function dateEl(iso) {
  const el = document.createElement('time');
  el.dateTime = iso || '';
  el.dataset.date = iso || '';
  el.textContent = formatDate(iso);
  return el;
}
