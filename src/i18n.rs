//! The widget's languages and the table of visible strings: one row per string, with its
//! English, French, Spanish and Portuguese text.
//!
//! A row without all four texts does not compile; the tests also check that no string is
//! empty and that placeholders agree. Each language's texts are stored as one string,
//! separated by U+001F, rather than as an array of string slices: that saves the Wasm
//! build a table of pointers and lengths (eight bytes per string) that compresses poorly.
//!
//! Only English is inside the Wasm. The other tables are files the build writes
//! (`lang/fr.<hash>.txt`, `examples/lang-tables.rs`), named by a hash of their text that
//! is computed here at compile time, so a Wasm can only ever load the tables it was built
//! with; a page fetches just the one it needs (the loader starts that request while the
//! Wasm downloads) and [`install`]s it. Until then, or if it cannot be had, the texts
//! are English. Native builds (the tests) read every table directly.

use casm_model::{Counter, ResourceKind};

/// A language the widget speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Fr,
    Es,
    Pt,
}

impl Lang {
    /// Every language.
    pub const ALL: [Lang; 4] = [Lang::En, Lang::Fr, Lang::Es, Lang::Pt];

    /// The BCP 47 code, e.g. `fr`.
    pub const fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::Es => "es",
            Lang::Pt => "pt",
        }
    }

    /// The language of a tag such as `fr-CA` or `PT_br`, if the widget speaks it.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let tag = tag.trim().as_bytes();
        let end = tag
            .iter()
            .position(|&b| b == b'-' || b == b'_')
            .unwrap_or(tag.len());
        let primary = tag.get(..end)?;
        Lang::ALL
            .into_iter()
            .find(|l| l.code().as_bytes().eq_ignore_ascii_case(primary))
    }

    /// The string for `key` in this language (English while its table is not installed).
    pub fn t(self, key: Key) -> &'static str {
        let table = match self {
            Lang::En => EN,
            // Only in native builds: in the Wasm this branch is gone, and so are the tables.
            _ if !cfg!(target_arch = "wasm32") => self.table(),
            _ => INSTALLED.with(|t| t.get()[self as usize]).unwrap_or(EN),
        };
        table.split(SEP).nth(key as usize).unwrap_or_default()
    }

    /// This language's whole table, as the build writes it to its file.
    pub fn table(self) -> &'static str {
        match self {
            Lang::En => EN,
            Lang::Fr => FR,
            Lang::Es => ES,
            Lang::Pt => PT,
        }
    }

    /// The file holding this language's table, relative to the widget folder:
    /// `lang/fr.0123456789abcdef.txt`. `None` for English, which is built in.
    pub fn table_file(self) -> Option<String> {
        let hash = match self {
            Lang::En => return None,
            Lang::Fr => const { fnv1a(FR) },
            Lang::Es => const { fnv1a(ES) },
            Lang::Pt => const { fnv1a(PT) },
        };
        let mut name = crate::format::cat(&["lang/", self.code(), "."]);
        for shift in (0..16).rev() {
            let digit = (hash >> (shift * 4)) as u8 & 0xf;
            name.push(char::from(if digit < 10 {
                b'0' + digit
            } else {
                b'a' + digit - 10
            }));
        }
        name.push_str(".txt");
        Some(name)
    }

    /// Whether this language's texts are at hand (English always is).
    pub fn is_installed(self) -> bool {
        self == Lang::En
            || !cfg!(target_arch = "wasm32")
            || INSTALLED.with(|t| t.get()[self as usize].is_some())
    }

    /// A template with its `{name}` placeholder replaced by `value`.
    pub fn fill(self, key: Key, name: &str, value: &str) -> String {
        fill(self.t(key), name, value)
    }
}

