//! The widget's languages and one complete table of visible strings per language.
//!
//! Each table is an exhaustive `match`, so a key missing from a language does not compile;
//! the tests also check that no string is empty and that placeholders agree.

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
        let primary = tag.trim().split(['-', '_']).next()?;
        Lang::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(primary))
    }

    /// The string for `key` in this language.
    pub fn t(self, key: Key) -> &'static str {
        match self {
            Lang::En => en(key),
            Lang::Fr => fr(key),
            Lang::Es => es(key),
            Lang::Pt => pt(key),
        }
    }

    /// A template with its `{name}` placeholder replaced by `value`.
    pub fn fill(self, key: Key, name: &str, value: &str) -> String {
        fill(self.t(key), name, value)
    }
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

macro_rules! keys {
    ($($key:ident),* $(,)?) => {
        /// A visible string of the widget.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Key { $($key),* }

        impl Key {
            /// Every key, for the completeness tests.
            pub const ALL: &'static [Key] = &[$(Key::$key),*];
        }
    };
}

keys! {
    KindOnlineResource, KindReport, KindToolkit, KindPresentation, KindPhotoSet, KindVideo,
    KindEvent, Loading, NotFound, Unreachable, Stale, Failed, Retry, Empty, PageInformation,
    Popularity, RankValue, NotRanked, HelpfulVotes, PageViews, PagesEmailed, MetacardViews,
    AttachmentsDownloaded, RelationshipsAndHighlights, VideosDownloaded, DateCreated,
    DateModified, VersionComment, NoComment, Partners, Links, VotePrompt, Vote, VoteDone,
    VoteRemoved, VoteFailed, EmailPage, SubmitComments, FeedbackText, FeedbackContact,
    FeedbackSend, FeedbackCancel, FeedbackSending, FeedbackSent, FeedbackFailed, FeedbackEmpty,
    ReasonOffline, ReasonRateLimited, ReasonNotFound, ReasonServer, ReasonInvalid,
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

fn en(key: Key) -> &'static str {
    use Key::*;
    match key {
        KindOnlineResource => "Online Resource",
        KindReport => "Report",
        KindToolkit => "Toolkit",
        KindPresentation => "Presentation",
        KindPhotoSet => "Photo Set",
        KindVideo => "Video",
        KindEvent => "Event",
        Loading => "Loading…",
        NotFound => "This resource was not found.",
        Unreachable => "The CASM service cannot be reached. Please try again later.",
        Stale => {
            "The service cannot be reached: this is a copy saved earlier and may be out of date."
        }
        Failed => "This content could not be loaded: {reason}.",
        Retry => "Try again",
        Empty => "No resources found.",
        PageInformation => "Page Information",
        Popularity => "Popularity",
        RankValue => "#{rank} of {total} items",
        NotRanked => "Not ranked",
        HelpfulVotes => "Helpful votes",
        PageViews => "Page views",
        PagesEmailed => "Pages emailed",
        MetacardViews => "Meta-card views",
        AttachmentsDownloaded => "Attachments downloaded",
        RelationshipsAndHighlights => "Relationships and highlights",
        VideosDownloaded => "Videos downloaded",
        DateCreated => "Date created",
        DateModified => "Date modified",
        VersionComment => "Version comment",
        NoComment => "None",
        Partners => "Partners",
        Links => "Links",
        VotePrompt => "Was this page helpful?",
        Vote => "Helpful",
        VoteDone => "Thank you for your vote. Helpful votes: {n}.",
        VoteRemoved => "Your vote was removed. Helpful votes: {n}.",
        VoteFailed => "Your vote could not be saved: {reason}.",
        EmailPage => "Email this page",
        SubmitComments => "Submit your comments",
        FeedbackText => "Your comments",
        FeedbackContact => "Your email or name (optional)",
        FeedbackSend => "Send",
        FeedbackCancel => "Cancel",
        FeedbackSending => "Sending…",
        FeedbackSent => "Thank you, your comments were sent.",
        FeedbackFailed => "Your comments could not be sent: {reason}.",
        FeedbackEmpty => "Please write your comments first.",
        ReasonOffline => "the service cannot be reached",
        ReasonRateLimited => "too many requests, please try again in a moment",
        ReasonNotFound => "it was not found",
        ReasonServer => "the service answered with error {status}",
        ReasonInvalid => "the service sent something this widget cannot read",
    }
}

