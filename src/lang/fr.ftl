### CASM Embed: the widget's texts in French (fr).

kind-online-resource = Ressource en ligne
kind-report = Rapport
kind-toolkit = Boîte à outils
kind-presentation = Présentation
kind-photo-set = Album photo
kind-video = Vidéo
kind-event = Événement
loading = Chargement…
not-found = Cette ressource n’est pas disponible.
unreachable = Le service CASM est injoignable. Veuillez réessayer plus tard.
stale = Le service est injoignable : ceci est une copie enregistrée plus tôt, peut-être périmée.
failed = Ce contenu n’a pas pu être chargé : { $reason }.
retry = Réessayer
empty = Aucune ressource trouvée.
page-information = Informations sur la page
popularity = Popularité
rank-value = { $total ->
    [one] n° { $rank } sur { $total } élément
    [many] n° { $rank } sur { $total } d’éléments
   *[other] n° { $rank } sur { $total } éléments
}
not-ranked = Non classé
helpful-votes = Votes utiles
page-views = Pages vues
pages-emailed = Pages envoyées par courriel
metacard-views = Vues de la méta-fiche
attachments-downloaded = Pièces jointes téléchargées
relationships-and-highlights = Relations et points forts
videos-downloaded = Vidéos téléchargées
date-created = Date de création
date-modified = Date de modification
version-comment = Commentaire de version
no-comment = Aucun
partners = Partenaires : { $names }
list-separator = { ", " }
links = Liens
vote-prompt = Cette page vous a-t-elle été utile ?
vote = Utile
vote-done = { $n ->
    [one] Merci pour votre vote. Cette page a { $n } vote utile.
    [many] Merci pour votre vote. Cette page a { $n } de votes utiles.
   *[other] Merci pour votre vote. Cette page a { $n } votes utiles.
}
vote-removed = { $n ->
    [one] Votre vote a été retiré. Cette page a { $n } vote utile.
    [many] Votre vote a été retiré. Cette page a { $n } de votes utiles.
   *[other] Votre vote a été retiré. Cette page a { $n } votes utiles.
}
vote-failed = Votre vote n’a pas pu être enregistré : { $reason }.
email-page = Envoyer cette page par courriel
submit-comments = Envoyer vos commentaires
feedback-text = Vos commentaires
feedback-contact = Votre courriel ou votre nom (facultatif)
feedback-send = Envoyer
feedback-cancel = Annuler
feedback-sending = Envoi en cours…
feedback-sent = Merci, vos commentaires ont été envoyés.
feedback-failed = Vos commentaires n’ont pas pu être envoyés : { $reason }.
feedback-empty = Veuillez d’abord écrire vos commentaires.
reason-offline = le service est injoignable
reason-rate-limited = trop de demandes, réessayez dans un instant
reason-not-found = introuvable
reason-server = le service a répondu par l’erreur { $status }
reason-invalid = le service a envoyé des données que ce widget ne sait pas lire

loader-failed = Le widget CASM n’a pas pu être chargé.
loader-view-resource = Voir cette ressource
loader-view-resources = Voir les ressources