thread_local! {
    /// The tables fetched on this page, by `Lang as usize`.
    static INSTALLED: std::cell::Cell<[Option<&'static str>; 4]> =
        const { std::cell::Cell::new([None; 4]) };
}

/// Installs `lang`'s table from its file's text. Refused (false) unless it holds exactly
/// one text per key; a table is installed once per page and kept for the page's life
/// (at most one per language, so leaking it is bounded and saves a copy per widget).
pub fn install(lang: Lang, text: String) -> bool {
    let fits = text.split(SEP).count() == Key::ALL.len() + 1 && text.ends_with(SEP);
    if fits && lang != Lang::En && !lang.is_installed() {
        let text: &'static str = Box::leak(text.into_boxed_str());
        INSTALLED.with(|t| {
            let mut tables = t.get();
            tables[lang as usize] = Some(text);
            t.set(tables);
        });
    }
    fits
}

/// FNV-1a, 64 bits: names a table's file after its text, at compile time.
const fn fnv1a(text: &str) -> u64 {
    let bytes = text.as_bytes();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

/// Replaces `{name}` in `template` by `value`.
pub fn fill(template: &str, name: &str, value: &str) -> String {
    // By hand rather than `str::replace`: a substring search costs the Wasm build ~3 KB.
    let mut out = String::with_capacity(template.len() + value.len());
    for (i, part) in template.split('{').enumerate() {
        let rest = part
            .strip_prefix(name)
            .and_then(|r| r.strip_prefix('}'))
            .filter(|_| i > 0);
        match rest {
            Some(rest) => {
                out.push_str(value);
                out.push_str(rest);
            }
            None => {
                if i > 0 {
                    out.push('{');
                }
                out.push_str(part);
            }
        }
    }
    out
}

/// Separates the texts of one language in its table.
const SEP: char = '\u{1f}';

macro_rules! strings {
    ($($key:ident: $en:literal, $fr:literal, $es:literal, $pt:literal;)*) => {
        /// A visible string of the widget.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Key { $($key),* }

        impl Key {
            /// Every key, for the completeness tests.
            pub const ALL: &'static [Key] = &[$(Key::$key),*];
        }

        const EN: &str = concat!($($en, "\u{1f}",)*);
        const FR: &str = concat!($($fr, "\u{1f}",)*);
        const ES: &str = concat!($($es, "\u{1f}",)*);
        const PT: &str = concat!($($pt, "\u{1f}",)*);
    };
}

// key: English, French, Spanish, Portuguese;
strings! {
    // Names from Sunday, and from January, separated by `|` (src/format.rs).
    Weekdays:
        "Sunday|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday",
        "dimanche|lundi|mardi|mercredi|jeudi|vendredi|samedi",
        "domingo|lunes|martes|miércoles|jueves|viernes|sábado",
        "domingo|segunda-feira|terça-feira|quarta-feira|quinta-feira|sexta-feira|sábado";
    Months:
        "January|February|March|April|May|June|July|August|September|October|November|December",
        "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre",
        "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre",
        "janeiro|fevereiro|março|abril|maio|junho|julho|agosto|setembro|outubro|novembro|dezembro";
    KindOnlineResource:
        "Online Resource",
        "Ressource en ligne",
        "Recurso en línea",
        "Recurso on-line";
    KindReport:
        "Report",
        "Rapport",
        "Informe",
        "Relatório";
    KindToolkit:
        "Toolkit",
        "Boîte à outils",
        "Caja de herramientas",
        "Kit de ferramentas";
    KindPresentation:
        "Presentation",
        "Présentation",
        "Presentación",
        "Apresentação";
    KindPhotoSet:
        "Photo Set",
        "Album photo",
        "Álbum de fotos",
        "Álbum de fotos";
    KindVideo:
        "Video",
        "Vidéo",
        "Vídeo",
        "Vídeo";
    KindEvent:
        "Event",
        "Événement",
        "Evento",
        "Evento";
    Loading:
        "Loading…",
        "Chargement…",
        "Cargando…",
        "Carregando…";
    // Not found (404), or retired by the CASM team (410).
    NotFound:
        "This resource is not available.",
        "Cette ressource n’est pas disponible.",
        "Este recurso no está disponible.",
        "Este recurso não está disponível.";
    Unreachable:
        "The CASM service cannot be reached. Please try again later.",
        "Le service CASM est injoignable. Veuillez réessayer plus tard.",
        "No se puede acceder al servicio CASM. Inténtelo de nuevo más tarde.",
        "Não foi possível acessar o serviço CASM. Tente novamente mais tarde.";
    Stale:
        "The service cannot be reached: this is a copy saved earlier and may be out of date.",
        "Le service est injoignable\u{a0}: ceci est une copie enregistrée plus tôt, peut-être périmée.",
        "No se puede acceder al servicio: esta es una copia guardada antes y puede estar desactualizada.",
        "Não foi possível acessar o serviço: esta é uma cópia salva antes e pode estar desatualizada.";
    Failed:
        "This content could not be loaded: {reason}.",
        "Ce contenu n’a pas pu être chargé\u{a0}: {reason}.",
        "No se pudo cargar este contenido: {reason}.",
        "Não foi possível carregar este conteúdo: {reason}.";
    Retry:
        "Try again",
        "Réessayer",
        "Reintentar",
        "Tentar novamente";
    Empty:
        "No resources found.",
        "Aucune ressource trouvée.",
        "No se encontraron recursos.",
        "Nenhum recurso encontrado.";
    PageInformation:
        "Page Information",
        "Informations sur la page",
        "Información de la página",
        "Informações da página";
    Popularity:
        "Popularity",
        "Popularité",
        "Popularidad",
        "Popularidade";
    RankValue:
        "#{rank} of {total} items",
        "n°\u{a0}{rank} sur {total} éléments",
        "n.º\u{a0}{rank} de {total} elementos",
        "nº\u{a0}{rank} de {total} itens";
    NotRanked:
        "Not ranked",
        "Non classé",
        "Sin clasificar",
        "Sem classificação";
    HelpfulVotes:
        "Helpful votes",
        "Votes utiles",
        "Votos útiles",
        "Votos úteis";
    PageViews:
        "Page views",
        "Pages vues",
        "Páginas vistas",
        "Visualizações da página";
    PagesEmailed:
        "Pages emailed",
        "Pages envoyées par courriel",
        "Páginas enviadas por correo",
        "Páginas enviadas por e-mail";
    MetacardViews:
        "Meta-card views",
        "Vues de la méta-fiche",
        "Vistas de la metaficha",
        "Visualizações do metacartão";
    AttachmentsDownloaded:
        "Attachments downloaded",
        "Pièces jointes téléchargées",
        "Adjuntos descargados",
        "Anexos baixados";
    RelationshipsAndHighlights:
        "Relationships and highlights",
        "Relations et points forts",
        "Relaciones y destacados",
        "Relações e destaques";
    VideosDownloaded:
        "Videos downloaded",
        "Vidéos téléchargées",
        "Vídeos descargados",
        "Vídeos baixados";
    DateCreated:
        "Date created",
        "Date de création",
        "Fecha de creación",
        "Data de criação";
    DateModified:
        "Date modified",
        "Date de modification",
        "Fecha de modificación",
        "Data de modificação";
    VersionComment:
        "Version comment",
        "Commentaire de version",
        "Comentario de la versión",
        "Comentário da versão";
    NoComment:
        "None",
        "Aucun",
        "Ninguno",
        "Nenhum";
    Partners:
        "Partners",
        "Partenaires",
        "Socios",
        "Parceiros";
    Links:
        "Links",
        "Liens",
        "Enlaces",
        "Links";
    VotePrompt:
        "Was this page helpful?",
        "Cette page vous a-t-elle été utile\u{a0}?",
        "¿Le resultó útil esta página?",
        "Esta página foi útil?";
    Vote:
        "Helpful",
        "Utile",
        "Útil",
        "Útil";
    VoteDone:
        "Thank you for your vote. Helpful votes: {n}.",
        "Merci pour votre vote. Votes utiles\u{a0}: {n}.",
        "Gracias por su voto. Votos útiles: {n}.",
        "Obrigado pelo seu voto. Votos úteis: {n}.";
    VoteRemoved:
        "Your vote was removed. Helpful votes: {n}.",
        "Votre vote a été retiré. Votes utiles\u{a0}: {n}.",
        "Se retiró su voto. Votos útiles: {n}.",
        "Seu voto foi removido. Votos úteis: {n}.";
    VoteFailed:
        "Your vote could not be saved: {reason}.",
        "Votre vote n’a pas pu être enregistré\u{a0}: {reason}.",
        "No se pudo guardar su voto: {reason}.",
        "Não foi possível salvar seu voto: {reason}.";
    EmailPage:
        "Email this page",
        "Envoyer cette page par courriel",
        "Enviar esta página por correo",
        "Enviar esta página por e-mail";
    SubmitComments:
        "Submit your comments",
        "Envoyer vos commentaires",
        "Envíe sus comentarios",
        "Envie seus comentários";
    FeedbackText:
        "Your comments",
        "Vos commentaires",
        "Sus comentarios",
        "Seus comentários";
    FeedbackContact:
        "Your email or name (optional)",
        "Votre courriel ou votre nom (facultatif)",
        "Su correo o su nombre (opcional)",
        "Seu e-mail ou nome (opcional)";
    FeedbackSend:
        "Send",
        "Envoyer",
        "Enviar",
        "Enviar";
    FeedbackCancel:
        "Cancel",
        "Annuler",
        "Cancelar",
        "Cancelar";
    FeedbackSending:
        "Sending…",
        "Envoi en cours…",
        "Enviando…",
        "Enviando…";
    FeedbackSent:
        "Thank you, your comments were sent.",
        "Merci, vos commentaires ont été envoyés.",
        "Gracias, sus comentarios se enviaron.",
        "Obrigado, seus comentários foram enviados.";
    FeedbackFailed:
        "Your comments could not be sent: {reason}.",
        "Vos commentaires n’ont pas pu être envoyés\u{a0}: {reason}.",
        "No se pudieron enviar sus comentarios: {reason}.",
        "Não foi possível enviar seus comentários: {reason}.";
    FeedbackEmpty:
        "Please write your comments first.",
        "Veuillez d’abord écrire vos commentaires.",
        "Escriba primero sus comentarios.",
        "Escreva seus comentários primeiro.";
    ReasonOffline:
        "the service cannot be reached",
        "le service est injoignable",
        "no se puede acceder al servicio",
        "não foi possível acessar o serviço";
    ReasonRateLimited:
        "too many requests, please try again in a moment",
        "trop de demandes, réessayez dans un instant",
        "demasiadas solicitudes, inténtelo de nuevo en un momento",
        "muitas solicitações, tente novamente em instantes";
    ReasonNotFound:
        "it was not found",
        "introuvable",
        "no se encontró",
        "não foi encontrado";
    ReasonServer:
        "the service answered with error {status}",
        "le service a répondu par l’erreur {status}",
        "el servicio respondió con el error {status}",
        "o serviço respondeu com o erro {status}";
    ReasonInvalid:
        "the service sent something this widget cannot read",
        "le service a envoyé des données que ce widget ne sait pas lire",
        "el servicio envió datos que este widget no puede leer",
        "o serviço enviou dados que este widget não consegue ler";
}

impl Key {
    /// The label of a resource kind.
    pub const fn kind(kind: ResourceKind) -> Key {
        match kind {
            ResourceKind::OnlineResource => Key::KindOnlineResource,
            ResourceKind::Report => Key::KindReport,
            ResourceKind::Toolkit => Key::KindToolkit,
            ResourceKind::Presentation => Key::KindPresentation,
            ResourceKind::PhotoSet => Key::KindPhotoSet,
            ResourceKind::Video => Key::KindVideo,
            ResourceKind::Event => Key::KindEvent,
        }
    }

    /// The Page Information label of a counter (the total shares the rank's row).
    pub const fn counter(counter: Counter) -> Key {
        match counter {
            Counter::HelpfulVotes => Key::HelpfulVotes,
            Counter::PageViews => Key::PageViews,
            Counter::PagesEmailed => Key::PagesEmailed,
            Counter::MetacardViews => Key::MetacardViews,
            Counter::AttachmentsDownloaded => Key::AttachmentsDownloaded,
            Counter::VideosDownloaded => Key::VideosDownloaded,
            Counter::RelationshipsAndHighlights => Key::RelationshipsAndHighlights,
            Counter::PopularityRank | Counter::PopularityTotal => Key::Popularity,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(s: &str) -> Vec<&str> {
        let mut out: Vec<&str> = s
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .collect();
        out.sort_unstable();
        out
    }

    #[test]
    fn every_key_is_translated_in_every_language() {
        for &key in Key::ALL {
            let english = Lang::En.t(key);
            for lang in Lang::ALL {
                let text = lang.t(key);
                assert!(!text.trim().is_empty(), "{key:?} is empty in {lang:?}");
                assert_eq!(
                    placeholders(text),
                    placeholders(english),
                    "{key:?} placeholders differ in {lang:?}"
                );
            }
        }
    }

    #[test]
    fn no_text_holds_the_separator() {
        for table in [EN, FR, ES, PT] {
            assert_eq!(table.split(SEP).count(), Key::ALL.len() + 1);
        }
    }

    #[test]
    fn translations_are_not_english_copies() {
        for lang in [Lang::Fr, Lang::Es, Lang::Pt] {
            let copies: Vec<_> = Key::ALL
                .iter()
                .filter(|&&k| lang.t(k) == Lang::En.t(k))
                .collect();
            // "Links" is also Portuguese; nothing else should be left in English.
            assert!(copies.len() <= 1, "{lang:?}: {copies:?}");
        }
    }

    #[test]
    fn every_resource_kind_and_counter_has_a_label() {
        for kind in ResourceKind::ALL {
            assert!(!Lang::Fr.t(Key::kind(kind)).is_empty());
        }
        for counter in Counter::ALL {
            assert!(!Lang::Es.t(Key::counter(counter)).is_empty());
        }
    }

    #[test]
    fn table_files_are_named_by_their_text() {
        assert_eq!(Lang::En.table_file(), None);
        let fr = Lang::Fr.table_file().unwrap();
        assert!(
            fr.starts_with("lang/fr.") && fr.ends_with(".txt") && fr.len() == 28,
            "{fr}"
        );
        assert_eq!(format!("lang/fr.{:016x}.txt", fnv1a(Lang::Fr.table())), fr);
        assert_ne!(Lang::Es.table_file(), Lang::Pt.table_file());
    }

    #[test]
    fn only_a_whole_table_installs() {
        assert!(install(Lang::Fr, Lang::Fr.table().to_owned()));
        assert!(!install(Lang::Fr, "Rapport\u{1f}".to_owned()));
        assert!(!install(Lang::Es, Lang::Es.table().replace(SEP, ";")));
    }

    #[test]
    fn tags_map_to_languages() {
        assert_eq!(Lang::from_tag("fr-CA"), Some(Lang::Fr));
        assert_eq!(Lang::from_tag("PT_br"), Some(Lang::Pt));
        assert_eq!(Lang::from_tag(" es "), Some(Lang::Es));
        assert_eq!(Lang::from_tag("de"), None);
        assert_eq!(Lang::from_tag(""), None);
    }

    #[test]
    fn fill_replaces_placeholders() {
        let rank = fill(Lang::En.t(Key::RankValue), "rank", "19");
        assert_eq!(fill(&rank, "total", "33"), "#19 of 33 items");
        assert_eq!(fill("{a} {b} {a}", "a", "1"), "1 {b} 1");
        assert_eq!(fill("{", "a", "1"), "{");
        assert_eq!(
            Lang::En.fill(Key::VoteDone, "n", "4"),
            "Thank you for your vote. Helpful votes: 4."
        );
    }
}