fn fr(key: Key) -> &'static str {
    use Key::*;
    match key {
        KindOnlineResource => "Ressource en ligne",
        KindReport => "Rapport",
        KindToolkit => "Boîte à outils",
        KindPresentation => "Présentation",
        KindPhotoSet => "Album photo",
        KindVideo => "Vidéo",
        KindEvent => "Événement",
        Loading => "Chargement…",
        NotFound => "Cette ressource est introuvable.",
        Unreachable => "Le service CASM est injoignable. Veuillez réessayer plus tard.",
        Stale => "Le service est injoignable\u{a0}: ceci est une copie enregistrée plus tôt, peut-être périmée.",
        Failed => "Ce contenu n’a pas pu être chargé\u{a0}: {reason}.",
        Retry => "Réessayer",
        Empty => "Aucune ressource trouvée.",
        PageInformation => "Informations sur la page",
        Popularity => "Popularité",
        RankValue => "n°\u{a0}{rank} sur {total} éléments",
        NotRanked => "Non classé",
        HelpfulVotes => "Votes utiles",
        PageViews => "Pages vues",
        PagesEmailed => "Pages envoyées par courriel",
        MetacardViews => "Vues de la méta-fiche",
        AttachmentsDownloaded => "Pièces jointes téléchargées",
        RelationshipsAndHighlights => "Relations et points forts",
        VideosDownloaded => "Vidéos téléchargées",
        DateCreated => "Date de création",
        DateModified => "Date de modification",
        VersionComment => "Commentaire de version",
        NoComment => "Aucun",
        Partners => "Partenaires",
        Links => "Liens",
        VotePrompt => "Cette page vous a-t-elle été utile\u{a0}?",
        Vote => "Utile",
        VoteDone => "Merci pour votre vote. Votes utiles\u{a0}: {n}.",
        VoteRemoved => "Votre vote a été retiré. Votes utiles\u{a0}: {n}.",
        VoteFailed => "Votre vote n’a pas pu être enregistré\u{a0}: {reason}.",
        EmailPage => "Envoyer cette page par courriel",
        SubmitComments => "Envoyer vos commentaires",
        FeedbackText => "Vos commentaires",
        FeedbackContact => "Votre courriel ou votre nom (facultatif)",
        FeedbackSend => "Envoyer",
        FeedbackCancel => "Annuler",
        FeedbackSending => "Envoi en cours…",
        FeedbackSent => "Merci, vos commentaires ont été envoyés.",
        FeedbackFailed => "Vos commentaires n’ont pas pu être envoyés\u{a0}: {reason}.",
        FeedbackEmpty => "Veuillez d’abord écrire vos commentaires.",
        ReasonOffline => "le service est injoignable",
        ReasonRateLimited => "trop de demandes, réessayez dans un instant",
        ReasonNotFound => "introuvable",
        ReasonServer => "le service a répondu par l’erreur {status}",
        ReasonInvalid => "le service a envoyé des données que ce widget ne sait pas lire",
    }
}

