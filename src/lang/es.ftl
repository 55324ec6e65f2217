### CASM Embed: the widget's texts in Spanish (es).

kind-online-resource = Recurso en línea
kind-report = Informe
kind-toolkit = Caja de herramientas
kind-presentation = Presentación
kind-photo-set = Álbum de fotos
kind-video = Vídeo
kind-event = Evento
loading = Cargando…
not-found = Este recurso no está disponible.
unreachable = No se puede acceder al servicio CASM. Inténtelo de nuevo más tarde.
stale = No se puede acceder al servicio: esta es una copia guardada antes y puede estar desactualizada.
failed = No se pudo cargar este contenido: { $reason }.
retry = Reintentar
empty = No se encontraron recursos.
page-information = Información de la página
popularity = Popularidad
rank-value = { $total ->
    [one] n.º { $rank } de { $total } elemento
    [many] n.º { $rank } de { $total } de elementos
   *[other] n.º { $rank } de { $total } elementos
}
not-ranked = Sin clasificar
helpful-votes = Votos útiles
page-views = Páginas vistas
pages-emailed = Páginas enviadas por correo
metacard-views = Vistas de la metaficha
attachments-downloaded = Adjuntos descargados
relationships-and-highlights = Relaciones y destacados
videos-downloaded = Vídeos descargados
date-created = Fecha de creación
date-modified = Fecha de modificación
version-comment = Comentario de la versión
no-comment = Ninguno
partners = Socios: { $names }
list-separator = { ", " }
links = Enlaces
vote-prompt = ¿Le resultó útil esta página?
vote = Útil
vote-done = { $n ->
    [one] Gracias por su voto. Esta página tiene { $n } voto útil.
    [many] Gracias por su voto. Esta página tiene { $n } de votos útiles.
   *[other] Gracias por su voto. Esta página tiene { $n } votos útiles.
}
vote-removed = { $n ->
    [one] Se retiró su voto. Esta página tiene { $n } voto útil.
    [many] Se retiró su voto. Esta página tiene { $n } de votos útiles.
   *[other] Se retiró su voto. Esta página tiene { $n } votos útiles.
}
vote-failed = No se pudo guardar su voto: { $reason }.
email-page = Enviar esta página por correo
submit-comments = Envíe sus comentarios
feedback-text = Sus comentarios
feedback-contact = Su correo o su nombre (opcional)
feedback-send = Enviar
feedback-cancel = Cancelar
feedback-sending = Enviando…
feedback-sent = Gracias, sus comentarios se enviaron.
feedback-failed = No se pudieron enviar sus comentarios: { $reason }.
feedback-empty = Escriba primero sus comentarios.
reason-offline = no se puede acceder al servicio
reason-rate-limited = demasiadas solicitudes, inténtelo de nuevo en un momento
reason-not-found = no se encontró
reason-server = el servicio respondió con el error { $status }
reason-invalid = el servicio envió datos que este widget no puede leer

loader-failed = No se pudo cargar el widget de CASM.
loader-view-resource = Ver este recurso
loader-view-resources = Ver los recursos