fn es(key: Key) -> &'static str {
    use Key::*;
    match key {
        KindOnlineResource => "Recurso en línea",
        KindReport => "Informe",
        KindToolkit => "Caja de herramientas",
        KindPresentation => "Presentación",
        KindPhotoSet => "Álbum de fotos",
        KindVideo => "Vídeo",
        KindEvent => "Evento",
        Loading => "Cargando…",
        NotFound => "No se encontró este recurso.",
        Unreachable => "No se puede acceder al servicio CASM. Inténtelo de nuevo más tarde.",
        Stale => "No se puede acceder al servicio: esta es una copia guardada antes y puede estar desactualizada.",
        Failed => "No se pudo cargar este contenido: {reason}.",
        Retry => "Reintentar",
        Empty => "No se encontraron recursos.",
        PageInformation => "Información de la página",
        Popularity => "Popularidad",
        RankValue => "n.º\u{a0}{rank} de {total} elementos",
        NotRanked => "Sin clasificar",
        HelpfulVotes => "Votos útiles",
        PageViews => "Páginas vistas",
        PagesEmailed => "Páginas enviadas por correo",
        MetacardViews => "Vistas de la metaficha",
        AttachmentsDownloaded => "Adjuntos descargados",
        RelationshipsAndHighlights => "Relaciones y destacados",
        VideosDownloaded => "Vídeos descargados",
        DateCreated => "Fecha de creación",
        DateModified => "Fecha de modificación",
        VersionComment => "Comentario de la versión",
        NoComment => "Ninguno",
        Partners => "Socios",
        Links => "Enlaces",
        VotePrompt => "¿Le resultó útil esta página?",
        Vote => "Útil",
        VoteDone => "Gracias por su voto. Votos útiles: {n}.",
        VoteRemoved => "Se retiró su voto. Votos útiles: {n}.",
        VoteFailed => "No se pudo guardar su voto: {reason}.",
        EmailPage => "Enviar esta página por correo",
        SubmitComments => "Envíe sus comentarios",
        FeedbackText => "Sus comentarios",
        FeedbackContact => "Su correo o su nombre (opcional)",
        FeedbackSend => "Enviar",
        FeedbackCancel => "Cancelar",
        FeedbackSending => "Enviando…",
        FeedbackSent => "Gracias, sus comentarios se enviaron.",
        FeedbackFailed => "No se pudieron enviar sus comentarios: {reason}.",
        FeedbackEmpty => "Escriba primero sus comentarios.",
        ReasonOffline => "no se puede acceder al servicio",
        ReasonRateLimited => "demasiadas solicitudes, inténtelo de nuevo en un momento",
        ReasonNotFound => "no se encontró",
        ReasonServer => "el servicio respondió con el error {status}",
        ReasonInvalid => "el servicio envió datos que este widget no puede leer",
    }
}

fn pt(key: Key) -> &'static str {
    use Key::*;
    match key {
        KindOnlineResource => "Recurso on-line",
        KindReport => "Relatório",
        KindToolkit => "Kit de ferramentas",
        KindPresentation => "Apresentação",
        KindPhotoSet => "Álbum de fotos",
        KindVideo => "Vídeo",
        KindEvent => "Evento",
        Loading => "Carregando…",
        NotFound => "Este recurso não foi encontrado.",
        Unreachable => "Não foi possível acessar o serviço CASM. Tente novamente mais tarde.",
        Stale => "Não foi possível acessar o serviço: esta é uma cópia salva antes e pode estar desatualizada.",
        Failed => "Não foi possível carregar este conteúdo: {reason}.",
        Retry => "Tentar novamente",
        Empty => "Nenhum recurso encontrado.",
        PageInformation => "Informações da página",
        Popularity => "Popularidade",
        RankValue => "nº\u{a0}{rank} de {total} itens",
        NotRanked => "Sem classificação",
        HelpfulVotes => "Votos úteis",
        PageViews => "Visualizações da página",
        PagesEmailed => "Páginas enviadas por e-mail",
        MetacardViews => "Visualizações do metacartão",
        AttachmentsDownloaded => "Anexos baixados",
        RelationshipsAndHighlights => "Relações e destaques",
        VideosDownloaded => "Vídeos baixados",
        DateCreated => "Data de criação",
        DateModified => "Data de modificação",
        VersionComment => "Comentário da versão",
        NoComment => "Nenhum",
        Partners => "Parceiros",
        Links => "Links",
        VotePrompt => "Esta página foi útil?",
        Vote => "Útil",
        VoteDone => "Obrigado pelo seu voto. Votos úteis: {n}.",
        VoteRemoved => "Seu voto foi removido. Votos úteis: {n}.",
        VoteFailed => "Não foi possível salvar seu voto: {reason}.",
        EmailPage => "Enviar esta página por e-mail",
        SubmitComments => "Envie seus comentários",
        FeedbackText => "Seus comentários",
        FeedbackContact => "Seu e-mail ou nome (opcional)",
        FeedbackSend => "Enviar",
        FeedbackCancel => "Cancelar",
        FeedbackSending => "Enviando…",
        FeedbackSent => "Obrigado, seus comentários foram enviados.",
        FeedbackFailed => "Não foi possível enviar seus comentários: {reason}.",
        FeedbackEmpty => "Escreva seus comentários primeiro.",
        ReasonOffline => "não foi possível acessar o serviço",
        ReasonRateLimited => "muitas solicitações, tente novamente em instantes",
        ReasonNotFound => "não foi encontrado",
        ReasonServer => "o serviço respondeu com o erro {status}",
        ReasonInvalid => "o serviço enviou dados que este widget não consegue ler",
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
